"""Reading red partners: the directory, a community's three lists, open projects near a grid,
a partner's claims, matching partners for a need, awards. Every list is a Query on a key or an
index (see api/store/README.md, "Red partners"); a page's resources and claims are batch-got
(``db.partners.resources_of`` / ``claims_of``)."""

from __future__ import annotations

from dataclasses import dataclass

from api.domain.errors import InvalidHierarchy, InvalidInput, NotFound
from api.domain.messages import msg
from api.domain.org import OrgKind, path_ids
from api.domain.partners import PartnerKind, PartnerStatus, check_category
from api.records.partner import (
    AwardRecord,
    ClaimRecord,
    CommunityLists,
    PartnerRecord,
    ProjectRecord,
    ResourceRecord,
)
from api.store.db import Db
from api.store.pagination import Page
from api.store.partner_store import DirectoryQuery


@dataclass(frozen=True)
class DirectoryFilter:
    status: PartnerStatus | None = None
    kind: PartnerKind | None = None
    category: str | None = None
    name_prefix: str | None = None
    # For the district: every partner of the district, its streets' sub-directories included.
    include_streets: bool = False


def directory(
    db: Db, unit_id: str, filters: DirectoryFilter, first: int, after: str | None
) -> Page[PartnerRecord]:
    """The district directory (名录) or a street's sub-directory (子库), by name; public."""
    unit = db.org_units.require(unit_id, field="directoryUnitId", consistent=False)
    if unit.kind not in (OrgKind.DISTRICT, OrgKind.STREET):
        raise InvalidHierarchy(msg("partner.directory_level"), field="directoryUnitId")
    category = check_category(filters.category) if filters.category else None
    prefix = (filters.name_prefix or "").strip()
    if len(prefix) > 60 or "#" in prefix:
        raise InvalidInput(msg("partner.name_prefix"), field="namePrefix")
    if filters.include_streets and unit.kind != OrgKind.DISTRICT:
        raise InvalidInput(msg("partner.streets_district_only"), field="includeStreets")
    query = DirectoryQuery(
        unit_id=unit.id,
        include_streets=filters.include_streets,
        status=filters.status,
        kind=filters.kind,
        category=category,
        name_prefix=prefix,
    )
    return db.partners.directory(query, first, after)


def community_lists(db: Db, community_id: str) -> CommunityLists:
    """资源清单, 需求清单, 项目清单 of a community in 3 requests: its needs and projects share
    one index partition (1 Query); the resources are those of approved partners in the
    street's sub-directory and in the district directory (1 Query each). The street and the
    district are read off the path its needs and projects carry; only a community with
    neither costs a GetItem of the community itself (4 requests)."""
    needs, projects = db.partners.community_lists(community_id)
    carried = [n.unit_path for n in needs] + [p.unit_path for p in projects]
    if carried:
        path = carried[0]
    else:
        community = db.org_units.require(community_id, field="communityId", consistent=False)
        if community.kind != OrgKind.COMMUNITY:
            raise InvalidHierarchy(msg("partner.community_needed"), field="communityId")
        path = community.path
    district_id, street_id = path_ids(path)[:2]
    resources = db.partners.approved_resources(street_id) + db.partners.approved_resources(
        district_id
    )
    # Newest first; cancelled projects are kept in the list (their state says so).
    needs.sort(key=lambda n: n.created_at, reverse=True)
    projects.sort(key=lambda p: p.created_at, reverse=True)
    return CommunityLists(resources, needs, projects)


def open_projects_near(db: Db, grid_id: str, first: int, after: str | None) -> Page[ProjectRecord]:
    """Projects open for claims in the grid's street, newest first."""
    grid = db.org_units.require(grid_id, field="gridId", consistent=False)
    if grid.kind not in (OrgKind.GRID, OrgKind.COMMUNITY):
        raise InvalidHierarchy(msg("partner.grid_or_community"), field="gridId")
    return db.partners.open_projects(path_ids(grid.path)[1], first, after)


def partner_claims(db: Db, partner_id: str, first: int, after: str | None) -> Page[ClaimRecord]:
    """A partner's claims, newest first, withdrawn and delivered ones included (its history)."""
    return db.partners.partner_claims(partner_id, first, after)


def matching_resources(db: Db, need_id: str) -> list[ResourceRecord]:
    """Resources of approved partners in the need's scope (its street's sub-directory and the
    district directory) whose category is the need's: 2 key-conditioned Queries."""
    need = db.partners.need(need_id)
    if need is None:
        raise NotFound(msg("partner.need_not_found_any"), field="needId")
    district_id, street_id = path_ids(need.unit_path)[:2]
    return db.partners.approved_resources(
        street_id, need.category
    ) + db.partners.approved_resources(district_id, need.category)


def awards(db: Db, district_id: str, year: int) -> list[AwardRecord]:
    if year < 2000 or year > 2100:
        raise InvalidInput(msg("partner.year_needed"), field="year")
    return db.partners.awards(district_id, year)
