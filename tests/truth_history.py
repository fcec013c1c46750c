"""A generated history of cases through random lifecycles (fixed seed), for the counters' truth
test and the recompute benchmark: reports in both streets, acceptance, dispatch to a grid or to
district departments (joint cases with a supporting department), escalations (吹哨), claims,
resolutions, 核查 passed and failed, evaluations (satisfied or not), reopenings and closings,
and waits on which the sweeper fires the case's evaluation window (the reminder, then the
closing as not evaluated), with the clock moving between steps so events
fall on many days and across months. The sweeper also runs after every few cases, so clocks warn
(at risk), breach (overdue at the district) and escalate on their own. The district runs a
closing policy with every rule on (README "Closing")."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from api.domain import cases as machine
from api.domain.cases import Action, Channel, HandlingMode, Level, Satisfaction, TaskStatus
from api.domain.clock import FixedClock
from api.domain.errors import DomainError
from api.records.case import CaseRecord
from api.services.actor import load_actor
from api.services.cases import ReportInput, act_on_case, report_case
from api.services.deadlines import policies
from api.services.deadlines.policy_admin import update_policy
from api.services.deadlines.sweep import fire_case, sweep
from api.store.db import Db
from infra.demo_history import Cast, Place
from tests.case_world import CaseWorld

STEPS_PER_CASE = 12
SWEEP_EVERY = 5  # cases
WINDOW_HOURS = 24.0  # the evaluation window of the history's policy
WAIT = timedelta(hours=WINDOW_HOURS + 1)  # a wait lets the window end


def closing_policy(db: Db, clock: FixedClock, cw: CaseWorld) -> None:
    """Every closing rule on: 核查, evaluation required, a 24 h window (reminder 6 h before)."""
    admin = load_actor(db, cw.world.district_admin_id)
    current = policies.policy_in_force(db, cw.district.id)
    draft = replace(
        current, verification_required=True, evaluation_required=True,
        evaluation_window_hours=WINDOW_HOURS, evaluation_reminder_hours=6.0,
    )  # fmt: skip
    update_policy(db, admin, clock, cw.district.id, draft)


def generate(db: Db, clock: FixedClock, cw: CaseWorld, cases: int, seed: int) -> list[str]:
    """``cases`` cases through random lifecycles; their ids. Each step moves the clock by up to
    150 minutes, so that a few dozen cases span more than a week and cross a month."""
    rng = random.Random(seed)
    closing_policy(db, clock, cw)
    ids: list[str] = []
    for number in range(cases):
        street = cw.world.a if rng.random() < 0.7 else cw.world.b
        reporter = load_actor(db, street.resident_id)
        data = ReportInput(
            Channel.RESIDENT, "HOUSING_SAFETY", f"生成案件 {number}", street.building.id
        )
        case = report_case(db, reporter, clock, data)
        ids.append(case.id)
        for _ in range(STEPS_PER_CASE):
            clock.advance(timedelta(minutes=rng.randint(0, 150)))
            step = _step(cw, case, street.staff_id, street.resident_id, rng)
            if step is None:
                break
            actor_id, command = step
            if command is None:  # wait: the sweeper fires the case's window (reminder, close)
                clock.advance(WAIT)
                for _ in range(3):  # the sweeper's own firing of one case, as a sweep runs it
                    if not fire_case(db, case.id, clock.now()):
                        break
                found = db.cases.get(case.id, consistent=True)
                assert found is not None
                case = found
                continue
            try:
                case = act_on_case(db, load_actor(db, actor_id), clock, case.id, command)
            except DomainError:
                continue  # a refused change writes nothing; the walk goes on
        clock_ = case.deadline
        if clock_ and clock_.warn_at and not clock_.warned and rng.random() < 0.5:
            # Sweep at the warning point (临期预警): the case is at risk until its next change.
            clock.advance(max(clock_.warn_at - clock.now(), timedelta(0)))
            sweep(db, clock.now())
        elif number % SWEEP_EVERY == SWEEP_EVERY - 1:
            sweep(db, clock.now())  # what fell due meanwhile: warnings, missed limits
    return ids


def _step(
    cw: CaseWorld, case: CaseRecord, grid_worker: str, resident: str, rng: random.Random
) -> tuple[str, machine.Command | None] | None:
    """A random next step allowed by the state machine, and who takes it; None when done."""
    allowed = machine.allowed_actions(case.domain())
    dispatcher = cw.dispatcher_id
    handler = {
        Level.GRID: grid_worker,
        Level.COMMUNITY: cw.community_dispatcher_id,
        Level.STREET: cw.street_admin_id,
    }.get(case.level) if case.level else None  # fmt: skip
    choices: list[tuple[str, machine.Command | None]] = []
    if Action.ACCEPT in allowed:
        mode = HandlingMode.JOINT if rng.random() < 0.2 else HandlingMode.ASSIGNED
        choices.append((dispatcher, machine.Accept(mode, "HOUSING_SAFETY")))
    if Action.ASSIGN in allowed:
        if case.mode is HandlingMode.JOINT or rng.random() < 0.2:
            choices.append((dispatcher, machine.Assign(
                Level.DISTRICT, lead_department=cw.housing.id,
                supporting_departments=(cw.gardens.id,) if case.mode is HandlingMode.JOINT else (),
            )))  # fmt: skip
        else:
            choices.append((dispatcher, machine.Assign(Level.GRID)))
    staff = {cw.housing.id: cw.housing_staff_id, cw.gardens.id: cw.gardens_staff_id}
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
    if Action.VERIFY in allowed:  # the governance centre checks: mostly passed
        choices += [(dispatcher, machine.Verify(True, "核查属实"))] * 3
        choices.append((dispatcher, machine.Verify(False, "现场核查未整改到位")))
    if case.evaluation_window is not None:  # the resident may stay silent until it ends
        choices.append((resident, None))
    if Action.EVALUATE in allowed:
        if rng.random() < 0.75:
            choices.append((resident, machine.Evaluate(Satisfaction.SATISFIED)))
        else:
            choices.append((resident, machine.Evaluate(Satisfaction.UNSATISFIED, "没修好")))
    if Action.REOPEN in allowed:  # only after an unsatisfied evaluation: usually reworked
        choices += [(dispatcher, machine.Reopen("复核未通过"))] * 3
    if Action.CLOSE in allowed:
        choices.append((dispatcher, machine.Close()))
    if not choices or rng.random() < 0.05:  # some cases stay open
        return None
    return rng.choice(choices)


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
