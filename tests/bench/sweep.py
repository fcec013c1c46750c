"""Benchmark of the timer sweeper (prints figures, not a test):
``uv run python -m tests.bench.sweep``.

On DynamoDB Local (in memory, a free port): N open cases with a running clock — N from
``BENCH_OPEN_CASES``, default 100 000 — of which ``BENCH_DUE_CASES`` (default 100) are due at
the sweep: half owe their 80 % warning, half are past their deadline and escalate from the grid
to the community. The rows are minimal case items written directly with batch writes, each
with its entry in the sparse, sharded ``due`` index; the others fire days later.

Prints the time to write the dataset (and the rate), the items one sweep reads (goal ≤ 2 × due +
shards: the keys-only index entries that are due plus one consistent read per case), the
DynamoDB requests it issues, the fired count and the time per firing; then a second sweep at
the same moment (a duplicate invocation), which fires nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from api.domain.cases import CaseState, Channel, HandlingMode, Level
from api.domain.clock import SHANGHAI, FixedClock, iso
from api.domain.time_policy import DEFAULT_POLICY
from api.domain.timers import CaseClock, TimerKind, start_policy_clock
from api.domain.working_time import WorkCalendar
from api.dynamodb_local import DynamoDBLocal, free_port
from api.services.case_clock import store_clock
from api.settings import Settings
from api.store.case_models import DUE_SHARDS, CaseItem, case_key
from api.store.db import Db
from infra.local_table import ensure_table
from tests.requests import count_requests
from tests.world import World, build_world

OPEN_CASES = int(os.environ.get("BENCH_OPEN_CASES", "100000"))
DUE_CASES = int(os.environ.get("BENCH_DUE_CASES", "100"))
WRITERS = int(os.environ.get("BENCH_WRITERS", "8"))  # threads writing batches at once
CHUNK = 1000  # rows per writer task (the batch writer sends them 25 at a time)

# The sweep runs on Wednesday 25 November 2026 at 10:00 (Shanghai).
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
# RESPONSE clocks at the grid, 2 working hours (working day 08:30–12:00, 13:30–17:30):
BREACHED_START = NOW - timedelta(hours=18)  # Tue 16:00: due Wed 09:00, escalates
WARNING_START = NOW - timedelta(hours=16, minutes=50)  # Tue 17:10: warned 09:46, due 10:10
IDLE_START = NOW  # warned 11:36, due 12:00: nothing to do at 10:00


def _clock(start: datetime, calendar: WorkCalendar) -> CaseClock:
    from api.domain.cases import Case

    case = Case(
        state=CaseState.ASSIGNED,
        level=Level.GRID,
        mode=HandlingMode.ASSIGNED,
        category="ENVIRONMENT",
    )
    return start_policy_clock(
        DEFAULT_POLICY, calendar, case, Level.GRID, TimerKind.RESPONSE, start, generation=1
    )


def _row(number: int, clock: CaseClock, world: World) -> CaseItem:
    """A minimal open case assigned to street A's grid, with its clock and due entry."""
    case_id = f"bench{number:08d}"
    pk, sk = case_key(case_id)
    grid = world.a.grid
    at = iso(clock.started_at)
    item = CaseItem(
        pk,
        sk,
        id=case_id,
        code=f"SB2026-{number:06d}",
        state=CaseState.ASSIGNED.value,
        channel=Channel.RESIDENT.value,
        category="ENVIRONMENT",
        mode=HandlingMode.ASSIGNED.value,
        level=Level.GRID.value,
        assignee_id=grid.id,
        assignee_name=grid.name,
        description="楼道堆物挡住消防通道",
        location_unit_id=world.a.building.id,
        grid_id=grid.id,
        grid_path=grid.path,
        handler_names={grid.id: grid.name},
        levels=[
            {
                "level": "GRID",
                "assignee_id": grid.id,
                "entered_at": at,
                "left_at": None,
                "due_at": None,
                "met": None,
            }
        ],
        event_count=3,
        policy_version=1,
        reported_at=at,
        updated_at=at,
    )
    item.version = 1
    store_clock(item, clock)
    return item


