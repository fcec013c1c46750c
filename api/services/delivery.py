"""Deliver what the stream announces: people on their channels, systems by webhooks.

For every announcement: the audience by rule (api.domain.notify), the people in it, each
person's channels by preference and reach; then for every (announcement, channel, person) a
claim in the store (exactly once in effect), an attempt with retries, and the outcome recorded.
For every system event: each subscription in scope that wants its type gets one signed delivery.

A transient failure that outlives the in-process retries raises ``RetryLater`` for the stream
record: the function reports it as a batch item failure and Lambda retries the record (settled
deliveries are skipped then). After ``MAX_ATTEMPTS`` a person's delivery is given up, and a
webhook delivery is dead-lettered and its subscription flagged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from api.channels.base import (
    Attempt,
    PersonChannel,
    PersonMessage,
    RetryPolicy,
    Verdict,
    with_retries,
)
from api.channels.sms import SmsChannel
from api.channels.webhook import WebhookChannel, WebhookMessage
from api.channels.wechat import WechatChannel, template_for
from api.domain.clock import SHANGHAI, iso
from api.domain.notify import (
    Audience,
    Channel,
    Preferences,
    Reach,
    audience_of,
    channels_for,
    pick_fallback,
    pick_people,
)
from api.domain.org import is_within
from api.domain.roles import Role
from api.records.delivery import (
    Announcement,
    Decoded,
    DeliveryRecord,
    DeliveryState,
    NotificationRecord,
    SystemEvent,
    WebhookSubscriptionRecord,
)
from api.settings import Settings
from api.store.db import Db
from api.store.delivery_store import Claim, Settlement
from api.store.webhook_store import SubscriptionChange

MAX_ATTEMPTS = 6
LEASE = timedelta(seconds=60)


class RetryLater(RuntimeError):
    """Some delivery of this record failed transiently: retry the record later."""


@dataclass
class Channels:
    """The adapters in use (built from settings by ``channels_from_settings``)."""

    people: dict[Channel, PersonChannel]
    webhook: WebhookChannel
    policy: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass
class BatchReport:
    sent: int = 0
    skipped: int = 0  # settled already (a redelivered record) or nothing to do
    failed: int = 0  # final failures and dead letters
    retry: int = 0


def deliver(db: Db, channels: Channels, decoded: Decoded, now: datetime) -> BatchReport:
    report = BatchReport()
    later: list[str] = []
    for announcement in decoded.announcements:
        later += _announce(db, channels, announcement, now, report)
    if decoded.events:
        subscriptions = db.webhooks.all()
        for event in decoded.events:
            later += _publish(db, channels, event, subscriptions, now, report)
    if later:
        raise RetryLater(", ".join(later))
    return report


# --- people ------------------------------------------------------------------------------------


def recipients(db: Db, announcement: Announcement) -> list[str]:
    """The people an announcement is for, by the rule of its kind."""
    audience = audience_of(announcement.kind, target_is_unit=True)
    if audience is Audience.PERSON:
        return [announcement.target_id]
    unit = db.org_units.get(announcement.target_id)
    if unit is None:
        # not a unit: a person named directly (a leader at TOP, a voter)
        return [announcement.target_id] if db.people.get(announcement.target_id) else []
    found = pick_people(audience, _holders(db, unit.id))
    if found or unit.parent_id is None:
        return found
    return pick_fallback(_holders(db, unit.parent_id))


def _holders(db: Db, unit_id: str) -> dict[Role, list[str]]:
    holders: dict[Role, list[str]] = {}
    for grant in db.people.all_grants_on(unit_id):
        holders.setdefault(grant.role, []).append(grant.person_id)
    return holders


def _announce(
    db: Db, channels: Channels, announcement: Announcement, now: datetime, report: BatchReport
) -> list[str]:
    people = recipients(db, announcement)
    if not people:
        return []
    records = db.people.get_many(people)
    contacts = db.deliveries.contacts(people)
    local = now.astimezone(SHANGHAI)
    later: list[str] = []
    for person_id in people:
        person = records.get(person_id)
        contact = contacts.get(person_id)
        preferences = contact.preferences if contact else Preferences()
        openid = contact.wechat_openid if contact else None
        phone = person.phone if person else None
        reach = Reach(has_wechat=bool(openid), has_phone=bool(phone))
        message = PersonMessage(
            source_id=announcement.id,
            person_id=person_id,
            kind=announcement.kind,
            title=announcement.title,
            message=announcement.message,
            at=announcement.at,
            level=announcement.level,
            case_id=announcement.case_id,
            topic_id=announcement.topic_id,
            openid=openid,
            phone=phone,
        )
        for channel in channels_for(announcement.kind, preferences, reach, local):
            if not _deliver_to_person(db, channels, channel, message, now, report):
                later.append(f"{announcement.id} {channel} {person_id}")
    return later


def _deliver_to_person(
    db: Db,
    channels: Channels,
    channel: Channel,
    message: PersonMessage,
    now: datetime,
    report: BatchReport,
) -> bool:
    """False when the delivery should be retried later."""
    if channel is Channel.IN_APP:
        # The inbox entry is itself keyed by the source: put-if-absent is the claim.
        added = db.deliveries.add_notification(_notification(message), message.source_id)
        report.sent += added
        report.skipped += not added
        return True
    claim = Claim(message.source_id, channel.value, message.person_id, iso(now), iso(now + LEASE))
    record = db.deliveries.claim(claim)
    if record is None:
        report.skipped += 1
        return True
    if channel is Channel.WECHAT:
        template = template_for(message.kind).template_id
        if not db.deliveries.use_quota(message.person_id, template):
            _settle(db, record, Attempt(Verdict.FINAL, "NO_QUOTA"), 0, now, DeliveryState.SKIPPED)
            report.skipped += 1
            return True
    sender = channels.people[channel]
    attempt, made = with_retries(lambda: sender.send(message), channels.policy)
    if channel is Channel.WECHAT and attempt.code == "43101":
        db.deliveries.clear_quota(message.person_id, template_for(message.kind).template_id)
    return _conclude(db, record, attempt, made, now, report) is not DeliveryState.RETRY


def _notification(message: PersonMessage) -> NotificationRecord:
    return NotificationRecord(
        id="",
        person_id=message.person_id,
        kind=message.kind,
        title=message.title,
        message=message.message,
        at=message.at,
        read=False,
        case_id=message.case_id,
        topic_id=message.topic_id,
    )


def _conclude(
    db: Db,
    record: DeliveryRecord,
    attempt: Attempt,
    made: int,
    now: datetime,
    report: BatchReport,
    give_up: DeliveryState = DeliveryState.FAILED,
) -> DeliveryState:
    attempts = record.attempts + made
    if attempt.verdict is Verdict.SENT:
        state = DeliveryState.SENT
        report.sent += 1
    elif attempt.verdict is Verdict.FINAL:
        state = DeliveryState.FAILED
        report.failed += 1
    elif attempts >= MAX_ATTEMPTS:
        state = give_up
        report.failed += 1
    else:
        state = DeliveryState.RETRY
        report.retry += 1
    _settle(db, record, attempt, attempts, now, state)
    return state


def _settle(
    db: Db,
    record: DeliveryRecord,
    attempt: Attempt,
    attempts: int,
    now: datetime,
    state: DeliveryState,
) -> None:
    outcome = f"{attempt.code} {attempt.detail}".strip()[:500]
    db.deliveries.settle(Settlement(record, state, outcome, iso(now), attempts))


# --- systems -----------------------------------------------------------------------------------


def event_body(event: SystemEvent) -> bytes:
    """The exact bytes signed and sent (kept on the delivery for replays)."""
    document = {
        "id": event.id,
        "type": event.type,
        "createdAt": event.at,
        "sequence": event.sequence,
        "data": event.data,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def wants(subscription: WebhookSubscriptionRecord, event: SystemEvent, scope_path: str) -> bool:
    types = subscription.event_types
    return ("*" in types or event.type in types) and is_within(scope_path, subscription.org_path)


def _publish(
    db: Db,
    channels: Channels,
    event: SystemEvent,
    subscriptions: list[WebhookSubscriptionRecord],
    now: datetime,
    report: BatchReport,
) -> list[str]:
    scope_path = event.scope_path or _unit_path(db, event.subject_id)
    later: list[str] = []
    body = event_body(event)
    for subscription in subscriptions:
        if not wants(subscription, event, scope_path):
            continue
        claim = Claim(
            event.id,
            Channel.WEBHOOK.value,
            subscription.id,
            iso(now),
            iso(now + LEASE),
            event_type=event.type,
            payload=body.decode(),
            log_owner=subscription.id,
        )
        record = db.deliveries.claim(claim)
        if record is None:
            report.skipped += 1
            continue
        if not send_webhook(db, channels, subscription, record, now, report):
            later.append(f"{event.id} webhook {subscription.id}")
    return later


def send_webhook(
    db: Db,
    channels: Channels,
    subscription: WebhookSubscriptionRecord,
    record: DeliveryRecord,
    now: datetime,
    report: BatchReport,
) -> bool:
    """One claimed webhook delivery; False when it should be retried later. A flagged
    subscription gets one attempt per event (its receiver is known to be down)."""
    message = WebhookMessage(
        url=subscription.url,
        event_id=record.source_id,
        event_type=record.event_type or "",
        body=(record.payload or "").encode(),
        secrets=_secrets(subscription, now),
    )
    policy = RetryPolicy(attempts=1) if subscription.flagged else channels.policy
    attempt, made = with_retries(lambda: channels.webhook.send(message), policy)
    if subscription.flagged and attempt.verdict is Verdict.TRANSIENT:
        made = MAX_ATTEMPTS
    state = _conclude(db, record, attempt, made, now, report, give_up=DeliveryState.DEAD)
    if state in (DeliveryState.DEAD, DeliveryState.FAILED):
        _flag(db, subscription, failed=True)
    elif state is DeliveryState.SENT and (subscription.flagged or subscription.failures):
        _flag(db, subscription, failed=False)
    return state is not DeliveryState.RETRY


def _secrets(subscription: WebhookSubscriptionRecord, now: datetime) -> tuple[str, ...]:
    if subscription.previous_secret and (subscription.previous_until or "") > iso(now):
        return (subscription.secret, subscription.previous_secret)
    return (subscription.secret,)


def _flag(db: Db, subscription: WebhookSubscriptionRecord, failed: bool) -> None:
    current = db.webhooks.get(subscription.id)
    if current is None:
        return
    failures = current.failures + 1 if failed else 0
    db.webhooks.save(SubscriptionChange(replace(current, failures=failures, flagged=failed)))


def _unit_path(db: Db, unit_id: str) -> str:
    unit = db.org_units.get(unit_id)
    return unit.path if unit else f"/{unit_id}"


def replay(db: Db, channels: Channels, record: DeliveryRecord, now: datetime) -> bool:
    """Send a delivery an admin asked to replay (its stream record arrives in state REPLAY)."""
    subscription = db.webhooks.get(record.recipient)
    if subscription is None:
        return True
    claim = Claim(
        record.source_id, record.channel.value, record.recipient, iso(now), iso(now + LEASE)
    )
    claimed = db.deliveries.claim(claim)
    if claimed is None:
        return True
    # a replay is a fresh start: its attempts count from zero
    fresh = replace(claimed, attempts=0)
    return send_webhook(db, channels, subscription, fresh, now, BatchReport())


def channels_from_settings(settings: Settings, now: Callable[[], float]) -> Channels:
    timeout = settings.channel_timeout_seconds
    return Channels(
        people={
            Channel.WECHAT: WechatChannel(
                settings.wechat_api_base,
                settings.wechat_app_id,
                settings.wechat_app_secret,
                timeout,
            ),
            Channel.SMS: SmsChannel(
                settings.sms_api_base,
                settings.sms_access_key_id,
                settings.sms_access_key_secret,
                settings.sms_sign_name,
                timeout,
            ),
        },
        webhook=WebhookChannel(timeout, settings.local_targets, now),
    )
