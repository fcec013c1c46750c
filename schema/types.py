"""Object types of the grid hierarchy and people (one module: they refer to each other)."""

from __future__ import annotations

import strawberry

from api.domain.grid import GridDetails as GridDetailsModel
from api.domain.people import mask_name, mask_phone
from api.domain.roles import Permission
from api.records.org import GrantRecord, PersonRecord
from api.services import org_units, people
from api.services.actor import ANONYMOUS
from api.store.models import OrgUnitItem, PersonItem, RoleGrantItem
from schema.connections import DEFAULT_PAGE_SIZE, Connection, to_connection
from schema.context import Info
from schema.enums import FiveCriterion, OrgUnitKind, Role, StarCriterion
from schema.node import Node, global_id


@strawberry.type(description="One ancestor in a breadcrumb, root first")
class Ancestor:
    id: strawberry.ID
    kind: OrgUnitKind
    name: str


@strawberry.type(description="党群服务站: the grid's service station")
class ServiceStation:
    name: str
    address: str
    opening_hours: str
    phone: str


@strawberry.type(
    description="What a grid carries beyond its name: branch, instructor, station, ratings"
)
class GridDetails:
    details: strawberry.Private[GridDetailsModel]

    @strawberry.field(description="网格党支部书记 (personal data masked outside the scope)")
    async def party_branch_secretary(self, info: Info) -> Person | None:
        return await _person(info, self.details.secretary_id)

    @strawberry.field(description="网格党建指导员")
    async def instructor(self, info: Info) -> Person | None:
        return await _person(info, self.details.instructor_id)

    @strawberry.field
    def service_station(self) -> ServiceStation | None:
        station = self.details.station
        if station is None:
            return None
        return ServiceStation(
            name=station.name,
            address=station.address,
            opening_hours=station.opening_hours,
            phone=station.phone,
        )

    @strawberry.field(description="五子达标: criteria met")
    def five_criteria(self) -> list[FiveCriterion]:
        return sorted((FiveCriterion(c.value) for c in self.details.five_criteria), key=_order)

    @strawberry.field(description="True when all five criteria are met")
    def five_criteria_met(self) -> bool:
        return self.details.five_criteria_met

    @strawberry.field(description="六个好: criteria met, one star each")
    def star_criteria(self) -> list[StarCriterion]:
        return sorted((StarCriterion(c.value) for c in self.details.star_criteria), key=_order)

    @strawberry.field(description="Star rating, 0–6")
    def stars(self) -> int:
        return self.details.stars


def _order(value: FiveCriterion | StarCriterion) -> int:
    return list(type(value)).index(value)


