"""Applications to live in a grid (入格申请): one item per application, a guard for the one open
application per person, one item per idempotency key. Deciding an approval moves the
applicant's home in the same ``TransactWriteItems``: the person item (their residents-index
entry follows the home), the old home's reference count down, the new one's up (conditioned
on it not being archived)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from api.domain.grid_applications import GridApplicationState
from api.domain.messages import msg
from api.records.grid_application import GridApplicationRecord
from api.records.idempotency import Keyed
from api.records.org import OrgUnitRecord, PersonRecord
from api.records.page import Page
from api.store.grid_application_models import (
    GridApplicationItem,
    GridApplicationKeyItem,
    OpenGridApplicationItem,
    applicant_pk,
    application_key,
    idempotency_key,
    open_key,
    queue_pk,
)
from api.store.models import OrgUnitItem, PersonItem, name_sk, org_key, person_key, residents_pk
from api.store.pagination import query_page
from api.store.repository import Repository, bound

NOT_ARCHIVED = OrgUnitItem.archived == False  # noqa: E712


@dataclass(frozen=True, slots=True)
class NewApplication:
    record: GridApplicationRecord
    idempotency: tuple[str, str] | None = None  # (key, input hash)


@dataclass(frozen=True, slots=True)
class HomeMove:
    """The applicant (read at its version) moves from ``old_home`` (if any) to ``new_home``."""

    person: PersonRecord
    new_home: OrgUnitRecord


@dataclass(frozen=True, slots=True)
class Decision:
    application: GridApplicationRecord  # as read (APPLIED, at its version)
    state: GridApplicationState
    decided_by: str
    decided_at: str
    reason: str | None
    move: HomeMove | None  # an approval's home move


def _record(item: GridApplicationItem) -> GridApplicationRecord:
    return GridApplicationRecord(
        id=item.id,
        applicant_id=item.applicant_id,
        applicant_name=item.applicant_name,
        grid_id=item.grid_id,
        grid_path=item.grid_path,
        grid_name=item.grid_name,
        community_id=item.community_id,
        home_unit_id=item.home_unit_id,
        home_unit_name=item.home_unit_name,
        note=item.note,
        state=GridApplicationState(item.state),
        applied_at=item.applied_at,
        decided_at=item.decided_at,
        decided_by=item.decided_by,
        reason=item.reason,
        version=int(item.version or 0),
    )


def _item(record: GridApplicationRecord) -> GridApplicationItem:
    queue_sk = f"{record.state.value}#{record.applied_at}#{record.id}"
    return GridApplicationItem(
        *application_key(record.id),
        id=record.id,
        applicant_id=record.applicant_id,
        applicant_name=record.applicant_name,
        grid_id=record.grid_id,
        grid_path=record.grid_path,
        grid_name=record.grid_name,
        community_id=record.community_id,
        home_unit_id=record.home_unit_id,
        home_unit_name=record.home_unit_name,
        note=record.note,
        state=record.state.value,
        applied_at=record.applied_at,
        decided_at=record.decided_at,
        decided_by=record.decided_by,
        reason=record.reason,
        gsi1pk=applicant_pk(record.applicant_id),
        gsi1sk=f"{record.applied_at}#{record.id}",
        gsi2pk=queue_pk(record.grid_id),
        gsi2sk=queue_sk,
        gsi3pk=queue_pk(record.community_id) if record.community_id else None,
        gsi3sk=queue_sk if record.community_id else None,
    )


class GridApplicationStore(Repository):
    """Reads return frozen records; each change is one unit of work (one transaction)."""

    @bound
    def get(self, application_id: str, consistent: bool = False) -> GridApplicationRecord | None:
        try:
            item = GridApplicationItem.get(
                *application_key(application_id), consistent_read=consistent
            )
        except DoesNotExist:
            return None
        return _record(item)

    @bound
    def open_of(self, person_id: str) -> str | None:
        """The id of the person's waiting application, if any (consistent)."""
        try:
            return str(
                OpenGridApplicationItem.get(
                    *open_key(person_id), consistent_read=True
                ).application_id
            )
        except DoesNotExist:
            return None

    @bound
    def by_idempotency_key(self, person_id: str, key: str) -> Keyed[str] | None:
        """The application a person's key made, with the hash of its input."""
        try:
            item = GridApplicationKeyItem.get(
                *idempotency_key(person_id, key), consistent_read=True
            )
        except DoesNotExist:
            return None
        return Keyed(str(item.application_id), item.input_hash)

    @bound
    def of_applicant(
        self, person_id: str, first: int, after: str | None
    ) -> Page[GridApplicationRecord]:
        """The person's applications, newest first (one Query on gsi1)."""
        return query_page(
            GridApplicationItem, self.db.codec, applicant_pk(person_id), index="gsi1",
            first=first, after=after, scan_forward=False,
        ).map(_record)  # fmt: skip

    @bound
    def queue(
        self, unit_id: str, community: bool, state: GridApplicationState | None, first: int,
        after: str | None,
    ) -> Page[GridApplicationRecord]:  # fmt: skip
        """A grid's (gsi2) or a community's (gsi3) applications, oldest first, in one state or
        all (one Query)."""
        index = "gsi3" if community else "gsi2"
        sort_key = GridApplicationItem.gsi3sk if community else GridApplicationItem.gsi2sk
        return query_page(
            GridApplicationItem, self.db.codec, queue_pk(unit_id), index=index,
            range_key_condition=sort_key.startswith(f"{state.value}#") if state else None,
            first=first, after=after,
        ).map(_record)  # fmt: skip

    # Changes: one transaction each (a lost condition raises ``Conflict``).

    def apply(self, change: NewApplication) -> None:
        """The application, the person's open-application guard, and its key."""
        record = change.record
        with self.db.transaction(msg("grid_application.already_open")) as tx:
            tx.save(_item(record), condition=GridApplicationItem.pk.does_not_exist())
            tx.save(
                OpenGridApplicationItem(*open_key(record.applicant_id), application_id=record.id),
                condition=OpenGridApplicationItem.pk.does_not_exist(),
            )
            if change.idempotency is not None:
                key, input_hash = change.idempotency
                tx.save(
                    GridApplicationKeyItem(
                        *idempotency_key(record.applicant_id, key),
                        application_id=record.id,
                        input_hash=input_hash,
                    ),
                    condition=GridApplicationKeyItem.pk.does_not_exist(),
                )

    def decide(self, decision: Decision) -> GridApplicationRecord:
        """The decided application (conditioned on its version: decided once), the guard
        removed, and for an approval the applicant's home moved."""
        before = decision.application
        after = replace(
            before,
            state=decision.state,
            decided_at=decision.decided_at,
            decided_by=decision.decided_by,
            reason=decision.reason,
            version=before.version + 1,
        )
        item = _item(after)
        item.version = before.version  # PynamoDB conditions on it and saves version + 1
        with self.db.transaction(msg("grid_application.decided_elsewhere")) as tx:
            tx.save(item, condition=GridApplicationItem.state == GridApplicationState.APPLIED.value)
            tx.delete(
                OpenGridApplicationItem(*open_key(before.applicant_id)),
                condition=OpenGridApplicationItem.application_id == before.id,
                add_version_condition=False,
            )
            if decision.move is not None:
                self._move_home(tx, decision.move)
        return after

    @staticmethod
    def _move_home(tx: TransactWrite, move: HomeMove) -> None:
        person, home = move.person, move.new_home
        locked = PersonItem(*person_key(person.id), version=person.version or None)
        tx.update(
            locked,
            actions=[
                PersonItem.home_unit_id.set(home.id),
                PersonItem.home_path.set(home.path),
                PersonItem.gsi1pk.set(residents_pk(home.id)),
                PersonItem.gsi1sk.set(name_sk(person.name, person.id)),
            ],
        )
        if person.home_unit_id is not None:
            old = OrgUnitItem(*org_key(person.home_unit_id))
            tx.update(old, actions=[OrgUnitItem.refs.add(-1)], add_version_condition=False)
        new = OrgUnitItem(*org_key(home.id))
        tx.update(
            new,
            actions=[OrgUnitItem.refs.add(1)],
            condition=NOT_ARCHIVED,
            add_version_condition=False,
        )
