"""Use cases of the grid hierarchy: read, list, search, create, rename, move, archive, grid details.

Authorization: creating under P needs MANAGE_ORG on P; renaming, moving or archiving X needs it
on X's parent (a street's own admin cannot archive the street); editing grid details needs it on
the grid. Public fields (names, kinds, tree shape, service station, ratings) need nothing.
Reads and writes go through ``db.org_units`` (records in, units of work out).
"""

from __future__ import annotations

from dataclasses import replace

from api.domain.clock import Clock, iso
from api.domain.errors import (
    AlreadyExists,
    Archived,
    Conflict,
    InUse,
    InvalidHierarchy,
    InvalidInput,
    NotFound,
)
from api.domain.grid import GridDetails
from api.domain.ids import new_id
from api.domain.messages import Message, msg
from api.domain.org import OrgKind, check_move, check_parent, validate_name
from api.domain.roles import Permission
from api.records.org import OrgUnitRecord
from api.services.actor import Actor
from api.services.case_gauges import gauge_move
from api.store.db import Db
from api.store.org_store import (
    Archival,
    GridEdit,
    Move,
    NewUnit,
    Rename,
    new_unit,
)
from api.store.pagination import Page


def is_visible(actor: Actor, unit: OrgUnitRecord) -> bool:
    """Active units are public; archived ones only to staff whose scope covers them."""
    return not unit.archived or actor.can(Permission.READ_ORG, unit.path)


def list_children(
    db: Db,
    actor: Actor,
    unit: OrgUnitRecord,
    first: int,
    after: str | None,
    archived: bool = False,
) -> Page[OrgUnitRecord]:
    if archived:
        actor.require(Permission.READ_ORG, unit.path, msg("action.see_archived_units"))
    return db.org_units.children(unit.id, first, after, archived=archived)


def list_districts(db: Db, first: int, after: str | None) -> Page[OrgUnitRecord]:
    return db.org_units.children(None, first, after)


def search_units(
    db: Db,
    scope: OrgUnitRecord,
    kind: OrgKind,
    name_prefix: str,
    first: int,
    after: str | None,
) -> Page[OrgUnitRecord]:
    """Units of a kind whose name starts with a prefix, within a scope's subtree.

    The prefix is a key condition on gsi2 (kind, name); the scope is a filter on the path, so a
    page reads at most a bounded number of items (see pagination) and may resume with a cursor.
    """
    prefix = name_prefix.strip()
    if len(prefix) > 60 or "#" in prefix:
        raise InvalidInput(msg("org.name_prefix"), field="namePrefix")
    return db.org_units.search(kind, prefix, scope.path, first, after)


def bootstrap_unit(
    db: Db,
    clock: Clock,
    unit_id: str,
    kind: OrgKind,
    name: str,
    parent_id: str | None = None,
) -> OrgUnitRecord:
    """Create a unit without authorization: a district (no parent) for seeds and tests."""
    parent = db.org_units.require(parent_id, field="parentId") if parent_id else None
    unit = new_unit(unit_id, kind, validate_name(name), parent, iso(clock.now()))
    db.org_units.create(NewUnit(unit, parent))
    return replace(unit, version=1)


def create_unit(
    db: Db,
    actor: Actor,
    clock: Clock,
    parent_id: str,
    kind: OrgKind,
    raw_name: str,
    unit_id: str | None = None,
) -> OrgUnitRecord:
    name = validate_name(raw_name)
    parent = db.org_units.require(parent_id, field="parentId")
    actor.require(Permission.MANAGE_ORG, parent.path, msg("action.create_units"))
    if parent.archived:
        raise Archived(msg("org.parent_archived"), field="parentId")
    check_parent(kind, parent.kind)
    unit = new_unit(unit_id or new_id(), kind, name, parent, iso(clock.now()))
    try:
        db.org_units.create(NewUnit(unit, parent))
    except Conflict:
        _diagnose_name_or_parent(db, parent.id, name)
        raise
    return replace(unit, version=1)  # as written: no read back


def _diagnose_name_or_parent(
    db: Db, parent_id: str, name: str, name_field: str = "name", parent_field: str = "parentId"
) -> None:
    if db.org_units.name_taken(parent_id, name):
        raise AlreadyExists(msg("org.sibling_exists", name=name), field=name_field)
    parent = db.org_units.require(parent_id, field=parent_field)
    if parent.archived:
        raise Archived(msg("org.parent_archived"), field=parent_field)


