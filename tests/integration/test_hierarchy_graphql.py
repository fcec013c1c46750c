"""The grid hierarchy through GraphQL, over HTTP (ASGI and Lambda events)."""

from __future__ import annotations

from api.domain.ids import to_global_id
from tests.conftest import Tokens
from tests.graphql_client import GraphQLClient
from tests.world import World

UNIT = """
query Unit($id: ID!) {
  orgUnit(id: $id) {
    id kind name archived
    ancestors { id kind name }
    children(first: 10) {
      edges { cursor node { id name kind } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


def gid(item_id: str, type_name: str = "OrgUnit") -> str:
    return to_global_id(type_name, item_id)


def test_grid_with_breadcrumb_and_children_is_public(client: GraphQLClient, world: World) -> None:
    response = client.query(UNIT, {"id": gid(world.a.grid.id)})
    assert response.status == 200, response.body
    unit = response.data["orgUnit"]
    assert unit["kind"] == "GRID"
    assert [a["name"] for a in unit["ancestors"]] == ["市北区", "辽宁路街道", "无棣路社区"]
    assert [a["kind"] for a in unit["ancestors"]] == ["DISTRICT", "STREET", "COMMUNITY"]
    assert [e["node"]["name"] for e in unit["children"]["edges"]] == ["12号楼院"]
    assert unit["children"]["pageInfo"]["hasNextPage"] is False


def test_children_paginate_with_cursors(client: GraphQLClient, world: World, token: Tokens) -> None:
    create = """
    mutation($input: CreateOrgUnitInput!) { createOrgUnit(input: $input) {
      orgUnit { id name } errors { code field message } } }
    """
    admin = token(world.a.admin_id)
    for number in range(2, 8):
        response = client.query(
            create,
            {
                "input": {
                    "parentId": gid(world.a.community.id),
                    "kind": "GRID",
                    "name": f"第{number}网格",
                }
            },
            admin,
        )
        assert response.data["createOrgUnit"]["errors"] == [], response.body
    names: list[str] = []
    after = None
    pages = 0
    while True:
        page = client.query(
            """query($id: ID!, $after: String) { orgUnit(id: $id) {
               children(first: 3, after: $after) {
               edges { node { name } } pageInfo { hasNextPage endCursor } } } }""",
            {"id": gid(world.a.community.id), "after": after},
        ).data["orgUnit"]["children"]
        pages += 1
        names += [edge["node"]["name"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 3
    assert names == sorted(names) and len(names) == 7 and len(set(names)) == 7
