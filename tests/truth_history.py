"""A generated history of cases through random lifecycles (fixed seed), for the counters' truth
test and the recompute benchmark: the walk of ``infra/demo_history.py`` (the one ``make dev``
seeds the demo district with) over the case world — reports in both streets, acceptance,
dispatch to a grid or to district departments (joint cases with a supporting department),
escalations (吹哨), claims, resolutions, evaluations (satisfied or not), reopenings and
closings, with the clock moving between steps so events fall on many days and across months,
and the timer sweep running between them (time-outs: warnings and escalations)."""

from __future__ import annotations

from datetime import timedelta

from api.domain.clock import FixedClock
from api.store.db import Db
from infra import demo_history
from infra.demo_history import Cast, Place
from tests.case_world import CaseWorld

# A case reported every few hours: a few dozen cases span more than a week and cross a month.
HOURS_PER_CASE = 6
# The timer sweep between steps (EventBridge runs it every minute; hours suffice here).
SWEEP_HOURS = 3


def cast_of(cw: CaseWorld) -> Cast:
    """Street A (7 reports in 10) and street B, each with its grid worker and street admin; at
    the community level street A's dispatcher, who is refused in street B (the walk goes on)."""
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


def generate(db: Db, clock: FixedClock, cw: CaseWorld, cases: int, seed: int) -> list[str]:
    """``cases`` cases through random lifecycles; their ids. The clock ends at the last step."""
    return demo_history.generate(
        db, clock, cast_of(cw), cases, seed, span=timedelta(hours=HOURS_PER_CASE * cases),
        sweep_every=timedelta(hours=SWEEP_HOURS),
    )  # fmt: skip
