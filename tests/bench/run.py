"""Benchmarks that print figures (not pass/fail): ``make bench``.

1. Cold-start import time of ``functions.graphql`` next to strawberry + mangum + pynamodb alone,
   measured in the same run in fresh interpreters, alternating (goal ≤ 1.15×).
2. DynamoDB requests issued for "a grid with its ancestors and its children" (goal ≤ 2), counted
   at PynamoDB's single API-call choke point, on moto.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from tests.requests import count_requests

ROOT = Path(__file__).resolve().parents[2]
RUNS = 7

LIBRARIES = "import strawberry, mangum, pynamodb.models"
HANDLER = "import functions.graphql"


def _import_seconds(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    env = {**os.environ, "DANGQUN_TABLE_NAME": "bench", "PYTHONDONTWRITEBYTECODE": "0"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return float(out.stdout.strip())


def bench_imports() -> None:
    _import_seconds(HANDLER)  # warm the bytecode cache so both sides start equal
    libraries: list[float] = []
    handler: list[float] = []
    for _ in range(RUNS):
        libraries.append(_import_seconds(LIBRARIES))
        handler.append(_import_seconds(HANDLER))
    lib, han = statistics.median(libraries), statistics.median(handler)
    print(f"== cold-start import (median of {RUNS} fresh interpreters)")
    print(f"   strawberry + mangum + pynamodb alone : {lib * 1000:7.1f} ms")
    print(f"   functions.graphql (handler module)   : {han * 1000:7.1f} ms")
    print(f"   ratio                                : {han / lib:7.2f}x   (goal <= 1.15x)")


GRID_QUERY = """
query($id: ID!) { orgUnit(id: $id) { name kind ancestors { id kind name }
  children(first: 20) { edges { node { id name kind } } pageInfo { hasNextPage } } } }
"""


def bench_requests() -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    from moto import mock_aws

    from api.domain.clock import SHANGHAI, FixedClock
    from api.domain.ids import to_global_id
    from api.settings import Settings
    from api.store.db import Db
    from infra.local_table import ensure_table
    from schema.context import Context
    from schema.schema import schema
    from tests.world import build_world

    with mock_aws():
        settings = Settings(table_name="dangqun-bench")
        ensure_table(settings)
        db = Db(settings)
        clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))
        world = build_world(db, clock)
        variables = {"id": to_global_id("OrgUnit", world.a.grid.id)}
        print("== DynamoDB requests per operation (moto)")
        for label, subject in (("anonymous", None), ("signed in (grid worker)", world.a.staff_id)):
            context = Context(db=db, clock=clock, request_id="bench", subject=subject)
            with count_requests() as counts:
                result = asyncio.run(schema.execute(GRID_QUERY, variables, context_value=context))
            assert result.errors is None, result.errors
            total = sum(counts.values())
            print(
                f"   grid + ancestors + children, {label:24}: {total} ({dict(counts)})  goal <= 2"
            )
        print("   (a signed-in caller's grants are read only when a field needs them)")


CASE_QUERY = """
query($id: ID!) { case(id: $id) { code state level tasks { departmentName status }
  timeline { seq action fromState toState at note actorRole } } }
"""
INBOX_QUERY = """
query($unit: ID!) { caseInbox(unitId: $unit, first: 20) {
  edges { node { code state summary assigneeName dueAt } } pageInfo { hasNextPage } } }
"""


def bench_case_requests() -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    from moto import mock_aws

    from api.domain.cases import Action, Channel, HandlingMode, Level
    from api.domain.clock import SHANGHAI, FixedClock
    from api.domain.ids import to_global_id
    from api.services.actor import load_actor
    from api.services.cases import Act, Dispatch, ReportInput, act_on_case, report_case
    from api.settings import Settings
    from api.store.db import Db
    from infra.local_table import ensure_table
    from schema.context import Context
    from schema.schema import schema
    from tests.world import build_world

    with mock_aws():
        settings = Settings(table_name="dangqun-bench-cases")
        ensure_table(settings)
        db = Db(settings)
        clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))
        world = build_world(db, clock)
        resident, admin = load_actor(db, world.a.resident_id), load_actor(db, world.a.admin_id)
        worker = load_actor(db, world.a.staff_id)
        case_ids = []
        for number in range(21):
            report = ReportInput(
                Channel.RESIDENT, "ENVIRONMENT", f"楼道杂物 {number}", world.a.building.id
            )
            case = report_case(db, resident, clock, report)
            for actor, act in (
                (admin, Act(Action.ACCEPT, mode=HandlingMode.FAST, category="ENVIRONMENT")),
                (admin, Act(Action.ASSIGN, dispatch=Dispatch(Level.GRID))),
                (worker, Act(Action.START)),
                (worker, Act(Action.PAUSE, note="等待居民")),
                (worker, Act(Action.RESUME)),
                (worker, Act(Action.ESCALATE, note="网格无法解决")),
                (admin, Act(Action.START)),
                (admin, Act(Action.ESCALATE, note="社区无法解决")),
            ):
                if (
                    number > 0
                    and act.action is not Action.ACCEPT
                    and act.action is not Action.ASSIGN
                ):
                    break
                case = act_on_case(db, actor, clock, case.id, act)
            case_ids.append(case.id)
        print("== DynamoDB requests for cases (moto)")
        for label, query, variables, subject in (
            (
                "a case with its full timeline (9 events)",
                CASE_QUERY,
                {"id": to_global_id("Case", case_ids[0])},
                world.a.admin_id,
            ),
            (
                "an inbox page of 20 cases with assignee names",
                INBOX_QUERY,
                {"unit": to_global_id("OrgUnit", world.a.grid.id)},
                world.a.staff_id,
            ),
        ):
            context = Context(db=db, clock=clock, request_id="bench", subject=subject)
            with count_requests() as counts:
                result = asyncio.run(schema.execute(query, variables, context_value=context))
            assert result.errors is None, result.errors
            total = sum(counts.values())
            print(f"   {label:48}: {total} ({dict(counts)})")
        print("   goals: case + timeline = 1 query + 0 per event; inbox page <= 2")
        print("   (each signed-in request includes 1 Query for the caller's person and grants)")


def main() -> None:
    bench_imports()
    bench_requests()
    bench_case_requests()


if __name__ == "__main__":
    main()
