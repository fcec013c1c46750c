"""People and roles through GraphQL: register, grant, revoke, party badge, viewer; and races
decided by DynamoDB conditions (run on moto and on DynamoDB Local)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import pytest

from api.app import create_app
from api.domain.clock import FixedClock
from api.domain.errors import DomainError
from api.domain.ids import to_global_id
from api.domain.org import OrgKind
from api.domain.roles import Role
from api.records.org import OrgUnitRecord, PersonRecord
from api.services import org_units, people
from api.services.actor import Actor, Grant
from api.settings import Settings
from api.store.db import Db
from api.store.models import (
    NameGuardItem,
    OrgUnitItem,
    PersonItem,
    PhoneGuardItem,
    RoleGrantItem,
    phone_key,
)
from tests.conftest import Tokens
from tests.graphql_client import AsgiClient, GraphQLClient, Response
from tests.world import bootstrap_district

# These tests also read the stored items themselves (what the store wrote).
pytestmark = pytest.mark.usefixtures("raw_items")

T = TypeVar("T")


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


ERRORS = "errors { code field message }"
PERSON_FIELDS = "id name phone isPartyMember partyBadge homeUnit { id name } roles { role }"
REGISTER = f"""
mutation($input: RegisterPersonInput!) {{
  registerPerson(input: $input) {{ person {{ {PERSON_FIELDS} }} {ERRORS} }}
}}"""
GRANT = f"""
mutation($input: RoleInput!) {{
  grantRole(input: $input) {{
    roleGrant {{ role grantedAt person {{ id name }} orgUnit {{ id name }} }} {ERRORS}
  }}
}}"""
REVOKE = f"""
mutation($input: RoleInput!) {{ revokeRole(input: $input) {{ revoked {ERRORS} }} }}
"""
BADGE = f"""
mutation($show: Boolean!) {{
  setPartyBadge(input: {{show: $show}}) {{ person {{ id isPartyMember partyBadge }} {ERRORS} }}
}}"""
PERSON = f"query($id: ID!) {{ person(id: $id) {{ {PERSON_FIELDS} }} }}"
RESIDENTS = """
query($id: ID!) { orgUnit(id: $id) { residents(first: 100) { nodes { id name } } } }
"""
GRANTS = """
query($id: ID!) {
  orgUnit(id: $id) { roleGrants(first: 100) { nodes { role person { id } } } }
}"""
VIEWER = f"{{ viewer {{ person {{ {PERSON_FIELDS} }} roles {{ role orgUnit {{ name }} }} }} }}"


@dataclass
class Small:
    root: Actor
    district: OrgUnitRecord
    street: OrgUnitRecord
    community: OrgUnitRecord
    grid: OrgUnitRecord
    other_street: OrgUnitRecord
    admin_id: str  # ADMIN on street
    other_admin_id: str  # ADMIN on other_street


@pytest.fixture(autouse=True)
def raw_reads_on_the_test_table(db: Db) -> Iterator[None]:
    """This module also inspects raw items (guards, scans): those reads run on the test's table
    (the store binds every call; nothing falls back to a global table)."""
    with db.bound():
        yield


@pytest.fixture
def small(db: Db, clock: FixedClock) -> Small:
    district = bootstrap_district(db, "市北区", "SB", clock)
    root = Actor(person_id="bootstrap", grants=(Grant(district.id, district.path, Role.ADMIN),))
    street = org_units.create_unit(db, root, clock, district.id, OrgKind.STREET, "辽宁路街道")
    community = org_units.create_unit(db, root, clock, street.id, OrgKind.COMMUNITY, "无棣路社区")
    grid = org_units.create_unit(db, root, clock, community.id, OrgKind.GRID, "第一网格")
    other_street = org_units.create_unit(db, root, clock, district.id, OrgKind.STREET, "大港街道")
    admin = people.register_person(db, root, clock, "甲管理员", "13900001000", street.id, True)
    people.grant_role(db, root, clock, admin.id, street.id, Role.ADMIN)
    other = people.register_person(
        db, root, clock, "乙管理员", "13900002000", other_street.id, True
    )
    people.grant_role(db, root, clock, other.id, other_street.id, Role.ADMIN)
    return Small(root, district, street, community, grid, other_street, admin.id, other.id)


@pytest.fixture
def api(settings: Settings, clock: FixedClock) -> GraphQLClient:
    """The ASGI app only, for rules that do not depend on the transport (see ``client``)."""
    return AsgiClient(create_app(settings, clock))


def refs(db: Db, unit_id: str) -> int:
    return db.org_units.require(unit_id).refs


def people_count() -> int:
    return sum(1 for _ in PersonItem.scan(consistent_read=True))


def resident_ids(client: GraphQLClient, unit_id: str, token: str) -> list[str]:
    response = client.query(RESIDENTS, {"id": gid(unit_id)}, token)
    assert not response.errors, response.body
    return [node["id"] for node in response.data["orgUnit"]["residents"]["nodes"]]


# --- registerPerson ------------------------------------------------------------------------


def test_register_person(api: GraphQLClient, small: Small, token: Tokens, db: Db) -> None:
    admin = token(small.admin_id)
    result = payload(
        api.query(
            REGISTER,
            {
                "input": {
                    "name": " 张三丰 ",
                    "phone": "+86 139-0000-3001",
                    "homeUnitId": gid(small.grid.id),
                    "isPartyMember": True,
                }
            },
            admin,
        ),
        "registerPerson",
    )
    assert result["errors"] == []
    person = result["person"]
    assert person["name"] == "张三丰" and person["phone"] == "139****3001"
    assert person["isPartyMember"] is True and person["partyBadge"] is False
    assert person["homeUnit"] == {"id": gid(small.grid.id), "name": "第一网格"}
    assert person["roles"] == []
    assert resident_ids(api, small.grid.id, admin) == [person["id"]]
    assert refs(db, small.grid.id) == 1
    # The phone is optional, and people without one do not clash with each other.
    for _ in range(2):
        bare = {"input": {"name": "李四", "homeUnitId": gid(small.grid.id)}}
        registered = payload(api.query(REGISTER, bare, admin), "registerPerson")
        assert registered["errors"] == [] and registered["person"]["phone"] is None
    assert refs(db, small.grid.id) == 3


def test_register_person_refusals_write_nothing(
    api: GraphQLClient, small: Small, token: Tokens, db: Db, clock: FixedClock
) -> None:
    admin = token(small.admin_id)
    grid = gid(small.grid.id)
    existing = people.register_person(
        db, small.root, clock, "王五", "13900003001", small.grid.id, False
    )
    archived = org_units.create_unit(
        db, small.root, clock, small.community.id, OrgKind.GRID, "旧网格"
    )
    org_units.archive_unit(db, small.root, clock, archived.id)
    before_people, before_refs = people_count(), refs(db, small.grid.id)
    fresh = "13900003999"
    cases: list[tuple[str | None, dict[str, Any], tuple[str, str | None]]] = [
        (admin, {"phone": "13900003001"}, ("ALREADY_EXISTS", "phone")),
        (admin, {"phone": "+86 139 0000 3001"}, ("ALREADY_EXISTS", "phone")),
        (admin, {"phone": "139-0000-3001"}, ("ALREADY_EXISTS", "phone")),
        (admin, {"phone": "１３９００００３００１"}, ("ALREADY_EXISTS", "phone")),
        (admin, {"phone": "13900001000"}, ("ALREADY_EXISTS", "phone")),  # the admin's own
        (admin, {"phone": "12345"}, ("INVALID_INPUT", "phone")),
        (admin, {"phone": "139000030011"}, ("INVALID_INPUT", "phone")),
        (admin, {"phone": "12900003001"}, ("INVALID_INPUT", "phone")),
        (admin, {"phone": "139٠٠٠٠٣٠٠١"}, ("INVALID_INPUT", "phone")),
        (admin, {"phone": "phone"}, ("INVALID_INPUT", "phone")),
        (admin, {"name": "", "phone": fresh}, ("INVALID_INPUT", "name")),
        (admin, {"name": "x" * 61, "phone": fresh}, ("INVALID_INPUT", "name")),
        (admin, {"name": "a\x00b", "phone": fresh}, ("INVALID_INPUT", "name")),
        (admin, {"homeUnitId": gid("NOPE"), "phone": fresh}, ("NOT_FOUND", "homeUnitId")),
        (admin, {"homeUnitId": "garbage", "phone": fresh}, ("INVALID_ID", "homeUnitId")),
        (
            admin,
            {"homeUnitId": gid(small.admin_id, "Person"), "phone": fresh},
            ("INVALID_ID", "homeUnitId"),
        ),
        (admin, {"homeUnitId": gid(archived.id), "phone": fresh}, ("ARCHIVED", "homeUnitId")),
        (token(small.other_admin_id), {"phone": fresh}, ("FORBIDDEN", None)),
        (None, {"phone": fresh}, ("UNAUTHENTICATED", None)),
    ]
    for caller, fields, expected in cases:
        variables = {"input": {"name": "赵六", "homeUnitId": grid, **fields}}
        result = payload(api.query(REGISTER, variables, caller), "registerPerson")
        assert result["person"] is None and problems(result) == [expected], (fields, result)
    # Nothing was written: no person, no reference on the unit, no guard on the unused phone.
    assert people_count() == before_people
    assert refs(db, small.grid.id) == before_refs
    assert resident_ids(api, small.grid.id, admin) == [gid(existing.id, "Person")]
    assert PhoneGuardItem.count(phone_key(fresh)[0], consistent_read=True) == 0
    guard = PhoneGuardItem.get(*phone_key("13900003001"), consistent_read=True)
    assert guard.person_id == existing.id
    # The phone refused above for other reasons is still free.
    ok = {"input": {"name": "赵六", "homeUnitId": grid, "phone": fresh}}
    assert payload(api.query(REGISTER, ok, admin), "registerPerson")["errors"] == []


# --- grantRole / revokeRole ----------------------------------------------------------------


def test_grant_and_revoke_roles(
    api: GraphQLClient, small: Small, token: Tokens, db: Db, clock: FixedClock
) -> None:
    admin = token(small.admin_id)
    worker = people.register_person(
        db, small.root, clock, "网格员", "13900003002", small.grid.id, False
    )
    worker_token = token(worker.id)
    role = {"personId": gid(worker.id, "Person"), "orgUnitId": gid(small.grid.id)}
    refused = api.query(RESIDENTS, {"id": gid(small.grid.id)}, worker_token)
    assert [e["extensions"]["code"] for e in refused.errors] == ["FORBIDDEN"]

    granted = payload(
        api.query(GRANT, {"input": {**role, "role": "GRID_WORKER"}}, admin), "grantRole"
    )
    assert granted["errors"] == []
    assert granted["roleGrant"]["role"] == "GRID_WORKER"
    assert granted["roleGrant"]["person"] == {"id": gid(worker.id, "Person"), "name": "网格员"}
    assert granted["roleGrant"]["orgUnit"]["name"] == "第一网格"
    assert granted["roleGrant"]["grantedAt"].startswith("2026-11-23T09:30:00")
    assert refs(db, small.grid.id) == 2  # the resident and the grant
    # The grant takes effect on the next request.
    assert resident_ids(api, small.grid.id, worker_token) == [gid(worker.id, "Person")]
    grants = api.query(GRANTS, {"id": gid(small.grid.id)}, admin).data["orgUnit"]["roleGrants"]
    assert grants["nodes"] == [{"role": "GRID_WORKER", "person": {"id": gid(worker.id, "Person")}}]
    mine = api.query(PERSON, {"id": gid(worker.id, "Person")}, worker_token).data["person"]
    assert mine["roles"] == [{"role": "GRID_WORKER"}]

    again = payload(
        api.query(GRANT, {"input": {**role, "role": "GRID_WORKER"}}, admin), "grantRole"
    )
    assert problems(again) == [("ALREADY_EXISTS", "role")]
    other_role = payload(api.query(GRANT, {"input": {**role, "role": "STAFF"}}, admin), "grantRole")
    assert other_role["errors"] == []
    assert refs(db, small.grid.id) == 3

    archived = org_units.create_unit(
        db, small.root, clock, small.community.id, OrgKind.GRID, "旧网格"
    )
    org_units.archive_unit(db, small.root, clock, archived.id)
    person = gid(worker.id, "Person")
    cases: list[tuple[str | None, dict[str, Any], tuple[str, str | None]]] = [
        (admin, {"personId": gid("NOPE", "Person")}, ("NOT_FOUND", "personId")),
        (admin, {"personId": "garbage"}, ("INVALID_ID", "personId")),
        (admin, {"personId": gid(small.grid.id)}, ("INVALID_ID", "personId")),
        (admin, {"orgUnitId": gid("NOPE")}, ("NOT_FOUND", "orgUnitId")),
        (admin, {"orgUnitId": person}, ("INVALID_ID", "orgUnitId")),
        (admin, {"orgUnitId": gid(archived.id)}, ("ARCHIVED", "orgUnitId")),
        (token(small.other_admin_id), {}, ("FORBIDDEN", None)),
        (worker_token, {}, ("FORBIDDEN", None)),  # staff may read people, not manage them
        (None, {}, ("UNAUTHENTICATED", None)),
    ]
    for caller, fields, expected in cases:
        variables = {"input": {**role, "role": "LEADER", **fields}}
        result = payload(api.query(GRANT, variables, caller), "grantRole")
        assert result["roleGrant"] is None and problems(result) == [expected], (fields, result)
    assert refs(db, small.grid.id) == 3

    for caller, expected in (
        (token(small.other_admin_id), ("FORBIDDEN", None)),
        (worker_token, ("FORBIDDEN", None)),
        (None, ("UNAUTHENTICATED", None)),
    ):
        variables = {"input": {**role, "role": "GRID_WORKER"}}
        result = payload(api.query(REVOKE, variables, caller), "revokeRole")
        assert result["revoked"] is False and problems(result) == [expected]
    revoked = payload(
        api.query(REVOKE, {"input": {**role, "role": "GRID_WORKER"}}, admin), "revokeRole"
    )
    assert revoked == {"revoked": True, "errors": []}
    assert refs(db, small.grid.id) == 2
    for missing_role in ("GRID_WORKER", "LEADER"):
        missing = payload(
            api.query(REVOKE, {"input": {**role, "role": missing_role}}, admin), "revokeRole"
        )
        assert missing["revoked"] is False and problems(missing) == [("NOT_FOUND", "role")]
    unknown_unit = {"input": {**role, "orgUnitId": gid("NOPE"), "role": "STAFF"}}
    assert problems(payload(api.query(REVOKE, unknown_unit, admin), "revokeRole")) == [
        ("NOT_FOUND", "orgUnitId")
    ]
    # Still STAFF on the grid, so still reads its residents; after the last revoke, no more.
    assert resident_ids(api, small.grid.id, worker_token) == [gid(worker.id, "Person")]
    payload(api.query(REVOKE, {"input": {**role, "role": "STAFF"}}, admin), "revokeRole")
    refused = api.query(RESIDENTS, {"id": gid(small.grid.id)}, worker_token)
    assert [e["extensions"]["code"] for e in refused.errors] == ["FORBIDDEN"]
    assert refs(db, small.grid.id) == 1
    assert (
        list(RoleGrantItem.query(f"USER#{worker.id}", RoleGrantItem.sk.startswith("ROLE#"))) == []
    )


# --- setPartyBadge -------------------------------------------------------------------------


def test_party_badge(
    api: GraphQLClient, small: Small, token: Tokens, db: Db, clock: FixedClock
) -> None:
    member = people.register_person(
        db, small.root, clock, "党员甲", "13900003003", small.grid.id, True
    )
    other = people.register_person(
        db, small.root, clock, "群众乙", "13900003004", small.grid.id, False
    )
    public = "query($id: ID!) { person(id: $id) { name isPartyMember partyBadge } }"
    member_id = {"id": gid(member.id, "Person")}
    assert api.query(public, member_id).data["person"] == {
        "name": "党**",
        "isPartyMember": None,
        "partyBadge": False,
    }
    # Non-members cannot show a badge; anonymous callers cannot set anything.
    refused = payload(api.query(BADGE, {"show": True}, token(other.id)), "setPartyBadge")
    assert refused["person"] is None and problems(refused) == [("INVALID_INPUT", "show")]
    anonymous = payload(api.query(BADGE, {"show": True}), "setPartyBadge")
    assert problems(anonymous) == [("UNAUTHENTICATED", None)]
    other_public = api.query(public, {"id": gid(other.id, "Person")}).data["person"]
    assert other_public["partyBadge"] is False and other_public["isPartyMember"] is None

    shown = payload(api.query(BADGE, {"show": True}, token(member.id)), "setPartyBadge")
    assert shown["errors"] == []
    assert shown["person"] == {
        "id": gid(member.id, "Person"),
        "isPartyMember": True,
        "partyBadge": True,
    }
    assert api.query(public, member_id).data["person"] == {
        "name": "党**",  # the badge shows membership, not personal data
        "isPartyMember": True,
        "partyBadge": True,
    }
    hidden = payload(api.query(BADGE, {"show": False}, token(member.id)), "setPartyBadge")
    assert hidden["errors"] == [] and hidden["person"]["partyBadge"] is False
    assert api.query(public, member_id).data["person"]["isPartyMember"] is None
    # Hiding is always allowed, even for a non-member.
    assert (
        payload(api.query(BADGE, {"show": False}, token(other.id)), "setPartyBadge")["errors"] == []
    )


# --- viewer --------------------------------------------------------------------------------


def test_viewer(
    client: GraphQLClient, small: Small, token: Tokens, db: Db, clock: FixedClock
) -> None:
    anonymous = client.query(VIEWER)
    assert anonymous.status == 200 and not anonymous.errors
    assert anonymous.data["viewer"] is None

    resident = people.register_person(
        db, small.root, clock, "居民丙", "13900003005", small.grid.id, False
    )
    mine = client.query(VIEWER, token=token(resident.id)).data["viewer"]
    assert mine["person"]["id"] == gid(resident.id, "Person")
    assert mine["person"]["name"] == "居民丙" and mine["person"]["phone"] == "13900003005"
    assert mine["person"]["homeUnit"]["name"] == "第一网格"
    assert mine["roles"] == [] and mine["person"]["roles"] == []

    admin = client.query(VIEWER, token=token(small.admin_id)).data["viewer"]
    assert admin["person"]["name"] == "甲管理员"
    assert admin["roles"] == [{"role": "ADMIN", "orgUnit": {"name": "辽宁路街道"}}]
    assert admin["person"]["roles"] == [{"role": "ADMIN"}]


# --- races ---------------------------------------------------------------------------------

THREADS = 8


def race(actions: list[Callable[[], T]]) -> list[T | DomainError]:
    """Run the actions at once (a barrier releases them together); collect results or errors."""
    barrier = threading.Barrier(len(actions))
    results: list[T | DomainError | None] = [None] * len(actions)
    crashes: list[BaseException] = []

    def run(index: int, action: Callable[[], T]) -> None:
        barrier.wait()
        try:
            results[index] = action()
        except DomainError as error:
            results[index] = error
        except BaseException as error:  # pragma: no cover - reported below
            crashes.append(error)

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not crashes, crashes
    assert all(result is not None for result in results)
    return [result for result in results if result is not None]


def outcome(result: object) -> str:
    return result.code.value if isinstance(result, DomainError) else "OK"


def warm_up(db: Db) -> None:
    """Open every connection the racers use before they start (lazy creation is not the race
    under test)."""
    _ = db.connection.client
    for model in (OrgUnitItem, PersonItem, PhoneGuardItem, NameGuardItem, RoleGrantItem):
        model.count("WARM#UP", consistent_read=True)


@pytest.mark.usefixtures("serialised_moto")
def test_racing_registrations_of_one_phone_let_exactly_one_win(
    small: Small, db: Db, clock: FixedClock
) -> None:
    warm_up(db)
    phone = "13900009999"
    results = race(
        [
            partial(
                people.register_person,
                db,
                small.root,
                clock,
                f"抢号{i}",
                phone,
                small.grid.id,
                False,
            )
            for i in range(THREADS)
        ]
    )
    assert Counter(outcome(r) for r in results) == {"OK": 1, "ALREADY_EXISTS": THREADS - 1}
    winner = next(r for r in results if isinstance(r, PersonRecord))
    assert PhoneGuardItem.get(*phone_key(phone), consistent_read=True).person_id == winner.id
    assert refs(db, small.grid.id) == 1
    assert [p.id for p in PersonItem.scan(PersonItem.name.startswith("抢号"))] == [winner.id]


@pytest.mark.usefixtures("serialised_moto")
def test_racing_creates_of_one_sibling_name_let_exactly_one_win(
    small: Small, db: Db, clock: FixedClock
) -> None:
    warm_up(db)
    results = race(
        [
            lambda: org_units.create_unit(
                db, small.root, clock, small.community.id, OrgKind.GRID, "抢名网格"
            )
            for _ in range(THREADS)
        ]
    )
    assert Counter(outcome(r) for r in results) == {"OK": 1, "ALREADY_EXISTS": THREADS - 1}
    winner = next(r for r in results if isinstance(r, OrgUnitRecord))
    names = [unit.name for unit in OrgUnitItem.scan(OrgUnitItem.parent_id == small.community.id)]
    assert sorted(names) == ["抢名网格", "第一网格"]
    assert db.org_units.require(winner.id).name == "抢名网格"
    assert refs(db, small.community.id) == 2


@pytest.mark.usefixtures("serialised_moto")
def test_archive_racing_create_child_never_leaves_an_active_child_under_an_archived_parent(
    small: Small, db: Db, clock: FixedClock
) -> None:
    warm_up(db)
    seen: Counter[tuple[str, str]] = Counter()
    for round_number in range(6):
        parent = org_units.create_unit(
            db, small.root, clock, small.community.id, OrgKind.GRID, f"竞争网格{round_number}"
        )
        archive_result, create_result = race(
            [
                partial(org_units.archive_unit, db, small.root, clock, parent.id),
                partial(
                    org_units.create_unit,
                    db,
                    small.root,
                    clock,
                    parent.id,
                    OrgKind.BUILDING,
                    "1号楼",
                ),
            ]
        )
        pair = (outcome(archive_result), outcome(create_result))
        seen[pair] += 1
        # Exactly one wins. The loser is told why, or CONFLICT when DynamoDB cancelled its
        # transaction while the winner's was still in flight (TransactionConflict).
        assert pair in {
            ("OK", "ARCHIVED"),
            ("OK", "CONFLICT"),
            ("IN_USE", "OK"),
            ("CONFLICT", "OK"),
        }, pair
        stored = db.org_units.require(parent.id)
        children = [
            child
            for child in OrgUnitItem.scan(OrgUnitItem.parent_id == parent.id, consistent_read=True)
            if not child.archived
        ]
        if stored.archived:
            assert children == [] and stored.refs == 0
        else:
            assert [child.name for child in children] == ["1号楼"] and stored.refs == 1
    assert sum(seen.values()) == 6
