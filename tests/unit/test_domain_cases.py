"""The case (吹哨报到) state machine, exhaustively: every (state, action) pair against a table of
representative cases, the seeds' stories as pure walks, and the edge rules (levels, department
tasks, pending requests, rework, text bounds)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import product
from typing import Literal

import pytest

from api.domain.cases import (
    REASON_MAX,
    TEXT_MAX,
    Accept,
    Action,
    Archive,
    Assign,
    Case,
    CaseState,
    Claim,
    Close,
    Closure,
    Command,
    DecideExtension,
    DecidePark,
    Escalate,
    Evaluate,
    HandlingMode,
    InvalidTransition,
    Level,
    Outcome,
    Pause,
    Reject,
    Reopen,
    RequestExtension,
    RequestPark,
    Resolve,
    ResolveTask,
    Resume,
    Satisfaction,
    SendBack,
    Start,
    Task,
    TaskRole,
    TaskStatus,
    TickOff,
    Unpark,
    Verify,
    allowed_actions,
    closing_refusal,
    transition,
)
from api.domain.errors import ErrorCode, InvalidInput
from api.domain.messages import Language

GRID_UNIT = "grid-yangzhou-1"
COMMUNITY_UNIT = "community-yangzhou"
STREET_UNIT = "street-taidong"
LEADER = "leader-district-1"
HOUSING = "dept-housing"  # 区住建局
GARDENS = "dept-gardens"  # 区园林局
CATEGORY = "房屋安全"
UNIT_AT: dict[Level, str] = {
    Level.GRID: GRID_UNIT,
    Level.COMMUNITY: COMMUNITY_UNIT,
    Level.STREET: STREET_UNIT,
    Level.TOP: LEADER,
}
TASK_RESULTS: dict[str, str] = {GARDENS: "已修剪清运倒伏树木", HOUSING: "已修复围墙"}
BELOW_DISTRICT = (Level.GRID, Level.COMMUNITY, Level.STREET)


# --- building cases --------------------------------------------------------------------------


def task(department: str, role: TaskRole, status: TaskStatus = TaskStatus.ASSIGNED) -> Task:
    result = TASK_RESULTS[department] if status is TaskStatus.RESOLVED else None
    return Task(department, role, status, result)


def single(status: TaskStatus = TaskStatus.ASSIGNED) -> tuple[Task, ...]:
    """The one task of an ASSIGNED-mode case at DISTRICT: the housing department leads."""
    return (task(HOUSING, TaskRole.LEAD, status),)


def joint(lead: TaskStatus, support: TaskStatus) -> tuple[Task, ...]:
    """The tasks of a JOINT case: gardens lead, housing supports."""
    return (task(GARDENS, TaskRole.LEAD, lead), task(HOUSING, TaskRole.SUPPORT, support))


def placed(
    state: CaseState,
    level: Level,
    tasks: tuple[Task, ...] = (),
    *,
    extension_pending: bool = False,
    park_pending: bool = False,
    satisfaction: Satisfaction | None = None,
    result: str | None = None,
) -> Case:
    """A case past dispatch, at a level, as the state machine would have left it."""
    if len(tasks) > 1:
        mode = HandlingMode.JOINT
    elif level is Level.TOP:
        mode = HandlingMode.TOP_LEVEL
    else:
        mode = HandlingMode.ASSIGNED
    if result is None and state in (
        CaseState.RESOLVED,
        CaseState.EVALUATED,
        CaseState.CLOSED,
        CaseState.ARCHIVED,
    ):
        result = "已处理"
    return Case(
        state=state,
        level=level,
        assignee_id=UNIT_AT.get(level),
        mode=mode,
        category=CATEGORY,
        tasks=tasks,
        extension_pending=extension_pending,
        park_pending=park_pending,
        satisfaction=satisfaction,
        result=result,
        pain_point=level is Level.TOP,
    )


def pending(
    level: Level, verification: bool, evaluation: bool, tasks: tuple[Task, ...] = ()
) -> Case:
    """A resolved case under a closing policy: 核查 owed and/or the evaluation required."""
    return replace(
        placed(CaseState.RESOLVED, level, tasks),
        verification_pending=verification,
        evaluation_required=evaluation,
    )


def accepted(mode: HandlingMode = HandlingMode.ASSIGNED) -> Case:
    return Case(state=CaseState.ACCEPTED, mode=mode, category=CATEGORY)


# --- the table of representative cases ------------------------------------------------------


@dataclass(frozen=True)
class Rep:
    """A representative case, the actions it must admit, and (for the task actions, whose
    effect depends on the other tasks) the state each leads to with the table's command."""

    id: str
    case: Case
    allowed: frozenset[Action]
    targets: dict[Action, CaseState] = field(default_factory=dict)


def rep(
    id: str,
    case: Case,
    allowed: Iterable[Action],
    targets: dict[Action, CaseState] | None = None,
) -> Rep:
    return Rep(id, case, frozenset(allowed), targets or {})


def with_requests(base: Iterable[Action], extension: bool, park: bool) -> frozenset[Action]:
    """A pending request can be decided but not made again; without one, only made."""
    allowed = set(base)
    if extension:
        allowed |= {Action.GRANT_EXTENSION, Action.DENY_EXTENSION}
    else:
        allowed.add(Action.REQUEST_EXTENSION)
    if park:
        allowed |= {Action.APPROVE_PARK, Action.REJECT_PARK}
    else:
        allowed.add(Action.REQUEST_PARK)
    return frozenset(allowed)


FLAGS: list[tuple[bool, bool]] = [(False, False), (False, True), (True, False), (True, True)]

A = Action
S = TaskStatus
HANDLING = {A.ESCALATE, A.SEND_BACK, A.PAUSE}

# (name, level, tasks, actions before pending requests, targets of the task actions)
IN_PROGRESS_SHAPES: list[
    tuple[str, Level, tuple[Task, ...], set[Action], dict[Action, CaseState]]
] = [
    ("grid", Level.GRID, (), HANDLING | {A.RESOLVE}, {}),
    ("community", Level.COMMUNITY, (), HANDLING | {A.RESOLVE}, {}),
    ("street", Level.STREET, (), HANDLING | {A.RESOLVE}, {}),
    ("top", Level.TOP, (), {A.SEND_BACK, A.PAUSE, A.RESOLVE}, {}),
    (
        "district-lead-claimed",
        Level.DISTRICT,
        single(S.CLAIMED),
        HANDLING | {A.RESOLVE_TASK},
        {A.RESOLVE_TASK: CaseState.RESOLVED},
    ),
    (
        "district-joint-lead-claimed",
        Level.DISTRICT,
        joint(S.CLAIMED, S.ASSIGNED),
        HANDLING | {A.CLAIM, A.RESOLVE_TASK},
        {A.CLAIM: CaseState.IN_PROGRESS, A.RESOLVE_TASK: CaseState.IN_PROGRESS},
    ),
    (
        "district-joint-lead-resolved-support-open",
        Level.DISTRICT,
        joint(S.RESOLVED, S.ASSIGNED),
        HANDLING | {A.CLAIM},
        {A.CLAIM: CaseState.IN_PROGRESS},
    ),
    (
        "district-joint-both-claimed",
        Level.DISTRICT,
        joint(S.CLAIMED, S.CLAIMED),
        HANDLING | {A.RESOLVE_TASK},
        {A.RESOLVE_TASK: CaseState.IN_PROGRESS},
    ),
    (
        "district-joint-support-last",
        Level.DISTRICT,
        joint(S.RESOLVED, S.CLAIMED),
        HANDLING | {A.RESOLVE_TASK},
        {A.RESOLVE_TASK: CaseState.RESOLVED},
    ),
    (
        "district-joint-lead-last",
        Level.DISTRICT,
        joint(S.CLAIMED, S.RESOLVED),
        HANDLING | {A.RESOLVE_TASK},
        {A.RESOLVE_TASK: CaseState.RESOLVED},
    ),
]


