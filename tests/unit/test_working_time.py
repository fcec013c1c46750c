"""The working-time calendar: workdays from overrides, chinesecalendar and the Mon–Fri
fallback; deadlines over weekends, make-up Saturdays (调休), Spring Festival and unknown years;
starts outside office hours; closing-time deadlines; measured spans; natural hours. A
minute-stepping reference checks the day-skipping arithmetic on many random starts."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta

import pytest

from api.domain.clock import SHANGHAI
from api.domain.deadlines.calendar import (
    MAX_DAYS,
    DayInfo,
    Deadline,
    WorkCalendar,
    WorkingHours,
    add_natural_hours,
    natural_hours_between,
    statutory_workday,
    to_shanghai,
)
from api.domain.errors import InvalidInput

CAL = WorkCalendar()


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI)


def due(start: datetime, hours: float, calendar: WorkCalendar = CAL) -> datetime:
    return calendar.add_working_hours(start, hours).due_at


# --- the package data these tests rely on ---------------------------------------------------


def test_chinesecalendar_data_as_verified() -> None:
    """Pins the facts of chinesecalendar 1.11 the other tests are built on."""
    import chinese_calendar  # type: ignore[import-untyped, unused-ignore]

    make_up = [date(2025, 9, 28), date(2025, 10, 11), date(2026, 2, 14), date(2026, 2, 28)]
    for day in make_up:
        assert day.weekday() >= 5
        assert chinese_calendar.is_workday(day), day
    spring_festival = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]  # 15–23 Feb
    assert not any(chinese_calendar.is_workday(day) for day in spring_festival)
    assert chinese_calendar.is_workday(date(2026, 2, 24))
    national_day = [date(2025, 10, 1) + timedelta(days=i) for i in range(8)]  # 1–8 Oct
    assert not any(chinese_calendar.is_workday(day) for day in national_day)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))


def test_statutory_workday_is_the_package() -> None:
    assert statutory_workday(date(2026, 2, 14)) is True
    assert statutory_workday(date(2026, 2, 16)) is False
    with pytest.raises(NotImplementedError):
        statutory_workday(date(2027, 1, 4))


def test_domain_modules_do_not_import_chinesecalendar() -> None:
    code = (
        "import sys\n"
        "import api.domain.deadlines.calendar, api.domain.deadlines.policy\n"
        "import api.domain.deadlines.timers\n"
        "assert 'chinese_calendar' not in sys.modules, 'imported eagerly'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- working hours --------------------------------------------------------------------------


def test_default_working_hours() -> None:
    hours = WorkingHours.default()
    assert hours.periods == ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
    assert hours.daily == timedelta(hours=7.5)
    assert hours.daily_hours == 7.5
    assert hours.on(date(2026, 3, 4)) == [
        (sh(2026, 3, 4, 8, 30), sh(2026, 3, 4, 12)),
        (sh(2026, 3, 4, 13, 30), sh(2026, 3, 4, 17, 30)),
    ]


def test_working_hours_accepts_a_list_and_touching_periods() -> None:
    hours = WorkingHours([(time(9), time(12)), (time(12), time(13))])
    assert hours.periods == ((time(9), time(12)), (time(12), time(13)))
    assert hours.daily_hours == 4


@pytest.mark.parametrize(
    "periods",
    [
        [],
        [(time(9), time(9))],
        [(time(12), time(9))],
        [(time(8), time(12)), (time(11), time(14))],  # overlap
        [(time(13), time(17)), (time(8), time(12))],  # out of order
        [(time(8, tzinfo=UTC), time(12))],  # zoned
    ],
)
def test_working_hours_validation(periods: list[tuple[time, time]]) -> None:
    with pytest.raises(InvalidInput) as error:
        WorkingHours(periods)
    assert error.value.field == "periods"


# --- workdays -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "info"),
    [
        (date(2026, 3, 4), DayInfo(workday=True, known=True)),  # an ordinary Wednesday
        (date(2026, 3, 7), DayInfo(workday=False, known=True)),  # an ordinary Saturday
        (date(2026, 2, 14), DayInfo(workday=True, known=True)),  # 调休 Saturday before 春节
        (date(2026, 2, 28), DayInfo(workday=True, known=True)),  # 调休 Saturday after 春节
        (date(2025, 9, 28), DayInfo(workday=True, known=True)),  # 调休 Sunday before 国庆
        (date(2025, 10, 11), DayInfo(workday=True, known=True)),  # 调休 Saturday after 国庆
        (date(2026, 2, 16), DayInfo(workday=False, known=True)),  # 春节 Monday
        (date(2025, 10, 1), DayInfo(workday=False, known=True)),  # 国庆
        (date(2026, 4, 6), DayInfo(workday=False, known=True)),  # 清明 Monday
        (date(2027, 1, 4), DayInfo(workday=True, known=False)),  # unknown year: Monday
        (date(2027, 1, 1), DayInfo(workday=True, known=False)),  # unknown: Friday, New Year
        (date(2027, 1, 2), DayInfo(workday=False, known=False)),  # unknown year: Saturday
        (date(2003, 6, 2), DayInfo(workday=True, known=False)),  # before the package's data
    ],
)
def test_is_workday(day: date, info: DayInfo) -> None:
    assert CAL.is_workday(day) == info


def test_overrides_come_first() -> None:
    calendar = WorkCalendar(
        overrides={
            date(2026, 2, 14): False,  # the package says make-up workday
            date(2026, 3, 4): False,  # a local closure on a Wednesday
            date(2026, 3, 7): True,  # a late make-up Saturday
            date(2027, 1, 9): True,  # a 2027 make-up day announced before the package
            date(2027, 1, 1): False,  # 2027 New Year
        }
    )
    assert calendar.is_workday(date(2026, 2, 14)) == DayInfo(False, True)
    assert calendar.is_workday(date(2026, 3, 4)) == DayInfo(False, True)
    assert calendar.is_workday(date(2026, 3, 7)) == DayInfo(True, True)
    assert calendar.is_workday(date(2027, 1, 9)) == DayInfo(True, True)
    assert calendar.is_workday(date(2027, 1, 1)) == DayInfo(False, True)
    assert calendar.is_workday(date(2027, 1, 4)) == DayInfo(True, False)


def test_with_overrides_builds_a_new_calendar() -> None:
    first = WorkCalendar(overrides={date(2026, 3, 4): False})
    second = first.with_overrides({date(2026, 3, 5): False, date(2026, 3, 4): True})
    assert first.is_workday(date(2026, 3, 4)).workday is False
    assert first.is_workday(date(2026, 3, 5)).workday is True
    assert second.is_workday(date(2026, 3, 4)).workday is True
    assert second.is_workday(date(2026, 3, 5)).workday is False
    assert dict(second.overrides) == {date(2026, 3, 4): True, date(2026, 3, 5): False}
    assert second.hours == first.hours


def test_overrides_are_copied_and_read_only() -> None:
    table = {date(2026, 3, 4): False}
    calendar = WorkCalendar(overrides=table)
    table[date(2026, 3, 5)] = False
    assert calendar.is_workday(date(2026, 3, 5)).workday is True
    with pytest.raises(TypeError):
        calendar.overrides[date(2026, 3, 6)] = False  # type: ignore[index]


def test_override_keys_must_be_dates() -> None:
    with pytest.raises(InvalidInput):
        WorkCalendar(overrides={sh(2026, 3, 4): False})


def test_is_workday_refuses_a_datetime() -> None:
    with pytest.raises(TypeError):
        CAL.is_workday(sh(2026, 3, 4, 9))


def test_source_is_injectable_and_consulted_once_per_day() -> None:
    calls: list[date] = []

    def only_tuesdays(day: date) -> bool:
        calls.append(day)
        return day.weekday() == 1

    calendar = WorkCalendar(source=only_tuesdays)
    # Monday 2026-03-02 16:00 + 7.5 h: the whole of Tuesday → Tuesday 17:30
    assert due(sh(2026, 3, 2, 16), 7.5, calendar) == sh(2026, 3, 3, 17, 30)
    assert due(sh(2026, 3, 2, 16), 8, calendar) == sh(2026, 3, 10, 9)
    assert len(calls) == len(set(calls))  # cached per calendar


def test_a_source_failure_other_than_unknown_year_propagates() -> None:
    def broken(day: date) -> bool:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        WorkCalendar(source=broken).is_workday(date(2026, 3, 4))


# --- add_working_hours ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        # inside one period
        (sh(2026, 3, 4, 9), 2, sh(2026, 3, 4, 11)),
        # across the lunch break
        (sh(2026, 3, 4, 11), 2, sh(2026, 3, 4, 14, 30)),
        # exactly at the end of the morning
        (sh(2026, 3, 4, 11), 1, sh(2026, 3, 4, 12)),
        # exactly at closing time: 17:30, not next morning 08:30
        (sh(2026, 3, 4, 16), 1.5, sh(2026, 3, 4, 17, 30)),
        (sh(2026, 3, 4, 8, 30), 7.5, sh(2026, 3, 4, 17, 30)),
        (sh(2026, 3, 2, 8, 30), 15, sh(2026, 3, 3, 17, 30)),
        (sh(2026, 3, 2, 8, 30), 15.5, sh(2026, 3, 4, 9)),
        # starts outside working hours count from the next period start
        (sh(2026, 3, 3, 22), 1, sh(2026, 3, 4, 9, 30)),  # night
        (sh(2026, 3, 4, 6), 1, sh(2026, 3, 4, 9, 30)),  # early morning
        (sh(2026, 3, 4, 12, 30), 1, sh(2026, 3, 4, 14, 30)),  # lunch break
        (sh(2026, 3, 4, 12), 1, sh(2026, 3, 4, 14, 30)),  # at the end of the morning
        (sh(2026, 3, 4, 17, 30), 0.5, sh(2026, 3, 5, 9)),  # at closing time
        (sh(2026, 3, 7, 10), 1, sh(2026, 3, 9, 9, 30)),  # a Saturday
        (sh(2026, 2, 17, 10), 1, sh(2026, 2, 24, 9, 30)),  # 春节 holiday
        # across a weekend: Friday 16:00 + 3 h → Monday 10:00
        (sh(2026, 3, 6, 16), 3, sh(2026, 3, 9, 10)),
        # across a 调休 Saturday that is a workday: Friday 16:00 + 2 h → Saturday 09:00
        (sh(2026, 2, 13, 16), 2, sh(2026, 2, 14, 9)),
        (sh(2025, 10, 10, 16), 2, sh(2025, 10, 11, 9)),
        # Friday before 国庆 2025: Saturday 27 off, Sunday 28 a make-up workday
        (sh(2025, 9, 26, 16), 3, sh(2025, 9, 28, 10)),
        # across Spring Festival 2026: from the 调休 Saturday 14 Feb to Tuesday 24 Feb
        (sh(2026, 2, 14, 16), 2, sh(2026, 2, 24, 9)),
        (sh(2026, 2, 13, 8, 30), 15 + 1, sh(2026, 2, 24, 9, 30)),
        # across 国庆 2025: 30 Sep → 9 Oct
        (sh(2025, 9, 30, 16), 3, sh(2025, 10, 9, 10)),
        # 20 working days in March 2026 (no holidays): four weeks
        (sh(2026, 3, 2, 8, 30), 150, sh(2026, 3, 27, 17, 30)),
        # 清明 2026: Monday 6 April is off
        (sh(2026, 4, 3, 16), 2, sh(2026, 4, 7, 9)),
        # 劳动节 2026: 1–5 May off, Saturday 9 May a make-up workday
        (sh(2026, 4, 30, 17), 1, sh(2026, 5, 6, 9, 0)),
        (sh(2026, 5, 8, 17), 1, sh(2026, 5, 9, 9, 0)),
    ],
)
def test_add_working_hours(start: datetime, hours: float, expected: datetime) -> None:
    deadline = CAL.add_working_hours(start, hours)
    assert deadline == Deadline(expected, estimated=False)
    assert deadline.due_at.tzinfo is SHANGHAI


def test_zero_hours_is_the_start_itself() -> None:
    assert CAL.add_working_hours(sh(2026, 3, 7, 23), 0) == Deadline(sh(2026, 3, 7, 23), False)


def test_other_time_zones_are_converted_to_shanghai() -> None:
    start = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    deadline = CAL.add_working_hours(start, 1)
    assert deadline.due_at == sh(2026, 3, 4, 10)
    assert deadline.due_at.tzinfo is SHANGHAI
    assert deadline.due_at.isoformat() == "2026-03-04T10:00:00+08:00"


def test_fractions_of_an_hour_are_exact() -> None:
    assert due(sh(2026, 3, 4, 9), 0.1) == sh(2026, 3, 4, 9, 6)
    assert due(sh(2026, 3, 4, 9), 1 / 60) == sh(2026, 3, 4, 9, 1)


@pytest.mark.parametrize("hours", [-1, float("nan"), float("inf")])
def test_bad_hours(hours: float) -> None:
    with pytest.raises(ValueError):
        CAL.add_working_hours(sh(2026, 3, 4, 9), hours)


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 3, 4, 9)
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.add_working_hours(naive, 1)
    with pytest.raises(ValueError):
        CAL.working_hours_between(naive, sh(2026, 3, 4, 10))
    with pytest.raises(ValueError):
        CAL.working_hours_between(sh(2026, 3, 4, 10), naive)
    with pytest.raises(ValueError):
        add_natural_hours(naive, 1)
    with pytest.raises(ValueError):
        to_shanghai(naive)


# --- unknown years --------------------------------------------------------------------------


def test_a_year_the_package_does_not_know_is_estimated_mon_to_fri() -> None:
    # Thursday 31 Dec 2026 16:00 + 8 h: 1.5 h on Thursday, then Friday 1 Jan 2027 — a holiday in
    # all likelihood, but unknown, so Monday–Friday is assumed and the deadline is estimated.
    assert CAL.add_working_hours(sh(2026, 12, 31, 16), 8) == Deadline(
        sh(2027, 1, 1, 16, 30), estimated=True
    )
    # wholly in 2027: Friday 16:00 + 2 h → Monday 09:00, skipping the weekend
    assert CAL.add_working_hours(sh(2027, 1, 8, 16), 2) == Deadline(sh(2027, 1, 11, 9), True)


def test_estimated_only_when_an_unknown_day_was_consulted() -> None:
    assert CAL.add_working_hours(sh(2026, 12, 31, 9), 1) == Deadline(sh(2026, 12, 31, 10), False)
    assert CAL.add_working_hours(sh(2026, 12, 31, 16), 1.5).estimated is False  # 17:30 exactly


def test_overrides_make_unknown_days_known_but_not_their_neighbours() -> None:
    calendar = WorkCalendar(overrides={date(2027, 1, 1): False, date(2027, 1, 9): True})
    # 31 Dec 16:00 + 2 h: 1 Jan is an announced holiday (known), 2–3 Jan weekend (unknown)
    assert calendar.add_working_hours(sh(2026, 12, 31, 16), 2) == Deadline(
        sh(2027, 1, 4, 9), estimated=True
    )
    # only the override consulted: Saturday 9 Jan 2027 made a workday
    assert calendar.add_working_hours(sh(2027, 1, 9, 9), 1) == Deadline(sh(2027, 1, 9, 10), False)


def test_an_override_moves_a_deadline() -> None:
    start = sh(2026, 3, 6, 16)  # Friday
    assert due(start, 3) == sh(2026, 3, 9, 10)
    closed_monday = CAL.with_overrides({date(2026, 3, 9): False})
    assert due(start, 3, closed_monday) == sh(2026, 3, 10, 10)
    working_saturday = CAL.with_overrides({date(2026, 3, 7): True})
    assert due(start, 3, working_saturday) == sh(2026, 3, 7, 10)


# --- efficiency and bounds ------------------------------------------------------------------


def test_long_limits_skip_whole_days() -> None:
    calls = 0

    def counting(day: date) -> bool:
        nonlocal calls
        calls += 1
        return statutory_workday(day)

    calendar = WorkCalendar(source=counting)
    deadline = calendar.add_working_hours(sh(2025, 1, 2, 9), 1500)  # 200 working days
    assert deadline.estimated is False
    assert calls == (deadline.due_at.date() - date(2025, 1, 2)).days + 1  # one lookup per day
    assert calendar.working_hours_between(sh(2025, 1, 2, 9), deadline.due_at) == 1500


def test_a_calendar_without_workdays_is_bounded() -> None:
    calls = 0

    def never(day: date) -> bool:
        nonlocal calls
        calls += 1
        return False

    with pytest.raises(ValueError, match="No deadline"):
        WorkCalendar(source=never).add_working_hours(sh(2026, 3, 4, 9), 1)
    assert calls == MAX_DAYS


def test_measuring_over_too_many_days_is_refused() -> None:
    with pytest.raises(ValueError):
        CAL.working_hours_between(sh(2000, 1, 1), sh(2026, 1, 1))


# --- working_hours_between ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "hours"),
    [
        (sh(2026, 3, 4, 9), sh(2026, 3, 4, 11), 2),
        (sh(2026, 3, 4, 11), sh(2026, 3, 4, 14, 30), 2),  # lunch does not count
        (sh(2026, 3, 4, 7), sh(2026, 3, 4, 20), 7.5),
        (sh(2026, 3, 4, 12, 15), sh(2026, 3, 4, 13, 15), 0),
        (sh(2026, 3, 6, 16), sh(2026, 3, 9, 10), 3),  # weekend
        (sh(2026, 2, 13, 8, 30), sh(2026, 2, 24, 9, 30), 16),  # 调休 Saturday + 春节
        (sh(2026, 2, 15), sh(2026, 2, 24), 0),  # the whole Spring Festival
        (sh(2026, 3, 2), sh(2026, 3, 28), 150),
        (sh(2026, 3, 4, 11), sh(2026, 3, 4, 11), 0),
        (sh(2026, 3, 4, 11), sh(2026, 3, 4, 9), 0),  # b before a
    ],
)
def test_working_hours_between(a: datetime, b: datetime, hours: float) -> None:
    assert CAL.working_hours_between(a, b) == hours


def test_working_time_between_flags_unknown_years() -> None:
    elapsed = CAL.working_time_between(sh(2026, 12, 31, 9), sh(2027, 1, 4, 9, 30))
    assert elapsed.duration == timedelta(hours=7 + 7.5 + 1)  # Thu, Fri (assumed), Mon
    assert elapsed.hours == 15.5
    assert elapsed.estimated is True
    assert CAL.working_time_between(sh(2026, 12, 30, 9), sh(2026, 12, 31, 9)).estimated is False


# --- against a minute-stepping reference -----------------------------------------------------


def _reference_due(calendar: WorkCalendar, start: datetime, minutes: int) -> datetime:
    """Step minute by minute; a minute counts when it lies in a period of a workday."""
    periods: dict[date, list[tuple[datetime, datetime]]] = {}
    at = start
    while minutes:
        day = at.date()
        if day not in periods:
            workday = calendar.is_workday(day).workday
            periods[day] = calendar.hours.on(day) if workday else []
        if any(begin <= at < end for begin, end in periods[day]):
            minutes -= 1
        at += timedelta(minutes=1)
    return at  # right after the last counted minute: the earliest such moment


def test_against_a_minute_by_minute_reference() -> None:
    rng = random.Random(20260214)
    calendars = [CAL, WorkCalendar(overrides={date(2026, 2, 24): False, date(2026, 2, 22): True})]
    base = sh(2026, 1, 26)
    for _ in range(60):
        calendar = rng.choice(calendars)
        start = base + timedelta(minutes=rng.randrange(0, 45 * 24 * 60))
        minutes = rng.randrange(1, 20 * 60)
        expected = _reference_due(calendar, start, minutes)
        got = calendar.add_working_hours(start, minutes / 60).due_at
        assert got == expected, (start, minutes)
        assert calendar.working_time_between(start, got).duration == timedelta(minutes=minutes)


def test_round_trip_between_and_add() -> None:
    rng = random.Random(7)
    for _ in range(200):
        start = sh(2025, 1, 1) + timedelta(
            minutes=rng.randrange(0, 2 * 365 * 24 * 60 - 60 * 24 * 60)
        )
        hours = rng.randrange(1, 400) / 4
        deadline = CAL.add_working_hours(start, hours)
        assert CAL.working_hours_between(start, deadline.due_at) == hours
        assert not deadline.estimated


# --- natural hours --------------------------------------------------------------------------


def test_natural_hours_ignore_the_calendar() -> None:
    # Saturday evening in Spring Festival, 4 natural hours → Sunday 02:00
    assert add_natural_hours(sh(2026, 2, 21, 22), 4) == Deadline(sh(2026, 2, 22, 2), False)
    assert add_natural_hours(sh(2027, 1, 1, 10), 48) == Deadline(sh(2027, 1, 3, 10), False)
    utc = add_natural_hours(datetime(2026, 3, 4, 0, 0, tzinfo=UTC), 1)
    assert utc.due_at == sh(2026, 3, 4, 9)
    assert utc.due_at.tzinfo is SHANGHAI


def test_natural_hours_between() -> None:
    assert natural_hours_between(sh(2026, 2, 14, 12), sh(2026, 2, 24, 12)) == 240
    assert natural_hours_between(sh(2026, 2, 24, 12), sh(2026, 2, 14, 12)) == 0
    with pytest.raises(ValueError):
        add_natural_hours(sh(2026, 2, 14), -1)
