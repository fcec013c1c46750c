"""Use cases of the grid hierarchy: read, list, search, create, rename, move, archive, grid details.

Authorization: creating under P needs MANAGE_ORG on P; renaming, moving or archiving X needs it
on X's parent (a street's own admin cannot archive the street); editing grid details needs it on
the grid. Public fields (names, kinds, tree shape, service station, ratings) need nothing.
"""

from __future__ import annotations

from collections import deque

from pynamodb.exceptions import DoesNotExist

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
from api.domain.org import (
    Crumb,
    OrgKind,
    check_move,
    check_parent,
    child_path,
    validate_name,
)
from api.domain.roles import Permission
from api.services.actor import Actor
from api.services.grid_codec import grid_from_json, grid_to_json
from api.store.db import Db
from api.store.models import (
    NameGuardItem,
    OrgUnitItem,
    PersonItem,
    RoleGrantItem,
    children_pk,
    grants_pk,
    kind_pk,
    name_guard_key,
    name_sk,
    org_key,
    residents_pk,
)
from api.store.pagination import Page, query_page


def crumbs(unit: OrgUnitItem) -> list[Crumb]:
    return [Crumb(id=i, kind=OrgKind(k), name=n) for i, k, n in unit.ancestry]


def get_unit(unit_id: str, consistent: bool = False) -> OrgUnitItem | None:
    pk, sk = org_key(unit_id)
    try:
        return OrgUnitItem.get(pk, sk, consistent_read=consistent)
    except DoesNotExist:
        return None


def require_unit(unit_id: str, field: str = "id", consistent: bool = True) -> OrgUnitItem:
    unit = get_unit(unit_id, consistent=consistent)
    if unit is None:
        raise NotFound(f"No org unit {unit_id}", field=field)
    return unit


def is_visible(actor: Actor, unit: OrgUnitItem) -> bool:
    """Active units are public; archived ones only to staff whose scope covers them."""
    return not unit.archived or actor.can(Permission.READ_ORG, unit.path)


def list_children(
    db: Db, actor: Actor, unit: OrgUnitItem, first: int, after: str | None, archived: bool = False
) -> Page[OrgUnitItem]:
    if archived:
        actor.require(Permission.READ_ORG, unit.path, "see archived units")
    return query_page(
        OrgUnitItem,
        db.codec,
        children_pk(unit.id, archived=archived),
        index="gsi1",
        first=first,
        after=after,
    )


def search_units(
    db: Db,
    scope: OrgUnitItem,
    kind: OrgKind,
    name_prefix: str,
    first: int,
    after: str | None,
) -> Page[OrgUnitItem]:
    """Units of a kind whose name starts with a prefix, within a scope's subtree.

    The prefix is a key condition on gsi2 (kind, name); the scope is a filter on the path, so a
    page reads at most a bounded number of items (see pagination) and may resume with a cursor.
    """
    prefix = name_prefix.strip()
    if len(prefix) > 60 or "#" in prefix:
        raise InvalidInput(
            "namePrefix must be at most 60 characters without '#'", field="namePrefix"
        )
    scope_path = scope.path
    return query_page(
        OrgUnitItem,
        db.codec,
        kind_pk(kind.value),
        index="gsi2",
        range_key_condition=OrgUnitItem.gsi2sk.startswith(prefix) if prefix else None,
        filter_condition=OrgUnitItem.path.startswith(scope_path + "/")
        | (OrgUnitItem.path == scope_path),
        first=first,
        after=after,
    )


def new_unit_item(
    unit_id: str, kind: OrgKind, name: str, parent: OrgUnitItem | None, now: str
) -> OrgUnitItem:
    pk, sk = org_key(unit_id)
    ancestry = [*parent.ancestry, [parent.id, parent.kind, parent.name]] if parent else []
    return OrgUnitItem(
        pk,
        sk,
        id=unit_id,
        kind=kind.value,
        name=name,
        parent_id=parent.id if parent else None,
        path=child_path(parent.path if parent else None, unit_id),
        ancestry=ancestry,
        archived=False,
        refs=0,
        grid=grid_to_json(GridDetails()) if kind is OrgKind.GRID else None,
        created_at=now,
        updated_at=now,
        gsi1pk=children_pk(parent.id if parent else None),
        gsi1sk=name_sk(name, unit_id),
        gsi2pk=kind_pk(kind.value),
        gsi2sk=name_sk(name, unit_id),
    )


def name_guard_item(parent_id: str | None, name: str, unit_id: str) -> NameGuardItem:
    pk, sk = name_guard_key(parent_id, name)
    return NameGuardItem(pk, sk, unit_id=unit_id)


