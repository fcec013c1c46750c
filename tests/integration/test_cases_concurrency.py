"""Races on cases, on real threads calling the services (run on moto and on DynamoDB Local):
staff acting on one case at once (exactly one wins; no event lost or duplicated), identical
reports retried at once (one case), and unrelated cases sharing the grid's counters."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

import pytest

from api.domain.cases import Action, Channel, HandlingMode, Level
from api.domain.clock import FixedClock
from api.domain.errors import DomainError
from api.services.actor import load_actor
from api.services.case_queries import my_cases
from api.services.cases import Act, Dispatch, ReportInput, act_on_case, report_case
from api.store.case_models import (
    CaseCodeItem,
    CaseEventItem,
    CaseHandlerItem,
    CaseItem,
    DailyStatsItem,
    IdempotencyItem,
    SequenceItem,
    stats_key,
)
from api.store.case_store import CasePartition, read_partition
from api.store.db import Db
from api.store.models import OrgUnitItem, PersonItem
from tests.case_world import CaseWorld

pytestmark = pytest.mark.usefixtures("serialised_moto")

T = TypeVar("T")
DAY = "2026-11-23"
LOSING = {"CONFLICT", "INVALID_TRANSITION"}


def race(actions: list[Callable[[], T]]) -> list[T | DomainError]:
    """Run the actions on as many threads, released together by a barrier; each one's result
    or expected failure (anything else fails the test)."""
    barrier = threading.Barrier(len(actions))

    def run(action: Callable[[], T]) -> T | DomainError:
        barrier.wait(timeout=30)
        try:
            return action()
        except DomainError as error:
            return error

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        futures = [pool.submit(run, action) for action in actions]
        return [future.result(timeout=120) for future in futures]


def outcome(result: object) -> str:
    return result.code.value if isinstance(result, DomainError) else "OK"


def one_winner(results: list[CaseItem | DomainError]) -> CaseItem:
    """Exactly one racer won; the others lost the race (or read after it and were refused)."""
    outcomes = [outcome(r) for r in results]
    assert outcomes.count("OK") == 1, outcomes
    assert all(o in LOSING for o in outcomes if o != "OK"), outcomes
    return next(r for r in results if isinstance(r, CaseItem))


def warm_up(db: Db) -> None:
    """Open every connection the racers use before they start (lazy creation is not the race
    under test)."""
    _ = db.connection.client
    for model in (
        CaseItem,
        CaseEventItem,
        CaseHandlerItem,
        CaseCodeItem,
        IdempotencyItem,
        SequenceItem,
        DailyStatsItem,
        OrgUnitItem,
        PersonItem,
    ):
        model.count("WARM#UP", consistent_read=True)


def report(
    db: Db, clock: FixedClock, cw: CaseWorld, key: str | None = None, what: str = "楼道堆物"
) -> CaseItem:
    data = ReportInput(
        channel=Channel.RESIDENT,
        category="ENVIRONMENT",
        description=what,
        location_unit_id=cw.world.a.building.id,
        idempotency_key=key,
    )
    return report_case(db, load_actor(db, cw.resident_id), clock, data)


def act(db: Db, clock: FixedClock, person_id: str, case_id: str, request: Act) -> CaseItem:
    return act_on_case(db, load_actor(db, person_id), clock, case_id, request)


ACCEPT = Act(Action.ACCEPT, mode=HandlingMode.ASSIGNED, category="ENVIRONMENT")


def partition(case_id: str) -> CasePartition:
    found = read_partition(case_id, consistent=True)
    assert found is not None
    return found


def checked_timeline(case_id: str) -> list[str]:
    """The case's actions after checking the timeline is whole: seq 1..n, count on the case."""
    stored = partition(case_id)
    seqs = [int(event.seq) for event in stored.events]
    assert seqs == list(range(1, len(seqs) + 1))
    assert int(stored.case.event_count) == len(seqs)
    return [event.action for event in stored.events]


def counter(org_id: str, name: str) -> int:
    item = DailyStatsItem.get(*stats_key(org_id, DAY), consistent_read=True)
    return int(getattr(item, name) or 0)


def test_two_dispatchers_accepting_one_case_at_once_exactly_one_wins(
    db: Db, clock: FixedClock, case_world: CaseWorld
) -> None:
    cw = case_world
    warm_up(db)
    rounds = 4
    seen: Counter[tuple[str, ...]] = Counter()
    for _ in range(rounds):
        case = report(db, clock, cw)
        staff = [load_actor(db, cw.community_dispatcher_id), load_actor(db, cw.dispatcher_id)]
        results = race([partial(act_on_case, db, who, clock, case.id, ACCEPT) for who in staff])
        winner = one_winner(results)
        seen[tuple(sorted(outcome(r) for r in results))] += 1
        assert checked_timeline(case.id) == ["REPORT", "ACCEPT"]
        stored = partition(case.id)
        assert stored.case.state == "ACCEPTED"
        winning_staff = next(s for s, r in zip(staff, results, strict=True) if r is winner)
        assert stored.events[1].actor_id == winning_staff.person_id
        assert int(winner.event_count) == 2
        assert [(h.state, h.active) for h in stored.handlers] == [("ACCEPTED", True)]
    assert sum(seen.values()) == rounds
    # Counted once per case, whoever won.
    for org_id in (cw.world.a.grid.id, cw.world.a.street.id, cw.district.id):
        assert counter(org_id, "accepted") == rounds
        assert counter(org_id, "reported") == rounds


