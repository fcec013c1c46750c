"""A generated history for the counters' truth test and the figures benchmark: the case walk of
``make dev``'s seeded history (infra/demo_history.py: reports in both streets, acceptance,
dispatch to a grid or to district departments with joint cases, escalations (吹哨), claims,
pauses, extensions granted or denied, resolutions, 核查 passed and failed, evaluations, reworks
and closings, all cases' steps in time order with the timer sweep between them, so clocks warn,
breach, escalate, and evaluation windows end in closings as not evaluated) under a closing
policy with every rule on (README "Closing"), then the civic walk over the same span
(infra/demo_civic.py: topics proposed, voted, adopted into cases or declined; partner
projects claimed, withdrawn, delivered, confirmed with points; an award). Fixed seed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from api.domain.clock import FixedClock
from api.services.actor import load_actor
from api.services.deadlines import policies
from api.services.deadlines.policy_admin import update_policy
from api.store.db import Db
from infra import demo_history
from infra.demo_civic import CivicHistory, generate_civic
from infra.demo_history import Cast, Place
from tests.case_world import CaseWorld
from tests.civic_history import civic_cast_of

WINDOW_HOURS = 24.0  # the evaluation window of the history's policy
SWEEP_EVERY = timedelta(hours=3)
CASES_PER_DAY = 55  # the district's pace: some 20 000 cases a year


@dataclass(frozen=True)
class TruthHistory:
    case_ids: tuple[str, ...]  # the walk's cases and the cases of adopted topics
    civic: CivicHistory


def closing_policy(db: Db, clock: FixedClock, cw: CaseWorld) -> None:
    """Every closing rule on: 核查, evaluation required, a 24 h window (reminder 6 h before)."""
    admin = load_actor(db, cw.world.district_admin_id)
    current = policies.policy_in_force(db, cw.district.id)
    draft = replace(
        current, verification_required=True, evaluation_required=True,
        evaluation_window_hours=WINDOW_HOURS, evaluation_reminder_hours=6.0,
    )  # fmt: skip
    update_policy(db, admin, clock, cw.district.id, draft)


def span_for(cases: int) -> timedelta:
    """Long enough to cross months at any size; a year at the district's pace."""
    return timedelta(days=min(365, max(40, cases // CASES_PER_DAY)))


def generate(db: Db, clock: FixedClock, cw: CaseWorld, cases: int, seed: int) -> TruthHistory:
    """``cases`` cases, about one topic per ten cases and one project per twenty, over
    :func:`span_for` from the clock's time; the clock ends after the last step of both walks."""
    closing_policy(db, clock, cw)
    start, span = clock.now(), span_for(cases)
    case_ids = demo_history.generate(
        db, clock, cast_of(cw), cases, seed, span=span, sweep_every=SWEEP_EVERY
    )
    civic_clock = FixedClock(start)
    civic = generate_civic(
        db, civic_clock, civic_cast_of(db, civic_clock, cw),
        topics=max(8, cases // 10), projects=max(5, cases // 20), seed=seed, span=span,
    )  # fmt: skip
    if civic_clock.now() > clock.now():
        clock.advance(civic_clock.now() - clock.now())
    topics = (db.topics.get(topic_id) for topic_id in civic.topic_ids)
    topic_cases = tuple(t.case_id for t in topics if t is not None and t.case_id)
    return TruthHistory((*case_ids, *topic_cases), civic)


def cast_of(cw: CaseWorld) -> Cast:
    """The case world as the cast of ``infra/demo_history.py`` (make dev's seeded walk, tested
    small in tests/integration/test_demo_history.py): street A (7 reports in 10) and street B,
    each with its grid worker and street admin; at the community level street A's dispatcher,
    who is refused in street B (the walk goes on)."""
    a, b = cw.world.a, cw.world.b
    community = cw.community_dispatcher_id
    street_a = Place(a.building.id, a.resident_id, a.staff_id, community, a.admin_id, 0.7)
    street_b = Place(b.building.id, b.resident_id, b.staff_id, community, b.admin_id, 0.3)
    return Cast(
        places=(street_a, street_b),
        dispatcher_id=cw.dispatcher_id,
        departments=((cw.housing.id, cw.housing_staff_id), (cw.gardens.id, cw.gardens_staff_id)),
        categories={"HOUSING_SAFETY": (1.0, ("生成案件",))},
        satisfied=0.6,  # reopenings (返工) in a short history too
    )
