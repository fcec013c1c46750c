"""Org-unit mutations and queries through GraphQL over HTTP (ASGI and Lambda events): create,
rename, move, archive, grid details, search, ``node``, tokens, limits and error masking."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from api.dev_issuer import DevIssuer
from api.domain.clock import FixedClock
from api.domain.ids import to_global_id
from api.domain.org import OrgKind
from api.domain.roles import Role
from api.records.org import OrgUnitRecord
from api.services import org_units, people
from api.services.actor import Actor, Grant
from api.settings import Settings
from api.store.db import Db
from schema.schema import MAX_DEPTH
from tests.conftest import Tokens
from tests.graphql_client import AsgiClient, GraphQLClient, Response
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
    district: OrgUnitRecord
    street: OrgUnitRecord
    community: OrgUnitRecord
    grid: OrgUnitRecord
    building: OrgUnitRecord
    party_household: OrgUnitRecord
    unit_household: OrgUnitRecord
    other_street: OrgUnitRecord
    admin_id: str  # ADMIN on street
    other_admin_id: str  # ADMIN on other_street


def build_small(db: Db, clock: FixedClock) -> Small:
    district = bootstrap_district(db, "市北区", "SB", clock)
    root = Actor(person_id="bootstrap", grants=(Grant(district.id, district.path, Role.ADMIN),))

    def unit(parent: OrgUnitRecord, kind: OrgKind, name: str) -> OrgUnitRecord:
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
    other = people.register_person(
        db, root, clock, "乙管理员", "13900002000", other_street.id, True
    )
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


@pytest.fixture
def api(settings: Settings, clock: FixedClock) -> GraphQLClient:
    """The ASGI app only: for rules that do not depend on the transport. Tests of what the
    transport touches (tokens, errors, limits, request ids) use ``client``: ASGI and Lambda."""
    return AsgiClient(create_app(settings, clock))


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
    api: GraphQLClient, small: Small, token: Tokens, db: Db, clock: FixedClock
) -> None:
    admin = token(small.admin_id)
    community = gid(small.community.id)
    archived = org_units.create_unit(
        db, small.root, clock, small.community.id, OrgKind.GRID, "旧网格"
    )
    org_units.archive_unit(db, small.root, clock, archived.id)
    cases: list[tuple[str, str, str, tuple[str, str]]] = [
        (community, "BUILDING", "1号楼", ("INVALID_HIERARCHY", "parentId")),
        (community, "COMMUNITY", "子社区", ("INVALID_HIERARCHY", "parentId")),
        (gid(small.street.id), "GRID", "街道直属网格", ("INVALID_HIERARCHY", "parentId")),
        (
            gid(small.unit_household.id),
            "UNIT_HOUSEHOLD",
            "2单元",
            ("INVALID_HIERARCHY", "parentId"),
        ),
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
        result = create(api, admin, parent_id, kind, name)
        assert result["orgUnit"] is None, (parent_id, kind, name, result)
        assert problems(result) == [expected], (parent_id, kind, name, result)
        assert result["errors"][0]["message"]
    assert child_names(api, small.community.id) == ["第一网格"]
    assert child_names(api, small.street.id) == ["无棣路社区"]
    assert db.org_units.require(small.community.id).refs == 1


def test_a_name_of_exactly_sixty_characters_is_accepted(
    api: GraphQLClient, small: Small, token: Tokens
) -> None:
    result = create(api, token(small.admin_id), gid(small.community.id), "GRID", "网" * 60)
    assert result["errors"] == [] and result["orgUnit"]["name"] == "网" * 60


def test_create_needs_a_signed_in_admin_of_the_parent(
    api: GraphQLClient, small: Small, token: Tokens
) -> None:
    community = gid(small.community.id)
    assert problems(create(api, None, community, "GRID", "新网格")) == [("UNAUTHENTICATED", None)]
    other = token(small.other_admin_id)
    assert problems(create(api, other, community, "GRID", "新网格")) == [("FORBIDDEN", None)]
    assert child_names(api, small.community.id) == ["第一网格"]


# --- rename --------------------------------------------------------------------------------


def test_rename_rewrites_the_subtree_breadcrumbs_and_frees_the_old_name(
    api: GraphQLClient, small: Small, token: Tokens
) -> None:
    admin = token(small.admin_id)
    renamed = payload(
        api.query(
            RENAME, {"input": {"id": gid(small.community.id), "name": " 新无棣路社区 "}}, admin
        ),
        "renameOrgUnit",
    )
    assert renamed["errors"] == [] and renamed["orgUnit"]["name"] == "新无棣路社区"
    base = ["市北区", "辽宁路街道", "新无棣路社区"]
    assert ancestor_names(api, small.grid.id) == base
    assert ancestor_names(api, small.building.id) == [*base, "第一网格"]
    assert ancestor_names(api, small.party_household.id) == [*base, "第一网格", "12号楼院"]
    assert ancestor_names(api, small.unit_household.id) == [
        *base,
        "第一网格",
        "12号楼院",
        "1单元党员中心户",
    ]
    # The name guard moved with the name: the old name is free for a new sibling, the new one not.
    reused = create(api, admin, gid(small.street.id), "COMMUNITY", "无棣路社区")
    assert reused["errors"] == []
    taken = create(api, admin, gid(small.street.id), "COMMUNITY", "新无棣路社区")
    assert problems(taken) == [("ALREADY_EXISTS", "name")]
    assert child_names(api, small.street.id) == sorted(["无棣路社区", "新无棣路社区"])
    # Searching by name follows the rename.
    found = api.query(
        SEARCH, {"scope": gid(small.street.id), "kind": "COMMUNITY", "prefix": "新"}
    ).data["searchOrgUnits"]["edges"]
    assert [edge["node"]["name"] for edge in found] == ["新无棣路社区"]


def test_rename_refusals(
    api: GraphQLClient, small: Small, token: Tokens, db: Db, clock: FixedClock
) -> None:
    admin = token(small.admin_id)
    org_units.create_unit(db, small.root, clock, small.community.id, OrgKind.GRID, "第二网格")
    grid = gid(small.grid.id)
    cases: list[tuple[str | None, str, str, tuple[str, str | None]]] = [
        (admin, grid, "第二网格", ("ALREADY_EXISTS", "name")),
        (admin, grid, "", ("INVALID_INPUT", "name")),
        (admin, grid, "网" * 61, ("INVALID_INPUT", "name")),
        (admin, grid, "a#b", ("INVALID_INPUT", "name")),
        (admin, gid("NOPE"), "新名字", ("NOT_FOUND", "id")),
        (admin, "garbage", "新名字", ("INVALID_ID", "id")),
        (admin, gid(small.district.id), "新区", ("INVALID_HIERARCHY", "id")),  # for anyone
        (admin, gid(small.street.id), "新街道", ("FORBIDDEN", None)),  # needs the parent's admin
        (token(small.other_admin_id), grid, "新名字", ("FORBIDDEN", None)),
        (None, grid, "新名字", ("UNAUTHENTICATED", None)),
    ]
    for actor, unit_id, name, expected in cases:
        result = payload(
            api.query(RENAME, {"input": {"id": unit_id, "name": name}}, actor), "renameOrgUnit"
        )
        assert problems(result) == [expected], (unit_id, name, result)
    assert child_names(api, small.community.id) == ["第一网格", "第二网格"]
    # Renaming to the current name is a no-op, not a clash with itself.
    same = payload(
        api.query(RENAME, {"input": {"id": grid, "name": "第一网格"}}, admin), "renameOrgUnit"
    )
    assert same["errors"] == [] and same["orgUnit"]["name"] == "第一网格"


# --- move ----------------------------------------------------------------------------------


def test_move_rewrites_the_subtree_and_moves_the_scopes(
    api: GraphQLClient, world: World, token: Tokens, db: Db
) -> None:
    district_admin = token(world.district_admin_id)
    a_admin, b_admin = token(world.a.admin_id), token(world.b.admin_id)
    grid_worker = token(world.a.staff_id)
    move = {"input": {"id": gid(world.a.grid.id), "newParentId": gid(world.b.community.id)}}
    # Street admins cannot move across streets: each lacks one side.
    for street_admin in (a_admin, b_admin):
        refused = payload(api.query(MOVE, move, street_admin), "moveOrgUnit")
        assert problems(refused) == [("FORBIDDEN", None)]
    # B's community already has a "第一网格".
    clash = payload(api.query(MOVE, move, district_admin), "moveOrgUnit")
    assert problems(clash) == [("ALREADY_EXISTS", "newParentId")]
    assert ancestor_names(api, world.a.grid.id) == ["市北区", "辽宁路街道", "无棣路社区"]

    rename = {"input": {"id": gid(world.a.grid.id), "name": "第九网格"}}
    assert payload(api.query(RENAME, rename, a_admin), "renameOrgUnit")["errors"] == []
    moved = payload(api.query(MOVE, move, district_admin), "moveOrgUnit")
    assert moved["errors"] == []
    b_base = ["市北区", "大港街道", "青海路社区"]
    assert [a["name"] for a in moved["orgUnit"]["ancestors"]] == b_base
    assert ancestor_names(api, world.a.building.id) == [*b_base, "第九网格"]
    assert ancestor_names(api, world.a.unit_household.id) == [
        *b_base,
        "第九网格",
        "12号楼院",
        "1单元党员中心户",
    ]
    new_prefix = f"{world.b.community.path}/{world.a.grid.id}"
    for unit in (world.a.grid, world.a.building, world.a.party_household, world.a.unit_household):
        path = db.org_units.require(unit.id).path
        assert path == new_prefix + unit.path[len(world.a.grid.path) :]
    assert child_names(api, world.a.community.id) == []
    assert child_names(api, world.b.community.id) == ["第一网格", "第九网格"]

    # The grid worker's grant moved with the grid: still reads its residents.
    for unit_id in (world.a.grid.id, world.a.unit_household.id):
        response = api.query(RESIDENTS, {"id": gid(unit_id)}, grid_worker)
        assert not response.errors, response.body
    # The old street's admin lost the subtree; the new street's admin gained it.
    response = api.query(RESIDENTS, {"id": gid(world.a.unit_household.id)}, a_admin)
    assert query_error(response) == ("FORBIDDEN", None)
    response = api.query(RESIDENTS, {"id": gid(world.a.unit_household.id)}, b_admin)
    assert [p["name"] for p in response.data["orgUnit"]["residents"]["nodes"]] == ["甲居民"]
    person = "query($id: ID!) { person(id: $id) { name phone } }"
    resident = {"id": gid(world.a.resident_id, "Person")}
    assert api.query(person, resident, a_admin).data["person"] == {"name": "甲**", "phone": None}
    assert api.query(person, resident, b_admin).data["person"] == {
        "name": "甲居民",
        "phone": "139****1002",
    }
    manage = "query($id: ID!) { orgUnit(id: $id) { viewerCanManage } }"
    building = {"id": gid(world.a.building.id)}
    assert api.query(manage, building, a_admin).data["orgUnit"]["viewerCanManage"] is False
    assert api.query(manage, building, b_admin).data["orgUnit"]["viewerCanManage"] is True
    again = {"input": {"id": gid(world.a.building.id), "name": "13号楼院"}}
    assert problems(payload(api.query(RENAME, again, a_admin), "renameOrgUnit")) == [
        ("FORBIDDEN", None)
    ]
    assert payload(api.query(RENAME, again, b_admin), "renameOrgUnit")["errors"] == []
    # Search follows the move; the old parent's name guard is free again.
    grids_of = {
        street.id: [
            edge["node"]["name"]
            for edge in api.query(SEARCH, {"scope": gid(street.id), "kind": "GRID"}).data[
                "searchOrgUnits"
            ]["edges"]
        ]
        for street in (world.a.street, world.b.street)
    }
    assert grids_of == {world.a.street.id: [], world.b.street.id: ["第一网格", "第九网格"]}
    assert create(api, a_admin, gid(world.a.community.id), "GRID", "第九网格")["errors"] == []


def test_move_refusals(
    api: GraphQLClient, small: Small, token: Tokens, db: Db, clock: FixedClock
) -> None:
    admin = token(small.admin_id)
    spare = org_units.create_unit(
        db, small.root, clock, small.street.id, OrgKind.COMMUNITY, "备用社区"
    )
    archived = org_units.create_unit(
        db, small.root, clock, small.street.id, OrgKind.COMMUNITY, "旧社区"
    )
    org_units.archive_unit(db, small.root, clock, archived.id)
    community, grid = gid(small.community.id), gid(small.grid.id)
    cases: list[tuple[str, str, tuple[str, str | None]]] = [
        (community, community, ("CYCLE", "newParentId")),  # under itself
        (community, grid, ("CYCLE", "newParentId")),  # under its child
        (community, gid(small.unit_household.id), ("CYCLE", "newParentId")),  # deep descendant
        (grid, gid(small.street.id), ("INVALID_HIERARCHY", "newParentId")),
        (grid, gid(small.building.id), ("CYCLE", "newParentId")),
        (gid(small.building.id), gid(spare.id), ("INVALID_HIERARCHY", "newParentId")),
        (grid, community, ("INVALID_INPUT", "newParentId")),  # already there
        (grid, gid(archived.id), ("ARCHIVED", "newParentId")),
        (gid(archived.id), gid(small.street.id), ("ARCHIVED", None)),
        (grid, gid("NOPE"), ("NOT_FOUND", "newParentId")),
        (grid, "garbage", ("INVALID_ID", "newParentId")),
        (gid("NOPE"), community, ("NOT_FOUND", "id")),
        ("garbage", community, ("INVALID_ID", "id")),
        (gid(small.street.id), gid(small.district.id), ("FORBIDDEN", None)),
        (gid(small.district.id), gid(small.street.id), ("INVALID_HIERARCHY", "id")),
    ]
    for unit_id, new_parent_id, expected in cases:
        move = {"input": {"id": unit_id, "newParentId": new_parent_id}}
        result = payload(api.query(MOVE, move, admin), "moveOrgUnit")
        assert problems(result) == [expected], (unit_id, new_parent_id, result)
    assert ancestor_names(api, small.unit_household.id) == [
        "市北区",
        "辽宁路街道",
        "无棣路社区",
        "第一网格",
        "12号楼院",
        "1单元党员中心户",
    ]
    assert db.org_units.require(small.grid.id).path == (
        f"/{small.district.id}/{small.street.id}/{small.community.id}/{small.grid.id}"
    )
    # The same move is fine into a parent of the right kind.
    ok = {"input": {"id": grid, "newParentId": gid(spare.id)}}
    assert payload(api.query(MOVE, ok, admin), "moveOrgUnit")["errors"] == []
    assert ancestor_names(api, small.building.id) == [
        "市北区",
        "辽宁路街道",
        "备用社区",
        "第一网格",
    ]


# --- archive -------------------------------------------------------------------------------


def test_archive_is_refused_while_in_use_and_allowed_after(
    api: GraphQLClient, small: Small, token: Tokens, db: Db, clock: FixedClock
) -> None:
    admin = token(small.admin_id)

    def archive(unit_id: str) -> dict[str, Any]:
        return payload(api.query(ARCHIVE, {"input": {"id": gid(unit_id)}}, admin), "archiveOrgUnit")

    # Children refer to the grid, the building and the party household.
    for unit in (small.grid, small.building, small.party_household):
        assert problems(archive(unit.id)) == [("IN_USE", None)]
    # A role grant refers to a unit.
    staffed = org_units.create_unit(
        db, small.root, clock, small.community.id, OrgKind.GRID, "第二网格"
    )
    people.grant_role(db, small.root, clock, small.admin_id, staffed.id, Role.STAFF)
    assert problems(archive(staffed.id)) == [("IN_USE", None)]
    # A resident refers to a unit.
    lived_in = org_units.create_unit(
        db, small.root, clock, small.community.id, OrgKind.GRID, "第三网格"
    )
    people.register_person(db, small.root, clock, "住户", "13900003000", lived_in.id, False)
    assert problems(archive(lived_in.id)) == [("IN_USE", None)]

    # Bottom-up archiving frees each parent in turn.
    for unit in (small.unit_household, small.party_household, small.building, small.grid):
        result = archive(unit.id)
        assert result["errors"] == [] and result["orgUnit"]["archived"] is True, result
    assert problems(archive(small.grid.id)) == [("ARCHIVED", None)]
    # Revoking the grant frees that grid.
    people.revoke_role(db, small.root, small.admin_id, staffed.id, Role.STAFF)
    assert archive(staffed.id)["errors"] == []
    assert problems(archive(lived_in.id)) == [("IN_USE", None)]
    assert child_names(api, small.community.id) == ["第三网格"]
    # A street's own admin cannot archive the street (it needs the district's admin).
    assert problems(archive(small.street.id)) == [("FORBIDDEN", None)]
    assert problems(archive(small.district.id)) == [("INVALID_HIERARCHY", "id")]


def test_archived_units_are_hidden_from_the_public_and_frozen(
    api: GraphQLClient, small: Small, token: Tokens, db: Db, clock: FixedClock
) -> None:
    admin, other = token(small.admin_id), token(small.other_admin_id)
    old = org_units.create_unit(db, small.root, clock, small.community.id, OrgKind.GRID, "旧网格")
    org_units.archive_unit(db, small.root, clock, old.id)
    node = "query($id: ID!) { node(id: $id) { id ... on OrgUnit { name archived } } }"
    for document, field in ((UNIT, "orgUnit"), (node, "node")):
        for caller in (None, other):
            response = api.query(document, {"id": gid(old.id)}, caller)
            assert not response.errors and response.data[field] is None, response.body
        seen = api.query(document, {"id": gid(old.id)}, admin).data[field]
        assert seen["name"] == "旧网格" and seen["archived"] is True
    # Listed only among archived children, and only to staff in scope.
    for caller in (None, admin, other):
        assert child_names(api, small.community.id, caller) == ["第一网格"]
    assert child_names(api, small.community.id, admin, archived=True) == ["旧网格"]
    anonymous = api.query(CHILD_NAMES, {"id": gid(small.community.id), "archived": True})
    assert query_error(anonymous)[0] == "UNAUTHENTICATED"
    outsider = api.query(CHILD_NAMES, {"id": gid(small.community.id), "archived": True}, other)
    assert query_error(outsider)[0] == "FORBIDDEN"
    # Not found by search; frozen against changes; its name is free for a new sibling.
    found = api.query(SEARCH, {"scope": gid(small.street.id), "kind": "GRID"}, admin)
    assert [e["node"]["name"] for e in found.data["searchOrgUnits"]["edges"]] == ["第一网格"]
    under = create(api, admin, gid(old.id), "BUILDING", "1号楼")
    assert problems(under) == [("ARCHIVED", "parentId")]
    rename = {"input": {"id": gid(old.id), "name": "新名字"}}
    assert problems(payload(api.query(RENAME, rename, admin), "renameOrgUnit")) == [
        ("ARCHIVED", None)
    ]
    move = {"input": {"id": gid(old.id), "newParentId": gid(small.community.id)}}
    assert problems(payload(api.query(MOVE, move, admin), "moveOrgUnit"))[0][0] in {
        "ARCHIVED",
        "INVALID_INPUT",
    }
    grid = {"input": {"id": gid(old.id), "starCriteria": ["TEAM"]}}
    assert problems(payload(api.query(UPDATE_GRID, grid, admin), "updateGridDetails")) == [
        ("ARCHIVED", None)
    ]
    assert create(api, admin, gid(small.community.id), "GRID", "旧网格")["errors"] == []


# --- grid details --------------------------------------------------------------------------


def test_update_grid_details_is_partial(api: GraphQLClient, small: Small, token: Tokens) -> None:
    admin = token(small.admin_id)
    grid = gid(small.grid.id)

    def update(fields: dict[str, Any], caller: str | None = admin) -> dict[str, Any]:
        response = api.query(UPDATE_GRID, {"input": {"id": grid, **fields}}, caller)
        return payload(response, "updateGridDetails")

    station = {"name": "无棣路党群服务站", "address": "无棣路1号", "openingHours": "9:00-17:00"}
    first = update({"serviceStation": station})
    assert first["errors"] == []
    details = first["orgUnit"]["grid"]
    assert details["serviceStation"] == {**station, "phone": ""}
    assert details["fiveCriteria"] == [] and details["fiveCriteriaMet"] is False
    assert details["starCriteria"] == [] and details["stars"] == 0
    assert details["partyBranchSecretary"] is None and details["instructor"] is None

    second = update({"fiveCriteria": ["YARDSTICK", "PILLAR", "PILLAR"]})["orgUnit"]["grid"]
    assert second["serviceStation"] == {**station, "phone": ""}
    assert second["fiveCriteria"] == ["PILLAR", "YARDSTICK"] and second["fiveCriteriaMet"] is False

    five = ["PILLAR", "MINDSET", "PLATFORM", "RESOURCES", "YARDSTICK"]
    third = update(
        {"fiveCriteria": list(reversed(five)), "starCriteria": ["TEAM", "SERVICE", "STATION"]}
    )
    details = third["orgUnit"]["grid"]
    assert details["fiveCriteria"] == five and details["fiveCriteriaMet"] is True
    assert details["starCriteria"] == ["TEAM", "STATION", "SERVICE"] and details["stars"] == 3

    fourth = update({"secretaryId": gid(small.admin_id, "Person"), "starCriteria": []})
    details = fourth["orgUnit"]["grid"]
    assert details["stars"] == 0 and details["starCriteria"] == []
    assert (
        details["fiveCriteriaMet"] is True and details["serviceStation"]["name"] == station["name"]
    )
    assert details["partyBranchSecretary"] == {
        "id": gid(small.admin_id, "Person"),
        "name": "甲管理员",
        "phone": "13900001000",  # the admin reads their own data (issue 16.3)
    }
    all_stars = ["ORGANISATION", "TEAM", "STATION", "SERVICE", "GOVERNANCE", "REPUTATION"]
    assert update({"starCriteria": all_stars})["orgUnit"]["grid"]["stars"] == 6

    # Ratings and the station are public; the secretary's personal data is masked.
    public = api.query(f"query($id: ID!) {{ orgUnit(id: $id) {{ {GRID} }} }}", {"id": grid})
    details = public.data["orgUnit"]["grid"]
    assert details["stars"] == 6 and details["fiveCriteriaMet"] is True
    assert details["serviceStation"]["address"] == "无棣路1号"
    assert details["partyBranchSecretary"] == {
        "id": gid(small.admin_id, "Person"),
        "name": "甲***",
        "phone": None,
    }


def test_update_grid_details_refusals_change_nothing(
    api: GraphQLClient, small: Small, token: Tokens, db: Db
) -> None:
    admin = token(small.admin_id)
    grid = gid(small.grid.id)
    station = {"name": "站", "address": "址"}
    cases: list[tuple[str | None, dict[str, Any], tuple[str, str | None]]] = [
        (admin, {"id": grid, "secretaryId": gid("NOPE", "Person")}, ("NOT_FOUND", "secretaryId")),
        (admin, {"id": grid, "instructorId": gid("NOPE", "Person")}, ("NOT_FOUND", "instructorId")),
        (admin, {"id": grid, "secretaryId": "garbage"}, ("INVALID_ID", "secretaryId")),
        (admin, {"id": grid, "secretaryId": grid}, ("INVALID_ID", "secretaryId")),
        (admin, {"id": gid(small.community.id)}, ("INVALID_HIERARCHY", "id")),
        (admin, {"id": gid(small.building.id)}, ("INVALID_HIERARCHY", "id")),
        (admin, {"id": gid("NOPE")}, ("NOT_FOUND", "id")),
        (admin, {"id": "garbage"}, ("INVALID_ID", "id")),
        (
            admin,
            {"id": grid, "serviceStation": {**station, "name": "站" * 61}},
            ("INVALID_INPUT", "serviceStation.name"),
        ),
        (
            admin,
            {"id": grid, "serviceStation": {**station, "address": "址" * 201}},
            ("INVALID_INPUT", "serviceStation.address"),
        ),
        (None, {"id": grid}, ("UNAUTHENTICATED", None)),
        (token(small.other_admin_id), {"id": grid}, ("FORBIDDEN", None)),
    ]
    for caller, fields, expected in cases:
        response = api.query(UPDATE_GRID, {"input": {**fields, "starCriteria": ["TEAM"]}}, caller)
        result = payload(response, "updateGridDetails")
        assert result["orgUnit"] is None and problems(result) == [expected], (fields, result)
    stored = db.org_units.require(small.grid.id).grid
    assert stored is not None
    assert stored.stars == 0 and stored.station is None and stored.secretary_id is None


# --- search --------------------------------------------------------------------------------


def test_search_finds_a_kind_by_prefix_within_a_scope(
    api: GraphQLClient, small: Small, db: Db, clock: FixedClock
) -> None:
    for name in ("第二网格", "第三网格", "其他网格"):
        org_units.create_unit(db, small.root, clock, small.community.id, OrgKind.GRID, name)
    second = org_units.create_unit(
        db, small.root, clock, small.street.id, OrgKind.COMMUNITY, "第二社区"
    )
    org_units.create_unit(db, small.root, clock, second.id, OrgKind.GRID, "第四网格")
    elsewhere = org_units.create_unit(
        db, small.root, clock, small.other_street.id, OrgKind.COMMUNITY, "青海路社区"
    )
    for name in ("第一网格", "第五网格"):
        org_units.create_unit(db, small.root, clock, elsewhere.id, OrgKind.GRID, name)

    def names(scope: OrgUnitRecord, prefix: str = "", kind: str = "GRID") -> list[str]:
        response = api.query(SEARCH, {"scope": gid(scope.id), "kind": kind, "prefix": prefix})
        assert not response.errors, response.body
        return [edge["node"]["name"] for edge in response.data["searchOrgUnits"]["edges"]]

    a_grids = ["其他网格", "第一网格", "第三网格", "第二网格", "第四网格"]
    assert sorted(names(small.street)) == sorted(a_grids)
    assert names(small.street) == sorted(a_grids)  # sorted by name (code points)
    assert sorted(names(small.street, "第")) == ["第一网格", "第三网格", "第二网格", "第四网格"]
    assert names(small.community, "第") == ["第一网格", "第三网格", "第二网格"]
    assert names(small.other_street) == ["第一网格", "第五网格"]
    assert names(small.district, "第五") == ["第五网格"]
    assert names(small.street, "第五") == []
    assert names(small.street, "", "COMMUNITY") == ["无棣路社区", "第二社区"]
    assert names(small.grid) == ["第一网格"]  # a scope includes itself
    assert names(small.building) == []

    # Paging through a scope never leaks another street's units.
    seen: list[str] = []
    after: str | None = None
    while True:
        response = api.query(
            SEARCH, {"scope": gid(small.street.id), "kind": "GRID", "first": 2, "after": after}
        )
        assert not response.errors, response.body
        page = response.data["searchOrgUnits"]
        assert len(page["edges"]) <= 2
        seen += [edge["node"]["name"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(a_grids)


def test_search_refuses_bad_arguments(api: GraphQLClient, small: Small) -> None:
    street = gid(small.street.id)
    grids = api.query(SEARCH, {"scope": street, "kind": "GRID", "first": 1})
    cursor = grids.data["searchOrgUnits"]["pageInfo"]["endCursor"]
    assert isinstance(cursor, str)
    communities = api.query(SEARCH, {"scope": street, "kind": "COMMUNITY", "first": 1})
    community_cursor = communities.data["searchOrgUnits"]["edges"][0]["cursor"]
    children = api.query(
        "query($id: ID!) { orgUnit(id: $id) { children(first: 1) { edges { cursor } } } }",
        {"id": gid(small.community.id)},
    )
    child_cursor = children.data["orgUnit"]["children"]["edges"][0]["cursor"]
    cases: list[tuple[dict[str, Any], tuple[str, str]]] = [
        ({"after": "garbage"}, ("INVALID_CURSOR", "after")),
        ({"after": cursor[:-3]}, ("INVALID_CURSOR", "after")),
        ({"after": "A" * 3000}, ("INVALID_CURSOR", "after")),
        ({"after": child_cursor}, ("INVALID_CURSOR", "after")),  # a cursor of another list
        ({"after": community_cursor}, ("INVALID_CURSOR", "after")),  # another kind's list
        ({"first": 101}, ("INVALID_INPUT", "first")),
        ({"first": -1}, ("INVALID_INPUT", "first")),
        ({"prefix": "第#"}, ("INVALID_INPUT", "namePrefix")),
        ({"prefix": "网" * 61}, ("INVALID_INPUT", "namePrefix")),
        ({"scope": gid("NOPE")}, ("NOT_FOUND", "scopeId")),
        ({"scope": "garbage"}, ("INVALID_ID", "scopeId")),
        ({"scope": gid(small.admin_id, "Person")}, ("INVALID_ID", "scopeId")),
    ]
    for arguments, expected in cases:
        response = api.query(SEARCH, {"scope": street, "kind": "GRID", **arguments})
        assert query_error(response) == expected, (arguments, response.body)
        assert response.body.get("data") is None, response.body
    # The same cursor is fine on its own list, and first = 100 is allowed.
    fine = api.query(SEARCH, {"scope": street, "kind": "GRID", "after": cursor, "first": 100})
    assert not fine.errors and fine.data["searchOrgUnits"]["edges"] == []


# --- node ----------------------------------------------------------------------------------

NODE = """
query($id: ID!) {
  node(id: $id) { __typename id ... on OrgUnit { name kind } ... on Person { name phone } }
}"""


def test_node_refetches_org_units_and_people(
    client: GraphQLClient, small: Small, token: Tokens
) -> None:
    unit = client.query(NODE, {"id": gid(small.grid.id)}).data["node"]
    assert unit == {
        "__typename": "OrgUnit",
        "id": gid(small.grid.id),
        "name": "第一网格",
        "kind": "GRID",
    }
    person_id = gid(small.admin_id, "Person")
    anonymous = client.query(NODE, {"id": person_id}).data["node"]
    assert anonymous == {"__typename": "Person", "id": person_id, "name": "甲***", "phone": None}
    itself = client.query(NODE, {"id": person_id}, token(small.admin_id)).data["node"]
    assert itself["name"] == "甲管理员" and itself["phone"] == "13900001000"
    for missing in (gid("NOPE"), gid("NOPE", "Person"), gid("NOPE", "Case")):
        response = client.query(NODE, {"id": missing})
        assert not response.errors and response.data["node"] is None
    for bad in (to_global_id("Poll", "C1"), to_global_id("RoleGrant", "X"), "garbage", ""):
        response = client.query(NODE, {"id": bad})
        assert query_error(response) == ("INVALID_ID", "id"), (bad, response.body)
        assert response.data.get("node") is None


# --- tokens --------------------------------------------------------------------------------

VIEWER = "{ viewer { person { id name } roles { role orgUnit { name } } } }"


def test_bad_tokens_are_refused_with_401_and_no_token_is_anonymous(
    client: GraphQLClient, small: Small, token: Tokens, issuer: DevIssuer, tmp_path: Path
) -> None:
    person = small.admin_id
    signed_in = client.query(VIEWER, token=token(person))
    assert signed_in.data["viewer"]["person"]["name"] == "甲管理员"
    assert [r["role"] for r in signed_in.data["viewer"]["roles"]] == ["ADMIN"]
    anonymous = client.query(VIEWER)
    assert anonymous.status == 200 and not anonymous.errors and anonymous.data["viewer"] is None

    past = time.time() - 2 * 3600
    forger = DevIssuer(tmp_path, issuer.issuer, issuer.audience)  # same kid, another key
    bad_tokens = {
        "garbage": "not.a.jwt",
        "empty segments": "..",
        "expired": issuer.mint(person, ttl_seconds=600, now=past),
        "wrong audience": DevIssuer(issuer.folder, issuer.issuer, "someone-else").mint(person),
        "wrong issuer": DevIssuer(issuer.folder, "https://evil.example", issuer.audience).mint(
            person
        ),
        "forged signature": forger.mint(person),
        "alg none": _unsigned(person, issuer),
    }
    for label, bad in bad_tokens.items():
        response = client.query(VIEWER, token=bad)
        assert response.status == 401, (label, response.body)
        assert "viewer" not in str(response.body.get("data")), label
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Token abc"):
        response = client.post(
            '{"query": "{ viewer { person { id } } }"}',
            {
                "content-type": "application/json",
                "authorization": header,
            },
        )
        assert response.status == 401, (header, response.body)


def test_a_valid_token_of_an_unregistered_person_is_unauthenticated(
    client: GraphQLClient, token: Tokens
) -> None:
    response = client.query(VIEWER, token=token("NOBODY"))
    assert response.error_codes == ["UNAUTHENTICATED"], response.body
    # Public data needs no caller, so it does not even look the person up.
    assert client.query("{ districts { nodes { id } } }", token=token("NOBODY")).errors == []


def _unsigned(subject: str, issuer: DevIssuer) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    now = int(time.time())
    claims = {
        "iss": issuer.issuer,
        "aud": issuer.audience,
        "sub": subject,
        "iat": now,
        "exp": now + 600,
    }
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


# --- limits and masking --------------------------------------------------------------------


def test_a_query_deeper_than_the_limit_is_refused_without_data(
    client: GraphQLClient, small: Small
) -> None:
    def nested(levels: int) -> str:
        inner = "id"
        for _ in range(levels):
            inner = f"parent {{ {inner} }}"
        return f'query Deep {{ orgUnit(id: "{gid(small.unit_household.id)}") {{ {inner} }} }}'

    allowed = client.query(nested(MAX_DEPTH - 2))
    assert not allowed.errors, allowed.body
    refused = client.query(nested(MAX_DEPTH + 3))
    assert refused.errors, refused.body
    assert refused.body.get("data") is None, refused.body
    assert "depth" in refused.errors[0]["message"].lower()


def test_unexpected_errors_are_masked_with_the_request_id(
    client: GraphQLClient, small: Small, token: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret: table dangqun-prod, key ORG#X")

    monkeypatch.setattr(org_units, "search_units", explode)
    monkeypatch.setattr(org_units, "rename_unit", explode)
    search = "query($s: ID!) { searchOrgUnits(scopeId: $s, kind: GRID) { edges { cursor } } }"
    query = client.post(
        json.dumps({"query": search, "variables": {"s": gid(small.street.id)}}),
        {"content-type": "application/json", "x-request-id": "trace-123"},
    )
    rename = client.query(
        RENAME, {"input": {"id": gid(small.grid.id), "name": "新"}}, token(small.admin_id)
    )
    for response in (query, rename):
        assert response.status == 200, response.body
        assert "secret" not in str(response.body) and "dangqun-prod" not in str(response.body)
        assert len(response.errors) == 1, response.body
        error = response.errors[0]
        assert error["extensions"]["code"] == "INTERNAL"
        request_id = error["extensions"]["requestId"]
        assert request_id and f"请求编号 {request_id}" in error["message"]
        assert response.body.get("data") is None
    # Through API Gateway the request id is the gateway's; served directly, the caller's header.
    assert query.errors[0]["extensions"]["requestId"] in {"trace-123"} | {
        f"req-{n}" for n in range(1, 10)
    }
    assert rename.errors[0]["extensions"]["requestId"] != query.errors[0]["extensions"]["requestId"]
