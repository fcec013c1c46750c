"""Time limits (时限) and escalation on deadlines, through the services — and the parts people
see through GraphQL — on moto and on DynamoDB Local.

Working-time deadlines across a weekend, a 调休 Saturday and the Spring Festival, outside office
hours, exactly at closing time and in a year the holiday calendar does not know; pauses over a
holiday and of an overdue case; races (a resolve against a firing, two sweepers at once); a
duplicate invocation and a replayed firing; an outage caught up one level per sweep; a stale
index entry; a policy edit mid-case; a reassignment mid-cycle; the DISTRICT claim clock handed
to the governance centre and then to 顶格调度; the 80 % warning; on-time counters; the Lambda
handler of the sweeper. Time is injected: nothing sleeps on the wall clock.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

import pytest

from api.domain import cases as machine
from api.domain.cases import Channel, HandlingMode, Level
from api.domain.clock import SHANGHAI, FixedClock, iso
from api.domain.deadlines.policy import DEFAULT_POLICY, Limit, TimePolicy
from api.domain.deadlines.timers import Timer, TimerKind
from api.domain.errors import DomainError
from api.domain.roles import Role
from api.records.case import CaseEventRecord, CaseRecord
from api.services import people
from api.services.actor import Actor, load_actor
from api.services.cases import ReportInput, act_on_case, report_case
from api.services.deadlines import case_timers, department_firing, policies, policy_admin
from api.services.deadlines.sweep import SweepReport, fire_case, sweep
from api.settings import Settings
from api.store.case_codec import deadline_from_json
from api.store.case_models import (
    DUE_SHARDS,
    CaseEventItem,
    CaseHandlerItem,
    CaseItem,
    DailyStatsItem,
    FiredItem,
    NoticeItem,
    TaskClockItem,
    case_key,
    case_pk,
    due_shard,
    stats_key,
    task_clock_key,
)
from api.store.db import Db
from api.store.models import OrgUnitItem, PersonItem, RoleGrantItem
from tests.case_world import CaseApi, CaseWorld, case_gid, unit_gid, whole_timeline
from tests.conftest import BACKEND

# These tests also read the stored items themselves (what the store wrote).
pytestmark = pytest.mark.usefixtures("raw_items")

# Cases overdue by several levels after an outage (DANGQUN_TIMER_OUTAGE_CASES to change).
# moto's TransactWriteItems deep-copies the whole table for every item of a transaction (its
# rollback), so its cost grows with the table: 200 cases there take many minutes and ~20 GB.
OUTAGE_CASES = int(
    os.environ.get("DANGQUN_TIMER_OUTAGE_CASES") or (200 if BACKEND == "local" else 20)
)


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, ms: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, ms * 1000, tzinfo=SHANGHAI)


# Monday 23 November 2026 is the fixture clock's day (09:30); 24th Tue, 25th Wed, 27th Fri.
MON = sh(2026, 11, 23, 9, 30)


@dataclass
class Desk:
    """Acts on cases as the people of the case world, at times the test chooses."""

    db: Db
    clock: FixedClock
    cw: CaseWorld
    _actors: dict[str, Actor] = field(default_factory=dict)

    def at(self, moment: datetime) -> None:
        self.clock.advance(moment - self.clock.now())

    def actor(self, person_id: str) -> Actor:
        if person_id not in self._actors:
            self._actors[person_id] = load_actor(self.db, person_id)
        return self._actors[person_id]

    def act(
        self, person_id: str, case_id: str, act: machine.Command, at: datetime | None = None
    ) -> CaseRecord:
        if at is not None:
            self.at(at)
        return act_on_case(self.db, self.actor(person_id), self.clock, case_id, act)

    def report(self, at: datetime | None = None, category: str = "ENVIRONMENT") -> CaseRecord:
        if at is not None:
            self.at(at)
        data = ReportInput(
            Channel.RESIDENT, category, "楼道堆物挡住消防通道", self.cw.world.a.building.id
        )
        return report_case(self.db, self.actor(self.cw.resident_id), self.clock, data)

    def at_grid(
        self,
        at: datetime,
        *,
        start: datetime | None = None,
        mode: HandlingMode = HandlingMode.ASSIGNED,
    ) -> CaseRecord:
        """Reported, accepted and assigned to street A's grid at ``at`` (a RESPONSE clock);
        signed for at ``start`` when given (a RESOLVE clock)."""
        dispatcher = self.cw.community_dispatcher_id
        case = self.report(at)
        self.act(dispatcher, case.id, machine.Accept(mode, "ENVIRONMENT"))
        case = self.act(dispatcher, case.id, machine.Assign(Level.GRID))
        if start is not None:
            case = self.act(self.cw.grid_worker_id, case.id, machine.Start(), at=start)
        return case

    def at_district(self, at: datetime) -> CaseRecord:
        """A joint case (联办) dispatched at ``at`` to housing (lead) and gardens (support):
        a CLAIM clock runs at DISTRICT."""
        dispatcher = self.cw.dispatcher_id
        case = self.report(at)
        accept = machine.Accept(HandlingMode.JOINT, "ENVIRONMENT")
        self.act(dispatcher, case.id, accept)
        dispatch = machine.Assign(
            Level.DISTRICT,
            lead_department=self.cw.housing.id,
            supporting_departments=(self.cw.gardens.id,),
        )
        return self.act(dispatcher, case.id, dispatch)

    def sweep(self, now: datetime, policy: TimePolicy | None = None) -> SweepReport:
        self.at(now)
        return sweep(self.db, now, policy)

    def case(self, case_id: str) -> CaseItem:
        """The stored case item (what the store wrote, index keys included)."""
        with self.db.bound():
            return CaseItem.get(*case_key(case_id), consistent_read=True)

    def record(self, case_id: str) -> CaseRecord:
        found = self.db.cases.get(case_id, consistent=True)
        assert found is not None
        return found

    def timer(self, case_id: str) -> Timer:
        running = self.record(case_id).deadline
        assert running is not None
        return running

    def events(self, case_id: str) -> tuple[CaseEventRecord, ...]:
        """The timeline after checking it is whole: seq 1..n and the count on the case."""
        return whole_timeline(self.db, case_id)[1]

    def actions(self, case_id: str) -> list[str]:
        return [event.action for event in self.events(case_id)]

    def notices(self, recipient_id: str, case_id: str | None = None) -> list[tuple[str, str]]:
        """(kind, level) of a recipient's notices, oldest first."""
        return [
            (notice.kind, notice.level)
            for notice in NoticeItem.query(f"NOTICE#{recipient_id}", consistent_read=True)
            if case_id is None or notice.case_id == case_id
        ]

    def fired(self, case_id: str) -> list[FiredItem]:
        return list(
            FiredItem.query(
                case_pk(case_id), FiredItem.sk.startswith("FIRED#"), consistent_read=True
            )
        )

    def levels(self, case_id: str) -> list[tuple[str, str | None, bool | None]]:
        """(level, due_at, met) of each level the case has been at."""
        return [
            (record["level"], record.get("due_at"), record.get("met"))
            for record in self.case(case_id).levels
        ]