def _write(client: Any, table: str, rows: list[CaseItem]) -> None:
    """BatchWriteItem, 25 rows a request, resending what DynamoDB left unprocessed. Straight on
    the botocore client: PynamoDB's batch writer halves the rate (~250 rows/s per thread)."""
    for start in range(0, len(rows), 25):
        pending: dict[str, Any] = {
            table: [{"PutRequest": {"Item": row.serialize()}} for row in rows[start : start + 25]]
        }
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def write_dataset(db: Db, world: World) -> tuple[float, dict[str, int]]:
    """Write OPEN_CASES rows (DUE_CASES of them due at NOW); seconds taken and the mix."""
    calendar = WorkCalendar()
    clocks = {
        "breach": _clock(BREACHED_START, calendar),
        "warning": _clock(WARNING_START, calendar),
        "idle": _clock(IDLE_START, calendar),
    }
    due = min(DUE_CASES, OPEN_CASES)
    spacing = max(1, OPEN_CASES // max(1, due))  # due cases spread over the id range

    def kind(number: int) -> str:
        if number % spacing == 0 and number // spacing < due:
            return "breach" if (number // spacing) % 2 == 0 else "warning"
        return "idle"

    mix = Counter(kind(n) for n in range(OPEN_CASES))

    def task(start: int) -> None:
        end = min(start + CHUNK, OPEN_CASES)
        rows = [_row(n, clocks[kind(n)], world) for n in range(start, end)]
        _write(client, db.settings.table_name, rows)

    client = db.connection.client
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        for done, _ in enumerate(pool.map(task, range(0, OPEN_CASES, CHUNK)), start=1):
            if done % 20 == 0:
                rows = min(done * CHUNK, OPEN_CASES)
                rate = rows / (time.perf_counter() - began)
                print(f"   ... {rows:>7} rows written ({rate:,.0f} rows/s)", flush=True)
    return time.perf_counter() - began, dict(mix)


def bench_sweep() -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    from api.services.escalation import sweep

    server = DynamoDBLocal(free_port()).start()
    try:
        settings = Settings(table_name="dangqun-bench-sweep", dynamodb_host=server.endpoint)
        ensure_table(settings)
        db = Db(settings)
        world = build_world(db, FixedClock(NOW - timedelta(days=7)))
        print(f"== timer sweep on DynamoDB Local: N = {OPEN_CASES} open cases, "
              f"{min(DUE_CASES, OPEN_CASES)} due, {DUE_SHARDS} shards")  # fmt: skip
        seconds, mix = write_dataset(db, world)
        print(
            f"   dataset written in {seconds:7.1f} s ({OPEN_CASES / seconds:,.0f} rows/s, "
            f"{WRITERS} writer threads, BatchWriteItem of 25): {mix}"
        )
        due = mix.get("breach", 0) + mix.get("warning", 0)
        results: list[tuple[str, Any, float, Counter[str]]] = []
        for label in ("sweep", "same sweep again (duplicate invocation)"):
            with count_requests() as counts:
                began = time.perf_counter()
                report = sweep(db, NOW)
                took = time.perf_counter() - began
            results.append((label, report, took, counts))
        goal = 2 * due + DUE_SHARDS
        for label, report, took, counts in results:
            per = f"{took / report.fired * 1000:6.1f} ms per firing" if report.fired else "-"
            print(f"   {label}:")
            print(
                f"      items read {report.items_read} (index entries {report.index_items_read}"
                f" + cases {report.cases_read})   goal <= 2 x due + shards = {goal}"
            )
            print(f"      fired {report.fired}, skipped {report.skipped}, in {took:.2f} s; {per}")
            print(f"      DynamoDB requests: {sum(counts.values())} {dict(sorted(counts.items()))}")
            if report.lateness_seconds:
                lateness = report.lateness_seconds
                print(
                    f"      lateness s: min {min(lateness):.0f}, "
                    f"median {statistics.median(lateness):.0f}, max {max(lateness):.0f}"
                )
        first = results[0][1]
        ok = first.items_read <= goal and first.fired == due and results[1][1].fired == 0
        print(f"   {'OK' if ok else 'NOT MET'}: one sweep read {first.items_read} items for "
              f"{first.fired} firings among {OPEN_CASES} open cases")  # fmt: skip
        if not ok:
            sys.exit(1)
    finally:
        server.stop()


def main() -> None:
    bench_sweep()


if __name__ == "__main__":
    main()
