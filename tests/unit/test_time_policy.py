"""The versioned time-limit policy: limits validated, the most specific rule wins, and the
default policy is complete and sensible."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest

from api.domain.cases import HandlingMode, Level
from api.domain.deadlines.policy import (
    ANY,
    DEFAULT_POLICY,
    WORKING_DAY_HOURS,
    HourUnit,
    Limit,
    RuleKey,
    TimePolicy,
)
from api.domain.errors import InvalidInput

W, N = HourUnit.WORKING, HourUnit.NATURAL

LEVEL_DEFAULTS: dict[Level, Limit] = {
    Level.GRID: Limit(2, 15, W),
    Level.COMMUNITY: Limit(3, 22.5, W),
    Level.STREET: Limit(4, 37.5, W),
    Level.DISTRICT: Limit(4, 75, W),
    Level.TOP: Limit(7.5, 150, W),
}
EXACT = Limit(0.25, 1, N)
CATEGORY_ANY_MODE = Limit(1, 24, N)
ANY_CATEGORY_MODE = Limit(0.5, 4, N)
RULES: dict[RuleKey, Limit] = {
    ("HOUSING_SAFETY", HandlingMode.IMMEDIATE, Level.GRID): EXACT,
    ("HOUSING_SAFETY", ANY, Level.GRID): CATEGORY_ANY_MODE,
    (ANY, HandlingMode.IMMEDIATE, Level.GRID): ANY_CATEGORY_MODE,
}


UNKNOWN_LEVEL: dict[Any, Any] = {**LEVEL_DEFAULTS, "VILLAGE": Limit(1, 2)}


def policy(**changes: Any) -> TimePolicy:
    fields: dict[str, Any] = {"version": 3, "rules": RULES, "default": LEVEL_DEFAULTS}
    fields.update(changes)
    return TimePolicy(**fields)


# --- Limit ----------------------------------------------------------------------------------


def test_limit_defaults_to_working_hours() -> None:
    limit = Limit(2, 15)
    assert (limit.response_hours, limit.resolve_hours, limit.unit) == (2, 15, W)


def test_equal_response_and_resolve_is_allowed() -> None:
    assert Limit(4, 4, N).resolve_hours == 4


@pytest.mark.parametrize(
    ("response", "resolve", "field"),
    [
        (0, 15, "responseHours"),
        (-1, 15, "responseHours"),
        (float("nan"), 15, "responseHours"),
        (float("inf"), 15, "responseHours"),
        (2, 0, "resolveHours"),
        (2, float("inf"), "resolveHours"),
        (3, 2, "resolveHours"),  # resolve shorter than response
        (True, 2, "responseHours"),  # a bool is not a number of hours
    ],
)
def test_limit_validation(response: float, resolve: float, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        Limit(response, resolve)
    assert error.value.field == field


def test_limit_unit_must_be_a_clock_unit() -> None:
    with pytest.raises(InvalidInput):
        Limit(1, 2, "WORKING")  # type: ignore[arg-type]


# --- most specific rule ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "mode", "level", "expected"),
    [
        # exact category + mode
        ("HOUSING_SAFETY", HandlingMode.IMMEDIATE, Level.GRID, EXACT),
        # category + any mode
        ("HOUSING_SAFETY", HandlingMode.ASSIGNED, Level.GRID, CATEGORY_ANY_MODE),
        ("HOUSING_SAFETY", None, Level.GRID, CATEGORY_ANY_MODE),
        # any category + mode
        ("ENVIRONMENT", HandlingMode.IMMEDIATE, Level.GRID, ANY_CATEGORY_MODE),
        (None, HandlingMode.IMMEDIATE, Level.GRID, ANY_CATEGORY_MODE),
        # the level's default
        ("ENVIRONMENT", HandlingMode.ASSIGNED, Level.GRID, LEVEL_DEFAULTS[Level.GRID]),
        (None, None, Level.GRID, LEVEL_DEFAULTS[Level.GRID]),
        # rules are per level: nothing at COMMUNITY
        (
            "HOUSING_SAFETY",
            HandlingMode.IMMEDIATE,
            Level.COMMUNITY,
            LEVEL_DEFAULTS[Level.COMMUNITY],
        ),
        ("HOUSING_SAFETY", HandlingMode.IMMEDIATE, Level.TOP, LEVEL_DEFAULTS[Level.TOP]),
    ],
)
def test_limit_for_picks_the_most_specific(
    category: str | None, mode: HandlingMode | None, level: Level, expected: Limit
) -> None:
    assert policy().limit_for(category, mode, level) == expected


def test_category_beats_mode() -> None:
    """category + * ranks above * + mode, whichever is stricter."""
    only_two = policy(
        rules={
            ("HOUSING_SAFETY", ANY, Level.GRID): CATEGORY_ANY_MODE,
            (ANY, HandlingMode.IMMEDIATE, Level.GRID): ANY_CATEGORY_MODE,
        }
    )
    assert (
        only_two.limit_for("HOUSING_SAFETY", HandlingMode.IMMEDIATE, Level.GRID)
        == CATEGORY_ANY_MODE
    )


def test_every_level_has_a_limit_without_rules() -> None:
    bare = policy(rules={})
    for level in Level:
        assert bare.limit_for("OTHER", HandlingMode.JOINT, level) == LEVEL_DEFAULTS[level]


# --- policy validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"version": 0}, "version"),
        ({"version": True}, "version"),
        ({"version": 1.5}, "version"),
        ({"default": {k: v for k, v in LEVEL_DEFAULTS.items() if k is not Level.TOP}}, "default"),
        ({"default": UNKNOWN_LEVEL}, "default"),
        ({"default": {**LEVEL_DEFAULTS, Level.GRID: (1, 2)}}, "default"),
        ({"at_risk_fraction": 0}, "atRiskFraction"),
        ({"at_risk_fraction": 1}, "atRiskFraction"),
        ({"at_risk_fraction": 1.5}, "atRiskFraction"),
        ({"at_risk_fraction": -0.2}, "atRiskFraction"),
        ({"at_risk_fraction": float("nan")}, "atRiskFraction"),
        ({"claim_hours": 0}, "claimHours"),
        ({"claim_hours": -4}, "claimHours"),
        ({"claim_unit": "WORKING"}, "claimUnit"),
        ({"rules": {(ANY, ANY, Level.GRID): Limit(1, 2)}}, "rules"),
        ({"rules": {("", ANY, Level.GRID): Limit(1, 2)}}, "rules"),
        ({"rules": {("ROADS", "FAST", Level.GRID): Limit(1, 2)}}, "rules"),
        ({"rules": {("ROADS", ANY, "GRID"): Limit(1, 2)}}, "rules"),
        ({"rules": {("ROADS", ANY): Limit(1, 2)}}, "rules"),
        ({"rules": {("ROADS", ANY, Level.GRID): (1, 2)}}, "rules"),
    ],
)
def test_policy_validation(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        policy(**changes)
    assert error.value.field == field


def test_fraction_strictly_between_zero_and_one_is_accepted() -> None:
    assert policy(at_risk_fraction=0.5).at_risk_fraction == 0.5
    assert policy(at_risk_fraction=0.99).at_risk_fraction == 0.99


def test_policy_is_a_frozen_copy() -> None:
    rules: dict[RuleKey, Limit] = dict(RULES)
    defaults: dict[Level, Limit] = dict(LEVEL_DEFAULTS)
    frozen = policy(rules=rules, default=defaults)
    rules[("ROADS", ANY, Level.GRID)] = Limit(9, 9)
    defaults[Level.GRID] = Limit(9, 9)
    assert frozen.limit_for("ROADS", None, Level.GRID) == LEVEL_DEFAULTS[Level.GRID]
    mapping: Mapping[RuleKey, Limit] = frozen.rules
    with pytest.raises(TypeError):
        mapping[("ROADS", ANY, Level.GRID)] = Limit(9, 9)  # type: ignore[index]
    with pytest.raises(AttributeError):
        frozen.version = 4  # type: ignore[misc]


# --- the default policy ---------------------------------------------------------------------


def test_default_policy_version_and_settings() -> None:
    assert DEFAULT_POLICY.version == 1
    assert DEFAULT_POLICY.at_risk_fraction == 0.8
    assert (DEFAULT_POLICY.claim_hours, DEFAULT_POLICY.claim_unit) == (4, W)
    assert set(DEFAULT_POLICY.default) == set(Level)
    assert WORKING_DAY_HOURS == 7.5


def test_default_policy_level_limits() -> None:
    limits = {level: DEFAULT_POLICY.limit_for(None, None, level) for level in Level}
    assert limits[Level.GRID] == Limit(2, 2 * 7.5, W)  # respond 2 h, resolve 2 working days
    assert limits[Level.COMMUNITY].resolve_hours == 3 * 7.5
    assert limits[Level.STREET].resolve_hours == 5 * 7.5
    assert limits[Level.DISTRICT] == Limit(4, 10 * 7.5, W)  # claim 4 h, resolve 10 days
    assert limits[Level.TOP].resolve_hours == 20 * 7.5
    assert all(limit.unit is W for limit in limits.values())
    resolve = [limits[level].resolve_hours for level in Level]
    assert resolve == sorted(resolve)  # higher levels get longer


def test_default_policy_modes_and_categories() -> None:
    immediate = DEFAULT_POLICY.limit_for("ENVIRONMENT", HandlingMode.IMMEDIATE, Level.GRID)
    assert (immediate.resolve_hours, immediate.unit) == (4, N)
    fast = DEFAULT_POLICY.limit_for("ENVIRONMENT", HandlingMode.FAST, Level.GRID)
    assigned = DEFAULT_POLICY.limit_for("ENVIRONMENT", HandlingMode.ASSIGNED, Level.GRID)
    assert fast.unit is W and fast.resolve_hours < assigned.resolve_hours
    housing = DEFAULT_POLICY.limit_for("HOUSING_SAFETY", HandlingMode.ASSIGNED, Level.GRID)
    assert (housing.response_hours, housing.unit) == (1, N)
    housing_now = DEFAULT_POLICY.limit_for("HOUSING_SAFETY", HandlingMode.IMMEDIATE, Level.GRID)
    assert housing_now.unit is N and housing_now.resolve_hours < housing.resolve_hours
    # joint and top-level cases use the level defaults
    assert (
        DEFAULT_POLICY.limit_for("ROADS", HandlingMode.JOINT, Level.DISTRICT)
        == (DEFAULT_POLICY.default[Level.DISTRICT])
    )


# --- bounds (issue 11: unbounded limits broke every clock of a district) ---------------------


@pytest.mark.parametrize("hours", [100_000, 1e308, float("inf"), float("nan"), 0, 0.05, -1])
def test_limits_outside_the_bounds_are_refused(hours: float) -> None:
    from api.domain.deadlines.policy import Limit

    with pytest.raises(InvalidInput):
        Limit(0.5, hours)
    with pytest.raises(InvalidInput):
        Limit(hours, 2_000_000)


def test_the_bounds_themselves_are_accepted_and_computable() -> None:
    from datetime import datetime

    from api.domain.clock import SHANGHAI
    from api.domain.deadlines.calendar import WorkCalendar
    from api.domain.deadlines.policy import HOURS_MAX, HOURS_MIN, Limit

    assert Limit(HOURS_MIN, HOURS_MAX).resolve_hours == HOURS_MAX
    start = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
    assert WorkCalendar().add_working_hours(start, HOURS_MAX).due_at > start


@pytest.mark.parametrize("year", [1, 1999, 2101, 9999])
def test_calendar_override_years_are_bounded(year: int) -> None:
    from datetime import date

    from api.domain.deadlines.calendar import check_override_day

    with pytest.raises(InvalidInput):
        check_override_day(date(year, 1, 1))
    assert check_override_day(date(2027, 2, 6)) == date(2027, 2, 6)


# --- closing rules (README "Closing") --------------------------------------------------------


def test_the_default_policy_keeps_closing_as_it_was() -> None:
    assert not DEFAULT_POLICY.verification_required
    assert not DEFAULT_POLICY.evaluation_required
    assert DEFAULT_POLICY.evaluation_window_hours is None


@pytest.mark.parametrize(
    ("changes", "field_name"),
    [
        ({"evaluation_required": True}, "evaluationWindowHours"),
        ({"evaluation_window_hours": 0.0}, "evaluationWindowHours"),
        (
            {"evaluation_window_hours": 24.0, "evaluation_reminder_hours": 24.0},
            "evaluationReminderHours",
        ),
        (
            {"evaluation_window_hours": 72.0, "evaluation_reminder_hours": 0.0},
            "evaluationReminderHours",
        ),
        ({"verification_required": 1}, "verificationRequired"),
    ],
)
def test_closing_rules_are_checked(changes: dict[str, object], field_name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        replace(DEFAULT_POLICY, **changes)  # type: ignore[arg-type]
    assert caught.value.field == field_name


def test_a_window_with_its_reminder_inside_is_accepted() -> None:
    policy = replace(
        DEFAULT_POLICY, verification_required=True, evaluation_required=True,
        evaluation_window_hours=72.0, evaluation_reminder_hours=24.0,
    )  # fmt: skip
    assert policy.evaluation_window_hours == 72.0
