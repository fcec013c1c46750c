"""Command-centre figures (指挥中心指标) from summed day counters: periods, rates and 考核
rankings. Pure rules: no DynamoDB, no GraphQL. The README ("Figures") defines every figure.

Periods are ranges of Asia/Shanghai calendar days (the day counters are kept per Shanghai day):
a week runs Monday to Sunday, a month and a year are calendar ones, a custom range is inclusive.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from enum import StrEnum

from api.domain.errors import InvalidInput
from api.domain.messages import msg

MAX_RANGE_DAYS = 366


class PeriodKind(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    YEAR = "YEAR"
    CUSTOM = "CUSTOM"


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # included


def period_of(kind: PeriodKind, day: date, end: date | None = None) -> Period:
    """The period of ``kind`` containing ``day`` (CUSTOM: ``day`` to ``end``, inclusive)."""
    if kind is PeriodKind.DAY:
        return Period(day, day)
    if kind is PeriodKind.WEEK:
        monday = day - timedelta(days=day.weekday())
        return Period(monday, monday + timedelta(days=6))
    if kind is PeriodKind.MONTH:
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return Period(first, following - timedelta(days=1))
    if kind is PeriodKind.YEAR:
        return Period(day.replace(month=1, day=1), day.replace(month=12, day=31))
    if end is None or end < day or (end - day).days >= MAX_RANGE_DAYS:
        raise InvalidInput(msg("figures.custom_period"), field="end")
    return Period(day, end)


def previous_periods(kind: PeriodKind, day: date, count: int) -> list[Period]:
    """``count`` consecutive periods of ``kind`` ending with the one containing ``day``,
    oldest first (a trend)."""
    if kind is PeriodKind.CUSTOM:
        raise InvalidInput(msg("figures.trend_grain"), field="period")
    periods: list[Period] = []
    anchor = day
    for _ in range(count):
        period = period_of(kind, anchor)
        periods.append(period)
        anchor = period.start - timedelta(days=1)
    return periods[::-1]


@dataclass(frozen=True, slots=True)
class Counts:
    """Day counters summed over a period (the names of the day item's attributes)."""

    reported: int = 0
    accepted: int = 0
    assigned: int = 0
    resolved: int = 0
    closed: int = 0
    resolved_on_time: int = 0
    resolved_in_grid: int = 0
    resolved_at_street_or_below: int = 0
    satisfied: int = 0
    evaluated: int = 0
    reopened: int = 0
    handling_natural_minutes: int = 0
    handling_working_minutes: int = 0
    topics_raised: int = 0
    topics_adopted: int = 0
    topics_declined: int = 0
    topic_cases_resolved: int = 0
    topic_cases_resolved_in_grid: int = 0
    # Cases reported per category (catalogue code → count), most reported first (ties: code).
    categories: tuple[tuple[str, int], ...] = ()
    verified: int = 0  # 核查通过
    verification_failed: int = 0  # 核查不通过 (also counted in ``reopened``: 返工)
    closed_not_evaluated: int = 0  # closed by the sweeper when the evaluation window ended
    partner_claims: int = 0  # 认领: claims of partner projects
    partner_deliveries: int = 0  # 交付: delivery reports of claims
    points_granted: int = 0  # 积分发放: points of confirmed projects and 红色创新奖 awards

    @classmethod
    def total(cls, days: Iterable[object]) -> Counts:
        """The sum of day records carrying (at least) these counters as attributes, and their
        ``categories`` mapping."""
        sums = dict.fromkeys((f.name for f in fields(cls) if f.name != "categories"), 0)
        per_category: Counter[str] = Counter()
        for day in days:
            for name in sums:
                sums[name] += int(getattr(day, name, 0) or 0)
            per_category.update(getattr(day, "categories", None) or {})
        ranked = sorted(
            ((c, n) for c, n in per_category.items() if n), key=lambda cn: (-cn[1], cn[0])
        )
        return cls(**sums, categories=tuple(ranked))


CATEGORY_PREFIX = "cat_"  # day-item counter of the cases reported in a category: cat_<code>
TOP_CATEGORIES = 5


def category_counter(code: str) -> str:
    return f"{CATEGORY_PREFIX}{code}"


def ratio(numerator: int, denominator: int) -> float | None:
    """``None`` when nothing was counted (shown as "–", never as 0 %)."""
    return numerator / denominator if denominator else None


@dataclass(frozen=True, slots=True)
class Figures:
    counts: Counts
    received: int  # units: cases reported in the subtree; departments: tasks received
    resolution_rate: float | None  # 办结率
    on_time_rate: float | None  # 按期办结率
    in_grid_share: float | None  # 网格内解决率
    street_or_below_share: float | None  # 街道及以下解决率
    satisfaction_rate: float | None  # 满意率
    rework_rate: float | None  # 返工率
    average_working_hours: float | None
    average_natural_hours: float | None
    topic_adoption_rate: float | None
    verification_failure_rate: float | None = None  # 核查不通过率
    not_evaluated_share: float | None = None  # 未评价结案占比


def figures(counts: Counts, department: bool = False) -> Figures:
    received = counts.assigned if department else counts.reported
    return Figures(
        counts=counts,
        received=received,
        resolution_rate=ratio(counts.resolved, received),
        on_time_rate=ratio(counts.resolved_on_time, counts.resolved),
        in_grid_share=ratio(counts.resolved_in_grid, counts.resolved),
        street_or_below_share=ratio(counts.resolved_at_street_or_below, counts.resolved),
        satisfaction_rate=ratio(counts.satisfied, counts.evaluated),
        rework_rate=ratio(counts.reopened, counts.resolved),
        average_working_hours=_hours(counts.handling_working_minutes, counts.resolved),
        average_natural_hours=_hours(counts.handling_natural_minutes, counts.resolved),
        topic_adoption_rate=ratio(
            counts.topics_adopted, counts.topics_adopted + counts.topics_declined
        ),
        verification_failure_rate=ratio(
            counts.verification_failed, counts.verified + counts.verification_failed
        ),
        not_evaluated_share=ratio(counts.closed_not_evaluated, counts.closed),
    )


def _hours(minutes: int, cases: int) -> float | None:
    return round(minutes / cases / 60, 2) if cases else None


# --- 考核 rankings -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of a composite score (they sum to 1), versioned so a published ranking can be
    recomputed with the weights it was made with."""

    version: str
    volume: float
    resolution: float  # 结案率
    on_time: float  # 按期处置率
    no_rework: float  # 1 − 返工率


# 数字城管: 10 % volume + 30 % 结案率 + 30 % 按期处置率 + 30 % (1 − 返工率).
WEIGHTS: Mapping[str, Weights] = {
    "szcg-2026": Weights("szcg-2026", volume=0.1, resolution=0.3, on_time=0.3, no_rework=0.3),
    "quality-2026": Weights("quality-2026", volume=0.0, resolution=0.3, on_time=0.4, no_rework=0.3),
}
DEFAULT_WEIGHTS = "szcg-2026"


def weights(version: str | None) -> Weights:
    found = WEIGHTS.get(version or DEFAULT_WEIGHTS)
    if found is None:
        raise InvalidInput(msg("figures.unknown_weights", version=version), field="weightsVersion")
    return found


class Light(StrEnum):
    """Traffic light of a unit (红黄绿灯) from its 按期办结率 in the period."""

    GREEN = "GREEN"
    AMBER = "AMBER"
    RED = "RED"
    NONE = "NONE"  # nothing resolved: no light


GREEN_FROM = 0.9  # 按期办结率 ≥ 90 %
AMBER_FROM = 0.8  # ≥ 80 % (the amber threshold of the timing lights); below: red


def light(on_time_rate: float | None) -> Light:
    if on_time_rate is None:
        return Light.NONE
    if on_time_rate >= GREEN_FROM:
        return Light.GREEN
    return Light.AMBER if on_time_rate >= AMBER_FROM else Light.RED


@dataclass(frozen=True, slots=True)
class Score:
    score: float
    volume: float  # received ÷ the largest received among those ranked
    resolution: float
    on_time: float
    no_rework: float


def score(of: Figures, most_received: int, w: Weights) -> Score:
    """Composite score in [0, 100]. A rate with nothing counted scores 0 for resolution and
    on-time and 1 for no-rework (no resolved case, nothing reworked)."""
    volume = of.received / most_received if most_received else 0.0
    resolution = min(of.resolution_rate or 0.0, 1.0)
    on_time = of.on_time_rate or 0.0
    no_rework = 1.0 - min(of.rework_rate or 0.0, 1.0)
    total = w.volume * volume + w.resolution * resolution
    total += w.on_time * on_time + w.no_rework * no_rework
    return Score(round(100 * total, 2), volume, resolution, on_time, no_rework)


def rank(entries: Mapping[str, Figures], w: Weights) -> list[tuple[str, Score]]:
    """Entries by score, best first (ties: more received first, then key order)."""
    most = max((f.received for f in entries.values()), default=0)
    scored = [(key, score(f, most, w)) for key, f in entries.items()]
    return sorted(scored, key=lambda kv: (-kv[1].score, -entries[kv[0]].received))
