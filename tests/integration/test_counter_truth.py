"""Truth of the counters (issue 14): a generated history (fixed seed, random lifecycles of cases,
topics and partner projects: tests/truth_history.py) leaves every day item and month roll-up
of every unit equal to the recomputation from the immutable case events and the topic and
partner journal, and every figure derivable from the timelines alone (reported, accepted,
resolved, in the grid, closed, evaluated, reopened, 核查 passed and failed, closed as not
evaluated by the sweeper) equal to the figures served. A drifting counter is found and
repaired. Runs on either backend; the size is small here (the 20 000-case
run is ``DANGQUN_TRUTH_CASES=20000`` or the benchmark)."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date

from typer.testing import CliRunner

from api.domain.cases import Action, CaseState, Level
from api.domain.clock import FixedClock
from api.domain.figures import PeriodKind
from api.domain.gauges import NOT_HELD, WatchKind
from api.domain.org import path_ids
from api.services.actor import load_actor
from api.services.case_gauges import held_of
from api.services.cases import day_of
from api.services.counter_truth import JOURNALED, adopt_unjournaled, recompute
from api.services.unit_figures import unit_figures
from api.services.unit_gauges import unit_gauges
from api.settings import Settings
from api.store.counter_store import add_day_counters
from api.store.db import Db
from api.store.gauge_store import GaugeMove, add_gauges, move_gauges
from tests.case_world import CaseWorld, whole_timeline
from tests.requests import count_requests
from tests.truth_history import generate

CASES = int(os.environ.get("DANGQUN_TRUTH_CASES", "60"))
SEED = int(os.environ.get("DANGQUN_TRUTH_SEED", "14"))  # another seed: another history
# Figures the timelines alone determine (for the grid path).
DERIVED = (
    "reported", "accepted", "resolved", "resolved_in_grid", "closed", "evaluated", "reopened",
    "verified", "verification_failed", "closed_not_evaluated",
)  # fmt: skip


def from_timelines(db: Db, case_ids: list[str]) -> dict[tuple[str, str], Counter[str]]:
    """Counters per (unit, month) derived from the events alone, for the grid path."""
    expected: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for case_id in case_ids:
        case, timeline = whole_timeline(db, case_id)
        for event in timeline:
            month = day_of(event.at)[:7]
            counts: Counter[str] = Counter()
            if event.action == "REPORT":
                counts["reported"] += 1
            if event.action == Action.ACCEPT.value:
                counts["accepted"] += 1
            if event.to_state is CaseState.RESOLVED and event.from_state is not CaseState.RESOLVED:
                counts["resolved"] += 1
                counts["resolved_in_grid"] += event.level is Level.GRID
            if event.to_state is CaseState.CLOSED:
                counts["closed"] += 1
            counts["evaluated"] += event.action == Action.EVALUATE.value
            counts["reopened"] += event.action in (Action.REOPEN.value, "VERIFY_FAILED")
            counts["verified"] += event.action == Action.VERIFY.value
            counts["verification_failed"] += event.action == "VERIFY_FAILED"
            counts["closed_not_evaluated"] += (
                event.action == Action.CLOSE.value and event.actor_role == "SYSTEM"
            )
            for org_id in path_ids(case.grid_path):
                expected[(org_id, month)].update(counts)
    return expected


def test_every_counter_equals_the_recomputation_from_the_events(
    db: Db, clock: FixedClock, case_world: CaseWorld
) -> None:
    cw = case_world
    history = generate(db, clock, cw, CASES, SEED)
    case_ids = list(history.case_ids)
    result = recompute(db)
    assert result.drifts == ()
    assert result.events > 3 * CASES and result.items > 20

    # The figures served equal what the timelines say, for every unit and month.
    dispatcher = load_actor(db, cw.dispatcher_id)
    derived = from_timelines(db, case_ids)
    months = sorted({month for _, month in derived})
    assert len(months) >= 2  # the history crosses a month boundary
    units = sorted({org_id for org_id, _ in derived})
    totals: Counter[str] = Counter()
    for org_id in units:
        for month in months:
            served = unit_figures(
                db, dispatcher, org_id, PeriodKind.MONTH, date.fromisoformat(f"{month}-01")
            ).figures.counts
            want = derived.get((org_id, month), Counter())
            for name in DERIVED:
                assert getattr(served, name) == want[name], (org_id, month, name)
                totals[name] += want[name] if org_id == cw.district.id else 0
    # The walk really went through the lifecycle, topics adopted into cases among them.
    assert totals["reported"] == len(case_ids) > CASES
    assert min(totals[name] for name in DERIVED) > 0, totals
    begun = date(2026, 11, 23)  # the clock fixture's day: the history runs from there
    housing = unit_figures(db, dispatcher, cw.housing.id, PeriodKind.YEAR, begun)
    assert housing.figures.counts.assigned > 0
    actions = {event.action for case_id in case_ids for event in whole_timeline(db, case_id)[1]}
    assert {"PAUSE", "RESUME", "REQUEST_EXTENSION", "ESCALATE"} <= actions
    assert {"GRANT_EXTENSION", "DENY_EXTENSION"} & actions  # the request was answered
    # Topics and partners counted too (their truth is the journal's, compared above).
    year = unit_figures(db, dispatcher, cw.district.id, PeriodKind.YEAR, begun)
    assert all(getattr(year.figures.counts, name) > 0 for name in JOURNALED), year.figures

    # The gauges served equal the open cases where they are held now, by level and state.
    open_cases = [db.cases.get(case_id) for case_id in case_ids]
    held = [case for case in open_cases if case is not None and held_of(case).units]
    now = unit_gauges(db, dispatcher, cw.district.id)[1]
    assert now.open == len(held) > 0
    assert sum(now.by_level.values()) == sum(now.by_state.values()) == now.open
    assert Counter(case.state.value for case in held) == +Counter(now.by_state)
    # The sweeper's timers moved some: warnings (at risk) and missed limits (overdue).
    actions = {event.action for case in open_cases if case for event in case.timeline}
    assert {"AT_RISK_WARNING", "SUPERVISION"} <= actions


def test_a_drifting_counter_is_found_and_repaired(
    db: Db, clock: FixedClock, case_world: CaseWorld
) -> None:
    generate(db, clock, case_world, 8, SEED)
    grid = case_world.world.a.grid.id
    street = case_world.world.b.street.id
    with db.transaction() as transaction:  # a lost-and-retried ADD: counted twice
        add_day_counters(transaction, [grid], "2026-11-23", {"resolved": 1})
        add_day_counters(transaction, [street], "2026-12-01", {"partner_claims": -1})
    with count_requests() as requests:
        drifts = recompute(db).drifts
    assert requests == {"Scan": 1}  # one read of the table (a page, as it is small)
    assert {(d.org_id, d.period, d.counter, d.stored - d.recomputed) for d in drifts} == {
        (grid, "2026-11-23", "resolved", 1),
        (grid, "2026-11", "resolved", 1),
        (street, "2026-12-01", "partner_claims", -1),
        (street, "2026-12", "partner_claims", -1),
    }
    assert recompute(db, repair=True).repaired == 4
    assert recompute(db).drifts == ()


def test_the_cli_recomputes_and_repairs_a_named_table(
    db: Db, clock: FixedClock, case_world: CaseWorld, settings: Settings
) -> None:
    """Ops run ``recompute-counters`` against the district's table (``--aws --table``), where
    the API's time limit would cut the mutation short."""
    from api.cli import app

    generate(db, clock, case_world, 8, SEED)
    grid = case_world.world.a.grid.id
    with db.transaction() as transaction:
        add_day_counters(transaction, [grid], "2026-11-23", {"accepted": 2})
    # moto intercepts the AWS endpoint in process; DynamoDB Local has its own.
    where = ["--endpoint", settings.dynamodb_host] if settings.dynamodb_host else ["--aws"]
    target = [*where, "--region", settings.region, "--table", settings.table_name]
    found = CliRunner().invoke(app, ["recompute-counters", *target])
    assert found.exit_code == 0, found.output
    assert f"{grid} 2026-11-23 accepted: stored" in found.output
    assert "2 drifts, 0 items repaired" in found.output  # the day item and its month
    repaired = CliRunner().invoke(app, ["recompute-counters", *target, "--repair"])
    assert "2 items repaired" in repaired.output, repaired.output
    assert recompute(db).drifts == ()


