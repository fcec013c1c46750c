"""Public tracking (trackCase): by tracking number, never by the walkable code alone, and
anonymous lookups rate-limited per client address.

A signed-in caller who may read the case (the reporter — e.g. the 12345 hotline — or the
handling chain) may also track it by its plain code: access is checked, so nothing can be walked.
"""

from __future__ import annotations

from datetime import timedelta

from api.domain.clock import Clock
from api.domain.errors import DomainError, ErrorCode
from api.domain.messages import msg
from api.domain.tracking import key_matches, split_tracking_number
from api.services.actor import Actor
from api.services.cases import find_by_code, find_case
from api.store import rate_limits
from api.store.db import Db


class RateLimited(DomainError):
    code = ErrorCode.RATE_LIMITED


def find_by_tracking_number(
    db: Db, actor: Actor, clock: Clock, number: str, client_ip: str | None
) -> str | None:
    """The id of the case the number tracks; None for an unknown number or a wrong key."""
    if not actor.is_authenticated:
        _take_lookup(db, clock, client_ip)
    parts = split_tracking_number(number)
    if parts is None:
        if not actor.is_authenticated:
            return None
        by_code = find_by_code(db, number)
        readable = None if by_code is None else find_case(db, actor, by_code.id)
        return None if readable is None else readable.id
    code, key = parts
    case = find_by_code(db, code)
    if case is None or not key_matches(case.tracking_key, key):
        return None
    return case.id


def _take_lookup(db: Db, clock: Clock, client_ip: str | None) -> None:
    per_minute = db.settings.track_lookups_per_minute
    now = clock.now()
    window = now.strftime("%Y-%m-%dT%H:%M")
    expires = int((now + timedelta(minutes=10)).timestamp())
    bucket = f"TRACK#{(client_ip or 'unknown')[:64]}"
    if not rate_limits.take(db, bucket, window, per_minute, expires):
        raise RateLimited(msg("tracking.rate_limited", per_minute=per_minute), field="code")
