"""Requests per page of red partners: a partners page with its resources and a projects page
with its claims cost the same number of DynamoDB requests whatever the page length (records
carry their children's ids; the per-request loaders batch-get them). Also ``node(id:)`` of the
three partner types, and partners written before the ids were carried."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from api.domain.clock import FixedClock
from api.domain.ids import to_global_id
from api.store.db import Db
from api.store.partner_models import PartnerItem, partner_key
from schema.context import Context
from schema.schema import schema
from tests.partner_world import make_partner, make_project, root_actor
from tests.requests import count_requests
from tests.world import World

SMALL, LARGE = 3, 30

PARTNERS_PAGE = """
query($unit: ID!, $first: Int!) { partners(directoryUnitId: $unit, first: $first) {
  nodes { name resources { id category description partnerName } } } }
"""

PROJECTS_PAGE = """
query($grid: ID!, $first: Int!) { openPartnerProjects(gridId: $grid, first: $first) {
  nodes { title claims { partnerId partnerName status } } } }
"""


def run(db: Db, clock: FixedClock, query: str, **variables: Any) -> tuple[Any, Counter[str]]:
    context = Context(db=db, clock=clock, request_id="n-plus-one")
    with count_requests() as counts:
        result = asyncio.run(schema.execute(query, variables, context_value=context))
    assert result.errors is None, result.errors
    return result.data, Counter(counts)


@pytest.fixture
def crowd(db: Db, clock: FixedClock, world: World) -> list[str]:
    """30 approved district partners, each with two resources, each claiming one of 30 open
    projects of street B (capacity 2: they stay open). Returns the partner ids."""
    from api.services import partner_projects, partners

    root = root_actor(world)
    ids = []
    for i in range(LARGE):
        partner = make_partner(
            db, clock, world, world.district, f"合伙人{i:02d}", category="SERVICE"
        )
        partners.add_resource(
            db, root, clock, partners.ResourceInput(partner.id, "HEALTH", f"义诊{i}", 2, "周末")
        )
        project = make_project(db, clock, world, f"项目{i:02d}", capacity=2)
        partner_projects.claim(db, root, clock, project.id, partner.id)
        ids.append(partner.id)
    return ids


def test_a_partners_page_with_resources_costs_the_same_whatever_its_length(
    db: Db, clock: FixedClock, world: World, crowd: list[str]
) -> None:
    unit = to_global_id("OrgUnit", world.district.id)
    small, few = run(db, clock, PARTNERS_PAGE, unit=unit, first=SMALL)
    large, many = run(db, clock, PARTNERS_PAGE, unit=unit, first=LARGE)
    assert len(small["partners"]["nodes"]) == SMALL
    assert len(large["partners"]["nodes"]) == LARGE
    assert all(len(p["resources"]) == 2 for p in large["partners"]["nodes"])
    assert {r["partnerName"] for p in large["partners"]["nodes"] for r in p["resources"]} == {
        p["name"] for p in large["partners"]["nodes"]
    }
    # The directory unit, the page, one BatchGetItem of every resource.
    assert few == many == Counter({"GetItem": 1, "Query": 1, "BatchGetItem": 1}), (few, many)


def test_a_projects_page_with_claims_costs_the_same_whatever_its_length(
    db: Db, clock: FixedClock, world: World, crowd: list[str]
) -> None:
    grid = to_global_id("OrgUnit", world.b.grid.id)
    small, few = run(db, clock, PROJECTS_PAGE, grid=grid, first=SMALL)
    large, many = run(db, clock, PROJECTS_PAGE, grid=grid, first=LARGE)
    assert len(small["openPartnerProjects"]["nodes"]) == SMALL
    nodes = large["openPartnerProjects"]["nodes"]
    assert len(nodes) == LARGE
    assert all(len(p["claims"]) == 1 and p["claims"][0]["status"] == "ACTIVE" for p in nodes)
    claimers = {p["claims"][0]["partnerId"] for p in nodes}
    assert claimers == {to_global_id("Partner", i) for i in crowd}
    assert few == many == Counter({"GetItem": 1, "Query": 1, "BatchGetItem": 1}), (few, many)


NODE = """
query($id: ID!) { node(id: $id) { __typename id
  ... on Partner { name resources { category } }
  ... on PartnerProject { title claims { partnerName } }
  ... on PartnerNeed { title projectId } } }