def test_eight_escalations_at_once_make_exactly_one(
    db: Db, clock: FixedClock, case_world: CaseWorld
) -> None:
    cw = case_world
    warm_up(db)
    case = report(db, clock, cw)
    act(db, clock, cw.community_dispatcher_id, case.id, ACCEPT)
    act(
        db,
        clock,
        cw.community_dispatcher_id,
        case.id,
        Act(Action.ASSIGN, dispatch=Dispatch(Level.GRID)),
    )
    act(db, clock, cw.grid_worker_id, case.id, Act(Action.START))
    # The grid worker's eight taps, each with its own freshly loaded actor.
    workers = [load_actor(db, cw.grid_worker_id) for _ in range(8)]
    escalate = Act(Action.ESCALATE, note="网格解决不了，吹哨社区")
    results = race(
        [partial(act_on_case, db, worker, clock, case.id, escalate) for worker in workers]
    )
    outcomes = Counter(outcome(r) for r in results)
    assert outcomes["OK"] == 1, outcomes
    # Those who read after the winner see the case at COMMUNITY, no longer the grid's to act on.
    assert set(outcomes) <= {"OK", "CONFLICT", "INVALID_TRANSITION", "FORBIDDEN"}, outcomes
    assert checked_timeline(case.id) == ["REPORT", "ACCEPT", "ASSIGN", "START", "ESCALATE"]
    stored = partition(case.id)
    assert (stored.case.state, stored.case.level) == ("ASSIGNED", "COMMUNITY")
    assert [r["level"] for r in stored.case.levels] == ["GRID", "COMMUNITY"]
    assert stored.events[-1].note == "网格解决不了，吹哨社区"
    handlers = {h.assignee_id: (h.active, h.state) for h in stored.handlers}
    assert handlers == {
        cw.world.a.grid.id: (False, "ASSIGNED"),
        cw.world.a.community.id: (True, "ASSIGNED"),
    }


def test_racing_accept_and_reject_leave_one_decision(
    db: Db, clock: FixedClock, case_world: CaseWorld
) -> None:
    cw = case_world
    warm_up(db)
    case = report(db, clock, cw)
    community, district = (
        load_actor(db, cw.community_dispatcher_id),
        load_actor(db, cw.dispatcher_id),
    )
    results = race(
        [
            lambda: act_on_case(db, district, clock, case.id, ACCEPT),
            lambda: act_on_case(db, community, clock, case.id, Act(Action.REJECT, note="重复")),
        ]
    )
    one_winner(results)
    timeline = checked_timeline(case.id)
    assert len(timeline) == 2
    state = partition(case.id).case.state
    assert (timeline[1], state) in {("ACCEPT", "ACCEPTED"), ("REJECT", "REJECTED")}
    accepted = counter(cw.world.a.grid.id, "accepted")
    assert accepted == (1 if state == "ACCEPTED" else 0)


def test_identical_reports_at_once_make_one_case(
    db: Db, clock: FixedClock, case_world: CaseWorld
) -> None:
    cw = case_world
    warm_up(db)
    results = race([lambda: report(db, clock, cw, key="tap-tap-tap") for _ in range(5)])
    created = [r for r in results if isinstance(r, CaseItem)]
    assert created, [outcome(r) for r in results]
    assert {case.id for case in created} == {created[0].id}
    # A retry that lost the race answers with the case or asks to retry; never a second case.
    assert {outcome(r) for r in results} <= {"OK", "CONFLICT"}
    resident = load_actor(db, cw.resident_id)
    page = my_cases(db, resident, 10, None)
    assert [edge.node.id for edge in page.edges] == [created[0].id]
    assert checked_timeline(created[0].id) == ["REPORT"]
    assert counter(cw.world.a.grid.id, "reported") == 1
    # And the retry after the race returns it too.
    assert report(db, clock, cw, key="tap-tap-tap").id == created[0].id
    # Each racing retry drew a number before losing, so the next code is unique and later, but
    # not necessarily the next one (known gap: see the report of this suite).
    assert report(db, clock, cw).code > created[0].code


def test_unrelated_cases_of_one_grid_go_through_at_once(
    db: Db, clock: FixedClock, case_world: CaseWorld
) -> None:
    """Different cases share only the grid's daily counters: nobody loses a race."""
    cw = case_world
    warm_up(db)
    reports = race([partial(report, db, clock, cw, what=f"第{i}件") for i in range(4)])
    assert [outcome(r) for r in reports] == ["OK"] * 4
    cases = [r for r in reports if isinstance(r, CaseItem)]
    assert sorted(case.code for case in cases) == [f"SB2026-00000{i}" for i in range(1, 5)]
    dispatchers = [load_actor(db, cw.dispatcher_id) for _ in cases]
    accepted = race(
        [
            partial(act_on_case, db, who, clock, case.id, ACCEPT)
            for case, who in zip(cases, dispatchers, strict=True)
        ]
    )
    assert [outcome(r) for r in accepted] == ["OK"] * 4
    for org_id in (cw.world.a.grid.id, cw.world.a.community.id, cw.district.id):
        assert counter(org_id, "reported") == 4
        assert counter(org_id, "accepted") == 4
