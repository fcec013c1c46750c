"""Org units: the hierarchy, name guards, grid details. Key design in ``README.md``.

Reads return ``OrgUnitRecord``s; every change is one unit of work (a dataclass below, made of
records and domain values) committed as one ``TransactWriteItems``. The unit being changed is
conditioned on the ``version`` its record was read at (optimistic locking).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

from pynamodb.exceptions import DoesNotExist

from api.domain.errors import NotFound
from api.domain.grid import GridDetails
from api.domain.messages import msg
from api.domain.org import Crumb, OrgKind, child_path
from api.records.org import OrgUnitRecord
from api.store.models import (
    Item,
    NameGuardItem,
    OrgUnitItem,
    PersonItem,
    RoleGrantItem,
    SeedMarkerItem,
    children_pk,
    grants_pk,
    kind_pk,
    name_guard_key,
    name_sk,
    org_key,
    residents_pk,
)
from api.store.org_codec import ancestry_json, grid_to_json, name_guard_item, unit_item, unit_record
from api.store.pagination import Page, query_page
from api.store.repository import Repository, bound


@dataclass(frozen=True, slots=True)
class NewUnit:
    """A unit to create under ``parent`` (``None``: a district, a root of the hierarchy)."""

    unit: OrgUnitRecord
    parent: OrgUnitRecord | None


@dataclass(frozen=True, slots=True)
class Rename:
    unit: OrgUnitRecord
    name: str
    at: str


@dataclass(frozen=True, slots=True)
class Move:
    unit: OrgUnitRecord
    old_parent: OrgUnitRecord
    new_parent: OrgUnitRecord
    at: str


@dataclass(frozen=True, slots=True)
class Archival:
    unit: OrgUnitRecord
    parent: OrgUnitRecord
    at: str


@dataclass(frozen=True, slots=True)
class GridEdit:
    unit: OrgUnitRecord
    details: GridDetails
    at: str


def new_unit(
    unit_id: str, kind: OrgKind, name: str, parent: OrgUnitRecord | None, at: str
) -> OrgUnitRecord:
    """The record of a unit not yet stored: path and breadcrumb follow from its parent."""
    ancestors = (
        (*parent.ancestors, Crumb(id=parent.id, kind=parent.kind, name=parent.name))
        if parent
        else ()
    )
    return OrgUnitRecord(
        id=unit_id,
        kind=kind,
        name=name,
        parent_id=parent.id if parent else None,
        path=child_path(parent.path if parent else None, unit_id),
        ancestors=ancestors,
        archived=False,
        refs=0,
        grid=GridDetails() if kind is OrgKind.GRID else None,
        created_at=at,
        updated_at=at,
        version=0,
    )


def _locked(unit: OrgUnitRecord) -> OrgUnitItem:
    """A key-only item carrying the version read: an update of it is conditioned on that."""
    pk, sk = org_key(unit.id)
    return OrgUnitItem(pk, sk, version=unit.version or None)


def _ref(unit_id: str) -> OrgUnitItem:
    """A key-only item for reference-count updates (no version: counts commute)."""
    pk, sk = org_key(unit_id)
    return OrgUnitItem(pk, sk)


NOT_ARCHIVED = OrgUnitItem.archived == False  # noqa: E712


class OrgUnitStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""

    @bound
    def get(self, unit_id: str, consistent: bool = False) -> OrgUnitRecord | None:
        return read_unit(unit_id, consistent)

    def require(self, unit_id: str, field: str = "id", consistent: bool = True) -> OrgUnitRecord:
        unit = self.get(unit_id, consistent=consistent)
        if unit is None:
            raise NotFound(msg("org.unit_not_found", unit_id=unit_id), field=field)
        return unit

    @bound
    def get_many(self, unit_ids: list[str]) -> dict[str, OrgUnitRecord]:
        """One BatchGetItem per 100 distinct ids."""
        return read_units(unit_ids)

    @bound
    def children(
        self, parent_id: str | None, first: int, after: str | None, archived: bool = False
    ) -> Page[OrgUnitRecord]:
        """Children sorted by name (``parent_id=None``: the districts)."""
        page = query_page(
            OrgUnitItem,
            self.db.codec,
            children_pk(parent_id, archived=archived),
            index="gsi1",
            first=first,
            after=after,
        )
        return page.map(unit_record)

    @bound
    def search(
        self, kind: OrgKind, prefix: str, scope_path: str, first: int, after: str | None
    ) -> Page[OrgUnitRecord]:
        """Units of a kind by name prefix (key condition) within a subtree (filter on path)."""
        page = query_page(
            OrgUnitItem,
            self.db.codec,
            kind_pk(kind.value),
            index="gsi2",
            range_key_condition=OrgUnitItem.gsi2sk.startswith(prefix) if prefix else None,
            filter_condition=OrgUnitItem.path.startswith(scope_path + "/")
            | (OrgUnitItem.path == scope_path),
            first=first,
            after=after,
        )
        return page.map(unit_record)

    @bound
    def name_taken(self, parent_id: str | None, name: str) -> bool:
        guard_pk, guard_sk = name_guard_key(parent_id, name)
        return bool(
            NameGuardItem.count(guard_pk, NameGuardItem.sk == guard_sk, consistent_read=True)
        )

    # Changes: one transaction each.

    def create(self, new: NewUnit) -> None:
        """The unit, its sibling-name guard and its parent's reference count (the parent must
        not be archived meanwhile). A lost condition raises ``Conflict``."""
        unit = new.unit
        with self.db.transaction() as tx:
            tx.save(unit_item(unit), condition=OrgUnitItem.pk.does_not_exist())
            tx.save(
                name_guard_item(unit.parent_id, unit.name, unit.id),
                condition=NameGuardItem.pk.does_not_exist(),
            )
            if new.parent is not None:
                tx.update(
                    _ref(new.parent.id),
                    actions=[OrgUnitItem.refs.add(1)],
                    condition=NOT_ARCHIVED,
                    add_version_condition=False,
                )

    def rename(self, change: Rename) -> None:
        unit = change.unit
        with self.db.transaction() as tx:
            tx.update(
                _locked(unit),
                actions=[
                    OrgUnitItem.name.set(change.name),
                    OrgUnitItem.gsi1sk.set(name_sk(change.name, unit.id)),
                    OrgUnitItem.gsi2sk.set(name_sk(change.name, unit.id)),
                    OrgUnitItem.updated_at.set(change.at),
                ],
            )
            tx.delete(
                name_guard_item(unit.parent_id, unit.name, unit.id), add_version_condition=False
            )
            tx.save(
                name_guard_item(unit.parent_id, change.name, unit.id),
                condition=NameGuardItem.pk.does_not_exist(),
            )

    def move(self, change: Move) -> None:
        """The unit itself under its new parent; the subtree follows (``refresh_subtree``)."""
        unit, old, new = change.unit, change.old_parent, change.new_parent
        ancestors = (*new.ancestors, Crumb(id=new.id, kind=new.kind, name=new.name))
        with self.db.transaction() as tx:
            tx.update(
                _locked(unit),
                actions=[
                    OrgUnitItem.parent_id.set(new.id),
                    OrgUnitItem.path.set(child_path(new.path, unit.id)),
                    OrgUnitItem.ancestry.set(ancestry_json(ancestors)),
                    OrgUnitItem.gsi1pk.set(children_pk(new.id)),
                    OrgUnitItem.updated_at.set(change.at),
                ],
            )
            tx.update(_ref(old.id), actions=[OrgUnitItem.refs.add(-1)], add_version_condition=False)
            tx.update(
                _ref(new.id),
                actions=[OrgUnitItem.refs.add(1)],
                condition=NOT_ARCHIVED,
                add_version_condition=False,
            )
            tx.delete(name_guard_item(old.id, unit.name, unit.id), add_version_condition=False)
            tx.save(
                name_guard_item(new.id, unit.name, unit.id),
                condition=NameGuardItem.pk.does_not_exist(),
            )

    def archive(self, change: Archival) -> None:
        """Archive a unit nothing refers to (condition ``refs = 0``); its name is freed."""
        unit, parent = change.unit, change.parent
        with self.db.transaction() as tx:
            tx.update(
                _locked(unit),
                actions=[
                    OrgUnitItem.archived.set(True),
                    OrgUnitItem.gsi1pk.set(children_pk(parent.id, archived=True)),
                    OrgUnitItem.gsi2pk.set(kind_pk(unit.kind.value, archived=True)),
                    OrgUnitItem.updated_at.set(change.at),
                ],
                condition=OrgUnitItem.refs == 0,
            )
            tx.delete(name_guard_item(parent.id, unit.name, unit.id), add_version_condition=False)
            tx.update(
                _ref(parent.id), actions=[OrgUnitItem.refs.add(-1)], add_version_condition=False
            )

    def edit_grid(self, change: GridEdit) -> OrgUnitRecord:
        with self.db.transaction() as tx:
            tx.update(
                _locked(change.unit),
                actions=[
                    OrgUnitItem.grid.set(grid_to_json(change.details)),
                    OrgUnitItem.updated_at.set(change.at),
                ],
            )
        return replace(
            change.unit,
            grid=change.details,
            updated_at=change.at,
            version=change.unit.version + 1,
        )

    # The denormalised copies of a unit's path and breadcrumb, rewritten after a move/rename.

    @bound
    def refresh_subtree(self, root: OrgUnitRecord) -> int:
        """Rewrite path and breadcrumb of every descendant of ``root`` from ``root`` down.

        Idempotent: each unit is recomputed from its (already rewritten) parent, so re-running
        after an interruption repairs what a crash left stale. Returns the units rewritten.
        """
        rewritten = 0
        queue: deque[tuple[str, str, list[list[str]], list[str]]] = deque(
            [
                (
                    root.id,
                    root.path,
                    ancestry_json(root.ancestors),
                    [root.id, root.kind.value, root.name],
                )
            ]
        )
        while queue:
            parent_id, parent_path, parent_ancestry, crumb = queue.popleft()
            for archived in (False, True):
                for child in OrgUnitItem.by_parent.query(children_pk(parent_id, archived=archived)):
                    assert isinstance(child, OrgUnitItem)
                    path = child_path(parent_path, child.id)
                    ancestry = [*parent_ancestry, crumb]
                    if child.path != path or child.ancestry != ancestry:
                        child.update(
                            actions=[
                                OrgUnitItem.path.set(path),
                                OrgUnitItem.ancestry.set(ancestry),
                            ],
                            add_version_condition=False,
                        )
                        rewritten += 1
                        self._refresh_references(child.id, path, int(child.refs or 0))
                    queue.append((child.id, path, ancestry, [child.id, child.kind, child.name]))
        return rewritten

    @bound
    def refresh_references(self, unit: OrgUnitRecord) -> None:
        """Grants on a unit and residents of it carry its path for scope checks: keep them
        current."""
        self._refresh_references(unit.id, unit.path, unit.refs)

    def _refresh_references(self, unit_id: str, path: str, refs: int) -> None:
        if refs <= 0:
            return
        for grant in RoleGrantItem.by_parent.query(grants_pk(unit_id)):
            assert isinstance(grant, RoleGrantItem)
            if grant.org_path != path:
                grant.update(
                    actions=[RoleGrantItem.org_path.set(path)], add_version_condition=False
                )
        for person in PersonItem.by_parent.query(residents_pk(unit_id)):
            assert isinstance(person, PersonItem)
            if person.home_path != path:
                person.update(actions=[PersonItem.home_path.set(path)], add_version_condition=False)

    # Demo and test data written in bulk (``infra/demo_data.py``): items built by the codecs.

    @bound
    def seeded(self, name: str) -> bool:
        try:
            SeedMarkerItem.get(f"SEED#{name}", "#META", consistent_read=True)
            return True
        except DoesNotExist:
            return False

    @bound
    def mark_seeded(self, name: str, items: int, at: str) -> None:
        SeedMarkerItem(f"SEED#{name}", "#META", name=name, items=items, written_at=at).save()

    @bound
    def write_seed(self, items: list[Item]) -> int:
        """BatchWriteItem of items the codecs built (resending what DynamoDB left over)."""
        with Item.batch_write() as batch:
            for item in items:
                batch.save(item)
        return len(items)


# Reads on whichever table is bound. TRANSITIONAL (store-boundary refactor): modules of other
# aggregates that have no Db yet also call them unbound, through
# ``api.services.org_units.get_unit/require_unit/load_many``, on the fallback table of
# ``api.store.binding``; those callers go with that fallback.


def read_unit(unit_id: str, consistent: bool = False) -> OrgUnitRecord | None:
    pk, sk = org_key(unit_id)
    try:
        return unit_record(OrgUnitItem.get(pk, sk, consistent_read=consistent))
    except DoesNotExist:
        return None


def read_units(unit_ids: list[str]) -> dict[str, OrgUnitRecord]:
    """One BatchGetItem per 100 distinct ids."""
    keys = [org_key(unit_id) for unit_id in dict.fromkeys(unit_ids)]
    return {item.id: unit_record(item) for item in OrgUnitItem.batch_get(keys)}
