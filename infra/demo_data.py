"""The demo district, modelled on Qingdao Shibei (市北区): 22 streets, 137 communities, 940 grids,
buildings, party-member and unit households, people holding roles.

Ids are deterministic and readable (``ST01``, ``ST01C02``, ``ST01C02G03`` …) so seeding is
idempotent: a second run rewrites the same items, and a marker item records a finished seed.
Items are built with the same constructors the services use, so keys, breadcrumbs, name guards
and reference counts hold exactly as if every unit had been created through the API.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from api.domain.clock import Clock, iso
from api.domain.grid import FiveCriterion, GridDetails, ServiceStation, StarCriterion
from api.domain.org import OrgKind
from api.domain.roles import Role
from api.records.org import GrantRecord, PersonRecord
from api.store.db import Db
from api.store.models import Item, OrgUnitItem, PersonItem
from api.store.org_codec import (
    grant_item,
    grid_to_json,
    name_guard_item,
    person_item,
    phone_guard_item,
    unit_item,
    unit_record,
)
from api.store.org_store import new_unit

SEED_NAME = "shibei-demo-v3"
DISTRICT_ID = "SB"

STREETS = [
    "辽宁路街道", "延安路街道", "登州路街道", "宁夏路街道", "敦化路街道", "辽源路街道",
    "合肥路街道", "大港街道", "即墨路街道", "台东街道", "镇江路街道", "浮山新区街道",
    "阜新路街道", "海伦路街道", "四方街道", "兴隆路街道", "水清沟街道", "洛阳路街道",
    "河西街道", "湖岛街道", "开平路街道", "双山街道",
]  # fmt: skip
ROADS = [
    "无棣路", "青海路", "小水清沟", "扬州路", "延吉路", "南京路", "抚顺路", "鞍山路", "长春路",
    "吉林路", "哈尔滨路", "黑龙江路", "嘉定路", "萍乡路", "德平路", "利津路", "商河路", "乐陵路",
    "寿光路", "冠县路", "武定路", "沾化路", "馆陶路", "热河路", "华阳路", "昌乐路", "威海路",
    "东莞路", "西藏路", "内蒙古路", "杭州路", "瑞昌路", "广饶路", "夏津路", "平度路", "莘县路",
    "聊城路", "博兴路", "新疆路", "标山路", "错埠岭", "桑梓路", "海泊河", "同安路", "福州北路",
]  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志强海燕晓东春生"

# Communities named in the seed reports, placed in their real streets.
ANCHOR_COMMUNITIES = {
    "辽宁路街道": "无棣路社区",
    "大港街道": "青海路社区",
    "河西街道": "小水清沟社区",
}

# 区直部门 taking cases at DISTRICT level: id suffix → name.
DEPARTMENTS = {
    "HOUSING": "区住房和城乡建设局",
    "URBAN": "区城市管理局",
    "GARDENS": "区园林和林业局",
    "MARKET": "区市场监督管理局",
    "HEALTH": "区卫生健康局",
    "CIVIL": "区民政局",
    "POLICE": "市公安局市北分局",
    "EDUCATION": "区教育和体育局",
    "ENVIRONMENT": "市生态环境局市北分局",
    "EMERGENCY": "区应急管理局",
    "WATER": "区水务局",
    "HR": "区人力资源和社会保障局",
}

COMMUNITIES = 137
GRIDS = 940
BUILDINGS_PER_GRID = 3
UNIT_HOUSEHOLDS_PER_PARTY_HOUSEHOLD = 2
RESIDENTS_PER_GRID = 2


@dataclass
class DemoPeople:
    """Who to mint demo tokens for."""

    district_admin: str = "P-SB-ADMIN"
    dispatcher: str = "P-SB-CENTRE"
    leader: str = "P-SB-LEADER"
    street_admin: str = "P-ST01-ADMIN"
    community_staff: str = "P-ST01C01-STAFF"
    grid_worker: str = "P-ST01C01G01-WORKER"
    resident: str = "P-ST01C01G01-R1"
    housing_staff: str = "P-DEPT-HOUSING-STAFF"


@dataclass
class _Builder:
    now: str
    rng: random.Random
    items: list[Item] = field(default_factory=list)
    phones: int = 0

    def unit(
        self, unit_id: str, kind: OrgKind, name: str, parent: OrgUnitItem | None
    ) -> OrgUnitItem:
        parent_record = unit_record(parent) if parent is not None else None
        unit = unit_item(new_unit(unit_id, kind, name, parent_record, self.now))
        self.items.append(unit)
        if parent is not None:
            parent.refs += 1
        self.items.append(name_guard_item(parent.id if parent else None, name, unit_id))
        return unit

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(2))

    def person(
        self, person_id: str, home: OrgUnitItem, party: bool, name: str | None = None
    ) -> PersonItem:
        self.phones += 1
        phone = f"139{self.phones:08d}"
        person = person_item(
            PersonRecord(
                id=person_id,
                name=name or self.name(),
                phone=phone,
                is_party_member=party,
                party_badge=party and self.rng.random() < 0.5,
                home_unit_id=home.id,
                home_path=home.path,
                created_at=self.now,
                version=0,
            )
        )
        home.refs += 1
        self.items += [person, phone_guard_item(phone, person_id)]
        return person

    def grant(self, person: PersonItem, unit: OrgUnitItem, role: Role) -> None:
        self.items.append(
            grant_item(
                GrantRecord(
                    person_id=person.id,
                    person_name=person.name,
                    org_id=unit.id,
                    org_path=unit.path,
                    role=role,
                    granted_by="seed",
                    granted_at=self.now,
                )
            )
        )
        unit.refs += 1


def _spread(total: int, buckets: int) -> list[int]:
    base, extra = divmod(total, buckets)
    return [base + (1 if index < extra else 0) for index in range(buckets)]


def build_demo(clock: Clock, seed: int = 2021) -> list[Item]:
    """Every item of the demo district, in memory (~40 k items), built by the store's codecs."""
    b = _Builder(now=iso(clock.now()), rng=random.Random(seed))
    people = DemoPeople()
    district = b.unit(DISTRICT_ID, OrgKind.DISTRICT, "市北区", None)
    admin = b.person(people.district_admin, district, True, "区委组织部管理员")
    b.grant(admin, district, Role.ADMIN)
    centre = b.person(people.dispatcher, district, True, "区党建引领基层治理推进中心")
    b.grant(centre, district, Role.STAFF)
    leader = b.person(people.leader, district, True, "区委书记")
    b.grant(leader, district, Role.LEADER)
    for suffix, name in DEPARTMENTS.items():
        department = b.unit(f"DEPT-{suffix}", OrgKind.DEPARTMENT, name, district)
        staff = b.person(f"P-DEPT-{suffix}-STAFF", department, True)
        b.grant(staff, department, Role.DEPARTMENT_STAFF)
    community_counts = _spread(COMMUNITIES, len(STREETS))
    grid_counts = iter(_spread(GRIDS, COMMUNITIES))
    road_names = iter(_community_names())
    for s_index, street_name in enumerate(STREETS, start=1):
        street = b.unit(f"ST{s_index:02d}", OrgKind.STREET, street_name, district)
        street_admin = b.person(f"P-{street.id}-ADMIN", street, True)
        b.grant(street_admin, street, Role.ADMIN)
        for c_index in range(1, community_counts[s_index - 1] + 1):
            anchor = ANCHOR_COMMUNITIES.get(street_name) if c_index == 1 else None
            community = b.unit(
                f"{street.id}C{c_index:02d}", OrgKind.COMMUNITY, anchor or next(road_names), street
            )
            secretary = b.person(f"P-{community.id}-SECRETARY", community, True)
            b.grant(secretary, community, Role.SECRETARY)
            staff = b.person(f"P-{community.id}-STAFF", community, False)
            b.grant(staff, community, Role.STAFF)
            for g_index in range(1, next(grid_counts) + 1):
                _grid(b, community, g_index)
    return b.items