def representatives() -> list[Rep]:
    cs = CaseState
    reps = [
        rep("reported", Case(), {A.ACCEPT, A.REJECT}),
        rep("accepted", accepted(), {A.ASSIGN, A.REJECT}),
        rep("accepted-joint", accepted(HandlingMode.JOINT), {A.ASSIGN, A.REJECT}),
        rep("accepted-top-level", accepted(HandlingMode.TOP_LEVEL), {A.ASSIGN, A.REJECT}),
        rep("rejected", Case(state=cs.REJECTED), {A.ARCHIVE}),
        rep("rejected-after-acceptance", replace(accepted(), state=cs.REJECTED), {A.ARCHIVE}),
    ]
    for level in BELOW_DISTRICT:
        reps.append(
            rep(
                f"assigned-{level.lower()}",
                placed(cs.ASSIGNED, level),
                HANDLING - {A.PAUSE} | {A.START},
            )
        )
    reps += [
        rep("assigned-top", placed(cs.ASSIGNED, Level.TOP), {A.START, A.SEND_BACK}),
        rep(
            "assigned-district-undispatched",
            placed(cs.ASSIGNED, Level.DISTRICT),
            {A.ASSIGN, A.ESCALATE, A.SEND_BACK},
        ),
        rep(
            "assigned-district-lead",
            placed(cs.ASSIGNED, Level.DISTRICT, single()),
            {A.CLAIM, A.ESCALATE, A.SEND_BACK},
            {A.CLAIM: cs.IN_PROGRESS},
        ),
        rep(
            "assigned-district-joint",
            placed(cs.ASSIGNED, Level.DISTRICT, joint(S.ASSIGNED, S.ASSIGNED)),
            {A.CLAIM, A.ESCALATE, A.SEND_BACK},
            {A.CLAIM: cs.IN_PROGRESS},
        ),
        rep(
            "assigned-district-joint-support-claimed",
            placed(cs.ASSIGNED, Level.DISTRICT, joint(S.ASSIGNED, S.CLAIMED)),
            {A.CLAIM, A.ESCALATE, A.SEND_BACK},
            {A.CLAIM: cs.IN_PROGRESS},
        ),
    ]
    for (name, level, tasks, base, targets), (extension, park) in product(
        IN_PROGRESS_SHAPES, FLAGS
    ):
        suffix = "-extension-pending" * extension + "-park-pending" * park
        case = placed(cs.IN_PROGRESS, level, tasks, extension_pending=extension, park_pending=park)
        reps.append(
            rep(f"in-progress-{name}{suffix}", case, with_requests(base, extension, park), targets)
        )
    reps += [
        rep("paused-grid", placed(cs.PAUSED, Level.GRID), {A.RESUME}),
        rep("paused-district", placed(cs.PAUSED, Level.DISTRICT, single(S.CLAIMED)), {A.RESUME}),
        rep(
            "paused-top-with-requests",
            placed(cs.PAUSED, Level.TOP, extension_pending=True, park_pending=True),
            {A.RESUME},
        ),
        rep("parked-street", placed(cs.PARKED, Level.STREET), {A.UNPARK}),
        rep(
            "parked-district",
            placed(cs.PARKED, Level.DISTRICT, joint(S.CLAIMED, S.RESOLVED)),
            {A.UNPARK},
        ),
        rep("parked-top", placed(cs.PARKED, Level.TOP), {A.UNPARK}),
        rep("resolved-grid", placed(cs.RESOLVED, Level.GRID), {A.EVALUATE, A.CLOSE}),
        rep("resolved-street", placed(cs.RESOLVED, Level.STREET), {A.EVALUATE, A.CLOSE}),
        rep(
            "resolved-district",
            placed(cs.RESOLVED, Level.DISTRICT, joint(S.RESOLVED, S.RESOLVED)),
            {A.EVALUATE, A.CLOSE},
        ),
        rep("resolved-top", placed(cs.RESOLVED, Level.TOP), {A.EVALUATE, A.TICK_OFF}),
        # The closing policy (README "Closing"): 核查 owed, then the evaluation required.
        rep("resolved-grid-verification-pending", pending(Level.GRID, True, False), {A.VERIFY}),
        rep("resolved-top-verification-pending", pending(Level.TOP, True, False), {A.VERIFY}),
        rep(
            "resolved-district-verification-and-evaluation",
            pending(Level.DISTRICT, True, True, joint(S.RESOLVED, S.RESOLVED)),
            {A.VERIFY},
        ),
        rep("resolved-grid-evaluation-required", pending(Level.GRID, False, True), {A.EVALUATE}),
        rep("resolved-top-evaluation-required", pending(Level.TOP, False, True), {A.EVALUATE}),
    ]
    evaluated_at: list[tuple[Level, tuple[Task, ...]]] = [
        (Level.GRID, ()),
        (Level.DISTRICT, joint(S.RESOLVED, S.RESOLVED)),
        (Level.TOP, ()),
    ]
    for (level, tasks), satisfaction in product(evaluated_at, Satisfaction):
        closing = A.TICK_OFF if level is Level.TOP else A.CLOSE
        reopen = {A.REOPEN} if satisfaction is Satisfaction.UNSATISFIED else set()
        reps.append(
            rep(
                f"evaluated-{level.lower()}-{satisfaction.lower()}",
                placed(cs.EVALUATED, level, tasks, satisfaction=satisfaction),
                {closing} | reopen,
            )
        )
    reps += [
        rep("closed-grid", placed(cs.CLOSED, Level.GRID), {A.ARCHIVE}),
        rep("closed-district", placed(cs.CLOSED, Level.DISTRICT, single(S.RESOLVED)), {A.ARCHIVE}),
        rep("closed-top", placed(cs.CLOSED, Level.TOP), {A.ARCHIVE}),
        rep(
            "archived-closed",
            placed(cs.ARCHIVED, Level.GRID, satisfaction=Satisfaction.SATISFIED),
            (),
        ),
        rep("archived-rejected", Case(state=cs.ARCHIVED), ()),
    ]
    return reps


REPS = representatives()


# --- the table of representative commands ---------------------------------------------------


def _claim(case: Case) -> Command:
    """The first department with an open task claims (or a stranger, if none has)."""
    open_tasks = [t for t in case.tasks if t.status is TaskStatus.ASSIGNED]
    return Claim(open_tasks[0].department_id if open_tasks else "dept-stranger")


def _resolve_task(case: Case) -> Command:
    """The first department with a claimed task resolves it (or a stranger, if none has)."""
    claimed = [t for t in case.tasks if t.status is TaskStatus.CLAIMED]
    department = claimed[0].department_id if claimed else "dept-stranger"
    return ResolveTask(department, TASK_RESULTS.get(department, "已处理"))


def _escalate(case: Case) -> Command:
    """One level up: departments at DISTRICT, the parent unit or a leader elsewhere."""
    above = case.level.next if case.level is not None else None
    if above is Level.DISTRICT:
        return Escalate("街道吹哨,请区住建局报到", lead_department=HOUSING)
    return Escalate("无力解决,向上吹哨", assignee_id=UNIT_AT.get(above or Level.TOP))


COMMANDS: dict[Action, Callable[[Case], Command]] = {
    A.ACCEPT: lambda case: Accept(HandlingMode.ASSIGNED, CATEGORY),
    A.REJECT: lambda case: Reject("不属于受理范围"),
    A.ASSIGN: lambda case: Assign(Level.DISTRICT, lead_department=HOUSING),
    A.START: lambda case: Start(),
    A.CLAIM: _claim,
    A.RESOLVE_TASK: _resolve_task,
    A.ESCALATE: _escalate,
    A.SEND_BACK: lambda case: SendBack("不属于本级职责"),
    A.PAUSE: lambda case: Pause("等待居民提供材料"),
    A.RESUME: lambda case: Resume(),
    A.REQUEST_EXTENSION: lambda case: RequestExtension(72, "需要等待施工队"),
    A.GRANT_EXTENSION: lambda case: DecideExtension(grant=True, note="同意"),
    A.DENY_EXTENSION: lambda case: DecideExtension(grant=False, note="请按期办结"),
    A.RESOLVE: lambda case: Resolve("已处理完毕"),
    A.VERIFY: lambda case: Verify(True, "现场核查，已修复"),
    A.EVALUATE: lambda case: Evaluate(Satisfaction.SATISFIED, "很满意"),
    A.REOPEN: lambda case: Reopen("居民不满意,返工"),
    A.CLOSE: lambda case: Close(),
    A.TICK_OFF: lambda case: TickOff("痛点已销号"),
    A.REQUEST_PARK: lambda case: RequestPark("涉及历史遗留问题,短期无法解决"),
    A.APPROVE_PARK: lambda case: DecidePark(approve=True, note="同意挂账"),
    A.REJECT_PARK: lambda case: DecidePark(approve=False, note="继续办理"),
    A.UNPARK: lambda case: Unpark(),
    A.ARCHIVE: lambda case: Archive(),
}

