"""The case (吹哨报到) state machine: pure, no I/O.

A case walks reported → accepted → assigned → in progress → resolved → evaluated → closed →
archived, with side paths (rejected, paused, extension, send back, escalation, reopen, park).
Levels climb GRID → COMMUNITY → STREET → DISTRICT (departments claim; joint cases have a lead
and supporting departments, each with a task) → TOP (a district leader owns the case, it enters
the pain-point library and closes by tick-off).

``transition(case, command)`` returns the next case and the event to record, or raises
``InvalidTransition`` naming the current state and the actions allowed in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from api.domain.errors import (
    DomainError,
    ErrorCode,
    EvaluationPending,
    InvalidInput,
    VerificationPending,
)
from api.domain.messages import Message, msg
from api.domain.text import free_text

TEXT_MAX = 2000
REASON_MAX = 500


class CaseState(StrEnum):
    REPORTED = "REPORTED"  # 信息收集: reported, waiting for acceptance
    ACCEPTED = "ACCEPTED"  # 立案: accepted, waiting for dispatch
    REJECTED = "REJECTED"  # 不予受理
    ASSIGNED = "ASSIGNED"  # 派遣: at a level and unit, waiting to be signed for
    IN_PROGRESS = "IN_PROGRESS"  # 处置
    PAUSED = "PAUSED"  # waiting on the resident; the clock stops
    PARKED = "PARKED"  # 挂账: approved long-term unsolvable
    RESOLVED = "RESOLVED"  # 办结 / 反馈
    EVALUATED = "EVALUATED"  # 回访评价
    CLOSED = "CLOSED"  # 结案
    ARCHIVED = "ARCHIVED"  # 归档


class Level(StrEnum):
    GRID = "GRID"
    COMMUNITY = "COMMUNITY"
    STREET = "STREET"
    DISTRICT = "DISTRICT"
    TOP = "TOP"

    @property
    def next(self) -> Level | None:
        order = list(Level)
        index = order.index(self)
        return order[index + 1] if index + 1 < len(order) else None


class HandlingMode(StrEnum):
    IMMEDIATE = "IMMEDIATE"  # 即办
    FAST = "FAST"  # 快办
    ASSIGNED = "ASSIGNED"  # 分办
    JOINT = "JOINT"  # 联办
    TOP_LEVEL = "TOP_LEVEL"  # 顶格办


class Channel(StrEnum):
    RESIDENT = "RESIDENT"  # 群众吹哨 through the mini-program
    GRID_PATROL = "GRID_PATROL"  # 网格员巡查
    HOTLINE = "HOTLINE"  # 12345 and other third-party systems
    TOPIC = "TOPIC"  # an adopted topic (党群议事)


class Satisfaction(StrEnum):
    SATISFIED = "SATISFIED"
    BASICALLY_SATISFIED = "BASICALLY_SATISFIED"
    UNSATISFIED = "UNSATISFIED"


class Closure(StrEnum):
    """How a case was closed (结案方式), for the figures and the reporter."""

    EVALUATED = "EVALUATED"  # after the resident's evaluation
    NOT_EVALUATED = "NOT_EVALUATED"  # the evaluation window ended without one (the sweeper)
    BY_STAFF = "BY_STAFF"  # closed or ticked off by staff without an evaluation


class TaskRole(StrEnum):
    LEAD = "LEAD"  # 主办
    SUPPORT = "SUPPORT"  # 协办


class TaskStatus(StrEnum):
    ASSIGNED = "ASSIGNED"
    CLAIMED = "CLAIMED"  # 报到
    RESOLVED = "RESOLVED"


class Action(StrEnum):
    ACCEPT = "ACCEPT"
    REJECT = "REJECT"
    ASSIGN = "ASSIGN"
    START = "START"
    CLAIM = "CLAIM"
    RESOLVE_TASK = "RESOLVE_TASK"
    ESCALATE = "ESCALATE"
    SEND_BACK = "SEND_BACK"
    PAUSE = "PAUSE"
    RESUME = "RESUME"
    REQUEST_EXTENSION = "REQUEST_EXTENSION"
    GRANT_EXTENSION = "GRANT_EXTENSION"
    DENY_EXTENSION = "DENY_EXTENSION"
    RESOLVE = "RESOLVE"
    VERIFY = "VERIFY"  # 核查: passed, or failed (back to handling)
    EVALUATE = "EVALUATE"
    REOPEN = "REOPEN"
    CLOSE = "CLOSE"
    TICK_OFF = "TICK_OFF"
    REQUEST_PARK = "REQUEST_PARK"
    APPROVE_PARK = "APPROVE_PARK"
    REJECT_PARK = "REJECT_PARK"
    UNPARK = "UNPARK"
    ARCHIVE = "ARCHIVE"


class InvalidTransition(DomainError):
    code = ErrorCode.INVALID_TRANSITION

    def __init__(self, case: Case, action: Action, why: Message | None = None) -> None:
        allowed = ", ".join(sorted(a.value for a in allowed_actions(case))) or "none"
        super().__init__(
            msg(
                "transition.not_allowed",
                action=action.value,
                state=case.state.value,
                detail="" if why is None else msg("transition.detail", why=why),
                allowed=allowed,
            ),
            field="action",
        )
        self.current_state = case.state
        self.allowed = allowed_actions(case)


@dataclass(frozen=True)
class Task:
    """A department's part of a case at DISTRICT level."""

    department_id: str
    role: TaskRole
    status: TaskStatus = TaskStatus.ASSIGNED
    result: str | None = None


