"""Two ``Db``s on two tables in one process each read and write their own table, interleaved.

Nothing is configured globally (``api.store.binding``): a repository call runs on its own Db's
table, even when the other Db was built later (the transitional fallback points at the most
recent one) and even when requests of both run at once in one event loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Iterator

import pytest

from api.domain.clock import FixedClock
from api.domain.org import OrgKind
from api.domain.roles import Role
from api.services import org_units, people, time_admin, time_rules
from api.services.actor import Actor, Grant, load_actor
from api.settings import Settings
from api.store.db import Db
from infra.local_table import delete_table, ensure_table
from schema.context import Context


@pytest.fixture
def second_settings(settings: Settings) -> Iterator[Settings]:
    other = dataclasses.replace(settings, table_name=f"dangqun-test-{uuid.uuid4().hex[:10]}")
    ensure_table(other)
    try:
        yield other
    finally:
        delete_table(other)


def root_of(district_id: str) -> Actor:
    return Actor(person_id="bootstrap", grants=(Grant(district_id, f"/{district_id}", Role.ADMIN),))


def test_two_dbs_read_and_write_their_own_tables_interleaved(
    settings: Settings, second_settings: Settings, clock: FixedClock
) -> None:
    first, second = Db(settings), Db(second_settings)  # second is the transitional default
    assert first.settings.table_name != second.settings.table_name
    # The same ids in both tables, different names: whatever a Db reads tells where it came from.
    org_units.bootstrap_unit(first, clock, "SB", OrgKind.DISTRICT, "市北区")
    org_units.bootstrap_unit(second, clock, "SB", OrgKind.DISTRICT, "市南区")
    root = root_of("SB")
    streets: dict[str, list[str]] = {"first": [], "second": []}
    for index in range(3):  # interleaved writes, one per Db in turn
        for label, db in (("second", second), ("first", first)):
            street = org_units.create_unit(
                db, root, clock, "SB", OrgKind.STREET, f"{label}街道{index}"
            )
            streets[label].append(street.id)
    # The same phone in both tables: each table's guard is its own.
    admin_first, admin_second = (
        people.register_person(db, root, clock, name, "13900009001", "SB", True)
        for db, name in ((first, "甲管理员"), (second, "乙管理员"))
    )
    people.grant_role(first, root, clock, admin_first.id, "SB", Role.ADMIN)
    people.grant_role(second, root, clock, admin_second.id, "SB", Role.STAFF)

    assert first.org_units.require("SB").name == "市北区"
    assert second.org_units.require("SB").name == "市南区"
    for label, db in (("first", first), ("second", second)):
        page = db.org_units.children("SB", 10, None)
        assert [edge.node.name for edge in page.edges] == [f"{label}街道{i}" for i in range(3)]
        assert sorted(db.org_units.get_many(streets["first"] + streets["second"])) == sorted(
            streets[label]
        )
        assert db.org_units.require("SB").refs == 3 + 2  # its own streets, resident and grant
    assert first.people.get(admin_second.id) is None and second.people.get(admin_first.id) is None
    assert [g.role for g in load_actor(first, admin_first.id).grant_records] == [Role.ADMIN]
    assert [g.role for g in load_actor(second, admin_second.id).grant_records] == [Role.STAFF]

    # The time policy and its per-process cache are per table too.
    district_admin = load_actor(first, admin_first.id)
    draft = time_rules.policy_in_force(first, "SB")
    saved = time_admin.update_policy(first, district_admin, clock, "SB", draft)
    assert saved.version == 2
    assert time_rules.policy_in_force(first, "SB").version == 2
    assert time_rules.policy_in_force(second, "SB").version == 1


def test_requests_on_two_dbs_run_at_once_in_one_event_loop(
    settings: Settings, second_settings: Settings, clock: FixedClock
) -> None:
    first, second = Db(settings), Db(second_settings)
    org_units.bootstrap_unit(first, clock, "SB", OrgKind.DISTRICT, "市北区")
    org_units.bootstrap_unit(second, clock, "SB", OrgKind.DISTRICT, "市南区")

    async def names(db: Db) -> list[str]:
        loaders = Context(db=db, clock=clock, request_id=db.settings.table_name).loaders
        found = []
        for _ in range(5):
            unit = await loaders.org_units.load("SB")
            assert unit is not None
            found.append(unit.name)
            loaders.org_units.clear("SB")
            await asyncio.sleep(0)  # let the other request run in between
        return found

    async def both() -> tuple[list[str], list[str]]:
        return await asyncio.gather(names(first), names(second))

    from_first, from_second = asyncio.run(both())
    assert from_first == ["市北区"] * 5 and from_second == ["市南区"] * 5