# Where each action leads: a state, "same" (the state is kept), or "tasks" (it depends on the
# case's other tasks; each representative that admits it says where).
Target = CaseState | Literal["same", "tasks"]
STATE_AFTER: dict[Action, Target] = {
    A.ACCEPT: CaseState.ACCEPTED,
    A.REJECT: CaseState.REJECTED,
    A.ASSIGN: CaseState.ASSIGNED,
    A.START: CaseState.IN_PROGRESS,
    A.CLAIM: "tasks",
    A.RESOLVE_TASK: "tasks",
    A.ESCALATE: CaseState.ASSIGNED,
    A.SEND_BACK: CaseState.ACCEPTED,
    A.PAUSE: CaseState.PAUSED,
    A.RESUME: CaseState.IN_PROGRESS,
    A.REQUEST_EXTENSION: "same",
    A.GRANT_EXTENSION: "same",
    A.DENY_EXTENSION: "same",
    A.RESOLVE: CaseState.RESOLVED,
    A.VERIFY: "same",
    A.EVALUATE: CaseState.EVALUATED,
    A.REOPEN: CaseState.IN_PROGRESS,
    A.CLOSE: CaseState.CLOSED,
    A.TICK_OFF: CaseState.CLOSED,
    A.REQUEST_PARK: "same",
    A.APPROVE_PARK: CaseState.PARKED,
    A.REJECT_PARK: "same",
    A.UNPARK: CaseState.IN_PROGRESS,
    A.ARCHIVE: CaseState.ARCHIVED,
}


def expected_state_after(representative: Rep, action: Action) -> CaseState:
    target = STATE_AFTER[action]
    if target == "tasks":
        assert action in representative.targets, f"{representative.id}: where does {action} lead?"
        return representative.targets[action]
    if target == "same":
        return representative.case.state
    return CaseState(target)


PAIRS = [pytest.param(r, action, id=f"{r.id}:{action.value}") for r in REPS for action in Action]


# --- helpers --------------------------------------------------------------------------------


def refused(case: Case, command: Command) -> InvalidTransition:
    """The command is refused as a transition; the error names the state and what is allowed."""
    with pytest.raises(InvalidTransition) as caught:
        transition(case, command)
    error = caught.value
    assert error.code is ErrorCode.INVALID_TRANSITION
    assert error.field == "action"
    assert error.current_state is case.state
    assert error.allowed == allowed_actions(case)
    assert f"state {case.state.value}" in error.message.render(Language.EN)
    assert all(a.value in error.message.render(Language.EN) for a in error.allowed)
    return error