@dataclass(frozen=True)
class Case:
    """What the state machine needs to know of a case (no personal data, no storage keys)."""

    state: CaseState = CaseState.REPORTED
    level: Level | None = None
    assignee_id: str | None = None  # org unit (grid/community/street) or leader (TOP)
    mode: HandlingMode | None = None
    category: str | None = None
    tasks: tuple[Task, ...] = ()
    extension_pending: bool = False
    park_pending: bool = False
    rework_count: int = 0
    satisfaction: Satisfaction | None = None
    result: str | None = None
    pain_point: bool = False
    # Set when the case becomes RESOLVED, from the policy then in force (README "Closing").
    verification_pending: bool = False  # 核查 owed before evaluation or closing
    evaluation_required: bool = False  # staff may not close before an evaluation
    closure: Closure | None = None

    def task(self, department_id: str) -> Task | None:
        return next((t for t in self.tasks if t.department_id == department_id), None)


# Commands ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Accept:
    mode: HandlingMode
    category: str
    action: Action = field(default=Action.ACCEPT, init=False)


@dataclass(frozen=True)
class Reject:
    reason: str
    duplicate_of: str | None = None
    action: Action = field(default=Action.REJECT, init=False)


@dataclass(frozen=True)
class Assign:
    """Dispatch to a level: a unit below DISTRICT, departments at DISTRICT, a leader at TOP."""

    level: Level
    assignee_id: str | None = None
    lead_department: str | None = None
    supporting_departments: tuple[str, ...] = ()
    action: Action = field(default=Action.ASSIGN, init=False)


@dataclass(frozen=True)
class Start:
    action: Action = field(default=Action.START, init=False)


@dataclass(frozen=True)
class Claim:
    department_id: str
    action: Action = field(default=Action.CLAIM, init=False)


@dataclass(frozen=True)
class ResolveTask:
    department_id: str
    result: str
    action: Action = field(default=Action.RESOLVE_TASK, init=False)


@dataclass(frozen=True)
class Escalate:
    """吹哨: one level up. The next assignee is given by the caller (the parent unit, the
    governance centre's department choice at DISTRICT, a leader at TOP)."""

    reason: str
    assignee_id: str | None = None
    lead_department: str | None = None
    supporting_departments: tuple[str, ...] = ()
    action: Action = field(default=Action.ESCALATE, init=False)


@dataclass(frozen=True)
class SendBack:
    reason: str
    action: Action = field(default=Action.SEND_BACK, init=False)


@dataclass(frozen=True)
class Pause:
    reason: str
    action: Action = field(default=Action.PAUSE, init=False)