def _grid(b: _Builder, community: OrgUnitItem, g_index: int) -> None:
    grid = b.unit(f"{community.id}G{g_index:02d}", OrgKind.GRID, f"第{g_index}网格", community)
    secretary = b.person(f"P-{grid.id}-SECRETARY", grid, True)
    worker = b.person(f"P-{grid.id}-WORKER", grid, False)
    instructor = b.person(f"P-{grid.id}-INSTRUCTOR", grid, True)
    b.grant(secretary, grid, Role.SECRETARY)
    b.grant(worker, grid, Role.GRID_WORKER)
    b.grant(instructor, grid, Role.INSTRUCTOR)
    road = community.name.removesuffix("社区").removesuffix("第二").removesuffix("第三")
    grid.grid = grid_to_json(
        GridDetails(
            secretary_id=secretary.id,
            instructor_id=instructor.id,
            station=ServiceStation(
                name=f"{community.name}{grid.name}党群服务站",
                address=f"{road}{b.rng.randint(1, 99)}号",
                opening_hours="周一至周五 8:30-17:30",
                phone=f"0532-8{b.rng.randint(1000000, 9999999)}",
            ),
            five_criteria=frozenset(c for c in FiveCriterion if b.rng.random() < 0.8),
            star_criteria=frozenset(c for c in StarCriterion if b.rng.random() < 0.6),
        )
    )
    first_unit_household: OrgUnitItem | None = None
    for number in range(1, BUILDINGS_PER_GRID + 1):
        building_no = g_index * 10 + number
        building = b.unit(
            f"{grid.id}B{number}", OrgKind.BUILDING, f"{road}{building_no}号楼院", grid
        )
        party_household = b.unit(
            f"{building.id}P1", OrgKind.PARTY_HOUSEHOLD, f"{building_no}号楼党员中心户", building
        )
        for unit_no in range(1, UNIT_HOUSEHOLDS_PER_PARTY_HOUSEHOLD + 1):
            household = b.unit(
                f"{party_household.id}U{unit_no}",
                OrgKind.UNIT_HOUSEHOLD,
                f"{building_no}号楼{unit_no}单元",
                party_household,
            )
            first_unit_household = first_unit_household or household
    assert first_unit_household is not None
    for r_index in range(1, RESIDENTS_PER_GRID + 1):
        b.person(f"P-{grid.id}-R{r_index}", first_unit_household, b.rng.random() < 0.3)