def bad_input(case: Case, command: Command, field_name: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        transition(case, command)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == field_name
    return caught.value


Step = tuple[Command, CaseState, CaseState, bool]


def walk(case: Case, steps: Sequence[Step]) -> list[Outcome]:
    """Apply each command, checking its outcome's action, states and level change."""
    outcomes: list[Outcome] = []
    for command, from_state, to_state, level_changed in steps:
        outcome = transition(case, command)
        assert (
            outcome.action,
            outcome.from_state,
            outcome.to_state,
            outcome.level_changed,
        ) == (command.action, from_state, to_state, level_changed), command
        assert outcome.case.state is to_state
        outcomes.append(outcome)
        case = outcome.case
    return outcomes


def apply(case: Case, *commands: Command) -> Case:
    for command in commands:
        case = transition(case, command).case
    return case


# --- the table is complete ------------------------------------------------------------------


def test_the_table_covers_every_state() -> None:
    assert {r.case.state for r in REPS} == set(CaseState)


def test_the_table_has_a_command_for_every_action() -> None:
    assert set(COMMANDS) == set(Action)
    for action, build in COMMANDS.items():
        for r in REPS:
            assert build(r.case).action is action


def test_the_table_says_where_every_action_leads() -> None:
    assert set(STATE_AFTER) == set(Action)


def test_every_action_succeeds_somewhere_in_the_table() -> None:
    assert frozenset().union(*(r.allowed for r in REPS)) == set(Action)


@pytest.mark.parametrize("state", [CaseState.ASSIGNED, CaseState.IN_PROGRESS])
def test_the_table_covers_every_level_while_handling(state: CaseState) -> None:
    assert {r.case.level for r in REPS if r.case.state is state} == set(Level)


@pytest.mark.parametrize("level", list(Level))
def test_the_table_covers_every_combination_of_pending_requests(level: Level) -> None:
    flags = {
        (r.case.extension_pending, r.case.park_pending)
        for r in REPS
        if r.case.state is CaseState.IN_PROGRESS and r.case.level is level
    }
    assert flags == set(FLAGS)


def test_the_table_covers_every_reachable_shape_of_joint_tasks() -> None:
    shapes = {
        (r.case.state, tuple(t.status for t in r.case.tasks))
        for r in REPS
        if len(r.case.tasks) == 2
    }
    # Until the lead claims, the case waits in ASSIGNED (the support may claim first); once the
    # lead has claimed it is IN_PROGRESS until the last task resolves.
    assigned = {(CaseState.ASSIGNED, (S.ASSIGNED, support)) for support in (S.ASSIGNED, S.CLAIMED)}
    in_progress = {
        (CaseState.IN_PROGRESS, (lead, support))
        for lead, support in product((S.CLAIMED, S.RESOLVED), S)
        if (lead, support) != (S.RESOLVED, S.RESOLVED)
    }
    assert assigned | in_progress <= shapes


def test_representative_ids_are_unique() -> None:
    ids = [r.id for r in REPS]
    assert len(ids) == len(set(ids))


# --- every (state, action) pair -------------------------------------------------------------


@pytest.mark.parametrize("representative", [pytest.param(r, id=r.id) for r in REPS])
def test_allowed_actions_of_each_representative(representative: Rep) -> None:
    assert allowed_actions(representative.case) == representative.allowed


@pytest.mark.parametrize(("representative", "action"), PAIRS)
def test_transition_succeeds_exactly_when_allowed(representative: Rep, action: Action) -> None:
    case = representative.case
    command = COMMANDS[action](case)
    if action in allowed_actions(case):
        outcome = transition(case, command)
        assert outcome.action is action
        assert outcome.from_state is case.state
        assert outcome.to_state is outcome.case.state
        assert outcome.to_state is expected_state_after(representative, action)
        assert outcome.level_changed is (outcome.case.level is not case.level)
        moves = action in (A.ESCALATE, A.SEND_BACK) or (
            action is A.ASSIGN and case.level is not Level.DISTRICT
        )
        assert outcome.level_changed is moves
        return
    waits = closing_refusal(case, action)
    if waits is not None:  # the state allows it; the closing policy asks for a step first
        with pytest.raises(type(waits)) as waiting:
            transition(case, command)
        assert (waiting.value.code, waiting.value.field) == (waits.code, "caseId")
        assert waits.code in (ErrorCode.VERIFICATION_PENDING, ErrorCode.EVALUATION_PENDING)
        return
    with pytest.raises(InvalidTransition) as caught:
        transition(case, command)
    error = caught.value
    assert error.code is ErrorCode.INVALID_TRANSITION
    assert error.field == "action"
    assert error.current_state is case.state
    assert error.allowed == representative.allowed
    assert error.message.render(Language.EN).startswith(
        f"{action.value} is not allowed in state {case.state.value}"
    )
    assert case.state.value in error.message.render(Language.EN)
    for allowed in representative.allowed:
        assert allowed.value in error.message.render(Language.EN)
    listed = error.message.render(Language.EN).rsplit("; allowed: ", 1)[1]
    assert listed == (", ".join(sorted(a.value for a in representative.allowed)) or "none")
    assert str(error) == str(error.message)  # logs read the Chinese text


# --- story (a): 扬州路12号楼院北墙裂缝 ------------------------------------------------------------


@pytest.mark.parametrize("signed_for_on_the_way", [False, True], ids=["straight", "signed"])
@pytest.mark.parametrize("centre_dispatches", [False, True], ids=["escalated", "dispatched"])
def test_story_wall_crack_climbs_to_the_housing_department(
    signed_for_on_the_way: bool, centre_dispatches: bool
) -> None:
    cs = CaseState
    district = Level.DISTRICT
    sign_for = signed_for_on_the_way
    # (command, from, to, level changed, level after, assignee after)
    rows: list[tuple[Command, CaseState, CaseState, bool, Level | None, str | None]] = [
        (Accept(HandlingMode.ASSIGNED, "房屋安全"), cs.REPORTED, cs.ACCEPTED, False, None, None),
        (Assign(Level.GRID, GRID_UNIT), cs.ACCEPTED, cs.ASSIGNED, True, Level.GRID, GRID_UNIT),
        (Start(), cs.ASSIGNED, cs.IN_PROGRESS, False, Level.GRID, GRID_UNIT),
        (
            Escalate("网格无力解决,向社区吹哨", COMMUNITY_UNIT),
            cs.IN_PROGRESS,
            cs.ASSIGNED,
            True,
            Level.COMMUNITY,
            COMMUNITY_UNIT,
        ),
    ]
    if sign_for:
        rows.append((Start(), cs.ASSIGNED, cs.IN_PROGRESS, False, Level.COMMUNITY, COMMUNITY_UNIT))
    handling = cs.IN_PROGRESS if sign_for else cs.ASSIGNED
    rows.append(
        (
            Escalate("需要街道协调", STREET_UNIT),
            handling,
            cs.ASSIGNED,
            True,
            Level.STREET,
            STREET_UNIT,
        )
    )
    if sign_for:
        rows.append((Start(), cs.ASSIGNED, cs.IN_PROGRESS, False, Level.STREET, STREET_UNIT))
    if centre_dispatches:  # the governance centre (推进中心) then picks the department
        rows += [
            (Escalate("街道吹哨"), handling, cs.ASSIGNED, True, district, None),
            (
                Assign(district, lead_department=HOUSING),
                cs.ASSIGNED,
                cs.ASSIGNED,
                False,
                district,
                None,
            ),
        ]
    else:
        escalate = Escalate("街道吹哨,请区住建局报到", lead_department=HOUSING)
        rows.append((escalate, handling, cs.ASSIGNED, True, district, None))
    rows += [
        (Claim(HOUSING), cs.ASSIGNED, cs.IN_PROGRESS, False, district, None),
        (
            ResolveTask(HOUSING, "已加固北墙并修补裂缝"),
            cs.IN_PROGRESS,
            cs.RESOLVED,
            False,
            district,
            None,
        ),
        (
            Evaluate(Satisfaction.SATISFIED, "及时解决"),
            cs.RESOLVED,
            cs.EVALUATED,
            False,
            district,
            None,
        ),
        (Close(), cs.EVALUATED, cs.CLOSED, False, district, None),
        (Archive(), cs.CLOSED, cs.ARCHIVED, False, district, None),
    ]

    outcomes = walk(Case(), [row[:4] for row in rows])

    assert [(o.case.level, o.case.assignee_id) for o in outcomes] == [row[4:] for row in rows]
    assert all(o.case.mode is HandlingMode.ASSIGNED for o in outcomes)
    at_district = next(o.case for o in outcomes if o.case.level is Level.DISTRICT)
    assert at_district.assignee_id is None
    assert at_district.tasks == (() if centre_dispatches else (Task(HOUSING, TaskRole.LEAD),))
    claimed = next(o.case for o in outcomes if o.action is A.CLAIM)
    assert claimed.tasks == (Task(HOUSING, TaskRole.LEAD, TaskStatus.CLAIMED),)
    final = outcomes[-1].case
    assert final == Case(
        state=cs.ARCHIVED,
        level=Level.DISTRICT,
        assignee_id=None,
        mode=HandlingMode.ASSIGNED,
        category="房屋安全",
        tasks=(Task(HOUSING, TaskRole.LEAD, TaskStatus.RESOLVED, "已加固北墙并修补裂缝"),),
        satisfaction=Satisfaction.SATISFIED,
        result=f"[LEAD {HOUSING}] 已加固北墙并修补裂缝",
        closure=Closure.EVALUATED,
    )
    assert final.rework_count == 0
    assert not final.pain_point


# --- story (b): a joint case resolves with its last task ------------------------------------


@pytest.mark.parametrize(
    "claim_order", [(GARDENS, HOUSING), (HOUSING, GARDENS)], ids=["lead-first", "support-first"]
)
@pytest.mark.parametrize(
    "resolve_order", [(GARDENS, HOUSING), (HOUSING, GARDENS)], ids=["lead-first", "support-first"]
)
def test_story_joint_case_resolves_after_both_tasks(
    claim_order: tuple[str, str], resolve_order: tuple[str, str]
) -> None:
    cs = CaseState
    case = walk(
        Case(),
        [
            (Accept(HandlingMode.JOINT, "绿化"), cs.REPORTED, cs.ACCEPTED, False),
            (
                Assign(Level.DISTRICT, lead_department=GARDENS, supporting_departments=(HOUSING,)),
                cs.ACCEPTED,
                cs.ASSIGNED,
                True,
            ),
        ],
    )[-1].case
    assert case.tasks == joint(S.ASSIGNED, S.ASSIGNED)

    first, second = claim_order
    # The case is being handled once the lead department has claimed it (报到).
    after_first = cs.IN_PROGRESS if first == GARDENS else cs.ASSIGNED
    case = walk(
        case,
        [
            (Claim(first), cs.ASSIGNED, after_first, False),
            (Claim(second), after_first, cs.IN_PROGRESS, False),
        ],
    )[-1].case
    assert case.tasks == joint(S.CLAIMED, S.CLAIMED)

    first, second = resolve_order
    case = walk(
        case, [(ResolveTask(first, TASK_RESULTS[first]), cs.IN_PROGRESS, cs.IN_PROGRESS, False)]
    )[-1].case
    statuses = {t.department_id: (t.status, t.result) for t in case.tasks}
    assert statuses == {first: (S.RESOLVED, TASK_RESULTS[first]), second: (S.CLAIMED, None)}
    assert case.result is None
    assert A.RESOLVE not in allowed_actions(case)

    case = walk(
        case, [(ResolveTask(second, TASK_RESULTS[second]), cs.IN_PROGRESS, cs.RESOLVED, False)]
    )[-1].case
    assert case.tasks == joint(S.RESOLVED, S.RESOLVED)
    # Lead first, whatever order the departments finished in.
    assert case.result == (
        f"[LEAD {GARDENS}] {TASK_RESULTS[GARDENS]}\n[SUPPORT {HOUSING}] {TASK_RESULTS[HOUSING]}"
    )
    assert case.mode is HandlingMode.JOINT


def test_a_support_claim_alone_does_not_start_handling() -> None:
    case = placed(CaseState.ASSIGNED, Level.DISTRICT, joint(S.ASSIGNED, S.ASSIGNED))
    case = transition(case, Claim(HOUSING)).case
    assert case.state is CaseState.ASSIGNED
    assert case.tasks == joint(S.ASSIGNED, S.CLAIMED)
    # Not handling yet: the support department cannot resolve its part before the lead claims.
    refused(case, ResolveTask(HOUSING, TASK_RESULTS[HOUSING]))
    refused(case, Pause("等待"))
    assert transition(case, Claim(GARDENS)).case.state is CaseState.IN_PROGRESS


def test_a_joint_case_may_have_only_a_lead() -> None:
    case = transition(
        accepted(HandlingMode.JOINT), Assign(Level.DISTRICT, lead_department=GARDENS)
    ).case
    assert case.tasks == (Task(GARDENS, TaskRole.LEAD),)


def test_a_joint_case_with_several_supporting_departments() -> None:
    command = Assign(
        Level.DISTRICT, lead_department=GARDENS, supporting_departments=(HOUSING, "dept-water")
    )
    case = transition(accepted(HandlingMode.JOINT), command).case
    assert [(t.department_id, t.role) for t in case.tasks] == [
        (GARDENS, TaskRole.LEAD),
        (HOUSING, TaskRole.SUPPORT),
        ("dept-water", TaskRole.SUPPORT),
    ]
    case = apply(
        case,
        Claim(GARDENS),
        Claim(HOUSING),
        Claim("dept-water"),
        ResolveTask(GARDENS, "a"),
        ResolveTask(HOUSING, "b"),
    )
    assert case.state is CaseState.IN_PROGRESS
    case = transition(case, ResolveTask("dept-water", "c")).case
    assert case.state is CaseState.RESOLVED
    assert case.result == f"[LEAD {GARDENS}] a\n[SUPPORT {HOUSING}] b\n[SUPPORT dept-water] c"


# --- story (c): an unsatisfied evaluation and rework ----------------------------------------


def test_story_unsatisfied_evaluation_reopens_at_grid_and_counts_rework() -> None:
    cs = CaseState
    case = apply(accepted(), Assign(Level.GRID, GRID_UNIT), Start(), Resolve("已清理"))
    for round_ in (1, 2):
        outcomes = walk(
            case,
            [
                (
                    Evaluate(Satisfaction.UNSATISFIED, "没有清理干净"),
                    cs.RESOLVED,
                    cs.EVALUATED,
                    False,
                ),
                (Reopen("居民不满意,返工"), cs.EVALUATED, cs.IN_PROGRESS, False),
            ],
        )
        assert outcomes[0].case.satisfaction is Satisfaction.UNSATISFIED
        case = outcomes[-1].case
        assert case.rework_count == round_
        assert case.satisfaction is None
        assert case.result is None
        assert (case.level, case.assignee_id) == (Level.GRID, GRID_UNIT)
        case = transition(case, Resolve(f"第{round_}次返工后已清理")).case
        assert case.result == f"第{round_}次返工后已清理"
    case = transition(case, Evaluate(Satisfaction.SATISFIED)).case
    error = refused(case, Reopen("还想再改"))
    assert error.allowed == {A.CLOSE}
    assert case.rework_count == 2


def test_story_reopen_at_district_puts_every_task_back_to_claimed() -> None:
    resolved = placed(
        CaseState.RESOLVED, Level.DISTRICT, joint(S.RESOLVED, S.RESOLVED), result="combined"
    )
    evaluated = transition(resolved, Evaluate(Satisfaction.UNSATISFIED, "围墙仍有裂缝")).case
    outcome = transition(evaluated, Reopen("居民不满意,返工"))
    case = outcome.case
    assert (outcome.from_state, outcome.to_state, outcome.level_changed) == (
        CaseState.EVALUATED,
        CaseState.IN_PROGRESS,
        False,
    )
    assert case.tasks == joint(S.CLAIMED, S.CLAIMED)
    assert all(t.result is None for t in case.tasks)
    assert (case.rework_count, case.satisfaction, case.result) == (1, None, None)
    assert allowed_actions(case) == with_requests(HANDLING | {A.RESOLVE_TASK}, False, False)
    case = transition(case, ResolveTask(HOUSING, "围墙已重新修补")).case
    assert case.state is CaseState.IN_PROGRESS
    case = transition(case, ResolveTask(GARDENS, "已复查")).case
    assert case.state is CaseState.RESOLVED
    assert case.result == f"[LEAD {GARDENS}] 已复查\n[SUPPORT {HOUSING}] 围墙已重新修补"


def test_story_reopen_at_top_keeps_the_pain_point() -> None:
    case = placed(CaseState.EVALUATED, Level.TOP, satisfaction=Satisfaction.UNSATISFIED)
    case = transition(case, Reopen("仍不供暖")).case
    assert (case.state, case.level, case.assignee_id) == (CaseState.IN_PROGRESS, Level.TOP, LEADER)
    assert case.pain_point
    assert case.rework_count == 1


@pytest.mark.parametrize("comment", ["", "   ", "\n"])
def test_an_unsatisfied_evaluation_needs_a_comment(comment: str) -> None:
    bad_input(
        placed(CaseState.RESOLVED, Level.GRID),
        Evaluate(Satisfaction.UNSATISFIED, comment),
        "comment",
    )


@pytest.mark.parametrize("satisfaction", [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED])
def test_a_satisfied_evaluation_needs_no_comment_and_cannot_be_reopened(
    satisfaction: Satisfaction,
) -> None:
    case = transition(placed(CaseState.RESOLVED, Level.GRID), Evaluate(satisfaction)).case
    assert (case.state, case.satisfaction) == (CaseState.EVALUATED, satisfaction)
    error = refused(case, Reopen("想返工"))
    assert A.REOPEN not in error.allowed


def test_reopen_needs_an_evaluation_first() -> None:
    error = refused(placed(CaseState.RESOLVED, Level.GRID), Reopen("想返工"))
    assert error.allowed == {A.EVALUATE, A.CLOSE}


def test_an_unsatisfied_case_may_still_be_closed() -> None:
    case = placed(CaseState.EVALUATED, Level.GRID, satisfaction=Satisfaction.UNSATISFIED)
    closed = transition(case, Close()).case
    assert (closed.state, closed.satisfaction, closed.rework_count) == (
        CaseState.CLOSED,
        Satisfaction.UNSATISFIED,
        0,
    )


# --- story (d): duplicates are rejected and archived ----------------------------------------


@pytest.mark.parametrize("start", [Case(), accepted()], ids=["reported", "accepted"])
def test_story_duplicate_is_rejected_then_archived(start: Case) -> None:
    cs = CaseState
    outcomes = walk(
        start,
        [
            (
                Reject("与已受理案件重复", duplicate_of="case-wall-crack"),
                start.state,
                cs.REJECTED,
                False,
            ),
            (Archive(), cs.REJECTED, cs.ARCHIVED, False),
        ],
    )
    assert outcomes[0].case == replace(start, state=cs.REJECTED)
    assert allowed_actions(outcomes[0].case) == {A.ARCHIVE}
    assert allowed_actions(outcomes[-1].case) == frozenset()
    error = refused(outcomes[-1].case, Accept(HandlingMode.FAST, CATEGORY))
    assert error.message.render(Language.EN).endswith("allowed: none")


@pytest.mark.parametrize("start", [Case(), accepted()], ids=["reported", "accepted"])
def test_rejecting_a_duplicate_still_needs_a_reason(start: Case) -> None:
    bad_input(start, Reject("  ", duplicate_of="case-wall-crack"), "reason")


def test_a_rejected_case_cannot_be_accepted() -> None:
    rejected = transition(Case(), Reject("重复")).case
    refused(rejected, Accept(HandlingMode.FAST, CATEGORY))


# --- levels: escalation, TOP, send back -----------------------------------------------------


@pytest.mark.parametrize("state", [CaseState.ASSIGNED, CaseState.IN_PROGRESS])
@pytest.mark.parametrize("level", [*BELOW_DISTRICT, Level.DISTRICT])
def test_escalate_goes_exactly_one_level_up(state: CaseState, level: Level) -> None:
    tasks = single(S.CLAIMED) if level is Level.DISTRICT and state is CaseState.IN_PROGRESS else ()
    case = placed(state, level, tasks)
    above = level.next
    assert above is not None
    outcome = transition(case, _escalate(case))
    assert (outcome.from_state, outcome.to_state, outcome.level_changed) == (
        state,
        CaseState.ASSIGNED,
        True,
    )
    assert outcome.case.level is above
    if above is Level.DISTRICT:
        assert outcome.case.assignee_id is None
        assert outcome.case.tasks == (Task(HOUSING, TaskRole.LEAD),)
    else:
        assert outcome.case.assignee_id == UNIT_AT[above]
        assert outcome.case.tasks == ()
    assert outcome.case.pain_point is (above is Level.TOP)


def test_the_levels_climb_in_order() -> None:
    assert [level.next for level in Level] == [
        Level.COMMUNITY,
        Level.STREET,
        Level.DISTRICT,
        Level.TOP,
        None,
    ]


@pytest.mark.parametrize("state", [CaseState.ASSIGNED, CaseState.IN_PROGRESS])
def test_escalate_at_top_is_refused(state: CaseState) -> None:
    error = refused(placed(state, Level.TOP), Escalate("还要往上", assignee_id="leader-2"))
    assert A.ESCALATE not in error.allowed
    assert A.SEND_BACK in error.allowed


@pytest.mark.parametrize("state", [CaseState.RESOLVED, CaseState.EVALUATED])
def test_at_top_close_is_refused_but_tick_off_closes(state: CaseState) -> None:
    case = placed(
        state,
        Level.TOP,
        satisfaction=Satisfaction.SATISFIED if state is CaseState.EVALUATED else None,
    )
    error = refused(case, Close())
    assert A.TICK_OFF in error.allowed
    outcome = transition(case, TickOff("痛点已销号"))
    assert (outcome.from_state, outcome.to_state, outcome.level_changed) == (
        state,
        CaseState.CLOSED,
        False,
    )
    assert outcome.case.pain_point
    assert transition(outcome.case, Archive()).case.state is CaseState.ARCHIVED


@pytest.mark.parametrize("level", [*BELOW_DISTRICT, Level.DISTRICT])
def test_tick_off_below_top_is_refused(level: Level) -> None:
    case = placed(CaseState.RESOLVED, level, single(S.RESOLVED) if level is Level.DISTRICT else ())
    error = refused(case, TickOff())
    assert A.CLOSE in error.allowed


def test_escalating_into_top_makes_a_pain_point() -> None:
    case = placed(CaseState.IN_PROGRESS, Level.DISTRICT, joint(S.CLAIMED, S.RESOLVED))
    outcome = transition(case, Escalate("部门无法解决,提请区领导顶格推进", assignee_id=LEADER))
    assert outcome.level_changed
    after = outcome.case
    assert (after.state, after.level, after.assignee_id, after.tasks) == (
        CaseState.ASSIGNED,
        Level.TOP,
        LEADER,
        (),
    )
    assert after.pain_point
    assert not case.pain_point


def test_assigning_straight_to_top_makes_a_pain_point() -> None:
    outcome = transition(accepted(HandlingMode.TOP_LEVEL), Assign(Level.TOP, LEADER))
    assert outcome.level_changed
    assert (outcome.case.level, outcome.case.assignee_id, outcome.case.pain_point) == (
        Level.TOP,
        LEADER,
        True,
    )


@pytest.mark.parametrize("level", [*BELOW_DISTRICT, Level.DISTRICT])
def test_cases_below_top_are_no_pain_points(level: Level) -> None:
    command = (
        Assign(level, lead_department=HOUSING)
        if level is Level.DISTRICT
        else Assign(level, UNIT_AT[level])
    )
    assert not transition(accepted(), command).case.pain_point


def test_escalating_into_top_needs_a_leader_and_no_departments() -> None:
    case = placed(CaseState.IN_PROGRESS, Level.DISTRICT, single(S.CLAIMED))
    bad_input(case, Escalate("顶格"), "assigneeId")
    bad_input(
        case, Escalate("顶格", assignee_id=LEADER, lead_department=HOUSING), "leadDepartmentId"
    )


@pytest.mark.parametrize("level", BELOW_DISTRICT)
def test_escalating_below_district_needs_the_next_unit(level: Level) -> None:
    above = level.next
    assert above is not None
    case = placed(CaseState.IN_PROGRESS, level)
    if above is Level.DISTRICT:
        # At DISTRICT no department yet means the governance centre still has to dispatch.
        after = transition(case, Escalate("吹哨")).case
        assert (after.level, after.assignee_id, after.tasks) == (Level.DISTRICT, None, ())
        assert allowed_actions(after) == {A.ASSIGN, A.ESCALATE, A.SEND_BACK}
        bad_input(case, Escalate("吹哨", supporting_departments=(HOUSING,)), "leadDepartmentId")
    else:
        bad_input(case, Escalate("吹哨"), "assigneeId")
        bad_input(
            case, Escalate("吹哨", UNIT_AT[above], lead_department=HOUSING), "leadDepartmentId"
        )


@pytest.mark.parametrize("level", [*BELOW_DISTRICT, Level.DISTRICT])
@pytest.mark.parametrize("flags", FLAGS[1:], ids=["park", "extension", "both"])
def test_escalate_clears_pending_requests(level: Level, flags: tuple[bool, bool]) -> None:
    extension, park = flags
    tasks = single(S.CLAIMED) if level is Level.DISTRICT else ()
    case = placed(
        CaseState.IN_PROGRESS, level, tasks, extension_pending=extension, park_pending=park
    )
    after = transition(case, _escalate(case)).case
    assert (after.extension_pending, after.park_pending) == (False, False)
    assert after.level is level.next


HANDLING_REPS = [r for r in REPS if r.case.state in (CaseState.ASSIGNED, CaseState.IN_PROGRESS)]


def test_send_back_is_allowed_from_every_handling_case() -> None:
    assert all(A.SEND_BACK in r.allowed for r in HANDLING_REPS)
    assert all(A.SEND_BACK not in r.allowed for r in REPS if r not in HANDLING_REPS)


@pytest.mark.parametrize("representative", [pytest.param(r, id=r.id) for r in HANDLING_REPS])
def test_send_back_returns_to_accepted_and_clears_the_placement(representative: Rep) -> None:
    case = representative.case
    outcome = transition(case, SendBack("不属于本级职责"))
    after = outcome.case
    assert (outcome.from_state, outcome.to_state, outcome.level_changed) == (
        case.state,
        CaseState.ACCEPTED,
        True,
    )
    assert (after.level, after.assignee_id, after.tasks) == (None, None, ())
    assert (after.extension_pending, after.park_pending) == (False, False)
    assert (after.mode, after.category, after.rework_count) == (
        case.mode,
        case.category,
        case.rework_count,
    )
    assert allowed_actions(after) == {A.ASSIGN, A.REJECT}
    again = transition(after, Assign(Level.GRID, GRID_UNIT)).case
    assert (again.state, again.level, again.assignee_id) == (
        CaseState.ASSIGNED,
        Level.GRID,
        GRID_UNIT,
    )


def test_send_back_needs_a_reason() -> None:
    bad_input(placed(CaseState.ASSIGNED, Level.GRID), SendBack(""), "reason")


# --- assignment inputs -----------------------------------------------------------------------


@pytest.mark.parametrize("level", [*BELOW_DISTRICT, Level.TOP])
def test_an_assignee_is_needed_below_district_and_at_top(level: Level) -> None:
    error = bad_input(accepted(), Assign(level), "assigneeId")
    assert level.value in error.message.render(Language.EN)


@pytest.mark.parametrize("level", [*BELOW_DISTRICT, Level.TOP])
@pytest.mark.parametrize(
    ("lead", "supporting"),
    [(HOUSING, ()), (None, (HOUSING,)), (GARDENS, (HOUSING,))],
    ids=["lead", "support", "both"],
)
def test_departments_are_assigned_only_at_district(
    level: Level, lead: str | None, supporting: tuple[str, ...]
) -> None:
    command = Assign(level, UNIT_AT[level], lead, supporting)
    bad_input(accepted(HandlingMode.JOINT), command, "leadDepartmentId")


def test_assigning_to_district_without_a_lead_waits_for_the_centre() -> None:
    outcome = transition(accepted(), Assign(Level.DISTRICT))
    assert outcome.level_changed
    after = outcome.case
    assert (after.state, after.level, after.assignee_id, after.tasks) == (
        CaseState.ASSIGNED,
        Level.DISTRICT,
        None,
        (),
    )
    assert allowed_actions(after) == {A.ASSIGN, A.ESCALATE, A.SEND_BACK}
    dispatched = transition(after, Assign(Level.DISTRICT, lead_department=HOUSING))
    assert not dispatched.level_changed
    assert dispatched.case.tasks == (Task(HOUSING, TaskRole.LEAD),)
    assert A.ASSIGN not in allowed_actions(dispatched.case)


@pytest.mark.parametrize("mode", list(HandlingMode))
def test_supporting_departments_need_a_lead(mode: HandlingMode) -> None:
    bad_input(
        accepted(mode),
        Assign(Level.DISTRICT, supporting_departments=(HOUSING,)),
        "leadDepartmentId",
    )


@pytest.mark.parametrize(
    "supporting",
    [(GARDENS,), (HOUSING, HOUSING), (HOUSING, GARDENS), ("dept-water", HOUSING, "dept-water")],
    ids=["lead-supports", "twice", "lead-among", "support-twice"],
)
def test_departments_must_be_distinct(supporting: tuple[str, ...]) -> None:
    command = Assign(Level.DISTRICT, lead_department=GARDENS, supporting_departments=supporting)
    bad_input(accepted(HandlingMode.JOINT), command, "supportingDepartmentIds")


@pytest.mark.parametrize("mode", [m for m in HandlingMode if m is not HandlingMode.JOINT])
def test_only_joint_cases_have_supporting_departments(mode: HandlingMode) -> None:
    command = Assign(Level.DISTRICT, lead_department=GARDENS, supporting_departments=(HOUSING,))
    bad_input(accepted(mode), command, "supportingDepartmentIds")
    # The same check applies when escalating into DISTRICT.
    case = replace(placed(CaseState.IN_PROGRESS, Level.STREET), mode=mode)
    escalate = Escalate("吹哨", lead_department=GARDENS, supporting_departments=(HOUSING,))
    bad_input(case, escalate, "supportingDepartmentIds")


def test_a_joint_case_can_be_escalated_into_district_with_supporting_departments() -> None:
    case = replace(placed(CaseState.IN_PROGRESS, Level.STREET), mode=HandlingMode.JOINT)
    after = transition(
        case, Escalate("吹哨", lead_department=GARDENS, supporting_departments=(HOUSING,))
    ).case
    assert after.tasks == joint(S.ASSIGNED, S.ASSIGNED)


# --- department tasks: claim and resolve -----------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        placed(CaseState.ASSIGNED, Level.DISTRICT, single()),
        placed(CaseState.ASSIGNED, Level.DISTRICT, joint(S.ASSIGNED, S.ASSIGNED)),
        placed(CaseState.IN_PROGRESS, Level.DISTRICT, joint(S.CLAIMED, S.ASSIGNED)),
    ],
    ids=["single", "joint", "joint-in-progress"],
)
def test_claim_by_a_department_without_a_task_is_refused(case: Case) -> None:
    assert A.CLAIM in allowed_actions(case)
    error = refused(case, Claim("dept-water"))
    assert "no open task for department dept-water" in error.message.render(Language.EN)
    assert A.CLAIM in error.allowed


