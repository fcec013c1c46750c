"""Command-centre figures (issue 14) through GraphQL: a unit's figures per period, its
children's and the district's departments' 考核 rankings, trends, and the request budget of each
query (counted: it depends on the units and periods shown, never on the number of cases).
Runs on either backend."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from api.domain.clock import FixedClock
from tests.case_world import CaseApi, unit_gid
from tests.requests import count_requests

DAY = "2026-11-23"
FIGURES = """
query($unit: ID!, $period: FiguresPeriod!, $day: String!, $end: String) {
  unitFigures(unitId: $unit, period: $period, day: $day, end: $end) {
    start end received accepted resolved closed resolvedInGrid resolvedAtStreetOrBelow
    evaluated satisfied reopened resolutionRate onTimeRate inGridShare streetOrBelowShare
    satisfactionRate reworkRate averageWorkingHours averageNaturalHours
  }
}"""
RANKING = """
query($unit: ID!, $day: String!, $departments: Boolean!, $weights: String) {
  unitRanking(unitId: $unit, period: MONTH, day: $day, departments: $departments,
              weightsVersion: $weights) {
    weightsVersion start end
    entries { rank score volume resolution onTime noRework light
              figures { unit { name } received resolved } }
  }
}"""
TREND = """
query($unit: ID!, $period: FiguresPeriod!, $day: String!, $count: Int!) {
  unitTrend(unitId: $unit, period: $period, day: $day, count: $count) { start end received }
}"""


@pytest.fixture
def api(asgi_case_api: CaseApi) -> CaseApi:
    return asgi_case_api


def grid_case(api: CaseApi, clock: FixedClock, satisfied: bool = True) -> dict[str, Any]:
    """Reported, handled at street A's grid in 2 hours, evaluated and closed."""
    cw = api.cw
    community = cw.community_dispatcher_id
    case = api.report()
    api.act("acceptCase", community, case, mode="ASSIGNED", category="HOUSING_SAFETY")
    api.act("assignCase", community, case, level="GRID")
    api.act("startCase", cw.grid_worker_id, case)
    clock.advance(timedelta(hours=2))
    api.act("resolveCase", cw.grid_worker_id, case, result="已修补")
    if satisfied:
        api.act("evaluateCase", cw.resident_id, case, satisfaction="SATISFIED")
    else:
        api.act("evaluateCase", cw.resident_id, case, satisfaction="UNSATISFIED", comment="没修好")
    return case


def department_case(api: CaseApi) -> dict[str, Any]:
    """Reported and resolved by the housing department (a task at DISTRICT level)."""
    cw = api.cw
    case = api.report()
    api.act("acceptCase", cw.dispatcher_id, case, mode="ASSIGNED", category="HOUSING_SAFETY")
    api.act(
        "assignCase", cw.dispatcher_id, case, level="DISTRICT",
        leadDepartmentId=unit_gid(cw.housing.id),
    )  # fmt: skip
    housing = unit_gid(cw.housing.id)
    api.act("claimCase", cw.housing_staff_id, case, departmentId=housing)
    api.act("resolveCaseTask", cw.housing_staff_id, case, departmentId=housing, result="已加固")
    return case


def figures(api: CaseApi, unit_id: str, period: str, end: str | None = None) -> dict[str, Any]:
    variables = {"unit": unit_gid(unit_id), "period": period, "day": DAY, "end": end}
    result: dict[str, Any] = api.data(FIGURES, variables, api.cw.dispatcher_id)
    return result


def test_figures_of_units_and_departments_per_period(api: CaseApi, clock: FixedClock) -> None:
    cw = api.cw
    grid_case(api, clock)
    grid_case(api, clock, satisfied=False)
    department_case(api)
    api.report()  # received, not handled yet

    district = figures(api, cw.district.id, "MONTH")
    assert (district["start"], district["end"]) == ("2026-11-01", "2026-11-30")
    assert district["received"] == 4 and district["accepted"] == 3
    assert district["resolved"] == 3 and district["resolvedInGrid"] == 2
    assert district["resolvedAtStreetOrBelow"] == 2
    assert district["resolutionRate"] == pytest.approx(3 / 4)
    assert district["inGridShare"] == pytest.approx(2 / 3)
    assert district["streetOrBelowShare"] == pytest.approx(2 / 3)
    assert district["evaluated"] == 2 and district["satisfied"] == 1
    assert district["satisfactionRate"] == pytest.approx(0.5)
    assert district["reworkRate"] == 0 and district["reopened"] == 0
    # 2 h from report to resolution for each grid case, 0 for the department case (the clock
    # stands still): 4/3 h.
    assert district["averageNaturalHours"] == pytest.approx(round(4 / 3, 2))
    assert district["averageWorkingHours"] is not None

    # A day, a week, a custom range of days and a whole year agree on the same events.
    for period, end in (("DAY", None), ("WEEK", None), ("CUSTOM", "2026-11-30"), ("YEAR", None)):
        same = figures(api, cw.district.id, period, end)
        assert (same["received"], same["resolved"]) == (4, 3), period
    assert figures(api, cw.district.id, "WEEK")["start"] == "2026-11-23"  # a Monday
    street_b = figures(api, cw.world.b.street.id, "MONTH")
    assert street_b["received"] == 0 and street_b["resolutionRate"] is None

    housing = figures(api, cw.housing.id, "MONTH")
    assert (housing["received"], housing["resolved"]) == (1, 1)
    assert housing["resolutionRate"] == 1.0 and housing["resolvedInGrid"] == 0


