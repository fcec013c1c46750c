"""Case clocks as data, and what happens when one fires — step-function style, pure.

A clock runs at a level, of a kind (CLAIM at DISTRICT, RESPONSE = sign for, RESOLVE); a case
has one at a time (a joint case may keep one per department task). Its ``due_at`` and
``warn_at`` (临期预警, at a fraction of the limit) are data; every change that moves them
returns a clock with ``generation + 1`` so a sweeper's conditional write (``timer_gen`` still
matches) rejects stale firings.

The sweeper asks ``due_event(clock, now)`` and, when something is due, ``fire(StepInput)``: the
``STEPS`` table, one handler per (level, event), says whether to escalate, which notices to send
and what the next clock is. ``StepResult.event_id`` is the exactly-once key of the firing.

Escalation clocks start at the breached clock's ``due_at`` (when the escalation was due), not at
the firing time, so the record does not depend on sweeper lag and late timers after an outage
catch up one level per firing.

Time is measured in the clock's unit. A clock runs in segments: the current one began at
``segment_start`` (``resumed_at`` after a pause, else ``started_at``), and ``consumed_hours`` were
used in earlier segments, so ``due_at = segment_start + (limit − consumed)``. ``pause`` ends the
segment at ``paused_at`` (no ``due_at``; a paused clock never fires); ``resume`` adds the
segment's hours to ``consumed_hours`` — measured then, with the calendar in force, so an override
published during the pause counts — and starts a new segment. A clock paused after its limit
resumes already due: it breaches at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from api.domain.cases import Case, CaseState, Level
from api.domain.clock import iso
from api.domain.deadlines.calendar import (
    Deadline,
    WorkCalendar,
    add_natural_hours,
    natural_hours_between,
    to_shanghai,
)
from api.domain.deadlines.policy import HourUnit, TimePolicy
from api.domain.messages import Message, msg


class TimerKind(StrEnum):
    CLAIM = "CLAIM"  # DISTRICT: departments claim (报到) / the governance centre dispatches
    RESPONSE = "RESPONSE"  # 签收: the unit signs for the case
    RESOLVE = "RESOLVE"  # 办结
    # 评价期: a RESOLVED case waits for the reporter's evaluation; the warning point is the
    # reminder, the end closes the case as not evaluated (README "Closing").
    EVALUATION = "EVALUATION"


class TimerEvent(StrEnum):
    AT_RISK = "AT_RISK"  # 临期: the warning fraction of the limit has elapsed
    BREACH = "BREACH"  # 超时: the limit has elapsed


class NoticeKind(StrEnum):
    AT_RISK_WARNING = "AT_RISK_WARNING"  # 临期预警
    SUPERVISION = "SUPERVISION"  # 督办
    ESCALATED = "ESCALATED"  # 吹哨上报: the case reached a higher level
    UNCLAIMED_TO_CENTRE = "UNCLAIMED_TO_CENTRE"  # 无人认领, 转区治理推进中心
    PAIN_POINT = "PAIN_POINT"  # 列入难点问题库 (顶格调度)
    NO_LEADER = "NO_LEADER"  # 无包案区领导: the district has no LEADER to take the case
    EVALUATION_REMINDER = "EVALUATION_REMINDER"  # 评价提醒: to the reporter, before the window ends


LEVEL_NAMES: dict[Level, Message] = {
    Level.GRID: msg("level.grid"),
    Level.COMMUNITY: msg("level.community"),
    Level.STREET: msg("level.street"),
    Level.DISTRICT: msg("level.district"),
    Level.TOP: msg("level.top"),
}
KIND_NAMES: dict[TimerKind, Message] = {
    TimerKind.CLAIM: msg("timer.kind_claim"),
    TimerKind.RESPONSE: msg("timer.kind_response"),
    TimerKind.RESOLVE: msg("timer.kind_resolve"),
    TimerKind.EVALUATION: msg("timer.kind_evaluation"),
}

# Case states in which a clock runs; elsewhere a firing is stale.
ACTIVE_STATES = frozenset({CaseState.ASSIGNED, CaseState.IN_PROGRESS})


class TimerError(ValueError):
    """A firing that must not take effect."""


class NotDue(TimerError):
    """Nothing is due on this clock at this time (paused, or not yet at warn/due)."""


class StaleClock(TimerError):
    """The clock no longer matches the case (another level, or the case is not active)."""


@dataclass(frozen=True)
class Timer:
    level: Level
    kind: TimerKind
    started_at: datetime
    due_at: datetime | None  # None while paused
    warn_at: datetime | None  # None while paused
    warned: bool
    generation: int
    cycle: int  # the case's rework count: a reopen starts a new cycle
    estimated: bool  # computed over a year the calendar does not know; recompute later
    paused_at: datetime | None
    consumed_hours: float  # used in segments before segment_start (in the clock's unit)
    limit_hours: float
    unit: HourUnit
    at_risk_fraction: float = 0.8
    resumed_at: datetime | None = None  # start of the running segment after a pause
    consumed_estimated: bool = False  # consumed_hours were measured over an unknown year
    centre: bool = False  # CLAIM clock handed to the governance centre (推进中心)

    def __post_init__(self) -> None:
        for name in ("started_at", "due_at", "warn_at", "paused_at", "resumed_at"):
            value: datetime | None = getattr(self, name)
            if value is not None:
                to_shanghai(value, name)
        if not (math.isfinite(self.limit_hours) and self.limit_hours > 0):
            raise ValueError("limit_hours must be positive")
        if not (math.isfinite(self.consumed_hours) and self.consumed_hours >= 0):
            raise ValueError("consumed_hours must not be negative")
        if not 0 < self.at_risk_fraction < 1:
            raise ValueError("at_risk_fraction must be between 0 and 1")
        if self.kind is TimerKind.CLAIM and self.level is not Level.DISTRICT:
            raise ValueError("Only DISTRICT has a CLAIM clock")
        if self.centre and self.kind is not TimerKind.CLAIM:
            raise ValueError("Only a CLAIM clock is handed to the governance centre")
        if self.paused_at is None and (self.due_at is None or self.warn_at is None):
            raise ValueError("A running clock needs due_at and warn_at")
        if self.paused_at is not None and (self.due_at is not None or self.warn_at is not None):
            raise ValueError("A paused clock has no due_at or warn_at")

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    @property
    def segment_start(self) -> datetime:
        """When the current (or, while paused, the last) running segment began."""
        return self.resumed_at or self.started_at

    @property
    def remaining_hours(self) -> float:
        """Hours left when the current segment began."""
        return max(0.0, self.limit_hours - self.consumed_hours)


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    level: Level  # whom it is for: the handling unit at that level (TOP: the leader)
    message: Message  # stored language-neutral (``messages.encode``)
    to_reporter: bool = False  # for the case's reporter instead (评价提醒)


@dataclass(frozen=True)
class StepResult:
    event: TimerEvent
    escalate_to: Level | None  # the caller applies cases.Escalate with the next assignee
    notices: tuple[Notice, ...]
    next_clock: Timer | None  # None: no clock runs any more (TOP breached)
    breached: bool  # freeze on the level record: the limit was missed
    event_id: str  # exactly-once key of this firing
    close_not_evaluated: bool = False  # the evaluation window ended: close the case (结案)


@dataclass(frozen=True)
class StepInput:
    case_id: str
    case: Case
    clock: Timer
    now: datetime
    policy: TimePolicy
    calendar: WorkCalendar
    code: str | None = None  # the tracking code notices name (the id when not given)
    # Whether the district has a leader to own the case at TOP (包案); asked only at DISTRICT.
    has_leader: bool = True

    @property
    def label(self) -> str:
        return self.code or self.case_id


# Clock arithmetic ---------------------------------------------------------------------------


def _add(calendar: WorkCalendar, unit: HourUnit, start: datetime, hours: float) -> Deadline:
    if unit is HourUnit.NATURAL:
        return add_natural_hours(start, hours)
    return calendar.add_working_hours(start, hours)


def _measure(
    calendar: WorkCalendar, unit: HourUnit, a: datetime, b: datetime
) -> tuple[float, bool]:
    if unit is HourUnit.NATURAL:
        return natural_hours_between(a, b), False
    elapsed = calendar.working_time_between(a, b)
    return elapsed.hours, elapsed.estimated


def _schedule(clock: Timer, since: datetime, calendar: WorkCalendar) -> Timer:
    """``clock`` running from ``since`` with its consumed hours: due and warn recomputed."""
    due = _add(calendar, clock.unit, since, clock.remaining_hours)
    warn_left = max(0.0, clock.limit_hours * clock.at_risk_fraction - clock.consumed_hours)
    warn = _add(calendar, clock.unit, since, min(warn_left, clock.remaining_hours))
    return replace(
        clock,
        due_at=due.due_at,
        warn_at=warn.due_at,
        estimated=due.estimated or warn.estimated or clock.consumed_estimated,
    )


def start_clock(
    level: Level,
    kind: TimerKind,
    now: datetime,
    limit_hours: float,
    unit: HourUnit,
    calendar: WorkCalendar,
    at_risk_fraction: float = 0.8,
    generation: int = 0,
    cycle: int = 0,
    *,
    centre: bool = False,
) -> Timer:
    """A clock starting at ``now``; ``warn_at`` at ``at_risk_fraction`` of the limit, measured
    in the same unit. ``generation`` is the case's next timer generation, ``cycle`` its rework
    count."""
    start = to_shanghai(now, "now")
    clock = Timer(  # validates; due and warn are set by _schedule
        level=level,
        kind=kind,
        started_at=start,
        due_at=start,
        warn_at=start,
        warned=False,
        generation=generation,
        cycle=cycle,
        estimated=False,
        paused_at=None,
        consumed_hours=0.0,
        limit_hours=limit_hours,
        unit=unit,
        at_risk_fraction=at_risk_fraction,
        centre=centre,
    )
    return _schedule(clock, start, calendar)


def start_policy_clock(
    policy: TimePolicy,
    calendar: WorkCalendar,
    case: Case,
    level: Level,
    kind: TimerKind,
    now: datetime,
    generation: int = 0,
    cycle: int = 0,
    *,
    centre: bool = False,
) -> Timer:
    """A clock whose limit comes from the policy: CLAIM → ``policy.claim_hours``; RESPONSE and
    RESOLVE → ``policy.limit_for(case.category, case.mode, level)``."""
    if kind is TimerKind.CLAIM:
        hours, unit = policy.claim_hours, policy.claim_unit
    else:
        limit = policy.limit_for(case.category, case.mode, level)
        hours = limit.response_hours if kind is TimerKind.RESPONSE else limit.resolve_hours
        unit = limit.unit
    return start_clock(
        level, kind, now, hours, unit, calendar, policy.at_risk_fraction, generation, cycle,
        centre=centre,
    )  # fmt: skip


def start_evaluation_clock(
    policy: TimePolicy,
    calendar: WorkCalendar,
    level: Level,
    now: datetime,
    generation: int = 0,
    cycle: int = 0,
) -> Timer | None:
    """The evaluation window (评价期) of a case that became closable at ``now``, in natural
    hours, its warning point at the reminder (``window − reminder``); None when the policy has
    no window."""
    window = policy.evaluation_window_hours
    if window is None:
        return None
    fraction = (window - policy.evaluation_reminder_hours) / window
    return start_clock(
        level, TimerKind.EVALUATION, now, window, HourUnit.NATURAL, calendar, fraction,
        generation, cycle,
    )  # fmt: skip


def pause(clock: Timer, now: datetime) -> Timer:
    """Stop the clock (waiting on the resident): no due while paused, never fires. The hours of
    the segment ending now are added to ``consumed_hours`` on ``resume``."""
    if clock.paused:
        raise TimerError("The clock is already paused")
    at = to_shanghai(now, "now")
    if at < clock.segment_start:
        raise TimerError("Cannot pause a clock before its segment started")
    return replace(clock, paused_at=at, due_at=None, warn_at=None, generation=clock.generation + 1)


def resume(clock: Timer, now: datetime, calendar: WorkCalendar) -> Timer:
    """Continue a paused clock: the paused segment's hours join ``consumed_hours`` (the pause
    itself does not count) and the remaining ``limit − consumed`` runs from now. Consumed ≥
    limit gives ``due_at = now``: it breaches at once. A warning is owed again only if the
    warning point is still ahead (e.g. the limit was extended during the pause)."""
    if clock.paused_at is None:
        raise TimerError("The clock is not paused")
    at = to_shanghai(now, "now")
    if at < clock.paused_at:
        raise TimerError("Cannot resume a clock before it was paused")
    hours, estimated = _measure(calendar, clock.unit, clock.segment_start, clock.paused_at)
    resumed = replace(
        clock,
        paused_at=None,
        resumed_at=at,
        consumed_hours=clock.consumed_hours + hours,
        consumed_estimated=clock.consumed_estimated or estimated,
        generation=clock.generation + 1,
        # placeholders, set by _schedule
        due_at=at,
        warn_at=at,
    )
    scheduled = _schedule(resumed, at, calendar)
    assert scheduled.warn_at is not None
    return replace(scheduled, warned=clock.warned and not scheduled.warn_at > at)


def extend(
    clock: Timer, hours: float, calendar: WorkCalendar, now: datetime | None = None
) -> Timer:
    """Grant an extension of ``hours`` in the clock's unit: the limit grows, due and warn are
    pushed (warn at the same fraction of the new limit). With ``now``, ``warned`` is reset when
    the new ``warn_at`` is still ahead of now; without it, when ``warn_at`` moved later. A paused
    clock just gets the longer limit (``resume`` settles the warning)."""
    if not (math.isfinite(hours) and hours > 0):
        raise ValueError("An extension is a positive number of hours")
    longer = replace(clock, limit_hours=clock.limit_hours + hours, generation=clock.generation + 1)
    if clock.paused:
        return longer
    scheduled = _schedule(longer, clock.segment_start, calendar)
    assert scheduled.warn_at is not None and clock.warn_at is not None
    if now is None:
        ahead = scheduled.warn_at > clock.warn_at
    else:
        ahead = scheduled.warn_at > to_shanghai(now, "now")
    return replace(scheduled, warned=clock.warned and not ahead)


def recompute(clock: Timer, calendar: WorkCalendar) -> Timer:
    """Due and warn again from the same segment start and consumed hours, with a newly
    published calendar (an override, or the package's data for a year that was estimated).
    Returns ``clock`` itself when nothing moved, so callers can skip the write; otherwise
    ``generation + 1``. A paused clock has nothing to recompute (``resume`` measures)."""
    if clock.paused:
        return clock
    scheduled = _schedule(clock, clock.segment_start, calendar)
    if (scheduled.due_at, scheduled.warn_at, scheduled.estimated) == (
        clock.due_at,
        clock.warn_at,
        clock.estimated,
    ):
        return clock
    return replace(scheduled, generation=clock.generation + 1)


def used_hours(clock: Timer, now: datetime, calendar: WorkCalendar) -> float:
    """Hours of the limit used by ``now`` (up to the pause while paused), in the clock's unit."""
    end = clock.paused_at or to_shanghai(now, "now")
    hours, _ = _measure(calendar, clock.unit, clock.segment_start, end)
    return clock.consumed_hours + hours


def due_event(clock: Timer, now: datetime) -> TimerEvent | None:
    """BREACH once ``now ≥ due_at``; AT_RISK once ``now ≥ warn_at`` if not yet warned; nothing
    while paused."""
    if clock.due_at is None or clock.warn_at is None:
        return None
    at = to_shanghai(now, "now")
    if at >= clock.due_at:
        return TimerEvent.BREACH
    if not clock.warned and at >= clock.warn_at:
        return TimerEvent.AT_RISK
    return None


def next_fire_at(clock: Timer) -> datetime | None:
    """When the sweeper should look at this clock next; None while paused."""
    if clock.paused:
        return None
    return clock.due_at if clock.warned else clock.warn_at


# Steps --------------------------------------------------------------------------------------


def event_id(case_id: str, clock: Timer, event: TimerEvent) -> str:
    """The exactly-once key of a firing: ``case:cycle:level:event``, then the clock's kind and
    generation, because one level sees several clocks in a cycle (RESPONSE then RESOLVE, the
    centre's CLAIM after the departments', a new warning after an extension)."""
    return f"{case_id}:{clock.cycle}:{clock.level}:{event}:{clock.kind}:{clock.generation}"


def _due(clock: Timer) -> datetime:
    assert clock.due_at is not None, "a paused clock never fires"
    return clock.due_at


def _result(
    inp: StepInput,
    event: TimerEvent,
    notices: tuple[Notice, ...],
    next_clock: Timer | None,
    escalate_to: Level | None = None,
) -> StepResult:
    return StepResult(
        event=event,
        escalate_to=escalate_to,
        notices=notices,
        next_clock=next_clock,
        breached=event is TimerEvent.BREACH,
        event_id=event_id(inp.case_id, inp.clock, event),
    )


def _supervision(inp: StepInput) -> Notice:
    clock = inp.clock
    return Notice(
        NoticeKind.SUPERVISION,
        clock.level,
        msg(
            "timer.supervision",
            case=inp.label,
            level=LEVEL_NAMES[clock.level],
            kind=KIND_NAMES[clock.kind],
            due=iso(_due(clock)),
        ),
    )


def _escalated(inp: StepInput, to: Level) -> Notice:
    return Notice(
        NoticeKind.ESCALATED,
        to,
        msg(
            "timer.escalated",
            case=inp.label,
            level=LEVEL_NAMES[inp.clock.level],
            to=LEVEL_NAMES[to],
        ),
    )


def _warn(inp: StepInput) -> StepResult:
    """AT_RISK at any level: warn the handling unit; the same clock, marked warned."""
    clock = inp.clock
    notice = Notice(
        NoticeKind.AT_RISK_WARNING,
        clock.level,
        msg("timer.at_risk", case=inp.label, kind=KIND_NAMES[clock.kind], due=iso(_due(clock))),
    )
    warned = replace(clock, warned=True, generation=clock.generation + 1)
    return _result(inp, TimerEvent.AT_RISK, (notice,), warned)


def _escalate(inp: StepInput) -> StepResult:
    """BREACH at GRID, COMMUNITY or STREET: 吹哨 one level up, with a RESPONSE clock there."""
    clock = inp.clock
    to = clock.level.next
    assert to is not None
    next_clock = start_policy_clock(
        inp.policy, inp.calendar, inp.case, to, TimerKind.RESPONSE, _due(clock),
        clock.generation + 1, clock.cycle,
    )  # fmt: skip
    notices = (_supervision(inp), _escalated(inp, to))
    return _result(inp, TimerEvent.BREACH, notices, next_clock, escalate_to=to)


# How long a case waits at DISTRICT for a leader to be granted before the next attempt.
LEADER_RETRY_HOURS = 1.0


def _await_leader(inp: StepInput) -> StepResult:
    """顶格调度 is due but the district has no LEADER: the case cannot be owned at TOP. It stays
    breached at DISTRICT, the governance centre is told to grant the role, and the same step is
    tried again an hour later (not every sweep)."""
    clock = inp.clock
    retry_at = add_natural_hours(to_shanghai(inp.now, "now"), LEADER_RETRY_HOURS).due_at
    waiting = replace(
        clock, due_at=retry_at, warn_at=retry_at, warned=True, generation=clock.generation + 1
    )
    no_leader = Notice(
        NoticeKind.NO_LEADER,
        Level.DISTRICT,
        msg("timer.no_leader", case=inp.label),
    )
    return _result(inp, TimerEvent.BREACH, (_supervision(inp), no_leader), waiting)


def _to_top(inp: StepInput) -> StepResult:
    clock = inp.clock
    if not inp.has_leader:
        return _await_leader(inp)
    next_clock = start_policy_clock(
        inp.policy, inp.calendar, inp.case, Level.TOP, TimerKind.RESOLVE, _due(clock),
        clock.generation + 1, clock.cycle,
    )  # fmt: skip
    pain_point = Notice(
        NoticeKind.PAIN_POINT,
        Level.TOP,
        msg("timer.pain_point", case=inp.label),
    )
    notices = (_supervision(inp), _escalated(inp, Level.TOP), pain_point)
    return _result(inp, TimerEvent.BREACH, notices, next_clock, escalate_to=Level.TOP)


def _district_breach(inp: StepInput) -> StepResult:
    """BREACH at DISTRICT. Unclaimed by departments (CLAIM): the governance centre is told and
    gets a CLAIM clock of its own to dispatch — no escalation yet. The centre's CLAIM clock, or a
    RESPONSE/RESOLVE clock, breached: 顶格调度 (TOP, RESOLVE clock, pain-point library)."""
    clock = inp.clock
    if clock.kind is TimerKind.CLAIM and not clock.centre:
        next_clock = start_policy_clock(
            inp.policy, inp.calendar, inp.case, Level.DISTRICT, TimerKind.CLAIM, _due(clock),
            clock.generation + 1, clock.cycle, centre=True,
        )  # fmt: skip
        notice = Notice(
            NoticeKind.UNCLAIMED_TO_CENTRE,
            Level.DISTRICT,
            msg("timer.unclaimed", case=inp.label),
        )
        return _result(inp, TimerEvent.BREACH, (notice,), next_clock)
    return _to_top(inp)


def _top_breach(inp: StepInput) -> StepResult:
    """BREACH at TOP: supervision, nowhere higher to go; no clock runs any more."""
    return _result(inp, TimerEvent.BREACH, (_supervision(inp),), None)


STEPS: dict[tuple[Level, TimerEvent], Callable[[StepInput], StepResult]] = {
    (Level.GRID, TimerEvent.AT_RISK): _warn,
    (Level.GRID, TimerEvent.BREACH): _escalate,
    (Level.COMMUNITY, TimerEvent.AT_RISK): _warn,
    (Level.COMMUNITY, TimerEvent.BREACH): _escalate,
    (Level.STREET, TimerEvent.AT_RISK): _warn,
    (Level.STREET, TimerEvent.BREACH): _escalate,
    (Level.DISTRICT, TimerEvent.AT_RISK): _warn,
    (Level.DISTRICT, TimerEvent.BREACH): _district_breach,
    (Level.TOP, TimerEvent.AT_RISK): _warn,
    (Level.TOP, TimerEvent.BREACH): _top_breach,
}


def _evaluation_step(inp: StepInput) -> StepResult:
    """The evaluation window of a RESOLVED case (verified if the policy asks): at the warning
    point remind the reporter (评价提醒); at its end close the case as not evaluated."""
    case, clock = inp.case, inp.clock
    if case.state is not CaseState.RESOLVED or case.verification_pending:
        raise StaleClock(f"No evaluation window runs in state {case.state.value}")
    event = due_event(clock, inp.now)
    if event is None:
        raise NotDue(f"Nothing is due at {iso(inp.now)}")
    if event is TimerEvent.AT_RISK:
        notice = Notice(
            NoticeKind.EVALUATION_REMINDER,
            clock.level,
            msg("timer.evaluation_reminder", label=inp.label, due=iso(_due(clock))),
            to_reporter=True,
        )
        warned = replace(clock, warned=True, generation=clock.generation + 1)
        return _result(inp, TimerEvent.AT_RISK, (notice,), warned)
    return StepResult(
        event=TimerEvent.BREACH,
        escalate_to=None,
        notices=(),
        next_clock=None,
        breached=False,  # the resident's silence is no handler's missed limit
        event_id=event_id(inp.case_id, clock, TimerEvent.BREACH),
        close_not_evaluated=True,
    )


def fire(inp: StepInput) -> StepResult:
    """What a firing does: ``NotDue`` when nothing is due (paused, early), ``StaleClock`` when
    the clock is not the case's (another level, or the case no longer assigned/in progress)."""
    if inp.clock.kind is TimerKind.EVALUATION:
        return _evaluation_step(inp)
    if inp.case.state not in ACTIVE_STATES:
        raise StaleClock(f"No clock runs in state {inp.case.state.value}")
    if inp.case.level is not inp.clock.level:
        level = inp.case.level.value if inp.case.level else "none"
        raise StaleClock(f"The clock is at {inp.clock.level.value}, the case at {level}")
    event = due_event(inp.clock, inp.now)
    if event is None:
        raise NotDue(f"Nothing is due at {iso(inp.now)}")
    return STEPS[(inp.clock.level, event)](inp)
