"""Gauges (state now) and watch lists of the command centre (issue 14) through GraphQL: backlog
by level and state, at risk and overdue as the sweeper's timers move them, the timing light,
the watch lists soonest due first, and the request budget of each query. Runs on either
backend."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from api.domain.clock import FixedClock
from api.services.counter_truth import recompute
from api.services.deadlines.sweep import sweep
from api.store.db import Db
from schema.node import item_id
from tests.case_world import CaseApi, unit_gid
from tests.requests import count_requests

GAUGES = """
query($unit: ID!) {
  unitGauges(unitId: $unit) {
    open overdue atRisk light byLevel { key count } byState { key count }
  }
}"""
WATCH = """
query($unit: ID!, $kind: WatchList!, $first: Int!, $after: String) {
  unitWatchList(unitId: $unit, kind: $kind, first: $first, after: $after) {
    edges { node { code category { code } state level holderName dueAt } }
    pageInfo { hasNextPage endCursor }
  }
}"""
RANKING = """
query($unit: ID!, $day: String!) {
  unitRanking(unitId: $unit, period: MONTH, day: $day) {
    entries { figures { unit { name } gauges { open overdue atRisk light } } }
  }
}"""


@pytest.fixture
def api(asgi_case_api: CaseApi) -> CaseApi:
    return asgi_case_api


def gauges(api: CaseApi, unit_id: str) -> dict[str, Any]:
    found: dict[str, Any] = api.data(GAUGES, {"unit": unit_gid(unit_id)}, api.cw.dispatcher_id)
    found["byLevel"] = {row["key"]: row["count"] for row in found["byLevel"] if row["count"]}
    found["byState"] = {row["key"]: row["count"] for row in found["byState"] if row["count"]}
    return found


def watch(api: CaseApi, unit_id: str, kind: str, first: int = 10) -> list[dict[str, Any]]:
    variables = {"unit": unit_gid(unit_id), "kind": kind, "first": first}
    page = api.data(WATCH, variables, api.cw.dispatcher_id)
    return [edge["node"] for edge in page["edges"]]


def deadline_of(db: Db, case: dict[str, Any]) -> tuple[datetime, datetime]:
    stored = db.cases.get(item_id(case["id"], "Case"))
    assert stored is not None and stored.deadline is not None
    assert stored.deadline.warn_at is not None and stored.deadline.due_at is not None
    return stored.deadline.warn_at, stored.deadline.due_at


def grid_case(api: CaseApi) -> dict[str, Any]:
    community = api.cw.community_dispatcher_id
    case = api.report()
    api.act("acceptCase", community, case, mode="ASSIGNED", category="HOUSING_SAFETY")
    return api.act("assignCase", community, case, level="GRID")


def unclaimed_department_case(api: CaseApi) -> dict[str, Any]:
    cw = api.cw
    case = api.report()
    api.act("acceptCase", cw.dispatcher_id, case, mode="ASSIGNED", category="HOUSING_SAFETY")
    return api.act(
        "assignCase", cw.dispatcher_id, case, level="DISTRICT",
        leadDepartmentId=unit_gid(cw.housing.id),
    )  # fmt: skip


def test_gauges_follow_the_case_where_it_is_held(api: CaseApi, db: Db, clock: FixedClock) -> None:
    cw, a = api.cw, api.cw.world.a
    case = api.report()
    # Before dispatch the community's intake holds it (with its street and district).
    for unit in (cw.district, a.street, a.community):
        held = gauges(api, unit.id)
        assert (held["open"], held["byLevel"], held["byState"]) == (
            1, {"INTAKE": 1}, {"REPORTED": 1},
        ), unit.name  # fmt: skip
        assert held["light"] == "GREEN"
    assert gauges(api, a.grid.id)["open"] == 0
    community = cw.community_dispatcher_id
    api.act("acceptCase", community, case, mode="ASSIGNED", category="HOUSING_SAFETY")
    api.act("assignCase", community, case, level="GRID")
    for unit in (cw.district, a.street, a.community, a.grid):
        held = gauges(api, unit.id)
        assert (held["byLevel"], held["byState"]) == ({"GRID": 1}, {"ASSIGNED": 1}), unit.name
    assert gauges(api, cw.world.b.street.id)["open"] == 0

    # The sweeper's warning at the at-risk point makes it at risk where it is held.
    warn_at, due_at = deadline_of(db, case)
    assert sweep(db, warn_at).fired == 1
    for unit in (cw.district, a.street, a.community, a.grid):
        held = gauges(api, unit.id)
        assert (held["atRisk"], held["overdue"], held["light"]) == (1, 0, "AMBER"), unit.name
    (entry,) = watch(api, a.street.id, "AT_RISK")
    assert entry["code"] == case["code"] and entry["holderName"] == a.grid.name
    assert entry["level"] == "GRID" and entry["category"]["code"] == "HOUSING_SAFETY"
    assert datetime.fromisoformat(entry["dueAt"]) == due_at
    assert watch(api, cw.world.b.street.id, "AT_RISK") == []

    # Signing for it starts a new (resolve) clock: no longer at risk.
    api.act("startCase", cw.grid_worker_id, case)
    assert gauges(api, a.grid.id)["atRisk"] == 0 and watch(api, a.grid.id, "AT_RISK") == []
    api.act("resolveCase", cw.grid_worker_id, case, result="已修补")
    assert gauges(api, a.street.id)["byState"] == {"RESOLVED": 1}
    api.act("evaluateCase", cw.resident_id, case, satisfaction="SATISFIED")
    assert gauges(api, a.grid.id)["byState"] == {"EVALUATED": 1}  # open until closed
    api.act("closeCase", community, case)
    for unit in (cw.district, a.street, a.community, a.grid):
        assert gauges(api, unit.id)["open"] == 0, unit.name
    assert recompute(db).drifts == ()


def test_a_missed_limit_makes_the_holders_red_and_lists_it_overdue(
    api: CaseApi, db: Db, clock: FixedClock
) -> None:
    cw = api.cw
    case = unclaimed_department_case(api)
    other = grid_case(api)
    _, claim_due = deadline_of(db, case)
    sweep(db, claim_due)  # the warning (if not yet) …
    sweep(db, claim_due)  # … then no department claimed in time: to the governance centre
    district, housing = gauges(api, cw.district.id), gauges(api, cw.housing.id)
    assert (district["overdue"], district["light"]) == (1, "RED")
    assert (housing["overdue"], housing["byLevel"]) == (1, {"DISTRICT": 1})
    assert (
        gauges(api, cw.world.a.street.id)["overdue"] == 0
    )  # the district holds it, not the street
    (entry,) = watch(api, cw.district.id, "OVERDUE")
    assert entry["code"] == case["code"] and entry["holderName"] == cw.housing.name
    assert datetime.fromisoformat(entry["dueAt"]) == claim_due
    assert [e["code"] for e in watch(api, cw.housing.id, "OVERDUE")] == [case["code"]]

    streets = api.data(
        RANKING, {"unit": unit_gid(cw.district.id), "day": "2026-11-23"}, cw.dispatcher_id
    )
    lights = {e["figures"]["unit"]["name"]: e["figures"]["gauges"] for e in streets["entries"]}
    street_a = lights[cw.world.a.street.name]
    assert street_a["open"] == 1 and street_a["light"] in ("GREEN", "AMBER")  # the grid case
    assert lights[cw.world.b.street.name]["light"] == "GREEN"
    assert other["code"] != case["code"]
    assert recompute(db).drifts == ()


def test_watch_lists_page_soonest_due_first(api: CaseApi, db: Db, clock: FixedClock) -> None:
    cases = []
    for _ in range(3):
        cases.append(grid_case(api))
        clock.advance(timedelta(minutes=1))
    latest_warning = max(deadline_of(db, case)[0] for case in cases)
    assert sweep(db, latest_warning).fired == 3
    grid = api.cw.world.a.grid.id
    variables: dict[str, Any] = {"unit": unit_gid(grid), "kind": "AT_RISK", "first": 2}
    first = api.data(WATCH, variables, api.cw.dispatcher_id)
    assert first["pageInfo"]["hasNextPage"] is True, first
    variables["after"] = first["pageInfo"]["endCursor"]
    second = api.data(WATCH, variables, api.cw.dispatcher_id)
    codes = [e["node"]["code"] for e in first["edges"] + second["edges"]]
    assert codes == [case["code"] for case in cases]  # reported (and due) in that order
    dues = [e["node"]["dueAt"] for e in first["edges"] + second["edges"]]
    assert dues == sorted(dues) and second["pageInfo"]["hasNextPage"] is False


def test_gauges_need_read_rights_in_scope(api: CaseApi) -> None:
    variables = {"unit": unit_gid(api.cw.district.id)}
    assert api.query_error(GAUGES, variables, api.cw.resident_id)[0] == "FORBIDDEN"
    watch_vars = {**variables, "kind": "OVERDUE", "first": 5}
    assert api.query_error(WATCH, watch_vars, api.cw.resident_id)[0] == "FORBIDDEN"


def requests_of(api: CaseApi, query: str, variables: dict[str, Any]) -> Counter[str]:
    with count_requests() as counts:
        api.data(query, variables, api.cw.dispatcher_id)
    return counts


def test_request_budget_of_gauges_and_watch_lists_never_depends_on_cases(
    api: CaseApi, db: Db
) -> None:
    district = unit_gid(api.cw.district.id)
    ranking = {"unit": district, "day": "2026-11-23"}
    budgets = []
    for cases in (1, 5):
        for _ in range(cases):
            case = grid_case(api)
        warn_at, _ = deadline_of(db, case)
        sweep(db, warn_at)
        budgets.append(
            (
                requests_of(api, GAUGES, {"unit": district}),
                requests_of(api, WATCH, {"unit": district, "kind": "AT_RISK", "first": 20}),
                requests_of(api, RANKING, ranking),
            )
        )
    assert budgets[0] == budgets[1]
    gauge_requests, watch_requests, rank_requests = budgets[0]
    # The caller with their grants (one Query) and the unit (one GetItem), then:
    # gauges: the gauge item (one GetItem);
    assert gauge_requests == Counter({"GetItem": 2, "Query": 1})
    # a watch-list page: one Query of the unit's list;
    assert watch_requests == Counter({"GetItem": 1, "Query": 2})
    # a ranking with its children's gauges: + one BatchGetItem of their gauge items.
    assert rank_requests == Counter({"GetItem": 1, "Query": 2, "BatchGetItem": 2})


def test_the_dashboards_own_query_runs_with_gauges_and_watch_lists(api: CaseApi, db: Db) -> None:
    """The page's GraphQL document (dashboard/dashboard.js), as it is, passes the query guard
    and serves the gauge tiles, the ranking's timing lights and both watch lists."""
    script = (Path(__file__).parents[2] / "dashboard" / "dashboard.js").read_text()
    document = script.split("const FIGURES = `", 1)[1].split("`;", 1)[0]
    case = grid_case(api)
    sweep(db, deadline_of(db, case)[0])
    variables = {"unit": unit_gid(api.cw.district.id), "period": "MONTH", "day": "2026-11-23"}
    response = api.query(document, variables, api.cw.dispatcher_id)
    assert not response.errors, response.body
    data = response.data
    assert data["unitFigures"]["gauges"]["light"] == "AMBER"
    assert [c["code"] for c in data["atRisk"]["nodes"]] == [case["code"]]
    assert data["overdue"]["nodes"] == []
    lights = {e["figures"]["unit"]["name"]: e["figures"]["gauges"]["light"]
              for e in data["unitRanking"]["entries"]}  # fmt: skip
    assert lights == {api.cw.world.a.street.name: "AMBER", api.cw.world.b.street.name: "GREEN"}


