"""Per-department clocks of joint cases (pure rules) and the wait for a district leader."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from api.domain.cases import (
    Action,
    Case,
    CaseState,
    HandlingMode,
    Level,
    Task,
    TaskRole,
    TaskStatus,
)
from api.domain.clock import SHANGHAI
from api.domain.deadlines.calendar import WorkCalendar
from api.domain.deadlines.department_timers import (
    TaskStep,
    fire_task,
    plan,
    supporting_tasks,
    task_event_id,
)
from api.domain.deadlines.policy import DEFAULT_POLICY
from api.domain.deadlines.timers import (
    NotDue,
    NoticeKind,
    StaleClock,
    StepInput,
    Timer,
    TimerEvent,
    TimerKind,
    fire,
    start_policy_clock,
)

CAL = WorkCalendar()
MON = datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)


def joint(state: CaseState = CaseState.ASSIGNED, *statuses: TaskStatus) -> Case:
    support = statuses or (TaskStatus.ASSIGNED,)
    tasks = (
        Task("housing", TaskRole.LEAD),
        *(Task(f"support-{i}", TaskRole.SUPPORT, s) for i, s in enumerate(support)),
    )
    return Case(
        state=state,
        level=Level.DISTRICT,
        mode=HandlingMode.JOINT,
        category="ENVIRONMENT",
        tasks=tasks,
    )


def planned(
    before: Case,
    after: Case,
    action: Action,
    clocks: dict[str, Timer],
    at: datetime = MON,
) -> dict[str, Timer | None]:
    return plan(before, after, action, clocks, at, DEFAULT_POLICY, CAL)


def gardens(case: Case, clock: Timer, now: datetime) -> TaskStep:
    return fire_task("c1", "SB-2026-000001", "support-0", "区园林和林业局", case, clock, now)


def claim_clock(at: datetime = MON, generation: int = 1) -> Timer:
    return start_policy_clock(
        DEFAULT_POLICY, CAL, joint(), Level.DISTRICT, TimerKind.CLAIM, at, generation
    )


def test_placing_a_joint_case_starts_a_claim_clock_per_supporting_department() -> None:
    before = Case(state=CaseState.ACCEPTED, mode=HandlingMode.JOINT, category="ENVIRONMENT")
    after = joint(CaseState.ASSIGNED, TaskStatus.ASSIGNED, TaskStatus.ASSIGNED)
    changes = planned(before, after, Action.ASSIGN, {}, MON)
    assert sorted(changes) == ["support-0", "support-1"]  # not the lead: its clock is the case's
    for clock in changes.values():
        assert clock is not None
        assert (clock.kind, clock.level, clock.limit_hours) == (
            TimerKind.CLAIM,
            Level.DISTRICT,
            DEFAULT_POLICY.claim_hours,
        )


def test_a_claim_starts_the_departments_resolve_clock_and_its_resolution_stops_it() -> None:
    assigned = joint(CaseState.ASSIGNED)
    claimed = joint(CaseState.ASSIGNED, TaskStatus.CLAIMED)
    running = claim_clock()
    changes = plan(
        assigned, claimed, Action.CLAIM, {"support-0": running}, MON, DEFAULT_POLICY, CAL
    )
    resolving = changes["support-0"]
    assert resolving is not None and resolving.kind is TimerKind.RESOLVE
    assert resolving.generation == running.generation + 1
    resolved = joint(CaseState.IN_PROGRESS, TaskStatus.RESOLVED)
    done = plan(
        claimed, resolved, Action.RESOLVE_TASK, {"support-0": resolving}, MON, DEFAULT_POLICY, CAL
    )
    assert done == {"support-0": None}


def test_the_lead_claiming_leaves_the_supporting_clock_alone() -> None:
    before = joint(CaseState.ASSIGNED, TaskStatus.CLAIMED)
    lead_claimed = replace(
        before,
        state=CaseState.IN_PROGRESS,
        tasks=(Task("housing", TaskRole.LEAD, TaskStatus.CLAIMED), *before.tasks[1:]),
    )
    running = start_policy_clock(
        DEFAULT_POLICY, CAL, before, Level.DISTRICT, TimerKind.RESOLVE, MON, 3
    )
    assert planned(before, lead_claimed, Action.CLAIM, {"support-0": running}, MON) == {}


def test_pause_and_resume_carry_the_departments_clock_with_the_case() -> None:
    working = joint(CaseState.IN_PROGRESS, TaskStatus.CLAIMED)
    paused_case = replace(working, state=CaseState.PAUSED)
    running = start_policy_clock(
        DEFAULT_POLICY, CAL, working, Level.DISTRICT, TimerKind.RESOLVE, MON, 3
    )
    later = datetime(2026, 11, 23, 11, 30, tzinfo=SHANGHAI)
    paused = plan(
        working, paused_case, Action.PAUSE, {"support-0": running}, later, DEFAULT_POLICY, CAL
    )["support-0"]
    assert paused is not None and paused.paused
    resumed_at = datetime(2026, 11, 24, 11, 30, tzinfo=SHANGHAI)
    resumed = plan(
        paused_case, working, Action.RESUME, {"support-0": paused}, resumed_at, DEFAULT_POLICY, CAL
    )["support-0"]
    assert resumed is not None and not resumed.paused
    assert resumed.consumed_hours == pytest.approx(2.0)  # 09:30–11:30 of working time
    assert resumed.due_at is not None and running.due_at is not None
    assert resumed.due_at > running.due_at


def test_leaving_district_stops_every_department_clock() -> None:
    before = joint(CaseState.IN_PROGRESS, TaskStatus.CLAIMED, TaskStatus.ASSIGNED)
    at_top = Case(state=CaseState.ASSIGNED, level=Level.TOP, assignee_id="leader", pain_point=True)
    clocks = {"support-0": claim_clock(), "support-1": claim_clock()}
    assert planned(before, at_top, Action.ESCALATE, clocks, MON) == {
        "support-0": None,
        "support-1": None,
    }
    assert supporting_tasks(at_top) == {}


def test_a_department_clock_warns_then_supervises_once_and_stops() -> None:
    case = joint(CaseState.ASSIGNED)
    clock = claim_clock()
    assert clock.warn_at is not None and clock.due_at is not None
    due = clock.due_at
    with pytest.raises(NotDue):
        gardens(case, clock, MON)
    warning = fire_task(
        "c1", "SB-2026-000001", "support-0", "区园林和林业局", case, clock, clock.warn_at
    )
    assert (warning.event, warning.notice_kind, warning.breached) == (
        TimerEvent.AT_RISK,
        NoticeKind.AT_RISK_WARNING,
        False,
    )
    assert "SB-2026-000001" in str(warning.message) and "区园林和林业局" in str(warning.message)
    assert warning.next_clock is not None and warning.next_clock.warned
    breach = fire_task(
        "c1", "SB-2026-000001", "support-0", "区园林和林业局", case, warning.next_clock, due
    )
    assert (breach.event, breach.notice_kind, breach.breached, breach.next_clock) == (
        TimerEvent.BREACH,
        NoticeKind.SUPERVISION,
        True,
        None,
    )
    assert breach.event_id == task_event_id(
        "c1", "support-0", warning.next_clock, TimerEvent.BREACH
    )
    assert breach.event_id != warning.event_id


def test_a_department_clock_whose_task_moved_on_is_stale() -> None:
    clock = claim_clock()
    claimed = joint(CaseState.ASSIGNED, TaskStatus.CLAIMED)  # the CLAIM clock no longer applies
    assert clock.due_at is not None
    with pytest.raises(StaleClock):
        fire_task("c1", "code", "support-0", "dept", claimed, clock, clock.due_at)
    with pytest.raises(StaleClock):
        fire_task("c1", "code", "housing", "dept", joint(), clock, clock.due_at)


def test_without_a_leader_a_due_top_escalation_waits_an_hour_and_tells_the_centre() -> None:
    case = replace(joint(CaseState.ASSIGNED), tasks=())  # the centre's own CLAIM clock
    centre = start_policy_clock(
        DEFAULT_POLICY, CAL, case, Level.DISTRICT, TimerKind.CLAIM, MON, 4, centre=True
    )
    assert centre.due_at is not None
    base = StepInput("c1", case, centre, centre.due_at, DEFAULT_POLICY, CAL, "SB-1")
    waiting = fire(replace(base, has_leader=False))
    assert waiting.escalate_to is None and waiting.breached
    assert [n.kind for n in waiting.notices] == [NoticeKind.SUPERVISION, NoticeKind.NO_LEADER]
    assert all("SB-1" in str(n.message) for n in waiting.notices)
    assert waiting.next_clock is not None
    retry_at = waiting.next_clock.due_at
    assert retry_at is not None and (retry_at - centre.due_at).total_seconds() == 3600
    assert waiting.next_clock.centre and waiting.next_clock.warned
    # Granted meanwhile: the retry escalates to TOP like any breach of the centre's clock.
    retry = fire(replace(base, clock=waiting.next_clock, now=retry_at))
    assert retry.escalate_to is Level.TOP
    assert fire(base).escalate_to is Level.TOP
