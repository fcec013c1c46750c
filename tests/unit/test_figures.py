"""Periods, rates, scores and lights of the command-centre figures (api.domain.figures)."""

from __future__ import annotations

from datetime import date

import pytest

from api.domain.errors import InvalidInput
from api.domain.figures import (
    Counts,
    Light,
    Period,
    PeriodKind,
    figures,
    light,
    period_of,
    previous_periods,
    rank,
    weights,
)


def test_periods_are_shanghai_calendar_days() -> None:
    day = date(2026, 12, 31)  # a Thursday
    assert period_of(PeriodKind.DAY, day) == Period(day, day)
    assert period_of(PeriodKind.WEEK, day) == Period(date(2026, 12, 28), date(2027, 1, 3))
    assert period_of(PeriodKind.MONTH, date(2028, 2, 10)) == Period(
        date(2028, 2, 1), date(2028, 2, 29)
    )
    assert period_of(PeriodKind.YEAR, day) == Period(date(2026, 1, 1), day)
    assert period_of(PeriodKind.CUSTOM, day, date(2027, 1, 2)).end == date(2027, 1, 2)
    with pytest.raises(InvalidInput):
        period_of(PeriodKind.CUSTOM, day, date(2026, 12, 1))
    with pytest.raises(InvalidInput):
        period_of(PeriodKind.CUSTOM, day, date(2028, 1, 1))
    months = previous_periods(PeriodKind.MONTH, date(2026, 3, 15), 3)
    assert [p.start for p in months] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


def test_rates_have_their_denominators_and_none_when_nothing_counted() -> None:
    f = figures(Counts(reported=10, resolved=8, resolved_on_time=6, resolved_in_grid=4,
                       resolved_at_street_or_below=7, evaluated=5, satisfied=4, reopened=2,
                       handling_working_minutes=8 * 90))  # fmt: skip
    assert f.resolution_rate == 0.8 and f.on_time_rate == 0.75 and f.in_grid_share == 0.5
    assert f.street_or_below_share == 7 / 8 and f.satisfaction_rate == 0.8
    assert f.rework_rate == 0.25 and f.average_working_hours == 1.5
    empty = figures(Counts())
    assert empty.resolution_rate is None and empty.average_natural_hours is None
    department = figures(Counts(reported=3, assigned=2, resolved=1), department=True)
    assert department.received == 2 and department.resolution_rate == 0.5


def test_ranking_by_weighted_score_with_components() -> None:
    good = figures(Counts(reported=10, resolved=10, resolved_on_time=10))
    busy = figures(Counts(reported=20, resolved=10, resolved_on_time=5, reopened=5))
    ranked = rank({"good": good, "busy": busy}, weights(None))
    assert [key for key, _ in ranked] == ["good", "busy"]
    (_, first), (_, second) = ranked
    assert first.score == pytest.approx(100 * (0.1 * 0.5 + 0.3 + 0.3 + 0.3))
    assert second.score == pytest.approx(100 * (0.1 + 0.3 * 0.5 + 0.3 * 0.5 + 0.3 * 0.5))
    with pytest.raises(InvalidInput):
        weights("1999")


def test_lights() -> None:
    assert [light(x) for x in (None, 0.95, 0.9, 0.85, 0.8, 0.79)] == [
        Light.NONE, Light.GREEN, Light.GREEN, Light.AMBER, Light.AMBER, Light.RED,
    ]  # fmt: skip