def test_claiming_twice_is_refused() -> None:
    case = transition(placed(CaseState.ASSIGNED, Level.DISTRICT, single()), Claim(HOUSING)).case
    error = refused(case, Claim(HOUSING))
    assert A.CLAIM not in error.allowed
    # In a joint case another department's task is still open, so CLAIM itself is allowed.
    case = transition(
        placed(CaseState.ASSIGNED, Level.DISTRICT, joint(S.ASSIGNED, S.ASSIGNED)), Claim(GARDENS)
    ).case
    error = refused(case, Claim(GARDENS))
    assert "no open task for department" in error.message.render(Language.EN)
    assert A.CLAIM in error.allowed


def test_claiming_a_resolved_task_is_refused() -> None:
    case = placed(CaseState.IN_PROGRESS, Level.DISTRICT, joint(S.RESOLVED, S.ASSIGNED))
    refused(case, Claim(GARDENS))


@pytest.mark.parametrize("level", [*BELOW_DISTRICT, Level.TOP])
def test_claim_and_task_resolution_only_happen_at_district(level: Level) -> None:
    for state in (CaseState.ASSIGNED, CaseState.IN_PROGRESS):
        case = placed(state, level)
        refused(case, Claim(HOUSING))
        refused(case, ResolveTask(HOUSING, "已处理"))


