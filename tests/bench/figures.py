"""Benchmark of the command-centre figures (prints figures, not a test):
``uv run python -m tests.bench.figures``.

On moto: the two-street case world plus 20 more streets (22 in all), a generated history of
``BENCH_FIGURES_CASES`` (default 300) cases through random lifecycles (``tests/truth_history``;
``BENCH_FIGURES_CASES=20000`` is the issue's full year, long on a small machine), then

1. the district's month with its 22 streets ranked: DynamoDB requests (by operation) and
   latency (mean / max over 20 calls of the service);
2. the district's 12-month trend: requests and latency;
3. recompute of every counter from the case events: events per second.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date, datetime

from moto import mock_aws

CASES = int(os.environ.get("BENCH_FIGURES_CASES", "300"))


def main() -> None:
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "bench"),
        ("AWS_SECRET_ACCESS_KEY", "bench"),
        ("AWS_DEFAULT_REGION", "ap-northeast-1"),
    ):
        os.environ.setdefault(name, value)
    from tests.moto_transactions import install

    install()  # transactions back up the keys they touch, not the whole table
    with mock_aws():
        run()


def run() -> None:
    from api.domain.clock import SHANGHAI, FixedClock
    from api.domain.figures import PeriodKind
    from api.domain.org import OrgKind
    from api.domain.roles import Role
    from api.services import org_units
    from api.services.actor import Actor, Grant, load_actor
    from api.services.counter_truth import recompute
    from api.services.unit_figures import ranking, trend
    from api.settings import Settings
    from api.store.db import Db
    from infra.local_table import ensure_table
    from tests.case_world import build_case_world
    from tests.requests import count_requests
    from tests.truth_history import generate
    from tests.world import build_world

    settings = Settings(table_name="bench-figures", dynamodb_host=None)
    ensure_table(settings)
    db = Db(settings)
    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))
    world = build_world(db, clock)
    cw = build_case_world(db, clock, world)
    root = Actor("bootstrap", grants=(Grant(world.district.id, world.district.path, Role.ADMIN),))
    for n in range(20):
        org_units.create_unit(db, root, clock, world.district.id, OrgKind.STREET, f"街道{n:02d}")
    started = time.perf_counter()
    generate(db, clock, cw, CASES, seed=14)
    print(f"== generated {CASES} cases in {time.perf_counter() - started:.1f} s")

    dispatcher = load_actor(db, cw.dispatcher_id)
    day = date(2026, 11, 23)
    for label, call in (
        ("district month, 22 streets ranked", lambda: ranking(db, dispatcher, world.district.id,
                                                              PeriodKind.MONTH, day)),
        ("district 12-month trend", lambda: trend(db, dispatcher, world.district.id,
                                                  PeriodKind.MONTH, day, 12)),
        ("district 8-week trend", lambda: trend(db, dispatcher, world.district.id,
                                                PeriodKind.WEEK, day, 8)),
    ):  # fmt: skip
        with count_requests() as counts:
            rows = call()
        times = []
        for _ in range(20):
            begin = time.perf_counter()
            call()
            times.append(time.perf_counter() - begin)
        size = len(rows) if isinstance(rows, list) else len(rows.entries)
        print(
            f"== {label}: {size} rows, requests {dict(counts)}, "
            f"latency mean {1000 * statistics.mean(times):.1f} ms, max {1000 * max(times):.1f} ms"
        )
    begin = time.perf_counter()
    truth = recompute(db)
    elapsed = time.perf_counter() - begin
    print(
        f"== recompute: {truth.events} events, {truth.items} counter items, "
        f"{len(truth.drifts)} drifts, {truth.events / elapsed:.0f} events/s ({elapsed:.2f} s)"
    )


if __name__ == "__main__":
    main()
