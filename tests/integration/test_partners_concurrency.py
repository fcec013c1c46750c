"""The seeds' meeting on real threads: 30 red partners claim among the 120 projects of 大港街道
青海路社区 at once (DynamoDB Local; a smaller meeting on moto, requests serialised since moto is
not thread-safe). No project ends over capacity, every successful claim is recorded exactly
once, every refusal is a typed error; a confirmation retried (and raced) grants points once;
two exchanges at once never overdraw an account."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

import pytest

from api.domain.clock import FixedClock
from api.domain.errors import DomainError
from api.domain.ledger import AccountKind, EntrySource, Posting
from api.domain.partners import ClaimStatus, PartnerAction, PartnerKind, ProjectAction
from api.records.partner import PartnerRecord, ProjectRecord
from api.services import ledger, partner_projects, partners
from api.services.actor import Actor, load_actor
from api.store.db import Db
from tests.conftest import BACKEND
from tests.partner_world import make_partner, make_project, root_actor
from tests.world import World

pytestmark = pytest.mark.usefixtures("serialised_moto")

T = TypeVar("T")
# The meeting of the seeds on DynamoDB Local; a smaller one on moto (serialised, in process).
PARTNERS, PROJECTS, CLAIMS_EACH = (30, 120, 10) if BACKEND == "local" else (6, 12, 5)
REFUSALS = {"PROJECT_FULL", "ALREADY_CLAIMED", "PROJECT_NOT_OPEN", "PARTNER_NOT_APPROVED"}


def outcome(result: object) -> str:
    return result.code.value if isinstance(result, DomainError) else "OK"


def on_threads(jobs: list[Callable[[], T]]) -> list[T]:
    barrier = threading.Barrier(len(jobs))

    def run(job: Callable[[], T]) -> T:
        barrier.wait(timeout=60)
        return job()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        return [future.result(timeout=600) for future in futures]


def warm_up(db: Db) -> None:
    _ = db.connection.client
    db.partners.partner("WARM-UP", consistent=True)


def test_thirty_partners_claim_among_120_projects_at_once(
    db: Db, clock: FixedClock, world: World
) -> None:
    rng = random.Random(20201120)
    capacities = [rng.choice((1, 1, 2, 3)) for _ in range(PROJECTS)]
    projects = [
        make_project(db, clock, world, f"党建项目{i:03d}", capacity=capacities[i])
        for i in range(PROJECTS)
    ]
    # Two projects stop taking claims before the meeting: one cancelled, one in delivery.
    root = root_actor(world)
    cancelled = partner_projects.transition(db, root, clock, projects[0].id, ProjectAction.CANCEL)
    directory = [world.district, world.b.street]
    team = [
        make_partner(db, clock, world, directory[i % 2], f"合伙人{i:02d}", PartnerKind.ENTERPRISE)
        for i in range(PARTNERS)
    ]
    suspended = partners.change_status(
        db, root, clock, team[-1].id, PartnerAction.SUSPEND, "协议到期未续"
    )
    # Each partner's list: distinct projects, plus one repeated (a double tap) and the cancelled.
    plans: list[list[str]] = []
    for _ in team:
        picks = rng.sample([p.id for p in projects[1:]], CLAIMS_EACH)
        plans.append([*picks, picks[0], cancelled.id])
    warm_up(db)

    def meeting(partner: PartnerRecord, plan: list[str]) -> list[tuple[str, object]]:
        # Claims recorded by the partner's managing unit at the meeting: the root admin.
        results: list[tuple[str, object]] = []
        for project_id in plan:
            try:
                results.append(
                    (project_id, partner_projects.claim(db, root, clock, project_id, partner.id))
                )
            except DomainError as error:
                results.append((project_id, error))
        return results

    per_partner = on_threads(
        [partial(meeting, p, plan) for p, plan in zip(team, plans, strict=True)]
    )

    outcomes: Counter[str] = Counter()
    won: dict[str, set[str]] = {p.id: set() for p in team}
    for partner, results in zip(team, per_partner, strict=True):
        for project_id, result in results:
            code = outcome(result)
            outcomes[code] += 1
            if code == "OK":
                assert project_id not in won[partner.id], "one partner won one project twice"
                won[partner.id].add(project_id)
            else:
                assert code in REFUSALS, (code, result)
    # Every refusal is typed and right: the double tap, the cancelled project, the suspended.
    assert outcomes["ALREADY_CLAIMED"] >= 1 or outcomes["PROJECT_FULL"] >= 1, outcomes
    assert all(
        outcome(r) in ("PROJECT_NOT_OPEN", "PARTNER_NOT_APPROVED")
        for results in per_partner
        for project_id, r in results
        if project_id == cancelled.id
    )
    assert won[suspended.id] == set()
    assert all(outcome(r) == "PARTNER_NOT_APPROVED" for _, r in per_partner[-1]), per_partner[-1]

    # The table agrees with the outcomes: each won claim recorded once, nothing over capacity.
    stored_claims: dict[str, set[str]] = {p.id: set() for p in team}
    total_claims = 0
    for project, capacity in zip(projects, capacities, strict=True):
        fresh = db.partners.project(project.id)
        assert fresh is not None
        claims = [c for c in db.partners.claims(project.id)]
        active = [c for c in claims if c.status == ClaimStatus.ACTIVE]
        assert len(active) == len(claims)
        assert len(claims) <= capacity
        assert int(fresh.claimed) == len(claims)
        assert int(fresh.slots_left) == capacity - len(claims)
        if project.id == cancelled.id:
            assert fresh.state == "CANCELLED" and not claims
        else:
            expected = "FULLY_CLAIMED" if len(claims) == capacity else "OPEN"
            assert fresh.state == expected, (fresh.state, len(claims), capacity)
        for c in claims:
            stored_claims[c.partner_id].add(project.id)
        total_claims += len(claims)
    assert stored_claims == won
    assert total_claims == outcomes["OK"]
    # Contention was real: some slots went to others first.
    assert outcomes["PROJECT_FULL"] > 0, outcomes
    # Each partner's own index lists exactly its won claims.
    for partner in team[:3]:
        mine = {
            c.project_id
            for c in (edge.node for edge in db.partners.partner_claims(partner.id, 100, None).edges)
        }
        assert mine == won[partner.id]


def deliver(
    db: Db, clock: FixedClock, world: World, capacity: int
) -> tuple[ProjectRecord, list[PartnerRecord]]:
    root = root_actor(world)
    project = make_project(db, clock, world, "电亮微行动", capacity=capacity)
    team = [
        make_partner(db, clock, world, world.b.street, f"交付合伙人{i}") for i in range(capacity)
    ]
    for partner in team:
        partner_projects.claim(db, root, clock, project.id, partner.id)
    partner_projects.transition(db, root, clock, project.id, ProjectAction.START_DELIVERY)
    for partner in team:
        partner_projects.report_delivery(
            db, root, clock, project.id, partner.id, "更换楼道感应灯12盏", ["photos/1.jpg"]
        )
    return project, team


def balance(db: Db, partner_id: str) -> tuple[int, int]:
    account = db.ledger.account(AccountKind.PARTNER_POINTS, partner_id, consistent=True)
    assert account is not None
    return account.balance, len(db.ledger.all_entries(AccountKind.PARTNER_POINTS, partner_id))


def test_a_confirmation_retried_and_raced_grants_points_once(
    db: Db, clock: FixedClock, world: World
) -> None:
    project, team = deliver(db, clock, world, capacity=2)
    staff = [load_actor(db, world.district_admin_id) for _ in range(4)]

    def confirm(actor: Actor) -> object:
        try:
            return partner_projects.transition(db, actor, clock, project.id, ProjectAction.CONFIRM)
        except DomainError as error:
            return error

    warm_up(db)
    results = on_threads([partial(confirm, a) for a in staff])
    assert {outcome(r) for r in results} <= {"OK", "CONFLICT"}
    assert "OK" in {outcome(r) for r in results}
    # And retried afterwards, twice, sequentially.
    for _ in range(2):
        again = partner_projects.transition(db, staff[0], clock, project.id, ProjectAction.CONFIRM)
        assert again.state == "CONFIRMED"
    points = int(project.points_per_partner)
    for partner in team:
        assert balance(db, partner.id) == (points, 1)
        stored = db.partners.claim(project.id, partner.id)
        assert stored is not None and stored.points == points


def test_exchanges_at_once_never_overdraw(db: Db, clock: FixedClock, world: World) -> None:
    admin = load_actor(db, world.district_admin_id)
    resident = world.b.resident_id
    ledger.post(
        db,
        admin,
        clock,
        Posting(AccountKind.SERVICE_HOURS, resident, 5, EntrySource.SERVICE, "助老服务", "svc-1"),
    )
    warm_up(db)

    def exchange(i: int) -> object:
        try:
            return ledger.post(
                db,
                load_actor(db, world.district_admin_id),
                clock,
                Posting(
                    AccountKind.SERVICE_HOURS,
                    resident,
                    -2,
                    EntrySource.EXCHANGE,
                    "兑换理发",
                    f"x-{i}",
                ),
            )
        except DomainError as error:
            return error

    results = on_threads([partial(exchange, i) for i in range(4)])
    codes = Counter(outcome(r) for r in results)
    # 5 hours cover two exchanges of 2; the others are refused (or lost a race and may retry).
    assert codes["OK"] <= 2 and set(codes) <= {"OK", "INSUFFICIENT_BALANCE", "CONFLICT"}, codes
    account = db.ledger.account(AccountKind.SERVICE_HOURS, resident, consistent=True)
    assert account is not None
    assert int(account.balance) == 5 - 2 * codes["OK"] >= 0
    entries = db.ledger.all_entries(AccountKind.SERVICE_HOURS, resident)
    assert len(entries) == 1 + codes["OK"]