def test_a_moved_community_takes_its_open_cases_gauges_along(
    api: CaseApi, db: Db, clock: FixedClock
) -> None:
    """The gauges are the state now: when a community moves to another street, its open
    cases' contributions and watch entries leave the old street and reach the new one (the
    day counters stay where they were counted)."""
    from api.services import org_units
    from api.services.actor import load_actor

    cw, a, b = api.cw, api.cw.world.a, api.cw.world.b
    case = grid_case(api)
    warn_at, _ = deadline_of(db, case)
    assert sweep(db, warn_at).fired == 1  # at risk: a watch entry on each holder
    assert (gauges(api, a.street.id)["atRisk"], gauges(api, b.street.id)["open"]) == (1, 0)
    admin = load_actor(db, cw.world.district_admin_id)
    org_units.move_unit(db, admin, clock, a.community.id, b.street.id)
    street_a, street_b = gauges(api, a.street.id), gauges(api, b.street.id)
    assert (street_a["open"], street_a["atRisk"], street_a["light"]) == (0, 0, "GREEN")
    assert (street_b["open"], street_b["atRisk"], street_b["light"]) == (1, 1, "AMBER")
    assert street_b["byLevel"] == {"GRID": 1}
    assert gauges(api, cw.district.id)["open"] == 1  # the district held it all along
    assert watch(api, a.street.id, "AT_RISK") == []
    assert [entry["code"] for entry in watch(api, b.street.id, "AT_RISK")] == [case["code"]]
    assert recompute(db).drifts == ()
