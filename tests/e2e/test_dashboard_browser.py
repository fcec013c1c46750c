"""The command-centre page (``/dashboard``) in a real browser: headless Chromium (Debian's
``chromium``, installed by ``make browser``) driven by playwright-core from
``tests/e2e/dashboard_browser.mjs``, against the real ASGI app served by uvicorn on a loopback
port over the test backend (moto or DynamoDB Local).

The page must show what GraphQL answers — the district's figures and its streets' 考核 ranking
in order — drill down to a street on a click (breadcrumb and the street's figures), go back up,
and refresh on its own: a case reported through GraphQL while the page is open shows in the
受理 tile within the refresh period. The screenshot is kept as a test artefact:
``build/test-artifacts/dashboard.png`` (git-ignored; its path is printed)."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from api.app import create_app
from api.dashboard import with_dashboard
from api.domain import cases as machine
from api.domain.cases import Channel, HandlingMode, Level, Satisfaction
from api.domain.clock import FixedClock
from api.local_process import free_port
from api.services.actor import load_actor
from api.services.cases import ReportInput, act_on_case, report_case
from api.settings import Settings
from api.store.db import Db
from tests.case_world import CaseWorld, build_case_world, unit_gid
from tests.conftest import Tokens
from tests.graphql_client import AsgiClient
from tests.world import Street, World

DAY = "2026-11-23"  # the clock fixture's day: the page is asked for its month
SCRIPT = Path(__file__).with_name("dashboard_browser.mjs")
FIGURES = """
query($unit: ID!, $day: String!) {
  unitFigures(unitId: $unit, period: MONTH, day: $day) {
    unit { name } received accepted resolved closed resolutionRate onTimeRate inGridShare
    streetOrBelowShare satisfactionRate reworkRate averageWorkingHours }
  unitRanking(unitId: $unit, period: MONTH, day: $day) {
    entries { rank score light figures { unit { name } received resolutionRate onTimeRate
      reworkRate } } }
}"""
# Tile label on the page → field of unitFigures.
TILES = {
    "受理": "received", "立案": "accepted", "办结": "resolved", "结案": "closed",
    "办结率": "resolutionRate", "按期办结率": "onTimeRate", "网格内解决率": "inGridShare",
    "街道及以下解决率": "streetOrBelowShare", "满意率": "satisfactionRate", "返工率": "reworkRate",
    "平均处置(工作小时)": "averageWorkingHours",
}  # fmt: skip
REPORT = """
mutation($input: ReportCaseInput!) {
  reportCase(input: $input) { case { id } errors { code message } }
}"""


@pytest.fixture
def case_world(db: Db, clock: FixedClock, world: World) -> CaseWorld:
    return build_case_world(db, clock, world)


@pytest.fixture
def server(settings: Settings, clock: FixedClock) -> Iterator[str]:
    """The local server's app (dashboard + GraphQL) on a loopback port; its base URL. A thread
    of this process, so that moto's in-process backend serves it too."""
    port = free_port()
    config = uvicorn.Config(
        with_dashboard(create_app(settings, clock)), host="127.0.0.1", port=port,
        log_level="warning", lifespan="off",
    )  # fmt: skip
    uv_server = uvicorn.Server(config)
    thread = threading.Thread(target=uv_server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if uv_server.started:
            break
        thread.join(0.05)
    assert uv_server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv_server.should_exit = True
        thread.join(10)


def handled_case(db: Db, clock: FixedClock, cw: CaseWorld, street: Street, outcome: str) -> None:
    """A case in ``street``: accepted by the governance centre, dispatched to the grid, and
    then left open (``open``), resolved (``resolved``) or resolved, evaluated unsatisfied and
    reopened (``reworked``)."""
    data = ReportInput(Channel.RESIDENT, "ENVIRONMENT", "楼道堆放杂物", street.building.id)
    case = report_case(db, load_actor(db, street.resident_id), clock, data)
    centre, worker = load_actor(db, cw.dispatcher_id), load_actor(db, street.staff_id)
    steps: list[tuple[Any, machine.Command]] = [
        (centre, machine.Accept(HandlingMode.ASSIGNED, "ENVIRONMENT")),
        (centre, machine.Assign(Level.GRID)),
        (worker, machine.Start()),
    ]
    if outcome in ("resolved", "reworked"):
        steps.append((worker, machine.Resolve("已清理")))
    if outcome == "reworked":
        resident = load_actor(db, street.resident_id)
        steps += [
            (resident, machine.Evaluate(Satisfaction.UNSATISFIED, "没清干净")),
            (centre, machine.Reopen("复核未通过")),
        ]
    for actor, command in steps:
        clock.advance(timedelta(minutes=20))
        case = act_on_case(db, actor, clock, case.id, command)


def numeric(shown: str) -> float | None:
    """A figure as the page shows it: ``12``, ``66.7 %`` (as a fraction), ``1.33`` or ``–``."""
    if shown == "–":
        return None
    if shown.endswith("%"):
        return float(shown.removesuffix("%")) / 100
    return float(shown)


def assert_shows(tiles: dict[str, str], figures: dict[str, Any]) -> None:
    """The page's tiles equal GraphQL's figures (rates to the 0.1 % the page shows)."""
    for label, name in TILES.items():
        shown, want = numeric(tiles[label]), figures[name]
        if want is None or shown is None:
            assert shown == want, (label, tiles[label], want)
        else:
            assert shown == pytest.approx(want, abs=0.0005 + 1e-9), (label, tiles[label], want)


def assert_ranks(rows: list[dict[str, str]], ranking: dict[str, Any]) -> None:
    """The page's ranking rows are GraphQL's entries, in the same order, with their figures."""
    entries = ranking["entries"]
    assert [row["单位"] for row in rows] == [e["figures"]["unit"]["name"] for e in entries]
    for row, entry in zip(rows, entries, strict=True):
        assert int(row["名次"]) == entry["rank"]
        assert float(row["得分"]) == pytest.approx(entry["score"], abs=0.05 + 1e-9)
        assert int(row["受理"]) == entry["figures"]["received"]
        for label, name in (("办结率", "resolutionRate"), ("按期办结率", "onTimeRate")):
            shown, want = numeric(row[label]), entry["figures"][name]
            assert shown == (None if want is None else pytest.approx(want, abs=0.0005 + 1e-9))
        assert entry["light"] in row["灯"].split()  # the light's CSS class


def test_dashboard_in_a_real_browser(
    db: Db,
    clock: FixedClock,
    case_world: CaseWorld,
    token: Tokens,
    server: str,
    settings: Settings,
    project_root: Path,
) -> None:
    cw, world = case_world, case_world.world
    for outcome in ("resolved", "resolved", "reworked", "open"):
        handled_case(db, clock, cw, world.a, outcome)
    for outcome in ("resolved", "open"):
        handled_case(db, clock, cw, world.b, outcome)
    dispatcher = token(cw.dispatcher_id)
    graphql = AsgiClient(create_app(settings, clock))

    def answer(unit_id: str) -> dict[str, Any]:
        response = graphql.query(FIGURES, {"unit": unit_gid(unit_id), "day": DAY}, dispatcher)
        assert not response.errors, response.body
        return response.data

    district = answer(cw.district.id)
    street_a = answer(world.a.street.id)
    assert district["unitFigures"]["received"] == 6  # the seeded world, as GraphQL counts it

    artefacts = project_root / "build" / "test-artifacts"
    artefacts.mkdir(parents=True, exist_ok=True)
    screenshot = artefacts / "dashboard.png"
    screenshot.unlink(missing_ok=True)
    new_case = {
        "channel": "RESIDENT",
        "category": "PARKING",
        "description": "消防通道被占用",
        "locationUnitId": unit_gid(world.b.building.id),
    }
    config = {
        "url": f"{server}/dashboard/?unit={unit_gid(cw.district.id)}&token={dispatcher}"
        f"&day={DAY}&every=1",
        "screenshot": str(screenshot),
        "drill": world.a.street.name,
        "change": {
            "api": f"{server}/graphql",
            "token": token(world.b.resident_id),
            "query": REPORT,
            "variables": {"input": new_case},
        },
        "timeoutMs": 30_000,
    }
    run = subprocess.run(
        ["node", str(SCRIPT), json.dumps(config)],
        cwd=project_root, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    seen = json.loads(run.stdout)
    assert seen["problems"] == [], seen["problems"]  # no script error on the page
    print(f"\ndashboard screenshot: {screenshot}")

    # The district: its figures and its streets ranked, as GraphQL answers them.
    top = seen["top"]
    assert top["crumbs"] == [cw.district.name]
    assert top["title"].startswith(f"{cw.district.name} 2026-11-01 – 2026-11-30")
    assert_shows(top["figures"], district["unitFigures"])
    assert_ranks(top["ranking"], district["unitRanking"])
    assert len(top["ranking"]) == 2

    # A click on street A's row: the breadcrumb grows, the street's own figures and ranking.
    drilled = seen["drilled"]
    assert drilled["crumbs"] == [cw.district.name, world.a.street.name]
    assert_shows(drilled["figures"], street_a["unitFigures"])
    assert_ranks(drilled["ranking"], street_a["unitRanking"])
    assert [row["单位"] for row in drilled["ranking"]] == [world.a.community.name]
    # …and back up to the district with the breadcrumb.
    assert seen["back"]["crumbs"] == [cw.district.name]
    assert_shows(seen["back"]["figures"], district["unitFigures"])

    # A report through GraphQL while the page is open: the 受理 tile follows on its own.
    assert seen["changeAnswer"]["data"]["reportCase"]["errors"] == []
    refreshed = seen["refreshed"]
    assert (refreshed["before"], refreshed["view"]["figures"]["受理"]) == ("6", "7")
    assert refreshed["waitedMs"] < 15_000
    after = answer(cw.district.id)
    assert after["unitFigures"]["received"] == 7
    assert_shows(refreshed["view"]["figures"], after["unitFigures"])

    assert screenshot.stat().st_size > 10_000  # a rendered page, not an empty canvas
