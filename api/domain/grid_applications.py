"""入格申请: a signed-in person applies to live in a grid as a resident; staff decide.

Pure rules (no I/O): the states of an application and who may decide one. The role model
(``api.domain.roles``) gives ADMIN the management of people anywhere in its subtree; beside
it, the people who know the grid's households decide: the secretary or staff of the grid's
community, and the secretary or grid worker of that very grid. Nobody decides their own
application, whatever they hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from api.domain.org import OrgKind, is_within
from api.domain.roles import Role


class GridApplicationState(StrEnum):
    APPLIED = "APPLIED"  # waiting for staff
    APPROVED = "APPROVED"  # the applicant's home is now in the grid
    REJECTED = "REJECTED"  # refused, with a reason


@dataclass(frozen=True, slots=True)
class Holding:
    """A role held on a unit: what the rule looks at (kind of the unit included)."""

    role: Role
    org_id: str
    org_path: str


# Roles that decide on the unit itself, by the kind of that unit.
_DECIDERS_ON: dict[OrgKind, frozenset[Role]] = {
    OrgKind.COMMUNITY: frozenset({Role.SECRETARY, Role.STAFF}),
    OrgKind.GRID: frozenset({Role.SECRETARY, Role.GRID_WORKER}),
}


def _decides_on_grid(held: Holding, grid_id: str, grid_path: str, community_id: str | None) -> bool:
    if held.role is Role.ADMIN and is_within(grid_path, held.org_path):
        return True
    if held.org_id == community_id and held.role in _DECIDERS_ON[OrgKind.COMMUNITY]:
        return True
    return held.org_id == grid_id and held.role in _DECIDERS_ON[OrgKind.GRID]


def may_decide(
    holdings: Iterable[Holding],
    grid_id: str,
    grid_path: str,
    community_id: str | None,
    *,
    applicant_id: str,
    decider_id: str | None,
) -> bool:
    """ADMIN covering the grid; SECRETARY or STAFF of its community; SECRETARY or GRID_WORKER
    of the grid itself. Never the applicant."""
    if decider_id is None or decider_id == applicant_id:
        return False
    return any(_decides_on_grid(h, grid_id, grid_path, community_id) for h in holdings)


def may_list(
    holdings: Iterable[Holding],
    unit_id: str,
    unit_path: str,
    kind: OrgKind,
    community_id: str | None = None,
) -> bool:
    """Who sees the applications of a grid or a community: those who decide there (for a
    grid, its community's deciders too: ``community_id``)."""
    if kind is OrgKind.GRID:
        return any(_decides_on_grid(h, unit_id, unit_path, community_id) for h in holdings)
    deciders = _DECIDERS_ON.get(kind, frozenset())
    return any(
        (h.role is Role.ADMIN and is_within(unit_path, h.org_path))
        or (h.org_id == unit_id and h.role in deciders)
        for h in holdings
    )
