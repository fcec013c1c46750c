"""Benchmark of third-party access (prints figures, not a test):
``uv run python -m tests.bench.thirdparty``.

On DynamoDB Local (in memory, a free port), through the ASGI app in process:

1. added latency of API-key authentication and of the rate limiter per request: the same
   ``{ __typename }`` request as anonymous and with a key (median, p90, and the DynamoDB
   requests a keyed request adds, by operation);
2. Open311 ``POST requests.json`` → case created, end to end (median, p90, DynamoDB requests).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

from starlette.testclient import TestClient

from api.app import create_app
from api.domain.clock import SystemClock
from api.dynamodb_local import DynamoDBLocal, free_port
from api.services import api_clients
from api.services.actor import load_actor
from api.settings import Settings
from api.store.db import Db
from infra.local_table import ensure_table
from tests.requests import count_requests
from tests.world import build_world

N = int(os.environ.get("BENCH_THIRDPARTY_REQUESTS", "200"))
TYPENAME = '{"query": "{ __typename }"}'


def _timed(run: Callable[[], int], n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        status = run()
        times.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
    return times


def _line(label: str, times: list[float]) -> str:
    p90 = statistics.quantiles(times, n=10)[-1]
    return f"{label}: median {statistics.median(times):.2f} ms, p90 {p90:.2f} ms (n={len(times)})"


def main() -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    server = DynamoDBLocal(free_port()).start()
    try:
        settings = Settings(
            stage="local", table_name="dangqun-bench-thirdparty", dynamodb_host=server.endpoint
        )
        ensure_table(settings)
        db, clock = Db(settings), SystemClock()
        world = build_world(db, clock)
        admin = load_actor(db, world.district_admin_id)
        key = api_clients.register(
            db, admin, clock, name="bench", org_id=world.district.id,
            scopes=["cases:report", "cases:read"], rate_per_minute=api_clients.MAX_RATE_PER_MINUTE,
        ).key  # fmt: skip
        http = TestClient(create_app(settings, clock))
        plain = {"content-type": "application/json"}
        keyed = {**plain, "x-api-key": key}

        def anonymous() -> int:
            return int(http.post("/graphql", content=TYPENAME, headers=plain).status_code)

        def with_key() -> int:
            return int(http.post("/graphql", content=TYPENAME, headers=keyed).status_code)

        _timed(anonymous, 20), _timed(with_key, 20)  # warm up
        print("== third-party access on DynamoDB Local, ASGI app in process")
        base, auth = _timed(anonymous, N), _timed(with_key, N)
        print(_line("anonymous { __typename }", base))
        print(_line("with X-Api-Key (auth + rate limit)", auth))
        added = statistics.median(auth) - statistics.median(base)
        print(f"added by key auth + rate limiter: median {added:.2f} ms")
        with count_requests() as counts:
            with_key()
        print(f"DynamoDB requests per keyed request: {dict(counts)}")

        form = {
            "api_key": key,
            "service_code": "ENVIRONMENT",
            "description": "小区门口垃圾堆积",
            "attribute[location_unit_id]": world.a.building.id,
        }

        def open311_post() -> int:
            return int(http.post("/open311/v2/requests.json", data=form).status_code)

        posts = _timed(open311_post, max(N // 4, 20))
        print(_line("Open311 POST requests.json -> case created", posts))
        with count_requests() as counts:
            open311_post()
        print(f"DynamoDB requests per Open311 POST: {dict(counts)}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