@pytest.fixture
def desk(db: Db, clock: FixedClock, case_world: CaseWorld) -> Desk:
    # The time-policy cache is keyed by district, not by table (api/services/policies.py):
    # a policy edited by an earlier test on another table would leak in for its 30 seconds.
    policies.forget(case_world.district.id)
    return Desk(db, clock, case_world)


def warm_up(db: Db) -> None:
    """Open every connection the racers use before they start (lazy creation is not the race
    under test)."""
    _ = db.connection.client
    for model in (CaseItem, CaseEventItem, CaseHandlerItem, FiredItem, NoticeItem):
        model.count("WARM#UP", consistent_read=True)
    for other in (OrgUnitItem, PersonItem, RoleGrantItem):
        other.count("WARM#UP", consistent_read=True)


def race(actions: list[Callable[[], object]]) -> list[object]:
    """Run the actions on as many threads, released together by a barrier; each one's result
    or expected failure (anything else fails the test)."""
    barrier = threading.Barrier(len(actions))

    def run(action: Callable[[], object]) -> object:
        barrier.wait(timeout=30)
        try:
            return action()
        except DomainError as error:
            return error

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        futures = [pool.submit(run, action) for action in actions]
        return [future.result(timeout=120) for future in futures]


# --- Deadlines in working time --------------------------------------------------------------


def test_a_deadline_across_a_weekend_lands_on_monday_morning(desk: Desk) -> None:
    friday = sh(2026, 11, 27, 16, 30)
    case = desk.at_grid(friday)
    timer = desk.timer(case.id)
    # RESPONSE at GRID: 2 working hours = 1 h on Friday + 1 h on Monday; the warning at 80 %.
    assert (timer.kind, timer.level, timer.limit_hours) == (TimerKind.RESPONSE, Level.GRID, 2)
    assert (timer.started_at, timer.due_at, timer.warn_at) == (
        friday,
        sh(2026, 11, 30, 9, 30),
        sh(2026, 11, 30, 9, 6),
    )
    assert not timer.estimated

    saturday = desk.sweep(sh(2026, 11, 28, 12))
    assert (saturday.fired, saturday.items_read) == (0, 0)  # the index holds nothing due yet
    assert desk.sweep(sh(2026, 11, 30, 9, 5)).fired == 0
    assert desk.sweep(sh(2026, 11, 30, 9, 6)).fired == 1
    assert desk.sweep(sh(2026, 11, 30, 9, 29)).fired == 0
    assert desk.sweep(sh(2026, 11, 30, 9, 30)).fired == 1
    assert desk.actions(case.id)[-3:] == ["AT_RISK_WARNING", "SUPERVISION", "ESCALATE"]
    community = desk.timer(case.id)
    # The community's clock starts at the grid's deadline: 2.5 h before lunch, 0.5 h after.
    assert (community.level, community.started_at, community.due_at) == (
        Level.COMMUNITY,
        sh(2026, 11, 30, 9, 30),
        sh(2026, 11, 30, 14),
    )


def test_a_make_up_saturday_counts_and_the_spring_festival_does_not(desk: Desk) -> None:
    # Friday 13 February 2026, 17:00: half an hour left that day; Saturday the 14th is a 调休
    # workday, then 15–23 February are the Spring Festival holidays.
    case = desk.at_grid(sh(2026, 2, 13, 17))
    timer = desk.timer(case.id)
    assert (timer.due_at, timer.warn_at) == (sh(2026, 2, 14, 10), sh(2026, 2, 14, 9, 36))
    # Signed for on the Saturday at 09:00: RESOLVE, 15 working hours = 7 h on Saturday, nothing
    # over the holidays, 7.5 h on Tuesday 24th and 0.5 h on Wednesday 25th.
    desk.act(desk.cw.grid_worker_id, case.id, machine.Start(), at=sh(2026, 2, 14, 9))
    timer = desk.timer(case.id)
    assert (timer.kind, timer.limit_hours) == (TimerKind.RESOLVE, 15)
    assert (timer.due_at, timer.warn_at) == (sh(2026, 2, 25, 9), sh(2026, 2, 24, 15))
    assert not timer.estimated

    for quiet in (sh(2026, 2, 16, 12), sh(2026, 2, 23, 17), sh(2026, 2, 24, 14, 59)):
        assert desk.sweep(quiet).fired == 0
    assert desk.sweep(sh(2026, 2, 24, 15)).fired == 1
    assert desk.actions(case.id)[-1] == "AT_RISK_WARNING"
    assert desk.sweep(sh(2026, 2, 25, 8, 59)).fired == 0
    assert desk.sweep(sh(2026, 2, 25, 9)).fired == 1
    assert desk.actions(case.id)[-1] == "ESCALATE"
    assert desk.levels(case.id)[0] == ("GRID", iso(sh(2026, 2, 25, 9)), False)
    # Assigned on a holiday: the clock starts when work does, Tuesday 24th at 08:30.
    holiday = desk.at_grid(sh(2026, 2, 17, 10))
    assert desk.timer(holiday.id).due_at == sh(2026, 2, 24, 10, 30)


def test_a_clock_started_outside_working_hours_counts_from_the_next_period(desk: Desk) -> None:
    night = desk.at_grid(sh(2026, 11, 24, 20))  # Tuesday evening
    timer = desk.timer(night.id)
    assert timer.started_at == sh(2026, 11, 24, 20)  # recorded as it happened
    assert (timer.due_at, timer.warn_at) == (sh(2026, 11, 25, 10, 30), sh(2026, 11, 25, 10, 6))
    assert desk.sweep(sh(2026, 11, 25, 8, 29)).fired == 0  # nothing has elapsed overnight
    assert desk.sweep(sh(2026, 11, 25, 10, 5)).fired == 0
    assert desk.sweep(sh(2026, 11, 25, 10, 6)).fired == 1
    assert desk.sweep(sh(2026, 11, 25, 10, 30)).fired == 1
    assert desk.actions(night.id)[-3:] == ["AT_RISK_WARNING", "SUPERVISION", "ESCALATE"]

    lunch = desk.at_grid(sh(2026, 11, 25, 12, 15))  # the lunch break: counts from 13:30
    assert (desk.timer(lunch.id).due_at, desk.timer(lunch.id).warn_at) == (
        sh(2026, 11, 25, 15, 30),
        sh(2026, 11, 25, 15, 6),
    )
    sunday = desk.at_grid(sh(2026, 11, 29, 10))  # a weekend day: counts from Monday 08:30
    assert desk.timer(sunday.id).due_at == sh(2026, 11, 30, 10, 30)