@dataclass(frozen=True)
class Resume:
    action: Action = field(default=Action.RESUME, init=False)


@dataclass(frozen=True)
class RequestExtension:
    hours: int
    reason: str
    action: Action = field(default=Action.REQUEST_EXTENSION, init=False)


@dataclass(frozen=True)
class DecideExtension:
    grant: bool
    note: str = ""

    @property
    def action(self) -> Action:
        return Action.GRANT_EXTENSION if self.grant else Action.DENY_EXTENSION


@dataclass(frozen=True)
class Resolve:
    result: str
    action: Action = field(default=Action.RESOLVE, init=False)


@dataclass(frozen=True)
class Verify:
    """核查: a dispatcher checks the result. Failed, the case goes back to its holder (返工)."""

    passed: bool
    note: str = ""
    action: Action = field(default=Action.VERIFY, init=False)


@dataclass(frozen=True)
class CloseNotEvaluated:
    """The sweeper closes a case whose evaluation window ended (结案, 未评价)."""

    action: Action = field(default=Action.CLOSE, init=False)


@dataclass(frozen=True)
class ClosingRules:
    """What the policy in force asks before a newly resolved case may close."""

    verification: bool = False
    evaluation: bool = False


@dataclass(frozen=True)
class Evaluate:
    satisfaction: Satisfaction
    comment: str = ""
    action: Action = field(default=Action.EVALUATE, init=False)


@dataclass(frozen=True)
class Reopen:
    reason: str
    action: Action = field(default=Action.REOPEN, init=False)


@dataclass(frozen=True)
class Close:
    action: Action = field(default=Action.CLOSE, init=False)


@dataclass(frozen=True)
class TickOff:
    note: str = ""
    action: Action = field(default=Action.TICK_OFF, init=False)


@dataclass(frozen=True)
class RequestPark:
    reason: str
    action: Action = field(default=Action.REQUEST_PARK, init=False)


@dataclass(frozen=True)
class DecidePark:
    approve: bool
    note: str = ""

    @property
    def action(self) -> Action:
        return Action.APPROVE_PARK if self.approve else Action.REJECT_PARK


@dataclass(frozen=True)
class Unpark:
    action: Action = field(default=Action.UNPARK, init=False)


@dataclass(frozen=True)
class Archive:
    action: Action = field(default=Action.ARCHIVE, init=False)


Command = (
    Accept
    | Reject
    | Assign
    | Start
    | Claim
    | ResolveTask
    | Escalate
    | SendBack
    | Pause
    | Resume
    | RequestExtension
    | DecideExtension
    | Resolve
    | Verify
    | CloseNotEvaluated
    | Evaluate
    | Reopen
    | Close
    | TickOff
    | RequestPark
    | DecidePark
    | Unpark
    | Archive
)


@dataclass(frozen=True)
class Outcome:
    """The case after a command and what the timeline records of it."""

    case: Case
    action: Action
    from_state: CaseState
    to_state: CaseState
    level_changed: bool = False


# Which actions each state admits (before finer checks on level, tasks and flags).
_BY_STATE: dict[CaseState, frozenset[Action]] = {
    CaseState.REPORTED: frozenset({Action.ACCEPT, Action.REJECT}),
    CaseState.ACCEPTED: frozenset({Action.ASSIGN, Action.REJECT}),
    CaseState.REJECTED: frozenset({Action.ARCHIVE}),
    CaseState.ASSIGNED: frozenset({Action.START, Action.CLAIM, Action.ESCALATE, Action.SEND_BACK}),
    CaseState.IN_PROGRESS: frozenset(
        {
            Action.CLAIM,
            Action.RESOLVE_TASK,
            Action.ESCALATE,
            Action.SEND_BACK,
            Action.PAUSE,
            Action.REQUEST_EXTENSION,
            Action.GRANT_EXTENSION,
            Action.DENY_EXTENSION,
            Action.RESOLVE,
            Action.REQUEST_PARK,
            Action.APPROVE_PARK,
            Action.REJECT_PARK,
        }
    ),
    CaseState.PAUSED: frozenset({Action.RESUME}),
    CaseState.PARKED: frozenset({Action.UNPARK}),
    CaseState.RESOLVED: frozenset({Action.VERIFY, Action.EVALUATE, Action.CLOSE, Action.TICK_OFF}),
    CaseState.EVALUATED: frozenset({Action.REOPEN, Action.CLOSE, Action.TICK_OFF}),
    CaseState.CLOSED: frozenset({Action.ARCHIVE}),
    CaseState.ARCHIVED: frozenset(),
}


