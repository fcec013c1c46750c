"""Admins edit the time-limit policy and publish calendar overrides (district ADMIN only).

- ``update_policy`` writes the next version (put if absent: of two admins saving at once one
  wins, the other gets CONFLICT). Running clocks keep their limits; the next clock of every
  case (new level, reopen, unpark) runs under the new version.
- ``publish_overrides`` stores or removes day overrides and recomputes every running clock
  whose next firing lies on or after the earliest day touched — found on the due index, the
  only index the timers read — each in a write conditioned on the case's version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from api.domain.clock import Clock, iso
from api.domain.deadlines.calendar import check_override_day
from api.domain.deadlines.policy import TimePolicy
from api.domain.errors import InvalidHierarchy, InvalidInput
from api.domain.messages import msg
from api.domain.org import OrgKind
from api.domain.roles import Permission
from api.domain.text import free_text
from api.records.time import CalendarOverrideRecord
from api.services.actor import Actor
from api.services.deadlines import calendar_recompute, policies
from api.store.db import Db
from api.store.time_store import CalendarChange, PolicyVersion

NOTE_MAX = 200
MAX_OVERRIDES = 60


def _district(db: Db, actor: Actor, district_id: str) -> None:
    unit = db.org_units.require(district_id, field="districtId")
    if unit.kind != OrgKind.DISTRICT:
        raise InvalidHierarchy(msg("policy.per_district"), field="districtId")
    actor.require(Permission.MANAGE_ORG, unit.path, msg("action.change_time_limits"))


def update_policy(
    db: Db, actor: Actor, clock: Clock, district_id: str, draft: TimePolicy
) -> TimePolicy:
    """Save ``draft`` (its version is ignored) as the next version."""
    _district(db, actor, district_id)
    policies.forget(district_id)
    current = policies.policy_in_force(db, district_id)
    policy = TimePolicy(
        version=current.version + 1,
        rules=draft.rules,
        default=draft.default,
        at_risk_fraction=draft.at_risk_fraction,
        claim_hours=draft.claim_hours,
        claim_unit=draft.claim_unit,
        verification_required=draft.verification_required,
        evaluation_required=draft.evaluation_required,
        evaluation_window_hours=draft.evaluation_window_hours,
        evaluation_reminder_hours=draft.evaluation_reminder_hours,
    )
    db.time.save_policy(PolicyVersion(district_id, policy, actor.person_id, iso(clock.now())))
    policies.forget(district_id)
    return policy


@dataclass(frozen=True)
class Override:
    day: date
    workday: bool
    note: str | None = None


@dataclass(frozen=True)
class Published:
    overrides: dict[date, tuple[bool, str | None]]  # day → (workday, note)
    recomputed_cases: int
    skipped_cases: int


def publish_overrides(
    db: Db,
    actor: Actor,
    clock: Clock,
    district_id: str,
    set_days: list[Override],
    remove_days: list[date],
) -> Published:
    _district(db, actor, district_id)
    if not set_days and not remove_days:
        raise InvalidInput(msg("calendar.no_days"), field="set")
    if len(set_days) + len(remove_days) > MAX_OVERRIDES:
        raise InvalidInput(msg("calendar.too_many_days", max_overrides=MAX_OVERRIDES), field="set")
    touched = [o.day for o in set_days] + remove_days
    if len(set(touched)) != len(touched):
        raise InvalidInput(msg("calendar.day_twice"), field="set")
    for override in set_days:
        check_override_day(override.day, field="set")
        if override.note is not None:
            free_text(override.note, "set", max_length=NOTE_MAX, required=False, multiline=False)
    for day in remove_days:
        check_override_day(day, field="remove")
    at = iso(clock.now())
    records = tuple(
        CalendarOverrideRecord(
            day=o.day,
            workday=o.workday,
            note=free_text(o.note or "", "set", max_length=NOTE_MAX, required=False) or None,
            set_by=actor.person_id,
            set_at=at,
        )
        for o in set_days
    )
    db.time.publish(CalendarChange(district_id, records, tuple(remove_days)))
    policies.forget(district_id)
    calendar = policies.calendar_in_force(db, district_id)
    recomputed, skipped = calendar_recompute.recompute_from(db, min(touched), calendar)
    found = policies.overrides(db, district_id)
    return Published(
        {day: (record.workday, record.note) for day, record in found.items()}, recomputed, skipped
    )
