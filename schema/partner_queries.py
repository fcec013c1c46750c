"""Root query fields of red partners and the points ledger."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.domain.ledger import HOLDER_OF, AccountKind, HolderKind
from api.domain.partners import PartnerKind as PartnerKindModel
from api.domain.partners import PartnerStatus as PartnerStatusModel
from api.domain.roles import Permission
from api.services import ledger, org_units, partner_queries
from api.services.partner_projects import get_need, get_project, project_claims
from api.services.partners import get_partner
from schema.connections import DEFAULT_PAGE_SIZE, Connection, to_connection
from schema.context import Info
from schema.enums import value_of
from schema.node import item_id
from schema.partner_types import (
    CommunityLists,
    Partner,
    PartnerAward,
    PartnerClaim,
    PartnerKind,
    PartnerNeed,
    PartnerProject,
    PartnerResource,
    PartnerStatus,
    PointsAccount,
    PointsEntry,
    PointsStanding,
)


@strawberry.type(description="A holder's balance and entries, newest first")
class PointsStatement:
    account: PointsAccount
    balance: int
    earned: int
    entries: Connection[PointsEntry]


def _holder_id(account: AccountKind, value: strawberry.ID) -> str:
    kind = "Partner" if HOLDER_OF[account] is HolderKind.PARTNER else "Person"
    return item_id(value, kind, "holderId")


def partner_node(type_name: str, raw_id: str) -> Partner | PartnerProject | PartnerNeed | None:
    """``node(id:)`` for the partner types (all public)."""
    if type_name == "Partner":
        partner = get_partner(raw_id)
        return Partner.of(partner) if partner else None
    if type_name == "PartnerProject":
        project = get_project(raw_id, consistent=False)
        return PartnerProject.of(project) if project else None
    need = get_need(raw_id)
    return PartnerNeed.of(need) if need else None


@strawberry.type
class PartnerQuery:
    @strawberry.field(description="A red partner (contacts masked outside the managing units)")
    def partner(self, info: Info, id: strawberry.ID) -> Partner | None:
        found = get_partner(item_id(id, "Partner"))
        return Partner.of(found) if found else None

    @strawberry.field(
        description="名录 / 子库: the partners of the district directory or a street's "
        "sub-directory, by name, filtered by status, kind or resource category"
    )
    def partners(
        self,
        info: Info,
        directory_unit_id: strawberry.ID,
        status: PartnerStatus | None = None,
        kind: PartnerKind | None = None,
        category: str | None = None,
        name_prefix: str | None = None,
        include_streets: Annotated[
            bool,
            strawberry.argument(
                description="For a district: every partner, its streets' sub-directories too"
            ),
        ] = False,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[Partner]:
        filters = partner_queries.DirectoryFilter(
            status=PartnerStatusModel(value_of(status)) if status else None,
            kind=PartnerKindModel(value_of(kind)) if kind else None,
            category=category,
            name_prefix=name_prefix,
            include_streets=include_streets,
        )
        page = partner_queries.directory(
            info.context.db,
            item_id(directory_unit_id, "OrgUnit", "directoryUnitId"),
            filters,
            first,
            after,
        )
        return to_connection(page, Partner.of, after is not None)

    @strawberry.field(description="资源清单, 需求清单, 项目清单 of a community (3 requests)")
    def community_partner_lists(self, info: Info, community_id: strawberry.ID) -> CommunityLists:
        lists = partner_queries.community_lists(item_id(community_id, "OrgUnit", "communityId"))
        return CommunityLists(
            resources=[PartnerResource(item=r) for r in lists.resources],
            needs=[PartnerNeed.of(n) for n in lists.needs],
            projects=[PartnerProject.of(p) for p in lists.projects],
        )

    @strawberry.field(description="A partner project with its claims (2 requests)")
    def partner_project(self, info: Info, id: strawberry.ID) -> PartnerProject | None:
        project_id = item_id(id, "PartnerProject")
        project = get_project(project_id, consistent=False)
        return PartnerProject.of(project, project_claims(project_id)) if project else None

    @strawberry.field(description="Projects open for claims in a grid's street, newest first")
    def open_partner_projects(
        self,
        info: Info,
        grid_id: strawberry.ID,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[PartnerProject]:
        page = partner_queries.open_projects_near(
            info.context.db, item_id(grid_id, "OrgUnit", "gridId"), first, after
        )
        return to_connection(page, PartnerProject.of, after is not None)

    @strawberry.field(description="A partner's claims and their history, newest first")
    def partner_claims(
        self,
        info: Info,
        partner_id: strawberry.ID,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[PartnerClaim]:
        page = partner_queries.partner_claims(
            info.context.db, item_id(partner_id, "Partner", "partnerId"), first, after
        )
        return to_connection(page, lambda c: PartnerClaim(item=c), after is not None)

    @strawberry.field(
        description="Resources of approved partners in a need's scope matching its category"
    )
    def matching_partner_resources(
        self, info: Info, need_id: strawberry.ID
    ) -> list[PartnerResource]:
        found = partner_queries.matching_resources(item_id(need_id, "PartnerNeed", "needId"))
        return [PartnerResource(item=r) for r in found]

    @strawberry.field(description="红色创新奖: nominations and awards of a district for a year")
    def partner_awards(
        self, info: Info, district_id: strawberry.ID, year: int
    ) -> list[PartnerAward]:
        rows = partner_queries.awards(item_id(district_id, "OrgUnit", "districtId"), year)
        return [PartnerAward(item=row) for row in rows]

    @strawberry.field(
        description="A points statement (partner points, 党员积分 or 爱心银行 hours): the "
        "holder, its representatives and staff in scope"
    )
    def points_statement(
        self,
        info: Info,
        account: PointsAccount,
        holder_id: strawberry.ID,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> PointsStatement:
        kind = AccountKind(value_of(account))
        balance, page = ledger.statement(
            info.context.db,
            info.context.actor,
            kind,
            _holder_id(kind, holder_id),
            first,
            after,
        )
        return PointsStatement(
            account=account,
            balance=int(balance.balance or 0) if balance else 0,
            earned=int(balance.earned or 0) if balance else 0,
            entries=to_connection(page, lambda e: PointsEntry(item=e), after is not None),
        )

    @strawberry.field(
        description="A street's (or the district directory's) leaderboard, highest first; "
        "people's names masked outside staff in scope"
    )
    def points_leaderboard(
        self, info: Info, unit_id: strawberry.ID, account: PointsAccount, top: int = 10
    ) -> list[PointsStanding]:
        unit = org_units.require_unit(
            item_id(unit_id, "OrgUnit", "unitId"), field="unitId", consistent=False
        )
        kind = AccountKind(value_of(account))
        full = HOLDER_OF[kind] is HolderKind.PARTNER or info.context.actor.can(
            Permission.READ_PEOPLE, unit.path
        )
        rows = ledger.leaderboard(unit.id, kind, top)
        return [PointsStanding(item=row, full_name=full) for row in rows]
