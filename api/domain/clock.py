"""Injected time. Domain and services never read the wall clock directly; tests travel in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC).astimezone(SHANGHAI)


class FixedClock:
    """A clock that stands still until moved; for tests and for one-off sweeps at a given time."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta


def iso(moment: datetime) -> str:
    """ISO-8601 with offset, in Shanghai time, to the millisecond."""
    return moment.astimezone(SHANGHAI).isoformat(timespec="milliseconds")
