"""The store's handle on DynamoDB: connection for transactions, cursor codec, error mapping."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from api.domain.errors import Conflict
from api.settings import Settings
from api.store.models import Item, configure
from api.store.pagination import CursorCodec


class Db:
    def __init__(self, settings: Settings) -> None:
        configure(settings)
        self.settings = settings
        self.codec = CursorCodec(settings.cursor_secret)
        self._connection: Connection | None = None

    @property
    def connection(self) -> Connection:
        """The models' shared connection, for transactions."""
        if self._connection is None:
            self._connection = Item._get_connection().connection
        return self._connection

    @contextmanager
    def transaction(
        self, conflict_message: str = "The item was changed by someone else"
    ) -> Iterator[TransactWrite]:
        """One TransactWriteItems; a lost condition becomes a typed ``Conflict``.

        Callers that need a more precise error catch ``Conflict`` and re-read to diagnose:
        DynamoDB's cancellation reasons do not come back in call order (see NOTES).
        """
        try:
            with TransactWrite(connection=self.connection) as transaction:
                yield transaction
        except TransactWriteError as exc:
            reasons = [getattr(r, "code", None) for r in (exc.cancellation_reasons or []) if r]
            if "ConditionalCheckFailed" in reasons or "TransactionConflict" in reasons:
                raise Conflict(conflict_message) from exc
            raise
