"""GraphQL of time limits: the policy in force and its versions, calendar overrides."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from api.domain.cases import HandlingMode as HandlingModeModel
from api.domain.cases import Level
from api.domain.deadlines.policy import ANY, HourUnit, Limit, RuleKey, TimePolicy
from api.domain.errors import InvalidInput
from api.domain.messages import msg
from api.services.deadlines import policies, policy_admin
from schema.context import Info
from schema.enums import CaseLevel, HandlingMode, described_enum, value_of
from schema.errors import UserError, run_mutation
from schema.node import item_id

RESPONSE = "Response limit in hours (响应时限): sign for the case within"
RESOLVE = "Resolve limit in hours (办结时限)"
UNIT = "How the hours are counted"
ERRORS = "Why nothing was written; empty on success"
DistrictId = Annotated[strawberry.ID, strawberry.argument(description="Global id of the district")]


described_enum(
    HourUnit,
    "ClockUnit",
    "How a limit is counted",
    {
        HourUnit.WORKING: "工作时: office hours on workdays",
        HourUnit.NATURAL: "自然时: calendar hours",
    },
)


@strawberry.type(description="A level's default limits")
class LevelLimit:
    level: CaseLevel = strawberry.field(description="The level the limits apply at")
    response_hours: float = strawberry.field(description=RESPONSE)
    resolve_hours: float = strawberry.field(description=RESOLVE)
    unit: HourUnit = strawberry.field(description=UNIT)


@strawberry.type(description="Limits for a category and/or handling mode at a level")
class PolicyRule:
    category: str | None = strawberry.field(description="Null: any category")
    mode: HandlingMode | None = strawberry.field(description="Null: any handling mode")
    level: CaseLevel = strawberry.field(description="The level the limits apply at")
    response_hours: float = strawberry.field(description=RESPONSE)
    resolve_hours: float = strawberry.field(description=RESOLVE)
    unit: HourUnit = strawberry.field(description=UNIT)


@strawberry.type(description="The time-limit policy (时限): versioned, the latest is in force")
class TimePolicyView:
    version: int = strawberry.field(description="Version number; 1 is the built-in default")
    at_risk_fraction: float = strawberry.field(description="临期预警 at this share of a limit")
    claim_hours: float = strawberry.field(description="DISTRICT: departments must claim within")
    claim_unit: HourUnit = strawberry.field(description="How the claim limit is counted")
    verification_required: bool = strawberry.field(
        description="核查: a dispatcher verifies the result before the case may be evaluated or "
        "closed"
    )
    evaluation_required: bool = strawberry.field(
        description="Staff close only after the reporter's evaluation or the window's end"
    )
    evaluation_window_hours: float | None = strawberry.field(
        description="评价期 in natural hours; at its end a resolved case closes as not "
        "evaluated; null: no window"
    )
    evaluation_reminder_hours: float = strawberry.field(
        description="The reporter is reminded this many hours before the window ends"
    )
    defaults: list[LevelLimit] = strawberry.field(description="Limits per level when no rule fits")
    rules: list[PolicyRule] = strawberry.field(
        description="Limits for a category and/or handling mode, the most specific first"
    )


def _view(policy: TimePolicy) -> TimePolicyView:
    return TimePolicyView(
        version=policy.version,
        at_risk_fraction=policy.at_risk_fraction,
        claim_hours=policy.claim_hours,
        claim_unit=HourUnit(policy.claim_unit.value),
        verification_required=policy.verification_required,
        evaluation_required=policy.evaluation_required,
        evaluation_window_hours=policy.evaluation_window_hours,
        evaluation_reminder_hours=policy.evaluation_reminder_hours,
        defaults=[
            LevelLimit(
                level=CaseLevel(level.value),
                response_hours=limit.response_hours,
                resolve_hours=limit.resolve_hours,
                unit=HourUnit(limit.unit.value),
            )
            for level, limit in sorted(
                policy.default.items(), key=lambda kv: list(Level).index(kv[0])
            )
        ],
        rules=[
            PolicyRule(
                category=None if category == ANY else category,
                mode=None if mode == ANY else HandlingMode(str(mode)),
                level=CaseLevel(level.value),
                response_hours=limit.response_hours,
                resolve_hours=limit.resolve_hours,
                unit=HourUnit(limit.unit.value),
            )
            for (category, mode, level), limit in policy.rules.items()
        ],
    )


@strawberry.type(description="A day overridden by the district (a late State Council notice)")
class CalendarOverride:
    day: str = strawberry.field(description="The day (yyyy-mm-dd, Asia/Shanghai)")
    workday: bool = strawberry.field(description="True: a workday (调休); false: a holiday")
    note: str | None = strawberry.field(description="Why, e.g. the notice it follows")


@strawberry.input(description="A level's default limits")
class LevelLimitInput:
    level: CaseLevel = strawberry.field(description="The level the limits apply at")
    response_hours: float = strawberry.field(description=RESPONSE)
    resolve_hours: float = strawberry.field(description=RESOLVE)
    unit: HourUnit = strawberry.field(description=UNIT, default=HourUnit.WORKING)


@strawberry.input(description="Limits for a category and/or handling mode at a level")
class PolicyRuleInput:
    category: str | None = strawberry.field(description="Null: any category", default=None)
    mode: HandlingMode | None = strawberry.field(
        description="Null: any handling mode", default=None
    )
    level: CaseLevel = strawberry.field(description="The level the limits apply at")
    response_hours: float = strawberry.field(description=RESPONSE)
    resolve_hours: float = strawberry.field(description=RESOLVE)
    unit: HourUnit = strawberry.field(description=UNIT, default=HourUnit.WORKING)


@strawberry.input(description="The whole policy; saving makes it the next version")
class UpdateTimePolicyInput:
    district_id: strawberry.ID = strawberry.field(description="Global id of the district")
    defaults: list[LevelLimitInput] = strawberry.field(description="Limits per level")
    rules: list[PolicyRuleInput] = strawberry.field(
        description="Limits for categories and handling modes", default_factory=list
    )
    at_risk_fraction: float = strawberry.field(
        description="临期预警 at this share of a limit", default=0.8
    )
    claim_hours: float = strawberry.field(
        description="DISTRICT: departments must claim within", default=4.0
    )
    claim_unit: HourUnit = strawberry.field(
        description="How the claim limit is counted", default=HourUnit.WORKING
    )
    verification_required: bool = strawberry.field(
        description="核查 before evaluation and closing", default=False
    )
    evaluation_required: bool = strawberry.field(
        description="Staff close only after the evaluation or the window's end (needs a window)",
        default=False,
    )
    evaluation_window_hours: float | None = strawberry.field(
        description="评价期 in natural hours; null: no window", default=None
    )
    evaluation_reminder_hours: float = strawberry.field(
        description="Remind the reporter this many hours before the window ends (less than the "
        "window)",
        default=24.0,
    )


@strawberry.type(description="Result of saving a policy version")
class TimePolicyPayload:
    policy: TimePolicyView | None = strawberry.field(
        description="The version saved, now in force", default=None
    )
    errors: list[UserError] = strawberry.field(description=ERRORS, default_factory=list)


@strawberry.input(description="A day to override")
class CalendarOverrideInput:
    day: str = strawberry.field(description="yyyy-mm-dd")
    workday: bool = strawberry.field(description="True: a workday (调休); false: a holiday")
    note: str | None = strawberry.field(description="Why, at most 200 characters", default=None)


@strawberry.input(description="Set and remove day overrides; open deadlines are recomputed")
class PublishCalendarInput:
    district_id: strawberry.ID = strawberry.field(description="Global id of the district")
    set: list[CalendarOverrideInput] = strawberry.field(
        description="Days to set (at most 60 with those removed)", default_factory=list
    )
    remove: list[str] = strawberry.field(
        description="Days (yyyy-mm-dd) whose override goes", default_factory=list
    )


@strawberry.type(description="Result of publishing calendar overrides")
class PublishCalendarPayload:
    overrides: list[CalendarOverride] = strawberry.field(
        description="Every override of the district now", default_factory=list
    )
    recomputed_cases: int = strawberry.field(
        description="Open cases whose deadline moved", default=0
    )
    errors: list[UserError] = strawberry.field(description=ERRORS, default_factory=list)


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(msg("input.date_value", value=value), field=field) from None


def _limit(data: LevelLimitInput | PolicyRuleInput) -> Limit:
    return Limit(data.response_hours, data.resolve_hours, HourUnit(value_of(data.unit)))


def _draft(data: UpdateTimePolicyInput) -> TimePolicy:
    rules: dict[RuleKey, Limit] = {}
    for rule in data.rules:
        level = Level(value_of(rule.level))
        category = rule.category or ANY
        key: RuleKey = (
            (category, HandlingModeModel(value_of(rule.mode)), level)
            if rule.mode
            else (category, ANY, level)
        )
        if key in rules:
            raise InvalidInput(
                msg("policy.rule_twice", category=category, mode=rule.mode, level=level.value),
                field="rules",
            )
        rules[key] = _limit(rule)
    defaults = {Level(value_of(d.level)): _limit(d) for d in data.defaults}
    if len(defaults) != len(data.defaults):
        raise InvalidInput(msg("policy.default_twice"), field="defaults")
    return TimePolicy(
        version=1,
        rules=rules,
        default=defaults,
        at_risk_fraction=data.at_risk_fraction,
        claim_hours=data.claim_hours,
        claim_unit=HourUnit(value_of(data.claim_unit)),
        verification_required=data.verification_required,
        evaluation_required=data.evaluation_required,
        evaluation_window_hours=data.evaluation_window_hours,
        evaluation_reminder_hours=data.evaluation_reminder_hours,
    )


def _overrides(found: dict[date, tuple[bool, str | None]]) -> list[CalendarOverride]:
    return [
        CalendarOverride(day=day.isoformat(), workday=workday, note=note)
        for day, (workday, note) in sorted(found.items())
    ]


@strawberry.type
class TimeQuery:
    @strawberry.field(description="The time-limit policy in force in a district (public)")
    def time_policy(self, info: Info, district_id: DistrictId) -> TimePolicyView:
        district = item_id(district_id, "OrgUnit", "districtId")
        return _view(policies.policy_in_force(info.context.db, district))

    @strawberry.field(description="The district's calendar overrides (public)")
    def calendar_overrides(self, info: Info, district_id: DistrictId) -> list[CalendarOverride]:
        district = item_id(district_id, "OrgUnit", "districtId")
        found = policies.overrides(info.context.db, district)
        return _overrides({day: (record.workday, record.note) for day, record in found.items()})


@strawberry.type
class TimeMutation:
    @strawberry.mutation(description="Save a new version of the district's time-limit policy")
    def update_time_policy(
        self,
        info: Info,
        input: Annotated[UpdateTimePolicyInput, strawberry.argument(description="The policy")],
    ) -> TimePolicyPayload:
        ctx = info.context

        def act() -> TimePolicyPayload:
            district = item_id(input.district_id, "OrgUnit", "districtId")
            policy = policy_admin.update_policy(
                ctx.db, ctx.actor, ctx.clock, district, _draft(input)
            )
            return TimePolicyPayload(policy=_view(policy))

        return run_mutation(act, lambda errors: TimePolicyPayload(errors=errors))

    @strawberry.mutation(description="Publish calendar overrides; recomputes open deadlines")
    def publish_calendar_overrides(
        self,
        info: Info,
        input: Annotated[PublishCalendarInput, strawberry.argument(description="The days")],
    ) -> PublishCalendarPayload:
        ctx = info.context

        def act() -> PublishCalendarPayload:
            district = item_id(input.district_id, "OrgUnit", "districtId")
            published = policy_admin.publish_overrides(
                ctx.db,
                ctx.actor,
                ctx.clock,
                district,
                [policy_admin.Override(_day(o.day, "set"), o.workday, o.note) for o in input.set],
                [_day(day, "remove") for day in input.remove],
            )
            return PublishCalendarPayload(
                overrides=_overrides(published.overrides),
                recomputed_cases=published.recomputed_cases,
            )

        return run_mutation(act, lambda errors: PublishCalendarPayload(errors=errors))
