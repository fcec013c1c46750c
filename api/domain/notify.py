"""Who is told what, on which channel: the rules of delivery, pure.

An *announcement* is something the system has to tell (a timer's notice, a case that reached a
unit, a topic's result…). Each announcement kind names an *audience* by rule (the unit's duty
people, the unit head, a department's staff, a leader, the reporter, one person); each person's
preferences choose the channels, and quiet hours hold back the loud channels except for
supervision (督办), which must reach the unit head at any hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum

from api.domain.roles import Role


class AnnouncementKind(StrEnum):
    CASE_AT_GRID = "CASE_AT_GRID"  # a new case reached the grid: 派单到网格
    CASE_ASSIGNED = "CASE_ASSIGNED"  # a case reached a community / street unit
    CASE_CLAIM_REQUEST = "CASE_CLAIM_REQUEST"  # a district department is asked to claim (认领)
    CASE_AT_TOP = "CASE_AT_TOP"  # 顶格调度: the district leader owns the case
    AT_RISK_WARNING = "AT_RISK_WARNING"  # 临期预警
    SUPERVISION = "SUPERVISION"  # 督办
    ESCALATED = "ESCALATED"  # 吹哨上报 by a timer
    UNCLAIMED_TO_CENTRE = "UNCLAIMED_TO_CENTRE"  # 无人认领
    PAIN_POINT = "PAIN_POINT"  # 难点问题
    NO_LEADER = "NO_LEADER"  # 无包案领导
    REPORT_ACCEPTED = "REPORT_ACCEPTED"  # to the reporter: 已受理
    REPORT_REJECTED = "REPORT_REJECTED"  # to the reporter: 不予受理
    REPORT_RESOLVED = "REPORT_RESOLVED"  # to the reporter: 已办结, please evaluate (请评价)
    REPORT_CLOSED = "REPORT_CLOSED"  # to the reporter: 已结案
    EVALUATION_REMINDER = "EVALUATION_REMINDER"  # to the reporter: 请评价, the window ends soon
    TOPIC_NOTICE = "TOPIC_NOTICE"  # 党群议事: proposed, vote opened, result
    PARTNER_CLAIM = "PARTNER_CLAIM"  # 双报到: a partner claimed a project (to the community)
    PARTNER_CONFIRMED = "PARTNER_CONFIRMED"  # the delivery of a claim was confirmed (to partner)


class Audience(StrEnum):
    DUTY = "DUTY"  # the unit's people on duty: secretary and grid workers (a grid), staff
    HEAD = "HEAD"  # the unit head: secretary, else staff
    DEPARTMENT = "DEPARTMENT"  # a department's staff
    PERSON = "PERSON"  # one person named by the announcement (leader, reporter, voter…)
    UNIT_OR_PERSON = "UNIT_OR_PERSON"  # the target is a unit (→ DUTY) or a person


class Channel(StrEnum):
    IN_APP = "IN_APP"  # the person's notification inbox
    WECHAT = "WECHAT"  # 小程序订阅消息
    SMS = "SMS"
    WEBHOOK = "WEBHOOK"  # systems, not people


AUDIENCE: dict[AnnouncementKind, Audience] = {
    AnnouncementKind.CASE_AT_GRID: Audience.DUTY,
    AnnouncementKind.CASE_ASSIGNED: Audience.DUTY,
    AnnouncementKind.CASE_CLAIM_REQUEST: Audience.DEPARTMENT,
    AnnouncementKind.CASE_AT_TOP: Audience.PERSON,
    AnnouncementKind.AT_RISK_WARNING: Audience.UNIT_OR_PERSON,
    AnnouncementKind.SUPERVISION: Audience.HEAD,
    AnnouncementKind.ESCALATED: Audience.UNIT_OR_PERSON,
    AnnouncementKind.UNCLAIMED_TO_CENTRE: Audience.DUTY,
    AnnouncementKind.PAIN_POINT: Audience.UNIT_OR_PERSON,
    AnnouncementKind.NO_LEADER: Audience.DUTY,
    AnnouncementKind.REPORT_ACCEPTED: Audience.PERSON,
    AnnouncementKind.REPORT_REJECTED: Audience.PERSON,
    AnnouncementKind.REPORT_RESOLVED: Audience.PERSON,
    AnnouncementKind.REPORT_CLOSED: Audience.PERSON,
    AnnouncementKind.EVALUATION_REMINDER: Audience.PERSON,
    AnnouncementKind.TOPIC_NOTICE: Audience.UNIT_OR_PERSON,
    AnnouncementKind.PARTNER_CLAIM: Audience.DUTY,
    AnnouncementKind.PARTNER_CONFIRMED: Audience.PERSON,
}

# Which roles on the target unit make up an audience, in order of preference: the first
# non-empty group is told.
AUDIENCE_ROLES: dict[Audience, tuple[frozenset[Role], ...]] = {
    Audience.DUTY: (
        frozenset({Role.SECRETARY, Role.GRID_WORKER, Role.STAFF}),
        frozenset({Role.INSTRUCTOR, Role.ADMIN}),
    ),
    Audience.HEAD: (frozenset({Role.SECRETARY}), frozenset({Role.STAFF, Role.ADMIN})),
    Audience.DEPARTMENT: (frozenset({Role.DEPARTMENT_STAFF}), frozenset({Role.ADMIN})),
}
# Who takes over when a unit has nobody of its audience: the parent unit's dispatchers.
FALLBACK_ROLES = frozenset({Role.STAFF, Role.SECRETARY, Role.ADMIN})

# The loud channels for staff (SMS costs money and wakes people): supervision and escalation.
SMS_KINDS = frozenset(
    {
        AnnouncementKind.SUPERVISION,
        AnnouncementKind.ESCALATED,
        AnnouncementKind.UNCLAIMED_TO_CENTRE,
        AnnouncementKind.CASE_AT_TOP,
        AnnouncementKind.NO_LEADER,
    }
)
# 督办 reaches the head at any hour.
IGNORES_QUIET_HOURS = frozenset({AnnouncementKind.SUPERVISION})


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local wall-clock hours in which WeChat and SMS wait (in-app still arrives)."""

    start: time
    end: time

    def contains(self, local: datetime) -> bool:
        now = local.time()
        if self.start <= self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end  # across midnight, e.g. 22:00–07:00


