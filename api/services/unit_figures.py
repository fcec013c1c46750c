"""Command-centre figures (指挥中心) of a unit, its children's 考核 ranking and trends, read from
the counters only (``db.counters``), never from the cases.

Request budget (README "Figures", counted in tests/integration/test_unit_figures.py): a period
made of whole calendar months (a month, a year, or a custom range of whole months) is read from
the month roll-ups — one ``BatchGetItem`` per 100 (unit × month) keys; any other period (a day, a
week, a custom range) costs one ``Query`` of day items per unit, whatever the number of periods
(their days are read in one range and split). Plus the unit (``GetItem``) and, for a ranking, its
children (one ``Query`` per 100 children).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from api.domain.errors import InvalidInput
from api.domain.figures import (
    Counts,
    Figures,
    Light,
    Period,
    PeriodKind,
    Score,
    figures,
    light,
    period_of,
    previous_periods,
    rank,
    weights,
)
from api.domain.messages import msg
from api.domain.org import OrgKind
from api.domain.roles import Permission
from api.records.case import DayCountersRecord
from api.records.org import OrgUnitRecord
from api.services.actor import Actor
from api.store.db import Db

MAX_TREND = 24
MAX_CHILDREN = 100


@dataclass(frozen=True, slots=True)
class UnitFigures:
    unit: OrgUnitRecord
    period: Period
    figures: Figures


@dataclass(frozen=True, slots=True)
class RankedUnit:
    rank: int
    unit: OrgUnitRecord
    figures: Figures
    score: Score
    light: Light


@dataclass(frozen=True, slots=True)
class Ranking:
    unit: OrgUnitRecord
    period: Period
    weights_version: str
    entries: tuple[RankedUnit, ...]


def unit_figures(
    db: Db, actor: Actor, unit_id: str, kind: PeriodKind, day: date, end: date | None = None
) -> UnitFigures:
    unit = _readable(db, actor, unit_id)
    period = period_of(kind, day, end)
    counts = read_counts(db, [unit.id], [period])[0][unit.id]
    return UnitFigures(unit, period, figures(counts, unit.kind is OrgKind.DEPARTMENT))


def trend(
    db: Db, actor: Actor, unit_id: str, kind: PeriodKind, day: date, count: int
) -> list[UnitFigures]:
    """``count`` consecutive periods ending with the one containing ``day``, oldest first."""
    if not 1 <= count <= MAX_TREND:
        raise InvalidInput(msg("figures.trend_length", max_trend=MAX_TREND), field="count")
    unit = _readable(db, actor, unit_id)
    periods = previous_periods(kind, day, count)
    department = unit.kind is OrgKind.DEPARTMENT
    per_period = read_counts(db, [unit.id], periods)
    return [
        UnitFigures(unit, period, figures(counts[unit.id], department))
        for period, counts in zip(periods, per_period, strict=True)
    ]


def ranking(
    db: Db,
    actor: Actor,
    unit_id: str,
    kind: PeriodKind,
    day: date,
    end: date | None = None,
    departments: bool = False,
    weights_version: str | None = None,
) -> Ranking:
    """The unit's children (streets of a district, communities of a street…) or, with
    ``departments``, the district's departments, by composite score, best first."""
    unit = _readable(db, actor, unit_id)
    w = weights(weights_version)
    period = period_of(kind, day, end)
    if departments and unit.kind is not OrgKind.DISTRICT:
        raise InvalidInput(msg("figures.departments_district"), field="departments")
    page = db.org_units.children(unit.id, MAX_CHILDREN, None)
    children = [
        child
        for child in (edge.node for edge in page.edges)
        if (child.kind is OrgKind.DEPARTMENT) == departments and not child.archived
    ]
    counts = read_counts(db, [child.id for child in children], [period])[0]
    by_id = {child.id: child for child in children}
    of = {
        child.id: figures(counts[child.id], child.kind is OrgKind.DEPARTMENT) for child in children
    }
    entries = tuple(
        RankedUnit(place, by_id[child_id], of[child_id], s, light(of[child_id].on_time_rate))
        for place, (child_id, s) in enumerate(rank(of, w), start=1)
    )
    return Ranking(unit, period, w.version, entries)


def read_counts(db: Db, unit_ids: list[str], periods: list[Period]) -> list[dict[str, Counts]]:
    """Per period (in order), the summed counters of each unit."""
    rows: list[list[DayCountersRecord]] = [[] for _ in periods]
    month_periods = [i for i, p in enumerate(periods) if _whole_months(p)]
    day_periods = [i for i, p in enumerate(periods) if not _whole_months(p)]
    if month_periods and unit_ids:
        wanted = {i: _months(periods[i]) for i in month_periods}
        every = sorted({m for months in wanted.values() for m in months})
        for row in db.counters.months(unit_ids, every):
            for i, months in wanted.items():
                if row.day in months:
                    rows[i].append(row)
    if day_periods:
        low = min(periods[i].start for i in day_periods)
        high = max(periods[i].end for i in day_periods)
        for unit_id in unit_ids:
            for row in db.counters.days(unit_id, low, high):
                on = date.fromisoformat(row.day)
                for i in day_periods:
                    if periods[i].start <= on <= periods[i].end:
                        rows[i].append(row)
    result: list[dict[str, Counts]] = []
    for period_rows in rows:
        grouped: dict[str, list[DayCountersRecord]] = defaultdict(list)
        for row in period_rows:
            grouped[row.org_id].append(row)
        result.append({unit_id: Counts.total(grouped[unit_id]) for unit_id in unit_ids})
    return result


def _whole_months(period: Period) -> bool:
    return period.start.day == 1 and (period.end + timedelta(days=1)).day == 1


def _months(period: Period) -> set[str]:
    months: set[str] = set()
    at = period.start
    while at <= period.end:
        months.add(at.isoformat()[:7])
        at = (at.replace(day=1) + timedelta(days=32)).replace(day=1)
    return months


def _readable(db: Db, actor: Actor, unit_id: str) -> OrgUnitRecord:
    unit = db.org_units.require(unit_id, field="unitId", consistent=False)
    actor.require(Permission.READ_CASES, unit.path, msg("action.see_command_centre"))
    return unit