@pytest.mark.parametrize(
    ("tasks", "department"),
    [
        (joint(S.CLAIMED, S.ASSIGNED), HOUSING),  # not yet claimed
        (joint(S.CLAIMED, S.RESOLVED), HOUSING),  # already resolved
        (joint(S.CLAIMED, S.ASSIGNED), "dept-water"),  # no task at all
    ],
    ids=["unclaimed", "resolved", "stranger"],
)
def test_resolving_a_task_needs_it_claimed(tasks: tuple[Task, ...], department: str) -> None:
    case = placed(CaseState.IN_PROGRESS, Level.DISTRICT, tasks)
    assert A.RESOLVE_TASK in allowed_actions(case)
    error = refused(case, ResolveTask(department, "已处理"))
    assert f"department {department} has no claimed task" in error.message.render(Language.EN)


def test_resolving_a_task_twice_is_refused() -> None:
    case = placed(CaseState.IN_PROGRESS, Level.DISTRICT, single(S.CLAIMED))
    case = transition(case, ResolveTask(HOUSING, "已处理")).case
    assert case.state is CaseState.RESOLVED
    refused(case, ResolveTask(HOUSING, "再处理一次"))


@pytest.mark.parametrize(
    "tasks",
    [(), single(), joint(S.ASSIGNED, S.CLAIMED)],
    ids=["undispatched", "lead", "support-claimed"],
)
def test_start_is_refused_at_district(tasks: tuple[Task, ...]) -> None:
    error = refused(placed(CaseState.ASSIGNED, Level.DISTRICT, tasks), Start())
    assert A.START not in error.allowed