def create_unit(
    db: Db,
    actor: Actor,
    clock: Clock,
    parent_id: str,
    kind: OrgKind,
    raw_name: str,
    unit_id: str | None = None,
) -> OrgUnitItem:
    name = validate_name(raw_name)
    parent = require_unit(parent_id, field="parentId")
    actor.require(Permission.MANAGE_ORG, parent.path, "create units")
    if parent.archived:
        raise Archived("The parent unit is archived", field="parentId")
    check_parent(kind, OrgKind(parent.kind))
    unit = new_unit_item(unit_id or new_id(), kind, name, parent, iso(clock.now()))
    try:
        with db.transaction() as tx:
            tx.save(unit, condition=OrgUnitItem.pk.does_not_exist())
            tx.save(
                name_guard_item(parent.id, name, unit.id),
                condition=NameGuardItem.pk.does_not_exist(),
            )
            tx.update(
                parent,
                actions=[OrgUnitItem.refs.add(1)],
                condition=OrgUnitItem.archived == False,  # noqa: E712
                add_version_condition=False,
            )
    except Conflict:
        _diagnose_name_or_parent(parent.id, name)
        raise
    return unit


def _diagnose_name_or_parent(
    parent_id: str, name: str, name_field: str = "name", parent_field: str = "parentId"
) -> None:
    guard_pk, guard_sk = name_guard_key(parent_id, name)
    if NameGuardItem.count(guard_pk, NameGuardItem.sk == guard_sk, consistent_read=True):
        raise AlreadyExists(f"A sibling named {name!r} already exists", field=name_field)
    parent = require_unit(parent_id, field=parent_field)
    if parent.archived:
        raise Archived("The parent unit is archived", field=parent_field)


def _manage_via_parent(actor: Actor, unit: OrgUnitItem, what: str) -> OrgUnitItem:
    """Load the unit's parent and require MANAGE_ORG on it."""
    if unit.parent_id is None:
        actor.require_login()
        raise InvalidHierarchy(f"A district cannot {what} through the API", field="id")
    parent = require_unit(unit.parent_id)
    actor.require(Permission.MANAGE_ORG, parent.path, what)
    return parent


def rename_unit(db: Db, actor: Actor, clock: Clock, unit_id: str, raw_name: str) -> OrgUnitItem:
    name = validate_name(raw_name)
    unit = require_unit(unit_id)
    _manage_via_parent(actor, unit, "rename units")
    if unit.archived:
        raise Archived("An archived unit cannot be renamed")
    if name == unit.name:
        return unit
    old_name = unit.name
    try:
        with db.transaction() as tx:
            tx.update(
                unit,
                actions=[
                    OrgUnitItem.name.set(name),
                    OrgUnitItem.gsi1sk.set(name_sk(name, unit.id)),
                    OrgUnitItem.gsi2sk.set(name_sk(name, unit.id)),
                    OrgUnitItem.updated_at.set(iso(clock.now())),
                ],
            )
            tx.delete(
                name_guard_item(unit.parent_id, old_name, unit.id), add_version_condition=False
            )
            tx.save(
                name_guard_item(unit.parent_id, name, unit.id),
                condition=NameGuardItem.pk.does_not_exist(),
            )
    except Conflict:
        if unit.parent_id:
            _diagnose_name_or_parent(unit.parent_id, name)
        raise
    renamed = require_unit(unit.id)
    refresh_subtree(renamed)
    return renamed


def move_unit(db: Db, actor: Actor, clock: Clock, unit_id: str, new_parent_id: str) -> OrgUnitItem:
    unit = require_unit(unit_id)
    old_parent = _manage_via_parent(actor, unit, "move units")
    new_parent = require_unit(new_parent_id, field="newParentId")
    actor.require(Permission.MANAGE_ORG, new_parent.path, "move units")
    if unit.archived:
        raise Archived("An archived unit cannot be moved")
    if new_parent.archived:
        raise Archived("The new parent is archived", field="newParentId")
    check_move(unit.path, new_parent.path)
    try:
        check_parent(OrgKind(unit.kind), OrgKind(new_parent.kind))
    except InvalidHierarchy as error:  # the move's input names the parent newParentId
        raise InvalidHierarchy(error.message, field="newParentId") from None
    if new_parent.id == old_parent.id:
        raise InvalidInput("The unit is already there", field="newParentId")
    try:
        with db.transaction() as tx:
            tx.update(
                unit,
                actions=[
                    OrgUnitItem.parent_id.set(new_parent.id),
                    OrgUnitItem.path.set(child_path(new_parent.path, unit.id)),
                    OrgUnitItem.ancestry.set(
                        [*new_parent.ancestry, [new_parent.id, new_parent.kind, new_parent.name]]
                    ),
                    OrgUnitItem.gsi1pk.set(children_pk(new_parent.id)),
                    OrgUnitItem.updated_at.set(iso(clock.now())),
                ],
            )
            tx.update(old_parent, actions=[OrgUnitItem.refs.add(-1)], add_version_condition=False)
            tx.update(
                new_parent,
                actions=[OrgUnitItem.refs.add(1)],
                condition=OrgUnitItem.archived == False,  # noqa: E712
                add_version_condition=False,
            )
            tx.delete(
                name_guard_item(old_parent.id, unit.name, unit.id), add_version_condition=False
            )
            tx.save(
                name_guard_item(new_parent.id, unit.name, unit.id),
                condition=NameGuardItem.pk.does_not_exist(),
            )
    except Conflict:
        _diagnose_name_or_parent(new_parent.id, unit.name, "newParentId", "newParentId")
        raise
    moved = require_unit(unit.id)
    _refresh_references(moved)
    refresh_subtree(moved)
    db.cases.rehome(unit.path, moved.path)
    return moved


