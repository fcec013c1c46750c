"""The generated history `make dev` seeds the command centre with (infra/demo_history.py): run
small over the case world, its figures are non-zero and hang together, equal the recomputation
from the events, time-outs happened, and it is written once. Its cast names real people and
places of the demo district. Runs on either backend."""

from __future__ import annotations

from datetime import timedelta

from api.domain.cases import CaseState
from api.domain.clock import FixedClock
from api.domain.figures import Figures, PeriodKind
from api.services.actor import load_actor
from api.services.counter_truth import recompute
from api.services.unit_figures import unit_figures
from api.store.db import Db
from api.store.models import OrgUnitItem, PersonItem
from infra import demo_history
from infra.demo_data import build_demo
from tests.case_world import CaseWorld
from tests.truth_history import cast_of, closing_policy

CASES = 20
DAYS = 10


def test_the_history_gives_consistent_figures_once(
    db: Db, clock: FixedClock, case_world: CaseWorld
) -> None:
    cw = case_world
    now = clock.now()
    # Under the closing rules make dev's demo policy turns on (核查 among them), from before.
    closing_policy(db, FixedClock(now - timedelta(days=DAYS + 1)), cw)
    case_ids = demo_history.seed_history(db, now, cast_of(cw), CASES, DAYS)
    assert len(case_ids) == CASES
    dispatcher = load_actor(db, cw.dispatcher_id)
    first, last = (now - timedelta(days=DAYS)).date(), now.date()

    def of(unit_id: str) -> Figures:
        return unit_figures(db, dispatcher, unit_id, PeriodKind.CUSTOM, first, last).figures

    district = of(cw.district.id)
    c = district.counts
    assert district.received == c.reported == CASES
    assert min(c.accepted, c.resolved, c.closed, c.evaluated, c.resolved_on_time) > 0
    # What can only follow something else never outnumbers it.
    assert c.accepted <= c.reported
    assert c.resolved <= c.accepted + c.reopened  # a second resolution follows a reopening
    assert c.closed <= c.resolved and c.evaluated <= c.resolved
    # reworked after an unsatisfied evaluation or a failed 核查
    assert c.reopened <= c.evaluated - c.satisfied + c.verification_failed
    assert c.resolved_on_time <= c.resolved
    assert c.resolved_in_grid <= c.resolved_at_street_or_below <= c.resolved
    for rate in (district.on_time_rate, district.in_grid_share, district.satisfaction_rate,
                 district.street_or_below_share, district.rework_rate):  # fmt: skip
        assert rate is not None and 0 <= rate <= 1
    assert district.average_working_hours is not None and district.average_working_hours > 0
    # The district is the sum of its streets; every counter equals the events' record.
    streets = [of(street.street.id).counts for street in (cw.world.a, cw.world.b)]
    for name in ("reported", "accepted", "resolved", "closed", "evaluated", "reopened"):
        assert getattr(c, name) == sum(getattr(s, name) for s in streets), name
    assert all(s.reported > 0 for s in streets)
    assert recompute(db).drifts == ()

    # The sweeper ran between steps: clocks warned and missed limits escalated on their own;
    # the latest cases are still open, as in a live district.
    cases = [case for case in map(db.cases.get, case_ids) if case is not None]
    actions = {e.action for case in cases for e in case.timeline if e.actor_role == "SYSTEM"}
    assert {"AT_RISK_WARNING", "SUPERVISION", "ESCALATE"} <= actions
    open_states = {CaseState.REPORTED, CaseState.ACCEPTED, CaseState.ASSIGNED,
                   CaseState.IN_PROGRESS}  # fmt: skip
    assert any(case.state in open_states for case in cases)

    # Once: the marker skips a second run; a run interrupted before the marker finds its
    # reports by their idempotency keys and walks none of them again.
    assert demo_history.seed_history(db, now, cast_of(cw), CASES, DAYS) == []
    again = demo_history.generate(
        db, FixedClock(now - timedelta(days=DAYS)), cast_of(cw), CASES, demo_history.DEMO_SEED,
        span=timedelta(days=DAYS), until=now, key_prefix=demo_history.SEED_NAME,
    )  # fmt: skip
    assert again == case_ids
    assert of(cw.district.id).counts == c


def test_the_demo_cast_is_in_the_demo_district(clock: FixedClock) -> None:
    items = build_demo(clock)
    units = {item.id for item in items if isinstance(item, OrgUnitItem)}
    people = {item.id for item in items if isinstance(item, PersonItem)}
    cast = demo_history.demo_cast()
    assert len(cast.places) == 44  # two grids in each of the 22 streets
    assert {place.building_id for place in cast.places} <= units
    assert {department for department, _ in cast.departments} <= units
    for place in cast.places:
        assert {place.resident_id, place.grid_worker_id, place.community_staff_id,
                place.street_admin_id} <= people  # fmt: skip
    assert {staff for _, staff in cast.departments} | {cast.dispatcher_id} <= people
