"""A page of the hierarchy's lists costs a constant number of DynamoDB requests, whatever its
length: children with their parent and grid secretary, role grants with person and unit,
residents with their home unit — each relation read through the request's DataLoaders."""

from __future__ import annotations

from collections import Counter

from api.domain.clock import FixedClock
from api.domain.grid import GridDetails
from api.domain.ids import to_global_id
from api.domain.org import OrgKind
from api.domain.roles import Role
from api.records.org import OrgUnitRecord
from api.services import org_units, people
from api.services.actor import Actor, Grant
from api.store.db import Db
from tests.conftest import Tokens
from tests.graphql_client import GraphQLClient
from tests.requests import count_requests
from tests.world import World

PAGE = """
query Page($id: ID!, $n: Int!) {
  orgUnit(id: $id) {
    name
    children(first: $n) { edges { node {
      name parent { name } ancestors { name }
      grid { stars partyBranchSecretary { name } instructor { name } }
    } } }
    roleGrants(first: $n) { edges { node {
      role grantedAt person { name phone homeUnit { name } } orgUnit { name parent { name } }
    } } }
    residents(first: $n) { edges { node { name isPartyMember homeUnit { name parent { name } } } } }
  }
}
"""


def community_of(db: Db, clock: FixedClock, world: World, name: str, size: int) -> OrgUnitRecord:
    """A community with ``size`` grids (each with a secretary), residents and grants."""
    root = Actor(person_id="bootstrap", grants=(Grant("SB", "/SB", Role.ADMIN),))
    street = world.a.street
    community = org_units.create_unit(db, root, clock, street.id, OrgKind.COMMUNITY, name)
    for index in range(size):
        person = people.register_person(
            db, root, clock, f"{name}居民{index}", None, community.id, index % 2 == 0
        )
        people.grant_role(db, root, clock, person.id, community.id, Role.STAFF)
        grid = org_units.create_unit(db, root, clock, community.id, OrgKind.GRID, f"第{index}网格")
        org_units.update_grid(
            db, root, clock, grid.id, GridDetails(secretary_id=person.id, instructor_id=person.id)
        )
    return community


def requests_for(client: GraphQLClient, token: str, unit: OrgUnitRecord, n: int) -> Counter[str]:
    with count_requests() as counts:
        response = client.query(PAGE, {"id": to_global_id("OrgUnit", unit.id), "n": n}, token)
    assert response.status == 200 and not response.errors, response.body
    page = response.data["orgUnit"]
    for connection in ("children", "roleGrants", "residents"):
        assert len(page[connection]["edges"]) == n, connection
    grants = page["roleGrants"]["edges"]
    assert all(edge["node"]["person"]["homeUnit"]["name"] == unit.name for edge in grants)
    grids = page["children"]["edges"]
    assert all(edge["node"]["grid"]["partyBranchSecretary"]["name"] for edge in grids)
    return counts


def test_a_page_of_units_grants_and_residents_costs_the_same_for_3_and_30(
    client: GraphQLClient, db: Db, clock: FixedClock, world: World, token: Tokens
) -> None:
    small = community_of(db, clock, world, "小社区", 3)
    large = community_of(db, clock, world, "大社区", 30)
    district_admin = token(world.district_admin_id)
    few = requests_for(client, district_admin, small, 3)
    many = requests_for(client, district_admin, large, 30)
    print(f"\nrequests for 3 items per list: {dict(few)}; for 30: {dict(many)}")
    assert many == few
    # The caller (1 Query), the unit, 3 list Queries, then one BatchGetItem per level of
    # relations (people; home units and parents): nothing per item.
    assert sum(many.values()) <= 8, many
