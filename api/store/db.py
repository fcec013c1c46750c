"""The only door to DynamoDB: one ``Db`` per table, with one repository per aggregate.

Services and entry points hold a ``Db`` and speak to its repositories (``db.org_units``,
``db.cases``…), which return frozen records and take one unit-of-work object per change.
Each repository method runs on this Db's table (``api.store.binding``): nothing is configured
globally, so two ``Db`` objects on two tables can live in one process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from pynamodb.connection import Connection, TableConnection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from api.domain.errors import Conflict
from api.domain.messages import Message, msg
from api.settings import Settings
from api.store.binding import binding
from api.store.models import table_connection
from api.store.pagination import CursorCodec

if TYPE_CHECKING:
    from api.store.attachment_store import AttachmentStore
    from api.store.case_store import CaseStore
    from api.store.client_store import ClientStore
    from api.store.counter_store import CounterStore
    from api.store.delivery_store import DeliveryStore
    from api.store.export_store import ExportStore
    from api.store.gauge_store import GaugeStore
    from api.store.grid_application_store import GridApplicationStore
    from api.store.ledger_store import LedgerStore
    from api.store.notice_store import NoticeStore
    from api.store.object_store import ObjectStore
    from api.store.org_store import OrgUnitStore
    from api.store.partner_store import PartnerStore
    from api.store.people_store import PeopleStore
    from api.store.persisted_store import PersistedQueryStore
    from api.store.time_store import TimeStore
    from api.store.topic_store import TopicStore
    from api.store.truth_store import TruthStore
    from api.store.webhook_store import WebhookStore


class Db:
    """One table: its connection, its cursor codec and one repository per aggregate."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.codec = CursorCodec(settings.cursor_secret)
        self.table: TableConnection = table_connection(settings)

    @property
    def db(self) -> Db:
        """A Db is its own handle (so ``@bound`` works on Db methods too)."""
        return self

    @property
    def connection(self) -> Connection:
        """The low-level connection (one botocore client per Db), for transactions."""
        return self.table.connection

    @contextmanager
    def bound(self) -> Iterator[None]:
        """Run model calls inside on this Db's table (see ``api.store.binding``)."""
        with binding(self.table):
            yield

    @contextmanager
    def transaction(self, conflict_message: Message | None = None) -> Iterator[TransactWrite]:
        """One TransactWriteItems; a lost condition becomes a typed ``Conflict``.

        Callers that need a more precise error catch ``Conflict`` and re-read to diagnose:
        DynamoDB's cancellation reasons do not come back in call order (see NOTES).
        """
        try:
            with self.bound(), TransactWrite(connection=self.connection) as transaction:
                yield transaction
        except TransactWriteError as exc:
            reasons = [getattr(r, "code", None) for r in (exc.cancellation_reasons or []) if r]
            if "ConditionalCheckFailed" in reasons or "TransactionConflict" in reasons:
                raise Conflict(conflict_message or msg("conflict.item")) from exc
            raise

    # One repository per aggregate, built on first use (imports stay off the cold path
    # of functions that never touch an aggregate).

    @cached_property
    def org_units(self) -> OrgUnitStore:
        from api.store.org_store import OrgUnitStore

        return OrgUnitStore(self)

    @cached_property
    def people(self) -> PeopleStore:
        from api.store.people_store import PeopleStore

        return PeopleStore(self)

    @cached_property
    def cases(self) -> CaseStore:
        from api.store.case_store import CaseStore

        return CaseStore(self)

    @cached_property
    def counters(self) -> CounterStore:
        from api.store.counter_store import CounterStore

        return CounterStore(self)

    @cached_property
    def gauges(self) -> GaugeStore:
        from api.store.gauge_store import GaugeStore

        return GaugeStore(self)

    @cached_property
    def truth(self) -> TruthStore:
        from api.store.truth_store import TruthStore

        return TruthStore(self)

    @cached_property
    def notices(self) -> NoticeStore:
        from api.store.notice_store import NoticeStore

        return NoticeStore(self)

    @cached_property
    def time(self) -> TimeStore:
        from api.store.time_store import TimeStore

        return TimeStore(self)

    @cached_property
    def topics(self) -> TopicStore:
        from api.store.topic_store import TopicStore

        return TopicStore(self)

    @cached_property
    def partners(self) -> PartnerStore:
        from api.store.partner_store import PartnerStore

        return PartnerStore(self)

    @cached_property
    def ledger(self) -> LedgerStore:
        from api.store.ledger_store import LedgerStore

        return LedgerStore(self)

    @cached_property
    def deliveries(self) -> DeliveryStore:
        from api.store.delivery_store import DeliveryStore

        return DeliveryStore(self)

    @cached_property
    def webhooks(self) -> WebhookStore:
        from api.store.webhook_store import WebhookStore

        return WebhookStore(self)

    # Photos and files (issue 15): the attachment items, and the uploads bucket.

    @cached_property
    def attachments(self) -> AttachmentStore:
        from api.store.attachment_store import AttachmentStore

        return AttachmentStore(self)

    @cached_property
    def objects(self) -> ObjectStore:
        from api.store.object_store import ObjectStore

        return ObjectStore(self.settings)

    @cached_property
    def exports(self) -> ExportStore:
        """Export jobs (CSV, issue 14.7); their files are in ``objects`` under exports/."""
        from api.store.export_store import ExportStore

        return ExportStore(self)

    @cached_property
    def persisted_queries(self) -> PersistedQueryStore:
        from api.store.persisted_store import PersistedQueryStore

        return PersistedQueryStore(self)

    @cached_property
    def clients(self) -> ClientStore:
        from api.store.client_store import ClientStore

        return ClientStore(self)

    # 入格申请 (issue 16): applications to live in a grid.

    @cached_property
    def grid_applications(self) -> GridApplicationStore:
        from api.store.grid_application_store import GridApplicationStore

        return GridApplicationStore(self)