@strawberry.type(description="A unit of the grid hierarchy: district, street, community, grid, …")
class OrgUnit(Node):
    item: strawberry.Private[OrgUnitItem]

    @classmethod
    def of(cls, item: OrgUnitItem) -> OrgUnit:
        return cls(id=global_id("OrgUnit", item.id), item=item)

    @strawberry.field
    def kind(self) -> OrgUnitKind:
        return OrgUnitKind(self.item.kind)

    @strawberry.field
    def name(self) -> str:
        return self.item.name

    @strawberry.field(description="Archived units are kept for the record, never deleted")
    def archived(self) -> bool:
        return bool(self.item.archived)

    @strawberry.field
    def created_at(self) -> str:
        return self.item.created_at

    @strawberry.field
    def updated_at(self) -> str:
        return self.item.updated_at

    @strawberry.field
    async def parent(self, info: Info) -> OrgUnit | None:
        if self.item.parent_id is None:
            return None
        parent = await info.context.loaders.org_units.load(self.item.parent_id)
        return OrgUnit.of(parent) if parent else None

    @strawberry.field(
        description="The breadcrumb: ancestors from the district down (no extra reads)"
    )
    def ancestors(self) -> list[Ancestor]:
        return [
            Ancestor(
                id=global_id("OrgUnit", crumb.id),
                kind=OrgUnitKind(crumb.kind.value),
                name=crumb.name,
            )
            for crumb in org_units.crumbs(self.item)
        ]

    @strawberry.field(description="Children sorted by name; archived ones only to staff in scope")
    def children(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        archived: bool = False,
    ) -> Connection[OrgUnit]:
        ctx = info.context
        # Active children are public: only archived ones need the caller (and a read of grants).
        actor = ctx.actor if archived else ANONYMOUS
        page = org_units.list_children(ctx.db, actor, self.item, first, after, archived)
        return to_connection(page, OrgUnit.of, after is not None)

    @strawberry.field(description="Only for grids")
    def grid(self) -> GridDetails | None:
        details = org_units.grid_details(self.item)
        return GridDetails(details=details) if details is not None else None

    @strawberry.field(description="Who holds which role here (staff in scope only)")
    def role_grants(
        self, info: Info, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[RoleGrant]:
        ctx = info.context
        page = people.list_grants(ctx.db, ctx.actor, self.item, first, after)
        return to_connection(page, RoleGrant.of, after is not None)

    @strawberry.field(description="People whose home is this unit (staff in scope only)")
    def residents(
        self, info: Info, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[Person]:
        ctx = info.context
        page = people.list_residents(ctx.db, ctx.actor, self.item, first, after)
        return to_connection(page, lambda person: Person.of(person, info), after is not None)

    @strawberry.field(description="Whether the caller may manage this unit's subtree")
    def viewer_can_manage(self, info: Info) -> bool:
        return info.context.actor.can(Permission.MANAGE_ORG, self.item.path)


@strawberry.type(description="A resident, party member or staff member")
class Person(Node):
    item: strawberry.Private[PersonItem | PersonRecord]
    full_access: strawberry.Private[bool]

    @classmethod
    def of(cls, item: PersonItem | PersonRecord, info: Info) -> Person:
        return cls(
            id=global_id("Person", item.id),
            item=item,
            full_access=info.context.can_read_person(item),
        )

    @strawberry.field(
        description="Full name to the person and staff in scope; masked (张*) for others"
    )
    def name(self) -> str:
        return self.item.name if self.full_access else mask_name(self.item.name)

    @strawberry.field(description="Masked for staff in scope, absent for everyone else")
    def phone(self) -> str | None:
        if not self.full_access or not self.item.phone:
            return None
        return mask_phone(self.item.phone)

    @strawberry.field(description="党员: shown to others only when the party badge is on")
    def is_party_member(self) -> bool | None:
        if self.full_access or self.item.party_badge:
            return bool(self.item.is_party_member)
        return None

    @strawberry.field(description="亮身份: the person chose to show the party badge")
    def party_badge(self) -> bool:
        return bool(self.item.party_badge)

    @strawberry.field
    async def home_unit(self, info: Info) -> OrgUnit | None:
        if not self.full_access or self.item.home_unit_id is None:
            return None
        unit = await info.context.loaders.org_units.load(self.item.home_unit_id)
        return OrgUnit.of(unit) if unit else None

    @strawberry.field(description="Roles held (to the person and staff in scope)")
    def roles(self, info: Info) -> list[RoleGrant]:
        if not self.full_access:
            return []
        return [RoleGrant.of(grant) for grant in people.list_own_grants(self.item.id)]


@strawberry.type(description="A role held by a person on an org unit")
class RoleGrant:
    item: strawberry.Private[RoleGrantItem | GrantRecord]

    @classmethod
    def of(cls, item: RoleGrantItem | GrantRecord) -> RoleGrant:
        return cls(item=item)

    @strawberry.field
    def role(self) -> Role:
        return Role(self.item.role)

    @strawberry.field
    def granted_at(self) -> str:
        return self.item.granted_at

    @strawberry.field
    async def person(self, info: Info) -> Person | None:
        person = await info.context.loaders.people.load(self.item.person_id)
        return Person.of(person, info) if person else None

    @strawberry.field
    async def org_unit(self, info: Info) -> OrgUnit | None:
        unit = await info.context.loaders.org_units.load(self.item.org_id)
        return OrgUnit.of(unit) if unit else None


async def _person(info: Info, person_id: str | None) -> Person | None:
    if person_id is None:
        return None
    person = await info.context.loaders.people.load(person_id)
    return Person.of(person, info) if person else None
