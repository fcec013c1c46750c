"""Root mutation fields: one ``input`` each, a payload with the result and ``errors``."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.domain.grid import FiveCriterion as FiveCriterionModel
from api.domain.grid import GridDetails
from api.domain.grid import ServiceStation as ServiceStationModel
from api.domain.grid import StarCriterion as StarCriterionModel
from api.domain.org import OrgKind
from api.domain.roles import Role as RoleModel
from api.domain.text import free_text
from api.services import org_units, people
from schema.context import Info
from schema.enums import FiveCriterion, OrgUnitKind, Role, StarCriterion, value_of
from schema.errors import UserError, run_mutation
from schema.node import item_id
from schema.types import OrgUnit, Person, RoleGrant

ERRORS = "Why nothing was written; empty on success"


@strawberry.type(description="Result of a mutation on an org unit")
class OrgUnitPayload:
    org_unit: OrgUnit | None = strawberry.field(description="The unit as changed", default=None)
    errors: list[UserError] = strawberry.field(description=ERRORS, default_factory=list)


@strawberry.type(description="Result of a mutation on a person")
class PersonPayload:
    person: Person | None = strawberry.field(description="The person as changed", default=None)
    errors: list[UserError] = strawberry.field(description=ERRORS, default_factory=list)


@strawberry.type(description="Result of granting a role")
class GrantRolePayload:
    role_grant: RoleGrant | None = strawberry.field(description="The role granted", default=None)
    errors: list[UserError] = strawberry.field(description=ERRORS, default_factory=list)


@strawberry.type(description="Result of revoking a role")
class RevokeRolePayload:
    revoked: bool = strawberry.field(description="True once the role is gone", default=False)
    errors: list[UserError] = strawberry.field(description=ERRORS, default_factory=list)


@strawberry.input(description="A new unit under a parent")
class CreateOrgUnitInput:
    parent_id: strawberry.ID = strawberry.field(description="Global id of the parent unit")
    kind: OrgUnitKind = strawberry.field(description="One level below the parent's kind")
    name: str = strawberry.field(description="Unique among the parent's children")


@strawberry.input(description="A unit's new name")
class RenameOrgUnitInput:
    id: strawberry.ID = strawberry.field(description="Global id of the unit")
    name: str = strawberry.field(description="Unique among its siblings")


@strawberry.input(description="A unit and where it goes")
class MoveOrgUnitInput:
    id: strawberry.ID = strawberry.field(description="Global id of the unit to move")
    new_parent_id: strawberry.ID = strawberry.field(description="Global id of its new parent")


@strawberry.input(description="The unit to archive")
class ArchiveOrgUnitInput:
    id: strawberry.ID = strawberry.field(description="Global id of the unit")


@strawberry.input(description="党群服务站: the grid's service station")
class ServiceStationInput:
    name: str = strawberry.field(description="Name, at most 60 characters")
    address: str = strawberry.field(description="Street address, at most 200 characters")
    opening_hours: str = strawberry.field(description="At most 60 characters", default="")
    phone: str = strawberry.field(description="Public phone, at most 30 characters", default="")


@strawberry.input(description="Fields left null stay as they are")
class UpdateGridDetailsInput:
    id: strawberry.ID = strawberry.field(description="Global id of the grid")
    secretary_id: strawberry.ID | None = strawberry.field(
        description="网格党支部书记: global id of a registered person", default=None
    )
    instructor_id: strawberry.ID | None = strawberry.field(
        description="网格党建指导员: global id of a registered person", default=None
    )
    service_station: ServiceStationInput | None = strawberry.field(
        description="党群服务站, replaced as a whole", default=None
    )
    five_criteria: list[FiveCriterion] | None = strawberry.field(
        description="五子达标: every criterion met (replaces the list)", default=None
    )
    star_criteria: list[StarCriterion] | None = strawberry.field(
        description="六个好: every criterion met (replaces the list)", default=None
    )


@strawberry.input(description="A person to register in their home unit")
class RegisterPersonInput:
    name: str = strawberry.field(description="Full name")
    home_unit_id: strawberry.ID = strawberry.field(description="Global id of the home unit")
    phone: str | None = strawberry.field(
        description="Mobile number, unique across people", default=None
    )
    is_party_member: bool = strawberry.field(description="党员", default=False)


@strawberry.input(description="A role of a person on a unit")
class RoleInput:
    person_id: strawberry.ID = strawberry.field(description="Global id of the person")
    org_unit_id: strawberry.ID = strawberry.field(
        description="Global id of the unit whose subtree the role covers"
    )
    role: Role = strawberry.field(description="The role")


@strawberry.input(description="亮身份: show or hide the party badge")
class SetPartyBadgeInput:
    show: bool = strawberry.field(description="True to show it (party members only)")


def _unit_failed(errors: list[UserError]) -> OrgUnitPayload:
    return OrgUnitPayload(errors=errors)


def _optional_person(value: strawberry.ID | None, field: str) -> str | None:
    return None if value is None else item_id(value, "Person", field)


def _bounded(text: str, field: str, limit: int = 200) -> str:
    return free_text(text, field, max_length=limit, required=False, multiline=False)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a unit under a parent (admins of the parent's scope)")
    def create_org_unit(
        self,
        info: Info,
        input: Annotated[CreateOrgUnitInput, strawberry.argument(description="The unit to create")],
    ) -> OrgUnitPayload:
        ctx = info.context

        def act() -> OrgUnitPayload:
            unit = org_units.create_unit(
                ctx.db,
                ctx.actor,
                ctx.clock,
                item_id(input.parent_id, "OrgUnit", "parentId"),
                OrgKind(value_of(input.kind)),
                input.name,
            )
            return OrgUnitPayload(org_unit=OrgUnit.of(unit))

        return run_mutation(act, _unit_failed)

    @strawberry.mutation(description="Rename a unit; its subtree's breadcrumbs follow")
    def rename_org_unit(
        self,
        info: Info,
        input: Annotated[
            RenameOrgUnitInput, strawberry.argument(description="The unit and its new name")
        ],
    ) -> OrgUnitPayload:
        ctx = info.context

        def act() -> OrgUnitPayload:
            unit = org_units.rename_unit(
                ctx.db, ctx.actor, ctx.clock, item_id(input.id, "OrgUnit"), input.name
            )
            return OrgUnitPayload(org_unit=OrgUnit.of(unit))

        return run_mutation(act, _unit_failed)

    @strawberry.mutation(description="Move a unit (and its subtree) under another parent")
    def move_org_unit(
        self,
        info: Info,
        input: Annotated[
            MoveOrgUnitInput, strawberry.argument(description="The unit and its new parent")
        ],
    ) -> OrgUnitPayload:
        ctx = info.context

        def act() -> OrgUnitPayload:
            unit = org_units.move_unit(
                ctx.db,
                ctx.actor,
                ctx.clock,
                item_id(input.id, "OrgUnit"),
                item_id(input.new_parent_id, "OrgUnit", "newParentId"),
            )
            return OrgUnitPayload(org_unit=OrgUnit.of(unit))

        return run_mutation(act, _unit_failed)

    @strawberry.mutation(description="Archive a unit nothing refers to any more (never deleted)")
    def archive_org_unit(
        self,
        info: Info,
        input: Annotated[
            ArchiveOrgUnitInput, strawberry.argument(description="The unit to archive")
        ],
    ) -> OrgUnitPayload:
        ctx = info.context

        def act() -> OrgUnitPayload:
            unit = org_units.archive_unit(
                ctx.db, ctx.actor, ctx.clock, item_id(input.id, "OrgUnit")
            )
            return OrgUnitPayload(org_unit=OrgUnit.of(unit))

        return run_mutation(act, _unit_failed)

    @strawberry.mutation(description="Edit a grid's branch, instructor, station and ratings")
    def update_grid_details(
        self,
        info: Info,
        input: Annotated[
            UpdateGridDetailsInput,
            strawberry.argument(description="The grid and the details to change"),
        ],
    ) -> OrgUnitPayload:
        ctx = info.context

        def act() -> OrgUnitPayload:
            unit_id = item_id(input.id, "OrgUnit")
            current = ctx.db.org_units.require(unit_id).grid or GridDetails()
            station = input.service_station
            details = GridDetails(
                secretary_id=_optional_person(input.secretary_id, "secretaryId")
                or current.secretary_id,
                instructor_id=_optional_person(input.instructor_id, "instructorId")
                or current.instructor_id,
                station=current.station
                if station is None
                else ServiceStationModel(
                    name=_bounded(station.name, "serviceStation.name", 60),
                    address=_bounded(station.address, "serviceStation.address"),
                    opening_hours=_bounded(
                        station.opening_hours, "serviceStation.openingHours", 60
                    ),
                    phone=_bounded(station.phone, "serviceStation.phone", 30),
                ),
                five_criteria=current.five_criteria
                if input.five_criteria is None
                else frozenset(FiveCriterionModel(value_of(c)) for c in input.five_criteria),
                star_criteria=current.star_criteria
                if input.star_criteria is None
                else frozenset(StarCriterionModel(value_of(c)) for c in input.star_criteria),
            )
            unit = org_units.update_grid(ctx.db, ctx.actor, ctx.clock, unit_id, details)
            return OrgUnitPayload(org_unit=OrgUnit.of(unit))

        return run_mutation(act, _unit_failed)

    @strawberry.mutation(description="Register a resident, party member or staff member")
    def register_person(
        self,
        info: Info,
        input: Annotated[
            RegisterPersonInput, strawberry.argument(description="The person to register")
        ],
    ) -> PersonPayload:
        ctx = info.context

        def act() -> PersonPayload:
            person = people.register_person(
                ctx.db,
                ctx.actor,
                ctx.clock,
                input.name,
                input.phone,
                item_id(input.home_unit_id, "OrgUnit", "homeUnitId"),
                input.is_party_member,
            )
            return PersonPayload(person=Person.of(person, info))

        return run_mutation(act, lambda errors: PersonPayload(errors=errors))

    @strawberry.mutation(description="Grant a role on a unit; its scope is the unit's subtree")
    def grant_role(
        self,
        info: Info,
        input: Annotated[RoleInput, strawberry.argument(description="The person, unit and role")],
    ) -> GrantRolePayload:
        ctx = info.context

        def act() -> GrantRolePayload:
            grant = people.grant_role(
                ctx.db,
                ctx.actor,
                ctx.clock,
                item_id(input.person_id, "Person", "personId"),
                item_id(input.org_unit_id, "OrgUnit", "orgUnitId"),
                RoleModel(value_of(input.role)),
            )
            return GrantRolePayload(role_grant=RoleGrant.of(grant))

        return run_mutation(act, lambda errors: GrantRolePayload(errors=errors))

    @strawberry.mutation(description="Revoke a role")
    def revoke_role(
        self,
        info: Info,
        input: Annotated[RoleInput, strawberry.argument(description="The person, unit and role")],
    ) -> RevokeRolePayload:
        ctx = info.context

        def act() -> RevokeRolePayload:
            people.revoke_role(
                ctx.db,
                ctx.actor,
                item_id(input.person_id, "Person", "personId"),
                item_id(input.org_unit_id, "OrgUnit", "orgUnitId"),
                RoleModel(value_of(input.role)),
            )
            return RevokeRolePayload(revoked=True)

        return run_mutation(act, lambda errors: RevokeRolePayload(errors=errors))

    @strawberry.mutation(description="亮身份: a party member shows or hides the party badge")
    def set_party_badge(
        self,
        info: Info,
        input: Annotated[SetPartyBadgeInput, strawberry.argument(description="Show or hide")],
    ) -> PersonPayload:
        ctx = info.context

        def act() -> PersonPayload:
            person = people.set_party_badge(ctx.db, ctx.actor, input.show)
            return PersonPayload(person=Person.of(person, info))

        return run_mutation(act, lambda errors: PersonPayload(errors=errors))
