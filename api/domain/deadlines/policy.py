"""The versioned time-limit policy: per category × handling mode × level, how long a unit has
to respond (sign for, or at DISTRICT claim) and to resolve a case.

Units (``HourUnit``):

- ``WORKING`` hours count only office hours on workdays of the Shanghai calendar (see
  ``api.domain.deadlines.calendar``; the default day is 08:30–12:00 and 13:30–17:30 = 7.5 h, so one
  working day is 7.5 working hours);
- ``NATURAL`` hours are calendar hours: nights, weekends and holidays count.

A limit's response and resolve hours share its unit and both run from the moment the case
reaches the level; resolve ≥ response. ``limit_for`` picks the most specific rule:
category + mode > category + any mode > any category + mode > the level's default.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

from api.domain.cases import HandlingMode, Level
from api.domain.errors import InvalidInput
from api.domain.messages import msg

ANY: Literal["*"] = "*"

# (category or "*", handling mode or "*", level)
RuleKey = tuple[str, HandlingMode | Literal["*"], Level]

WORKING_DAY_HOURS = 7.5  # one working day of the default working hours
# Bounds of every limit in hours, either unit: 6 minutes to 2 000 hours (≈ 267 working days,
# ≈ 83 natural days). The policy's at-risk fraction is within (0, 1).
HOURS_MIN = 0.1
HOURS_MAX = 2000
CATEGORY_MAX = 40


class HourUnit(StrEnum):
    WORKING = "WORKING"  # 工作时: office hours on workdays
    NATURAL = "NATURAL"  # 自然时: calendar hours


@dataclass(frozen=True)
class Limit:
    response_hours: float
    resolve_hours: float
    unit: HourUnit = HourUnit.WORKING

    def __post_init__(self) -> None:
        _positive(self.response_hours, "responseHours")
        _positive(self.resolve_hours, "resolveHours")
        if self.resolve_hours < self.response_hours:
            raise InvalidInput(
                msg("policy.resolve_before_response"),
                field="resolveHours",
            )
        if not isinstance(self.unit, HourUnit):
            raise InvalidInput(msg("policy.unknown_unit", unit=self.unit), field="unit")


@dataclass(frozen=True)
class TimePolicy:
    version: int
    rules: Mapping[RuleKey, Limit]
    default: Mapping[Level, Limit]
    at_risk_fraction: float = 0.8  # 临期预警 at this fraction of a limit
    claim_hours: float = 4.0  # DISTRICT: departments claim / the governance centre dispatches
    claim_unit: HourUnit = HourUnit.WORKING
    # Closing a resolved case (核查结案, 回访评价; README "Closing"). The defaults keep the
    # loop as it was: no check, staff may close at once, no window.
    verification_required: bool = False  # 核查: a dispatcher checks the result first
    evaluation_required: bool = False  # staff close only after the evaluation or the window
    evaluation_window_hours: float | None = None  # 评价期 in natural hours; None: no window
    evaluation_reminder_hours: float = 24.0  # remind the reporter this long before its end

    def __post_init__(self) -> None:
        if isinstance(self.version, bool) or not isinstance(self.version, int):
            raise InvalidInput(msg("policy.version_integer"), field="version")
        if self.version < 1:
            raise InvalidInput(msg("policy.version_min"), field="version")
        missing = [level.value for level in Level if level not in self.default]
        if missing:
            raise InvalidInput(
                msg("policy.missing_defaults", join=", ".join(missing)),
                field="default",
            )
        for level, limit in self.default.items():
            if not isinstance(level, Level) or not isinstance(limit, Limit):
                raise InvalidInput(msg("policy.bad_default", level=level), field="default")
        rules: dict[RuleKey, Limit] = {}
        for key, limit in self.rules.items():
            if not isinstance(limit, Limit):
                raise InvalidInput(msg("policy.rule_needs_limit", key=key), field="rules")
            rules[_check_key(key)] = limit
        fraction = self.at_risk_fraction
        if not (math.isfinite(fraction) and 0 < fraction < 1):
            raise InvalidInput(msg("policy.at_risk_fraction"), field="atRiskFraction")
        _positive(self.claim_hours, "claimHours")
        if not isinstance(self.claim_unit, HourUnit):
            raise InvalidInput(msg("policy.unknown_unit", unit=self.claim_unit), field="claimUnit")
        _check_closing(self)
        object.__setattr__(self, "rules", MappingProxyType(rules))
        object.__setattr__(self, "default", MappingProxyType(dict(self.default)))

    def limit_for(self, category: str | None, mode: HandlingMode | None, level: Level) -> Limit:
        """The most specific limit: category + mode > category + * > * + mode > level default.
        A case not yet categorised (``None``) matches only the wildcards."""
        candidates: list[RuleKey] = []
        if category is not None and mode is not None:
            candidates.append((category, mode, level))
        if category is not None:
            candidates.append((category, ANY, level))
        if mode is not None:
            candidates.append((ANY, mode, level))
        for key in candidates:
            limit = self.rules.get(key)
            if limit is not None:
                return limit
        return self.default[level]


def _check_closing(policy: TimePolicy) -> None:
    """The closing rules: a window within the limits' bounds, its reminder inside it, and a
    window whenever evaluation is required (else a silent resident would keep a case open)."""
    for name, flag in (
        ("verificationRequired", policy.verification_required),
        ("evaluationRequired", policy.evaluation_required),
    ):
        if not isinstance(flag, bool):
            raise InvalidInput(msg("policy.flag", name=name), field=name)
    window = policy.evaluation_window_hours
    if window is None:
        if policy.evaluation_required:
            raise InvalidInput(msg("policy.window_needed"), field="evaluationWindowHours")
        return
    _positive(window, "evaluationWindowHours")
    reminder = policy.evaluation_reminder_hours
    _positive(reminder, "evaluationReminderHours")
    if reminder >= window:
        raise InvalidInput(msg("policy.reminder_before_end"), field="evaluationReminderHours")


def _check_key(key: RuleKey) -> RuleKey:
    if not (isinstance(key, tuple) and len(key) == 3):
        raise InvalidInput(msg("policy.rule_key", key=key), field="rules")
    category, mode, level = key
    if not isinstance(category, str) or not category.strip() or len(category) > CATEGORY_MAX:
        raise InvalidInput(msg("policy.rule_category", key=key), field="rules")
    if mode != ANY and not isinstance(mode, HandlingMode):
        raise InvalidInput(msg("policy.rule_mode", key=key), field="rules")
    if not isinstance(level, Level):
        raise InvalidInput(msg("policy.rule_level", key=key), field="rules")
    if category == ANY and mode == ANY:
        raise InvalidInput(
            msg("policy.rule_matches_all", key=key),
            field="rules",
        )
    return key


def _positive(value: float, name: str) -> None:
    """A limit in hours, bounded: a limit beyond the bound could not be computed on the
    calendar (working_time.MAX_DAYS) and would break every clock of the district."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(msg("policy.not_a_number", name=name), field=name)
    if not (math.isfinite(value) and HOURS_MIN <= value <= HOURS_MAX):
        raise InvalidInput(
            msg("policy.hours_range", hours_min=HOURS_MIN, hours_max=HOURS_MAX), field=name
        )