def _manage_via_parent(db: Db, actor: Actor, unit: OrgUnitRecord, what: Message) -> OrgUnitRecord:
    """Load the unit's parent and require MANAGE_ORG on it."""
    if unit.parent_id is None:
        actor.require_login()
        raise InvalidHierarchy(msg("org.district_api", what=what), field="id")
    parent = db.org_units.require(unit.parent_id)
    actor.require(Permission.MANAGE_ORG, parent.path, what)
    return parent


def rename_unit(db: Db, actor: Actor, clock: Clock, unit_id: str, raw_name: str) -> OrgUnitRecord:
    name = validate_name(raw_name)
    unit = db.org_units.require(unit_id)
    _manage_via_parent(db, actor, unit, msg("action.rename_units"))
    if unit.archived:
        raise Archived(msg("org.rename_archived"))
    if name == unit.name:
        return unit
    try:
        db.org_units.rename(Rename(unit, name, iso(clock.now())))
    except Conflict:
        if unit.parent_id:
            _diagnose_name_or_parent(db, unit.parent_id, name)
        raise
    renamed = db.org_units.require(unit.id)
    db.org_units.refresh_subtree(renamed)
    return renamed


def move_unit(
    db: Db, actor: Actor, clock: Clock, unit_id: str, new_parent_id: str
) -> OrgUnitRecord:
    unit = db.org_units.require(unit_id)
    old_parent = _manage_via_parent(db, actor, unit, msg("action.move_units"))
    new_parent = db.org_units.require(new_parent_id, field="newParentId")
    actor.require(Permission.MANAGE_ORG, new_parent.path, msg("action.move_units"))
    if unit.archived:
        raise Archived(msg("org.move_archived"))
    if new_parent.archived:
        raise Archived(msg("org.new_parent_archived"), field="newParentId")
    check_move(unit.path, new_parent.path)
    try:
        check_parent(unit.kind, new_parent.kind)
    except InvalidHierarchy as error:  # the move's input names the parent newParentId
        raise InvalidHierarchy(error.message, field="newParentId") from None
    if new_parent.id == old_parent.id:
        raise InvalidInput(msg("org.already_there"), field="newParentId")
    try:
        db.org_units.move(Move(unit, old_parent, new_parent, iso(clock.now())))
    except Conflict:
        _diagnose_name_or_parent(db, new_parent.id, unit.name, "newParentId", "newParentId")
        raise
    moved = db.org_units.require(unit.id)
    db.org_units.refresh_references(moved)
    db.org_units.refresh_subtree(moved)
    db.cases.rehome(unit.path, moved.path, gauge_move)  # gauges: the state now, moved too
    return moved


def archive_unit(db: Db, actor: Actor, clock: Clock, unit_id: str) -> OrgUnitRecord:
    unit = db.org_units.require(unit_id)
    parent = _manage_via_parent(db, actor, unit, msg("action.archive_units"))
    if unit.archived:
        raise Archived(msg("org.already_archived"))
    if unit.refs > 0:
        raise InUse(_in_use_message(unit))
    try:
        db.org_units.archive(Archival(unit, parent, iso(clock.now())))
    except Conflict:
        current = db.org_units.require(unit.id)
        if current.refs > 0:
            raise InUse(_in_use_message(current)) from None
        raise
    return db.org_units.require(unit.id)


def _in_use_message(unit: OrgUnitRecord) -> Message:
    return msg("org.in_use", name=unit.name, refs=unit.refs)


def update_grid(
    db: Db, actor: Actor, clock: Clock, unit_id: str, details: GridDetails
) -> OrgUnitRecord:
    unit = db.org_units.require(unit_id)
    actor.require(Permission.MANAGE_ORG, unit.path, msg("action.edit_grid_details"))
    if unit.kind != OrgKind.GRID:
        raise InvalidHierarchy(msg("org.grid_details_grid_only"), field="id")
    if unit.archived:
        raise Archived(msg("org.grid_archived"))
    for field_name, person_id in (
        ("secretaryId", details.secretary_id),
        ("instructorId", details.instructor_id),
    ):
        if person_id is not None and db.people.get(person_id) is None:
            raise NotFound(msg("person.not_found_id", person_id=person_id), field=field_name)
    return db.org_units.edit_grid(GridEdit(unit, details, iso(clock.now())))
