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
from api.domain.messages import Message, msg
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
    actor.require(Permission.MANAGE_ORG, unit.path, msg("action.subscribe_webhooks"))
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
        raise InvalidInput(msg("webhook.no_events"), field="eventTypes")
    unknown = sorted(set(event_types) - EVENT_TYPES - {"*"})
    if unknown:
        raise InvalidInput(
            msg("webhook.unknown_events", join=", ".join(unknown)), field="eventTypes"
        )
    if len(url) > MAX_URL:
        raise InvalidInput(msg("webhook.url_too_long"), field="url")
    try:
        check_url(url.strip(), allow_local=db.settings.local_targets)
    except UnsafeUrl as exc:
        raise InvalidInput(_unsafe_url(exc), field="url") from exc


def _unsafe_url(exc: UnsafeUrl) -> Message:
    text = str(exc)
    if "https" in text:
        return msg("webhook.url_https")
    if "internal" in text:
        return msg("webhook.url_internal")
    if "resolve" in text:
        return msg("webhook.url_unresolved")
    return msg("webhook.url_unusable")


def require_subscription(db: Db, actor: Actor, subscription_id: str) -> WebhookSubscriptionRecord:
    subscription = db.webhooks.get(subscription_id)
    if subscription is None or not actor.can(Permission.MANAGE_ORG, subscription.org_path):
        actor.require_login()
        raise NotFound(msg("webhook.not_found"), field="subscriptionId")
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
    actor.require(Permission.MANAGE_ORG, unit.path, msg("action.see_webhooks"))
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
        raise NotFound(msg("webhook.delivery_not_found"), field="eventId")
    if record.state is DeliveryState.PENDING:
        raise InvalidInput(msg("webhook.delivery_sending"), field="eventId")
    if not db.deliveries.request_replay(record, iso(clock.now())):
        raise InvalidInput(msg("webhook.delivery_changed"), field="eventId")
    refreshed = db.deliveries.get(event_id, "WEBHOOK", subscription_id)
    return refreshed or record