def test_a_deadline_exactly_at_closing_time_fires_at_closing_time(desk: Desk) -> None:
    case = desk.at_grid(sh(2026, 11, 24, 15, 30))
    timer = desk.timer(case.id)
    # 15:30 + 2 working hours is 17:30 that day, not 08:30 the next morning.
    assert (timer.due_at, timer.warn_at) == (sh(2026, 11, 24, 17, 30), sh(2026, 11, 24, 17, 6))
    assert desk.sweep(sh(2026, 11, 24, 17, 6)).fired == 1
    assert desk.sweep(sh(2026, 11, 24, 17, 29, 59, 999)).fired == 0
    closing = desk.sweep(sh(2026, 11, 24, 17, 30))
    assert (closing.fired, closing.lateness_seconds) == (1, [0.0])
    community = desk.timer(case.id)
    # The community's 3 h start at the grid's deadline, 17:30: all of them on Wednesday.
    assert (community.level, community.started_at, community.due_at, community.warn_at) == (
        Level.COMMUNITY,
        sh(2026, 11, 24, 17, 30),
        sh(2026, 11, 25, 11, 30),
        sh(2026, 11, 25, 10, 54),
    )
    assert desk.levels(case.id)[0] == ("GRID", iso(sh(2026, 11, 24, 17, 30)), False)


TIMER_CASE = """
query($id: ID!) { case(id: $id) {
  state level breached everBreached policyVersion painPoint assigneeName
  timer { kind level startedAt dueAt warnAt warned paused limitHours workingHours estimated }
  levels { level enteredAt leftAt dueAt met }
  tasks { departmentName role status breached everBreached timer { kind dueAt } }
  timeline { seq action fromState toState level actorRole note actor { id } }
} }"""
NOTICES = """
query($unit: ID, $first: Int!) { caseNotices(unitId: $unit, first: $first) {
  nodes { caseId code kind level message at } } }"""


def gql_case(api: CaseApi, as_: str, case_id: str) -> dict[str, Any]:
    found: dict[str, Any] | None = api.data(TIMER_CASE, {"id": case_gid(case_id)}, as_)
    assert found is not None
    return found


def gql_notices(api: CaseApi, as_: str, unit_id: str | None = None) -> list[dict[str, Any]]:
    variables = {"unit": unit_gid(unit_id) if unit_id else None, "first": 50}
    nodes: list[dict[str, Any]] = api.data(NOTICES, variables, as_)["nodes"]
    return nodes


def test_a_year_the_calendar_does_not_know_is_flagged_estimated(
    desk: Desk, asgi_case_api: CaseApi
) -> None:
    api, grid_worker = asgi_case_api, desk.cw.grid_worker_id
    known = desk.at_grid(MON)
    # 31 December 2026, 17:00: the deadline runs into 2027, which chinesecalendar does not
    # know; 1 January (a Friday) is assumed a workday — hence "estimated".
    new_year = desk.at_grid(sh(2026, 12, 31, 17))
    in_2027 = desk.at_grid(sh(2027, 3, 1, 9))  # a Monday in 2027
    seen = {c.id: gql_case(api, grid_worker, c.id)["timer"] for c in (known, new_year, in_2027)}
    assert {k: (t["dueAt"], t["estimated"]) for k, t in seen.items()} == {
        known.id: (iso(sh(2026, 11, 23, 11, 30)), False),
        new_year.id: (iso(sh(2027, 1, 1, 10)), True),
        in_2027.id: (iso(sh(2027, 3, 1, 11)), True),
    }
    assert seen[in_2027.id] == {
        "kind": "RESPONSE",
        "level": "GRID",
        "startedAt": iso(sh(2027, 3, 1, 9)),
        "dueAt": iso(sh(2027, 3, 1, 11)),
        "warnAt": iso(sh(2027, 3, 1, 10, 36)),
        "warned": False,
        "paused": False,
        "limitHours": 2.0,
        "workingHours": True,
        "estimated": True,
    }
    # The estimated deadline fires like any other; the next clock inherits the uncertainty.
    assert desk.sweep(sh(2027, 3, 1, 11)).fired == 3  # all three are due by then
    for case in (new_year, in_2027):
        assert desk.timer(case.id).estimated
        assert desk.timer(case.id).level is Level.COMMUNITY


# --- Pauses ---------------------------------------------------------------------------------


def test_a_pause_spanning_the_holiday_resumes_with_the_hours_already_used(
    desk: Desk, asgi_case_api: CaseApi
) -> None:
    worker = desk.cw.grid_worker_id
    case = desk.at_grid(sh(2026, 2, 12, 8, 30), start=sh(2026, 2, 12, 9))
    timer = desk.timer(case.id)
    assert (timer.due_at, timer.warn_at) == (sh(2026, 2, 14, 9), sh(2026, 2, 13, 15))
    # Paused on Friday at 10:00 waiting on the resident: 7 h on Thursday + 1.5 h on Friday.
    desk.act(worker, case.id, machine.Pause("等待居民清理"), at=sh(2026, 2, 13, 10))
    paused = gql_case(asgi_case_api, worker, case.id)
    assert paused["state"] == "PAUSED"
    assert (paused["timer"]["paused"], paused["timer"]["dueAt"]) == (True, None)
    # Nothing fires while paused, not at the original deadline, not on the make-up Saturday.
    for moment in (sh(2026, 2, 13, 15), sh(2026, 2, 14, 9), sh(2026, 2, 20, 12)):
        report = desk.sweep(moment)
        assert (report.fired, report.items_read) == (0, 0)
    desk.act(worker, case.id, machine.Resume(), at=sh(2026, 2, 24, 9))
    timer = desk.timer(case.id)
    # 6.5 h remain from Tuesday 09:00: 3 h before lunch, 3.5 h after: 17:00.
    assert timer.consumed_hours == pytest.approx(8.5)
    assert (timer.started_at, timer.resumed_at) == (sh(2026, 2, 12, 9), sh(2026, 2, 24, 9))
    assert (timer.due_at, timer.warn_at, timer.warned) == (
        sh(2026, 2, 24, 17),
        sh(2026, 2, 24, 14),
        False,
    )
    assert desk.sweep(sh(2026, 2, 24, 13, 59)).fired == 0
    assert desk.sweep(sh(2026, 2, 24, 14)).fired == 1
    assert desk.sweep(sh(2026, 2, 24, 17)).fired == 1
    assert desk.actions(case.id) == [
        "REPORT", "ACCEPT", "ASSIGN", "START", "PAUSE", "RESUME", "AT_RISK_WARNING",
        "SUPERVISION", "ESCALATE",
    ]  # fmt: skip
    assert desk.levels(case.id)[0] == ("GRID", iso(sh(2026, 2, 24, 17)), False)


def test_pausing_an_overdue_case_holds_the_breach_until_it_resumes(desk: Desk) -> None:
    worker = desk.cw.grid_worker_id
    case = desk.at_grid(MON, start=MON)
    assert desk.timer(case.id).due_at == sh(2026, 11, 25, 9, 30)
    # The sweeper was down: the deadline passed unseen and the grid pauses the case late.
    desk.act(worker, case.id, machine.Pause("等待居民"), at=sh(2026, 11, 25, 10))
    assert desk.case(case.id).duepk is None  # a paused clock is out of the due index
    for moment in (sh(2026, 11, 25, 10), sh(2026, 11, 26, 8)):
        report = desk.sweep(moment)
        assert (report.fired, report.items_read) == (0, 0)
    assert desk.actions(case.id)[-1] == "PAUSE"
    resume_at = sh(2026, 11, 26, 9)
    desk.act(worker, case.id, machine.Resume(), at=resume_at)
    timer = desk.timer(case.id)
    # 6.5 + 7.5 + 1.5 h used ≥ 15: it resumes already due and breaches at once.
    assert timer.consumed_hours == pytest.approx(15.5)
    assert (timer.due_at, timer.warned) == (resume_at, False)
    report = desk.sweep(resume_at)
    assert report.fired == 1
    assert desk.actions(case.id)[-4:] == [
        "PAUSE",
        "RESUME",
        "SUPERVISION",
        "ESCALATE",
    ]  # no late warning
    stored = desk.case(case.id)
    assert (stored.level, stored.breached, stored.ever_breached) == ("COMMUNITY", False, True)
    assert desk.levels(case.id) == [("GRID", iso(resume_at), False), ("COMMUNITY", None, None)]
    assert desk.timer(case.id).started_at == resume_at


