"""Use cases of the 吹哨报到 closed loop: report a case, apply a transition, read cases.

Each change is one transaction: the case (conditioned on the version it was read at), an
immutable timeline event, the inbox projections, and the day's counters of the case's grid and
every ancestor. The rules of what may happen live in ``api.domain.cases``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime

from api.domain import cases as machine
from api.domain.case_catalogue import (
    Attachment,
    check_address,
    check_attachments,
    check_category,
    check_description,
    check_idempotency_key,
    check_position,
    tracking_code,
)
from api.domain.cases import Action, CaseState, Channel, Level, Satisfaction, TaskRole
from api.domain.clock import SHANGHAI, Clock, iso
from api.domain.deadlines.timers import Timer, TimerKind
from api.domain.errors import (
    Archived,
    Conflict,
    Forbidden,
    InvalidHierarchy,
    InvalidInput,
    NotFound,
)
from api.domain.figures import category_counter
from api.domain.idempotency import check_same_input, input_hash
from api.domain.ids import new_id
from api.domain.messages import msg
from api.domain.org import OrgKind, path_ids
from api.domain.roles import Permission, Role
from api.domain.timeline_actions import TimelineAction
from api.domain.tracking import check_code, new_tracking_key
from api.records.case import CallerContact, CaseRecord, ExternalRef, LevelVisit
from api.records.org import OrgUnitRecord
from api.services import case_access, case_races, case_verification, external_refs
from api.services.actor import Actor
from api.services.case_gauges import gauge_move
from api.services.deadlines import case_timers, department_timers
from api.services.figure_counters import department_counters, figure_counters
from api.store.case_store import CaseChange, EventDraft, Handler, Opening
from api.store.db import Db

REPORTABLE_KINDS = frozenset(
    {OrgKind.GRID, OrgKind.BUILDING, OrgKind.PARTY_HOUSEHOLD, OrgKind.UNIT_HOUSEHOLD}
)
LEVEL_KIND = {
    Level.GRID: OrgKind.GRID,
    Level.COMMUNITY: OrgKind.COMMUNITY,
    Level.STREET: OrgKind.STREET,
}


@dataclass(frozen=True)
class ReportInput:
    channel: Channel
    category: str
    description: str
    location_unit_id: str
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    attachments: list[Attachment] = field(default_factory=list)
    anonymous: bool = False
    idempotency_key: str | None = None
    topic_id: str | None = None  # set only by open_case_from_topic
    external_ref: ExternalRef | None = None  # API clients only (api/services/external_refs.py)
    caller: CallerContact | None = None  # a hotline's caller, as the reporter's contact


def _code_prefix(district_id: str) -> str:
    letters = re.sub(r"[^A-Z]", "", district_id.upper())[:4]
    return letters or "CASE"


def report_case(db: Db, actor: Actor, clock: Clock, data: ReportInput) -> CaseRecord:
    """Record a report. A retried call with the same idempotency key returns the same case."""
    if data.topic_id is not None:
        raise InvalidInput(msg("case.topic_channel"), field="channel")
    return _report(db, actor, clock, data)


def open_case_from_topic(
    db: Db, clock: Clock, *, topic_id: str, author_id: str, location_unit_id: str,
    category: str, description: str,
) -> CaseRecord:  # fmt: skip
    """党群议事: an adopted topic becomes a case with channel TOPIC, reported in the author's
    name and linked to the topic; the topic id is the idempotency key, so a retried close
    creates one case."""
    from api.services.actor import load_actor

    data = ReportInput(
        channel=Channel.TOPIC, category=category, description=description,
        location_unit_id=location_unit_id, idempotency_key=f"topic-{topic_id}",
        topic_id=topic_id,
    )  # fmt: skip
    return _report(db, load_actor(db, author_id), clock, data)


def day_of(at: str) -> str:
    """The Shanghai calendar day a moment counts on (day counters)."""
    return datetime.fromisoformat(at).astimezone(SHANGHAI).date().isoformat()


def _report(db: Db, actor: Actor, clock: Clock, data: ReportInput) -> CaseRecord:
    person_id = actor.require_login()
    category = check_category(data.category)
    description = check_description(data.description)
    address = check_address(data.address)
    check_position(data.latitude, data.longitude)
    attachments = check_attachments(data.attachments)
    key = check_idempotency_key(data.idempotency_key)
    ref = None if data.external_ref is None else external_refs.check_ref(actor, data.external_ref)
    caller = None if data.caller is None else external_refs.check_caller(actor, data.caller)
    same = (category, description, data.location_unit_id)
    if ref is not None and (found := external_refs.original(db, actor, ref, same)) is not None:
        return found  # the system retried its ticket: the original case
    given_hash = input_hash({**asdict(data), "idempotency_key": None})
    if key is not None:
        existing = db.cases.by_idempotency_key(person_id, key)
        if existing is not None:
            check_same_input(existing.input_hash, given_hash)
            return existing.value
    location = db.org_units.require(data.location_unit_id, field="locationUnitId")
    if location.kind not in REPORTABLE_KINDS:
        raise InvalidHierarchy(msg("case.location_level"), field="locationUnitId")
    if location.archived:
        raise Archived(msg("case.location_archived"), field="locationUnitId")
    grid_id = _grid_of(location)
    grid_path = location.path[: location.path.index(grid_id) + len(grid_id)]
    if data.topic_id is None:
        _check_channel(actor, data.channel, grid_path)
    district_id = path_ids(grid_path)[0]
    now = clock.now()
    at = iso(now)
    number = db.cases.next_number(f"CASECODE#{district_id}#{now.year}")
    person = actor.person
    case = CaseRecord(
        id=new_id(), code=tracking_code(_code_prefix(district_id), now.year, number),
        tracking_key=new_tracking_key(),
        state=CaseState.REPORTED, channel=data.channel, category=category, mode=None,
        level=None, assignee_id=None, assignee_name=None, tasks=(), extension_pending=False,
        park_pending=False, rework_count=0, satisfaction=None, evaluation_comment=None,
        result=None, pain_point=False, duplicate_of=None, rejection_reason=None,
        description=description, location_unit_id=location.id, grid_id=grid_id,
        grid_path=grid_path, address=address, latitude=data.latitude, longitude=data.longitude,
        attachments=tuple(attachments), anonymous=data.anonymous, reporter_id=person_id,
        reporter_name=caller.name if caller else person.name if person else None,
        reporter_phone=caller.phone if caller else person.phone if person else None,
        handler_names={
            unit_id: location.ancestor_name(unit_id)
            for unit_id in (grid_id, path_ids(grid_path)[2])
        }, levels=(), event_count=0,
        deadline=None, deadline_generation=0, policy_version=None, extension_hours=None,
        breached=False, ever_breached=False, reported_at=at, updated_at=at,
        topic_id=data.topic_id, timeline=(), version=0, external_ref=ref,
    )  # fmt: skip
    change = CaseChange(
        case=case,
        event=EventDraft("REPORT", None, CaseState.REPORTED, person_id, "REPORTER", at, None),
        handlers=current_handlers(case),
        counters={"reported": 1, category_counter(category): 1},
        day=day_of(at),
        opening=Opening(
            idempotency=external_refs.guard(ref) if ref else (person_id, key) if key else None,
            input_hash=given_hash,
        ),
        conflict=msg("case.exists_already"),
        gauges=gauge_move(None, case),
    )
    try:
        return db.cases.save(change)
    except Conflict:
        if ref is not None and (found := external_refs.original(db, actor, ref, same)) is not None:
            return found  # a concurrent retry of the ticket won the race
        if key is not None:
            existing = db.cases.by_idempotency_key(person_id, key)
            if existing is not None:
                check_same_input(existing.input_hash, given_hash)
                return existing.value  # a concurrent retry won the race: same case, no duplicate
        raise


def _grid_of(location: OrgUnitRecord) -> str:
    grid_id = location.ancestor_id(OrgKind.GRID)
    if grid_id is None:
        raise InvalidHierarchy(
            msg("case.not_under_grid", location_name=location.name, grid=OrgKind.GRID.value)
        )
    return grid_id


def _check_channel(actor: Actor, channel: Channel, grid_path: str) -> None:
    if channel is Channel.GRID_PATROL and not actor.can(Permission.HANDLE_CASES, grid_path):
        raise Forbidden(msg("case.patrol_staff_only"), field="channel")
    if channel is Channel.HOTLINE and not actor.can(Permission.DISPATCH_CASES, grid_path):
        raise Forbidden(msg("case.hotline_only"), field="channel")
    if channel is Channel.TOPIC:
        raise InvalidInput(msg("case.topic_channel"), field="channel")


def current_handlers(case: CaseRecord) -> tuple[Handler, ...]:
    """Who has the case in their inbox, derived from its state and level."""
    if case.state in (CaseState.REJECTED, CaseState.CLOSED, CaseState.ARCHIVED):
        return ()
    if case.level is None:
        # Reported or accepted: the intake of the community, whose dispatcher accepts and
        # dispatches (a grid worker may not accept), oldest report first.
        community_id = path_ids(case.grid_path)[2]
        return (Handler(community_id, case.name_of(community_id), "INTAKE"),)
    if case.level is Level.DISTRICT and case.tasks:
        return tuple(
            Handler(t.department_id, case.name_of(t.department_id), t.role.value, t.status)
            for t in case.tasks
        )
    if case.assignee_id is None:  # at DISTRICT before the governance centre dispatches
        return (Handler(case.district_id, case.name_of(case.district_id), "UNIT"),)
    role = "LEADER" if case.level is Level.TOP else "UNIT"
    return (Handler(case.assignee_id, case.name_of(case.assignee_id), role),)


@dataclass(frozen=True)
class Dispatch:
    """Where an ASSIGN or ESCALATE sends the case."""

    level: Level
    lead_department_id: str | None = None
    supporting_department_ids: tuple[str, ...] = ()
    leader_id: str | None = None


def _units_for_level(case: CaseRecord, level: Level) -> str | None:
    """The unit that handles a case at GRID/COMMUNITY/STREET: the grid or its ancestor."""
    kind = LEVEL_KIND.get(level)
    if kind is None:
        return None
    ids = path_ids(case.grid_path)
    return {OrgKind.STREET: ids[1], OrgKind.COMMUNITY: ids[2], OrgKind.GRID: ids[3]}[kind]


def resolve_dispatch(
    db: Db, case: CaseRecord, dispatch: Dispatch
) -> tuple[str | None, dict[str, str]]:
    """Validate the target of a dispatch; return the assignee id and display names."""
    names: dict[str, str] = {}
    district_id = case.district_id
    if dispatch.level is Level.DISTRICT:
        district = db.org_units.require(district_id)
        names[district.id] = district.name
        departments = [
            d for d in (dispatch.lead_department_id, *dispatch.supporting_department_ids) if d
        ]
        found = db.org_units.get_many(departments)
        for department_id in departments:
            unit = found.get(department_id)
            if unit is None or unit.kind != OrgKind.DEPARTMENT or unit.parent_id != district_id:
                raise NotFound(
                    msg("case.no_department", department_id=department_id), field="leadDepartmentId"
                )
            if unit.archived:
                raise Archived(
                    msg("case.department_archived", unit_name=unit.name), field="leadDepartmentId"
                )
            names[unit.id] = unit.name
        return None, names
    if dispatch.lead_department_id or dispatch.supporting_department_ids:
        raise InvalidInput(msg("case.departments_only_district"), field="leadDepartmentId")
    if dispatch.level is Level.TOP:
        leader = dispatch.leader_id
        if leader is None:
            raise InvalidInput(msg("case.name_leader"), field="leaderId")
        person, grants = db.people.with_grants(leader)
        if not any(g.org_id == district_id and g.role is Role.LEADER for g in grants):
            raise NotFound(msg("case.not_a_leader"), field="leaderId")
        names[leader] = person.name if person else leader
        return leader, names
    if dispatch.leader_id:
        raise InvalidInput(msg("case.leader_only_top"), field="leaderId")
    unit_id = _units_for_level(case, dispatch.level)
    assert unit_id is not None
    unit = db.org_units.require(unit_id)
    names[unit.id] = unit.name
    return unit.id, names


def _dispatch(command: machine.Command) -> Dispatch | None:
    """Where an ASSIGN or ESCALATE asks to send the case (an assignee the caller names is the
    leader who owns it at TOP); None for any other command, or an escalation by default."""
    match command:
        case machine.Assign(
            level=level, assignee_id=leader, lead_department=lead, supporting_departments=support
        ):
            return Dispatch(level, lead, support, leader)
        case machine.Escalate(
            assignee_id=leader, lead_department=lead, supporting_departments=support
        ):
            if not (leader or lead or support):
                return None  # one level up: the grid's community or street, or the centre
            # Departments mean DISTRICT, a leader TOP; _escalation_target checks the level.
            return Dispatch(Level.TOP if leader else Level.DISTRICT, lead, support, leader)
    return None


def _department(command: machine.Command) -> str | None:
    match command:
        case (
            machine.Claim(department_id=department) | machine.ResolveTask(department_id=department)
        ):
            return department
    return None


def _note(command: machine.Command) -> str:
    """The free text a command carries (reason, result, comment or note), for the timeline."""
    match command:
        case (
            machine.Reject(reason=text)
            | machine.Escalate(reason=text)
            | machine.SendBack(reason=text)
            | machine.Pause(reason=text)
            | machine.RequestExtension(reason=text)
            | machine.Reopen(reason=text)
            | machine.RequestPark(reason=text)
            | machine.ResolveTask(result=text)
            | machine.Resolve(result=text)
            | machine.Evaluate(comment=text)
            | machine.DecideExtension(note=text)
            | machine.TickOff(note=text)
            | machine.DecidePark(note=text)
            | machine.Verify(note=text)
        ):
            return text
    return ""


def _handling_path(case: CaseRecord) -> str | None:
    if case.level in (Level.GRID, Level.COMMUNITY, Level.STREET):
        ids = path_ids(case.grid_path)
        depth = {Level.STREET: 2, Level.COMMUNITY: 3, Level.GRID: 4}[case.level]
        return "/" + "/".join(ids[:depth])
    if case.level in (Level.DISTRICT, Level.TOP):
        return case.district_path
    return None


def department_paths(case: CaseRecord) -> dict[str, str]:
    """Paths of the departments with a task on the case, lead first (no read: a department
    sits directly under the district)."""
    ordered = sorted(case.tasks, key=lambda t: t.role is not TaskRole.LEAD)
    return {t.department_id: f"{case.district_path}/{t.department_id}" for t in ordered}


def act_on_case(
    db: Db,
    actor: Actor,
    clock: Clock,
    case_id: str,
    command: machine.Command,
    remark: str = "",
    idempotency_key: str | None = None,
) -> CaseRecord:
    """Apply one command of the state machine (``api.domain.cases``) to a case, as ``actor``;
    ``remark`` goes on the timeline when the command carries no text of its own (START…).
    ``idempotency_key`` (核查 only): a retry of the same verification returns the case as it
    is, without a second event."""
    # Sign-in first, and one answer for "missing" and "not yours", so that no caller can learn
    # whether a case id exists (see case_access.require_read).
    actor.require_login()
    action = command.action
    case = db.cases.get(case_id)
    if case is None:
        raise NotFound(case_access.NO_SUCH_CASE, field="caseId")
    paths = department_paths(case)
    case_access.require_read(actor, case, paths)
    case_access.require_action(
        actor, case, action, _handling_path(case), paths, _department(command)
    )
    dispatch = _dispatch(command)
    if (
        action is Action.ASSIGN
        and dispatch is not None
        and dispatch.level in (Level.DISTRICT, Level.TOP)
        and not actor.can(Permission.DISPATCH_CASES, case.district_path)
    ):
        # Dispatching to district departments or a district leader (包案) is the governance
        # centre's decision, even for a case not yet dispatched anywhere.
        raise Forbidden(msg("case.district_dispatchers_only"), field="level")
    before = case.domain()
    verification = None
    if isinstance(command, machine.Verify):
        verification = case_verification.key_of(actor, command, idempotency_key)
        if case_verification.replayed(case, verification):
            return case  # the same 核查 retried: it was recorded already
    if action not in machine.allowed_actions(before):
        raise machine.closing_refusal(before, action) or case_races.refusal(
            case, action, actor.person_id
        )
    if action is Action.ESCALATE:
        dispatch = _escalation_target(before, dispatch)
    if isinstance(command, machine.Reject) and command.duplicate_of is not None:
        _require_duplicate_target(db, actor, case, command.duplicate_of)
    names: dict[str, str] = {}
    if dispatch is not None and isinstance(command, (machine.Assign, machine.Escalate)):
        assignee, names = resolve_dispatch(db, case, dispatch)
        command = replace(command, assignee_id=assignee)
    if isinstance(command, machine.Accept):
        command = replace(command, category=check_category(command.category))
    policy = case_timers.current_policy(db, case)
    closing = machine.ClosingRules(policy.verification_required, policy.evaluation_required)
    outcome = machine.transition(before, command, closing)
    now = clock.now()
    at = iso(now)
    old_deadline = case.deadline
    new_deadline, _ = case_timers.next_deadline(
        db, case, outcome, now, case.extension_hours, policy
    )
    task_deadlines = department_timers.changed(db, case, before, outcome.case, action, now)
    counters = _counters(outcome, before, case.channel is Channel.TOPIC)
    due = old_deadline.due_at if old_deadline is not None else None
    if counters.get("resolved") and due is not None and now <= due and not case.breached:
        counters["resolved_on_time"] = 1
    counters.update(figure_counters(db, case, counters, action is Action.EVALUATE, now))
    after = advance(case, outcome, old_deadline, new_deadline, names, now)
    note = (_note(command) or remark).strip()
    if isinstance(command, machine.Reject):
        after = replace(after, rejection_reason=note, duplicate_of=command.duplicate_of)
    if action is Action.EVALUATE:
        after = replace(after, evaluation_comment=note or None)
    if verification is not None:
        after = replace(after, verification_key=verification)
    if isinstance(command, machine.RequestExtension):
        after = replace(after, extension_hours=float(command.hours))
    elif action in (Action.GRANT_EXTENSION, Action.DENY_EXTENSION):
        after = replace(after, extension_hours=None)
    if new_deadline is not None and outcome.action is not Action.RESUME:
        after = replace(after, policy_version=case_timers.current_policy(db, case).version)
    change = CaseChange(
        case=after,
        event=EventDraft(
            _event_action(command),
            outcome.from_state,
            outcome.to_state,
            actor.person_id,
            _actor_role(actor, case),
            at,
            note or None,
        ),
        handlers=current_handlers(after),
        previous_handlers=tuple(h.assignee_id for h in current_handlers(case)),
        counters=counters,
        day=day_of(at),
        task_deadlines=task_deadlines,
        unit_counters=department_counters(case, after, counters),
        gauges=gauge_move(case, after),
    )
    try:
        return db.cases.save(change)
    except Conflict as lost:
        raise case_races.lost_write(db, case.id, lost) from None


def _event_action(command: machine.Command) -> str:
    """The timeline's name of a command: a failed 核查 is VERIFY_FAILED."""
    if isinstance(command, machine.Verify) and not command.passed:
        return TimelineAction.VERIFY_FAILED.value
    return command.action.value


