"""Per-department clocks of a joint case (联办) at DISTRICT — pure.

The case's own clock (``timers``) belongs to the lead department (主办): its CLAIM and RESOLVE
limits decide escalation (the governance centre, then 顶格调度). Each supporting department
(协办) gets a clock of its own, so a department that never reports for duty or never finishes
its part is warned (临期预警) and supervised (督办) by name — without moving the case, which the
lead owns:

| change of a supporting task | its clock |
|---|---|
| placed at DISTRICT (ASSIGN / ESCALATE with departments) | a new CLAIM clock (reset) |
| the department claims (报到) | a new RESOLVE clock at DISTRICT (reset) |
| the department resolves its task | stopped |
| the case pauses / resumes | paused / continues with the hours already used |
| the case leaves DISTRICT or stops (resolved, closed...), or the task is dropped | stopped |

A breached department clock stops after its supervision notice (no escalation, no second
notice); the department's breach stays on record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from api.domain.cases import Action, Case, CaseState, Level, TaskRole, TaskStatus
from api.domain.clock import iso
from api.domain.deadlines.calendar import WorkCalendar
from api.domain.deadlines.policy import TimePolicy
from api.domain.deadlines.timers import (
    ACTIVE_STATES,
    KIND_NAMES,
    NotDue,
    NoticeKind,
    StaleClock,
    Timer,
    TimerEvent,
    TimerKind,
    due_event,
    pause,
    resume,
    start_policy_clock,
)
from api.domain.messages import Message, msg

# States in which a supporting department's clock exists (running, or paused with the case).
_HELD_STATES = ACTIVE_STATES | {CaseState.PAUSED}
_EXPECTED_STATUS = {TimerKind.CLAIM: TaskStatus.ASSIGNED, TimerKind.RESOLVE: TaskStatus.CLAIMED}


def supporting_tasks(case: Case) -> dict[str, TaskStatus]:
    """Supporting departments of a case that keep a clock now, with their task status."""
    if case.level is not Level.DISTRICT or case.state not in _HELD_STATES:
        return {}
    return {t.department_id: t.status for t in case.tasks if t.role is TaskRole.SUPPORT}


def plan(
    before: Case,
    after: Case,
    action: Action,
    clocks: Mapping[str, Timer],
    now: datetime,
    policy: TimePolicy,
    calendar: WorkCalendar,
) -> dict[str, Timer | None]:
    """What a change does to the department clocks: department → its new clock, or None to
    stop it. ``clocks`` are the departments' running or paused clocks; departments left out of
    the result keep theirs."""
    placed = action in (Action.ASSIGN, Action.ESCALATE)
    old = supporting_tasks(before)
    new = supporting_tasks(after)
    changes: dict[str, Timer | None] = {
        department: None for department in clocks if department not in new
    }

    def start(department: str, kind: TimerKind) -> Timer:
        current = clocks.get(department)
        generation = current.generation + 1 if current is not None else 1
        return start_policy_clock(
            policy, calendar, after, Level.DISTRICT, kind, now, generation, after.rework_count
        )

    for department, status in new.items():
        current = clocks.get(department)
        if status is TaskStatus.ASSIGNED and (placed or department not in old or current is None):
            changes[department] = start(department, TimerKind.CLAIM)
        elif status is TaskStatus.CLAIMED and old.get(department) is not TaskStatus.CLAIMED:
            changes[department] = start(department, TimerKind.RESOLVE)
        elif status is TaskStatus.RESOLVED and current is not None:
            changes[department] = None
        elif current is not None and action is Action.PAUSE and not current.paused:
            changes[department] = pause(current, now)
        elif current is not None and action is Action.RESUME and current.paused:
            changes[department] = resume(current, now, calendar)
    return changes


@dataclass(frozen=True)
class TaskStep:
    event: TimerEvent
    notice_kind: NoticeKind
    message: Message  # stored language-neutral (``messages.encode``)
    next_clock: Timer | None  # None: the clock stops (breached)
    breached: bool
    event_id: str  # exactly-once key of this firing


def task_event_id(case_id: str, department_id: str, clock: Timer, event: TimerEvent) -> str:
    return (
        f"{case_id}:{clock.cycle}:{clock.level}:{department_id}:{event}:{clock.kind}:"
        f"{clock.generation}"
    )


def fire_task(
    case_id: str,
    code: str,
    department_id: str,
    department_name: str,
    case: Case,
    clock: Timer,
    now: datetime,
) -> TaskStep:
    """A department clock's firing: ``StaleClock`` when the department's task is no longer in
    the state the clock times, ``NotDue`` when nothing is due."""
    status = supporting_tasks(case).get(department_id)
    if case.state not in ACTIVE_STATES or status is not _EXPECTED_STATUS[clock.kind]:
        raise StaleClock(f"Department {department_id} has no task timed by this clock")
    event = due_event(clock, now)
    if event is None:
        raise NotDue(f"Nothing is due at {iso(now)}")
    assert clock.due_at is not None
    what = KIND_NAMES[clock.kind]
    event_id = task_event_id(case_id, department_id, clock, event)
    if event is TimerEvent.AT_RISK:
        warned = replace(clock, warned=True, generation=clock.generation + 1)
        message = msg(
            "timer.department_at_risk",
            case=code,
            department=department_name,
            kind=what,
            due=iso(clock.due_at),
        )
        return TaskStep(event, NoticeKind.AT_RISK_WARNING, message, warned, False, event_id)
    message = msg(
        "timer.department_supervision",
        case=code,
        department=department_name,
        kind=what,
        due=iso(clock.due_at),
    )
    return TaskStep(event, NoticeKind.SUPERVISION, message, None, True, event_id)
