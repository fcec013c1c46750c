"""Object types of the grid hierarchy and people (one module: they refer to each other).

Built from the store's records (``api.records.org``): plain fields are filled once by ``of``;
relations read through the request's DataLoaders or one repository page.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.domain.grid import GridDetails as GridDetailsModel
from api.domain.people import mask_name, phone_shown
from api.domain.roles import Permission
from api.records.org import GrantRecord, OrgUnitRecord, PersonRecord
from api.services import org_units, people
from api.services.actor import ANONYMOUS
from schema.connections import DEFAULT_PAGE_SIZE, After, Connection, First, to_connection
from schema.context import Info
from schema.enums import FiveCriterion, OrgUnitKind, Role, StarCriterion
from schema.node import Node, global_id, node_loader


@strawberry.type(description="One ancestor in a breadcrumb, root first")
class Ancestor:
    id: strawberry.ID = strawberry.field(description="Global id of the ancestor unit")
    kind: OrgUnitKind = strawberry.field(description="Its level in the hierarchy")
    name: str = strawberry.field(description="Its name")


@strawberry.type(description="党群服务站: the grid's service station")
class ServiceStation:
    name: str = strawberry.field(description="Name of the station")
    address: str = strawberry.field(description="Street address")
    opening_hours: str = strawberry.field(description="Opening hours, as written by the grid")
    phone: str = strawberry.field(description="Public phone number of the station")


@strawberry.type(
    description="What a grid carries beyond its name: branch, instructor, station, ratings"
)
class GridDetails:
    secretary_id: strawberry.Private[str | None]
    instructor_id: strawberry.Private[str | None]

    @strawberry.field(description="网格党支部书记 (personal data masked outside the scope)")
    async def party_branch_secretary(self, info: Info) -> Person | None:
        return await _person(info, self.secretary_id)

    @strawberry.field(description="网格党建指导员 (personal data masked outside the scope)")
    async def instructor(self, info: Info) -> Person | None:
        return await _person(info, self.instructor_id)

    service_station: ServiceStation | None = strawberry.field(
        description="党群服务站, when the grid has one (public)"
    )
    five_criteria: list[FiveCriterion] = strawberry.field(description="五子达标: criteria met")
    five_criteria_met: bool = strawberry.field(description="True when all five criteria are met")
    star_criteria: list[StarCriterion] = strawberry.field(
        description="六个好: criteria met, one star each"
    )
    stars: int = strawberry.field(description="Star rating, 0–6")

    @classmethod
    def of(cls, details: GridDetailsModel) -> GridDetails:
        station = details.station
        return cls(
            secretary_id=details.secretary_id,
            instructor_id=details.instructor_id,
            service_station=None
            if station is None
            else ServiceStation(
                name=station.name,
                address=station.address,
                opening_hours=station.opening_hours,
                phone=station.phone,
            ),
            five_criteria=sorted(
                (FiveCriterion(c.value) for c in details.five_criteria), key=_order
            ),
            five_criteria_met=details.five_criteria_met,
            star_criteria=sorted(
                (StarCriterion(c.value) for c in details.star_criteria), key=_order
            ),
            stars=details.stars,
        )


def _order(value: FiveCriterion | StarCriterion) -> int:
    return list(type(value)).index(value)


@strawberry.type(description="A unit of the grid hierarchy: district, street, community, grid, …")
class OrgUnit(Node):
    record: strawberry.Private[OrgUnitRecord]
    kind: OrgUnitKind = strawberry.field(description="Its level in the hierarchy")
    name: str = strawberry.field(description="Unique among its siblings")
    archived: bool = strawberry.field(
        description="Archived units are kept for the record, never deleted"
    )
    created_at: str = strawberry.field(description="When it was created (ISO 8601)")
    updated_at: str = strawberry.field(description="When it was last renamed, moved or edited")

    @classmethod
    def of(cls, unit: OrgUnitRecord) -> OrgUnit:
        return cls(
            id=global_id("OrgUnit", unit.id),
            record=unit,
            kind=OrgUnitKind(unit.kind.value),
            name=unit.name,
            archived=unit.archived,
            created_at=unit.created_at,
            updated_at=unit.updated_at,
            ancestors=[
                Ancestor(
                    id=global_id("OrgUnit", crumb.id),
                    kind=OrgUnitKind(crumb.kind.value),
                    name=crumb.name,
                )
                for crumb in unit.ancestors
            ],
            grid=GridDetails.of(unit.grid) if unit.grid is not None else None,
        )

    @strawberry.field(description="The unit above (null for a district)")
    async def parent(self, info: Info) -> OrgUnit | None:
        if self.record.parent_id is None:
            return None
        parent = await info.context.loaders.org_units.load(self.record.parent_id)
        return OrgUnit.of(parent) if parent else None

    ancestors: list[Ancestor] = strawberry.field(
        description="The breadcrumb: ancestors from the district down (no extra reads)"
    )

    @strawberry.field(
        description="Children sorted by name; archived ones only to staff in scope (for anyone "
        "else `archived: true` is null with a FORBIDDEN error at this field)"
    )
    def children(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        archived: Annotated[
            bool,
            strawberry.argument(
                description="List the archived children instead (staff in scope only)"
            ),
        ] = False,
    ) -> Connection[OrgUnit] | None:
        ctx = info.context
        # Active children are public: only archived ones need the caller (and a read of grants).
        actor = ctx.actor if archived else ANONYMOUS
        page = org_units.list_children(ctx.db, actor, self.record, first, after, archived)
        return to_connection(page, OrgUnit.of, after is not None)

    grid: GridDetails | None = strawberry.field(description="Only for grids")

    # A field the caller may not see is null with its own error (FORBIDDEN, UNAUTHENTICATED):
    # the unit's public fields survive beside it (README, "API conventions").
    @strawberry.field(
        description="Who holds which role here (staff in scope only; null with a FORBIDDEN "
        "error at this field for anyone else)"
    )
    def role_grants(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> Connection[RoleGrant] | None:
        ctx = info.context
        page = people.list_grants(ctx.db, ctx.actor, self.record, first, after)
        return to_connection(page, RoleGrant.of, after is not None)

    @strawberry.field(
        description="People whose home is this unit (staff in scope only; null with a FORBIDDEN "
        "error at this field for anyone else)"
    )
    def residents(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> Connection[Person] | None:
        ctx = info.context
        page = people.list_residents(ctx.db, ctx.actor, self.record, first, after)
        return to_connection(page, lambda person: Person.of(person, info), after is not None)

    @strawberry.field(description="Whether the caller may manage this unit's subtree")
    def viewer_can_manage(self, info: Info) -> bool:
        return info.context.actor.can(Permission.MANAGE_ORG, self.record.path)


@strawberry.type(description="A resident, party member or staff member")
class Person(Node):
    record: strawberry.Private[PersonRecord]
    full_access: strawberry.Private[bool]
    name: str = strawberry.field(
        description="Full name to the person and staff in scope; masked (张*) for others"
    )
    phone: str | None = strawberry.field(
        description="In full to the person themselves, masked for staff in scope, absent for others"
    )
    is_party_member: bool | None = strawberry.field(
        description="党员: shown to others only when the party badge is on"
    )
    party_badge: bool = strawberry.field(
        description="亮身份: the person chose to show the party badge"
    )

    @classmethod
    def of(cls, person: PersonRecord, info: Info) -> Person:
        full = info.context.can_read_person(person)
        return cls(
            id=global_id("Person", person.id),
            record=person,
            full_access=full,
            name=person.name if full else mask_name(person.name),
            phone=phone_shown(person.phone, person.id, info.context.actor.person_id)
            if full and person.phone
            else None,
            is_party_member=person.is_party_member if full or person.party_badge else None,
            party_badge=person.party_badge,
        )

    @strawberry.field(description="Where the person lives (to the person and staff in scope)")
    async def home_unit(self, info: Info) -> OrgUnit | None:
        if not self.full_access or self.record.home_unit_id is None:
            return None
        unit = await info.context.loaders.org_units.load(self.record.home_unit_id)
        return OrgUnit.of(unit) if unit else None

    @strawberry.field(description="Roles held (to the person and staff in scope)")
    async def roles(self, info: Info) -> list[RoleGrant]:
        if not self.full_access:
            return []
        grants = await info.context.loaders.grants_of.load(self.record.id)
        return [RoleGrant.of(grant) for grant in grants]


@strawberry.type(description="A role held by a person on an org unit; its scope is the subtree")
class RoleGrant:
    person_id: strawberry.Private[str]
    org_id: strawberry.Private[str]
    role: Role = strawberry.field(description="The role")
    granted_at: str = strawberry.field(description="When it was granted (ISO 8601)")

    @classmethod
    def of(cls, grant: GrantRecord) -> RoleGrant:
        return cls(
            person_id=grant.person_id,
            org_id=grant.org_id,
            role=Role(grant.role.value),
            granted_at=grant.granted_at,
        )

    @strawberry.field(description="Who holds it (masked outside the caller's scope)")
    async def person(self, info: Info) -> Person | None:
        return await _person(info, self.person_id)

    @strawberry.field(description="The unit whose subtree it covers")
    async def org_unit(self, info: Info) -> OrgUnit | None:
        return await _org_unit(info, self.org_id)


async def _person(info: Info, person_id: str | None) -> Person | None:
    if person_id is None:
        return None
    person = await info.context.loaders.people.load(person_id)
    return Person.of(person, info) if person else None


async def _org_unit(info: Info, unit_id: str) -> OrgUnit | None:
    unit = await info.context.loaders.org_units.load(unit_id)
    return OrgUnit.of(unit) if unit else None


@node_loader("OrgUnit")
async def load_org_unit(info: Info, unit_id: str) -> OrgUnit | None:
    """An org unit by raw id; archived ones only to staff in scope (null for others)."""
    unit = await info.context.loaders.org_units.load(unit_id)
    if unit is None or not org_units.is_visible(
        info.context.actor if unit.archived else ANONYMOUS, unit
    ):
        return None
    return OrgUnit.of(unit)


@node_loader("Person")
async def load_person(info: Info, person_id: str) -> Person | None:
    return await _person(info, person_id)
