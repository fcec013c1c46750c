"""A generated history of cases through random lifecycles (fixed seed), written through the
services so that timelines, timers and counters are exactly what the API would have written.

Two users: ``make dev`` seeds the demo district with a few hundred cases over the last 90 days,
so the command centre (``/dashboard``) shows believable figures; the counters' truth test and
the figures benchmark (``tests/truth_history.py``) drive the same walk over their own world.

The walk: cases are reported at random times over a span; each case then takes random steps
allowed by the state machine — acceptance, dispatch to a grid or to district departments (joint
cases with a supporting department), escalation (吹哨), claims, resolutions, evaluations
(satisfied or not), reopenings (返工), pauses (waiting on the resident: the clock stops),
extension requests granted or denied, and closings — each after a delay that depends on the
step and on the pace of the grid's handlers. All cases' steps run in time order on one clock,
so lifecycles overlap as they do in a district, and with ``sweep_every`` the timer sweep runs
between them: cases left waiting time out, are warned and escalate as in production. A step
due after ``until`` is not taken: recent cases stay open, as they would be.
"""

from __future__ import annotations

import contextlib
import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from api.domain import cases as machine
from api.domain.cases import Action, Channel, HandlingMode, Level, Satisfaction, TaskStatus
from api.domain.clock import FixedClock, iso
from api.domain.errors import DomainError
from api.records.case import CaseRecord
from api.services.actor import Actor, load_actor
from api.services.cases import ReportInput, act_on_case, report_case
from api.store.db import Db

MAX_STEPS_PER_CASE = 12

# Delay before each kind of step, in minutes (natural time), before the place's pace applies.
DELAYS: dict[Action, tuple[int, int]] = {
    Action.ACCEPT: (5, 180),
    Action.ASSIGN: (5, 90),
    Action.START: (5, 150),
    Action.ESCALATE: (30, 600),
    Action.RESOLVE: (60, 1800),
    Action.CLAIM: (20, 300),
    Action.RESOLVE_TASK: (240, 5760),
    Action.EVALUATE: (60, 2880),
    Action.REOPEN: (30, 600),
    Action.CLOSE: (30, 1440),
    Action.VERIFY: (30, 1440),  # 核查: the centre checks on site
    Action.PAUSE: (30, 600),
    Action.RESUME: (120, 4320),  # the resident answers (the clock stood still meanwhile)
    Action.REQUEST_EXTENSION: (60, 1440),
    Action.GRANT_EXTENSION: (30, 600),
    Action.DENY_EXTENSION: (30, 600),
}
EXTENSION_HOURS = (24, 48, 72)

# What residents report, with the weight of each category (a district's usual mix).
DEMO_CATEGORIES: dict[str, tuple[float, tuple[str, ...]]] = {
    "ENVIRONMENT": (5, ("楼道堆放杂物", "垃圾桶满溢无人清运", "绿化带内有建筑垃圾")),
    "PROPERTY_MANAGEMENT": (4, ("楼道灯不亮", "单元门门禁损坏", "电梯经常停运")),
    "ROADS": (3, ("小区路面坑洼积水", "人行道地砖松动", "井盖破损")),
    "PARKING": (3, ("消防通道被占用", "僵尸车长期占用车位")),
    "HOUSING_SAFETY": (2, ("楼院外墙出现裂缝", "阳台护栏锈蚀松动")),
    "GREENERY": (2, ("大树枝杈遮挡窗户", "树木倒伏压住围墙")),
    "UTILITIES": (2, ("暖气不热", "自来水水压低")),
    "NEIGHBOUR_DISPUTE": (2, ("楼上漏水到楼下", "邻居噪音扰民")),
    "ELDERLY_CARE": (1, ("独居老人需要助餐服务",)),
    "PUBLIC_ORDER": (1, ("夜间有人在小区内聚集喧哗",)),
}


@dataclass(frozen=True)
class Place:
    """Where a case is reported (a building of a grid) and who takes it at each level."""

    building_id: str
    resident_id: str
    grid_worker_id: str
    community_staff_id: str
    street_admin_id: str
    weight: float = 1.0  # share of the reports, relative to the other places


@dataclass(frozen=True)
class Cast:
    """Everyone the walk speaks as."""

    places: tuple[Place, ...]
    dispatcher_id: str  # the governance centre (推进中心): accepts and dispatches
    departments: tuple[tuple[str, str], ...]  # (department id, its staff); ≥ 2 for joint cases
    categories: dict[str, tuple[float, tuple[str, ...]]] = field(
        default_factory=lambda: dict(DEMO_CATEGORIES)
    )
    satisfied: float = 0.8  # share of evaluations that are satisfied


@dataclass
class _Walk:
    """One case on its way: where it was reported and how fast its handlers are."""

    number: int
    place: Place
    pace: float
    category: str
    description: str
    rng: random.Random  # the case's own: a re-run takes the same steps, whatever it skips
    case_id: str | None = None
    steps: int = 0


