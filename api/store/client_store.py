"""API clients (issue 13): one item per client, one counter item per client and minute."""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist, UpdateError

from api.domain.messages import msg
from api.records.client import ApiClientRecord, ClientScope
from api.store.client_models import (
    CLIENTS_PK,
    ApiClientItem,
    RateWindowItem,
    client_key,
    rate_key,
)
from api.store.repository import Repository, bound, conditional_failed, save_versioned


@dataclass(frozen=True, slots=True)
class ClientChange:
    """The new state of a client, conditioned on ``record.version`` (0: a new one)."""

    record: ApiClientRecord


def client_record(item: ApiClientItem) -> ApiClientRecord:
    return ApiClientRecord(
        id=item.id,
        name=item.name,
        org_id=item.org_id,
        org_path=item.org_path,
        scopes=tuple(ClientScope(s) for s in item.scopes or []),
        key_hash=item.key_hash,
        previous_key_hash=item.previous_key_hash,
        previous_until=item.previous_until,
        revoked_at=item.revoked_at,
        last_used_at=item.last_used_at,
        rate_per_minute=int(item.rate_per_minute),
        created_by=item.created_by,
        created_at=item.created_at,
        version=int(item.version or 0),
    )


class ClientStore(Repository):
    """Reads return frozen records; each change is one unit of work."""

    @bound
    def get(self, client_id: str) -> ApiClientRecord | None:
        try:
            return client_record(ApiClientItem.get(*client_key(client_id), consistent_read=True))
        except DoesNotExist:
            return None

    @bound
    def within(self, scope_path: str) -> list[ApiClientRecord]:
        """Clients of units in a scope (an admin's listing; one index partition)."""
        items = ApiClientItem.by_parent.query(
            CLIENTS_PK, ApiClientItem.gsi1sk.startswith(scope_path)
        )
        return [client_record(item) for item in items if isinstance(item, ApiClientItem)]

    @bound
    def save(self, change: ClientChange) -> ApiClientRecord:
        record = change.record
        item = ApiClientItem(
            *client_key(record.id),
            id=record.id,
            name=record.name,
            org_id=record.org_id,
            org_path=record.org_path,
            scopes=[s.value for s in record.scopes],
            key_hash=record.key_hash,
            previous_key_hash=record.previous_key_hash,
            previous_until=record.previous_until,
            revoked_at=record.revoked_at,
            last_used_at=record.last_used_at,
            rate_per_minute=record.rate_per_minute,
            created_by=record.created_by,
            created_at=record.created_at,
            gsi1pk=CLIENTS_PK,
            gsi1sk=f"{record.org_path}#{record.id}",
        )
        save_versioned(item, record.version, msg("conflict.api_client"))
        return client_record(item)

    @bound
    def touch(self, client_id: str, at: str) -> None:
        """Record the last use without a version bump (a use is not a change of the client);
        conditioned on the item existing so a deleted client is not re-created."""
        item = ApiClientItem(*client_key(client_id))
        try:
            item.update(
                actions=[ApiClientItem.last_used_at.set(at)],
                condition=ApiClientItem.pk.exists(),
                add_version_condition=False,
            )
        except UpdateError as exc:
            if not conditional_failed(exc):
                raise

    @bound
    def take_request(self, client_id: str, minute: str, limit: int) -> int | None:
        """Count one request in the client's window; the count after it, or None when the
        window is full (one conditional UpdateItem, shared by every Lambda instance)."""
        window = RateWindowItem(*rate_key(client_id, minute))
        try:
            window.update(
                actions=[
                    RateWindowItem.type.set(RateWindowItem),
                    RateWindowItem.hits.add(1),
                ],
                condition=RateWindowItem.hits.does_not_exist() | (RateWindowItem.hits < limit),
                add_version_condition=False,
            )
        except UpdateError as exc:
            if conditional_failed(exc):
                return None
            raise
        return int(window.hits)