def advance(
    case: CaseRecord,
    outcome: machine.Outcome,
    old_deadline: Timer | None,
    new_deadline: Timer | None,
    names: dict[str, str],
    now: datetime,
) -> CaseRecord:
    """The case after ``outcome``: the machine's state, the levels visited (the level left
    keeps its deadline and whether it was met), display names, and the next deadline."""
    if outcome.level_changed or new_deadline is None or new_deadline.kind is TimerKind.EVALUATION:
        # Resolved (an evaluation window follows) or stopped: the level's limit is settled.
        case = case_timers.freeze_level(case, old_deadline, now)
    after = outcome.case
    at = iso(now)
    levels = case.levels
    if outcome.level_changed:
        if levels and levels[-1].left_at is None:
            levels = (*levels[:-1], replace(levels[-1], left_at=at))
        if after.level is not None:
            # due_at and met are set when the case leaves the level (freeze_level).
            levels = (*levels, LevelVisit(after.level, after.assignee_id, at, None, None, None))
    handler_names = {**case.handler_names, **names}
    case = replace(
        case,
        levels=levels,
        handler_names=handler_names,
        state=after.state,
        level=after.level,
        assignee_id=after.assignee_id,
        assignee_name=handler_names.get(after.assignee_id) if after.assignee_id else None,
        mode=after.mode,
        category=after.category,
        tasks=after.tasks,
        extension_pending=after.extension_pending,
        park_pending=after.park_pending,
        rework_count=after.rework_count,
        satisfaction=after.satisfaction,
        result=_with_department_names(after.result, handler_names),
        pain_point=after.pain_point,
        verification_pending=after.verification_pending,
        evaluation_required=after.evaluation_required,
        closure=after.closure,
        breached=False if outcome.level_changed else case.breached,
    )
    return case_timers.with_deadline(case, new_deadline)


