"""Webhook subscriptions of systems (the delivery log is in ``DeliveryStore.webhook_log``)."""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist

from api.domain.messages import msg
from api.records.delivery import WebhookSubscriptionRecord
from api.store.delivery_codec import webhook_record
from api.store.delivery_models import WEBHOOKS_PK, WebhookItem, webhook_key
from api.store.repository import Repository, bound, save_versioned


@dataclass(frozen=True, slots=True)
class SubscriptionChange:
    """The new state of a subscription, conditioned on ``record.version`` (0: a new one)."""

    record: WebhookSubscriptionRecord


class WebhookStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""

    @bound
    def get(self, subscription_id: str) -> WebhookSubscriptionRecord | None:
        pk, sk = webhook_key(subscription_id)
        try:
            return webhook_record(WebhookItem.get(pk, sk, consistent_read=True))
        except DoesNotExist:
            return None

    @bound
    def all(self) -> list[WebhookSubscriptionRecord]:
        """Every subscription (one index partition; a district has a handful)."""
        items = WebhookItem.by_parent.query(WEBHOOKS_PK)
        return [webhook_record(item) for item in items if isinstance(item, WebhookItem)]

    @bound
    def within(self, scope_path: str) -> list[WebhookSubscriptionRecord]:
        """Subscriptions of units in a scope (an admin's listing)."""
        items = WebhookItem.by_parent.query(WEBHOOKS_PK, WebhookItem.gsi1sk.startswith(scope_path))
        return [webhook_record(item) for item in items if isinstance(item, WebhookItem)]

    @bound
    def save(self, change: SubscriptionChange) -> WebhookSubscriptionRecord:
        record = change.record
        pk, sk = webhook_key(record.id)
        item = WebhookItem(
            pk,
            sk,
            id=record.id,
            org_id=record.org_id,
            org_path=record.org_path,
            url=record.url,
            event_types=list(record.event_types),
            secret=record.secret,
            previous_secret=record.previous_secret,
            previous_until=record.previous_until,
            failures=record.failures,
            flagged=record.flagged,
            created_by=record.created_by,
            created_at=record.created_at,
            gsi1pk=WEBHOOKS_PK,
            gsi1sk=f"{record.org_path}#{record.id}",
        )
        save_versioned(item, record.version, msg("conflict.subscription"))
        return webhook_record(item)
