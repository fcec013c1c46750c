"""Use cases for people and roles: register, read, grant, revoke, party badge.

Registering a person or granting a role needs MANAGE_PEOPLE on the unit concerned; reading a
person's personal data needs READ_PEOPLE on their home unit (or being that person).
Reads and writes go through ``db.people`` and ``db.org_units``.
"""

from __future__ import annotations

from typing import Any

from api.domain.clock import Clock, iso
from api.domain.errors import AlreadyExists, Archived, Conflict, InvalidInput, NotFound
from api.domain.ids import new_id
from api.domain.org import validate_name
from api.domain.people import normalise_phone
from api.domain.roles import Permission, Role
from api.records.org import GrantRecord, OrgUnitRecord, PersonRecord
from api.services.actor import Actor
from api.store.db import Db
from api.store.pagination import Page
from api.store.people_store import BadgeChange, NewGrant, Registration, Revocation, read_person


def can_read_personal_data(actor: Actor, person: PersonRecord) -> bool:
    if actor.person_id == person.id:
        return True
    return person.home_path is not None and actor.can(Permission.READ_PEOPLE, person.home_path)


def register_person(
    db: Db,
    actor: Actor,
    clock: Clock,
    raw_name: str,
    raw_phone: str | None,
    home_unit_id: str,
    is_party_member: bool,
    person_id: str | None = None,
) -> PersonRecord:
    name = validate_name(raw_name)
    phone = normalise_phone(raw_phone) if raw_phone else None
    home = db.org_units.require(home_unit_id, field="homeUnitId")
    actor.require(Permission.MANAGE_PEOPLE, home.path, "register people")
    if home.archived:
        raise Archived("The home unit is archived", field="homeUnitId")
    person = PersonRecord(
        id=person_id or new_id(),
        name=name,
        phone=phone,
        is_party_member=is_party_member,
        party_badge=False,
        home_unit_id=home.id,
        home_path=home.path,
        created_at=iso(clock.now()),
        version=1,  # as written
    )
    try:
        db.people.register(Registration(person, home))
    except Conflict:
        if phone and db.people.phone_taken(phone):
            raise AlreadyExists("Another person has this phone number", field="phone") from None
        if db.org_units.require(home.id).archived:
            raise Archived("The home unit is archived", field="homeUnitId") from None
        raise
    return person


def set_party_badge(db: Db, actor: Actor, show: bool) -> PersonRecord:
    person_id = actor.require_login()
    person = db.people.get(person_id, consistent=True)
    if person is None:
        raise NotFound("You are not registered")
    if show and not person.is_party_member:
        raise InvalidInput("Only party members can show the party badge", field="show")
    return db.people.set_badge(BadgeChange(person, show))


def grant_role(
    db: Db, actor: Actor, clock: Clock, person_id: str, org_id: str, role: Role
) -> GrantRecord:
    unit = db.org_units.require(org_id, field="orgUnitId")
    actor.require(Permission.MANAGE_PEOPLE, unit.path, "grant roles")
    if unit.archived:
        raise Archived("The unit is archived", field="orgUnitId")
    person = db.people.get(person_id)
    if person is None:
        raise NotFound(f"No person {person_id}", field="personId")
    grant = GrantRecord(
        person_id=person_id,
        person_name=person.name,
        org_id=org_id,
        org_path=unit.path,
        role=role,
        granted_by=actor.person_id,
        granted_at=iso(clock.now()),
    )
    try:
        db.people.add_grant(NewGrant(grant, unit))
    except Conflict:
        if db.people.grant(person_id, org_id, role) is not None:
            raise AlreadyExists("The person already holds this role here", field="role") from None
        raise Archived("The unit is archived", field="orgUnitId") from None
    return grant


def revoke_role(db: Db, actor: Actor, person_id: str, org_id: str, role: Role) -> None:
    unit = db.org_units.require(org_id, field="orgUnitId")
    actor.require(Permission.MANAGE_PEOPLE, unit.path, "revoke roles")
    grant = db.people.grant(person_id, org_id, role)
    if grant is None:
        raise NotFound("The person does not hold this role here", field="role")
    db.people.revoke(Revocation(grant, unit))


def list_grants(
    db: Db, actor: Actor, unit: OrgUnitRecord, first: int, after: str | None
) -> Page[GrantRecord]:
    actor.require(Permission.READ_PEOPLE, unit.path, "see role grants")
    return db.people.grants_on(unit.id, first, after)


def list_residents(
    db: Db, actor: Actor, unit: OrgUnitRecord, first: int, after: str | None
) -> Page[PersonRecord]:
    actor.require(Permission.READ_PEOPLE, unit.path, "see residents")
    return db.people.residents(unit.id, first, after)


# TRANSITIONAL (store-boundary refactor): for modules of other aggregates that have no Db yet;
# returns a record (typed ``Any`` so their item annotations still check) through the store's
# fallback table, and goes with it: convert a call to ``db.people.get``.


def get_person(person_id: str) -> Any:
    return read_person(person_id)
