"""Root query fields of red partners and the points ledger."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.domain.ledger import HOLDER_OF, AccountKind, HolderKind
from api.domain.partners import PartnerKind as PartnerKindModel
from api.domain.partners import PartnerStatus as PartnerStatusModel
from api.domain.roles import Permission
from api.records.ledger import Holder
from api.services import ledger, partner_queries
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

FIRST = "How many items to return (at most 100)"
AFTER = "The cursor of the last item seen (`pageInfo.endCursor`)"


@strawberry.type(description="A holder's balance and entries, newest first")
class PointsStatement:
    account: PointsAccount = strawberry.field(description="Which ledger account")
    balance: int = strawberry.field(description="Current balance")
    earned: int = strawberry.field(description="Everything earned so far")
    holder: strawberry.Private[Holder]
    # The root field's (deprecated) page arguments, used when `entries` is given none.
    default_first: strawberry.Private[int]
    default_after: strawberry.Private[str | None]

    @strawberry.field(description="The entries, newest first, one page at a time")
    def entries(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[PointsEntry]:
        if first is None and after is None:
            first, after = self.default_first, self.default_after
        page = ledger.entries(
            info.context.db,
            AccountKind(value_of(self.account)),
            self.holder,
            DEFAULT_PAGE_SIZE if first is None else first,
            after,
        )
        return to_connection(page, PointsEntry.of, after is not None)


def account_holder_id(account: AccountKind, value: strawberry.ID) -> str:
    """The raw id of a ledger account's holder: a Partner or a Person, by account kind."""
    kind = "Partner" if HOLDER_OF[account] is HolderKind.PARTNER else "Person"
    return item_id(value, kind, "holderId")


