"""Which deadline (时限) runs on a case after each change.

| change | clock |
|---|---|
| ASSIGN / ESCALATE to GRID, COMMUNITY, STREET | a new RESPONSE clock at that level (reset) |
| ASSIGN / ESCALATE to DISTRICT, no departments | a new RESPONSE clock: the centre dispatches |
| ASSIGN to DISTRICT with departments | a new CLAIM clock: departments report for duty |
| ASSIGN / ESCALATE to TOP | a new RESOLVE clock for the owning leader |
| START, or the lead department's CLAIM | a new RESOLVE clock at the level (reset) |
| PAUSE / RESUME | the clock stops / continues with the hours already used (continues) |
| GRANT_EXTENSION | the limit grows by the hours requested (continues) |
| REOPEN (返工), VERIFY failed (核查不通过) | a new RESOLVE clock in a new cycle (reset) |
| UNPARK | a new RESOLVE clock (reset) |
| RESOLVE (or the last RESOLVE_TASK), VERIFY passed | the EVALUATION window (评价期) if the |
| | policy has one and no 核查 is owed; else no clock |
| EVALUATE, REJECT, SEND_BACK, CLOSE, TICK_OFF, APPROVE_PARK, ARCHIVE | no clock |
| anything else | unchanged |

Supporting departments of a joint case keep clocks of their own, tabled in
``deadlines.department_timers`` (they follow the same reset/continue rules per department).

A new clock's generation is one above the case's ``timer_gen``: a firing computed for an older
generation no longer matches and is dropped. A level change freezes that level's deadline and
whether it was met on the level record.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from api.domain.cases import Action, CaseState, Level, Outcome
from api.domain.clock import iso
from api.domain.deadlines import timers
from api.domain.deadlines.calendar import WorkCalendar
from api.domain.deadlines.policy import TimePolicy
from api.domain.deadlines.timers import Timer, TimerKind
from api.records.case import CaseRecord
from api.services.deadlines import policies
from api.store.db import Db

STOPPING = frozenset(
    {
        Action.EVALUATE,  # the evaluation window ends with the evaluation
        Action.REJECT,
        Action.SEND_BACK,
        Action.CLOSE,
        Action.TICK_OFF,
        Action.APPROVE_PARK,
        Action.ARCHIVE,
    }
)


def current_policy(db: Db, case: CaseRecord) -> TimePolicy:
    """The policy new deadlines of this case run under: the district's latest version."""
    return policies.policy_in_force(db, case.district_id)


def current_calendar(db: Db, case: CaseRecord) -> WorkCalendar:
    """Statutory holidays and 调休 from chinesecalendar, with the district's overrides."""
    return policies.calendar_in_force(db, case.district_id)


def next_deadline(
    db: Db,
    case: CaseRecord,
    outcome: Outcome,
    now: datetime,
    extension_hours: float | None = None,
    policy: TimePolicy | None = None,
    calendar: WorkCalendar | None = None,
) -> tuple[Timer | None, bool]:
    """The deadline after ``outcome``; and whether it changed."""
    policy = policy or current_policy(db, case)
    calendar = calendar or current_calendar(db, case)
    current = case.deadline
    after = outcome.case
    generation = case.deadline_generation + 1
    cycle = after.rework_count

    def start(kind: TimerKind) -> Timer:
        assert after.level is not None
        return timers.start_policy_clock(
            policy, calendar, after, after.level, kind, now, generation, cycle
        )

    action = outcome.action
    if after.state is CaseState.RESOLVED and (
        action in (Action.RESOLVE, Action.VERIFY) or action is Action.RESOLVE_TASK
    ):
        # Closable now (核查 passed or not asked): the resident's evaluation window runs.
        window = None
        if not after.verification_pending:
            assert after.level is not None
            window = timers.start_evaluation_clock(
                policy, calendar, after.level, now, generation, cycle
            )
        return window, window is not None or current is not None
    if action in STOPPING:
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
    if action in (Action.REOPEN, Action.UNPARK) or (
        action is Action.VERIFY and after.state is CaseState.IN_PROGRESS
    ):
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


def with_deadline(case: CaseRecord, deadline: Timer | None) -> CaseRecord:
    """The case running ``deadline`` (none: stopped); the generation follows the newest."""
    generation = deadline.generation if deadline is not None else case.deadline_generation
    return replace(case, deadline=deadline, deadline_generation=generation)


def freeze_level(case: CaseRecord, deadline: Timer | None, now: datetime) -> CaseRecord:
    """On leaving a level: record its deadline and whether it was met."""
    levels = case.levels
    if not levels or deadline is None or deadline.level is not levels[-1].level:
        return case
    if deadline.kind is TimerKind.EVALUATION:
        return case  # the level's limit was frozen when the case was resolved
    due = deadline.due_at
    met = None if due is None else (now <= due and not case.breached)
    last = replace(levels[-1], due_at=iso(due) if due else None, met=met)
    return replace(case, levels=(*levels[:-1], last))
