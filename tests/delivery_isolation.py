"""Rows of the scope-isolation tables (tests/integration/test_scope_isolation.py) for delivery
(issue 12): in-app notifications, WeChat consents and preferences (a person's own), and webhook
subscriptions with their delivery log (the subscriber's org unit). Rows are plain tuples in the
order of the tables' ``WriteCase`` and ``ReadCase`` fields, built there (no import cycle)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from api.domain.clock import Clock, iso
from api.domain.ids import new_id, to_global_id
from api.domain.notify import AnnouncementKind, Channel
from api.records.delivery import DeliveryState, NotificationRecord
from api.services import webhooks
from api.services.actor import load_actor
from api.services.notifications import TEMPLATE_IDS
from api.store.db import Db
from api.store.delivery_store import Claim, Settlement
from schema.notification_schema import notification_gid

ANONYMOUS, A_ADMIN, A_WORKER = "anonymous", "a_admin", "a_worker"
B_ADMIN, B_WORKER, B_RESIDENT = "b_admin", "b_worker", "b_resident"
DISTRICT_ADMIN = "district_admin"
VIEWERS = (ANONYMOUS, A_ADMIN, A_WORKER, B_ADMIN, B_WORKER, B_RESIDENT)
NOTIFICATION_TITLE = "议题已受理"
HOOK_URL = "http://127.0.0.1:9/hook"  # never called: the rows only read and refuse
DELIVERY_SELF_ONLY_QUERIES = {"notifications", "unreadNotificationCount"}

Problem = tuple[str, str | None]


@dataclass(frozen=True)
class BDelivery:
    """Street B's delivery data the rows act on."""

    notification_id: str  # an unread notification of B's resident (store id)
    subscription_id: str  # a webhook subscription of B's street, made by B's admin
    event_id: str  # a dead-lettered delivery to that subscription (replayable)


def seed_b_delivery(db: Db, clock: Clock, world: Any) -> BDelivery:
    now = clock.now()
    db.deliveries.add_notification(
        NotificationRecord(
            id="",
            person_id=world.b.resident_id,
            kind=next(iter(AnnouncementKind)),
            title=NOTIFICATION_TITLE,
            message="您的议题已受理",
            at=iso(now),
            read=False,
            case_id=None,
            topic_id=None,
        ),
        new_id(),
    )
    inbox = db.deliveries.notifications(world.b.resident_id, 1, None, False)
    subscription = webhooks.subscribe(
        db, load_actor(db, world.b.admin_id), clock, world.b.street.id, HOOK_URL, ["*"]
    )
    event_id = new_id()
    claimed = db.deliveries.claim(
        Claim(
            event_id,
            Channel.WEBHOOK.value,
            subscription.id,
            iso(now),
            iso(now + timedelta(minutes=5)),
            event_type="case.reported",
            payload='{"type": "case.reported"}',
            log_owner=subscription.id,
        )
    )
    assert claimed is not None
    db.deliveries.settle(Settlement(claimed, DeliveryState.DEAD, "HTTP 500", iso(now), 5))
    return BDelivery(inbox.edges[0].node.id, subscription.id, event_id)


def _ok(problems: list[Problem]) -> bool:
    return problems == []


def _notification(s: Any) -> dict[str, Any]:
    return {"notificationId": notification_gid(s.extras.b_delivery.notification_id)}


def _subscription(s: Any) -> dict[str, Any]:
    return {"subscriptionId": s.extras.b_delivery.subscription_id}


def delivery_write_rows() -> list[tuple[Any, ...]]:
    """(field, label, input, outsider, insider, insider_ok, self_only); the input of a field
    without an ``input`` argument is its arguments. The webhook rows' insider is the district's
    admin: the table revokes B's admin before these rows run on the fresh world (B's admin's
    access to B's subscription is shown by the read rows, through the same check)."""
    not_found_subscription: Problem = ("NOT_FOUND", "subscriptionId")
    return [
        (
            "markNotificationRead", "B resident's notification", _notification,
            ("NOT_FOUND", "notificationId"), B_RESIDENT, _ok, False,
        ),
        (
            "markAllNotificationsRead", "names no one: marks only the caller's",
            lambda s: {}, ("FORBIDDEN", None), B_RESIDENT, _ok, True,
        ),
        (
            "recordWechatSubscription", "names no one: banks only the caller's consent",
            lambda s: {"templateIds": [sorted(TEMPLATE_IDS)[0]]},
            ("FORBIDDEN", None), B_RESIDENT, _ok, True,
        ),
        (
            "setNotificationPreferences", "names no one: sets only the caller's",
            lambda s: {"wechat": False, "sms": True}, ("FORBIDDEN", None), B_RESIDENT, _ok,
            True,
        ),
        (
            "subscribeWebhook", "B's street",
            lambda s: {
                "orgUnitId": to_global_id("OrgUnit", s.world.b.street.id),
                "url": HOOK_URL,
                "eventTypes": ["case.reported"],
            },
            ("FORBIDDEN", None), DISTRICT_ADMIN, _ok, False,
        ),
        (
            "rotateWebhookSecret", "B's subscription", _subscription, not_found_subscription,
            DISTRICT_ADMIN, _ok, False,
        ),
        (
            "replayWebhookDelivery", "B's dead-lettered delivery",
            lambda s: {**_subscription(s), "eventId": s.extras.b_delivery.event_id},
            not_found_subscription, DISTRICT_ADMIN, _ok, False,
        ),
    ]  # fmt: skip


def _per_viewer(default: Any, **overrides: Any) -> Callable[[Any], dict[str, Any]]:
    return lambda s: {viewer: overrides.get(viewer, default) for viewer in VIEWERS}


def delivery_read_rows(refused: Callable[[str], Any]) -> list[tuple[Any, ...]]:
    """(field, label, document, variables, project, expect)"""
    unauthenticated, forbidden = refused("UNAUTHENTICATED"), refused("FORBIDDEN")
    not_found = refused("NOT_FOUND")
    return [
        (
            "notifications", "only the caller's own notifications",
            "{ notifications { nodes { title read } } }",
            lambda s: {}, lambda d: d["notifications"]["nodes"],
            _per_viewer(
                [], anonymous=unauthenticated,
                b_resident=[{"title": NOTIFICATION_TITLE, "read": False}],
            ),
        ),
        (
            "unreadNotificationCount", "only the caller's own count",
            "{ unreadNotificationCount }",
            lambda s: {}, lambda d: d["unreadNotificationCount"],
            _per_viewer(0, anonymous=unauthenticated, b_resident=1),
        ),
        (
            "webhookSubscriptions", "subscriptions of B's street: its admins only",
            "query($id: ID!) { webhookSubscriptions(orgUnitId: $id) { url eventTypes } }",
            lambda s: {"id": to_global_id("OrgUnit", s.world.b.street.id)},
            lambda d: d["webhookSubscriptions"],
            _per_viewer(
                forbidden, anonymous=unauthenticated,
                b_admin=[{"url": HOOK_URL, "eventTypes": ["*"]}],
            ),
        ),
        (
            "webhookDeliveries", "the log of B's subscription: its admins only",
            "query($id: ID!) { webhookDeliveries(subscriptionId: $id)"
            " { nodes { eventType status attempts } } }",
            lambda s: {"id": s.extras.b_delivery.subscription_id},
            lambda d: d["webhookDeliveries"]["nodes"],
            _per_viewer(
                not_found, anonymous=unauthenticated,
                b_admin=[{"eventType": "case.reported", "status": "DEAD", "attempts": 5}],
            ),
        ),
    ]  # fmt: skip
