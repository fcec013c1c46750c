"""Which clock runs on a case after each change, and how it is stored.

| change | clock |
|---|---|
| ASSIGN / ESCALATE to GRID, COMMUNITY, STREET | a new RESPONSE clock at that level (reset) |
| ASSIGN / ESCALATE to DISTRICT, no departments | a new RESPONSE clock: the centre dispatches |
| ASSIGN to DISTRICT with departments | a new CLAIM clock: departments report for duty |
| ASSIGN / ESCALATE to TOP | a new RESOLVE clock for the owning leader |
| START, or the lead department's CLAIM | a new RESOLVE clock at the level (reset) |
| PAUSE / RESUME | the clock stops / continues with the hours already used (continues) |
| GRANT_EXTENSION | the limit grows by the hours requested (continues) |
| REOPEN (返工) | a new RESOLVE clock in a new cycle (reset) |
| UNPARK | a new RESOLVE clock (reset) |
| RESOLVE, REJECT, SEND_BACK, CLOSE, TICK_OFF, APPROVE_PARK, ARCHIVE | no clock |
| anything else | unchanged |

Supporting departments of a joint case keep clocks of their own, tabled in
``api.domain.task_clocks`` (they follow the same reset/continue rules per department).

A new clock's generation is one above the case's ``timer_gen``: a firing computed for an older
generation no longer matches and is dropped. A level change freezes that level's deadline and
whether it was met on the level record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from api.domain import timers
from api.domain.cases import Action, CaseState, Level, Outcome
from api.domain.clock import iso
from api.domain.time_policy import ClockUnit, TimePolicy
from api.domain.timers import CaseClock, TimerKind
from api.domain.working_time import WorkCalendar
from api.services import time_rules
from api.store.case_models import CaseItem, due_pk, due_shard, due_sk

STOPPING = frozenset(
    {
        Action.RESOLVE,
        Action.REJECT,
        Action.SEND_BACK,
        Action.CLOSE,
        Action.TICK_OFF,
        Action.APPROVE_PARK,
        Action.ARCHIVE,
    }
)


def district_of(case: CaseItem) -> str:
    return case.grid_path.strip("/").split("/")[0]


def current_policy(case: CaseItem) -> TimePolicy:
    """The policy new clocks of this case run under: the district's latest version."""
    return time_rules.load_policy(district_of(case))


def current_calendar(case: CaseItem) -> WorkCalendar:
    """Statutory holidays and 调休 from chinesecalendar, with the district's overrides."""
    return time_rules.load_calendar(district_of(case))


def clock_to_json(clock: CaseClock) -> dict[str, Any]:
    def moment(value: datetime | None) -> str | None:
        return iso(value) if value is not None else None

    return {
        "level": clock.level.value,
        "kind": clock.kind.value,
        "started_at": moment(clock.started_at),
        "due_at": moment(clock.due_at),
        "warn_at": moment(clock.warn_at),
        "warned": clock.warned,
        "generation": clock.generation,
        "cycle": clock.cycle,
        "estimated": clock.estimated,
        "paused_at": moment(clock.paused_at),
        "consumed_hours": clock.consumed_hours,
        "limit_hours": clock.limit_hours,
        "unit": clock.unit.value,
        "at_risk_fraction": clock.at_risk_fraction,
        "resumed_at": moment(clock.resumed_at),
        "consumed_estimated": clock.consumed_estimated,
        "centre": clock.centre,
    }


def clock_from_json(data: dict[str, Any]) -> CaseClock:
    def moment(key: str) -> datetime | None:
        value = data.get(key)
        return datetime.fromisoformat(value) if value else None

    started = moment("started_at")
    assert started is not None
    return CaseClock(
        level=Level(data["level"]),
        kind=TimerKind(data["kind"]),
        started_at=started,
        due_at=moment("due_at"),
        warn_at=moment("warn_at"),
        warned=bool(data["warned"]),
        generation=int(data["generation"]),
        cycle=int(data["cycle"]),
        estimated=bool(data["estimated"]),
        paused_at=moment("paused_at"),
        consumed_hours=float(data["consumed_hours"]),
        limit_hours=float(data["limit_hours"]),
        unit=ClockUnit(data["unit"]),
        at_risk_fraction=float(data["at_risk_fraction"]),
        resumed_at=moment("resumed_at"),
        consumed_estimated=bool(data.get("consumed_estimated", False)),
        centre=bool(data.get("centre", False)),
    )


def clock_of(case: CaseItem) -> CaseClock | None:
    return clock_from_json(case.clock) if case.clock else None


def next_clock(
    case: CaseItem,
    outcome: Outcome,
    now: datetime,
    extension_hours: float | None = None,
    policy: TimePolicy | None = None,
    calendar: WorkCalendar | None = None,
) -> tuple[CaseClock | None, bool]:
    """The clock after ``outcome``; and whether it changed (so the case must be rewritten)."""
    policy = policy or current_policy(case)
    calendar = calendar or current_calendar(case)
    current = clock_of(case)
    after = outcome.case
    generation = int(case.timer_gen or 0) + 1
    cycle = after.rework_count

    def start(kind: TimerKind) -> CaseClock:
        assert after.level is not None
        return timers.start_policy_clock(
            policy, calendar, after, after.level, kind, now, generation, cycle
        )

    action = outcome.action
    if action in STOPPING or (action is Action.RESOLVE_TASK and after.state is CaseState.RESOLVED):
        return None, current is not None
    if action in (Action.ASSIGN, Action.ESCALATE):
        if after.level is Level.TOP:
            return start(TimerKind.RESOLVE), True
        if after.level is Level.DISTRICT and after.tasks:
            return start(TimerKind.CLAIM), True
        return start(TimerKind.RESPONSE), True
    if action is Action.START or (
        action is Action.CLAIM and outcome.from_state is CaseState.ASSIGNED
        and after.state is CaseState.IN_PROGRESS
    ):  # fmt: skip
        return start(TimerKind.RESOLVE), True
    if action in (Action.REOPEN, Action.UNPARK):
        return start(TimerKind.RESOLVE), True
    if current is None:
        return None, False
    if action is Action.PAUSE:
        return timers.pause(current, now), True
    if action is Action.RESUME:
        return timers.resume(current, now, calendar), True
    if action is Action.GRANT_EXTENSION and extension_hours:
        return timers.extend(current, extension_hours, calendar, now), True
    return current, False


def store_clock(case: CaseItem, clock: CaseClock | None) -> None:
    """Write the clock and its entry in the sparse, sharded due index (absent when none runs)."""
    case.clock = clock_to_json(clock) if clock is not None else None
    if clock is not None:
        case.timer_gen = clock.generation
    fire_at = timers.next_fire_at(clock) if clock is not None else None
    if fire_at is None:
        case.duepk = None
        case.duesk = None
        return
    case.duepk = due_pk(due_shard(case.id))
    case.duesk = due_sk(iso(fire_at), case.id)


def freeze_level(case: CaseItem, clock: CaseClock | None, now: datetime) -> None:
    """On leaving a level: record its deadline and whether it was met."""
    levels = list(case.levels or [])
    if not levels or clock is None or clock.level.value != levels[-1].get("level"):
        return
    due = clock.due_at
    met = None if due is None else (now <= due and not case.breached)
    levels[-1] = {**levels[-1], "due_at": iso(due) if due else None, "met": met}
    case.levels = levels
