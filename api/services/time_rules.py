"""The time-limit policy and working-time calendar in force for a district.

Policies are versioned: an edit writes a new version (the previous ones stay); a running clock
keeps the limit it started with — the version is recorded on the case — and the next clock
(a new level, a reopen) runs under the version then in force. Calendar overrides take effect
when published, and publishing recomputes the open deadlines they touch.

Both are read at most once per ``CACHE_SECONDS`` per process and district, so a request pays
nothing for them on a warm Lambda; publishing in this process clears the cache at once.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from api.domain.cases import HandlingMode, Level
from api.domain.time_policy import ANY, DEFAULT_POLICY, ClockUnit, Limit, RuleKey, TimePolicy
from api.domain.working_time import WorkCalendar
from api.store.binding import current_table
from api.store.case_models import CalendarOverrideItem, TimePolicyItem

CACHE_SECONDS = 30.0
_cache: dict[tuple[str, str, str], tuple[float, Any]] = {}


def _cached(kind: str, district_id: str, load: Any) -> Any:
    # The table of the Db running the call (Item.Meta.table_name is a placeholder since the
    # store binds tables per call): policies of two tables must not share an entry.
    key = (current_table().table_name, kind, district_id)
    hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = load()
    _cache[key] = (time.monotonic(), value)
    return value


def forget(district_id: str) -> None:
    for key in [k for k in _cache if k[2] == district_id]:
        del _cache[key]


def policy_to_json(policy: TimePolicy) -> dict[str, Any]:
    def limit(value: Limit) -> dict[str, Any]:
        return {
            "response": value.response_hours,
            "resolve": value.resolve_hours,
            "unit": value.unit.value,
        }

    return {
        "version": policy.version,
        "at_risk_fraction": policy.at_risk_fraction,
        "claim_hours": policy.claim_hours,
        "claim_unit": policy.claim_unit.value,
        "default": {level.value: limit(value) for level, value in policy.default.items()},
        "rules": [
            {"category": c, "mode": str(m), "level": lv.value, **limit(value)}
            for (c, m, lv), value in policy.rules.items()
        ],
    }


def policy_from_json(data: dict[str, Any]) -> TimePolicy:
    def limit(value: dict[str, Any]) -> Limit:
        return Limit(float(value["response"]), float(value["resolve"]), ClockUnit(value["unit"]))

    rules: dict[RuleKey, Limit] = {}
    for rule in data["rules"]:
        level = Level(rule["level"])
        key: RuleKey = (
            (rule["category"], ANY, level)
            if rule["mode"] == ANY
            else (rule["category"], HandlingMode(rule["mode"]), level)
        )
        rules[key] = limit(rule)
    return TimePolicy(
        version=int(data["version"]),
        rules=rules,
        default={Level(level): limit(value) for level, value in data["default"].items()},
        at_risk_fraction=float(data["at_risk_fraction"]),
        claim_hours=float(data["claim_hours"]),
        claim_unit=ClockUnit(data["claim_unit"]),
    )


def load_policy(district_id: str) -> TimePolicy:
    """The highest stored version, or the built-in default (version 1) when none is stored."""

    def load() -> TimePolicy:
        for item in TimePolicyItem.query(
            f"POLICY#{district_id}",
            TimePolicyItem.sk.startswith("V#"),
            scan_index_forward=False,
            limit=1,
            consistent_read=True,
        ):
            return policy_from_json(item.policy)
        return DEFAULT_POLICY

    policy: TimePolicy = _cached("policy", district_id, load)
    return policy


def load_overrides(district_id: str) -> dict[date, tuple[bool, str | None]]:
    return {
        date.fromisoformat(item.day): (bool(item.workday), item.note)
        for item in CalendarOverrideItem.query(f"CALENDAR#{district_id}", consistent_read=True)
    }


def load_calendar(district_id: str) -> WorkCalendar:
    def load() -> WorkCalendar:
        overrides = load_overrides(district_id)
        return WorkCalendar(overrides={day: workday for day, (workday, _) in overrides.items()})

    calendar: WorkCalendar = _cached("calendar", district_id, load)
    return calendar
