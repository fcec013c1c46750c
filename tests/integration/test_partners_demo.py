"""The demo partner set, written on a skeleton of the demo district (the units and people it
names, with the demo's ids), then read back through the three lists and the directory: the
meeting's 120 projects of 青海路社区 are all claimed, and partners and projects are found in
every state."""

from __future__ import annotations

from collections import Counter

from api.domain.clock import FixedClock
from api.domain.org import OrgKind
from api.domain.roles import Role
from api.services import org_units, partner_queries, people
from api.services.actor import Actor, Grant
from api.store.db import Db
from api.store.partner_store import DirectoryQuery
from infra import demo_partners
from tests.conftest import BACKEND

# The seeds' meeting on DynamoDB Local; fewer projects on moto, whose transactions copy the
# table and slow down as it grows.
MEETING = 120 if BACKEND == "local" else 45


def skeleton(db: Db, clock: FixedClock) -> None:
    org_units.bootstrap_unit(db, clock, "SB", OrgKind.DISTRICT, "市北区")
    for unit_id, kind, name, parent in (
        ("ST01", OrgKind.STREET, "辽宁路街道", "SB"),
        ("ST06", OrgKind.STREET, "辽源路街道", "SB"),
        ("ST08", OrgKind.STREET, "大港街道", "SB"),
        ("ST19", OrgKind.STREET, "河西街道", "SB"),
        ("ST08C01", OrgKind.COMMUNITY, "青海路社区", "ST08"),
        ("ST08C01G01", OrgKind.GRID, "第1网格", "ST08C01"),
    ):
        org_units.bootstrap_unit(db, clock, unit_id, kind, name, parent)
    root = Actor(person_id="bootstrap", grants=(Grant("SB", "/SB", Role.ADMIN),))
    admin = people.register_person(
        db, root, clock, "区委组织部管理员", None, "SB", True, person_id="P-SB-ADMIN"
    )
    people.grant_role(db, root, clock, admin.id, "SB", Role.ADMIN)
    for suffix in ("WORKER", "SECRETARY"):
        people.register_person(
            db, root, clock, f"网格{suffix}", None, "ST08C01G01", True, f"P-ST08C01G01-{suffix}"
        )


def test_the_demo_partner_set(db: Db, clock: FixedClock) -> None:
    skeleton(db, clock)
    assert demo_partners.seed_partners(db, clock, MEETING) > 4 * MEETING
    lists = partner_queries.community_lists(db, "ST08C01")
    named = ("电亮微行动", "智慧金融家", "警情大家知")
    meeting = [p for p in lists.projects if "(" in p.title or p.title in named]
    assert len(meeting) == MEETING
    assert all(int(p.claimed) == 1 for p in meeting)
    states = Counter(p.state for p in lists.projects)
    assert set(states) == {
        "DRAFT",
        "OPEN",
        "FULLY_CLAIMED",
        "IN_DELIVERY",
        "DELIVERED",
        "CONFIRMED",
        "REJECTED",
        "CLOSED",
        "CANCELLED",
    }, states
    claimers = {c.partner_id for p in meeting for c in db.partners.claims(p.id)}
    assert len(claimers) == 30
    statuses: Counter[str] = Counter()
    for unit in ("SB", "ST01", "ST06", "ST08", "ST19"):
        for edge in db.partners.directory(DirectoryQuery(unit), 100, None).edges:
            statuses[edge.node.status] += 1
    assert statuses == {"APPROVED": 30, "APPLIED": 1, "SUSPENDED": 1, "WITHDRAWN": 1}
    assert len(lists.resources) == 30
