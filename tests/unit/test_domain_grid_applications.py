"""Who decides an application to live in a grid (入格申请), as a table."""

from __future__ import annotations

import pytest

from api.domain.grid_applications import Holding, may_decide, may_list
from api.domain.org import OrgKind
from api.domain.roles import Role

GRID, GRID_PATH, COMMUNITY = "G1", "/SB/ST01/C1/G1", "C1"


def held(role: Role, org_id: str, path: str) -> Holding:
    return Holding(role, org_id, path)


@pytest.mark.parametrize(
    ("holding", "decides"),
    [
        (held(Role.ADMIN, "SB", "/SB"), True),  # ADMIN anywhere above
        (held(Role.ADMIN, "ST02", "/SB/ST02"), False),  # ADMIN of another street
        (held(Role.SECRETARY, COMMUNITY, "/SB/ST01/C1"), True),
        (held(Role.STAFF, COMMUNITY, "/SB/ST01/C1"), True),
        (held(Role.GRID_WORKER, COMMUNITY, "/SB/ST01/C1"), False),
        (held(Role.STAFF, "ST01", "/SB/ST01"), False),  # street staff: not the community
        (held(Role.GRID_WORKER, GRID, GRID_PATH), True),
        (held(Role.SECRETARY, GRID, GRID_PATH), True),
        (held(Role.INSTRUCTOR, GRID, GRID_PATH), False),
        (held(Role.GRID_WORKER, "G2", "/SB/ST01/C1/G2"), False),  # another grid's worker
        (held(Role.LEADER, "SB", "/SB"), False),
    ],
)
def test_who_decides(holding: Holding, decides: bool) -> None:
    got = may_decide([holding], GRID, GRID_PATH, COMMUNITY, applicant_id="P1", decider_id="P2")
    assert got is decides


def test_nobody_decides_their_own_application() -> None:
    admin = [held(Role.ADMIN, "SB", "/SB")]
    assert not may_decide(admin, GRID, GRID_PATH, COMMUNITY, applicant_id="P1", decider_id="P1")
    assert not may_decide(admin, GRID, GRID_PATH, COMMUNITY, applicant_id="P1", decider_id=None)


def test_the_queue_is_listed_by_those_who_decide_there() -> None:
    worker = [held(Role.GRID_WORKER, GRID, GRID_PATH)]
    assert may_list(worker, GRID, GRID_PATH, OrgKind.GRID)
    assert not may_list(worker, COMMUNITY, "/SB/ST01/C1", OrgKind.COMMUNITY)
    staff = [held(Role.STAFF, COMMUNITY, "/SB/ST01/C1")]
    assert may_list(staff, COMMUNITY, "/SB/ST01/C1", OrgKind.COMMUNITY)
    assert may_list(staff, GRID, GRID_PATH, OrgKind.GRID, COMMUNITY)  # its grids' queues too
    other = [held(Role.STAFF, "C2", "/SB/ST01/C2")]
    assert not may_list(other, GRID, GRID_PATH, OrgKind.GRID, COMMUNITY)
