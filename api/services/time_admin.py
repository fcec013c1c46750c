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
from datetime import date, datetime, timedelta

from pynamodb.exceptions import DoesNotExist

from api.domain import timers
from api.domain.clock import SHANGHAI, Clock, iso
from api.domain.errors import Conflict, InvalidHierarchy, InvalidInput
from api.domain.org import OrgKind
from api.domain.roles import Permission
from api.domain.text import free_text
from api.domain.time_policy import TimePolicy
from api.domain.working_time import WorkCalendar, check_override_day
from api.services import case_clock, org_units, time_rules
from api.services.actor import Actor
from api.store.case_models import (
    DUE_SHARDS,
    CalendarOverrideItem,
    TimePolicyItem,
    calendar_key,
    policy_key,
)
from api.store.case_store import due_entries, get_case
from api.store.db import Db

NOTE_MAX = 200
MAX_OVERRIDES = 60


def _district(actor: Actor, district_id: str) -> None:
    unit = org_units.require_unit(district_id, field="districtId")
    if unit.kind != OrgKind.DISTRICT.value:
        raise InvalidHierarchy("Time limits are set per district", field="districtId")
    actor.require(Permission.MANAGE_ORG, unit.path, "change time limits or the calendar")


def update_policy(
    db: Db, actor: Actor, clock: Clock, district_id: str, draft: TimePolicy
) -> TimePolicy:
    """Save ``draft`` (its version is ignored) as the next version."""
    _district(actor, district_id)
    time_rules.forget(district_id)
    current = time_rules.load_policy(district_id)
    policy = TimePolicy(
        version=current.version + 1,
        rules=draft.rules,
        default=draft.default,
        at_risk_fraction=draft.at_risk_fraction,
        claim_hours=draft.claim_hours,
        claim_unit=draft.claim_unit,
    )
    pk, sk = policy_key(district_id, policy.version)
    item = TimePolicyItem(
        pk,
        sk,
        version_number=policy.version,
        policy=time_rules.policy_to_json(policy),
        created_by=actor.person_id,
        created_at=iso(clock.now()),
    )
    with db.transaction("Someone else saved a new policy version at the same time") as tx:
        tx.save(item, condition=TimePolicyItem.sk.does_not_exist())
    time_rules.forget(district_id)
    return policy


@dataclass(frozen=True)
class Override:
    day: date
    workday: bool
    note: str | None = None


@dataclass(frozen=True)
class Published:
    overrides: dict[date, tuple[bool, str | None]]
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
    _district(actor, district_id)
    if not set_days and not remove_days:
        raise InvalidInput("Give days to set or to remove", field="set")
    if len(set_days) + len(remove_days) > MAX_OVERRIDES:
        raise InvalidInput(f"At most {MAX_OVERRIDES} days at once", field="set")
    touched = [o.day for o in set_days] + remove_days
    if len(set(touched)) != len(touched):
        raise InvalidInput("A day is given twice", field="set")
    for override in set_days:
        check_override_day(override.day, field="set")
        if override.note is not None:
            free_text(override.note, "set", max_length=NOTE_MAX, required=False, multiline=False)
    for day in remove_days:
        check_override_day(day, field="remove")
    at = iso(clock.now())
    with db.transaction("The calendar changed at the same time; publish again") as tx:
        for override in set_days:
            pk, sk = calendar_key(district_id, override.day.isoformat())
            item = CalendarOverrideItem(
                pk,
                sk,
                day=override.day.isoformat(),
                workday=override.workday,
                note=free_text(override.note or "", "set", max_length=NOTE_MAX, required=False)
                or None,
                set_by=actor.person_id,
                set_at=at,
            )
            tx.update(
                item,
                actions=[
                    CalendarOverrideItem.type.set(CalendarOverrideItem),
                    CalendarOverrideItem.day.set(item.day),
                    CalendarOverrideItem.workday.set(override.workday),
                    CalendarOverrideItem.note.set(item.note)
                    if item.note
                    else CalendarOverrideItem.note.remove(),
                    CalendarOverrideItem.set_by.set(actor.person_id or ""),
                    CalendarOverrideItem.set_at.set(at),
                ],
                add_version_condition=False,
            )
        for day in remove_days:
            pk, sk = calendar_key(district_id, day.isoformat())
            try:
                existing = CalendarOverrideItem.get(pk, sk, consistent_read=True)
            except DoesNotExist:
                continue
            tx.delete(existing)
    time_rules.forget(district_id)
    calendar = time_rules.load_calendar(district_id)
    recomputed, skipped = _recompute_from(db, min(touched), calendar)
    return Published(time_rules.load_overrides(district_id), recomputed, skipped)


# The due index holds a clock's next firing, which is its warning (at 80 % of the limit) until
# it has warned; its deadline can lie a fifth of the limit later. No limit of a policy spans
# anywhere near this margin between warning and deadline.
WARNING_MARGIN = timedelta(days=60)


def _recompute_from(db: Db, first_day: date, calendar: WorkCalendar) -> tuple[int, int]:
    """Recompute running clocks whose deadline is on or after ``first_day``: a clock due
    earlier has not reached the changed day."""
    start_of_day = datetime.combine(first_day, datetime.min.time(), tzinfo=SHANGHAI)
    lower = iso(start_of_day - WARNING_MARGIN)
    recomputed = skipped = 0
    for shard in range(DUE_SHARDS):
        for case_id in due_entries(shard, "\uffff", 10_000, lower=lower):
            case = get_case(case_id, consistent=True)
            if case is None or not case.clock:
                continue
            clock = case_clock.clock_from_json(case.clock)
            if clock.due_at is not None and clock.due_at < start_of_day:
                continue
            moved = timers.recompute(clock, calendar)
            if moved is clock:
                continue
            case_clock.store_clock(case, moved)
            try:
                with db.transaction() as tx:
                    tx.save(case)  # conditioned on the version read: a concurrent change wins
                recomputed += 1
            except Conflict:
                skipped += 1  # the case changed meanwhile; its new clock used the new calendar
    return recomputed, skipped
