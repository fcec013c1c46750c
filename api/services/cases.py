"""Use cases of the 吹哨报到 closed loop: report a case, apply a transition, read cases.

Each change is one transaction: the case (conditioned on the version it was read at), an
immutable timeline event, the inbox projections, and the day's counters of the case's grid and
every ancestor. The rules of what may happen live in ``api.domain.cases``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

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
from api.domain.errors import (
    Archived,
    Conflict,
    Forbidden,
    InvalidHierarchy,
    InvalidInput,
    NotFound,
)
from api.domain.ids import new_id
from api.domain.org import OrgKind, path_ids
from api.domain.roles import Permission, Role
from api.domain.tracking import check_code, new_tracking_key
from api.services import case_access, case_clock, org_units, task_clocks
from api.services.actor import Actor
from api.store.case_models import (
    CaseCodeItem,
    CaseEventItem,
    CaseItem,
    IdempotencyItem,
    case_key,
    code_key,
    district_cases_pk,
    event_sk,
    idempotency_key,
    reporter_pk,
    street_cases_pk,
    time_sk,
)
from api.store.case_store import (
    Change,
    Handler,
    case_id_by_code,
    get_case,
    next_sequence,
    tasks_json,
    to_domain,
    update_case,
)
from api.store.case_store import insert_case as store_insert
from api.store.db import Db
from api.store.models import RoleGrantItem, grant_key

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


def _code_prefix(district_id: str) -> str:
    letters = re.sub(r"[^A-Z]", "", district_id.upper())[:4]
    return letters or "CASE"


def report_case(db: Db, actor: Actor, clock: Clock, data: ReportInput) -> CaseItem:
    """Record a report. A retried call with the same idempotency key returns the same case."""
    if data.topic_id is not None:
        raise InvalidInput("Cases from topics are created when a topic is adopted", field="channel")
    return _report(db, actor, clock, data)


def open_case_from_topic(
    db: Db, clock: Clock, *, topic_id: str, author_id: str, location_unit_id: str,
    category: str, description: str,
) -> CaseItem:  # fmt: skip
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


def _report(db: Db, actor: Actor, clock: Clock, data: ReportInput) -> CaseItem:
    person_id = actor.require_login()
    category = check_category(data.category)
    description = check_description(data.description)
    address = check_address(data.address)
    check_position(data.latitude, data.longitude)
    attachments = check_attachments(data.attachments)
    key = check_idempotency_key(data.idempotency_key)
    if key is not None:
        existing = _by_idempotency_key(person_id, key)
        if existing is not None:
            return existing
    location = org_units.require_unit(data.location_unit_id, field="locationUnitId")
    if OrgKind(location.kind) not in REPORTABLE_KINDS:
        raise InvalidHierarchy(
            "A case is located in a grid, building or household", field="locationUnitId"
        )
    if location.archived:
        raise Archived("The location is archived", field="locationUnitId")
    grid_id = location.id if location.kind == OrgKind.GRID else _ancestor_id(location, OrgKind.GRID)
    grid_path = location.path[: location.path.index(grid_id) + len(grid_id)]
    if data.topic_id is None:
        _check_channel(actor, data.channel, grid_path)
    ancestors = path_ids(grid_path)
    district_id, street_id = ancestors[0], ancestors[1]
    now = clock.now()
    at = iso(now)
    number = next_sequence(f"CASECODE#{district_id}#{now.year}")
    code = tracking_code(_code_prefix(district_id), now.year, number)
    case_id = new_id()
    person = actor.person
    pk, sk = case_key(case_id)
    case = CaseItem(
        pk,
        sk,
        id=case_id,
        code=code,
        tracking_key=new_tracking_key(),
        state=CaseState.REPORTED.value,
        channel=data.channel.value,
        category=category,
        description=description,
        location_unit_id=location.id,
        grid_id=grid_id,
        grid_path=grid_path,
        address=address,
        latitude=data.latitude,
        longitude=data.longitude,
        attachments=[{"key": a.key, "content_type": a.content_type} for a in attachments],
        anonymous=data.anonymous,
        reporter_id=person_id,
        reporter_name=person.name if person else None,
        reporter_phone=person.phone if person else None,
        tasks=[],
        handler_names={grid_id: _ancestor_name(location, grid_id)},
        levels=[],
        event_count=1,
        reported_at=at,
        updated_at=at,
        topic_id=data.topic_id,
        gsi1pk=reporter_pk(person_id),
        gsi1sk=time_sk(at, case_id),
        gsi2pk=street_cases_pk(street_id),
        gsi2sk=time_sk(at, case_id),
        gsi3pk=district_cases_pk(district_id),
        gsi3sk=time_sk(at, case_id),
    )
    event = timeline_event(case, 1, "REPORT", None, CaseState.REPORTED, actor, "REPORTER", at, None)
    change = Change(
        event=event,
        handlers=current_handlers(case),
        counters={"reported": 1},
        counter_orgs=ancestors,
        day=now.astimezone(SHANGHAI).date().isoformat(),
    )
    code_pk, code_sk = code_key(code)
    idempotency = None
    if key is not None:
        idem_pk, idem_sk = idempotency_key(person_id, key)
        idempotency = IdempotencyItem(idem_pk, idem_sk, case_id=case_id)
    try:
        store_insert(db, case, change, CaseCodeItem(code_pk, code_sk, case_id=case_id), idempotency)
    except Conflict:
        if key is not None:
            existing = _by_idempotency_key(person_id, key)
            if existing is not None:
                return existing  # a concurrent retry won the race: same case, no duplicate
        raise
    return case


def _by_idempotency_key(person_id: str, key: str) -> CaseItem | None:
    from pynamodb.exceptions import DoesNotExist

    pk, sk = idempotency_key(person_id, key)
    try:
        case_id = IdempotencyItem.get(pk, sk, consistent_read=True).case_id
    except DoesNotExist:
        return None
    return get_case(case_id)


def _check_channel(actor: Actor, channel: Channel, grid_path: str) -> None:
    if channel is Channel.GRID_PATROL and not actor.can(Permission.HANDLE_CASES, grid_path):
        raise Forbidden("Only staff of this grid report on patrol", field="channel")
    if channel is Channel.HOTLINE and not actor.can(Permission.DISPATCH_CASES, grid_path):
        raise Forbidden(
            "Only hotline operators with a scope over this grid report as HOTLINE", field="channel"
        )
    if channel is Channel.TOPIC:
        raise InvalidInput("Cases from topics are created when a topic is adopted", field="channel")


def _ancestor_name(unit: Any, unit_id: str) -> str:
    name: str = unit.ancestor_name(unit_id)  # an OrgUnitRecord
    return name


def _ancestor_id(unit: Any, kind: OrgKind) -> str:
    found: str | None = unit.ancestor_id(kind)  # an OrgUnitRecord
    if found is None or found == unit.id:
        raise InvalidHierarchy(f"{unit.name} is not under a {kind.value}")
    return found


def timeline_event(
    case: CaseItem,
    seq: int,
    action: str,
    from_state: CaseState | None,
    to_state: CaseState,
    actor: Actor,
    role: str,
    at: str,
    note: str | None,
) -> CaseEventItem:
    return CaseEventItem(
        case.pk,
        event_sk(seq),
        case_id=case.id,
        seq=seq,
        action=action,
        from_state=from_state.value if from_state else None,
        to_state=to_state.value,
        actor_id=actor.person_id,
        actor_role=role,
        at=at,
        note=note,
        level=case.level,
        assignee_id=case.assignee_id,
    )


def current_handlers(case: CaseItem) -> list[Handler]:
    """Who has the case in their inbox, derived from its state and level."""
    names: dict[str, str] = case.handler_names or {}
    state = CaseState(case.state)
    if state in (CaseState.REJECTED, CaseState.CLOSED, CaseState.ARCHIVED):
        return []
    if case.level is None:  # reported or accepted: the grid's intake
        return [Handler(case.grid_id, names.get(case.grid_id, case.grid_id), "INTAKE")]
    if case.level == Level.DISTRICT and case.tasks:
        return [
            Handler(
                t["department_id"],
                names.get(t["department_id"], t["department_id"]),
                t["role"],
                t["status"],
            )
            for t in case.tasks
        ]
    if case.assignee_id is None:  # at DISTRICT before the governance centre dispatches
        district_id = path_ids(case.grid_path)[0]
        return [Handler(district_id, names.get(district_id, district_id), "UNIT")]
    role = "LEADER" if case.level == Level.TOP else "UNIT"
    return [Handler(case.assignee_id, names.get(case.assignee_id, case.assignee_id), role)]


@dataclass(frozen=True)
class Dispatch:
    """Where an ASSIGN or ESCALATE sends the case."""

    level: Level
    lead_department_id: str | None = None
    supporting_department_ids: tuple[str, ...] = ()
    leader_id: str | None = None


def _units_for_level(case: CaseItem, level: Level) -> str | None:
    """The unit that handles a case at GRID/COMMUNITY/STREET: the grid or its ancestor."""
    kind = LEVEL_KIND.get(level)
    if kind is None:
        return None
    ids = path_ids(case.grid_path)
    return {OrgKind.STREET: ids[1], OrgKind.COMMUNITY: ids[2], OrgKind.GRID: ids[3]}[kind]


def resolve_dispatch(case: CaseItem, dispatch: Dispatch) -> tuple[str | None, dict[str, str]]:
    """Validate the target of a dispatch; return the assignee id and display names."""
    names: dict[str, str] = {}
    district_id = path_ids(case.grid_path)[0]
    if dispatch.level is Level.DISTRICT:
        district = org_units.require_unit(district_id)
        names[district.id] = district.name
        departments = [
            d for d in (dispatch.lead_department_id, *dispatch.supporting_department_ids) if d
        ]
        found = org_units.load_many(departments)
        for department_id in departments:
            unit = found.get(department_id)
            if unit is None or unit.kind != OrgKind.DEPARTMENT or unit.parent_id != district_id:
                raise NotFound(
                    f"No department {department_id} in this district", field="leadDepartmentId"
                )
            if unit.archived:
                raise Archived(f"Department {unit.name} is archived", field="leadDepartmentId")
            names[unit.id] = unit.name
        return None, names
    if dispatch.lead_department_id or dispatch.supporting_department_ids:
        raise InvalidInput(
            "Departments take cases only at DISTRICT level", field="leadDepartmentId"
        )
    if dispatch.level is Level.TOP:
        leader = dispatch.leader_id
        if leader is None:
            raise InvalidInput(
                "Name the district leader who owns the case (包案)", field="leaderId"
            )
        pk, sk = grant_key(leader, district_id, Role.LEADER.value)
        if not RoleGrantItem.count(pk, RoleGrantItem.sk == sk, consistent_read=True):
            raise NotFound("That person is not a leader of this district", field="leaderId")
        from api.services.people import get_person

        person = get_person(leader)
        names[leader] = person.name if person else leader
        return leader, names
    if dispatch.leader_id:
        raise InvalidInput("A leader owns a case only at TOP level", field="leaderId")
    unit_id = _units_for_level(case, dispatch.level)
    assert unit_id is not None
    unit = org_units.require_unit(unit_id)
    names[unit.id] = unit.name
    return unit.id, names


@dataclass(frozen=True)
class Act:
    """A request to apply one action, with what the action needs."""

    action: Action
    note: str = ""
    dispatch: Dispatch | None = None
    department_id: str | None = None
    mode: machine.HandlingMode | None = None
    category: str | None = None
    duplicate_of: str | None = None
    hours: int = 0
    grant: bool = True
    satisfaction: Satisfaction | None = None


def _command(act: Act, dispatch: Dispatch | None, assignee: str | None) -> machine.Command:
    note = act.note
    match act.action:
        case Action.ACCEPT:
            if act.mode is None or act.category is None:
                raise InvalidInput("Accepting needs a handling mode and a category", field="mode")
            return machine.Accept(act.mode, check_category(act.category))
        case Action.REJECT:
            return machine.Reject(note, act.duplicate_of)
        case Action.ASSIGN | Action.ESCALATE:
            if dispatch is None:
                raise InvalidInput("Say where the case goes", field="level")
            if act.action is Action.ASSIGN:
                return machine.Assign(
                    dispatch.level,
                    assignee,
                    dispatch.lead_department_id,
                    dispatch.supporting_department_ids,
                )
            return machine.Escalate(
                note, assignee, dispatch.lead_department_id, dispatch.supporting_department_ids
            )
        case Action.START:
            return machine.Start()
        case Action.CLAIM:
            return machine.Claim(act.department_id or "")
        case Action.RESOLVE_TASK:
            return machine.ResolveTask(act.department_id or "", note)
        case Action.SEND_BACK:
            return machine.SendBack(note)
        case Action.PAUSE:
            return machine.Pause(note)
        case Action.RESUME:
            return machine.Resume()
        case Action.REQUEST_EXTENSION:
            return machine.RequestExtension(act.hours, note)
        case Action.GRANT_EXTENSION | Action.DENY_EXTENSION:
            return machine.DecideExtension(act.action is Action.GRANT_EXTENSION, note)
        case Action.RESOLVE:
            return machine.Resolve(note)
        case Action.EVALUATE:
            if act.satisfaction is None:
                raise InvalidInput("Say how satisfied you are", field="satisfaction")
            return machine.Evaluate(act.satisfaction, note)
        case Action.REOPEN:
            return machine.Reopen(note)
        case Action.CLOSE:
            return machine.Close()
        case Action.TICK_OFF:
            return machine.TickOff(note)
        case Action.REQUEST_PARK:
            return machine.RequestPark(note)
        case Action.APPROVE_PARK | Action.REJECT_PARK:
            return machine.DecidePark(act.action is Action.APPROVE_PARK, note)
        case Action.UNPARK:
            return machine.Unpark()
        case Action.ARCHIVE:
            return machine.Archive()
    raise AssertionError(act.action)


def _handling_path(case: CaseItem) -> str | None:
    if case.level in (Level.GRID, Level.COMMUNITY, Level.STREET):
        ids = path_ids(case.grid_path)
        depth = {Level.STREET: 2, Level.COMMUNITY: 3, Level.GRID: 4}[Level(case.level)]
        return "/" + "/".join(ids[:depth])
    if case.level in (Level.DISTRICT, Level.TOP):
        return case_access.district_path(case)
    return None


def department_paths(case: CaseItem) -> dict[str, str]:
    """Paths of the departments with a task on the case, lead first (no read: a department
    sits directly under the district)."""
    district = case_access.district_path(case)
    ordered = sorted(case.tasks or [], key=lambda t: t["role"] != TaskRole.LEAD.value)
    return {t["department_id"]: f"{district}/{t['department_id']}" for t in ordered}


def act_on_case(db: Db, actor: Actor, clock: Clock, case_id: str, act: Act) -> CaseItem:
    # Sign-in first, and one answer for "missing" and "not yours", so that no caller can learn
    # whether a case id exists (see case_access.require_read).
    actor.require_login()
    case = get_case(case_id)
    if case is None:
        raise NotFound(case_access.NO_SUCH_CASE, field="caseId")
    paths = department_paths(case)
    case_access.require_read(actor, case, paths)
    case_access.require_action(
        actor, case, act.action, _handling_path(case), paths, act.department_id
    )
    if (
        act.action is Action.ASSIGN
        and act.dispatch is not None
        and act.dispatch.level in (Level.DISTRICT, Level.TOP)
        and not actor.can(Permission.DISPATCH_CASES, case_access.district_path(case))
    ):
        # Dispatching to district departments or a district leader (包案) is the governance
        # centre's decision, even for a case not yet dispatched anywhere.
        raise Forbidden(
            "Only the district's dispatchers send a case to the district", field="level"
        )
    before = to_domain(case)
    if act.action not in machine.allowed_actions(before):
        raise machine.InvalidTransition(before, act.action)
    dispatch = act.dispatch
    if act.action is Action.ESCALATE:
        dispatch = _escalation_target(before, dispatch)
    if act.duplicate_of is not None:
        _require_duplicate_target(actor, case, act.duplicate_of)
    assignee: str | None = None
    names: dict[str, str] = {}
    if dispatch is not None:
        assignee, names = resolve_dispatch(case, dispatch)
    outcome = machine.transition(before, _command(act, dispatch, assignee))
    now = clock.now()
    at = iso(now)
    previous_handlers = current_handlers(case)
    case.handler_names = {**(case.handler_names or {}), **names}
    old_clock = case_clock.clock_of(case)
    new_clock, _ = case_clock.next_clock(
        case, outcome, now, float(case.extension_hours or 0) or None
    )
    if outcome.level_changed or new_clock is None:
        case_clock.freeze_level(case, old_clock, now)
    task_clock_items = task_clocks.changed_items(case, before, outcome.case, act.action, now)
    counters = _counters(outcome, before, case.channel == Channel.TOPIC)
    due = old_clock.due_at if old_clock is not None else None
    if counters.get("resolved") and due is not None and now <= due and not case.breached:
        counters["resolved_on_time"] = 1
    apply_outcome(case, outcome, act, at)
    if outcome.level_changed:
        case.breached = False
    if act.action is Action.REQUEST_EXTENSION:
        case.extension_hours = act.hours
    elif act.action in (Action.GRANT_EXTENSION, Action.DENY_EXTENSION):
        case.extension_hours = None
    case_clock.store_clock(case, new_clock)
    if new_clock is not None and outcome.action is not Action.RESUME:
        case.policy_version = case_clock.current_policy(case).version
    seq = int(case.event_count or 0) + 1
    case.event_count = seq
    case.updated_at = at
    event = timeline_event(
        case,
        seq,
        act.action.value,
        outcome.from_state,
        outcome.to_state,
        actor,
        _actor_role(actor, case),
        at,
        act.note.strip() or None,
    )
    change = Change(
        event=event,
        handlers=current_handlers(case),
        previous_handlers=[h.assignee_id for h in previous_handlers],
        counters=counters,
        counter_orgs=path_ids(case.grid_path),
        day=now.astimezone(SHANGHAI).date().isoformat(),
        task_clocks=task_clock_items,
    )
    update_case(db, case, change)
    return case


def _require_duplicate_target(actor: Actor, case: CaseItem, duplicate_of: str) -> None:
    """The case a rejection links to must exist and be one the actor may read: a link must
    not reveal, or reach into, cases outside the actor's scope."""
    other = get_case(duplicate_of, consistent=False) if duplicate_of != case.id else None
    if other is None or not case_access.can_read(actor, other, department_paths(other)):
        raise NotFound("The case this duplicates does not exist", field="duplicateOfId")