def archive_unit(db: Db, actor: Actor, clock: Clock, unit_id: str) -> OrgUnitItem:
    unit = require_unit(unit_id)
    parent = _manage_via_parent(actor, unit, "archive units")
    if unit.archived:
        raise Archived("The unit is already archived")
    if unit.refs > 0:
        raise InUse(_in_use_message(unit))
    try:
        with db.transaction() as tx:
            tx.update(
                unit,
                actions=[
                    OrgUnitItem.archived.set(True),
                    OrgUnitItem.gsi1pk.set(children_pk(parent.id, archived=True)),
                    OrgUnitItem.gsi2pk.set(kind_pk(unit.kind, archived=True)),
                    OrgUnitItem.updated_at.set(iso(clock.now())),
                ],
                condition=OrgUnitItem.refs == 0,
            )
            tx.delete(name_guard_item(parent.id, unit.name, unit.id), add_version_condition=False)
            tx.update(parent, actions=[OrgUnitItem.refs.add(-1)], add_version_condition=False)
    except Conflict:
        current = require_unit(unit.id)
        if current.refs > 0:
            raise InUse(_in_use_message(current)) from None
        raise
    return require_unit(unit.id)


def _in_use_message(unit: OrgUnitItem) -> str:
    return (
        f"{unit.name} is still referred to ({int(unit.refs)} active children, role grants or "
        "residents); move or archive them first"
    )


def update_grid(
    db: Db, actor: Actor, clock: Clock, unit_id: str, details: GridDetails
) -> OrgUnitItem:
    unit = require_unit(unit_id)
    actor.require(Permission.MANAGE_ORG, unit.path, "edit grid details")
    if unit.kind != OrgKind.GRID.value:
        raise InvalidHierarchy("Only a grid has grid details", field="id")
    if unit.archived:
        raise Archived("The grid is archived")
    for field_name, person_id in (
        ("secretaryId", details.secretary_id),
        ("instructorId", details.instructor_id),
    ):
        if person_id is not None and not PersonItem.count(
            f"USER#{person_id}", PersonItem.sk == "#META"
        ):
            raise NotFound(f"No person {person_id}", field=field_name)
    unit.update(
        actions=[
            OrgUnitItem.grid.set(grid_to_json(details)),
            OrgUnitItem.updated_at.set(iso(clock.now())),
        ]
    )
    return unit


def grid_details(unit: OrgUnitItem) -> GridDetails | None:
    return grid_from_json(unit.grid) if unit.kind == OrgKind.GRID.value else None


def refresh_subtree(root: OrgUnitItem) -> int:
    """Rewrite path and breadcrumb of every descendant of ``root`` from ``root`` down.

    Idempotent: each unit is recomputed from its (already rewritten) parent, so re-running after
    an interruption repairs what a crash left stale. Returns the number of units rewritten.
    """
    rewritten = 0
    queue: deque[OrgUnitItem] = deque([root])
    while queue:
        parent = queue.popleft()
        crumb = [parent.id, parent.kind, parent.name]
        for archived in (False, True):
            for child in OrgUnitItem.by_parent.query(children_pk(parent.id, archived=archived)):
                assert isinstance(child, OrgUnitItem)
                path = child_path(parent.path, child.id)
                ancestry = [*parent.ancestry, crumb]
                if child.path != path or child.ancestry != ancestry:
                    child.update(
                        actions=[OrgUnitItem.path.set(path), OrgUnitItem.ancestry.set(ancestry)],
                        add_version_condition=False,
                    )
                    rewritten += 1
                    _refresh_references(child)
                queue.append(child)
    return rewritten


def _refresh_references(unit: OrgUnitItem) -> None:
    """Grants on a unit and residents of it carry its path for scope checks: keep them current."""
    if unit.refs <= 0:
        return
    for grant in RoleGrantItem.by_parent.query(grants_pk(unit.id)):
        assert isinstance(grant, RoleGrantItem)
        if grant.org_path != unit.path:
            grant.update(
                actions=[RoleGrantItem.org_path.set(unit.path)], add_version_condition=False
            )
    for person in PersonItem.by_parent.query(residents_pk(unit.id)):
        assert isinstance(person, PersonItem)
        if person.home_path != unit.path:
            person.update(
                actions=[PersonItem.home_path.set(unit.path)], add_version_condition=False
            )


def load_many(unit_ids: list[str]) -> dict[str, OrgUnitItem]:
    keys = [org_key(unit_id) for unit_id in dict.fromkeys(unit_ids)]
    return {item.id: item for item in OrgUnitItem.batch_get(keys)}