@strawberry.type
class PartnerQuery:
    @strawberry.field(description="A red partner (contacts masked outside the managing units)")
    async def partner(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The partner's global id")],
    ) -> Partner | None:
        found = await info.context.partner_loaders.partners.load(item_id(id, "Partner"))
        return Partner.of(found) if found else None

    @strawberry.field(
        description="名录 / 子库: the partners of the district directory or a street's "
        "sub-directory, by name, filtered by status, kind or resource category"
    )
    def partners(
        self,
        info: Info,
        directory_unit_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The district (名录) or a street (子库)"),
        ],
        status: Annotated[
            PartnerStatus | None, strawberry.argument(description="Only partners in this status")
        ] = None,
        kind: Annotated[
            PartnerKind | None, strawberry.argument(description="Only partners of this kind")
        ] = None,
        category: Annotated[
            str | None,
            strawberry.argument(description="Only partners offering resources of this category"),
        ] = None,
        name_prefix: Annotated[
            str | None, strawberry.argument(description="Names starting with this")
        ] = None,
        include_streets: Annotated[
            bool,
            strawberry.argument(
                description="For a district: every partner, its streets' sub-directories too"
            ),
        ] = False,
        first: Annotated[int, strawberry.argument(description=FIRST)] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
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
    def community_partner_lists(
        self,
        info: Info,
        community_id: Annotated[strawberry.ID, strawberry.argument(description="A community")],
    ) -> CommunityLists:
        lists = partner_queries.community_lists(
            info.context.db, item_id(community_id, "OrgUnit", "communityId")
        )
        return CommunityLists(
            resources=[PartnerResource.of(r) for r in lists.resources],
            needs=[PartnerNeed.of(n) for n in lists.needs],
            projects=[PartnerProject.of(p) for p in lists.projects],
        )

    @strawberry.field(description="A partner project with its claims (2 requests)")
    async def partner_project(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The project's global id")],
    ) -> PartnerProject | None:
        found = await info.context.partner_loaders.projects.load(item_id(id, "PartnerProject"))
        return PartnerProject.of(found) if found else None

    @strawberry.field(description="Projects open for claims in a grid's street, newest first")
    def open_partner_projects(
        self,
        info: Info,
        grid_id: Annotated[strawberry.ID, strawberry.argument(description="A grid (or community)")],
        first: Annotated[int, strawberry.argument(description=FIRST)] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[PartnerProject]:
        page = partner_queries.open_projects_near(
            info.context.db, item_id(grid_id, "OrgUnit", "gridId"), first, after
        )
        return to_connection(page, PartnerProject.of, after is not None)

    @strawberry.field(description="A partner's claims and their history, newest first")
    def partner_claims(
        self,
        info: Info,
        partner_id: Annotated[strawberry.ID, strawberry.argument(description="The partner")],
        first: Annotated[int, strawberry.argument(description=FIRST)] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[PartnerClaim]:
        page = partner_queries.partner_claims(
            info.context.db, item_id(partner_id, "Partner", "partnerId"), first, after
        )
        return to_connection(page, PartnerClaim.of, after is not None)

    @strawberry.field(
        description="Resources of approved partners in a need's scope matching its category"
    )
    def matching_partner_resources(
        self,
        info: Info,
        need_id: Annotated[strawberry.ID, strawberry.argument(description="The need")],
    ) -> list[PartnerResource]:
        found = partner_queries.matching_resources(
            info.context.db, item_id(need_id, "PartnerNeed", "needId")
        )
        return [PartnerResource.of(r) for r in found]

    @strawberry.field(description="红色创新奖: nominations and awards of a district for a year")
    def partner_awards(
        self,
        info: Info,
        district_id: Annotated[strawberry.ID, strawberry.argument(description="The district")],
        year: Annotated[int, strawberry.argument(description="The award year")],
    ) -> list[PartnerAward]:
        rows = partner_queries.awards(
            info.context.db, item_id(district_id, "OrgUnit", "districtId"), year
        )
        return [PartnerAward.of(row) for row in rows]

    @strawberry.field(
        description="A points statement (partner points, 党员积分 or 爱心银行 hours): the "
        "holder, its representatives and staff in scope"
    )
    def points_statement(
        self,
        info: Info,
        account: Annotated[PointsAccount, strawberry.argument(description="Which account")],
        holder_id: Annotated[
            strawberry.ID, strawberry.argument(description="A Partner or a Person")
        ],
        first: Annotated[
            int,
            strawberry.argument(
                description="Deprecated: give `entries(first:)`. Entries when `entries` has no "
                "page arguments"
            ),
        ] = DEFAULT_PAGE_SIZE,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Deprecated: give `entries(after:)`. Cursor when `entries` has no "
                "page arguments"
            ),
        ] = None,
    ) -> PointsStatement:
        kind = AccountKind(value_of(account))
        holder, balance = ledger.statement(
            info.context.db, info.context.actor, kind, account_holder_id(kind, holder_id)
        )
        return PointsStatement(
            account=account,
            balance=balance.balance if balance else 0,
            earned=balance.earned if balance else 0,
            holder=holder,
            default_first=first,
            default_after=after,
        )

    @strawberry.field(
        description="A street's (or the district directory's) leaderboard, highest first; "
        "people's names masked outside staff in scope"
    )
    def points_leaderboard(
        self,
        info: Info,
        unit_id: Annotated[
            strawberry.ID, strawberry.argument(description="A street or the district")
        ],
        account: Annotated[PointsAccount, strawberry.argument(description="Which account")],
        top: Annotated[int, strawberry.argument(description="How many (1 to 100)")] = 10,
    ) -> list[PointsStanding]:
        unit = info.context.db.org_units.require(
            item_id(unit_id, "OrgUnit", "unitId"), field="unitId", consistent=False
        )
        kind = AccountKind(value_of(account))
        full = HOLDER_OF[kind] is HolderKind.PARTNER or info.context.actor.can(
            Permission.READ_PEOPLE, unit.path
        )
        rows = ledger.leaderboard(info.context.db, unit.id, kind, top)
        return [PointsStanding.of(row, full) for row in rows]
