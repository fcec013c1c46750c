"""入格申请: a signed-in person applies to live in a grid; the grid's deciders approve or reject.

Who decides is ``api.domain.grid_applications.may_decide`` (ADMIN covering the grid; SECRETARY
or STAFF of its community; SECRETARY or GRID_WORKER of the grid; never the applicant). An
approval moves the applicant's home to the grid (or the building / household named in the
application) in the same transaction as the decision (``db.grid_applications.decide``).
Every refusal is a typed error and writes nothing.
"""

from __future__ import annotations

from api.domain.clock import Clock, iso
from api.domain.errors import (
    AlreadyExists,
    Archived,
    Conflict,
    Forbidden,
    InvalidHierarchy,
    InvalidInput,
    NotFound,
)
from api.domain.grid_applications import GridApplicationState, Holding, may_decide, may_list
from api.domain.idempotency import check_same_input, input_hash
from api.domain.ids import new_id
from api.domain.org import OrgKind, is_within
from api.domain.text import free_text
from api.records.grid_application import GridApplicationRecord
from api.records.org import OrgUnitRecord, PersonRecord
from api.records.page import Page
from api.services.actor import Actor
from api.store.db import Db
from api.store.grid_application_store import Decision, HomeMove, NewApplication

NOTE_LENGTH = 500
KEY_LENGTH = 64
HOME_KINDS = (OrgKind.GRID, OrgKind.BUILDING, OrgKind.PARTY_HOUSEHOLD, OrgKind.UNIT_HOUSEHOLD)
STATE_NAMES = {
    GridApplicationState.APPLIED: "待审核",
    GridApplicationState.APPROVED: "已通过",
    GridApplicationState.REJECTED: "已驳回",
}


def _holdings(actor: Actor) -> list[Holding]:
    return [Holding(g.role, g.org_id, g.org_path) for g in actor.grants]


def _applicant(db: Db, actor: Actor) -> PersonRecord:
    person_id = actor.require_login()
    person = db.people.get(person_id, consistent=True)
    if person is None:
        raise NotFound("你尚未登记，无法申请入格")
    return person


def _places(db: Db, grid_id: str, home_unit_id: str | None) -> tuple[OrgUnitRecord, OrgUnitRecord]:
    grid = db.org_units.require(grid_id, field="gridId")
    if grid.kind is not OrgKind.GRID:
        raise InvalidHierarchy("请选择一个网格", field="gridId")
    if grid.archived:
        raise Archived("该网格已撤销", field="gridId")
    if home_unit_id is None:
        return grid, grid
    home = db.org_units.require(home_unit_id, field="homeUnitId")
    if home.kind not in HOME_KINDS or not is_within(home.path, grid.path):
        raise InvalidHierarchy("住所须为该网格内的楼院或中心户", field="homeUnitId")
    if home.archived:
        raise Archived("该住所单元已撤销", field="homeUnitId")
    return grid, home


def _replay(db: Db, person_id: str, key: str, given: str) -> GridApplicationRecord | None:
    """The application a reused key made (same input), or IDEMPOTENCY_MISMATCH."""
    keyed = db.grid_applications.by_idempotency_key(person_id, key)
    if keyed is None:
        return None
    check_same_input(keyed.input_hash, given)
    return db.grid_applications.get(keyed.value, consistent=True)


