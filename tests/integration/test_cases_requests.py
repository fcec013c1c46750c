"""A page of cases costs a constant number of DynamoDB requests, whatever its size: the
timeline is copied on the case item, departments' deadlines, people and places come through
per-request DataLoaders (BatchGetItem of up to 100 keys). Runs on either backend."""

from __future__ import annotations

from collections import Counter

from api.domain import cases as machine
from api.domain.cases import Channel, HandlingMode, Level
from api.domain.clock import FixedClock
from api.services.actor import load_actor
from api.services.cases import ReportInput, act_on_case, report_case
from api.store.db import Db
from tests.case_world import CaseApi, CaseWorld, unit_gid
from tests.requests import count_requests

PAGE = """
query($scope: ID!) {
  cases(scopeId: $scope, first: 100) {
    nodes {
      code state
      reporter { name person { name } }
      timeline { seq action actor { name } }
      tasks { departmentName role timer { kind dueAt } breached }
      location { name } grid { name }
    }
  }
}
"""


def open_cases(db: Db, clock: FixedClock, cw: CaseWorld, count: int) -> None:
    """``count`` cases: every third a joint case (联办) at DISTRICT with a supporting
    department (its own deadline), the others at the grid."""
    resident = load_actor(db, cw.resident_id)
    dispatcher = load_actor(db, cw.dispatcher_id)
    for number in range(count):
        data = ReportInput(
            Channel.RESIDENT, "ENVIRONMENT", f"楼道堆物 {number}", cw.world.a.building.id
        )
        case = report_case(db, resident, clock, data)
        joint = number % 3 == 0
        mode = HandlingMode.JOINT if joint else HandlingMode.ASSIGNED
        act_on_case(db, dispatcher, clock, case.id, machine.Accept(mode, "ENVIRONMENT"))
        dispatch = (
            machine.Assign(Level.DISTRICT, lead_department=cw.housing.id,
                           supporting_departments=(cw.gardens.id,))
            if joint else machine.Assign(Level.GRID)
        )  # fmt: skip
        act_on_case(db, dispatcher, clock, case.id, dispatch)


def page_requests(api: CaseApi, expected: int) -> Counter[str]:
    with count_requests() as counts:
        page = api.data(PAGE, {"scope": unit_gid(api.cw.district.id)}, api.cw.dispatcher_id)
    nodes = page["nodes"]
    assert len(nodes) == expected
    assert all(len(node["timeline"]) == 3 for node in nodes)
    assert all(node["reporter"]["person"]["name"] for node in nodes)
    joint = [node for node in nodes if node["tasks"]]
    assert len(joint) == (expected + 2) // 3
    assert all(
        task["timer"] for node in joint for task in node["tasks"] if task["role"] == "SUPPORT"
    )
    return counts


def test_a_page_of_cases_costs_the_same_requests_for_3_and_30(
    db: Db, clock: FixedClock, case_world: CaseWorld, asgi_case_api: CaseApi
) -> None:
    open_cases(db, clock, case_world, 3)
    small = page_requests(asgi_case_api, 3)
    open_cases(db, clock, case_world, 27)
    large = page_requests(asgi_case_api, 30)
    assert small == large, (small, large)
    # The caller (1 Query), the scope unit (1 GetItem), the page (1 Query), then one
    # BatchGetItem each for the people, the places and the supporting departments' deadlines:
    # nothing per case.
    assert small == Counter({"Query": 2, "GetItem": 1, "BatchGetItem": 3}), small


def test_one_case_with_its_timeline_is_one_request(
    db: Db, clock: FixedClock, case_world: CaseWorld, asgi_case_api: CaseApi
) -> None:
    open_cases(db, clock, case_world, 1)
    case = db.cases.reported_by(case_world.resident_id, 1, None).edges[0].node
    with count_requests() as counts:
        found = db.cases.get(case.id)
    assert found is not None and [e.action for e in found.timeline] == [
        "REPORT", "ACCEPT", "ASSIGN"
    ]  # fmt: skip
    assert counts == Counter({"GetItem": 1})