@pytest.mark.parametrize(
    "tasks",
    [single(S.CLAIMED), joint(S.CLAIMED, S.ASSIGNED), joint(S.RESOLVED, S.CLAIMED)],
    ids=["lead", "joint-open", "joint-last"],
)
def test_resolve_is_refused_at_district(tasks: tuple[Task, ...]) -> None:
    error = refused(placed(CaseState.IN_PROGRESS, Level.DISTRICT, tasks), Resolve("已处理"))
    assert A.RESOLVE not in error.allowed


def test_the_centre_cannot_redispatch_once_departments_have_tasks() -> None:
    case = placed(CaseState.ASSIGNED, Level.DISTRICT, single())
    refused(case, Assign(Level.DISTRICT, lead_department=GARDENS))


# --- pause and resume ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "tasks"),
    [(Level.GRID, ()), (Level.DISTRICT, joint(S.CLAIMED, S.ASSIGNED)), (Level.TOP, ())],
    ids=["grid", "district", "top"],
)
def test_pause_and_resume(level: Level, tasks: tuple[Task, ...]) -> None:
    case = placed(CaseState.IN_PROGRESS, level, tasks, extension_pending=True)
    cs = CaseState
    paused, resumed = walk(
        case,
        [
            (Pause("等待居民提供材料"), cs.IN_PROGRESS, cs.PAUSED, False),
            (Resume(), cs.PAUSED, cs.IN_PROGRESS, False),
        ],
    )
    assert allowed_actions(paused.case) == {A.RESUME}
    assert (paused.case.level, paused.case.tasks, paused.case.extension_pending) == (
        level,
        tasks,
        True,
    )
    assert resumed.case == case


def test_pause_needs_a_reason_and_handling() -> None:
    bad_input(placed(CaseState.IN_PROGRESS, Level.GRID), Pause(" "), "reason")
    refused(placed(CaseState.ASSIGNED, Level.GRID), Pause("等待"))
    refused(placed(CaseState.PAUSED, Level.GRID), Pause("等待"))
    refused(placed(CaseState.IN_PROGRESS, Level.GRID), Resume())


# --- extension requests ----------------------------------------------------------------------


@pytest.mark.parametrize("grant", [True, False], ids=["grant", "deny"])
@pytest.mark.parametrize(
    ("level", "tasks"),
    [(Level.GRID, ()), (Level.DISTRICT, single(S.CLAIMED)), (Level.TOP, ())],
    ids=["grid", "district", "top"],
)
def test_extension_request_then_decision(
    grant: bool, level: Level, tasks: tuple[Task, ...]
) -> None:
    case = placed(CaseState.IN_PROGRESS, level, tasks)
    cs = CaseState
    requested, decided = walk(
        case,
        [
            (RequestExtension(72, "需要等待施工队"), cs.IN_PROGRESS, cs.IN_PROGRESS, False),
            (DecideExtension(grant, "批示"), cs.IN_PROGRESS, cs.IN_PROGRESS, False),
        ],
    )
    assert requested.case.extension_pending
    assert decided.action is (A.GRANT_EXTENSION if grant else A.DENY_EXTENSION)
    assert decided.case == case
    # A second request while one is pending is refused; once decided, one may ask again.
    error = refused(requested.case, RequestExtension(24, "再延一天"))
    assert {A.GRANT_EXTENSION, A.DENY_EXTENSION} <= error.allowed
    assert transition(decided.case, RequestExtension(24, "再延一天")).case.extension_pending


@pytest.mark.parametrize("grant", [True, False], ids=["grant", "deny"])
def test_an_extension_cannot_be_decided_without_a_request(grant: bool) -> None:
    error = refused(placed(CaseState.IN_PROGRESS, Level.GRID), DecideExtension(grant))
    assert A.REQUEST_EXTENSION in error.allowed


@pytest.mark.parametrize(
    ("hours", "ok"),
    [(-1, False), (0, False), (1, True), (72, True), (2160, True), (2161, False)],
)
def test_extension_hours_are_between_one_hour_and_ninety_days(hours: int, ok: bool) -> None:
    case = placed(CaseState.IN_PROGRESS, Level.GRID)
    command = RequestExtension(hours, "需要等待施工队")
    if ok:
        assert transition(case, command).case.extension_pending
    else:
        error = bad_input(case, command, "hours")
        assert "2160" in error.message.render(Language.EN)


# --- park (挂账) requests --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "tasks"),
    [(Level.STREET, ()), (Level.DISTRICT, joint(S.CLAIMED, S.RESOLVED)), (Level.TOP, ())],
    ids=["street", "district", "top"],
)
def test_park_request_approved_then_unparked(level: Level, tasks: tuple[Task, ...]) -> None:
    case = placed(CaseState.IN_PROGRESS, level, tasks)
    cs = CaseState
    requested, parked, unparked = walk(
        case,
        [
            (RequestPark("历史遗留问题"), cs.IN_PROGRESS, cs.IN_PROGRESS, False),
            (DecidePark(approve=True, note="同意挂账"), cs.IN_PROGRESS, cs.PARKED, False),
            (Unpark(), cs.PARKED, cs.IN_PROGRESS, False),
        ],
    )
    assert requested.case.park_pending
    assert parked.action is A.APPROVE_PARK
    assert not parked.case.park_pending
    assert (parked.case.level, parked.case.tasks) == (level, tasks)
    assert allowed_actions(parked.case) == {A.UNPARK}
    assert unparked.case == case


def test_park_request_rejected_keeps_handling() -> None:
    case = placed(CaseState.IN_PROGRESS, Level.GRID)
    requested = transition(case, RequestPark("历史遗留问题")).case
    error = refused(requested, RequestPark("再申请一次"))
    assert {A.APPROVE_PARK, A.REJECT_PARK} <= error.allowed
    outcome = transition(requested, DecidePark(approve=False, note="继续办理"))
    assert outcome.action is A.REJECT_PARK
    assert (outcome.from_state, outcome.to_state) == (CaseState.IN_PROGRESS, CaseState.IN_PROGRESS)
    assert outcome.case == case


@pytest.mark.parametrize("approve", [True, False], ids=["approve", "reject"])
def test_a_park_cannot_be_decided_without_a_request(approve: bool) -> None:
    refused(placed(CaseState.IN_PROGRESS, Level.GRID), DecidePark(approve))


def test_pending_requests_are_independent() -> None:
    case = apply(
        placed(CaseState.IN_PROGRESS, Level.GRID),
        RequestExtension(24, "等材料"),
        RequestPark("历史遗留问题"),
    )
    assert (case.extension_pending, case.park_pending) == (True, True)
    case = transition(case, DecideExtension(grant=True)).case
    assert (case.extension_pending, case.park_pending) == (False, True)
    case = transition(case, DecidePark(approve=False)).case
    assert (case.extension_pending, case.park_pending) == (False, False)