def _community_names() -> Iterator[str]:
    anchors = set(ANCHOR_COMMUNITIES.values())
    for suffix in ("社区", "第二社区", "第三社区", "第四社区"):
        for road in ROADS:
            if f"{road}{suffix}" not in anchors:
                yield f"{road}{suffix}"


def seed_demo(db: Db, clock: Clock, progress: Callable[[int, int], None] | None = None) -> int:
    """Write the demo district unless its marker says it is there; return items written."""
    if db.org_units.seeded(SEED_NAME):
        return _seed_extras(db, clock)
    items = build_demo(clock)
    total = len(items) + 1  # and the marker
    chunks = [items[start : start + 250] for start in range(0, len(items), 250)]
    written = 0
    # A few writers in parallel: BatchWriteItem calls are independent and the client is
    # thread-safe; each call binds its own Db's table in its thread.
    with ThreadPoolExecutor(max_workers=4) as pool:
        for count in pool.map(db.org_units.write_seed, chunks):
            written += count
            if progress:
                progress(written, total)
    from infra.demo_cases import seed_cases

    seed_cases(db, clock)
    # Last: a crash before this point means the next run writes everything again.
    db.org_units.mark_seeded(SEED_NAME, total, iso(clock.now()))
    if progress:
        progress(total, total)
    return total + _seed_extras(db, clock)


# Later demo sets on top of the district (topics, partners): each is written once, guarded by
# a marker of its own, so an existing ``.local`` table gains them on the next ``make dev``.
# Each entry: (marker name, function writing the set and returning the items written).
def _seed_partners(db: Db, clock: Clock) -> int:
    from infra.demo_partners import seed_partners  # imported on use: the API never needs it

    return seed_partners(db, clock)


def _seed_topics(db: Db, clock: Clock) -> int:
    from infra.demo_topics import seed_topics  # imported on use: the API never needs it

    return seed_topics(db, clock)


def _seed_closing_policy(
    db: Db, clock: Clock, district_id: str = DISTRICT_ID, admin_id: str = "P-SB-ADMIN"
) -> int:
    """The demo district turns the closing rules on (README "Closing"): 核查 before closing,
    the resident's evaluation required, a 72 h evaluation window with a reminder 24 h before."""
    from dataclasses import replace

    from api.services.actor import load_actor
    from api.services.deadlines import policies
    from api.services.deadlines.policy_admin import update_policy

    current = policies.policy_in_force(db, district_id)
    draft = replace(
        current, verification_required=True, evaluation_required=True,
        evaluation_window_hours=72.0, evaluation_reminder_hours=24.0,
    )  # fmt: skip
    update_policy(db, load_actor(db, admin_id), clock, district_id, draft)
    return 1


EXTRA_SEEDS: tuple[tuple[str, Callable[[Db, Clock], int]], ...] = (
    ("shibei-partners-v1", _seed_partners),
    ("shibei-topics-v1", _seed_topics),
    ("shibei-closing-policy-v1", _seed_closing_policy),
)


def _seed_extras(db: Db, clock: Clock) -> int:
    written = 0
    for name, seed in EXTRA_SEEDS:
        if db.org_units.seeded(name):
            continue
        count = seed(db, clock)
        db.org_units.mark_seeded(name, count, iso(clock.now()))
        written += count
    return written