# --- Races and repeats ----------------------------------------------------------------------


@pytest.mark.usefixtures("serialised_moto")
def test_resolve_racing_a_firing_lets_exactly_one_win(desk: Desk, db: Db) -> None:
    warm_up(db)
    worker = desk.cw.grid_worker_id
    due = sh(2026, 11, 25, 9, 30)
    seen: Counter[str] = Counter()
    for _ in range(3):
        case = desk.at_grid(MON, start=MON)
        assert desk.timer(case.id).due_at == due
        now = due + timedelta(minutes=1)
        desk.at(now)
        resolve = machine.Resolve("已清理")
        resolved, fired = race(
            [
                partial(act_on_case, db, load_actor(db, worker), desk.clock, case.id, resolve),
                partial(fire_case, db, case.id, now),
            ]
        )
        stored = desk.case(case.id)
        actions = desk.actions(case.id)  # checks seq 1..n and the count
        assert actions[:4] == ["REPORT", "ACCEPT", "ASSIGN", "START"]
        # Exactly one more change: the resolution, or the firing's 督办 and escalation.
        if isinstance(resolved, CaseRecord):
            assert actions[4:] == ["RESOLVE"]
            assert fired is False
            assert (actions[-1], stored.state, stored.clock) == ("RESOLVE", "RESOLVED", None)
            assert desk.fired(case.id) == []
            assert desk.notices(desk.cw.world.a.grid.id, case.id) == []
            seen["resolve"] += 1
        else:
            assert fired is True
            assert actions[4:] == ["SUPERVISION", "ESCALATE"]
            assert isinstance(resolved, DomainError)
            assert resolved.code.value in {"CONFLICT", "FORBIDDEN", "INVALID_TRANSITION"}
            assert (actions[-1], stored.state, stored.level) == (
                "ESCALATE",
                "ASSIGNED",
                "COMMUNITY",
            )
            assert len(desk.fired(case.id)) == 1
            seen["firing"] += 1
    assert sum(seen.values()) == 3, seen


@pytest.mark.usefixtures("serialised_moto")
def test_two_sweepers_at_once_escalate_each_case_exactly_once(desk: Desk, db: Db) -> None:
    cases = [desk.at_grid(MON) for _ in range(6)]  # RESPONSE clocks due at 11:30
    warm_up(db)
    now = sh(2026, 11, 23, 11, 31)
    desk.at(now)
    reports = race([lambda: sweep(db, now), lambda: sweep(db, now)])
    assert all(isinstance(r, SweepReport) for r in reports), reports
    sweeps = [r for r in reports if isinstance(r, SweepReport)]
    assert sum(r.fired for r in sweeps) == len(cases)
    for report in sweeps:
        assert report.fired + report.skipped == report.index_items_read
    for case in cases:
        assert desk.actions(case.id) == ["REPORT", "ACCEPT", "ASSIGN", "SUPERVISION", "ESCALATE"]
        assert len(desk.fired(case.id)) == 1
        assert desk.case(case.id).level == "COMMUNITY"
        assert desk.notices(desk.cw.world.a.grid.id, case.id) == [("SUPERVISION", "GRID")]
        assert desk.notices(desk.cw.world.a.community.id, case.id) == [("ESCALATED", "COMMUNITY")]
    assert desk.sweep(now).fired == 0


def test_a_duplicate_invocation_fires_nothing_and_a_replay_meets_its_marker(desk: Desk) -> None:
    case = desk.at_grid(MON)
    before = desk.case(case.id)  # as a delayed retry of the same firing would see it
    now = sh(2026, 11, 23, 11, 31)
    first = desk.sweep(now)
    assert (first.fired, first.index_items_read, first.cases_read) == (1, 1, 1)
    (marker,) = desk.fired(case.id)
    assert (marker.due_at, marker.lateness_seconds) == (iso(sh(2026, 11, 23, 11, 30)), 60)
    second = desk.sweep(now)  # the same scheduled event delivered twice
    assert (second.fired, second.skipped) == (0, 0)
    assert fire_case(desk.db, case.id, now) is False
    assert desk.actions(case.id) == ["REPORT", "ACCEPT", "ASSIGN", "SUPERVISION", "ESCALATE"]
    grid, community = desk.cw.world.a.grid.id, desk.cw.world.a.community.id
    assert desk.notices(grid) == [("SUPERVISION", "GRID")]

    # Replay: put the case back as it was before the firing (same clock, same generation),
    # keeping only its version, event count and timeline current. The case condition now
    # passes; the FIRED marker of the same event id is what refuses the second application.
    after = desk.case(case.id)
    before.version = after.version
    before.event_count = after.event_count
    before.timeline = after.timeline
    with desk.db.bound():
        before.save()
    assert fire_case(desk.db, case.id, now) is False
    assert desk.actions(case.id) == ["REPORT", "ACCEPT", "ASSIGN", "SUPERVISION", "ESCALATE"]
    assert len(desk.fired(case.id)) == 1
    assert desk.notices(grid) == [("SUPERVISION", "GRID")]
    assert desk.notices(community) == [("ESCALATED", "COMMUNITY")]