def test_a_drifting_gauge_or_watch_entry_is_found_and_repaired(
    db: Db, clock: FixedClock, case_world: CaseWorld
) -> None:
    case_ids = generate(db, clock, case_world, 8, SEED).case_ids
    street = case_world.world.a.street.id
    with db.transaction() as transaction:  # a lost-and-retried ADD: counted twice
        add_gauges(transaction, street, {"open": 1, "overdue": 1})
    cases = (db.cases.get(case_id) for case_id in case_ids)
    case = next(case for case in cases if case is not None and held_of(case).units)  # open
    stray = replace(held_of(case), watch=WatchKind.AT_RISK, due_at="2026-11-23T10:00:00.000+08:00")
    with db.transaction() as transaction:  # a watch entry nothing justifies
        move_gauges(transaction, case, GaugeMove(NOT_HELD, replace(stray, units=(street,))))
    drifts = {
        (d.org_id, d.period, d.counter, d.stored - d.recomputed) for d in recompute(db).drifts
    }
    # Counted twice by the ADD, and once more by the stray entry's contribution.
    assert (street, "GAUGES", "open", 2) in drifts and (street, "GAUGES", "overdue", 1) in drifts
    assert (street, "GAUGES", "at_risk", 1) in drifts
    stray_key = f"AT_RISK#2026-11-23T10:00:00.000+08:00#{case.id}"
    assert (street, "WATCH", stray_key, 1) in drifts
    assert recompute(db, repair=True).repaired >= 2
    assert recompute(db).drifts == ()


def test_topic_and_partner_counters_from_before_the_journal_are_adopted_once(
    db: Db, clock: FixedClock, case_world: CaseWorld
) -> None:
    """A table whose topic and partner counters were written before their journal (release
    2026-12-02) shows them as drifts until ``adopt_unjournaled`` takes them as they are; a
    repair before that would erase what was counted."""
    street = case_world.world.a.street.id
    with db.transaction() as transaction:  # as the topic and partner transactions wrote them
        add_day_counters(transaction, [street], "2026-10-30", {"topics_raised": 2})
        add_day_counters(transaction, [street], "2026-11-02", {"points_granted": 30})
    drifts = {(d.period, d.counter, d.stored, d.recomputed) for d in recompute(db).drifts}
    assert ("2026-10-30", "topics_raised", 2, 0) in drifts
    assert ("2026-11", "points_granted", 30, 0) in drifts
    assert adopt_unjournaled(db) == 2  # two day items journalled as stored
    assert recompute(db).drifts == ()
    assert adopt_unjournaled(db) is None  # once: a second run would count them twice
    assert recompute(db).drifts == ()