def allowed_actions(case: Case) -> frozenset[Action]:
    """The actions that may be applied now, given state, level, tasks and pending requests."""
    allowed = set(_BY_STATE[case.state])
    at_district = case.level is Level.DISTRICT
    at_top = case.level is Level.TOP
    if at_district:
        allowed.discard(Action.START)  # departments claim instead of signing for
        if case.state is CaseState.ASSIGNED and not case.tasks:
            allowed.add(Action.ASSIGN)  # the governance centre dispatches to departments
        if not any(t.status is TaskStatus.ASSIGNED for t in case.tasks):
            allowed.discard(Action.CLAIM)
        if not any(t.status is TaskStatus.CLAIMED for t in case.tasks):
            allowed.discard(Action.RESOLVE_TASK)
        allowed.discard(Action.RESOLVE)  # the last task's resolution resolves the case
    else:
        allowed -= {Action.CLAIM, Action.RESOLVE_TASK}
    if at_top:
        allowed -= {Action.ESCALATE, Action.CLOSE}
    else:
        allowed.discard(Action.TICK_OFF)
    if case.extension_pending:
        allowed.discard(Action.REQUEST_EXTENSION)
    else:
        allowed -= {Action.GRANT_EXTENSION, Action.DENY_EXTENSION}
    if case.park_pending:
        allowed.discard(Action.REQUEST_PARK)
    else:
        allowed -= {Action.APPROVE_PARK, Action.REJECT_PARK}
    if case.state is CaseState.EVALUATED and case.satisfaction is not Satisfaction.UNSATISFIED:
        allowed.discard(Action.REOPEN)
    if case.state is CaseState.RESOLVED:
        allowed -= _closing_blocked(case)
    return frozenset(allowed)


def _closing_blocked(case: Case) -> set[Action]:
    """Actions on a RESOLVED case that wait for a step the policy asks for."""
    if case.verification_pending:
        return {Action.EVALUATE, Action.CLOSE, Action.TICK_OFF}
    blocked = {Action.VERIFY}
    if case.evaluation_required:
        blocked |= {Action.CLOSE, Action.TICK_OFF}
    return blocked


def closing_refusal(case: Case, action: Action) -> DomainError | None:
    """Why ``action``, which the state would allow, waits on the closing policy: 核查 not yet
    passed, or the resident's evaluation (or the end of its window) still to come."""
    if case.state is not CaseState.RESOLVED:
        return None
    free = replace(case, verification_pending=False, evaluation_required=False)
    if action not in allowed_actions(free) or action not in _closing_blocked(case):
        return None
    if case.verification_pending:
        return VerificationPending(msg("case.verification_pending"), field="caseId")
    if case.evaluation_required:
        return EvaluationPending(msg("case.evaluation_pending"), field="caseId")
    return None


def _text(value: str, field_name: str, limit: int = REASON_MAX, required: bool = True) -> str:
    return free_text(value, field_name, max_length=limit, required=required)


def _tasks_for(
    lead: str | None, supporting: tuple[str, ...], mode: HandlingMode | None
) -> tuple[Task, ...]:
    """Department tasks at DISTRICT; none yet means the governance centre (推进中心) still has
    to dispatch the case to departments."""
    if lead is None:
        if supporting:
            raise InvalidInput(msg("case.supporting_need_lead"), field="leadDepartmentId")
        return ()
    if lead in supporting or len(set(supporting)) != len(supporting):
        raise InvalidInput(msg("case.departments_distinct"), field="supportingDepartmentIds")
    if supporting and mode is not HandlingMode.JOINT:
        raise InvalidInput(msg("case.supporting_only_joint"), field="supportingDepartmentIds")
    return (Task(lead, TaskRole.LEAD), *(Task(d, TaskRole.SUPPORT) for d in supporting))