def test_rankings_show_components_and_lights(api: CaseApi, clock: FixedClock) -> None:
    cw = api.cw
    grid_case(api, clock)
    department_case(api)
    variables = {"unit": unit_gid(cw.district.id), "day": DAY, "departments": False}
    streets = api.data(RANKING, variables, cw.dispatcher_id)
    assert streets["weightsVersion"] == "szcg-2026"
    names = [entry["figures"]["unit"]["name"] for entry in streets["entries"]]
    assert names[0] == cw.world.a.street.name and len(names) == 2
    first, last = streets["entries"]
    assert first["rank"] == 1 and first["volume"] == 1.0
    expected = 0.1 * first["volume"] + 0.3 * first["resolution"]
    expected += 0.3 * first["onTime"] + 0.3 * first["noRework"]
    assert first["score"] == pytest.approx(100 * expected, abs=0.01)
    assert last["figures"]["received"] == 0 and last["light"] == "NONE"
    assert last["score"] == pytest.approx(30.0)  # nothing reworked: only 1 − 返工率 scores

    variables["departments"] = True
    departments = api.data(RANKING, variables, cw.dispatcher_id)["entries"]
    assert [entry["figures"]["unit"]["name"] for entry in departments] == [
        cw.housing.name,
        cw.gardens.name,
    ]
    variables["weights"] = "no-such-weights"
    assert api.query_error(RANKING, variables, cw.dispatcher_id) == (
        "INVALID_INPUT",
        "weightsVersion",
    )


def test_figures_need_read_rights_in_scope(api: CaseApi) -> None:
    variables = {"unit": unit_gid(api.cw.district.id), "period": "MONTH", "day": DAY}
    assert api.query_error(FIGURES, variables, api.cw.resident_id)[0] == "FORBIDDEN"
    variables["period"] = "CUSTOM"
    assert api.query_error(FIGURES, variables, api.cw.dispatcher_id) == ("INVALID_INPUT", "end")


def requests_of(api: CaseApi, query: str, variables: dict[str, Any]) -> Counter[str]:
    with count_requests() as counts:
        api.data(query, variables, api.cw.dispatcher_id)
    return counts


def test_request_budget_depends_on_units_and_periods_never_on_cases(
    api: CaseApi, clock: FixedClock
) -> None:
    cw = api.cw
    ranking = {"unit": unit_gid(cw.district.id), "day": DAY, "departments": False}
    month_trend = {"unit": unit_gid(cw.district.id), "period": "MONTH", "day": DAY, "count": 12}
    week_trend = {"unit": unit_gid(cw.district.id), "period": "WEEK", "day": DAY, "count": 8}
    budgets = []
    for cases in (1, 6):
        for _ in range(cases):
            grid_case(api, clock)
        budgets.append(
            (
                requests_of(api, RANKING, ranking),
                requests_of(api, TREND, month_trend),
                requests_of(api, TREND, week_trend),
            )
        )
    assert budgets[0] == budgets[1]
    rank_requests, month_requests, week_requests = budgets[0]
    # Every request: the caller with their grants (one Query) and the unit (one GetItem).
    # Ranking: + the children (one Query page) + their month roll-ups (one BatchGetItem).
    assert rank_requests == Counter({"GetItem": 1, "Query": 2, "BatchGetItem": 1})
    # A year of months: + 12 month roll-ups in one BatchGetItem.
    assert month_requests == Counter({"GetItem": 1, "Query": 1, "BatchGetItem": 1})
    # Eight weeks: + the day items of the 8 weeks in one Query.
    assert week_requests == Counter({"GetItem": 1, "Query": 2})


RECOMPUTE = """
mutation($repair: Boolean!) {
  recomputeCounters(input: {repair: $repair}) {
    events items driftCount repaired errors { code }
  }
}"""


def test_the_admin_mutation_recomputes_the_counters(api: CaseApi, clock: FixedClock) -> None:
    grid_case(api, clock)
    admin = api.cw.world.district_admin_id
    result = api.data(RECOMPUTE, {"repair": True}, admin)
    assert result["errors"] == [] and result["driftCount"] == 0 and result["repaired"] == 0
    assert result["events"] == 4 and result["items"] > 0  # report, accept, resolve, evaluate
    refused = api.data(RECOMPUTE, {"repair": True}, api.cw.dispatcher_id)
    assert [error["code"] for error in refused["errors"]] == ["FORBIDDEN"]


TOP = """
query($unit: ID!, $period: FiguresPeriod!, $day: String!) {
  unitFigures(unitId: $unit, period: $period, day: $day) {
    topCategories { category { code name } reported }
  }
}"""


def test_top_categories_count_reports_per_category(api: CaseApi) -> None:
    for category in ("ENVIRONMENT", "HOUSING_SAFETY", "ENVIRONMENT"):
        api.report(category=category)
    for period in ("DAY", "MONTH"):  # day items and month roll-ups agree
        variables = {"unit": unit_gid(api.cw.district.id), "period": period, "day": DAY}
        top = api.data(TOP, variables, api.cw.dispatcher_id)["topCategories"]
        assert [(t["category"]["code"], t["reported"]) for t in top] == [
            ("ENVIRONMENT", 2),
            ("HOUSING_SAFETY", 1),
        ], period
        assert top[0]["category"]["name"] == "环境卫生"
    variables = {"unit": unit_gid(api.cw.world.b.street.id), "period": "MONTH", "day": DAY}
    assert api.data(TOP, variables, api.cw.dispatcher_id)["topCategories"] == []