def _days(n: float) -> float:
    """n working days in working hours."""
    return n * WORKING_DAY_HOURS


_W = HourUnit.WORKING
_N = HourUnit.NATURAL

DEFAULT_POLICY = TimePolicy(
    version=1,
    default={
        # the grid signs for within 2 working hours and resolves within 2 working days
        Level.GRID: Limit(response_hours=2, resolve_hours=_days(2), unit=_W),
        Level.COMMUNITY: Limit(response_hours=3, resolve_hours=_days(3), unit=_W),
        Level.STREET: Limit(response_hours=4, resolve_hours=_days(5), unit=_W),
        # departments claim (报到) within 4 working hours, resolve within 10 working days
        Level.DISTRICT: Limit(response_hours=4, resolve_hours=_days(10), unit=_W),
        # 顶格调度: a district leader, 1 working day to take it on, 20 working days to resolve
        Level.TOP: Limit(response_hours=_days(1), resolve_hours=_days(20), unit=_W),
    },
    rules={
        # 即办: on the spot, in natural hours
        (ANY, HandlingMode.IMMEDIATE, Level.GRID): Limit(0.5, 4, _N),
        (ANY, HandlingMode.IMMEDIATE, Level.COMMUNITY): Limit(1, 8, _N),
        # 快办: within a working day at the grid
        (ANY, HandlingMode.FAST, Level.GRID): Limit(1, _days(1), _W),
        (ANY, HandlingMode.FAST, Level.COMMUNITY): Limit(2, _days(2), _W),
        (ANY, HandlingMode.FAST, Level.STREET): Limit(2, _days(3), _W),
        # 房屋安全: danger to life, natural hours whatever the day
        ("HOUSING_SAFETY", ANY, Level.GRID): Limit(1, 24, _N),
        ("HOUSING_SAFETY", ANY, Level.COMMUNITY): Limit(2, 48, _N),
        ("HOUSING_SAFETY", HandlingMode.IMMEDIATE, Level.GRID): Limit(0.5, 2, _N),
    },
    at_risk_fraction=0.8,
    claim_hours=4,
    claim_unit=_W,
)
