"""Root mutation fields: one ``input`` each, a payload with the result and ``errors``."""

from __future__ import annotations

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


@strawberry.type(description="Result of a mutation on an org unit")
class OrgUnitPayload:
    org_unit: OrgUnit | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="Result of a mutation on a person")
class PersonPayload:
    person: Person | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="Result of granting a role")
class GrantRolePayload:
    role_grant: RoleGrant | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="Result of revoking a role")
class RevokeRolePayload:
    revoked: bool = False
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateOrgUnitInput:
    parent_id: strawberry.ID
    kind: OrgUnitKind
    name: str


@strawberry.input
class RenameOrgUnitInput:
    id: strawberry.ID
    name: str


@strawberry.input
class MoveOrgUnitInput:
    id: strawberry.ID
    new_parent_id: strawberry.ID


@strawberry.input
class ArchiveOrgUnitInput:
    id: strawberry.ID


@strawberry.input
class ServiceStationInput:
    name: str
    address: str
    opening_hours: str = ""
    phone: str = ""


@strawberry.input(description="Fields left null stay as they are")
class UpdateGridDetailsInput:
    id: strawberry.ID
    secretary_id: strawberry.ID | None = None
    instructor_id: strawberry.ID | None = None
    service_station: ServiceStationInput | None = None
    five_criteria: list[FiveCriterion] | None = None
    star_criteria: list[StarCriterion] | None = None


@strawberry.input
class RegisterPersonInput:
    name: str
    home_unit_id: strawberry.ID
    phone: str | None = None
    is_party_member: bool = False


@strawberry.input
class RoleInput:
    person_id: strawberry.ID
    org_unit_id: strawberry.ID
    role: Role


@strawberry.input
class SetPartyBadgeInput:
    show: bool


def _unit_failed(errors: list[UserError]) -> OrgUnitPayload:
    return OrgUnitPayload(errors=errors)


def _optional_person(value: strawberry.ID | None, field: str) -> str | None:
    return None if value is None else item_id(value, "Person", field)


def _bounded(text: str, field: str, limit: int = 200) -> str:
    return free_text(text, field, max_length=limit, required=False, multiline=False)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a unit under a parent (admins of the parent's scope)")
    def create_org_unit(self, info: Info, input: CreateOrgUnitInput) -> OrgUnitPayload:
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
    def rename_org_unit(self, info: Info, input: RenameOrgUnitInput) -> OrgUnitPayload:
        ctx = info.context

        def act() -> OrgUnitPayload:
            unit = org_units.rename_unit(
                ctx.db, ctx.actor, ctx.clock, item_id(input.id, "OrgUnit"), input.name
            )
            return OrgUnitPayload(org_unit=OrgUnit.of(unit))

        return run_mutation(act, _unit_failed)

    @strawberry.mutation(description="Move a unit (and its subtree) under another parent")
    def move_org_unit(self, info: Info, input: MoveOrgUnitInput) -> OrgUnitPayload:
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
    def archive_org_unit(self, info: Info, input: ArchiveOrgUnitInput) -> OrgUnitPayload:
        ctx = info.context

        def act() -> OrgUnitPayload:
            unit = org_units.archive_unit(
                ctx.db, ctx.actor, ctx.clock, item_id(input.id, "OrgUnit")
            )
            return OrgUnitPayload(org_unit=OrgUnit.of(unit))

        return run_mutation(act, _unit_failed)

    @strawberry.mutation(description="Edit a grid's branch, instructor, station and ratings")
    def update_grid_details(self, info: Info, input: UpdateGridDetailsInput) -> OrgUnitPayload:
        ctx = info.context

        def act() -> OrgUnitPayload:
            unit_id = item_id(input.id, "OrgUnit")
            current = org_units.grid_details(org_units.require_unit(unit_id)) or GridDetails()
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
    def register_person(self, info: Info, input: RegisterPersonInput) -> PersonPayload:
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
    def grant_role(self, info: Info, input: RoleInput) -> GrantRolePayload:
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
    def revoke_role(self, info: Info, input: RoleInput) -> RevokeRolePayload:
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
    def set_party_badge(self, info: Info, input: SetPartyBadgeInput) -> PersonPayload:
        ctx = info.context

        def act() -> PersonPayload:
            person = people.set_party_badge(ctx.actor, input.show)
            return PersonPayload(person=Person.of(person, info))

        return run_mutation(act, lambda errors: PersonPayload(errors=errors))
