"""Org-unit mutations and queries through GraphQL over HTTP (ASGI and Lambda events): create,
rename, move, archive, grid details, search, ``node``, tokens, limits and error masking."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest

from api.dev_issuer import DevIssuer
from api.domain.clock import FixedClock
from api.domain.ids import to_global_id
from api.domain.org import OrgKind
from api.domain.roles import Role
from api.services import org_units, people
from api.services.actor import Actor, Grant
from api.store.db import Db
from api.store.models import OrgUnitItem
from schema.schema import MAX_DEPTH
from tests.conftest import Tokens
from tests.graphql_client import GraphQLClient, Response
from tests.world import World, bootstrap_district

# --- helpers -------------------------------------------------------------------------------


def gid(item_id: str, type_name: str = "OrgUnit") -> str:
    return to_global_id(type_name, item_id)


def payload(response: Response, name: str) -> dict[str, Any]:
    assert response.status == 200, response.body
    assert not response.errors, response.body
    result = response.data[name]
    assert isinstance(result, dict), response.body
    return result


def problems(result: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(error["code"], error["field"]) for error in result["errors"]]


def query_error(response: Response) -> tuple[str | None, str | None]:
    """The code and field of the single GraphQL error of a refused query."""
    assert response.status == 200, response.body
    assert len(response.errors) == 1, response.body
    extensions = response.errors[0].get("extensions") or {}
    return extensions.get("code"), extensions.get("field")


ERRORS = "errors { code field message }"
UNIT_FIELDS = "id name kind archived ancestors { name kind }"

CREATE = f"""
mutation($input: CreateOrgUnitInput!) {{
  createOrgUnit(input: $input) {{ orgUnit {{ {UNIT_FIELDS} }} {ERRORS} }}
}}"""
RENAME = f"""
mutation($input: RenameOrgUnitInput!) {{
  renameOrgUnit(input: $input) {{ orgUnit {{ {UNIT_FIELDS} }} {ERRORS} }}
}}"""
MOVE = f"""
mutation($input: MoveOrgUnitInput!) {{
  moveOrgUnit(input: $input) {{ orgUnit {{ {UNIT_FIELDS} }} {ERRORS} }}
}}"""
ARCHIVE = f"""
mutation($input: ArchiveOrgUnitInput!) {{
  archiveOrgUnit(input: $input) {{ orgUnit {{ {UNIT_FIELDS} }} {ERRORS} }}
}}"""
GRID = """
grid {
  partyBranchSecretary { id name phone }
  instructor { id name }
  serviceStation { name address openingHours phone }
  fiveCriteria fiveCriteriaMet starCriteria stars
}"""
UPDATE_GRID = f"""
mutation($input: UpdateGridDetailsInput!) {{
  updateGridDetails(input: $input) {{ orgUnit {{ id {GRID} }} {ERRORS} }}
}}"""
UNIT = f"query($id: ID!) {{ orgUnit(id: $id) {{ {UNIT_FIELDS} }} }}"
CHILD_NAMES = """
query($id: ID!, $archived: Boolean! = false) {
  orgUnit(id: $id) { children(first: 100, archived: $archived) { nodes { id name archived } } }
}"""
RESIDENTS = """
query($id: ID!) { orgUnit(id: $id) { residents(first: 50) { nodes { id name } } } }
"""
SEARCH = """
query($scope: ID!, $kind: OrgUnitKind!, $prefix: String! = "", $first: Int! = 20, $after: String) {
  searchOrgUnits(scopeId: $scope, kind: $kind, namePrefix: $prefix, first: $first, after: $after) {
    edges { cursor node { id name kind } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def create(
    client: GraphQLClient, token: str | None, parent_id: str, kind: str, name: str
) -> dict[str, Any]:
    return payload(
        client.query(CREATE, {"input": {"parentId": parent_id, "kind": kind, "name": name}}, token),
        "createOrgUnit",
    )


def child_names(
    client: GraphQLClient, unit_id: str, token: str | None = None, archived: bool = False
) -> list[str]:
    response = client.query(CHILD_NAMES, {"id": gid(unit_id), "archived": archived}, token)
    assert not response.errors, response.body
    return [node["name"] for node in response.data["orgUnit"]["children"]["nodes"]]


def ancestor_names(client: GraphQLClient, unit_id: str, token: str | None = None) -> list[str]:
    response = client.query(UNIT, {"id": gid(unit_id)}, token)
    assert not response.errors, response.body
    return [crumb["name"] for crumb in response.data["orgUnit"]["ancestors"]]


# --- a small world: one street down to a unit household, and a second street ---------------


@dataclass
class Small:
    root: Actor
    district: OrgUnitItem
    street: OrgUnitItem
    community: OrgUnitItem
    grid: OrgUnitItem
    building: OrgUnitItem
    party_household: OrgUnitItem
    unit_household: OrgUnitItem
    other_street: OrgUnitItem
    admin_id: str  # ADMIN on street
    other_admin_id: str  # ADMIN on other_street


def build_small(db: Db, clock: FixedClock) -> Small:
    district = bootstrap_district("市北区", "SB", clock)
    root = Actor(person_id="bootstrap", grants=(Grant(district.id, district.path, Role.ADMIN),))

    def unit(parent: OrgUnitItem, kind: OrgKind, name: str) -> OrgUnitItem:
        return org_units.create_unit(db, root, clock, parent.id, kind, name)

    street = unit(district, OrgKind.STREET, "辽宁路街道")
    community = unit(street, OrgKind.COMMUNITY, "无棣路社区")
    grid = unit(community, OrgKind.GRID, "第一网格")
    building = unit(grid, OrgKind.BUILDING, "12号楼院")
    party_household = unit(building, OrgKind.PARTY_HOUSEHOLD, "1单元党员中心户")
    unit_household = unit(party_household, OrgKind.UNIT_HOUSEHOLD, "1单元")
    other_street = unit(district, OrgKind.STREET, "大港街道")
    admin = people.register_person(db, root, clock, "甲管理员", "13900001000", street.id, True)
    people.grant_role(db, root, clock, admin.id, street.id, Role.ADMIN)
    other = people.register_person(db, root, clock, "乙管理员", "13900002000", other_street.id, True)
    people.grant_role(db, root, clock, other.id, other_street.id, Role.ADMIN)
    return Small(
        root,
        district,
        street,
        community,
        grid,
        building,
        party_household,
        unit_household,
        other_street,
        admin.id,
        other.id,
    )


@pytest.fixture
def small(db: Db, clock: FixedClock) -> Small:
    return build_small(db, clock)


# --- create --------------------------------------------------------------------------------


def test_create_returns_the_unit_with_its_breadcrumb(
    client: GraphQLClient, small: Small, token: Tokens
) -> None:
    result = create(client, token(small.admin_id), gid(small.community.id), "GRID", "  第二网格 ")
    assert result["errors"] == []
    unit = result["orgUnit"]
    assert unit["name"] == "第二网格" and unit["kind"] == "GRID" and unit["archived"] is False
    assert [a["name"] for a in unit["ancestors"]] == ["市北区", "辽宁路街道", "无棣路社区"]
    assert child_names(client, small.community.id) == ["第一网格", "第二网格"]


def test_create_refusals_name_the_field_and_write_nothing(
    client: GraphQLClient, small: Small, token: Tokens, db: Db, clock: FixedClock
) -> None:
    admin = token(small.admin_id)
    community = gid(small.community.id)
    archived = org_units.create_unit(db, small.root, clock, small.community.id, OrgKind.GRID, "旧网格")
    org_units.archive_unit(db, small.root, clock, archived.id)
    cases: list[tuple[str, str, str, tuple[str, str]]] = [
        (community, "BUILDING", "1号楼", ("INVALID_HIERARCHY", "parentId")),
        (community, "COMMUNITY", "子社区", ("INVALID_HIERARCHY", "parentId")),
        (gid(small.street.id), "GRID", "街道直属网格", ("INVALID_HIERARCHY", "parentId")),
        (gid(small.unit_household.id), "UNIT_HOUSEHOLD", "2单元", ("INVALID_HIERARCHY", "parentId")),
        (community, "GRID", "第一网格", ("ALREADY_EXISTS", "name")),
        (community, "GRID", " 第一网格\u3000", ("ALREADY_EXISTS", "name")),
        (community, "GRID", "", ("INVALID_INPUT", "name")),
        (community, "GRID", "   ", ("INVALID_INPUT", "name")),
        (community, "GRID", "网" * 61, ("INVALID_INPUT", "name")),
        (community, "GRID", "第二\n网格", ("INVALID_INPUT", "name")),
        (community, "GRID", "第#网格", ("INVALID_INPUT", "name")),
        (gid(archived.id), "BUILDING", "1号楼", ("ARCHIVED", "parentId")),
        (gid("NOPE"), "GRID", "新网格", ("NOT_FOUND", "parentId")),
        ("not-a-global-id!", "GRID", "新网格", ("INVALID_ID", "parentId")),
        ("", "GRID", "新网格", ("INVALID_ID", "parentId")),
        (gid(small.admin_id, "Person"), "GRID", "新网格", ("INVALID_ID", "parentId")),
    ]
    for parent_id, kind, name, expected in cases:
        result = create(client, admin, parent_id, kind, name)
        assert result["orgUnit"] is None, (parent_id, kind, name, result)
        assert problems(result) == [expected], (parent_id, kind, name, result)
        assert result["errors"][0]["message"]
    assert child_names(client, small.community.id) == ["第一网格"]
    assert child_names(client, small.street.id) == ["无棣路社区"]
    assert org_units.require_unit(small.community.id).refs == 1


def test_a_name_of_exactly_sixty_characters_is_accepted(
    client: GraphQLClient, small: Small, token: Tokens
) -> None:
    result = create(client, token(small.admin_id), gid(small.community.id), "GRID", "网" * 60)
    assert result["errors"] == [] and result["orgUnit"]["name"] == "网" * 60


def test_create_needs_a_signed_in_admin_of_the_parent(
    client: GraphQLClient, small: Small, token: Tokens
) -> None:
    community = gid(small.community.id)
    assert problems(create(client, None, community, "GRID", "新网格")) == [("UNAUTHENTICATED", None)]
    other = token(small.other_admin_id)
    assert problems(create(client, other, community, "GRID", "新网格")) == [("FORBIDDEN", None)]
    assert child_names(client, small.community.id) == ["第一网格"]
