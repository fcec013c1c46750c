"""The case world as the cast of the civic history (infra/demo_civic.py): topics in both
streets' grids and in street A's community, projects of both communities and of street A's
grid, claimed by partners of the district directory and of each street's sub-directory.

Votes need an electorate: five more residents are registered in each street's grid, beside the
world's resident and grid worker. Two partners act through representatives (registered at the
district, so that they vote nowhere); the street partners act through their street's admin (a
claim recorded at a meeting). A street partner claiming the other street's project is refused
(the walk goes on).
"""

from __future__ import annotations

from api.domain.clock import Clock
from api.services import people
from api.store.db import Db
from infra.demo_civic import CivicCast, Claimant, Forum, Publisher
from tests.case_world import CaseWorld
from tests.partner_world import make_partner, root_actor
from tests.world import Street

VOTERS_PER_GRID = 5
NAMES = ("张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴")


def civic_cast_of(db: Db, clock: Clock, cw: CaseWorld) -> CivicCast:
    world = cw.world
    root = root_actor(world)
    phones = iter(range(13940000001, 13940000100))

    def register(name: str, home_id: str) -> str:
        return people.register_person(db, root, clock, name, str(next(phones)), home_id, False).id

    def residents(street: Street, tag: str) -> tuple[str, ...]:
        homes = (street.unit_household.id, street.building.id)
        added = tuple(
            register(f"{tag}{NAMES[i]}居民", homes[i % 2]) for i in range(VOTERS_PER_GRID)
        )
        return (street.resident_id, street.staff_id, *added)

    a, b = world.a, world.b
    in_a, in_b = residents(a, "甲"), residents(b, "乙")
    forums = (
        Forum(a.grid.id, a.staff_id, in_a, 1.0),
        Forum(b.grid.id, b.staff_id, in_b, 1.0),
        # The community's topics: its dispatcher (STAFF there) guides, its grid's people vote.
        Forum(a.community.id, cw.community_dispatcher_id, in_a, 0.4, a.building.id),
    )
    publishers = (
        Publisher(a.community.id, cw.community_dispatcher_id, 1.0),
        Publisher(b.community.id, b.admin_id, 1.0),
        Publisher(a.grid.id, a.admin_id, 0.5),
    )
    power_rep = register("供电联络员", world.district.id)
    bank_rep = register("银行联络员", world.district.id)
    power = make_partner(db, clock, world, world.district, "国网青岛供电公司",
                         representatives=(power_rep,))  # fmt: skip
    bank = make_partner(db, clock, world, b.street, "青岛银行大港支行",
                        representatives=(bank_rep,))  # fmt: skip
    shop = make_partner(db, clock, world, a.street, "无棣路便民超市")
    police = make_partner(db, clock, world, b.street, "大港派出所")
    claimants = (
        Claimant(power.id, power_rep),
        Claimant(bank.id, bank_rep),
        Claimant(shop.id, a.admin_id),
        Claimant(police.id, b.admin_id),
    )
    return CivicCast(forums, publishers, claimants, world.district_admin_id)