def test_after_an_outage_each_sweep_escalates_each_case_exactly_one_level(desk: Desk) -> None:
    count = OUTAGE_CASES
    cases = [desk.at_grid(MON).id for _ in range(count)]
    # Due: GRID Mon 11:30, COMMUNITY (3 h) Mon 16:00, STREET (4 h) Tue 11:00, DISTRICT (4 h,
    # the centre to dispatch) Tue 16:30; then TOP resolves in 20 working days.
    dues = [
        iso(sh(2026, 11, 23, 11, 30)),
        iso(sh(2026, 11, 23, 16)),
        iso(sh(2026, 11, 24, 11)),
        iso(sh(2026, 11, 24, 16, 30)),
    ]
    climb = ["COMMUNITY", "STREET", "DISTRICT", "TOP"]
    back = sh(2026, 11, 25, 12)  # the sweeper is back on Wednesday at noon
    for step, level in enumerate(climb):
        report = desk.sweep(back + timedelta(minutes=step))
        assert (report.fired, report.skipped) == (count, 0), level
        assert (report.index_items_read, report.cases_read) == (count, count)
        assert min(report.lateness_seconds) > 0
        assert Counter(desk.case(case_id).level for case_id in cases) == {level: count}
    last = desk.sweep(back + timedelta(minutes=len(climb)))
    assert (last.fired, last.items_read) == (0, 0)

    leader = desk.cw.leader_id
    for case_id in cases:
        events = desk.events(case_id)
        assert [e.action for e in events] == ["REPORT", "ACCEPT", "ASSIGN"] + [
            "SUPERVISION",
            "ESCALATE",
        ] * 4
        assert [(e.level, e.actor_role, e.at) for e in events[4::2]] == [
            (level, "SYSTEM", iso(back + timedelta(minutes=step)))
            for step, level in enumerate(climb)
        ]
        assert desk.levels(case_id) == [
            ("GRID", dues[0], False),
            ("COMMUNITY", dues[1], False),
            ("STREET", dues[2], False),
            ("DISTRICT", dues[3], False),
            ("TOP", None, None),
        ]
        assert len({marker.sk for marker in desk.fired(case_id)}) == 4
        stored = desk.case(case_id)
        assert (stored.assignee_id, stored.pain_point, stored.ever_breached) == (
            leader,
            True,
            True,
        )
    a = desk.cw.world.a
    expected = {
        a.grid.id: {("SUPERVISION", "GRID"): count},
        a.community.id: {("ESCALATED", "COMMUNITY"): count, ("SUPERVISION", "COMMUNITY"): count},
        a.street.id: {("ESCALATED", "STREET"): count, ("SUPERVISION", "STREET"): count},
        desk.cw.district.id: {
            ("ESCALATED", "DISTRICT"): count,
            ("SUPERVISION", "DISTRICT"): count,
        },
        leader: {("ESCALATED", "TOP"): count, ("PAIN_POINT", "TOP"): count},
    }
    assert {who: Counter(desk.notices(who)) for who in expected} == expected