def _require_duplicate_target(db: Db, actor: Actor, case: CaseRecord, duplicate_of: str) -> None:
    """The case a rejection links to must exist and be one the actor may read: a link must
    not reveal, or reach into, cases outside the actor's scope."""
    other = db.cases.get(duplicate_of, consistent=False) if duplicate_of != case.id else None
    if other is None or not case_access.can_read(actor, other, department_paths(other)):
        raise NotFound(msg("case.duplicate_missing"), field="duplicateOfId")


def _escalation_target(before: machine.Case, dispatch: Dispatch | None) -> Dispatch:
    """吹哨 goes exactly one level up; the target level defaults to that."""
    expected = before.level.next if before.level else None
    if expected is None:
        raise machine.InvalidTransition(before, Action.ESCALATE, msg("case.why_no_level_above"))
    if dispatch is None:
        return Dispatch(level=expected)
    if dispatch.level is not expected:
        raise InvalidInput(msg("case.escalate_one_level", expected=expected.value), field="level")
    return dispatch


def _with_department_names(result: str | None, names: dict[str, str]) -> str | None:
    """A joint case's combined result names departments, not their ids."""
    if result is None:
        return None
    for unit_id, name in names.items():
        result = result.replace(f" {unit_id}] ", f" {name}] ")
    return result


