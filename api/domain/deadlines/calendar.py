"""Working time in Asia/Shanghai: office hours, workdays, holidays and make-up days (调休).

Pure: no I/O and no wall clock. A day is a workday by, in order:

1. the override table admins edit (``True`` = workday, e.g. a make-up day the State Council
   announced after the package was released; ``False`` = a holiday, e.g. a local closure);
2. the ``chinesecalendar`` package (statutory holidays and make-up workdays);
3. for a year the package does not know (it raises ``NotImplementedError``): Monday to Friday,
   and the day is marked ``known=False`` so deadlines computed over it are flagged ``estimated``
   and recomputed once the calendar is published.

``chinesecalendar`` is imported on first use, never at module import: it must not add to the
Lambda cold start of the domain modules.

Deadlines are the earliest moment at which the requested working time has elapsed, so a deadline
that uses up a period exactly falls on that period's end (17:30), not on the next period's start.
Time is kept as ``timedelta`` internally (microsecond exact); hours are accepted and reported as
floats.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType

from api.domain.clock import SHANGHAI
from api.domain.errors import InvalidInput
from api.domain.messages import msg

# The longest stretch of calendar days a single computation may walk (about eleven years). Real
# limits are weeks; an extension is at most 90 days. A calendar without workdays hits this bound.
MAX_DAYS = 4000

# Calendar overrides are accepted for these years only: far enough either way for any real
# notice, near enough that every computation around them stays within the calendar.
OVERRIDE_YEARS = (2000, 2100)

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)
_CACHE_MAX = 20_000


def check_override_day(day: date, field: str = "day") -> date:
    first, last = OVERRIDE_YEARS
    if not first <= day.year <= last:
        raise InvalidInput(msg("calendar.year_range", first=first, last=last), field=field)
    return day


@dataclass(frozen=True)
class WorkingHours:
    """Ordered, non-overlapping daily working periods in local (Shanghai) wall time."""

    periods: Sequence[tuple[time, time]]

    def __post_init__(self) -> None:
        periods = tuple((start, end) for start, end in self.periods)
        if not periods:
            raise InvalidInput(msg("calendar.no_periods"), field="periods")
        previous_end: time | None = None
        for start, end in periods:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise InvalidInput(msg("calendar.naive_periods"), field="periods")
            if not start < end:
                raise InvalidInput(
                    msg("calendar.period_order", start=start, end=end), field="periods"
                )
            if previous_end is not None and start < previous_end:
                raise InvalidInput(msg("calendar.periods_overlap"), field="periods")
            previous_end = end
        object.__setattr__(self, "periods", periods)

    @classmethod
    def default(cls) -> WorkingHours:
        """08:30–12:00 and 13:30–17:30: 7.5 hours a day."""
        return cls(((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))))

    @property
    def daily(self) -> timedelta:
        return sum(
            (_on(date(2000, 1, 3), end) - _on(date(2000, 1, 3), start) for start, end in self),
            _ZERO,
        )

    @property
    def daily_hours(self) -> float:
        return self.daily.total_seconds() / 3600

    def __iter__(self) -> Iterator[tuple[time, time]]:
        return iter(self.periods)

    def on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's periods as aware Shanghai datetimes."""
        return [(_on(day, start), _on(day, end)) for start, end in self]


@dataclass(frozen=True)
class DayInfo:
    workday: bool
    known: bool  # False: the year is not in the calendar data; Monday–Friday was assumed


@dataclass(frozen=True)
class Deadline:
    due_at: datetime  # aware, Asia/Shanghai
    estimated: bool  # some day consulted was in a year the calendar does not know


@dataclass(frozen=True)
class Elapsed:
    duration: timedelta
    estimated: bool

    @property
    def hours(self) -> float:
        return self.duration.total_seconds() / 3600


def statutory_workday(day: date) -> bool:
    """Whether ``day`` is a workday by the ``chinesecalendar`` package (statutory holidays and
    make-up workdays). Raises ``NotImplementedError`` for a year the package does not cover."""
    return _statutory_workday(day)


@lru_cache(maxsize=8192)
def _statutory_workday(day: date) -> bool:
    import chinese_calendar  # type: ignore[import-untyped, unused-ignore]  # lazy: cold start

    return bool(chinese_calendar.is_workday(day))


