"""Use cases for people and roles: register, read, grant, revoke, party badge.

Registering a person or granting a role needs MANAGE_PEOPLE on the unit concerned; reading a
person's personal data needs READ_PEOPLE on their home unit (or being that person).
Reads and writes go through ``db.people`` and ``db.org_units``.
"""

from __future__ import annotations

from api.domain.clock import Clock, iso
from api.domain.errors import AlreadyExists, Archived, Conflict, InvalidInput, NotFound
from api.domain.ids import new_id
from api.domain.messages import msg
from api.domain.org import validate_name
from api.domain.people import normalise_phone
from api.domain.roles import Permission, Role
from api.records.org import GrantRecord, OrgUnitRecord, PersonRecord
from api.services.actor import Actor
from api.store.db import Db
from api.store.pagination import Page
from api.store.people_store import BadgeChange, NewGrant, Registration, Revocation


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
    actor.require(Permission.MANAGE_PEOPLE, home.path, msg("action.register_people"))
    if home.archived:
        raise Archived(msg("person.home_archived"), field="homeUnitId")
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
            raise AlreadyExists(msg("person.phone_taken"), field="phone") from None
        if db.org_units.require(home.id).archived:
            raise Archived(msg("person.home_archived"), field="homeUnitId") from None
        raise
    return person


def set_party_badge(db: Db, actor: Actor, show: bool) -> PersonRecord:
    person_id = actor.require_login()
    person = db.people.get(person_id, consistent=True)
    if person is None:
        raise NotFound(msg("person.not_registered"))
    if show and not person.is_party_member:
        raise InvalidInput(msg("person.badge_members_only"), field="show")
    return db.people.set_badge(BadgeChange(person, show))


def grant_role(
    db: Db, actor: Actor, clock: Clock, person_id: str, org_id: str, role: Role
) -> GrantRecord:
    unit = db.org_units.require(org_id, field="orgUnitId")
    actor.require(Permission.MANAGE_PEOPLE, unit.path, msg("action.grant_roles"))
    if unit.archived:
        raise Archived(msg("org.unit_archived"), field="orgUnitId")
    person = db.people.get(person_id)
    if person is None:
        raise NotFound(msg("person.not_found_id", person_id=person_id), field="personId")
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
            raise AlreadyExists(msg("person.role_held"), field="role") from None
        raise Archived(msg("org.unit_archived"), field="orgUnitId") from None
    return grant


def revoke_role(db: Db, actor: Actor, person_id: str, org_id: str, role: Role) -> None:
    unit = db.org_units.require(org_id, field="orgUnitId")
    actor.require(Permission.MANAGE_PEOPLE, unit.path, msg("action.revoke_roles"))
    grant = db.people.grant(person_id, org_id, role)
    if grant is None:
        raise NotFound(msg("person.role_not_held"), field="role")
    db.people.revoke(Revocation(grant, unit))


def list_grants(
    db: Db, actor: Actor, unit: OrgUnitRecord, first: int, after: str | None
) -> Page[GrantRecord]:
    actor.require(Permission.READ_PEOPLE, unit.path, msg("action.see_role_grants"))
    return db.people.grants_on(unit.id, first, after)


def list_residents(
    db: Db, actor: Actor, unit: OrgUnitRecord, first: int, after: str | None
) -> Page[PersonRecord]:
    actor.require(Permission.READ_PEOPLE, unit.path, msg("action.see_residents"))
    return db.people.residents(unit.id, first, after)
