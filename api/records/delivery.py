"""Records of delivery: what the stream announces, what was delivered, inboxes, subscriptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from api.domain.notify import AnnouncementKind, Channel, Preferences


@dataclass(frozen=True, slots=True)
class Announcement:
    """Something to tell people, decoded from one stream record (api/store/stream_codec.py).

    ``id`` is stable for the source change (the same stream record redelivered gives the same
    id), which is what makes a delivery exactly-once in effect.
    """

    id: str
    kind: AnnouncementKind
    target_id: str  # a unit id or a person id (the rule of the kind says which to try)
    title: str  # short subject: tracking code or topic title
    message: str
    at: str
    case_id: str | None = None
    topic_id: str | None = None
    level: str | None = None
    state: str | None = None


@dataclass(frozen=True, slots=True)
class SystemEvent:
    """An event for systems (webhooks), decoded from one stream record.

    ``sequence`` orders the events of one case (the case's event count); receivers order by it.
    ``scope_path`` is the materialised org path the event belongs to: a subscription sees it
    when its own unit's path is a prefix.
    """

    id: str
    type: str  # e.g. case.reported, case.escalated, topic.decided, project.claimed
    at: str
    scope_path: str
    subject_id: str
    sequence: int
    data: dict[str, str | int | None]


@dataclass(frozen=True, slots=True)
class Decoded:
    """What one stream record carries (often nothing)."""

    announcements: tuple[Announcement, ...] = ()
    events: tuple[SystemEvent, ...] = ()


class DeliveryState(StrEnum):
    PENDING = "PENDING"  # claimed, being sent
    SENT = "SENT"  # the provider accepted it
    RETRY = "RETRY"  # a transient failure: the next stream retry (or replay) sends again
    FAILED = "FAILED"  # final: refused by the provider, no binding, bad template field…
    DEAD = "DEAD"  # webhooks: N failures, dead-lettered (replay sends again)
    SKIPPED = "SKIPPED"  # nothing to send on this channel (quiet hours, no quota)


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One (source, channel, recipient): claimed once, then its outcome."""

    source_id: str
    channel: Channel
    recipient: str  # person id, or webhook subscription id
    state: DeliveryState
    attempts: int
    outcome: str | None  # provider code or reason of the last attempt
    created_at: str
    updated_at: str
    event_type: str | None = None
    payload: str | None = None  # webhooks: the exact body sent (for replay and the log)
    version: int = 1


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    """One entry of a person's in-app inbox."""

    id: str
    person_id: str
    kind: AnnouncementKind
    title: str
    message: str
    at: str
    read: bool
    case_id: str | None
    topic_id: str | None


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """A person's delivery preferences, WeChat binding and subscription quotas."""

    person_id: str
    preferences: Preferences
    wechat_openid: str | None
    # 订阅消息 one-shot consents left, per template id (each accepted prompt adds one).
    quotas: dict[str, int] = field(default_factory=dict)
    version: int = 0


@dataclass(frozen=True, slots=True)
class WebhookSubscriptionRecord:
    id: str
    org_id: str
    org_path: str
    url: str
    event_types: tuple[str, ...]
    secret: str
    previous_secret: str | None  # still signed with until it expires after a rotation
    previous_until: str | None
    failures: int  # consecutive dead-lettered deliveries
    flagged: bool  # N failures in a row: an admin should look at the receiver
    created_by: str
    created_at: str
    version: int
