"""Benchmarks of red partners that print figures (not pass/fail): ``make bench``.

1. Claims per second under the seeds' contention: 30 partners on 30 threads claim among the
   120 projects of 青海路社区 (capacities 1-3) at once, on DynamoDB Local.
2. DynamoDB requests for a community's three lists (资源清单, 需求清单, 项目清单) through
   GraphQL, counted at PynamoDB's API-call choke point (goal ≤ 3).
3. Requests and latency for a partners page with ``resources`` and a projects page with
   ``claims``, 3 / 10 / 30 items (goal: constant in the page length).
"""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

PARTNERS, PROJECTS, CLAIMS_EACH = 30, 120, 10

PAGES = {
    "partners with resources": (
        "query($id: ID!, $first: Int!) { partners(directoryUnitId: $id, first: $first) "
        "{ nodes { name resources { category } } } }"
    ),
    "open projects with claims": (
        "query($id: ID!, $first: Int!) { openPartnerProjects(gridId: $id, first: $first) "
        "{ nodes { title claims { partnerName status } } } }"
    ),
}

LISTS_QUERY = """
query($id: ID!) { communityPartnerLists(communityId: $id) {
  resources { partnerName category description }
  needs { title category quantity }
  projects { title state capacity claimed slotsLeft } } }
"""


def main() -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-northeast-1")
    from api.domain.clock import SHANGHAI, FixedClock
    from api.domain.errors import DomainError
    from api.domain.ids import to_global_id
    from api.dynamodb_local import DynamoDBLocal, free_port
    from api.services import partner_projects
    from api.settings import Settings
    from api.store.db import Db
    from infra.local_table import ensure_table
    from schema.context import Context
    from schema.schema import schema
    from tests.partner_world import make_partner, make_project, root_actor
    from tests.requests import count_requests
    from tests.world import build_world

    server = DynamoDBLocal(free_port()).start()
    try:
        settings = Settings(table_name="dangqun-bench-partners", dynamodb_host=server.endpoint)
        ensure_table(settings)
        db = Db(settings)
        clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))
        world = build_world(db, clock)
        rng = random.Random(2020)
        projects = [
            make_project(db, clock, world, f"党建项目{i:03d}", capacity=rng.choice((1, 1, 2, 3)))
            for i in range(PROJECTS)
        ]
        directory = [world.district, world.b.street]
        team = [
            make_partner(db, clock, world, directory[i % 2], f"合伙人{i:02d}", category="SERVICE")
            for i in range(PARTNERS)
        ]
        plans = [rng.sample([p.id for p in projects], CLAIMS_EACH) for _ in team]
        root = root_actor(world)
        _ = db.connection.client
        db.partners.partner("WARM-UP", consistent=True)
        barrier = threading.Barrier(PARTNERS)
        outcomes: Counter[str] = Counter()
        lock = threading.Lock()

        def meeting(partner_id: str, plan: list[str]) -> None:
            barrier.wait()
            for project_id in plan:
                try:
                    partner_projects.claim(db, root, clock, project_id, partner_id)
                    code = "OK"
                except DomainError as error:
                    code = error.code.value
                with lock:
                    outcomes[code] += 1

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=PARTNERS) as pool:
            list(pool.map(meeting, [p.id for p in team], plans))
        seconds = time.perf_counter() - started
        attempts = sum(outcomes.values())
        slots = sum(int(p.capacity) for p in projects)
        print("== red partners: the 青海路社区 meeting on DynamoDB Local")
        print(
            f"   {PARTNERS} partners x {CLAIMS_EACH} claims over {PROJECTS} projects "
            f"({slots} slots), {PARTNERS} threads"
        )
        print(
            f"   {attempts} claims in {seconds:.2f} s: {attempts / seconds:7.1f} claims/s "
            f"({outcomes['OK'] / seconds:.1f} successful/s); outcomes {dict(outcomes)}"
        )
        variables = {"id": to_global_id("OrgUnit", world.b.community.id)}
        for label, subject in (("anonymous", None), ("signed in (community)", world.b.admin_id)):
            context = Context(db=db, clock=clock, request_id="bench", subject=subject)
            with count_requests() as counts:
                result = asyncio.run(schema.execute(LISTS_QUERY, variables, context_value=context))
            assert result.errors is None, result.errors
            assert result.data is not None
            lists = result.data["communityPartnerLists"]
            sizes = (len(lists["resources"]), len(lists["needs"]), len(lists["projects"]))
            print(
                f"   three lists of a community ({sizes[0]} resources, {sizes[1]} needs, "
                f"{sizes[2]} projects), {label}: {sum(counts.values())} requests "
                f"({dict(counts)})  goal <= 3"
            )
        page_of = {
            "partners with resources": to_global_id("OrgUnit", world.district.id),
            "open projects with claims": to_global_id("OrgUnit", world.b.grid.id),
        }
        for label, query in PAGES.items():
            for first in (3, 10, 30):
                context = Context(db=db, clock=clock, request_id="bench")
                started = time.perf_counter()
                with count_requests() as counts:
                    result = asyncio.run(
                        schema.execute(
                            query, {"id": page_of[label], "first": first}, context_value=context
                        )
                    )
                millis = (time.perf_counter() - started) * 1000
                assert result.errors is None, result.errors
                print(
                    f"   {label}, first {first:2d}: {sum(counts.values())} requests "
                    f"({dict(counts)}) in {millis:.0f} ms  goal: constant"
                )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