def _counters(
    outcome: machine.Outcome, before: machine.Case, topic_case: bool = False
) -> dict[str, int]:
    counters: dict[str, int] = {}
    if outcome.action is Action.ACCEPT:
        counters["accepted"] = 1
    if outcome.to_state is CaseState.RESOLVED and outcome.from_state is not CaseState.RESOLVED:
        counters["resolved"] = 1
        if before.level is Level.GRID:
            counters["resolved_in_grid"] = 1
        if topic_case:  # 党群议事 projects: resolved, and resolved inside the grid
            counters["topic_cases_resolved"] = 1
            if before.level is Level.GRID:
                counters["topic_cases_resolved_in_grid"] = 1
    if outcome.to_state is CaseState.CLOSED:
        counters["closed"] = 1
    if outcome.action is Action.EVALUATE and outcome.case.satisfaction in (
        Satisfaction.SATISFIED,
        Satisfaction.BASICALLY_SATISFIED,
    ):
        counters["satisfied"] = 1
    if outcome.action is Action.REOPEN:
        counters["reopened"] = 1
    if outcome.action is Action.VERIFY:
        if outcome.to_state is CaseState.RESOLVED:
            counters["verified"] = 1
        else:  # 核查不通过: back to handling, which is rework (返工) as much as a reopening
            counters["verification_failed"] = 1
            counters["reopened"] = 1
    return counters


def _actor_role(actor: Actor, case: CaseRecord) -> str:
    if case_access.is_reporter(actor, case):
        return "REPORTER"
    district = case.district_path
    covering = [
        g
        for g in actor.grants
        if case.grid_path.startswith(g.org_path) or g.org_path.startswith(district)
    ]
    return covering[0].role.value if covering else "STAFF"


def find_case(db: Db, actor: Actor, case_id: str) -> CaseRecord | None:
    case = db.cases.get(case_id, consistent=False)
    if case is None or not case_access.can_read(actor, case, department_paths(case)):
        return None
    return case


def find_by_code(db: Db, code: str) -> CaseRecord | None:
    return db.cases.by_code(check_code(code))
