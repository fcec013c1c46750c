"""Org-unit, person and grant items ⇄ records (and the grid details' JSON)."""

from __future__ import annotations

from typing import Any

from api.domain.grid import FiveCriterion, GridDetails, ServiceStation, StarCriterion
from api.domain.org import Crumb, OrgKind
from api.domain.roles import Role
from api.records.org import GrantRecord, OrgUnitRecord, PersonRecord
from api.store.models import (
    NameGuardItem,
    OrgUnitItem,
    PersonItem,
    PhoneGuardItem,
    RoleGrantItem,
    children_pk,
    grant_key,
    grants_pk,
    kind_pk,
    name_guard_key,
    name_sk,
    org_key,
    person_key,
    phone_key,
    residents_pk,
)


def grid_to_json(details: GridDetails) -> dict[str, Any]:
    station = details.station
    return {
        "secretary_id": details.secretary_id,
        "instructor_id": details.instructor_id,
        "station": None
        if station is None
        else {
            "name": station.name,
            "address": station.address,
            "opening_hours": station.opening_hours,
            "phone": station.phone,
        },
        "five_criteria": sorted(c.value for c in details.five_criteria),
        "star_criteria": sorted(c.value for c in details.star_criteria),
    }


def grid_from_json(data: dict[str, Any] | None) -> GridDetails:
    if not data:
        return GridDetails()
    station = data.get("station")
    return GridDetails(
        secretary_id=data.get("secretary_id"),
        instructor_id=data.get("instructor_id"),
        station=ServiceStation(**station) if station else None,
        five_criteria=frozenset(FiveCriterion(c) for c in data.get("five_criteria", [])),
        star_criteria=frozenset(StarCriterion(c) for c in data.get("star_criteria", [])),
    )


def unit_record(item: OrgUnitItem) -> OrgUnitRecord:
    return OrgUnitRecord(
        id=item.id,
        kind=OrgKind(item.kind),
        name=item.name,
        parent_id=item.parent_id,
        path=item.path,
        ancestors=tuple(Crumb(id=i, kind=OrgKind(k), name=n) for i, k, n in item.ancestry),
        archived=bool(item.archived),
        refs=int(item.refs or 0),
        grid=grid_from_json(item.grid) if item.kind == OrgKind.GRID else None,
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version or 0),
    )


def person_record(item: PersonItem) -> PersonRecord:
    return PersonRecord(
        id=item.id,
        name=item.name,
        phone=item.phone,
        is_party_member=bool(item.is_party_member),
        party_badge=bool(item.party_badge),
        home_unit_id=item.home_unit_id,
        home_path=item.home_path,
        created_at=item.created_at,
        version=int(item.version or 0),
    )


def grant_record(item: RoleGrantItem) -> GrantRecord:
    return GrantRecord(
        person_id=item.person_id,
        person_name=item.person_name,
        org_id=item.org_id,
        org_path=item.org_path,
        role=Role(item.role),
        granted_by=item.granted_by,
        granted_at=item.granted_at,
    )


# Records → items: the only place an org unit's, a person's or a grant's keys are built.


def unit_item(unit: OrgUnitRecord) -> OrgUnitItem:
    """The whole item of a unit (new, or rewritten by a seed) with its index keys."""
    pk, sk = org_key(unit.id)
    return OrgUnitItem(
        pk,
        sk,
        id=unit.id,
        kind=unit.kind.value,
        name=unit.name,
        parent_id=unit.parent_id,
        path=unit.path,
        ancestry=ancestry_json(unit.ancestors),
        archived=unit.archived,
        refs=unit.refs,
        grid=grid_to_json(unit.grid) if unit.grid is not None else None,
        created_at=unit.created_at,
        updated_at=unit.updated_at,
        gsi1pk=children_pk(unit.parent_id, archived=unit.archived),
        gsi1sk=name_sk(unit.name, unit.id),
        gsi2pk=kind_pk(unit.kind.value, archived=unit.archived),
        gsi2sk=name_sk(unit.name, unit.id),
    )


def ancestry_json(crumbs: tuple[Crumb, ...]) -> list[list[str]]:
    return [[crumb.id, crumb.kind.value, crumb.name] for crumb in crumbs]


def name_guard_item(parent_id: str | None, name: str, unit_id: str) -> NameGuardItem:
    pk, sk = name_guard_key(parent_id, name)
    return NameGuardItem(pk, sk, unit_id=unit_id)


def person_item(person: PersonRecord) -> PersonItem:
    pk, sk = person_key(person.id)
    return PersonItem(
        pk,
        sk,
        id=person.id,
        name=person.name,
        phone=person.phone,
        is_party_member=person.is_party_member,
        party_badge=person.party_badge,
        home_unit_id=person.home_unit_id,
        home_path=person.home_path,
        created_at=person.created_at,
        gsi1pk=residents_pk(person.home_unit_id) if person.home_unit_id else None,
        gsi1sk=name_sk(person.name, person.id) if person.home_unit_id else None,
    )


def phone_guard_item(phone: str, person_id: str) -> PhoneGuardItem:
    pk, sk = phone_key(phone)
    return PhoneGuardItem(pk, sk, person_id=person_id)


def grant_item(grant: GrantRecord) -> RoleGrantItem:
    pk, sk = grant_key(grant.person_id, grant.org_id, grant.role.value)
    return RoleGrantItem(
        pk,
        sk,
        person_id=grant.person_id,
        person_name=grant.person_name,
        org_id=grant.org_id,
        org_path=grant.org_path,
        role=grant.role.value,
        granted_by=grant.granted_by,
        granted_at=grant.granted_at,
        gsi1pk=grants_pk(grant.org_id),
        gsi1sk=f"{grant.role.value}#{grant.person_id}",
    )
