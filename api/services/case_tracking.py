"""Public tracking (trackCase): by tracking number, never by the walkable code alone, and
anonymous lookups rate-limited per client address."""

from __future__ import annotations

from datetime import timedelta

from api.domain.clock import Clock
from api.domain.errors import DomainError, ErrorCode
from api.domain.tracking import key_matches, split_tracking_number
from api.services.cases import find_by_code
from api.store import rate_limits
from api.store.case_models import CaseItem


class RateLimited(DomainError):
    code = ErrorCode.RATE_LIMITED


def find_by_tracking_number(
    number: str, clock: Clock, client_ip: str | None, anonymous: bool, per_minute: int
) -> CaseItem | None:
    if anonymous:
        _take_lookup(clock, client_ip, per_minute)
    parts = split_tracking_number(number)
    if parts is None:
        return None
    code, key = parts
    case = find_by_code(code)
    if case is None or not key_matches(case.tracking_key, key):
        return None
    return case


def _take_lookup(clock: Clock, client_ip: str | None, per_minute: int) -> None:
    now = clock.now()
    window = now.strftime("%Y-%m-%dT%H:%M")
    expires = int((now + timedelta(minutes=10)).timestamp())
    bucket = f"TRACK#{(client_ip or 'unknown')[:64]}"
    if not rate_limits.take(bucket, window, per_minute, expires):
        raise RateLimited(f"查询过于频繁：每分钟最多 {per_minute} 次，请稍后再试", field="code")