def test_a_stale_index_entry_applies_nothing(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    worker = desk.cw.grid_worker_id
    signed = desk.at_grid(MON)  # RESPONSE, due 11:30
    resolved = desk.at_grid(MON, start=MON)
    # What a lagging index read at 11:30 would still show: both cases, with their old entries.
    upper = f"{iso(sh(2026, 11, 23, 11, 30))}#\uffff"
    stale = {shard: desk.db.cases.due_case_ids(shard, upper, 100) for shard in range(DUE_SHARDS)}
    assert signed.id in stale[due_shard(signed.id)]
    desk.act(worker, signed.id, machine.Start(), at=sh(2026, 11, 23, 10))  # RESOLVE clock
    desk.act(worker, resolved.id, machine.Resolve("已处理"), at=sh(2026, 11, 23, 10))
    stale[due_shard(resolved.id)].append(resolved.id)
    before = {c: desk.actions(c) for c in (signed.id, resolved.id)}

    monkeypatch.setattr(
        desk.db.cases, "due_keys", lambda shard, *_: [f"CASE#{case}" for case in stale[shard]]
    )
    report = desk.sweep(sh(2026, 11, 23, 11, 30))
    assert (report.index_items_read, report.cases_read, report.fired, report.skipped) == (
        2,
        2,
        0,
        2,
    )
    for case_id in (signed.id, resolved.id):
        assert fire_case(desk.db, case_id, sh(2026, 11, 23, 11, 30)) is False
        assert desk.actions(case_id) == before[case_id]
        assert desk.fired(case_id) == []
    assert desk.notices(desk.cw.world.a.grid.id) == []
    assert desk.timer(signed.id).due_at == sh(2026, 11, 25, 10)  # the new clock is untouched


# --- Policy and reassignment ----------------------------------------------------------------


def edited_policy(version: int) -> TimePolicy:
    """The default policy with a shorter grid limit and a longer community one."""
    default = dict(DEFAULT_POLICY.default)
    default[Level.GRID] = Limit(response_hours=1, resolve_hours=7.5)
    default[Level.COMMUNITY] = Limit(response_hours=6, resolve_hours=30)
    return TimePolicy(version=version, rules=DEFAULT_POLICY.rules, default=default)


def test_a_policy_edit_keeps_the_running_limit_and_the_next_clock_uses_the_new_one(
    desk: Desk,
) -> None:
    case = desk.at_grid(MON)  # version 1: 2 h to sign for
    assert desk.case(case.id).policy_version == 1
    edited = edited_policy(2)
    # Under the edited policy 1 h would have passed at 10:30; the running clock keeps 2 h.
    assert desk.sweep(sh(2026, 11, 23, 10, 45), edited).fired == 0
    assert desk.sweep(sh(2026, 11, 23, 11, 6), edited).fired == 1
    timer = desk.timer(case.id)
    assert (timer.limit_hours, timer.warned, timer.due_at) == (2, True, sh(2026, 11, 23, 11, 30))
    assert desk.sweep(sh(2026, 11, 23, 11, 30), edited).fired == 1
    community = desk.timer(case.id)
    # The community's clock is new: 6 h from 11:30 = 0.5 + 4 h on Monday, 1.5 h on Tuesday.
    assert (community.level, community.limit_hours, community.due_at) == (
        Level.COMMUNITY,
        6,
        sh(2026, 11, 24, 10),
    )
    assert desk.case(case.id).policy_version == 2


def test_a_policy_saved_by_an_admin_applies_from_the_next_clock(
    desk: Desk, asgi_case_api: CaseApi
) -> None:
    district = desk.cw.district.id
    before = desk.at_grid(MON)
    admin = desk.actor(desk.cw.world.district_admin_id)
    saved = policy_admin.update_policy(desk.db, admin, desk.clock, district, edited_policy(1))
    assert saved.version == 2
    after = desk.at_grid(sh(2026, 11, 23, 9, 45))
    assert (desk.timer(before.id).limit_hours, desk.case(before.id).policy_version) == (2, 1)
    assert (desk.timer(after.id).limit_hours, desk.case(after.id).policy_version) == (1, 2)
    report = desk.sweep(sh(2026, 11, 23, 11, 30))  # the policy is the district's, read per case
    assert report.fired == 2  # `after` breached at 10:45, `before` at 11:30
    for case in (before, after):
        seen = gql_case(asgi_case_api, desk.cw.community_dispatcher_id, case.id)
        assert (seen["level"], seen["policyVersion"]) == ("COMMUNITY", 2)
        assert seen["timer"]["limitHours"] == 6


def test_send_back_and_reassign_start_a_new_clock_and_the_old_firing_does_nothing(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker, dispatcher = desk.cw.grid_worker_id, desk.cw.community_dispatcher_id
    case = desk.at_grid(MON)
    old = desk.timer(case.id)
    assert old.due_at == sh(2026, 11, 23, 11, 30)
    desk.act(worker, case.id, machine.SendBack("不属于本网格"), at=sh(2026, 11, 23, 10))
    stored = desk.case(case.id)
    assert stored.state == "ACCEPTED"
    assert stored.clock is None and stored.duepk is None  # no clock, out of the due index
    desk.act(
        dispatcher,
        case.id,
        machine.Assign(Level.GRID),
        at=sh(2026, 11, 23, 10, 30),
    )
    new = desk.timer(case.id)
    assert new.generation > old.generation
    assert (new.started_at, new.due_at, new.warn_at) == (
        sh(2026, 11, 23, 10, 30),
        sh(2026, 11, 23, 14),
        sh(2026, 11, 23, 13, 36),
    )
    old_due = sh(2026, 11, 23, 11, 30)
    assert desk.sweep(old_due).fired == 0
    assert fire_case(desk.db, case.id, old_due) is False
    monkeypatch.setattr(desk.db.cases, "due_keys", lambda *_: [f"CASE#{case.id}"])  # stale
    stale = desk.sweep(old_due)
    assert (stale.fired, stale.skipped) == (0, DUE_SHARDS)
    monkeypatch.undo()
    assert desk.actions(case.id) == ["REPORT", "ACCEPT", "ASSIGN", "SEND_BACK", "ASSIGN"]
    assert desk.sweep(sh(2026, 11, 23, 13, 36)).fired == 1
    assert desk.sweep(sh(2026, 11, 23, 14)).fired == 1
    assert desk.levels(case.id) == [
        ("GRID", iso(old_due), True),  # left on time by the send-back
        ("GRID", iso(sh(2026, 11, 23, 14)), False),
        ("COMMUNITY", None, None),
    ]


# --- DISTRICT: the claim clock, the governance centre, 顶格调度 ------------------------------


def test_an_unclaimed_joint_case_goes_to_the_centre_and_then_to_top(
    desk: Desk, asgi_case_api: CaseApi
) -> None:
    cw = desk.cw
    case = desk.at_district(MON)
    timer = desk.timer(case.id)
    # One CLAIM clock for the case (not one per department): 4 working hours.
    assert (timer.kind, timer.level, timer.centre) == (TimerKind.CLAIM, Level.DISTRICT, False)
    assert (timer.due_at, timer.warn_at) == (sh(2026, 11, 23, 15), sh(2026, 11, 23, 14, 12))
    # The supporting department (gardens) has a CLAIM clock of its own with the same limit:
    # each fires once at 14:12 (warning) and 15:00 (breach).
    assert desk.sweep(sh(2026, 11, 23, 14, 12)).fired == 2
    assert desk.sweep(sh(2026, 11, 23, 15)).fired == 2
    assert desk.notices(cw.gardens.id, case.id) == [
        ("AT_RISK_WARNING", "DISTRICT"),
        ("SUPERVISION", "DISTRICT"),
    ]
    stored = desk.case(case.id)
    # Nobody reported for duty: the governance centre is told and gets a CLAIM clock of its own.
    assert (stored.state, stored.level, stored.breached, stored.ever_breached) == (
        "ASSIGNED",
        "DISTRICT",
        True,
        True,
    )
    assert [t["status"] for t in stored.tasks] == ["ASSIGNED", "ASSIGNED"]
    centre = desk.timer(case.id)
    assert (centre.kind, centre.centre, centre.started_at, centre.due_at) == (
        TimerKind.CLAIM,
        True,
        sh(2026, 11, 23, 15),
        sh(2026, 11, 24, 10),
    )
    assert desk.actions(case.id)[-4:] == [
        "AT_RISK_WARNING",
        "AT_RISK_WARNING",
        "SUPERVISION",
        "SUPERVISION",
    ]
    assert desk.sweep(sh(2026, 11, 24, 9, 12)).fired == 1  # the centre's own warning
    assert desk.sweep(sh(2026, 11, 24, 10)).fired == 1
    stored = desk.case(case.id)
    assert (stored.level, stored.assignee_id, stored.pain_point, stored.tasks) == (
        "TOP",
        cw.leader_id,
        True,
        [],
    )
    assert desk.levels(case.id) == [
        ("DISTRICT", iso(sh(2026, 11, 24, 10)), False),
        ("TOP", None, None),
    ]

    api = asgi_case_api
    seen = gql_case(api, cw.leader_id, case.id)
    assert (seen["level"], seen["painPoint"], seen["assigneeName"]) == ("TOP", True, "包案区领导")
    assert (seen["timer"]["kind"], seen["timer"]["level"]) == ("RESOLVE", "TOP")
    assert (seen["breached"], seen["everBreached"]) == (False, True)
    system = [(e["action"], e["actorRole"], e["actor"]) for e in seen["timeline"][3:]]
    assert system == [
        ("AT_RISK_WARNING", "SYSTEM", None),
        ("AT_RISK_WARNING", "SYSTEM", None),
        ("SUPERVISION", "SYSTEM", None),
        ("SUPERVISION", "SYSTEM", None),
        ("AT_RISK_WARNING", "SYSTEM", None),
        ("SUPERVISION", "SYSTEM", None),
        ("ESCALATE", "SYSTEM", None),
    ]
    gardens_notes = [e["note"] for e in seen["timeline"][3:] if "园林" in (e["note"] or "")]
    assert len(gardens_notes) == 2 and all(stored.code in note for note in gardens_notes)
    mine = gql_notices(api, cw.leader_id)  # the leader's own notices: no unit named
    assert sorted(n["kind"] for n in mine) == ["ESCALATED", "PAIN_POINT"]
    assert {n["caseId"] for n in mine} == {case_gid(case.id)}
    centre_notices = gql_notices(api, cw.dispatcher_id, cw.district.id)
    assert [n["kind"] for n in centre_notices] == [  # newest first
        "SUPERVISION",
        "AT_RISK_WARNING",
        "UNCLAIMED_TO_CENTRE",
        "AT_RISK_WARNING",
    ]


def deadline_of(stored: dict[str, Any] | None) -> Timer:
    deadline = deadline_from_json(stored)
    assert deadline is not None
    return deadline


def department_clock(case_id: str, department_id: str) -> TaskClockItem:
    return TaskClockItem.get(*task_clock_key(case_id, department_id), consistent_read=True)


def test_a_joint_case_keeps_a_clock_per_department(desk: Desk, asgi_case_api: CaseApi) -> None:
    """The lead's claim and resolve limits run on the case; the supporting department's on its
    own clock, which warns and supervises that department without moving the case."""
    cw = desk.cw
    case = desk.at_district(MON)
    gardens = department_clock(case.id, cw.gardens.id)
    first = deadline_of(gardens.clock)
    assert (first.kind, first.level, first.due_at) == (
        TimerKind.CLAIM,
        Level.DISTRICT,
        sh(2026, 11, 23, 15),
    )
    # Gardens reports for duty: its own RESOLVE clock starts; the lead's CLAIM clock runs on.
    claim = machine.Claim(cw.gardens.id)
    desk.act(cw.gardens_staff_id, case.id, claim, at=sh(2026, 11, 23, 10))
    resolving = deadline_of(department_clock(case.id, cw.gardens.id).clock)
    assert (resolving.kind, resolving.started_at, resolving.limit_hours) == (
        TimerKind.RESOLVE,
        sh(2026, 11, 23, 10),
        75,
    )
    assert resolving.generation > first.generation
    lead = desk.timer(case.id)
    assert (lead.kind, lead.due_at) == (TimerKind.CLAIM, sh(2026, 11, 23, 15))
    # The lead claims: the case's clock is now the lead's RESOLVE clock; gardens' is unchanged.
    housing = machine.Claim(cw.housing.id)
    desk.act(cw.housing_staff_id, case.id, housing, at=sh(2026, 11, 23, 11))
    assert desk.timer(case.id).kind is TimerKind.RESOLVE
    unchanged = deadline_of(department_clock(case.id, cw.gardens.id).clock)
    assert unchanged == resolving

    # Waiting on the resident pauses every clock of the case; resuming continues each of them.
    desk.act(cw.housing_staff_id, case.id, machine.Pause("等居民"), at=sh(2026, 11, 23, 13))
    paused = deadline_of(department_clock(case.id, cw.gardens.id).clock)
    assert paused.paused and paused.due_at is None
    assert department_clock(case.id, cw.gardens.id).duepk is None  # out of the due index
    desk.act(cw.housing_staff_id, case.id, machine.Resume(), at=sh(2026, 11, 24, 13))
    resumed = deadline_of(department_clock(case.id, cw.gardens.id).clock)
    calendar = case_timers.current_calendar(desk.db, desk.record(case.id))
    used = calendar.working_time_between(sh(2026, 11, 23, 10), sh(2026, 11, 23, 13)).hours
    assert resumed.consumed_hours == pytest.approx(used)
    assert resumed.due_at is not None and resumed.due_at > resolving.due_at  # type: ignore[operator]
    assert resumed.warn_at is not None

    # Gardens' warning and breach: notices to gardens only, the case stays with the lead.
    # (The lead's own warning falls between them: it started an hour later.)
    lead_warning = desk.timer(case.id).warn_at
    assert lead_warning is not None and resumed.warn_at < lead_warning < resumed.due_at
    assert desk.sweep(resumed.warn_at).fired == 1
    assert desk.sweep(lead_warning).fired == 1
    assert desk.notices(cw.district.id, case.id) == [("AT_RISK_WARNING", "DISTRICT")]
    assert desk.sweep(resumed.due_at).fired == 1
    assert desk.notices(cw.gardens.id, case.id) == [
        ("AT_RISK_WARNING", "DISTRICT"),
        ("SUPERVISION", "DISTRICT"),
    ]
    stored = desk.case(case.id)
    assert (stored.level, stored.state, stored.breached) == ("DISTRICT", "IN_PROGRESS", False)
    breached = department_clock(case.id, cw.gardens.id)
    assert breached.clock is None and breached.duepk is None
    assert (breached.breached, breached.ever_breached) == (True, True)
    # A duplicate invocation of the same firing changes nothing.
    events = desk.actions(case.id)
    assert (
        department_firing.fire_task_clock(desk.db, f"{case.id}#{cw.gardens.id}", resumed.due_at)
        is False
    )
    assert desk.actions(case.id) == events
    assert events[-2:] == ["AT_RISK_WARNING", "SUPERVISION"]

    seen = gql_case(asgi_case_api, cw.dispatcher_id, case.id)
    tasks = {t["departmentName"]: t for t in seen["tasks"]}
    assert (tasks["区园林和林业局"]["breached"], tasks["区园林和林业局"]["everBreached"]) == (
        True,
        True,
    )
    assert tasks["区园林和林业局"]["timer"] is None
    assert tasks["区住房和城乡建设局"]["timer"] is None  # the lead's clock is the case's timer
    assert seen["timer"]["kind"] == "RESOLVE"


def test_a_department_clock_stops_when_its_task_is_done_or_the_case_goes_to_top(
    desk: Desk,
) -> None:
    cw = desk.cw
    done, escalated = desk.at_district(MON), desk.at_district(MON)
    for case in (done, escalated):
        claim = machine.Claim(cw.gardens.id)
        desk.act(cw.gardens_staff_id, case.id, claim, at=sh(2026, 11, 23, 10))
    lead_claim = machine.Claim(cw.housing.id)
    desk.act(cw.housing_staff_id, done.id, lead_claim, at=sh(2026, 11, 23, 10, 15))
    resolve = machine.ResolveTask(cw.gardens.id, "已补植绿篱")
    desk.act(cw.gardens_staff_id, done.id, resolve, at=sh(2026, 11, 23, 10, 30))
    finished = department_clock(done.id, cw.gardens.id)
    assert finished.clock is None and finished.duepk is None and not finished.ever_breached

    # Housing never claims the other: the centre gets it at 15:00, then TOP next day at 10:00.
    assert desk.sweep(sh(2026, 11, 23, 14, 12)).fired == 1  # the lead's CLAIM warning
    assert desk.sweep(sh(2026, 11, 23, 15)).fired == 1  # the lead's CLAIM clock breaches
    assert department_clock(escalated.id, cw.gardens.id).clock is not None
    assert desk.sweep(sh(2026, 11, 24, 9, 12)).fired == 1  # the centre's warning
    assert desk.sweep(sh(2026, 11, 24, 10)).fired == 1  # the centre's CLAIM clock → TOP
    assert desk.case(escalated.id).level == "TOP"
    stopped = department_clock(escalated.id, cw.gardens.id)
    assert stopped.clock is None and stopped.duepk is None and not stopped.breached
    assert desk.notices(cw.gardens.id) == []  # gardens was never late


def test_without_a_district_leader_the_case_waits_at_district_and_retries_hourly(
    desk: Desk,
) -> None:
    cw = desk.cw
    admin = desk.actor(cw.world.district_admin_id)
    people.revoke_role(desk.db, admin, cw.leader_id, cw.district.id, Role.LEADER)
    case = desk.at_district(MON)
    assert desk.sweep(sh(2026, 11, 23, 15)).fired == 2  # lead → centre, gardens supervised
    assert desk.sweep(sh(2026, 11, 24, 10)).fired == 1  # the centre's clock breaches
    stored = desk.case(case.id)
    assert (stored.level, stored.breached, stored.pain_point) == ("DISTRICT", True, False)
    waiting = desk.timer(stored.id)
    assert (waiting.due_at, waiting.centre) == (sh(2026, 11, 24, 11), True)
    centre = desk.notices(cw.district.id, case.id)
    assert sorted(centre[-2:]) == [("NO_LEADER", "DISTRICT"), ("SUPERVISION", "DISTRICT")]
    assert any(stored.code in n.message for n in NoticeItem.query(f"NOTICE#{cw.district.id}"))
    assert desk.sweep(sh(2026, 11, 24, 10, 59)).fired == 0  # not every sweep: once an hour
    # A leader is granted; the next attempt takes the case to TOP.
    people.grant_role(desk.db, admin, desk.clock, cw.leader_id, cw.district.id, Role.LEADER)
    assert desk.sweep(sh(2026, 11, 24, 11)).fired == 1
    top = desk.case(case.id)
    assert (top.level, top.assignee_id, top.pain_point) == ("TOP", cw.leader_id, True)


# --- Warnings, counters, levels -------------------------------------------------------------


def test_the_at_risk_warning_fires_once_and_notifies_the_grid(
    desk: Desk, asgi_case_api: CaseApi
) -> None:
    api, cw = asgi_case_api, desk.cw
    grid, worker = cw.world.a.grid.id, cw.grid_worker_id
    case = desk.at_grid(MON)
    assert desk.sweep(sh(2026, 11, 23, 11, 5, 59)).fired == 0
    assert desk.sweep(sh(2026, 11, 23, 11, 6)).fired == 1  # 80 % of 2 h after 09:30
    assert desk.sweep(sh(2026, 11, 23, 11, 20)).fired == 0  # once
    notices = gql_notices(api, worker, grid)
    assert [(n["kind"], n["level"], n["caseId"]) for n in notices] == [
        ("AT_RISK_WARNING", "GRID", case_gid(case.id))
    ]
    assert notices[0]["code"] == case.code
    assert iso(sh(2026, 11, 23, 11, 30)) in notices[0]["message"]
    seen = gql_case(api, worker, case.id)
    assert (seen["timer"]["warned"], seen["breached"], seen["state"]) == (True, False, "ASSIGNED")
    warning = seen["timeline"][-1]
    assert (warning["action"], warning["fromState"], warning["toState"]) == (
        "AT_RISK_WARNING",
        "ASSIGNED",
        "ASSIGNED",
    )
    assert (warning["actorRole"], warning["actor"], warning["level"]) == ("SYSTEM", None, "GRID")

    assert desk.sweep(sh(2026, 11, 23, 11, 30)).fired == 1
    seen = gql_case(api, cw.community_dispatcher_id, case.id)
    assert [(r["level"], r["dueAt"], r["met"]) for r in seen["levels"]] == [
        ("GRID", iso(sh(2026, 11, 23, 11, 30)), False),
        ("COMMUNITY", None, None),
    ]
    assert seen["levels"][0]["leftAt"] == iso(sh(2026, 11, 23, 11, 30))
    assert (seen["breached"], seen["everBreached"], seen["level"]) == (False, True, "COMMUNITY")
    assert (seen["timer"]["level"], seen["timer"]["startedAt"]) == (
        "COMMUNITY",
        iso(sh(2026, 11, 23, 11, 30)),
    )
    assert [n["kind"] for n in gql_notices(api, worker, grid)] == [
        "SUPERVISION",
        "AT_RISK_WARNING",
    ]
    community = gql_notices(api, cw.community_dispatcher_id, cw.world.a.community.id)
    assert [(n["kind"], n["level"]) for n in community] == [("ESCALATED", "COMMUNITY")]


def test_resolved_on_time_counts_only_cases_resolved_by_their_deadline(desk: Desk) -> None:
    worker, grid = desk.cw.grid_worker_id, desk.cw.world.a.grid.id
    late = desk.at_grid(MON, start=MON)  # due Wed 09:30
    exact = desk.at_grid(sh(2026, 11, 23, 10), start=sh(2026, 11, 23, 10))  # due Wed 10:00
    early = desk.at_grid(sh(2026, 11, 25, 8, 30), start=sh(2026, 11, 25, 9))  # due Thu
    wednesday = sh(2026, 11, 25, 10)
    assert desk.timer(exact.id).due_at == wednesday
    for case in (late, exact, early):
        desk.act(worker, case.id, machine.Resolve("已清理"), at=wednesday)
    stats = DailyStatsItem.get(*stats_key(grid, "2026-11-25"), consistent_read=True)
    assert (stats.resolved, stats.resolved_on_time, stats.resolved_in_grid) == (3, 2, 3)
    assert desk.levels(late.id) == [("GRID", iso(sh(2026, 11, 25, 9, 30)), False)]
    assert desk.levels(exact.id) == [("GRID", iso(wednesday), True)]
    assert desk.levels(early.id)[0][2] is True
    assert desk.sweep(sh(2026, 11, 30, 12)).fired == 0  # resolved: no clock runs


# --- The Lambda handler ---------------------------------------------------------------------

SCHEDULED_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-11-23T03:07:00Z",
    "region": "ap-northeast-1",
    "resources": ["arn:aws:events:ap-northeast-1:123456789012:rule/dangqun-test-sweep"],
    "detail": {},
}


def test_the_lambda_sweeper_handler_sweeps_and_returns_the_figures(
    desk: Desk, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = desk.at_grid(MON)  # warning due at 11:06
    monkeypatch.setenv("DANGQUN_TABLE_NAME", settings.table_name)
    if settings.dynamodb_host:
        monkeypatch.setenv("DANGQUN_DYNAMODB_HOST", settings.dynamodb_host)
    from api.settings import get_settings

    get_settings.cache_clear()
    sys.modules.pop("functions.sweeper", None)
    try:
        module = importlib.import_module("functions.sweeper")
        assert module.db.settings.table_name == settings.table_name
        now = sh(2026, 11, 23, 11, 7)  # the scheduled event's time, 03:07Z
        monkeypatch.setattr(module, "clock", FixedClock(now))
        figures = module.handler(SCHEDULED_EVENT, None)
        assert figures == {
            "at": iso(now),
            "shards": DUE_SHARDS,
            "itemsRead": 2,
            "fired": 1,
            "skipped": 0,
            "maxLatenessSeconds": 60.0,
        }
        assert module.handler(SCHEDULED_EVENT, None)["fired"] == 0
    finally:
        get_settings.cache_clear()
        sys.modules.pop("functions.sweeper", None)
    assert desk.actions(case.id)[-1] == "AT_RISK_WARNING"


def test_a_calendar_override_published_mid_case_moves_the_open_deadline(desk: Desk) -> None:
    # Signed for on Friday 09:00: 15 working hours to resolve → due Tuesday 1 Dec 09:00.
    case = desk.at_grid(sh(2026, 11, 27, 9), start=sh(2026, 11, 27, 9))
    assert desk.timer(case.id).due_at == sh(2026, 12, 1, 9)
    assert desk.timer(case.id).warn_at == sh(2026, 11, 30, 15)
    admin = desk.actor(desk.cw.world.district_admin_id)
    district = desk.cw.world.district.id
    # Monday morning a late notice makes Tuesday a holiday: the open deadline moves a day.
    desk.at(sh(2026, 11, 30, 10))
    holiday = policy_admin.Override(date(2026, 12, 1), False, "临时放假")
    published = policy_admin.publish_overrides(desk.db, admin, desk.clock, district, [holiday], [])
    assert published.recomputed_cases == 1
    assert published.overrides == {date(2026, 12, 1): (False, "临时放假")}
    assert desk.timer(case.id).due_at == sh(2026, 12, 2, 9)
    assert desk.sweep(sh(2026, 12, 1, 9)).fired == 1  # only the warning (Monday 15:00)
    assert desk.case(case.id).level == Level.GRID.value
    # Withdrawn again: the deadline comes back, and it has passed.
    desk.at(sh(2026, 12, 1, 10))
    withdrawn = policy_admin.publish_overrides(
        desk.db, admin, desk.clock, district, [], [date(2026, 12, 1)]
    )
    assert withdrawn.recomputed_cases == 1 and withdrawn.overrides == {}
    assert desk.timer(case.id).due_at == sh(2026, 12, 1, 9)
    assert desk.sweep(sh(2026, 12, 1, 10)).fired == 1
    assert desk.case(case.id).level == Level.COMMUNITY.value
