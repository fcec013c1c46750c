"""Who is told, on which channel: the pure rules of delivery."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from api.domain.clock import SHANGHAI
from api.domain.notify import (
    AnnouncementKind,
    Audience,
    Channel,
    Preferences,
    QuietHours,
    Reach,
    audience_of,
    backoff_seconds,
    channels_for,
    pick_fallback,
    pick_people,
    truncate,
)
from api.domain.roles import Role

NIGHT = datetime(2026, 12, 1, 23, 30, tzinfo=SHANGHAI)
DAY = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
EVERYWHERE = Reach(has_wechat=True, has_phone=True)
QUIET = Preferences(quiet=QuietHours(time(22, 0), time(7, 0)))


@pytest.mark.parametrize(
    ("kind", "is_unit", "audience"),
    [
        (AnnouncementKind.CASE_AT_GRID, True, Audience.DUTY),
        (AnnouncementKind.SUPERVISION, True, Audience.HEAD),
        (AnnouncementKind.CASE_CLAIM_REQUEST, True, Audience.DEPARTMENT),
        (AnnouncementKind.CASE_AT_TOP, True, Audience.PERSON),
        (AnnouncementKind.REPORT_RESOLVED, True, Audience.PERSON),
        (AnnouncementKind.ESCALATED, True, Audience.DUTY),
        (AnnouncementKind.ESCALATED, False, Audience.PERSON),
        (AnnouncementKind.TOPIC_NOTICE, False, Audience.PERSON),
        (AnnouncementKind.PARTNER_CLAIM, True, Audience.DUTY),
    ],
)
def test_each_kind_names_its_audience(
    kind: AnnouncementKind, is_unit: bool, audience: Audience
) -> None:
    assert audience_of(kind, target_is_unit=is_unit) is audience


def test_duty_people_of_a_grid_are_its_secretary_and_grid_workers() -> None:
    holders = {
        Role.SECRETARY: ["sec"],
        Role.GRID_WORKER: ["w1", "w2"],
        Role.INSTRUCTOR: ["ins"],
    }
    assert sorted(pick_people(Audience.DUTY, holders)) == ["sec", "w1", "w2"]


def test_head_is_the_secretary_else_staff() -> None:
    assert pick_people(Audience.HEAD, {Role.SECRETARY: ["s"], Role.STAFF: ["t"]}) == ["s"]
    assert pick_people(Audience.HEAD, {Role.STAFF: ["t"]}) == ["t"]


def test_department_staff_for_a_claim_request() -> None:
    holders = {Role.DEPARTMENT_STAFF: ["d1"], Role.ADMIN: ["a"]}
    assert pick_people(Audience.DEPARTMENT, holders) == ["d1"]


def test_nobody_on_duty_gives_nobody_and_the_fallback_is_the_dispatchers() -> None:
    assert pick_people(Audience.DUTY, {Role.LEADER: ["l"]}) == []
    parent = {Role.STAFF: ["dispatcher"], Role.GRID_WORKER: ["w"], Role.LEADER: ["l"]}
    assert pick_fallback(parent) == ["dispatcher"]


def test_a_person_is_told_once_even_with_two_roles() -> None:
    holders = {Role.SECRETARY: ["p"], Role.GRID_WORKER: ["p"]}
    assert pick_people(Audience.DUTY, holders) == ["p"]


def test_in_app_always_wechat_when_bound_sms_only_for_loud_kinds() -> None:
    assert channels_for(AnnouncementKind.CASE_AT_GRID, Preferences(), EVERYWHERE, DAY) == (
        Channel.IN_APP,
        Channel.WECHAT,
    )
    assert channels_for(AnnouncementKind.SUPERVISION, Preferences(), EVERYWHERE, DAY) == (
        Channel.IN_APP,
        Channel.WECHAT,
        Channel.SMS,
    )
    unbound = Reach(has_wechat=False, has_phone=False)
    assert channels_for(AnnouncementKind.SUPERVISION, Preferences(), unbound, DAY) == (
        Channel.IN_APP,
    )


def test_preferences_turn_channels_off() -> None:
    quiet_person = Preferences(wechat=False, sms=False)
    assert channels_for(AnnouncementKind.SUPERVISION, quiet_person, EVERYWHERE, DAY) == (
        Channel.IN_APP,
    )


def test_quiet_hours_hold_loud_channels_except_supervision() -> None:
    assert channels_for(AnnouncementKind.ESCALATED, QUIET, EVERYWHERE, NIGHT) == (Channel.IN_APP,)
    assert channels_for(AnnouncementKind.SUPERVISION, QUIET, EVERYWHERE, NIGHT) == (
        Channel.IN_APP,
        Channel.WECHAT,
        Channel.SMS,
    )
    assert Channel.SMS in channels_for(AnnouncementKind.ESCALATED, QUIET, EVERYWHERE, DAY)


def test_quiet_hours_across_midnight_and_within_a_day() -> None:
    night = QuietHours(time(22, 0), time(7, 0))
    assert night.contains(NIGHT) and night.contains(NIGHT.replace(hour=6, minute=59))
    assert not night.contains(DAY) and not night.contains(NIGHT.replace(hour=7, minute=0))
    lunch = QuietHours(time(12, 0), time(13, 30))
    assert lunch.contains(DAY.replace(hour=12, minute=45)) and not lunch.contains(DAY)


def test_truncate_keeps_the_limit_and_marks_the_cut() -> None:
    assert truncate("短", 20) == "短"
    cut = truncate("一" * 30, 20)
    assert len(cut) == 20 and cut.endswith("…")


def test_backoff_grows_exponentially_up_to_a_cap_with_jitter() -> None:
    assert backoff_seconds(1, 0.5, 30, 0.999) == pytest.approx(0.4995)
    assert backoff_seconds(4, 0.5, 30, 0.5) == pytest.approx(2.0)
    assert backoff_seconds(20, 0.5, 30, 0.5) == pytest.approx(15.0)
    assert backoff_seconds(3, 0.5, 30, 0.0) == 0.0