@dataclass(frozen=True, slots=True)
class Preferences:
    """A person's choices; absent preferences mean every channel they can be reached on."""

    wechat: bool = True
    sms: bool = True
    quiet: QuietHours | None = None


@dataclass(frozen=True, slots=True)
class Reach:
    """How a person can be reached at all."""

    has_wechat: bool  # a WeChat binding (openid) for the mini-program
    has_phone: bool


def audience_of(kind: AnnouncementKind, target_is_unit: bool) -> Audience:
    audience = AUDIENCE[kind]
    if audience is Audience.UNIT_OR_PERSON:
        return Audience.DUTY if target_is_unit else Audience.PERSON
    return audience


def pick_people(audience: Audience, holders: dict[Role, list[str]]) -> list[str]:
    """The people of a unit an audience names: the first role group anyone holds."""
    for roles in AUDIENCE_ROLES.get(audience, ()):
        found = [person for role in sorted(roles) for person in holders.get(role, [])]
        if found:
            return list(dict.fromkeys(found))
    return []


def pick_fallback(holders: dict[Role, list[str]]) -> list[str]:
    """The next level's dispatchers, when a unit has nobody of the audience on duty."""
    found = [person for role in sorted(FALLBACK_ROLES) for person in holders.get(role, [])]
    return list(dict.fromkeys(found))


def channels_for(
    kind: AnnouncementKind, preferences: Preferences, reach: Reach, local_now: datetime
) -> tuple[Channel, ...]:
    """In-app always; WeChat and SMS as chosen and reachable, held back in quiet hours."""
    channels = [Channel.IN_APP]
    quiet = (
        preferences.quiet is not None
        and kind not in IGNORES_QUIET_HOURS
        and preferences.quiet.contains(local_now)
    )
    if quiet:
        return tuple(channels)
    if preferences.wechat and reach.has_wechat:
        channels.append(Channel.WECHAT)
    if preferences.sms and reach.has_phone and kind in SMS_KINDS:
        channels.append(Channel.SMS)
    return tuple(channels)


def truncate(value: str, limit: int) -> str:
    """WeChat cuts nothing itself: it refuses a field over its limit (47003). Cut with '…'."""
    if len(value) <= limit:
        return value
    return value[: max(0, limit - 1)] + "…"


def backoff_seconds(attempt: int, base: float, cap: float, jitter: float) -> float:
    """Exponential backoff with full jitter: ``jitter`` in [0, 1) picks within the window."""
    window = min(cap, base * float(2.0 ** max(0, attempt - 1)))
    return window * jitter
