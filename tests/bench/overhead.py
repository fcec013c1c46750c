"""Warm request latency next to the time of its DynamoDB calls alone: ``make bench``.

The README's example operations (a grid's breadcrumb, children and details; a name search;
who am I; a case with its timeline) go through the Lambda entry point (Mangum, an HTTP API v2
event, a signed token) against DynamoDB Local on loopback, after a warm-up. "DynamoDB" is the
time spent inside PynamoDB's single API-call choke point (botocore serialisation, the HTTP
round trip, parsing); the rest is ours: Mangum, Strawberry (parse, validate, execute),
authentication, resolvers, item decoding.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.bench.coldstart import api_event

WARMUP = 20
REQUESTS = 100


@contextmanager
def dynamodb_timer() -> Iterator[list[float]]:
    from pynamodb.connection.base import Connection

    spent: list[float] = []
    original = Connection._make_api_call

    def timed(self: Any, operation_name: str, operation_kwargs: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(self, operation_name, operation_kwargs, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    Connection._make_api_call = timed  # type: ignore[method-assign]
    try:
        yield spent
    finally:
        Connection._make_api_call = original  # type: ignore[method-assign]


def bench_overhead() -> None:
    from mangum import Mangum

    from api.app import create_app
    from api.dev_issuer import DevIssuer
    from api.domain.cases import Channel
    from api.domain.clock import SHANGHAI, FixedClock
    from api.domain.ids import to_global_id
    from api.dynamodb_local import DynamoDBLocal, free_port
    from api.services.actor import load_actor
    from api.services.cases import ReportInput, report_case
    from api.settings import Settings
    from api.store.db import Db
    from api.warm import prepare_for_requests
    from infra.local_table import ensure_table
    from tests.world import build_world

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    server = DynamoDBLocal(free_port()).start()
    folder = Path(tempfile.mkdtemp(prefix="dangqun-overhead-"))
    try:
        issuer = DevIssuer(folder, issuer="dangqun-bench", audience="dangqun")
        issuer.ensure_keys()
        settings = Settings(
            stage="bench",
            table_name="dangqun-bench-overhead",
            dynamodb_host=server.endpoint,
            auth_issuer=issuer.issuer,
            auth_audience=issuer.audience,
            auth_jwks_file=str(issuer.jwks_file),
        )
        ensure_table(settings)
        db = Db(settings)
        clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))
        world = build_world(db, clock)
        case = report_case(
            db,
            load_actor(db, world.a.resident_id),
            clock,
            ReportInput(Channel.RESIDENT, "ENVIRONMENT", "楼道杂物", world.a.building.id),
        )
        app = create_app(settings, clock)
        handler = Mangum(app, lifespan="off")
        prepare_for_requests(app.graphql)
        grid = to_global_id("OrgUnit", world.a.grid.id)
        street = to_global_id("OrgUnit", world.a.street.id)
        operations = [
            (
                "a grid's breadcrumb, children, details",
                f'{{ orgUnit(id: "{grid}") {{ name ancestors {{ kind name }} '
                "children { edges { node { name } } } "
                "grid { stars fiveCriteriaMet serviceStation { name address } "
                "partyBranchSecretary { name phone } } } }",
                world.a.admin_id,
            ),
            (
                "grids by name prefix within a street",
                f'{{ searchOrgUnits(scopeId: "{street}", kind: GRID, namePrefix: "第") {{ '
                "edges { node { name ancestors { name } } } pageInfo { hasNextPage endCursor } } }",
                world.a.admin_id,
            ),
            (
                "who am I",
                "{ viewer { person { name phone partyBadge } roles { role orgUnit { name } } } }",
                world.a.staff_id,
            ),
            (
                "a case with its timeline",
                f'{{ case(id: "{to_global_id("Case", case.id)}") {{ code state level '
                "tasks { departmentName status } timeline { seq action at note } } }",
                world.a.admin_id,
            ),
        ]
        context = type("Context", (), {"aws_request_id": "bench"})()
        print(
            f"== warm requests through the Lambda entry point vs their DynamoDB calls alone "
            f"(DynamoDB Local; median of {REQUESTS} after {WARMUP} warm-up)"
        )
        for label, query, subject in operations:
            event = api_event({"query": query}, f"Bearer {issuer.mint(subject)}")
            totals: list[float] = []
            dynamodb: list[float] = []
            with dynamodb_timer() as spent:
                for number in range(WARMUP + REQUESTS):
                    spent.clear()
                    started = time.perf_counter()
                    response = handler(event, context)
                    elapsed = time.perf_counter() - started
                    if number == 0:
                        body = json.loads(response["body"])
                        assert not body.get("errors"), body
                    if number >= WARMUP:
                        totals.append(elapsed)
                        dynamodb.append(sum(spent))
            total_ms = statistics.median(totals) * 1000
            dynamodb_ms = statistics.median(dynamodb) * 1000
            print(
                f"   {label:40}: {total_ms:6.1f} ms / DynamoDB {dynamodb_ms:6.1f} ms"
                f" = {total_ms / dynamodb_ms:4.2f}x  (goal <= 1.3x)"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    bench_overhead()
