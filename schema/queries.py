"""Root query fields of the hierarchy and people, and ``node(id:)``."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.domain.ids import from_global_id
from api.domain.org import OrgKind
from api.services import org_units
from schema.connections import DEFAULT_PAGE_SIZE, After, Connection, First, to_connection
from schema.context import Info
from schema.enums import OrgUnitKind, value_of
from schema.node import Node, is_registered, item_id, resolve_node
from schema.types import OrgUnit, Person, RoleGrant, load_org_unit, load_person


@strawberry.type(description="The signed-in caller")
class Viewer:
    person: Person = strawberry.field(description="The caller, unmasked")
    roles: list[RoleGrant] = strawberry.field(description="Every role the caller holds")


async def _unregistered_node(info: Info, id: strawberry.ID) -> Node | None:
    """TRANSITIONAL (store-boundary refactor): types whose modules do not register a
    ``@node_loader`` yet are loaded as before; each branch goes when its type registers."""
    type_name, raw_id = from_global_id(id)
    if type_name == "Case":
        from api.services.case_queries import case_with_timeline
        from schema.case_types import Case

        partition = case_with_timeline(info.context.actor, raw_id)
        return Case.of(partition.case, partition.events) if partition else None
    if type_name == "Topic":
        from schema.topic_queries import load_topic

        return load_topic(info, raw_id)
    return await resolve_node(info, id)  # refuses the unknown type


@strawberry.type
class Query:
    @strawberry.field(description="Refetch any object by its global id")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global id")],
    ) -> Node | None:
        if is_registered(from_global_id(id)[0]):
            return await resolve_node(info, id)
        return await _unregistered_node(info, id)

    @strawberry.field(description="An org unit by id (archived ones only to staff in scope)")
    async def org_unit(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the unit")],
    ) -> OrgUnit | None:
        return await load_org_unit(info, item_id(id, "OrgUnit"))

    @strawberry.field(
        description="The districts served by this deployment: the roots of the hierarchy"
    )
    def districts(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> Connection[OrgUnit]:
        page = org_units.list_districts(info.context.db, first, after)
        return to_connection(page, OrgUnit.of, after is not None)

    @strawberry.field(description="Units of a kind whose name starts with a prefix, within a scope")
    async def search_org_units(
        self,
        info: Info,
        scope_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="Global id of the unit whose subtree is searched"),
        ],
        kind: Annotated[OrgUnitKind, strawberry.argument(description="The kind of unit to find")],
        name_prefix: Annotated[
            str,
            strawberry.argument(
                description="The start of the name (at most 60 characters, no '#')"
            ),
        ] = "",
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> Connection[OrgUnit]:
        db = info.context.db
        scope = db.org_units.require(
            item_id(scope_id, "OrgUnit", "scopeId"), field="scopeId", consistent=False
        )
        page = org_units.search_units(db, scope, OrgKind(value_of(kind)), name_prefix, first, after)
        return to_connection(page, OrgUnit.of, after is not None)

    @strawberry.field(description="A person by id; personal data masked outside the caller's scope")
    async def person(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the person")],
    ) -> Person | None:
        return await load_person(info, item_id(id, "Person"))

    @strawberry.field(description="The signed-in caller, or null when anonymous")
    def viewer(self, info: Info) -> Viewer | None:
        actor = info.context.actor
        if actor.person is None:
            return None
        return Viewer(
            person=Person.of(actor.person, info),
            roles=[RoleGrant.of(grant) for grant in actor.grant_records],
        )
