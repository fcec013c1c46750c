"""Use cases for people and roles: register, read, grant, revoke, party badge.

Registering a person or granting a role needs MANAGE_PEOPLE on the unit concerned; reading a
person's personal data needs READ_PEOPLE on their home unit (or being that person).
"""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from api.domain.clock import Clock, iso
from api.domain.errors import AlreadyExists, Archived, Conflict, InvalidInput, NotFound
from api.domain.ids import new_id
from api.domain.org import validate_name
from api.domain.people import normalise_phone
from api.domain.roles import Permission, Role
from api.records.org import PersonRecord
from api.services.actor import Actor
from api.services.org_units import require_unit
from api.store.db import Db
from api.store.models import (
    OrgUnitItem,
    PersonItem,
    PhoneGuardItem,
    RoleGrantItem,
    grant_key,
    grants_pk,
    name_sk,
    person_key,
    phone_key,
    residents_pk,
)
from api.store.pagination import Page, query_page


def get_person(person_id: str) -> PersonItem | None:
    pk, sk = person_key(person_id)
    try:
        return PersonItem.get(pk, sk)
    except DoesNotExist:
        return None


def can_read_personal_data(actor: Actor, person: PersonItem | PersonRecord) -> bool:
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
) -> PersonItem:
    name = validate_name(raw_name)
    phone = normalise_phone(raw_phone) if raw_phone else None
    home = require_unit(home_unit_id, field="homeUnitId")
    actor.require(Permission.MANAGE_PEOPLE, home.path, "register people")
    if home.archived:
        raise Archived("The home unit is archived", field="homeUnitId")
    pid = person_id or new_id()
    pk, sk = person_key(pid)
    person = PersonItem(
        pk,
        sk,
        id=pid,
        name=name,
        phone=phone,
        is_party_member=is_party_member,
        party_badge=False,
        home_unit_id=home.id,
        home_path=home.path,
        created_at=iso(clock.now()),
        gsi1pk=residents_pk(home.id),
        gsi1sk=name_sk(name, pid),
    )
    try:
        with db.transaction() as tx:
            tx.save(person, condition=PersonItem.pk.does_not_exist())
            if phone:
                guard_pk, guard_sk = phone_key(phone)
                tx.save(
                    PhoneGuardItem(guard_pk, guard_sk, person_id=pid),
                    condition=PhoneGuardItem.pk.does_not_exist(),
                )
            tx.update(
                home,
                actions=[OrgUnitItem.refs.add(1)],
                condition=OrgUnitItem.archived == False,  # noqa: E712
                add_version_condition=False,
            )
    except Conflict:
        if phone and PhoneGuardItem.count(phone_key(phone)[0], consistent_read=True):
            raise AlreadyExists("Another person has this phone number", field="phone") from None
        if require_unit(home.id).archived:
            raise Archived("The home unit is archived", field="homeUnitId") from None
        raise
    return person


def set_party_badge(actor: Actor, show: bool) -> PersonItem:
    person_id = actor.require_login()
    person = get_person(person_id)
    if person is None:
        raise NotFound("You are not registered")
    if show and not person.is_party_member:
        raise InvalidInput("Only party members can show the party badge", field="show")
    person.update(actions=[PersonItem.party_badge.set(show)])
    return person


def grant_role(
    db: Db, actor: Actor, clock: Clock, person_id: str, org_id: str, role: Role
) -> RoleGrantItem:
    unit = require_unit(org_id, field="orgUnitId")
    actor.require(Permission.MANAGE_PEOPLE, unit.path, "grant roles")
    if unit.archived:
        raise Archived("The unit is archived", field="orgUnitId")
    person = get_person(person_id)
    if person is None:
        raise NotFound(f"No person {person_id}", field="personId")
    pk, sk = grant_key(person_id, org_id, role.value)
    grant = RoleGrantItem(
        pk,
        sk,
        person_id=person_id,
        person_name=person.name,
        org_id=org_id,
        org_path=unit.path,
        role=role.value,
        granted_by=actor.person_id,
        granted_at=iso(clock.now()),
        gsi1pk=grants_pk(org_id),
        gsi1sk=f"{role.value}#{person_id}",
    )
    try:
        with db.transaction() as tx:
            tx.save(grant, condition=RoleGrantItem.pk.does_not_exist())
            tx.update(
                unit,
                actions=[OrgUnitItem.refs.add(1)],
                condition=OrgUnitItem.archived == False,  # noqa: E712
                add_version_condition=False,
            )
    except Conflict:
        if RoleGrantItem.count(pk, RoleGrantItem.sk == sk, consistent_read=True):
            raise AlreadyExists("The person already holds this role here", field="role") from None
        raise Archived("The unit is archived", field="orgUnitId") from None
    return grant


def revoke_role(db: Db, actor: Actor, person_id: str, org_id: str, role: Role) -> None:
    unit = require_unit(org_id, field="orgUnitId")
    actor.require(Permission.MANAGE_PEOPLE, unit.path, "revoke roles")
    pk, sk = grant_key(person_id, org_id, role.value)
    try:
        grant = RoleGrantItem.get(pk, sk, consistent_read=True)
    except DoesNotExist:
        raise NotFound("The person does not hold this role here", field="role") from None
    with db.transaction("The role was revoked by someone else") as tx:
        tx.delete(grant, condition=RoleGrantItem.pk.exists())
        tx.update(unit, actions=[OrgUnitItem.refs.add(-1)], add_version_condition=False)


def list_grants(
    db: Db, actor: Actor, unit: OrgUnitItem, first: int, after: str | None
) -> Page[RoleGrantItem]:
    actor.require(Permission.READ_PEOPLE, unit.path, "see role grants")
    return query_page(
        RoleGrantItem, db.codec, grants_pk(unit.id), index="gsi1", first=first, after=after
    )


def list_residents(
    db: Db, actor: Actor, unit: OrgUnitItem, first: int, after: str | None
) -> Page[PersonItem]:
    actor.require(Permission.READ_PEOPLE, unit.path, "see residents")
    return query_page(
        PersonItem, db.codec, residents_pk(unit.id), index="gsi1", first=first, after=after
    )


def list_own_grants(person_id: str) -> list[RoleGrantItem]:
    pk, _ = person_key(person_id)
    return list(RoleGrantItem.query(pk, RoleGrantItem.sk.startswith("ROLE#")))