def generate(
    db: Db,
    clock: FixedClock,
    cast: Cast,
    cases: int,
    seed: int,
    span: timedelta,
    until: datetime | None = None,
    sweep_every: timedelta | None = None,
    key_prefix: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[str]:
    """``cases`` cases reported over ``span`` from the clock's time, walked in time order;
    their ids. The clock ends at the last step taken. With ``key_prefix``, reports carry
    idempotency keys: a re-run after an interruption finds the cases already reported and does
    not walk them again."""
    rng = random.Random(seed)
    start = clock.now()
    pace = {place: rng.uniform(0.5, 1.8) for place in cast.places}  # slow and fast streets
    weights = [place.weight for place in cast.places]
    names = list(cast.categories)
    category_weights = [cast.categories[name][0] for name in names]
    walks: list[_Walk] = []
    queue: list[tuple[datetime, int, int, machine.Command | None, str]] = []
    for number in range(cases):
        place = rng.choices(cast.places, weights)[0]
        category = rng.choices(names, category_weights)[0]
        description = rng.choice(cast.categories[category][1])
        own = random.Random(f"{seed}-{number}")
        walks.append(_Walk(number, place, pace[place], category, description, own))
        at = start + span * rng.random()
        queue.append((at, number, number, None, ""))
    heapq.heapify(queue)
    actors = _Actors(db)
    sequence = cases  # tie-breaker of steps due at the same moment
    next_sweep = start + sweep_every if sweep_every else None
    reported = 0
    while queue:
        at, _, number, command, actor_id = heapq.heappop(queue)
        if until is not None and at > until:
            break  # every later step is later still
        while next_sweep is not None and sweep_every is not None and next_sweep <= at:
            _sweep(db, clock, next_sweep)
            next_sweep += sweep_every
        _move(clock, at)
        walk = walks[number]
        if walk.case_id is None:
            case = _report(db, clock, actors, walk, key_prefix)
            reported += 1
            if progress:
                progress(reported, cases)
            if case is None:
                continue  # reported and walked by an interrupted run
        else:
            found = db.cases.get(walk.case_id, consistent=True)  # a sweep may have moved it
            if found is None:  # pragma: no cover - cases are never deleted
                continue
            case = found
            # A refused step (the case moved on meanwhile) writes nothing: the walk goes on.
            with contextlib.suppress(DomainError):
                if command is not None:
                    case = act_on_case(db, actors.get(actor_id), clock, case.id, command)
        walk.steps += 1
        step = _step(cast, walk, case, walk.rng)
        if step is None or walk.steps > MAX_STEPS_PER_CASE:
            continue  # done, or left open
        actor_id, command = step
        low, high = DELAYS[command.action]
        delay = timedelta(minutes=walk.rng.uniform(low, high) * walk.pace)
        sequence += 1
        heapq.heappush(queue, (clock.now() + delay, sequence, number, command, actor_id))
    return [walk.case_id for walk in walks if walk.case_id is not None]


def _move(clock: FixedClock, at: datetime) -> None:
    if at > clock.now():
        clock.advance(at - clock.now())


def _sweep(db: Db, clock: FixedClock, at: datetime) -> None:
    from api.services.deadlines.sweep import sweep

    _move(clock, at)
    sweep(db, clock.now())


class _Actors:
    """Each person loaded once: grants do not change during a history."""

    def __init__(self, db: Db) -> None:
        self.db = db
        self.loaded: dict[str, Actor] = {}

    def get(self, person_id: str) -> Actor:
        if person_id not in self.loaded:
            self.loaded[person_id] = load_actor(self.db, person_id)
        return self.loaded[person_id]


def _report(
    db: Db, clock: FixedClock, actors: _Actors, walk: _Walk, key_prefix: str | None
) -> CaseRecord | None:
    """The walk's case, reported now; None when an earlier run reported and walked it."""
    key = f"{key_prefix}-{walk.number}" if key_prefix else None
    data = ReportInput(
        Channel.RESIDENT, walk.category, walk.description, walk.place.building_id,
        idempotency_key=key,
    )  # fmt: skip
    case = report_case(db, actors.get(walk.place.resident_id), clock, data)
    walk.case_id = case.id
    if case.event_count > 1:
        return None
    return case


def _step(
    cast: Cast, walk: _Walk, case: CaseRecord, rng: random.Random
) -> tuple[str, machine.Command] | None:
    """A random next step allowed by the state machine, and who takes it; None when done."""
    allowed = machine.allowed_actions(case.domain())
    place = walk.place
    dispatcher = cast.dispatcher_id
    handler = {
        Level.GRID: place.grid_worker_id,
        Level.COMMUNITY: place.community_staff_id,
        Level.STREET: place.street_admin_id,
    }.get(case.level) if case.level else None  # fmt: skip
    choices: list[tuple[str, machine.Command]] = []
    if Action.ACCEPT in allowed:
        mode = HandlingMode.JOINT if rng.random() < 0.2 else HandlingMode.ASSIGNED
        choices.append((dispatcher, machine.Accept(mode, walk.category)))
    if Action.ASSIGN in allowed:
        lead, support = rng.sample(cast.departments, 2)
        if case.mode is HandlingMode.JOINT or rng.random() < 0.2:
            choices.append((dispatcher, machine.Assign(
                Level.DISTRICT, lead_department=lead[0],
                supporting_departments=(support[0],) if case.mode is HandlingMode.JOINT else (),
            )))  # fmt: skip
        else:
            choices.append((dispatcher, machine.Assign(Level.GRID)))
    staff = dict(cast.departments)
    for task in case.tasks:
        if Action.CLAIM in allowed and task.status is TaskStatus.ASSIGNED:
            choices.append((staff[task.department_id], machine.Claim(task.department_id)))
        if Action.RESOLVE_TASK in allowed and task.status is TaskStatus.CLAIMED:
            choices.append(
                (staff[task.department_id], machine.ResolveTask(task.department_id, "已处理"))
            )
    if handler is not None:
        if Action.START in allowed:
            choices.append((handler, machine.Start()))
        if Action.RESOLVE in allowed:
            choices += [(handler, machine.Resolve("已处理"))] * 3
        if Action.ESCALATE in allowed and case.level is Level.GRID:
            choices.append((handler, machine.Escalate("网格解决不了")))
        if Action.PAUSE in allowed and rng.random() < 0.3:
            choices.append((handler, machine.Pause("等待居民配合")))
        if Action.RESUME in allowed:
            choices.append((handler, machine.Resume()))
        if Action.REQUEST_EXTENSION in allowed and rng.random() < 0.6:
            hours = rng.choice(EXTENSION_HOURS)
            choices.append((handler, machine.RequestExtension(hours, "需要协调施工")))
    if Action.GRANT_EXTENSION in allowed:  # the centre answers first, and mostly grants
        grant = rng.random() < 0.7
        return dispatcher, machine.DecideExtension(grant, "同意延期" if grant else "请按期办结")
    if Action.VERIFY in allowed:  # 核查 by the governance centre (the demo policy asks for it)
        choices += [(dispatcher, machine.Verify(True, "核查属实"))] * 11  # 1 in 12 fails
        choices.append((dispatcher, machine.Verify(False, "现场核查未整改到位")))
    if Action.EVALUATE in allowed:
        if rng.random() < cast.satisfied:
            choices.append((place.resident_id, machine.Evaluate(Satisfaction.SATISFIED)))
        else:
            choices.append(
                (place.resident_id, machine.Evaluate(Satisfaction.UNSATISFIED, "没修好"))
            )
    if Action.REOPEN in allowed:  # only after an unsatisfied evaluation: usually reworked
        choices += [(dispatcher, machine.Reopen("复核未通过"))] * 3
    if Action.CLOSE in allowed:
        choices.append((dispatcher, machine.Close()))
    if not choices or rng.random() < 0.03:  # some cases stay open
        return None
    return rng.choice(choices)


# --- the demo district ------------------------------------------------------------------------

SEED_NAME = "shibei-history-v1"  # the marker of a finished history; the reports' key prefix
DEMO_CASES = 240
DEMO_DAYS = 90
DEMO_SEED = 2026
SWEEP_HOURS = 4  # between steps of the history (the live sweeper then runs every few seconds)


def demo_cast() -> Cast:
    """The demo district (infra/demo_data.py): two grids in each of the 22 streets, busier
    streets reporting more; the governance centre and the district's departments."""
    from infra.demo_data import DEPARTMENTS, STREETS, DemoPeople

    places = []
    for number in range(1, len(STREETS) + 1):
        street = f"ST{number:02d}"
        weight = 1.0 + (number * 7) % 5 / 2  # 1 to 3, deterministic
        for community in ("C01", "C02"):
            grid = f"{street}{community}G01"
            places.append(
                Place(
                    building_id=f"{grid}B1",
                    resident_id=f"P-{grid}-R1",
                    grid_worker_id=f"P-{grid}-WORKER",
                    community_staff_id=f"P-{street}{community}-STAFF",
                    street_admin_id=f"P-{street}-ADMIN",
                    weight=weight,
                )
            )
    departments = tuple((f"DEPT-{suffix}", f"P-DEPT-{suffix}-STAFF") for suffix in DEPARTMENTS)
    return Cast(tuple(places), DemoPeople().dispatcher, departments)


def seed_history(
    db: Db,
    now: datetime,
    cast: Cast | None = None,
    cases: int = DEMO_CASES,
    days: int = DEMO_DAYS,
    progress: Callable[[int, int], None] | None = None,
) -> list[str]:
    """The demo district's last ``days`` days, once (a marker records a finished history):
    ``cases`` cases reported then and walked up to ``now``, the timer sweep running every few
    hours between steps; the ids of the cases generated now (none when the marker is there)."""
    if db.org_units.seeded(SEED_NAME):
        return []
    clock = FixedClock(now - timedelta(days=days))
    ids = generate(
        db, clock, cast or demo_cast(), cases, DEMO_SEED, span=timedelta(days=days), until=now,
        sweep_every=timedelta(hours=SWEEP_HOURS), key_prefix=SEED_NAME, progress=progress,
    )  # fmt: skip
    db.org_units.mark_seeded(SEED_NAME, len(ids), iso(now))
    return ids