def apply(
    db: Db,
    actor: Actor,
    clock: Clock,
    grid_id: str,
    home_unit_id: str | None,
    note: str | None,
    idempotency_key: str | None,
) -> GridApplicationRecord:
    person = _applicant(db, actor)
    if idempotency_key is not None and not 0 < len(idempotency_key) <= KEY_LENGTH:
        raise InvalidInput(f"幂等键须为 1–{KEY_LENGTH} 个字符", field="idempotencyKey")
    text = free_text(note or "", "note", max_length=NOTE_LENGTH, required=False) or None
    given = input_hash({"gridId": grid_id, "homeUnitId": home_unit_id, "note": text})
    if idempotency_key is not None:
        replayed = _replay(db, person.id, idempotency_key, given)
        if replayed is not None:
            return replayed
    grid, home = _places(db, grid_id, home_unit_id)
    if person.home_path is not None and is_within(person.home_path, grid.path):
        raise AlreadyExists("你已是该网格的居民", field="gridId")
    if db.grid_applications.open_of(person.id) is not None:
        raise AlreadyExists("你已有一份待审核的入格申请，请等待审核结果")
    record = GridApplicationRecord(
        id=new_id(),
        applicant_id=person.id,
        applicant_name=person.name,
        grid_id=grid.id,
        grid_path=grid.path,
        grid_name=grid.name,
        community_id=grid.ancestor_id(OrgKind.COMMUNITY),
        home_unit_id=home.id,
        home_unit_name=home.name,
        note=text,
        state=GridApplicationState.APPLIED,
        applied_at=iso(clock.now()),
        decided_at=None,
        decided_by=None,
        reason=None,
        version=1,  # as written
    )
    keyed = (idempotency_key, given) if idempotency_key is not None else None
    try:
        db.grid_applications.apply(NewApplication(record, keyed))
    except Conflict:
        # A concurrent request won: the same key (replay or mismatch), or another application.
        if idempotency_key is not None:
            replayed = _replay(db, person.id, idempotency_key, given)
            if replayed is not None:
                return replayed
        raise AlreadyExists("你已有一份待审核的入格申请，请等待审核结果") from None
    return record


def decide(
    db: Db, actor: Actor, clock: Clock, application_id: str, approve: bool, reason: str | None
) -> GridApplicationRecord:
    decider = actor.require_login()
    application = db.grid_applications.get(application_id, consistent=True)
    if application is None:
        raise NotFound("没有这份入格申请", field="applicationId")
    allowed = may_decide(
        _holdings(actor), application.grid_id, application.grid_path, application.community_id,
        applicant_id=application.applicant_id, decider_id=decider,
    )  # fmt: skip
    if decider == application.applicant_id:
        raise Forbidden("不能审核自己的入格申请")
    if not allowed:
        raise Forbidden("你无权审核这份入格申请")
    _still_open(application)
    text = free_text(reason or "", "reason", max_length=NOTE_LENGTH, required=not approve)
    move = _home_move(db, application) if approve else None
    decision = Decision(
        application=application,
        state=GridApplicationState.APPROVED if approve else GridApplicationState.REJECTED,
        decided_by=decider,
        decided_at=iso(clock.now()),
        reason=text or None,
        move=move,
    )
    try:
        return db.grid_applications.decide(decision)
    except Conflict:
        now = db.grid_applications.get(application_id, consistent=True)
        if now is not None:
            _still_open(now)
        raise Conflict("申请人的资料刚被修改，请重试", field="applicationId") from None


def _still_open(application: GridApplicationRecord) -> None:
    if application.state is not GridApplicationState.APPLIED:
        raise Conflict(
            f"这份申请已审核（{STATE_NAMES[application.state]}），不能再次审核",
            field="applicationId",
        )


def _home_move(db: Db, application: GridApplicationRecord) -> HomeMove:
    person = db.people.get(application.applicant_id, consistent=True)
    if person is None:
        raise NotFound("申请人已不存在", field="applicationId")
    if person.home_path is not None and is_within(person.home_path, application.grid_path):
        raise AlreadyExists("申请人已是该网格的居民，请驳回这份申请", field="applicationId")
    home = db.org_units.require(application.home_unit_id, field="applicationId")
    if home.archived:
        raise Archived("申请的住所单元已撤销，请驳回这份申请", field="applicationId")
    return HomeMove(person, home)


def mine(db: Db, actor: Actor, first: int, after: str | None) -> Page[GridApplicationRecord]:
    """The caller's applications, newest first."""
    return db.grid_applications.of_applicant(actor.require_login(), first, after)


def queue(
    db: Db,
    actor: Actor,
    unit_id: str,
    state: GridApplicationState | None,
    first: int,
    after: str | None,
) -> Page[GridApplicationRecord]:
    """A grid's or a community's applications, oldest first, for those who decide there."""
    actor.require_login()
    unit = db.org_units.require(unit_id, field="unitId", consistent=False)
    if unit.kind not in (OrgKind.GRID, OrgKind.COMMUNITY):
        raise InvalidHierarchy("请选择一个网格或社区", field="unitId")
    community_id = unit.ancestor_id(OrgKind.COMMUNITY)
    if not may_list(_holdings(actor), unit.id, unit.path, unit.kind, community_id):
        raise Forbidden("你无权查看这里的入格申请")
    community = unit.kind is OrgKind.COMMUNITY
    return db.grid_applications.queue(unit.id, community, state, first, after)