def _place(
    case: Case, level: Level, assignee: str | None, lead: str | None, supporting: tuple[str, ...]
) -> Case:
    """The case placed at a level with its assignee or department tasks."""
    if level is Level.DISTRICT:
        return replace(
            case, level=level, assignee_id=None, tasks=_tasks_for(lead, supporting, case.mode)
        )
    if assignee is None:
        raise InvalidInput(msg("case.assignee_needed", level=level.value), field="assigneeId")
    if lead is not None or supporting:
        raise InvalidInput(msg("case.departments_only_district"), field="leadDepartmentId")
    return replace(
        case,
        level=level,
        assignee_id=assignee,
        tasks=(),
        pain_point=case.pain_point or level is Level.TOP,
    )


def transition(case: Case, command: Command, closing: ClosingRules | None = None) -> Outcome:
    """``closing``: the policy's rules, applied when the command resolves the case."""
    action = command.action
    if isinstance(command, CloseNotEvaluated):
        # The window's end closes whatever staff may do: only 核查 must have passed.
        if case.state is not CaseState.RESOLVED or case.verification_pending:
            raise InvalidTransition(case, action, msg("transition.no_evaluation_window"))
    elif action not in allowed_actions(case):
        raise closing_refusal(case, action) or InvalidTransition(case, action)
    before = case.state
    new = _apply(case, command)
    if new.state is CaseState.RESOLVED and before is not CaseState.RESOLVED:
        rules = closing or ClosingRules()
        new = replace(
            new, verification_pending=rules.verification, evaluation_required=rules.evaluation
        )
    return Outcome(
        case=new,
        action=action,
        from_state=before,
        to_state=new.state,
        level_changed=new.level is not case.level,
    )


def _rework(case: Case) -> Case:
    """返工: back to the same holder, in a new cycle (an unsatisfied evaluation, a failed 核查);
    departments' tasks are claimed again."""
    tasks = tuple(replace(t, status=TaskStatus.CLAIMED, result=None) for t in case.tasks)
    return replace(
        case, state=CaseState.IN_PROGRESS, rework_count=case.rework_count + 1,
        satisfaction=None, result=None, tasks=tasks, verification_pending=False,
        evaluation_required=False,
    )  # fmt: skip


def _closure(case: Case) -> Closure:
    return Closure.EVALUATED if case.state is CaseState.EVALUATED else Closure.BY_STAFF


