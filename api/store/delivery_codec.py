"""Delivery items ⇄ records."""

from __future__ import annotations

from datetime import time

from api.domain.notify import AnnouncementKind, Channel, Preferences, QuietHours
from api.records.delivery import (
    ContactRecord,
    DeliveryRecord,
    DeliveryState,
    NotificationRecord,
    WebhookSubscriptionRecord,
)
from api.store.delivery_models import ContactItem, DeliveryItem, InboxItem, WebhookItem


def delivery_record(item: DeliveryItem) -> DeliveryRecord:
    return DeliveryRecord(
        source_id=item.source_id,
        channel=Channel(item.channel),
        recipient=item.recipient,
        state=_state(item.state),
        attempts=int(item.attempts or 0),
        outcome=item.outcome,
        created_at=item.created_at,
        updated_at=item.updated_at,
        event_type=item.event_type,
        payload=item.payload,
        version=int(item.version or 0),
    )


def notification_record(item: InboxItem) -> NotificationRecord:
    return NotificationRecord(
        id=item.sk,
        person_id=item.person_id,
        kind=AnnouncementKind(item.kind),
        title=item.title,
        message=item.message,
        at=item.at,
        read=bool(item.read),
        case_id=item.case_id,
        topic_id=item.topic_id,
    )


def _time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def contact_record(item: ContactItem) -> ContactRecord:
    start, end = _time(item.quiet_start), _time(item.quiet_end)
    quiet = QuietHours(start, end) if start is not None and end is not None else None
    return ContactRecord(
        person_id=item.person_id,
        preferences=Preferences(wechat=bool(item.wechat), sms=bool(item.sms), quiet=quiet),
        wechat_openid=item.wechat_openid,
        version=int(item.version or 0),
    )


def webhook_record(item: WebhookItem) -> WebhookSubscriptionRecord:
    return WebhookSubscriptionRecord(
        id=item.id,
        org_id=item.org_id,
        org_path=item.org_path,
        url=item.url,
        event_types=tuple(item.event_types or ()),
        secret=item.secret,
        previous_secret=item.previous_secret,
        previous_until=item.previous_until,
        failures=int(item.failures or 0),
        flagged=bool(item.flagged),
        created_by=item.created_by,
        created_at=item.created_at,
        version=int(item.version or 0),
    )


def _state(value: str) -> DeliveryState:
    """REPLAY (asked by an admin, not yet taken) reads as a delivery to retry."""
    try:
        return DeliveryState(value)
    except ValueError:
        return DeliveryState.RETRY
