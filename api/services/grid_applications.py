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
from api.domain.messages import msg
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
    GridApplicationState.APPLIED: msg("grid_application.state.applied"),
    GridApplicationState.APPROVED: msg("grid_application.state.approved"),
    GridApplicationState.REJECTED: msg("grid_application.state.rejected"),
}


def _holdings(actor: Actor) -> list[Holding]:
    return [Holding(g.role, g.org_id, g.org_path) for g in actor.grants]


def _applicant(db: Db, actor: Actor) -> PersonRecord:
    person_id = actor.require_login()
    person = db.people.get(person_id, consistent=True)
    if person is None:
        raise NotFound(msg("grid_application.not_registered"))
    return person


def _places(db: Db, grid_id: str, home_unit_id: str | None) -> tuple[OrgUnitRecord, OrgUnitRecord]:
    grid = db.org_units.require(grid_id, field="gridId")
    if grid.kind is not OrgKind.GRID:
        raise InvalidHierarchy(msg("grid_application.grid"), field="gridId")
    if grid.archived:
        raise Archived(msg("grid_application.grid_archived"), field="gridId")
    if home_unit_id is None:
        return grid, grid
    home = db.org_units.require(home_unit_id, field="homeUnitId")
    if home.kind not in HOME_KINDS or not is_within(home.path, grid.path):
        raise InvalidHierarchy(msg("grid_application.home_outside"), field="homeUnitId")
    if home.archived:
        raise Archived(msg("grid_application.home_unit_archived"), field="homeUnitId")
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
        raise InvalidInput(
            msg("grid_application.idempotency_key", max_length=KEY_LENGTH), field="idempotencyKey"
        )
    text = free_text(note or "", "note", max_length=NOTE_LENGTH, required=False) or None
    given = input_hash({"gridId": grid_id, "homeUnitId": home_unit_id, "note": text})
    if idempotency_key is not None:
        replayed = _replay(db, person.id, idempotency_key, given)
        if replayed is not None:
            return replayed
    grid, home = _places(db, grid_id, home_unit_id)
    if person.home_path is not None and is_within(person.home_path, grid.path):
        raise AlreadyExists(msg("grid_application.already_resident"), field="gridId")
    if db.grid_applications.open_of(person.id) is not None:
        raise AlreadyExists(msg("grid_application.already_open"))
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
        raise AlreadyExists(msg("grid_application.already_open")) from None
    return record


def decide(
    db: Db, actor: Actor, clock: Clock, application_id: str, approve: bool, reason: str | None
) -> GridApplicationRecord:
    decider = actor.require_login()
    application = db.grid_applications.get(application_id, consistent=True)
    if application is None:
        raise NotFound(msg("grid_application.not_found"), field="applicationId")
    allowed = may_decide(
        _holdings(actor), application.grid_id, application.grid_path, application.community_id,
        applicant_id=application.applicant_id, decider_id=decider,
    )  # fmt: skip
    if decider == application.applicant_id:
        raise Forbidden(msg("grid_application.own"))
    if not allowed:
        raise Forbidden(msg("grid_application.may_not_decide"))
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
        raise Conflict(msg("grid_application.applicant_changed"), field="applicationId") from None


def _still_open(application: GridApplicationRecord) -> None:
    if application.state is not GridApplicationState.APPLIED:
        raise Conflict(
            msg("grid_application.decided", state=STATE_NAMES[application.state]),
            field="applicationId",
        )


def _home_move(db: Db, application: GridApplicationRecord) -> HomeMove:
    person = db.people.get(application.applicant_id, consistent=True)
    if person is None:
        raise NotFound(msg("grid_application.applicant_gone"), field="applicationId")
    if person.home_path is not None and is_within(person.home_path, application.grid_path):
        raise AlreadyExists(msg("grid_application.applicant_resident"), field="applicationId")
    home = db.org_units.require(application.home_unit_id, field="applicationId")
    if home.archived:
        raise Archived(msg("grid_application.home_archived"), field="applicationId")
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
        raise InvalidHierarchy(msg("grid_application.grid_or_community"), field="unitId")
    community_id = unit.ancestor_id(OrgKind.COMMUNITY)
    if not may_list(_holdings(actor), unit.id, unit.path, unit.kind, community_id):
        raise Forbidden(msg("grid_application.may_not_list"))
    community = unit.kind is OrgKind.COMMUNITY
    return db.grid_applications.queue(unit.id, community, state, first, after)
