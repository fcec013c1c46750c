"""Gauge rules (api.domain.gauges): where an open case counts, when it is overdue or at risk, how
a change moves its contributions, and the timing light."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from api.domain.cases import CaseState, Level, Task, TaskRole, TaskStatus
from api.domain.clock import SHANGHAI
from api.domain.deadlines.calendar import WorkCalendar
from api.domain.deadlines.policy import HourUnit
from api.domain.deadlines.timers import Timer, TimerKind, start_clock
from api.domain.gauges import (
    NOT_HELD,
    Held,
    TimingLight,
    WatchKind,
    gauge_delta,
    held,
    timing_light,
    watch_keys,
)

PATH = ["district", "street", "community", "grid"]
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
SINCE = "2026-11-23T08:00:00.000+08:00"


def clock(warned: bool = False) -> Timer:
    timer = start_clock(Level.GRID, TimerKind.RESPONSE, NOW, 10, HourUnit.NATURAL, WorkCalendar())
    return replace(timer, warned=warned)


def case(state: CaseState, level: Level | None, **extra: object) -> Held:
    values: dict[str, object] = {
        "state": state, "level": level, "path_ids": PATH, "tasks": (), "deadline": None,
        "breached": False, "overdue_since": SINCE,
    }  # fmt: skip
    values.update(extra)
    return held(**values)  # type: ignore[arg-type]


def test_an_open_case_counts_where_it_is_held() -> None:
    assert case(CaseState.REPORTED, None).units == ("district", "street", "community")
    assert case(CaseState.ASSIGNED, Level.GRID).units == tuple(PATH)
    assert case(CaseState.ASSIGNED, Level.STREET).units == ("district", "street")
    tasks = (
        Task("housing", TaskRole.LEAD, TaskStatus.CLAIMED),
        Task("gardens", TaskRole.SUPPORT, TaskStatus.RESOLVED),
    )
    assert case(CaseState.IN_PROGRESS, Level.DISTRICT, tasks=tasks).units == (
        "district",
        "housing",
    )
    assert case(CaseState.RESOLVED, Level.TOP).units == ("district",)
    for done in (CaseState.CLOSED, CaseState.REJECTED, CaseState.ARCHIVED):
        assert case(done, Level.GRID) == NOT_HELD


def test_overdue_and_at_risk() -> None:
    overdue = case(CaseState.IN_PROGRESS, Level.DISTRICT, breached=True)
    assert (overdue.watch, overdue.due_at) == (WatchKind.OVERDUE, SINCE)
    assert case(CaseState.RESOLVED, Level.DISTRICT, breached=True).watch is None
    at_risk = case(CaseState.ASSIGNED, Level.GRID, deadline=clock(warned=True))
    assert at_risk.watch is WatchKind.AT_RISK
    assert at_risk.due_at is not None and at_risk.due_at.startswith("2026-11-23T19:00")
    assert case(CaseState.ASSIGNED, Level.GRID, deadline=clock()).watch is None
    assert watch_keys(at_risk) == {(WatchKind.AT_RISK, unit, at_risk.due_at) for unit in PATH}


def test_a_change_moves_its_contributions() -> None:
    at_grid = case(CaseState.ASSIGNED, Level.GRID, deadline=clock(warned=True))
    escalated = case(CaseState.ASSIGNED, Level.COMMUNITY)
    delta = gauge_delta(at_grid, escalated)
    assert delta["grid"] == {"open": -1, "level_GRID": -1, "state_ASSIGNED": -1, "at_risk": -1}
    assert delta["community"] == {"level_GRID": -1, "level_COMMUNITY": 1, "at_risk": -1}
    assert gauge_delta(escalated, escalated) == {}
    assert gauge_delta(NOT_HELD, escalated)["district"]["open"] == 1


def test_timing_light() -> None:
    assert timing_light(0, 0) is TimingLight.GREEN
    assert timing_light(0, 2) is TimingLight.AMBER
    assert timing_light(1, 2) is TimingLight.RED
