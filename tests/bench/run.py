"""Benchmarks that print figures (not pass/fail): ``make bench``.

1. Cold start the Lambda way, next to a hello-world handler (tests/bench/coldstart.py), and
   warm request latency vs DynamoDB's own time (tests/bench/overhead.py).
2. DynamoDB requests issued for "a grid with its ancestors and its children" (goal ≤ 2), counted
   at PynamoDB's single API-call choke point, on moto.
3. Requests for a case with its timeline, an inbox page, and ``cases(first: 10/50/100)`` with
   timeline, tasks and reporter (goal: constant in N), with their latency on moto.
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import datetime
from pathlib import Path

from tests.bench.coldstart import bench_cold_start
from tests.bench.overhead import bench_overhead
from tests.requests import count_requests

ROOT = Path(__file__).resolve().parents[2]
RUNS = 7


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
PAGE_QUERY = """
query($scope: ID!, $first: Int!) { cases(scopeId: $scope, first: $first) { nodes { code state
  reporter { name person { name } } tasks { departmentName timer { dueAt } }
  timeline { seq action actor { name } } } } }
"""
INBOX_QUERY = """
query($unit: ID!) { caseInbox(unitId: $unit, first: 20) {
  edges { node { code state summary assigneeName dueAt } } pageInfo { hasNextPage } } }
"""


def bench_case_requests() -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    from moto import mock_aws

    from api.domain import cases as machine
    from api.domain.cases import Action, Channel, HandlingMode, Level
    from api.domain.clock import SHANGHAI, FixedClock
    from api.domain.ids import to_global_id
    from api.services.actor import load_actor
    from api.services.cases import ReportInput, act_on_case, report_case
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
                (admin, machine.Accept(HandlingMode.FAST, "ENVIRONMENT")),
                (admin, machine.Assign(Level.GRID)),
                (worker, machine.Start()),
                (worker, machine.Pause("等待居民")),
                (worker, machine.Resume()),
                (worker, machine.Escalate("网格无法解决")),
                (admin, machine.Start()),
                (admin, machine.Escalate("社区无法解决")),
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
        print("   goals: case + timeline = 1 request + 0 per event; inbox page <= 2")
        print("   (each signed-in request includes 1 Query for the caller's person and grants)")
        for number in range(21, 100):
            report = ReportInput(
                Channel.RESIDENT, "ENVIRONMENT", f"楼道杂物 {number}", world.a.building.id
            )
            case = report_case(db, resident, clock, report)
            act_on_case(db, admin, clock, case.id, machine.Accept(HandlingMode.FAST, "ENVIRONMENT"))
        print("== cases(first: N) with timeline, tasks and reporter (moto; goal: constant in N)")
        for first in (10, 50, 100):
            page_variables = {"scope": to_global_id("OrgUnit", world.a.street.id), "first": first}
            context = Context(db=db, clock=clock, request_id="bench", subject=world.a.admin_id)
            started = time.perf_counter()
            with count_requests() as counts:
                result = asyncio.run(
                    schema.execute(PAGE_QUERY, page_variables, context_value=context)
                )
            elapsed = time.perf_counter() - started
            assert result.errors is None, result.errors
            total = sum(counts.values())
            print(
                f"   first: {first:3}: {total} requests ({dict(counts)}), {elapsed * 1000:.0f} ms"
            )


def main() -> None:
    bench_cold_start()
    bench_overhead()
    bench_requests()
    bench_case_requests()


if __name__ == "__main__":
    main()
