"""Webhook subscriptions: admins subscribe systems to event types within their org scope.

Subscribing needs MANAGE_ORG on the unit (an admin of it or above); the URL must be https and
resolve to a public address outside local stages (SSRF); the secret is generated here, shown
once on creation and on rotation, and the previous one keeps signing for a day after a
rotation so receivers can switch without losing deliveries.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta

from api.channels.webhook import UnsafeUrl, check_url
from api.domain.clock import Clock, iso
from api.domain.errors import InvalidInput, NotFound
from api.domain.ids import new_id
from api.domain.roles import Permission
from api.records.delivery import DeliveryRecord, DeliveryState, WebhookSubscriptionRecord
from api.services.actor import Actor
from api.store.db import Db
from api.store.pagination import Page
from api.store.webhook_store import SubscriptionChange

EVENT_TYPES = frozenset(
    {
        "case.reported",
        "case.accepted",
        "case.rejected",
        "case.assigned",
        "case.escalated",
        "case.in_progress",
        "case.paused",
        "case.parked",
        "case.resolved",
        "case.evaluated",
        "case.closed",
        "case.archived",
        "topic.decided",
        "project.claimed",
        "project.delivered",
        "project.withdrawn",
    }
)
ROTATION_GRACE = timedelta(hours=24)
MAX_URL = 2048


def _secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def subscribe(
    db: Db, actor: Actor, clock: Clock, org_id: str, url: str, event_types: list[str]
) -> WebhookSubscriptionRecord:
    unit = db.org_units.require(org_id, field="orgUnitId")
    actor.require(Permission.MANAGE_ORG, unit.path, "subscribe webhooks")
    _check(db, url, event_types)
    at = iso(clock.now())
    record = WebhookSubscriptionRecord(
        id=new_id(),
        org_id=unit.id,
        org_path=unit.path,
        url=url.strip(),
        event_types=tuple(sorted(set(event_types))),
        secret=_secret(),
        previous_secret=None,
        previous_until=None,
        failures=0,
        flagged=False,
        created_by=actor.require_login(),
        created_at=at,
        version=0,
    )
    return db.webhooks.save(SubscriptionChange(record))


def _check(db: Db, url: str, event_types: list[str]) -> None:
    if not event_types:
        raise InvalidInput("Choose at least one event type", field="eventTypes")
    unknown = sorted(set(event_types) - EVENT_TYPES - {"*"})
    if unknown:
        raise InvalidInput(f"Unknown event types: {', '.join(unknown)}", field="eventTypes")
    if len(url) > MAX_URL:
        raise InvalidInput("The URL is too long", field="url")
    try:
        check_url(url.strip(), allow_local=db.settings.local_targets)
    except UnsafeUrl as exc:
        raise InvalidInput(_chinese(exc), field="url") from exc


def _chinese(exc: UnsafeUrl) -> str:
    text = str(exc)
    if "https" in text:
        return "回调地址必须使用 https"
    if "internal" in text:
        return "回调地址不能指向内网、回环或链路本地地址"
    if "resolve" in text:
        return "回调地址的域名无法解析"
    return "回调地址不可用"


def require_subscription(db: Db, actor: Actor, subscription_id: str) -> WebhookSubscriptionRecord:
    subscription = db.webhooks.get(subscription_id)
    if subscription is None or not actor.can(Permission.MANAGE_ORG, subscription.org_path):
        actor.require_login()
        raise NotFound("No such webhook subscription", field="subscriptionId")
    return subscription


def rotate_secret(
    db: Db, actor: Actor, clock: Clock, subscription_id: str
) -> WebhookSubscriptionRecord:
    current = require_subscription(db, actor, subscription_id)
    now = clock.now()
    rotated = replace(
        current,
        secret=_secret(),
        previous_secret=current.secret,
        previous_until=iso(now + ROTATION_GRACE),
    )
    return db.webhooks.save(SubscriptionChange(rotated))


def subscriptions(db: Db, actor: Actor, org_id: str) -> list[WebhookSubscriptionRecord]:
    unit = db.org_units.require(org_id, field="orgUnitId")
    actor.require(Permission.MANAGE_ORG, unit.path, "see webhooks")
    return db.webhooks.within(unit.path)


def delivery_log(
    db: Db, actor: Actor, subscription_id: str, first: int, after: str | None
) -> Page[DeliveryRecord]:
    require_subscription(db, actor, subscription_id)
    return db.deliveries.webhook_log(subscription_id, first, after)


def replay(
    db: Db, actor: Actor, clock: Clock, subscription_id: str, event_id: str
) -> DeliveryRecord:
    """Ask for a delivery to be sent again; the delivery function sends it (from the stream),
    the request never waits on the receiver."""
    require_subscription(db, actor, subscription_id)
    record = db.deliveries.get(event_id, "WEBHOOK", subscription_id)
    if record is None:
        raise NotFound("No such delivery", field="eventId")
    if record.state is DeliveryState.PENDING:
        raise InvalidInput("The delivery is being sent right now", field="eventId")
    if not db.deliveries.request_replay(record, iso(clock.now())):
        raise InvalidInput("The delivery changed meanwhile; try again", field="eventId")
    refreshed = db.deliveries.get(event_id, "WEBHOOK", subscription_id)
    return refreshed or record