def _escalation_target(before: machine.Case, dispatch: Dispatch | None) -> Dispatch:
    """吹哨 goes exactly one level up; the target level defaults to that."""
    expected = before.level.next if before.level else None
    if expected is None:
        raise machine.InvalidTransition(before, Action.ESCALATE, "no level above")
    if dispatch is None:
        return Dispatch(level=expected)
    if dispatch.level is not expected:
        raise InvalidInput(f"Escalation goes one level up, to {expected.value}", field="level")
    return dispatch


def apply_outcome(case: CaseItem, outcome: machine.Outcome, act: Act, at: str) -> None:
    after = outcome.case
    if outcome.level_changed:
        levels = list(case.levels or [])
        if levels and levels[-1].get("left_at") is None:
            levels[-1] = {**levels[-1], "left_at": at}
        if after.level is not None:
            # due_at and met are set by the time-limit policy (timers issue); None until then.
            levels.append(
                {"level": after.level.value, "assignee_id": after.assignee_id, "entered_at": at,
                 "left_at": None, "due_at": None, "met": None}
            )  # fmt: skip
        case.levels = levels
    case.state = after.state.value
    case.level = after.level.value if after.level else None
    case.assignee_id = after.assignee_id
    case.assignee_name = (
        (case.handler_names or {}).get(after.assignee_id) if after.assignee_id else None
    )
    case.mode = after.mode.value if after.mode else None
    case.category = after.category
    case.tasks = tasks_json(after)
    case.extension_pending = after.extension_pending
    case.park_pending = after.park_pending
    case.rework_count = after.rework_count
    case.satisfaction = after.satisfaction.value if after.satisfaction else None
    case.result = _with_department_names(after.result, case.handler_names or {})
    case.pain_point = after.pain_point
    if act.action is Action.REJECT:
        case.rejection_reason = act.note.strip()
        case.duplicate_of = act.duplicate_of
    if act.action is Action.EVALUATE:
        case.evaluation_comment = act.note.strip() or None


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
    return counters


def _actor_role(actor: Actor, case: CaseItem) -> str:
    if case_access.is_reporter(actor, case):
        return "REPORTER"
    district = case_access.district_path(case)
    covering = [
        g
        for g in actor.grants
        if case.grid_path.startswith(g.org_path) or g.org_path.startswith(district)
    ]
    return covering[0].role.value if covering else "STAFF"


def find_case(actor: Actor, case_id: str) -> CaseItem | None:
    case = get_case(case_id, consistent=False)
    if case is None or not case_access.can_read(actor, case, department_paths(case)):
        return None
    return case


def find_by_code(code: str) -> CaseItem | None:
    case_id = case_id_by_code(check_code(code))
    return get_case(case_id, consistent=False) if case_id else None
