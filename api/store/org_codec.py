"""Org-unit, person and grant items ⇄ records (and the grid details' JSON)."""

from __future__ import annotations

from typing import Any

from api.domain.grid import FiveCriterion, GridDetails, ServiceStation, StarCriterion
from api.domain.org import Crumb, OrgKind
from api.domain.roles import Role
from api.records.org import GrantRecord, OrgUnitRecord, PersonRecord
from api.store.models import OrgUnitItem, PersonItem, RoleGrantItem


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
