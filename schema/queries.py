"""Root query fields."""

from __future__ import annotations

import strawberry

from api.domain.errors import InvalidId
from api.domain.ids import from_global_id
from api.domain.org import OrgKind
from api.services import org_units
from api.services.actor import ANONYMOUS
from api.store.models import OrgUnitItem, children_pk
from api.store.pagination import query_page
from schema.connections import DEFAULT_PAGE_SIZE, Connection, to_connection
from schema.context import Info
from schema.enums import OrgUnitKind, value_of
from schema.node import Node, item_id
from schema.types import OrgUnit, Person, RoleGrant


@strawberry.type(description="The signed-in caller")
class Viewer:
    person: Person
    roles: list[RoleGrant]


async def _org_unit(info: Info, unit_id: str) -> OrgUnit | None:
    unit = await info.context.loaders.org_units.load(unit_id)
    if unit is None or not org_units.is_visible(
        info.context.actor if unit.archived else ANONYMOUS, unit
    ):
        return None
    return OrgUnit.of(unit)


async def _person(info: Info, person_id: str) -> Person | None:
    person = await info.context.loaders.people.load(person_id)
    return Person.of(person, info) if person else None


@strawberry.type
class Query:
    @strawberry.field(description="Refetch any object by its global id")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        type_name, raw_id = from_global_id(id)
        if type_name == "OrgUnit":
            return await _org_unit(info, raw_id)
        if type_name == "Person":
            return await _person(info, raw_id)
        if type_name == "Case":
            from api.services.case_queries import case_with_timeline
            from schema.case_types import Case

            partition = case_with_timeline(info.context.actor, raw_id)
            return Case.of(partition.case, partition.events) if partition else None
        if type_name in ("Partner", "PartnerProject", "PartnerNeed"):
            from schema.partner_queries import partner_node

            return partner_node(type_name, raw_id)
        if type_name == "Topic":
            from schema.topic_queries import load_topic

            return load_topic(info, raw_id)
        raise InvalidId(f"ID {id!r} names an unknown type", field="id")

    @strawberry.field(description="An org unit by id (archived ones only to staff in scope)")
    async def org_unit(self, info: Info, id: strawberry.ID) -> OrgUnit | None:
        return await _org_unit(info, item_id(id, "OrgUnit"))

    @strawberry.field(
        description="The districts served by this deployment: the roots of the hierarchy"
    )
    def districts(
        self, info: Info, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[OrgUnit]:
        page = query_page(
            OrgUnitItem,
            info.context.db.codec,
            children_pk(None),
            index="gsi1",
            first=first,
            after=after,
        )
        return to_connection(page, OrgUnit.of, after is not None)

    @strawberry.field(description="Units of a kind whose name starts with a prefix, within a scope")
    async def search_org_units(
        self,
        info: Info,
        scope_id: strawberry.ID,
        kind: OrgUnitKind,
        name_prefix: str = "",
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[OrgUnit]:
        scope = org_units.require_unit(
            item_id(scope_id, "OrgUnit", "scopeId"), field="scopeId", consistent=False
        )
        page = org_units.search_units(
            info.context.db, scope, OrgKind(value_of(kind)), name_prefix, first, after
        )
        return to_connection(page, OrgUnit.of, after is not None)

    @strawberry.field(description="A person by id; personal data masked outside the caller's scope")
    async def person(self, info: Info, id: strawberry.ID) -> Person | None:
        return await _person(info, item_id(id, "Person"))

    @strawberry.field(description="The signed-in caller, or null when anonymous")
    def viewer(self, info: Info) -> Viewer | None:
        actor = info.context.actor
        if actor.person is None:
            return None
        return Viewer(
            person=Person.of(actor.person, info),
            roles=[RoleGrant.of(grant) for grant in actor.grant_records],
        )
