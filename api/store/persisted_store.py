"""Persisted queries (issue 13): ``PQ#<sha256>`` / ``#META`` holds an operation's text."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError

from api.records.persisted import PersistedQueryRecord
from api.store.models import META, Item
from api.store.repository import Repository, bound, conditional_failed


class PersistedQueryItem(Item, discriminator="PersistedQuery"):
    sha256 = UnicodeAttribute()
    text = UnicodeAttribute()
    allowed = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()


def persisted_key(sha256: str) -> tuple[str, str]:
    return f"PQ#{sha256}", META


def _record(item: PersistedQueryItem) -> PersistedQueryRecord:
    return PersistedQueryRecord(item.sha256, item.text, bool(item.allowed), item.created_at)


class PersistedQueryStore(Repository):
    @bound
    def get(self, sha256: str) -> PersistedQueryRecord | None:
        """An eventually consistent GetItem: an operation's text never changes under its hash."""
        try:
            return _record(PersistedQueryItem.get(*persisted_key(sha256)))
        except DoesNotExist:
            return None

    @bound
    def add(self, record: PersistedQueryRecord) -> None:
        """Store an operation sent by a client (APQ) unless its hash is known already."""
        item = PersistedQueryItem(
            *persisted_key(record.sha256), sha256=record.sha256, text=record.query,
            allowed=record.allowed, created_at=record.created_at,
        )  # fmt: skip
        try:
            item.save(condition=PersistedQueryItem.pk.does_not_exist(), add_version_condition=False)
        except PutError as exc:
            if not conditional_failed(exc):
                raise

    @bound
    def allow(self, record: PersistedQueryRecord) -> None:
        """Register an operation of a front-end's build (allow-listed; overwrites an APQ one)."""
        item = PersistedQueryItem(
            *persisted_key(record.sha256), sha256=record.sha256, text=record.query,
            allowed=True, created_at=record.created_at,
        )  # fmt: skip
        item.save(add_version_condition=False)
