"""Case clocks and timer steps: start, warn, breach; pause and resume (holidays and breached
clocks); extensions; recomputation after a calendar override or a newly published year;
natural-hour clocks; every (level, event) step; exactly-once event ids; a sweeper walk from the
grid to 顶格调度, on time and after an outage."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import pairwise, product

import pytest

from api.domain.cases import Case, CaseState, Escalate, HandlingMode, Level, transition
from api.domain.clock import SHANGHAI
from api.domain.deadlines.calendar import WorkCalendar, statutory_workday
from api.domain.deadlines.policy import DEFAULT_POLICY, HourUnit, Limit, TimePolicy
from api.domain.deadlines.timers import (
    STEPS,
    NotDue,
    Notice,
    NoticeKind,
    StaleClock,
    StepInput,
    StepResult,
    Timer,
    TimerError,
    TimerEvent,
    TimerKind,
    due_event,
    event_id,
    extend,
    fire,
    next_fire_at,
    pause,
    recompute,
    resume,
    start_clock,
    start_evaluation_clock,
    start_policy_clock,
    used_hours,
)

CAL = WorkCalendar()
POLICY = DEFAULT_POLICY
W, N = HourUnit.WORKING, HourUnit.NATURAL
CASE_ID = "case-0001"
BELOW_DISTRICT = (Level.GRID, Level.COMMUNITY, Level.STREET)
ASSIGNEES: dict[Level, str | None] = {
    Level.COMMUNITY: "community-yangzhou",
    Level.STREET: "street-taidong",
    Level.DISTRICT: None,  # the governance centre dispatches to departments
    Level.TOP: "leader-district-1",
}


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI)


MONDAY_9 = sh(2026, 3, 2, 9)


def case_at(
    level: Level,
    *,
    state: CaseState = CaseState.IN_PROGRESS,
    mode: HandlingMode = HandlingMode.ASSIGNED,
    category: str = "ENVIRONMENT",
) -> Case:
    return Case(state=state, level=level, assignee_id="unit", mode=mode, category=category)


def clock_at(
    level: Level,
    kind: TimerKind = TimerKind.RESOLVE,
    start: datetime = MONDAY_9,
    *,
    case: Case | None = None,
    generation: int = 5,
    cycle: int = 0,
    centre: bool = False,
) -> Timer:
    return start_policy_clock(
        POLICY, CAL, case or case_at(level), level, kind, start, generation, cycle, centre=centre
    )


def step_input(clock: Timer, now: datetime, case: Case | None = None) -> StepInput:
    return StepInput(CASE_ID, case or case_at(clock.level), clock, now, POLICY, CAL)


def due_of(clock: Timer) -> datetime:
    assert clock.due_at is not None
    return clock.due_at


def warn_of(clock: Timer) -> datetime:
    assert clock.warn_at is not None
    return clock.warn_at


# --- starting a clock -----------------------------------------------------------------------


def test_start_clock_in_working_hours() -> None:
    clock = start_clock(Level.GRID, TimerKind.RESPONSE, sh(2026, 3, 4, 9), 2, W, CAL, 0.8, 3, 1)
    assert clock == Timer(
        level=Level.GRID,
        kind=TimerKind.RESPONSE,
        started_at=sh(2026, 3, 4, 9),
        due_at=sh(2026, 3, 4, 11),
        warn_at=sh(2026, 3, 4, 10, 36),  # 80 % of 2 h = 96 min
        warned=False,
        generation=3,
        cycle=1,
        estimated=False,
        paused_at=None,
        consumed_hours=0.0,
        limit_hours=2,
        unit=W,
        at_risk_fraction=0.8,
    )
    assert clock.segment_start == sh(2026, 3, 4, 9)
    assert clock.remaining_hours == 2
    assert not clock.paused


def test_warn_at_is_measured_in_working_hours() -> None:
    # Friday 16:00, 15 working hours: warn after 12 (Tuesday 11:30), due Tuesday 16:00
    clock = start_clock(Level.GRID, TimerKind.RESOLVE, sh(2026, 3, 6, 16), 15, W, CAL)
    assert (clock.warn_at, clock.due_at) == (sh(2026, 3, 10, 11, 30), sh(2026, 3, 10, 16))


def test_natural_hour_clocks_ignore_the_calendar() -> None:
    # Saturday night in a week of holidays: 4 natural hours → Sunday 02:00
    holiday = WorkCalendar(overrides={date(2026, 3, 8): False})
    clock = start_clock(Level.GRID, TimerKind.RESOLVE, sh(2026, 3, 7, 22), 4, N, holiday)
    assert (clock.warn_at, clock.due_at) == (sh(2026, 3, 8, 1, 12), sh(2026, 3, 8, 2))
    assert recompute(clock, CAL.with_overrides({date(2026, 3, 8): True})) is clock


def test_start_clock_accepts_other_zones_and_answers_in_shanghai() -> None:
    clock = start_clock(
        Level.GRID,
        TimerKind.RESPONSE,
        datetime.fromisoformat("2026-03-04T01:00:00+00:00"),
        2,
        W,
        CAL,
    )
    assert clock.started_at == sh(2026, 3, 4, 9)
    assert due_of(clock).tzinfo is SHANGHAI
    assert due_of(clock).isoformat() == "2026-03-04T11:00:00+08:00"


def test_start_policy_clock_takes_limits_from_the_policy() -> None:
    housing = case_at(Level.GRID, category="HOUSING_SAFETY")
    clock = clock_at(Level.GRID, TimerKind.RESPONSE, sh(2026, 3, 7, 22), case=housing)
    assert (clock.limit_hours, clock.unit, clock.due_at) == (1, N, sh(2026, 3, 7, 23))
    resolve = clock_at(Level.GRID, TimerKind.RESOLVE, case=housing)
    assert (resolve.limit_hours, resolve.unit) == (24, N)
    claim = clock_at(Level.DISTRICT, TimerKind.CLAIM)
    assert (claim.limit_hours, claim.unit) == (POLICY.claim_hours, POLICY.claim_unit)
    half = replace(POLICY, at_risk_fraction=0.5)
    early = start_policy_clock(
        half, CAL, case_at(Level.GRID), Level.GRID, TimerKind.RESPONSE, sh(2026, 3, 4, 9)
    )
    assert early.warn_at == sh(2026, 3, 4, 10)


def test_start_clock_validation() -> None:
    start = sh(2026, 3, 4, 9)
    with pytest.raises(ValueError, match="timezone-aware"):
        start_clock(Level.GRID, TimerKind.RESPONSE, datetime(2026, 3, 4, 9), 2, W, CAL)
    for hours in (0, -1, float("nan")):
        with pytest.raises(ValueError):
            start_clock(Level.GRID, TimerKind.RESPONSE, start, hours, W, CAL)
    for fraction in (0, 1, 1.2):
        with pytest.raises(ValueError):
            start_clock(Level.GRID, TimerKind.RESPONSE, start, 2, W, CAL, fraction)
    with pytest.raises(ValueError, match="CLAIM"):
        start_clock(Level.GRID, TimerKind.CLAIM, start, 2, W, CAL)
    with pytest.raises(ValueError, match="centre"):
        start_clock(Level.DISTRICT, TimerKind.RESOLVE, start, 2, W, CAL, centre=True)


def test_clock_invariants() -> None:
    clock = clock_at(Level.GRID)
    with pytest.raises(ValueError):
        replace(clock, due_at=None)  # running without a deadline
    with pytest.raises(ValueError):
        replace(clock, paused_at=sh(2026, 3, 2, 10))  # paused with a deadline
    with pytest.raises(ValueError):
        replace(clock, started_at=datetime(2026, 3, 2, 9))
    with pytest.raises(ValueError):
        replace(clock, consumed_hours=-1)


# --- due events -----------------------------------------------------------------------------


def test_due_event_and_next_fire_at() -> None:
    clock = start_clock(Level.GRID, TimerKind.RESPONSE, sh(2026, 3, 4, 9), 2, W, CAL)
    assert next_fire_at(clock) == sh(2026, 3, 4, 10, 36)
    assert due_event(clock, sh(2026, 3, 4, 10, 35)) is None
    assert due_event(clock, sh(2026, 3, 4, 10, 36)) is TimerEvent.AT_RISK
    assert due_event(clock, sh(2026, 3, 4, 10, 59)) is TimerEvent.AT_RISK
    assert due_event(clock, sh(2026, 3, 4, 11)) is TimerEvent.BREACH  # late: breach wins
    warned = replace(clock, warned=True)
    assert next_fire_at(warned) == sh(2026, 3, 4, 11)
    assert due_event(warned, sh(2026, 3, 4, 10, 59)) is None
    assert due_event(warned, sh(2026, 3, 4, 11)) is TimerEvent.BREACH
    assert due_event(warned, sh(2026, 3, 9)) is TimerEvent.BREACH
    with pytest.raises(ValueError):
        due_event(clock, datetime(2026, 3, 4, 11))


def test_a_paused_clock_never_fires() -> None:
    clock = pause(clock_at(Level.GRID), sh(2026, 3, 2, 10))
    assert next_fire_at(clock) is None
    assert due_event(clock, sh(2030, 1, 1)) is None


# --- pause and resume -----------------------------------------------------------------------


def test_pause_spanning_spring_festival() -> None:
    # Friday 13 Feb 2026 08:30, 15 working hours: due on the 调休 Saturday 14 Feb at 17:30.
    clock = start_clock(Level.GRID, TimerKind.RESOLVE, sh(2026, 2, 13, 8, 30), 15, W, CAL, 0.8, 1)
    assert clock.due_at == sh(2026, 2, 14, 17, 30)
    # Paused at 17:00 (7 h used) while waiting on the resident, over the make-up Saturday and
    # the whole Spring Festival; resumed Tuesday 24 Feb 09:00.
    paused = pause(clock, sh(2026, 2, 13, 17))
    assert (paused.paused_at, paused.due_at, paused.warn_at) == (sh(2026, 2, 13, 17), None, None)
    assert paused.generation == 2
    assert used_hours(paused, sh(2026, 2, 20), CAL) == 7
    resumed = resume(paused, sh(2026, 2, 24, 9), CAL)
    assert resumed.consumed_hours == 7
    assert resumed.paused_at is None
    assert resumed.resumed_at == sh(2026, 2, 24, 9)
    assert resumed.started_at == sh(2026, 2, 13, 8, 30)
    assert resumed.generation == 3
    # 8 h left: Tuesday 09:00–12:00 and 13:30–17:30 (7 h), then Wednesday 08:30–09:30
    assert resumed.due_at == sh(2026, 2, 25, 9, 30)
    assert resumed.warn_at == sh(2026, 2, 24, 15, 30)  # 12 h − 7 h = 5 h after resuming
    assert not resumed.estimated
    assert used_hours(resumed, sh(2026, 2, 24, 10), CAL) == 8


def test_pausing_an_already_breached_clock_breaches_on_resume() -> None:
    clock = start_clock(Level.GRID, TimerKind.RESPONSE, sh(2026, 3, 4, 9), 2, W, CAL)
    paused = pause(clock, sh(2026, 3, 4, 14, 30))  # due at 11:00, nobody fired yet
    resumed = resume(paused, sh(2026, 3, 5, 9), CAL)
    assert resumed.consumed_hours == 4  # 09:00–12:00 and 13:30–14:30
    assert resumed.remaining_hours == 0
    assert resumed.due_at == resumed.warn_at == sh(2026, 3, 5, 9)  # due at the resume time
    assert due_event(resumed, sh(2026, 3, 5, 9)) is TimerEvent.BREACH
    result = fire(step_input(resumed, sh(2026, 3, 5, 9)))
    assert result.breached and result.escalate_to is Level.COMMUNITY


def test_resuming_past_the_warning_point_warns_once() -> None:
    clock = start_clock(Level.GRID, TimerKind.RESPONSE, sh(2026, 3, 4, 9), 2, W, CAL)
    # paused at 10:45 (1.75 h > 1.6 h) before the sweeper warned: the warning is owed at once
    unwarned = resume(pause(clock, sh(2026, 3, 4, 10, 45)), sh(2026, 3, 5, 9), CAL)
    assert (unwarned.warn_at, unwarned.due_at) == (sh(2026, 3, 5, 9), sh(2026, 3, 5, 9, 15))
    assert due_event(unwarned, sh(2026, 3, 5, 9)) is TimerEvent.AT_RISK
    # already warned before the pause: no second warning
    warned = replace(clock, warned=True)
    again = resume(pause(warned, sh(2026, 3, 4, 10, 45)), sh(2026, 3, 5, 9), CAL)
    assert again.warned
    assert due_event(again, sh(2026, 3, 5, 9)) is None
    assert next_fire_at(again) == sh(2026, 3, 5, 9, 15)


def test_pause_and_resume_errors() -> None:
    clock = clock_at(Level.GRID, start=sh(2026, 3, 4, 9))
    paused = pause(clock, sh(2026, 3, 4, 10))
    with pytest.raises(TimerError):
        pause(paused, sh(2026, 3, 4, 11))
    with pytest.raises(TimerError):
        resume(clock, sh(2026, 3, 4, 11), CAL)
    with pytest.raises(TimerError):
        resume(paused, sh(2026, 3, 4, 9, 30), CAL)  # before the pause
    with pytest.raises(TimerError):
        pause(clock, sh(2026, 3, 4, 8))  # before the clock started
    with pytest.raises(ValueError):
        pause(clock, datetime(2026, 3, 4, 10))


def test_pause_and_resume_a_natural_clock() -> None:
    clock = start_clock(Level.GRID, TimerKind.RESOLVE, sh(2026, 2, 14, 22), 4, N, CAL)
    resumed = resume(pause(clock, sh(2026, 2, 15, 1)), sh(2026, 2, 18, 12), CAL)
    assert resumed.consumed_hours == 3
    assert resumed.due_at == sh(2026, 2, 18, 13)


def test_several_pauses_accumulate() -> None:
    clock = start_clock(Level.GRID, TimerKind.RESOLVE, sh(2026, 3, 2, 8, 30), 15, W, CAL)
    once = resume(pause(clock, sh(2026, 3, 2, 10, 30)), sh(2026, 3, 3, 8, 30), CAL)  # 2 h
    twice = resume(pause(once, sh(2026, 3, 3, 12)), sh(2026, 3, 4, 13, 30), CAL)  # 3.5 h
    assert twice.consumed_hours == 5.5
    assert twice.due_at == sh(2026, 3, 5, 15, 30)  # 9.5 h from Wed 13:30: 4 + 5.5
    assert twice.generation == clock.generation + 4


def test_a_pause_over_an_unknown_year_is_estimated() -> None:
    clock = start_clock(Level.GRID, TimerKind.RESOLVE, sh(2026, 12, 31, 16), 15, W, CAL)
    assert clock.estimated
    resumed = resume(pause(clock, sh(2027, 1, 4, 10)), sh(2027, 1, 4, 11), CAL)
    assert resumed.consumed_hours == 1.5 + 7.5 + 1.5
    assert resumed.consumed_estimated and resumed.estimated


# --- extensions -----------------------------------------------------------------------------


def test_extend_pushes_due_and_warn() -> None:
    clock = start_clock(Level.GRID, TimerKind.RESOLVE, sh(2026, 3, 6, 16), 15, W, CAL, 0.8, 7)
    longer = extend(clock, 7.5, CAL, sh(2026, 3, 9, 9))
    assert longer.limit_hours == 22.5
    assert longer.due_at == sh(2026, 3, 11, 16)  # one working day later
    assert longer.warn_at == sh(2026, 3, 11, 10)  # 18 h: 80 % of the new limit
    assert longer.generation == 8
    assert longer.started_at == clock.started_at


def test_extend_resets_the_warning_only_when_it_is_ahead() -> None:
    warned = replace(
        start_clock(Level.GRID, TimerKind.RESOLVE, sh(2026, 3, 6, 16), 15, W, CAL), warned=True
    )
    # a day more, granted on Tuesday 12:00: the new warning (Wednesday 10:00) is ahead
    assert not extend(warned, 7.5, CAL, sh(2026, 3, 10, 12)).warned
    # one hour more, granted Tuesday 14:00: the new warning (13:48) is already past
    small = extend(warned, 1, CAL, sh(2026, 3, 10, 14))
    assert small.warn_at == sh(2026, 3, 10, 13, 48)
    assert small.due_at == sh(2026, 3, 10, 17)
    assert small.warned
    # without now: reset when the warning point moved later
    assert not extend(warned, 1, CAL).warned
    unwarned = replace(warned, warned=False)
    assert not extend(unwarned, 1, CAL, sh(2026, 3, 10, 14)).warned


def test_extend_a_natural_clock() -> None:
    clock = start_clock(Level.GRID, TimerKind.RESOLVE, sh(2026, 3, 7, 22), 4, N, CAL)
    assert extend(clock, 20, CAL, sh(2026, 3, 7, 23)).due_at == sh(2026, 3, 8, 22)


def test_extend_a_paused_clock_then_resume() -> None:
    clock = replace(
        start_clock(Level.GRID, TimerKind.RESPONSE, sh(2026, 3, 4, 9), 2, W, CAL), warned=True
    )
    paused = pause(clock, sh(2026, 3, 4, 10, 45))
    longer = extend(paused, 2, CAL)
    assert (longer.limit_hours, longer.due_at, longer.generation) == (
        4,
        None,
        paused.generation + 1,
    )
    resumed = resume(longer, sh(2026, 3, 5, 9), CAL)
    assert resumed.due_at == sh(2026, 3, 5, 11, 15)  # 4 − 1.75 = 2.25 h
    assert resumed.warn_at == sh(2026, 3, 5, 10, 27)  # 3.2 − 1.75 = 1.45 h
    assert not resumed.warned  # the new warning point is ahead


@pytest.mark.parametrize("hours", [0, -2, float("nan"), float("inf")])
def test_extend_needs_positive_hours(hours: float) -> None:
    with pytest.raises(ValueError):
        extend(clock_at(Level.GRID), hours, CAL)


# --- recomputation --------------------------------------------------------------------------


def test_an_override_published_mid_case_moves_the_deadline() -> None:
    clock = start_clock(Level.GRID, TimerKind.RESOLVE, sh(2026, 3, 6, 16), 15, W, CAL, 0.8, 4)
    assert clock.due_at == sh(2026, 3, 10, 16)
    closed_monday = CAL.with_overrides({date(2026, 3, 9): False})
    moved = recompute(clock, closed_monday)
    assert moved.due_at == sh(2026, 3, 11, 16)
    assert moved.warn_at == sh(2026, 3, 11, 11, 30)
    assert moved.generation == 5
    assert (moved.started_at, moved.consumed_hours, moved.limit_hours) == (
        clock.started_at,
        clock.consumed_hours,
        clock.limit_hours,
    )
    working_saturday = CAL.with_overrides({date(2026, 3, 7): True})
    assert recompute(clock, working_saturday).due_at == sh(2026, 3, 9, 16)


def test_recompute_without_change_returns_the_same_clock() -> None:
    clock = clock_at(Level.GRID)
    assert recompute(clock, CAL) is clock
    assert recompute(clock, CAL.with_overrides({date(2026, 5, 6): False})) is clock
    paused = pause(clock, sh(2026, 3, 2, 10))
    assert recompute(paused, CAL.with_overrides({date(2026, 3, 3): False})) is paused


def test_recompute_after_a_pause_keeps_consumed_hours() -> None:
    clock = start_clock(Level.GRID, TimerKind.RESOLVE, sh(2026, 2, 13, 8, 30), 15, W, CAL)
    resumed = resume(pause(clock, sh(2026, 2, 13, 17)), sh(2026, 2, 24, 9), CAL)
    closure = CAL.with_overrides({date(2026, 2, 24): False})
    moved = recompute(resumed, closure)
    assert moved.consumed_hours == 7
    assert moved.resumed_at == sh(2026, 2, 24, 9)
    assert moved.due_at == sh(2026, 2, 26, 9)  # 8 h from Wednesday 08:30
    assert moved.warn_at == sh(2026, 2, 25, 15)  # 5 h from Wednesday 08:30


def test_recompute_once_the_year_is_published() -> None:
    # Thursday 31 Dec 2026 16:00 + 15 h, estimated with 1 Jan 2027 assumed a workday
    clock = start_clock(Level.GRID, TimerKind.RESOLVE, sh(2026, 12, 31, 16), 15, W, CAL)
    assert (clock.due_at, clock.estimated) == (sh(2027, 1, 4, 16), True)

    def published(day: date) -> bool:  # what a 2027 release might say
        if day.year < 2027:
            return statutory_workday(day)
        return day.weekday() < 5 and day != date(2027, 1, 1)

    fixed = recompute(clock, WorkCalendar(source=published))
    assert (fixed.due_at, fixed.estimated) == (sh(2027, 1, 5, 16), False)
    assert fixed.generation == clock.generation + 1
    # an override for New Year alone still leaves the other 2027 days unknown
    partly = recompute(clock, CAL.with_overrides({date(2027, 1, 1): False}))
    assert (partly.due_at, partly.estimated) == (sh(2027, 1, 5, 16), True)


# --- the steps table ------------------------------------------------------------------------


def test_steps_cover_every_level_and_event() -> None:
    assert set(STEPS) == set(product(Level, TimerEvent))


def _clock_for(level: Level, event: TimerEvent) -> tuple[Timer, datetime]:
    kind = TimerKind.CLAIM if level is Level.DISTRICT else TimerKind.RESOLVE
    clock = clock_at(level, kind)
    return clock, warn_of(clock) if event is TimerEvent.AT_RISK else due_of(clock)


@pytest.mark.parametrize(("level", "event"), sorted(STEPS))
def test_every_step_entry_runs_through_fire(level: Level, event: TimerEvent) -> None:
    clock, now = _clock_for(level, event)
    inp = step_input(clock, now)
    result = fire(inp)
    assert result == STEPS[(level, event)](inp)
    assert result.event is event
    assert result.breached is (event is TimerEvent.BREACH)
    assert result.event_id == event_id(CASE_ID, clock, event)
    assert result.notices


CLOCK_KINDS = [
    (level, kind)
    for level in Level
    for kind in TimerKind
    if (kind is not TimerKind.CLAIM or level is Level.DISTRICT) and kind is not TimerKind.EVALUATION
]


@pytest.mark.parametrize(("level", "kind"), CLOCK_KINDS)
def test_at_risk_warns_the_handling_unit(level: Level, kind: TimerKind) -> None:
    clock = clock_at(level, kind)
    result = fire(step_input(clock, warn_of(clock)))
    assert result.event is TimerEvent.AT_RISK
    assert result.escalate_to is None
    assert not result.breached
    assert [(n.kind, n.level) for n in result.notices] == [(NoticeKind.AT_RISK_WARNING, level)]
    assert "临期预警" in str(result.notices[0].message) and CASE_ID in str(
        result.notices[0].message
    )
    assert result.next_clock == replace(clock, warned=True, generation=clock.generation + 1)
    assert result.next_clock is not None
    assert due_event(result.next_clock, warn_of(clock)) is None


@pytest.mark.parametrize("level", BELOW_DISTRICT)
@pytest.mark.parametrize("kind", [TimerKind.RESPONSE, TimerKind.RESOLVE])
def test_breach_below_district_escalates_one_level(level: Level, kind: TimerKind) -> None:
    clock = clock_at(level, kind, generation=9, cycle=2)
    late = due_of(clock) + timedelta(days=3)  # the sweeper may be late
    result = fire(step_input(clock, late))
    up = level.next
    assert up is not None
    assert result.event is TimerEvent.BREACH and result.breached
    assert result.escalate_to is up
    assert [(n.kind, n.level) for n in result.notices] == [
        (NoticeKind.SUPERVISION, level),
        (NoticeKind.ESCALATED, up),
    ]
    assert "督办" in str(result.notices[0].message)
    limit = POLICY.limit_for("ENVIRONMENT", HandlingMode.ASSIGNED, up)
    expected = start_clock(
        up, TimerKind.RESPONSE, due_of(clock), limit.response_hours, limit.unit, CAL, 0.8, 10, 2
    )
    assert result.next_clock == expected
    assert expected.started_at == clock.due_at  # from when escalation was due, not from late


def test_escalated_clock_uses_the_cases_category_and_mode() -> None:
    housing = case_at(Level.GRID, category="HOUSING_SAFETY", mode=HandlingMode.IMMEDIATE)
    clock = clock_at(Level.GRID, TimerKind.RESPONSE, case=housing)
    assert (clock.limit_hours, clock.unit) == (0.5, N)  # exact category + mode rule
    result = fire(step_input(clock, due_of(clock), housing))
    assert result.next_clock is not None
    # at COMMUNITY the category rule beats the IMMEDIATE mode rule: 2 natural hours
    assert (result.next_clock.limit_hours, result.next_clock.unit) == (2, N)
    assert result.next_clock.due_at == due_of(clock) + timedelta(hours=2)


def test_unclaimed_at_district_goes_to_the_governance_centre() -> None:
    clock = clock_at(Level.DISTRICT, TimerKind.CLAIM)
    result = fire(step_input(clock, due_of(clock)))
    assert result.event is TimerEvent.BREACH and result.breached
    assert result.escalate_to is None  # no escalation yet
    assert [(n.kind, n.level) for n in result.notices] == [
        (NoticeKind.UNCLAIMED_TO_CENTRE, Level.DISTRICT)
    ]
    centre = result.next_clock
    assert centre is not None
    assert (centre.level, centre.kind, centre.centre) == (Level.DISTRICT, TimerKind.CLAIM, True)
    assert (centre.started_at, centre.limit_hours, centre.generation) == (
        clock.due_at,
        POLICY.claim_hours,
        clock.generation + 1,
    )
    # the centre does not dispatch in time either: 顶格调度
    top = fire(step_input(centre, due_of(centre)))
    assert top.escalate_to is Level.TOP
    assert top.event_id != result.event_id


@pytest.mark.parametrize(
    ("kind", "centre"),
    [(TimerKind.RESPONSE, False), (TimerKind.RESOLVE, False), (TimerKind.CLAIM, True)],
)
def test_district_breach_goes_to_top(kind: TimerKind, centre: bool) -> None:
    clock = clock_at(Level.DISTRICT, kind, centre=centre)
    result = fire(step_input(clock, due_of(clock)))
    assert result.escalate_to is Level.TOP and result.breached
    assert [(n.kind, n.level) for n in result.notices] == [
        (NoticeKind.SUPERVISION, Level.DISTRICT),
        (NoticeKind.ESCALATED, Level.TOP),
        (NoticeKind.PAIN_POINT, Level.TOP),
    ]
    top = result.next_clock
    assert top is not None
    limit = POLICY.limit_for("ENVIRONMENT", HandlingMode.ASSIGNED, Level.TOP)
    assert (top.level, top.kind, top.limit_hours, top.unit) == (
        Level.TOP,
        TimerKind.RESOLVE,
        limit.resolve_hours,
        limit.unit,
    )
    assert top.started_at == clock.due_at


def test_breach_at_top_is_supervised_and_stays_breached() -> None:
    clock = clock_at(Level.TOP)
    result = fire(step_input(clock, due_of(clock) + timedelta(days=30)))
    assert result == StepResult(
        event=TimerEvent.BREACH,
        escalate_to=None,
        notices=(result.notices[0],),
        next_clock=None,
        breached=True,
        event_id=f"{CASE_ID}:0:TOP:BREACH:RESOLVE:5",
    )
    assert isinstance(result.notices[0], Notice)
    assert (result.notices[0].kind, result.notices[0].level) == (NoticeKind.SUPERVISION, Level.TOP)


# --- fire guards ----------------------------------------------------------------------------


def test_fire_refuses_what_is_not_due() -> None:
    clock = clock_at(Level.GRID)
    with pytest.raises(NotDue):
        fire(step_input(clock, warn_of(clock) - timedelta(minutes=1)))
    with pytest.raises(NotDue):
        fire(step_input(pause(clock, sh(2026, 3, 2, 10)), sh(2030, 1, 1)))


@pytest.mark.parametrize(
    "case",
    [
        case_at(Level.COMMUNITY),  # the case moved on
        Case(state=CaseState.ACCEPTED, mode=HandlingMode.ASSIGNED, category="ROADS"),  # sent back
        case_at(Level.GRID, state=CaseState.PAUSED),
        case_at(Level.GRID, state=CaseState.RESOLVED),
        case_at(Level.GRID, state=CaseState.PARKED),
        case_at(Level.GRID, state=CaseState.CLOSED),
    ],
)
def test_fire_refuses_a_stale_clock(case: Case) -> None:
    clock = clock_at(Level.GRID)
    with pytest.raises(StaleClock):
        fire(step_input(clock, due_of(clock), case))


def test_fire_in_assigned_state_and_is_deterministic() -> None:
    clock = clock_at(Level.GRID, TimerKind.RESPONSE)
    inp = step_input(clock, due_of(clock), case_at(Level.GRID, state=CaseState.ASSIGNED))
    assert fire(inp) == fire(inp)  # at-least-once firing computes the same effect and key


# --- event ids ------------------------------------------------------------------------------


def test_event_id_format() -> None:
    clock = clock_at(Level.GRID, TimerKind.RESPONSE, generation=4, cycle=1)
    result = fire(step_input(clock, warn_of(clock)))
    assert result.event_id == "case-0001:1:GRID:AT_RISK:RESPONSE:4"
    assert result.event_id.startswith(f"{CASE_ID}:1:{Level.GRID}:{TimerEvent.AT_RISK}")


def test_event_ids_are_distinct_per_cycle_level_event_and_clock() -> None:
    ids: set[str] = set()
    count = 0
    for cycle, level, event in product(range(3), Level, TimerEvent):
        clock, now = _clock_for(level, event)
        clock = replace(clock, cycle=cycle)
        ids.add(fire(step_input(clock, now)).event_id)
        count += 1
    assert len(ids) == count
    # two clocks at one level in one cycle (sign-for, then resolve) warn under different keys
    response = clock_at(Level.GRID, TimerKind.RESPONSE, generation=1)
    resolve = clock_at(Level.GRID, TimerKind.RESOLVE, generation=2)
    assert (
        fire(step_input(response, warn_of(response))).event_id
        != fire(step_input(resolve, warn_of(resolve))).event_id
    )


# --- a sweeper walk -------------------------------------------------------------------------


def _walk(case: Case, clock: Timer, now: datetime | None) -> list[tuple[StepResult, Case]]:
    """Fire until no clock runs; ``now=None`` fires each at its ``next_fire_at``, a fixed
    ``now`` is a sweeper catching up after an outage."""
    steps: list[tuple[StepResult, Case]] = []
    current: Timer | None = clock
    while current is not None:
        at = now or next_fire_at(current)
        assert at is not None
        result = fire(StepInput(CASE_ID, case, current, at, POLICY, CAL))
        if result.escalate_to is not None:
            outcome = transition(
                case, Escalate(reason="超时自动吹哨", assignee_id=ASSIGNEES[result.escalate_to])
            )
            case = outcome.case
            assert case.level is result.escalate_to
        steps.append((result, case))
        current = result.next_clock
        assert len(steps) < 20
    return steps


def test_sweeper_walk_from_grid_to_top() -> None:
    case = Case(
        state=CaseState.ASSIGNED,
        level=Level.GRID,
        assignee_id="grid-yangzhou-1",
        mode=HandlingMode.ASSIGNED,
        category="ENVIRONMENT",
    )
    clock = start_policy_clock(POLICY, CAL, case, Level.GRID, TimerKind.RESPONSE, sh(2026, 3, 2, 9))
    steps = _walk(case, clock, None)
    assert [(r.event_id.split(":")[2], r.event) for r, _ in steps] == [
        (level, event) for level in Level for event in TimerEvent
    ]
    assert len({r.event_id for r, _ in steps}) == len(steps)
    final_case = steps[-1][1]
    assert final_case.level is Level.TOP and final_case.pain_point
    assert steps[-1][0].next_clock is None
    kinds = [n.kind for r, _ in steps for n in r.notices]
    assert kinds.count(NoticeKind.AT_RISK_WARNING) == 5
    assert kinds.count(NoticeKind.SUPERVISION) == 5
    assert kinds.count(NoticeKind.PAIN_POINT) == 1


def test_late_timers_catch_up_one_level_per_firing() -> None:
    case = case_at(Level.GRID, state=CaseState.ASSIGNED)
    clock = start_policy_clock(POLICY, CAL, case, Level.GRID, TimerKind.RESPONSE, sh(2026, 3, 2, 9))
    steps = _walk(case, clock, sh(2026, 6, 1))  # the sweeper was down for months
    assert [r.event for r, _ in steps] == [TimerEvent.BREACH] * 5
    assert [r.escalate_to for r, _ in steps] == [*list(Level)[1:], None]
    # each level's clock starts when the one below was due: the record does not depend on lag
    clocks = [clock] + [r.next_clock for r, _ in steps if r.next_clock is not None]
    for below, above in pairwise(clocks):
        assert above.started_at == below.due_at
    assert clocks[1].due_at == sh(2026, 3, 2, 15, 30)  # COMMUNITY: 3 working hours after 11:00


def test_a_reopened_case_starts_a_new_cycle() -> None:
    first = clock_at(Level.GRID, cycle=0)
    second = clock_at(Level.GRID, cycle=1)
    a = fire(step_input(first, due_of(first)))
    b = fire(step_input(second, due_of(second)))
    assert a.event_id != b.event_id
    assert a.next_clock is not None and b.next_clock is not None
    assert (a.next_clock.cycle, b.next_clock.cycle) == (0, 1)


def test_limit_units_follow_the_policy_into_escalation() -> None:
    natural = TimePolicy(
        version=2,
        rules={},
        default={level: Limit(1, 2, N) for level in Level},
    )
    clock = start_policy_clock(
        natural, CAL, case_at(Level.GRID), Level.GRID, TimerKind.RESPONSE, sh(2026, 2, 15, 23)
    )
    result = fire(StepInput(CASE_ID, case_at(Level.GRID), clock, sh(2026, 2, 16), natural, CAL))
    assert result.next_clock is not None
    assert result.next_clock.unit is N
    assert result.next_clock.due_at == sh(2026, 2, 16, 1)  # a holiday night counts


# --- the evaluation window (评价期, README "Closing") ------------------------------------------

CLOSING = replace(POLICY, version=2, evaluation_window_hours=72.0, evaluation_reminder_hours=24.0)


def test_no_window_without_one_in_the_policy() -> None:
    assert start_evaluation_clock(POLICY, CAL, Level.GRID, MONDAY_9) is None


def test_the_window_runs_in_natural_hours_with_the_reminder_before_its_end() -> None:
    friday_17 = sh(2026, 3, 6, 17)  # over a weekend: natural hours count anyway
    clock = start_evaluation_clock(CLOSING, CAL, Level.STREET, friday_17, 7, 1)
    assert clock is not None
    assert (clock.kind, clock.unit, clock.level, clock.generation, clock.cycle) == (
        TimerKind.EVALUATION, N, Level.STREET, 7, 1,
    )  # fmt: skip
    assert clock.due_at == friday_17 + timedelta(hours=72)
    assert clock.warn_at == friday_17 + timedelta(hours=48)  # 24 h before the end


def _resolved(level: Level = Level.GRID, *, verification_pending: bool = False) -> Case:
    case = case_at(level, state=CaseState.RESOLVED)
    return replace(case, verification_pending=verification_pending)


def test_the_reminder_goes_to_the_reporter_once() -> None:
    clock = start_evaluation_clock(CLOSING, CAL, Level.GRID, MONDAY_9, 3)
    assert clock is not None
    result = fire(step_input(clock, warn_of(clock), _resolved()))
    assert result.event is TimerEvent.AT_RISK and not result.breached
    (notice,) = result.notices
    assert (notice.kind, notice.to_reporter) == (NoticeKind.EVALUATION_REMINDER, True)
    assert "评价" in str(notice.message) and CASE_ID in str(notice.message)
    assert result.next_clock == replace(clock, warned=True, generation=4)
    assert not result.close_not_evaluated
    assert due_event(result.next_clock, warn_of(clock)) is None


def test_the_end_of_the_window_closes_without_a_breach() -> None:
    clock = start_evaluation_clock(CLOSING, CAL, Level.DISTRICT, MONDAY_9, 3)
    assert clock is not None
    late = due_of(clock) + timedelta(days=2)
    result = fire(step_input(clock, late, _resolved(Level.DISTRICT)))
    assert result.event is TimerEvent.BREACH
    assert result.close_not_evaluated and not result.breached
    assert (result.next_clock, result.escalate_to, result.notices) == (None, None, ())
    assert result.event_id == event_id(CASE_ID, clock, TimerEvent.BREACH)


@pytest.mark.parametrize(
    "case",
    [
        _resolved(verification_pending=True),
        case_at(Level.GRID, state=CaseState.EVALUATED),
        case_at(Level.GRID, state=CaseState.IN_PROGRESS),
    ],
    ids=["verification-pending", "evaluated", "reworked"],
)
def test_a_window_that_no_longer_matches_the_case_is_stale(case: Case) -> None:
    clock = start_evaluation_clock(CLOSING, CAL, Level.GRID, MONDAY_9)
    assert clock is not None
    with pytest.raises(StaleClock):
        fire(step_input(clock, due_of(clock), case))


def test_the_window_is_not_due_before_the_reminder() -> None:
    clock = start_evaluation_clock(CLOSING, CAL, Level.GRID, MONDAY_9)
    assert clock is not None
    with pytest.raises(NotDue):
        fire(step_input(clock, warn_of(clock) - timedelta(minutes=1), _resolved()))
