"""A small world for tests: one district, two streets (A and B) each down to unit households,
an admin per street, a staff member, a resident, and a district admin."""

from __future__ import annotations

from dataclasses import dataclass

from api.domain.clock import Clock
from api.domain.org import OrgKind
from api.domain.roles import Role
from api.records.org import OrgUnitRecord
from api.services import org_units, people
from api.services.actor import Actor, Grant
from api.store.db import Db


@dataclass
class Street:
    street: OrgUnitRecord
    community: OrgUnitRecord
    grid: OrgUnitRecord
    building: OrgUnitRecord
    party_household: OrgUnitRecord
    unit_household: OrgUnitRecord
    admin_id: str
    staff_id: str
    resident_id: str


@dataclass
class World:
    district: OrgUnitRecord
    district_admin_id: str
    a: Street
    b: Street


def bootstrap_district(db: Db, name: str, unit_id: str, clock: Clock) -> OrgUnitRecord:
    return org_units.bootstrap_unit(db, clock, unit_id, OrgKind.DISTRICT, name)


def build_world(db: Db, clock: Clock) -> World:
    district = bootstrap_district(db, "市北区", "SB", clock)
    root = Actor(person_id="bootstrap", grants=(Grant(district.id, district.path, Role.ADMIN),))
    admin = people.register_person(db, root, clock, "区管理员", "13900000000", district.id, True)
    people.grant_role(db, root, clock, admin.id, district.id, Role.ADMIN)

    def street(tag: str, street_name: str, community_name: str, phone_base: int) -> Street:
        s = org_units.create_unit(db, root, clock, district.id, OrgKind.STREET, street_name)
        c = org_units.create_unit(db, root, clock, s.id, OrgKind.COMMUNITY, community_name)
        g = org_units.create_unit(db, root, clock, c.id, OrgKind.GRID, "第一网格")
        b = org_units.create_unit(db, root, clock, g.id, OrgKind.BUILDING, "12号楼院")
        ph = org_units.create_unit(
            db, root, clock, b.id, OrgKind.PARTY_HOUSEHOLD, "1单元党员中心户"
        )
        uh = org_units.create_unit(db, root, clock, ph.id, OrgKind.UNIT_HOUSEHOLD, "1单元")
        street_admin = people.register_person(
            db, root, clock, f"{tag}街道管理员", f"1390000{phone_base:04d}", s.id, True
        )
        people.grant_role(db, root, clock, street_admin.id, s.id, Role.ADMIN)
        staff = people.register_person(
            db, root, clock, f"{tag}网格员", f"1390000{phone_base + 1:04d}", g.id, False
        )
        people.grant_role(db, root, clock, staff.id, g.id, Role.GRID_WORKER)
        resident = people.register_person(
            db, root, clock, f"{tag}居民", f"1390000{phone_base + 2:04d}", uh.id, False
        )
        return Street(s, c, g, b, ph, uh, street_admin.id, staff.id, resident.id)

    a = street("甲", "辽宁路街道", "无棣路社区", 1000)
    b = street("乙", "大港街道", "青海路社区", 2000)
    return World(district, admin.id, a, b)
