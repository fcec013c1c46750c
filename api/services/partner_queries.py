"""Reading red partners: the directory, a community's three lists, open projects near a grid,
a partner's claims, matching partners for a need, awards. Every list is a Query on a key or an
index (see api/store/README.md, "Red partners")."""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.expressions.condition import Condition

from api.domain.errors import InvalidHierarchy, InvalidInput, NotFound
from api.domain.org import OrgKind, path_ids
from api.domain.partners import PartnerKind, PartnerStatus, ProjectState, check_category
from api.services import org_units
from api.services.partner_projects import get_need
from api.store.db import Db
from api.store.models import Item
from api.store.pagination import Page, query_page
from api.store.partner_models import (
    AwardItem,
    ClaimItem,
    NeedItem,
    PartnerItem,
    ProjectItem,
    ResourceItem,
    all_partners_pk,
    directory_pk,
    lists_pk,
    partner_claims_pk,
    resources_pk,
    street_projects_pk,
)

# One DynamoDB page per list (1 MB): a community's lists are tens to a few hundred items.
LIST_LIMIT = 500


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
) -> Page[PartnerItem]:
    """The district directory (名录) or a street's sub-directory (子库), by name; public."""
    unit = org_units.require_unit(unit_id, field="directoryUnitId", consistent=False)
    if unit.kind not in (OrgKind.DISTRICT, OrgKind.STREET):
        raise InvalidHierarchy(
            "A directory belongs to the district or a street", field="directoryUnitId"
        )
    conditions: list[Condition] = []
    if filters.status:
        conditions.append(PartnerItem.status == filters.status.value)
    if filters.kind:
        conditions.append(PartnerItem.kind == filters.kind.value)
    if filters.category:
        conditions.append(PartnerItem.categories.contains(check_category(filters.category)))
    combined: Condition | None = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    prefix = (filters.name_prefix or "").strip()
    if len(prefix) > 60 or "#" in prefix:
        raise InvalidInput("A name prefix has at most 60 characters, no '#'", field="namePrefix")
    if filters.include_streets:
        if unit.kind != OrgKind.DISTRICT:
            raise InvalidInput(
                "Only a district's directory includes streets", field="includeStreets"
            )
        return query_page(
            PartnerItem,
            db.codec,
            all_partners_pk(unit.id),
            index="gsi2",
            range_key_condition=PartnerItem.gsi2sk.startswith(prefix) if prefix else None,
            filter_condition=combined,
            first=first,
            after=after,
        )
    return query_page(
        PartnerItem,
        db.codec,
        directory_pk(unit.id),
        index="gsi1",
        range_key_condition=PartnerItem.gsi1sk.startswith(prefix) if prefix else None,
        filter_condition=combined,
        first=first,
        after=after,
    )


@dataclass
class Lists:
    resources: list[ResourceItem]
    needs: list[NeedItem]
    projects: list[ProjectItem]


def community_lists(community_id: str) -> Lists:
    """资源清单, 需求清单, 项目清单 of a community in 3 requests: its needs and projects share
    one index partition (1 Query); the resources are those of approved partners in the
    street's sub-directory and in the district directory (1 Query each). The street and the
    district are read off the path its needs and projects carry; only a community with
    neither costs a GetItem of the community itself (4 requests)."""
    needs: list[NeedItem] = []
    projects: list[ProjectItem] = []
    for item in Item.by_parent.query(lists_pk(community_id), limit=LIST_LIMIT):
        if isinstance(item, ProjectItem):
            projects.append(item)
        elif isinstance(item, NeedItem):
            needs.append(item)
    carried = [n.unit_path for n in needs] + [p.unit_path for p in projects]
    if carried:
        path = carried[0]
    else:
        community = org_units.require_unit(community_id, field="communityId", consistent=False)
        if community.kind != OrgKind.COMMUNITY:
            raise InvalidHierarchy("Give a community", field="communityId")
        path = community.path
    district_id, street_id = path_ids(path)[:2]
    resources = _approved_resources(street_id) + _approved_resources(district_id)
    # Newest first; cancelled projects are kept in the list (their state says so).
    needs.sort(key=lambda n: n.created_at, reverse=True)
    projects.sort(key=lambda p: p.created_at, reverse=True)
    return Lists(resources, needs, projects)


def _approved_resources(unit_id: str, category: str | None = None) -> list[ResourceItem]:
    return [
        item
        for item in ResourceItem.by_parent.query(
            resources_pk(unit_id),
            ResourceItem.gsi1sk.startswith(f"{category}#") if category else None,
            filter_condition=ResourceItem.partner_status == PartnerStatus.APPROVED.value,
            limit=LIST_LIMIT,
        )
        if isinstance(item, ResourceItem)
    ]


def open_projects_near(db: Db, grid_id: str, first: int, after: str | None) -> Page[ProjectItem]:
    """Projects open for claims in the grid's street, newest first."""
    grid = org_units.require_unit(grid_id, field="gridId", consistent=False)
    if grid.kind not in (OrgKind.GRID, OrgKind.COMMUNITY):
        raise InvalidHierarchy("Give a grid or a community", field="gridId")
    street_id = path_ids(grid.path)[1]
    return query_page(
        ProjectItem,
        db.codec,
        street_projects_pk(street_id),
        index="gsi2",
        range_key_condition=ProjectItem.gsi2sk.startswith(f"{ProjectState.OPEN.value}#"),
        first=first,
        after=after,
        scan_forward=False,
    )


def partner_claims(db: Db, partner_id: str, first: int, after: str | None) -> Page[ClaimItem]:
    """A partner's claims, newest first, withdrawn and delivered ones included (its history)."""
    return query_page(
        ClaimItem,
        db.codec,
        partner_claims_pk(partner_id),
        index="gsi1",
        first=first,
        after=after,
        scan_forward=False,
    )


def matching_resources(need_id: str) -> list[ResourceItem]:
    """Resources of approved partners in the need's scope (its street's sub-directory and the
    district directory) whose category is the need's: 2 key-conditioned Queries."""
    need = get_need(need_id)
    if need is None:
        raise NotFound("No such need", field="needId")
    district_id, street_id = path_ids(need.unit_path)[:2]
    return _approved_resources(street_id, need.category) + _approved_resources(
        district_id, need.category
    )


def awards(district_id: str, year: int) -> list[AwardItem]:
    if year < 2000 or year > 2100:
        raise InvalidInput("Give a year", field="year")
    return list(AwardItem.query(f"AWARDS#{district_id}#{year}"))