class WorkCalendar:
    """Workdays and working hours; immutable (publish an override by building a new calendar
    with ``with_overrides``)."""

    def __init__(
        self,
        hours: WorkingHours | None = None,
        overrides: Mapping[date, bool] | None = None,
        source: Callable[[date], bool] | None = None,
    ) -> None:
        self._hours = hours if hours is not None else WorkingHours.default()
        checked: dict[date, bool] = {}
        for day, workday in (overrides or {}).items():
            if not isinstance(day, date) or isinstance(day, datetime):
                raise InvalidInput(msg("calendar.override_key", day=day), field="overrides")
            checked[day] = bool(workday)
        self._overrides: Mapping[date, bool] = MappingProxyType(checked)
        self._source = source if source is not None else statutory_workday
        self._days: dict[date, DayInfo] = {}

    @property
    def hours(self) -> WorkingHours:
        return self._hours

    @property
    def overrides(self) -> Mapping[date, bool]:
        return self._overrides

    def with_overrides(self, overrides: Mapping[date, bool]) -> WorkCalendar:
        """This calendar with more overrides (later entries win)."""
        return WorkCalendar(self._hours, {**self._overrides, **overrides}, self._source)

    def is_workday(self, day: date) -> DayInfo:
        if isinstance(day, datetime):
            raise TypeError("is_workday takes a date, not a datetime")
        info = self._days.get(day)
        if info is None:
            info = self._lookup(day)
            if len(self._days) >= _CACHE_MAX:
                self._days.clear()
            self._days[day] = info
        return info

    def _lookup(self, day: date) -> DayInfo:
        override = self._overrides.get(day)
        if override is not None:
            return DayInfo(workday=override, known=True)
        try:
            return DayInfo(workday=bool(self._source(day)), known=True)
        except NotImplementedError:
            return DayInfo(workday=day.weekday() < 5, known=False)

    def add_working_hours(self, start: datetime, hours: float) -> Deadline:
        """The earliest moment at which ``hours`` of working time have elapsed since ``start``.

        Only time inside working periods on workdays counts; a start outside them counts from
        the next period start. Whole workdays are skipped arithmetically, one lookup per day.
        """
        begin = to_shanghai(start, "start")
        remaining = _duration(hours)
        if remaining == _ZERO:
            return Deadline(begin, estimated=False)
        daily = self._hours.daily
        estimated = False
        day = begin.date()
        for _ in range(MAX_DAYS):
            info = self.is_workday(day)
            estimated = estimated or not info.known
            if info.workday:
                if day > begin.date() and remaining > daily:
                    remaining -= daily  # the whole day is used up
                else:
                    for period_start, period_end in self._hours.on(day):
                        segment_start = max(period_start, begin)
                        if segment_start >= period_end:
                            continue
                        available = period_end - segment_start
                        if remaining <= available:
                            return Deadline(segment_start + remaining, estimated)
                        remaining -= available
            day += _ONE_DAY
        raise ValueError(f"No deadline within {MAX_DAYS} days: the calendar has too few workdays")

    def working_time_between(self, a: datetime, b: datetime) -> Elapsed:
        """Working time inside [a, b]; zero when b is not after a."""
        start, end = to_shanghai(a, "a"), to_shanghai(b, "b")
        if end <= start:
            return Elapsed(_ZERO, estimated=False)
        first, last = start.date(), end.date()
        if (last - first).days > MAX_DAYS:
            raise ValueError(f"Cannot measure working time over more than {MAX_DAYS} days")
        daily = self._hours.daily
        total = _ZERO
        estimated = False
        day = first
        while day <= last:
            info = self.is_workday(day)
            estimated = estimated or not info.known
            if info.workday:
                if first < day < last:
                    total += daily
                else:
                    for period_start, period_end in self._hours.on(day):
                        low, high = max(period_start, start), min(period_end, end)
                        if high > low:
                            total += high - low
            day += _ONE_DAY
        return Elapsed(total, estimated)

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """Working hours inside [a, b] (what a paused clock had consumed); 0 when b ≤ a."""
        return self.working_time_between(a, b).hours


def add_natural_hours(start: datetime, hours: float) -> Deadline:
    """Calendar time: nights, weekends and holidays count."""
    begin = to_shanghai(start, "start")
    due = (begin.astimezone(UTC) + _duration(hours)).astimezone(SHANGHAI)
    return Deadline(due, estimated=False)


def natural_hours_between(a: datetime, b: datetime) -> float:
    """Elapsed calendar hours from a to b; 0 when b ≤ a."""
    start, end = to_shanghai(a, "a"), to_shanghai(b, "b")
    return max(_ZERO, end - start).total_seconds() / 3600


def to_shanghai(moment: datetime, name: str = "moment") -> datetime:
    """``moment`` in Asia/Shanghai; naive datetimes are refused (their zone is unknown)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return moment.astimezone(SHANGHAI)


def _on(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=SHANGHAI)


def _duration(hours: float) -> timedelta:
    if not math.isfinite(hours) or hours < 0:
        raise ValueError(f"hours must be a finite number ≥ 0, not {hours!r}")
    return timedelta(hours=hours)