def _apply(case: Case, command: Command) -> Case:
    match command:
        case Accept(mode=mode, category=category):
            return replace(
                case, state=CaseState.ACCEPTED, mode=mode, category=_text(category, "category", 60)
            )
        case Reject(reason=reason):
            _text(reason, "reason")
            return replace(case, state=CaseState.REJECTED)
        case Assign(
            level=level,
            assignee_id=assignee,
            lead_department=lead,
            supporting_departments=supporting,
        ):
            if case.state is CaseState.ASSIGNED and (level is not Level.DISTRICT or lead is None):
                # At DISTRICT without departments the governance centre can only name them;
                # moving down is SEND_BACK, moving up is ESCALATE, each with its reason.
                raise InvalidInput(msg("case.name_lead_department"), field="leadDepartmentId")
            return replace(
                _place(case, level, assignee, lead, supporting), state=CaseState.ASSIGNED
            )
        case Start():
            return replace(case, state=CaseState.IN_PROGRESS)
        case Claim(department_id=department):
            task = case.task(department)
            if task is None or task.status is not TaskStatus.ASSIGNED:
                raise InvalidTransition(
                    case, Action.CLAIM, msg("case.why_no_open_task", department=department)
                )
            tasks = tuple(
                replace(t, status=TaskStatus.CLAIMED) if t is task else t for t in case.tasks
            )
            # The case is being handled once its lead department has claimed it.
            lead_claimed = any(
                t.role is TaskRole.LEAD and t.status is not TaskStatus.ASSIGNED for t in tasks
            )
            state = CaseState.IN_PROGRESS if lead_claimed else case.state
            return replace(case, tasks=tasks, state=state)
        case ResolveTask(department_id=department, result=result):
            task = case.task(department)
            if task is None or task.status is not TaskStatus.CLAIMED:
                raise InvalidTransition(
                    case,
                    Action.RESOLVE_TASK,
                    msg("case.why_no_claimed_task", department=department),
                )
            text = _text(result, "result", TEXT_MAX)
            tasks = tuple(
                replace(t, status=TaskStatus.RESOLVED, result=text) if t is task else t
                for t in case.tasks
            )
            if all(t.status is TaskStatus.RESOLVED for t in tasks):
                combined = "\n".join(
                    f"[{t.role.value} {t.department_id}] {t.result}" for t in tasks
                )
                return replace(
                    case, tasks=tasks, state=CaseState.RESOLVED, result=combined,
                    extension_pending=False, park_pending=False,
                )  # fmt: skip
            return replace(case, tasks=tasks)
        case Escalate(
            reason=reason,
            assignee_id=assignee,
            lead_department=lead,
            supporting_departments=supporting,
        ):
            _text(reason, "reason")
            assert (
                case.level is not None and case.level.next is not None
            )  # guaranteed by allowed_actions
            placed = _place(case, case.level.next, assignee, lead, supporting)
            return replace(
                placed, state=CaseState.ASSIGNED, extension_pending=False, park_pending=False
            )
        case SendBack(reason=reason):
            _text(reason, "reason")
            return replace(
                case, state=CaseState.ACCEPTED, level=None, assignee_id=None, tasks=(),
                extension_pending=False, park_pending=False,
            )  # fmt: skip
        case Pause(reason=reason):
            _text(reason, "reason")
            return replace(case, state=CaseState.PAUSED)
        case Resume():
            return replace(case, state=CaseState.IN_PROGRESS)
        case RequestExtension(hours=hours, reason=reason):
            if not 1 <= hours <= 24 * 90:
                raise InvalidInput(msg("case.hours_range"), field="hours")
            _text(reason, "reason")
            return replace(case, extension_pending=True)
        case DecideExtension(note=note):
            _text(note, "note", required=False)
            return replace(case, extension_pending=False)
        case Resolve(result=result):
            return replace(
                case, state=CaseState.RESOLVED, result=_text(result, "result", TEXT_MAX),
                extension_pending=False, park_pending=False,
            )  # fmt: skip
        case Verify(passed=passed, note=note):
            _text(note, "note", required=not passed)  # a failed check says why
            if passed:
                return replace(case, verification_pending=False)
            return _rework(case)
        case Evaluate(satisfaction=satisfaction, comment=comment):
            _text(comment, "comment", TEXT_MAX, required=satisfaction is Satisfaction.UNSATISFIED)
            return replace(case, state=CaseState.EVALUATED, satisfaction=satisfaction)
        case Reopen(reason=reason):
            _text(reason, "reason")
            return _rework(case)
        case TickOff(note=note):
            _text(note, "note", required=False)
            return replace(case, state=CaseState.CLOSED, closure=_closure(case))
        case Close():
            return replace(case, state=CaseState.CLOSED, closure=_closure(case))
        case CloseNotEvaluated():
            return replace(case, state=CaseState.CLOSED, closure=Closure.NOT_EVALUATED)
        case RequestPark(reason=reason):
            _text(reason, "reason")
            return replace(case, park_pending=True)
        case DecidePark(approve=approve, note=note):
            _text(note, "note", required=False)
            if approve:  # parked: nothing is being worked on, so no extension either
                return replace(
                    case, park_pending=False, extension_pending=False, state=CaseState.PARKED
                )
            return replace(case, park_pending=False)
        case Unpark():
            return replace(case, state=CaseState.IN_PROGRESS)
        case Archive():
            return replace(case, state=CaseState.ARCHIVED)
    raise AssertionError(f"unhandled command {command!r}")