# --- text bounds -----------------------------------------------------------------------------

REASON_COMMANDS = [
    pytest.param(Case(), lambda r: Reject(r), id="reject"),
    pytest.param(accepted(), lambda r: Reject(r, duplicate_of="case-1"), id="reject-duplicate"),
    pytest.param(
        placed(CaseState.IN_PROGRESS, Level.GRID),
        lambda r: Escalate(r, COMMUNITY_UNIT),
        id="escalate",
    ),
    pytest.param(
        placed(CaseState.IN_PROGRESS, Level.STREET),
        lambda r: Escalate(r, lead_department=HOUSING),
        id="escalate-to-district",
    ),
    pytest.param(placed(CaseState.ASSIGNED, Level.GRID), lambda r: SendBack(r), id="send-back"),
    pytest.param(placed(CaseState.IN_PROGRESS, Level.GRID), lambda r: Pause(r), id="pause"),
    pytest.param(
        placed(CaseState.IN_PROGRESS, Level.GRID),
        lambda r: RequestExtension(24, r),
        id="request-extension",
    ),
    pytest.param(
        placed(CaseState.EVALUATED, Level.GRID, satisfaction=Satisfaction.UNSATISFIED),
        lambda r: Reopen(r),
        id="reopen",
    ),
    pytest.param(
        placed(CaseState.IN_PROGRESS, Level.GRID), lambda r: RequestPark(r), id="request-park"
    ),
]

REASON_TEXTS = [
    pytest.param("", False, id="empty"),
    pytest.param("   ", False, id="spaces"),
    pytest.param("\n\t ", False, id="whitespace"),
    pytest.param("x", True, id="one"),
    pytest.param("x" * REASON_MAX, True, id="500"),
    pytest.param("x" * (REASON_MAX + 1), False, id="501"),
    pytest.param("墙" * REASON_MAX, True, id="500-chinese"),
    pytest.param("墙" * (REASON_MAX + 1), False, id="501-chinese"),
    pytest.param("  " + "x" * REASON_MAX + "\n", True, id="500-padded"),
]


def test_the_bounds_are_as_documented() -> None:
    assert (REASON_MAX, TEXT_MAX) == (500, 2000)


@pytest.mark.parametrize(("text", "ok"), REASON_TEXTS)
@pytest.mark.parametrize(("case", "build"), REASON_COMMANDS)
def test_reasons_are_required_and_at_most_500_characters(
    case: Case, build: Callable[[str], Command], text: str, ok: bool
) -> None:
    command = build(text)
    if ok:
        transition(case, command)
    else:
        bad_input(case, command, "reason")


RESULT_COMMANDS = [
    pytest.param(placed(CaseState.IN_PROGRESS, Level.GRID), lambda r: Resolve(r), id="resolve"),
    pytest.param(placed(CaseState.IN_PROGRESS, Level.TOP), lambda r: Resolve(r), id="resolve-top"),
    pytest.param(
        placed(CaseState.IN_PROGRESS, Level.DISTRICT, single(S.CLAIMED)),
        lambda r: ResolveTask(HOUSING, r),
        id="resolve-last-task",
    ),
    pytest.param(
        placed(CaseState.IN_PROGRESS, Level.DISTRICT, joint(S.CLAIMED, S.CLAIMED)),
        lambda r: ResolveTask(HOUSING, r),
        id="resolve-one-task",
    ),
]

RESULT_TEXTS = [
    pytest.param("", False, id="empty"),
    pytest.param(" \t", False, id="whitespace"),
    pytest.param("x" * TEXT_MAX, True, id="2000"),
    pytest.param("x" * (TEXT_MAX + 1), False, id="2001"),
    pytest.param("\n" + "修" * TEXT_MAX + " ", True, id="2000-padded"),
]


@pytest.mark.parametrize(("text", "ok"), RESULT_TEXTS)
@pytest.mark.parametrize(("case", "build"), RESULT_COMMANDS)
def test_results_are_required_and_at_most_2000_characters(
    case: Case, build: Callable[[str], Command], text: str, ok: bool
) -> None:
    command = build(text)
    if ok:
        transition(case, command)
    else:
        bad_input(case, command, "result")


def test_results_are_stored_trimmed() -> None:
    resolved = transition(placed(CaseState.IN_PROGRESS, Level.GRID), Resolve("  已清理  \n")).case
    assert resolved.result == "已清理"
    case = placed(CaseState.IN_PROGRESS, Level.DISTRICT, single(S.CLAIMED))
    resolved = transition(case, ResolveTask(HOUSING, " 已加固 ")).case
    assert resolved.tasks[0].result == "已加固"
    assert resolved.result == f"[LEAD {HOUSING}] 已加固"


@pytest.mark.parametrize("satisfaction", list(Satisfaction))
@pytest.mark.parametrize(
    "comment",
    ["", "  ", "不满意", "x" * TEXT_MAX, "x" * (TEXT_MAX + 1)],
    ids=["empty", "whitespace", "short", "2000", "2001"],
)
def test_evaluation_comments(satisfaction: Satisfaction, comment: str) -> None:
    case = placed(CaseState.RESOLVED, Level.GRID)
    too_long = len(comment) > TEXT_MAX
    missing = satisfaction is Satisfaction.UNSATISFIED and not comment.strip()
    if too_long or missing:
        bad_input(case, Evaluate(satisfaction, comment), "comment")
    else:
        assert transition(case, Evaluate(satisfaction, comment)).case.satisfaction is satisfaction


@pytest.mark.parametrize(
    ("category", "ok"),
    [("房屋安全", True), ("", False), ("  ", False), ("类" * 60, True), ("类" * 61, False)],
    ids=["short", "empty", "whitespace", "60", "61"],
)
def test_accept_needs_a_category_of_at_most_60_characters(category: str, ok: bool) -> None:
    command = Accept(HandlingMode.FAST, category)
    if ok:
        after = transition(Case(), command).case
        assert (after.mode, after.category) == (HandlingMode.FAST, category)
    else:
        bad_input(Case(), command, "category")


def test_accept_stores_the_category_trimmed() -> None:
    assert transition(Case(), Accept(HandlingMode.FAST, " 房屋安全 ")).case.category == "房屋安全"


@pytest.mark.parametrize("mode", list(HandlingMode))
def test_accept_records_the_handling_mode(mode: HandlingMode) -> None:
    outcome = transition(Case(), Accept(mode, CATEGORY))
    assert (outcome.case.state, outcome.case.mode, outcome.level_changed) == (
        CaseState.ACCEPTED,
        mode,
        False,
    )


# --- bugs found by these tests, fixed in api/domain/cases.py -----------------------------------


@pytest.mark.parametrize(
    ("case", "command"),
    [
        (
            placed(CaseState.IN_PROGRESS, Level.GRID, extension_pending=True, park_pending=True),
            Resolve("已处理"),
        ),
        (
            placed(
                CaseState.IN_PROGRESS,
                Level.DISTRICT,
                single(S.CLAIMED),
                extension_pending=True,
                park_pending=True,
            ),
            ResolveTask(HOUSING, "已处理"),
        ),
    ],
    ids=["resolve", "resolve-last-task"],
)
def test_resolving_settles_pending_requests(case: Case, command: Command) -> None:
    resolved = transition(case, command).case
    assert resolved.state is CaseState.RESOLVED
    assert (resolved.extension_pending, resolved.park_pending) == (False, False)


@pytest.mark.parametrize(
    ("case", "command"),
    [
        (
            placed(CaseState.IN_PROGRESS, Level.GRID, extension_pending=True),
            DecideExtension(grant=True, note="x" * (TEXT_MAX + 1)),
        ),
        (
            placed(CaseState.IN_PROGRESS, Level.GRID, extension_pending=True),
            DecideExtension(grant=False, note="x" * (TEXT_MAX + 1)),
        ),
        (
            placed(CaseState.IN_PROGRESS, Level.GRID, park_pending=True),
            DecidePark(approve=True, note="x" * (TEXT_MAX + 1)),
        ),
        (
            placed(CaseState.IN_PROGRESS, Level.GRID, park_pending=True),
            DecidePark(approve=False, note="x" * (TEXT_MAX + 1)),
        ),
        (placed(CaseState.RESOLVED, Level.TOP), TickOff("x" * (TEXT_MAX + 1))),
    ],
    ids=["grant", "deny", "approve-park", "reject-park", "tick-off"],
)
def test_decision_notes_are_bounded(case: Case, command: Command) -> None:
    with pytest.raises(InvalidInput):
        transition(case, command)
