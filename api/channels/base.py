"""The one interface of every channel, and the outcome of an attempt."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from api.domain.notify import AnnouncementKind, Channel, backoff_seconds


class Verdict(StrEnum):
    SENT = "SENT"
    TRANSIENT = "TRANSIENT"  # worth another attempt later (time-out, 5xx, throttled, busy)
    FINAL = "FINAL"  # refused for good (no consent, bad number, field too long…)


@dataclass(frozen=True, slots=True)
class Attempt:
    verdict: Verdict
    code: str  # provider's code or HTTP status, recorded on the delivery
    detail: str = ""


@dataclass(frozen=True, slots=True)
class PersonMessage:
    """What a person is told, whatever the channel."""

    source_id: str  # the announcement's id: the provider-side idempotency key where there is one
    person_id: str
    kind: AnnouncementKind
    title: str
    message: str
    at: str
    level: str | None = None
    case_id: str | None = None
    topic_id: str | None = None
    openid: str | None = None
    phone: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class PersonChannel(Protocol):
    channel: Channel

    def send(self, message: PersonMessage) -> Attempt: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempts within one invocation: exponential backoff with full jitter."""

    attempts: int = 3
    base_seconds: float = 0.2
    cap_seconds: float = 2.0


def with_retries(
    call: Callable[[], Attempt],
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[], float] = random.random,
) -> tuple[Attempt, int]:
    """Call until sent or final, at most ``policy.attempts`` times; return the last attempt
    and how many were made."""
    attempt = call()
    made = 1
    while attempt.verdict is Verdict.TRANSIENT and made < policy.attempts:
        sleep(backoff_seconds(made, policy.base_seconds, policy.cap_seconds, jitter()))
        attempt = call()
        made += 1
    return attempt, made
