"""The time-limit policy and working-time calendar in force for a district.

Policies are versioned: an edit writes a new version (the previous ones stay); a running clock
keeps the limit it started with — the version is recorded on the case — and the next clock
(a new level, a reopen) runs under the version then in force. Calendar overrides take effect
when published, and publishing recomputes the open deadlines they touch.

Both are read at most once per ``CACHE_SECONDS`` per process, table and district, so a request
pays nothing for them on a warm Lambda; publishing in this process clears the cache at once.
Reads go through ``db.time`` (``api/store/time_store.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from api.domain.time_policy import DEFAULT_POLICY, TimePolicy
from api.domain.working_time import WorkCalendar
from api.records.time import CalendarOverrideRecord
from api.store.db import Db

CACHE_SECONDS = 30.0
_cache: dict[tuple[str, str, str], tuple[float, Any]] = {}
T = TypeVar("T")


def _cached(db: Db, kind: str, district_id: str, load: Callable[[], T]) -> T:
    key = (db.settings.table_name, kind, district_id)
    hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        value: T = hit[1]
        return value
    loaded = load()
    _cache[key] = (time.monotonic(), loaded)
    return loaded


def forget(district_id: str) -> None:
    for key in [k for k in _cache if k[2] == district_id]:
        del _cache[key]


def policy_in_force(db: Db, district_id: str) -> TimePolicy:
    """The highest stored version, or the built-in default (version 1) when none is stored."""
    return _cached(
        db, "policy", district_id, lambda: db.time.latest_policy(district_id) or DEFAULT_POLICY
    )


def overrides(db: Db, district_id: str) -> dict[date, CalendarOverrideRecord]:
    return {record.day: record for record in db.time.overrides(district_id)}


def calendar_in_force(db: Db, district_id: str) -> WorkCalendar:
    def load() -> WorkCalendar:
        found = overrides(db, district_id)
        return WorkCalendar(overrides={day: record.workday for day, record in found.items()})

    return _cached(db, "calendar", district_id, load)


# TRANSITIONAL (store-boundary refactor): the case clocks (``services/case_clock.py``) ask for
# the policy and calendar without a Db. These run on the most recently built Db (the store's
# fallback) and go with it: pass the Db to ``policy_in_force`` / ``calendar_in_force``.


def load_policy(district_id: str) -> TimePolicy:
    return policy_in_force(Db.latest(), district_id)


def load_calendar(district_id: str) -> WorkCalendar:
    return calendar_in_force(Db.latest(), district_id)