"""


def test_node_loads_partners_projects_and_needs(db: Db, clock: FixedClock, world: World) -> None:
    from api.services import partner_projects

    partner = make_partner(db, clock, world, world.district, "国网青岛供电公司", category="POWER")
    project = make_project(db, clock, world, "电亮微行动", capacity=1)
    partner_projects.claim(db, root_actor(world), clock, project.id, partner.id)
    found, _ = run(db, clock, NODE, id=to_global_id("Partner", partner.id))
    assert found["node"]["__typename"] == "Partner"
    assert found["node"]["resources"] == [{"category": "POWER"}]
    found, _ = run(db, clock, NODE, id=to_global_id("PartnerProject", project.id))
    assert found["node"]["title"] == "电亮微行动"
    assert found["node"]["claims"] == [{"partnerName": "国网青岛供电公司"}]
    need_id = project.need_ids[0]
    found, _ = run(db, clock, NODE, id=to_global_id("PartnerNeed", need_id))
    assert found["node"] == {
        "__typename": "PartnerNeed",
        "id": to_global_id("PartnerNeed", need_id),
        "title": "电亮微行动需求",
        "projectId": to_global_id("PartnerProject", project.id),
    }
    missing, _ = run(db, clock, NODE, id=to_global_id("Partner", "NOPE"))
    assert missing["node"] is None


def test_a_partner_written_before_it_carried_its_resource_ids_still_lists_them(
    db: Db, clock: FixedClock, world: World
) -> None:
    partner = make_partner(db, clock, world, world.district, "老数据企业", category="LEGACY")
    with db.bound():  # rewind the item to its earlier shape
        item = PartnerItem.get(*partner_key(partner.id))
        item.update(
            actions=[PartnerItem.carries_child_ids.remove(), PartnerItem.resource_ids.remove()]
        )
    record = db.partners.partner(partner.id)
    assert record is not None and record.resource_ids is None
    found, counts = run(db, clock, NODE, id=to_global_id("Partner", partner.id))
    assert found["node"]["resources"] == [{"category": "LEGACY"}]
    assert counts["Query"] == 1  # its partition, instead of the batch


STATEMENT = """
query($h: ID!, $first: Int, $after: String) {
  pointsStatement(account: PARTY_POINTS, holderId: $h) { balance
    entries(first: $first, after: $after) {
      nodes { amount } pageInfo { hasNextPage endCursor } } } }
"""


def test_statement_entries_page_by_relay_arguments(db: Db, clock: FixedClock, world: World) -> None:
    from api.domain.ledger import AccountKind, EntrySource, Posting
    from api.services import ledger
    from api.services.actor import load_actor

    admin = load_actor(db, world.district_admin_id)
    member = world.b.resident_id
    for i, amount in enumerate((3, 5, 7)):
        posting = Posting(
            AccountKind.PARTY_POINTS, member, amount, EntrySource.STUDY, "学习", f"s{i}"
        )
        ledger.post(db, admin, clock, posting)
    holder = to_global_id("Person", member)

    def statement(**page: Any) -> Any:
        context = Context(db=db, clock=clock, request_id="statement", subject=admin.person_id)
        result = asyncio.run(
            schema.execute(STATEMENT, {"h": holder, **page}, context_value=context)
        )
        assert result.errors is None, result.errors
        assert result.data is not None
        return result.data["pointsStatement"]

    first = statement(first=2)
    assert first["balance"] == 15
    assert len(first["entries"]["nodes"]) == 2 and first["entries"]["pageInfo"]["hasNextPage"]
    rest = statement(first=2, after=first["entries"]["pageInfo"]["endCursor"])
    assert len(rest["entries"]["nodes"]) == 1 and not rest["entries"]["pageInfo"]["hasNextPage"]
    amounts = [e["amount"] for e in first["entries"]["nodes"] + rest["entries"]["nodes"]]
    assert sorted(amounts) == [3, 5, 7]
    # Without arguments on `entries`, the root field's (deprecated) page arguments apply.
    assert len(statement()["entries"]["nodes"]) == 3
