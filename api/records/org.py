"""Records of the hierarchy, people and role grants."""

from __future__ import annotations

from dataclasses import dataclass

from api.domain.grid import GridDetails
from api.domain.org import Crumb, OrgKind
from api.domain.roles import Role


@dataclass(frozen=True, slots=True)
class OrgUnitRecord:
    id: str
    kind: OrgKind
    name: str
    parent_id: str | None
    path: str  # materialised path /<district>/<street>/…/<self>: scope checks are prefix tests
    ancestors: tuple[Crumb, ...]  # root first, without the unit itself
    archived: bool
    refs: int  # live references (children, grants, residents); archive requires 0
    grid: GridDetails | None  # grids only
    created_at: str
    updated_at: str
    version: int

    def ancestor_id(self, kind: OrgKind) -> str | None:
        """The id of the unit itself or of its ancestor of ``kind``, if any."""
        if self.kind == kind:
            return self.id
        return next((crumb.id for crumb in self.ancestors if crumb.kind == kind), None)

    def ancestor_name(self, unit_id: str) -> str:
        if unit_id == self.id:
            return self.name
        return next((crumb.name for crumb in self.ancestors if crumb.id == unit_id), unit_id)


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: str
    name: str
    phone: str | None
    is_party_member: bool
    party_badge: bool
    home_unit_id: str | None
    home_path: str | None
    created_at: str
    version: int


@dataclass(frozen=True, slots=True)
class GrantRecord:
    """A role a person holds on an org unit; its scope is that unit's subtree."""

    person_id: str
    person_name: str
    org_id: str
    org_path: str
    role: Role
    granted_by: str | None
    granted_at: str
