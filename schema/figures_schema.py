"""Command-centre figures (指挥中心指标), trends and 考核 rankings of a unit (issue 14).

Read only from the day counters and their month roll-ups (``api.services.unit_figures``); the
README ("Figures") defines each figure and the request budget of each query."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from api.domain.errors import InvalidInput
from api.domain.figures import TOP_CATEGORIES, Light, PeriodKind
from api.domain.messages import msg
from api.services import unit_figures
from api.services.unit_figures import RankedUnit as RankedUnitRecord
from api.services.unit_figures import Ranking
from api.services.unit_figures import UnitFigures as UnitFiguresRecord
from schema.case_types import CaseCategory, category_of
from schema.context import Info
from schema.enums import described_enum
from schema.gauges_schema import UnitGauges, gauges_loader
from schema.node import item_id
from schema.types import OrgUnit

described_enum(
    PeriodKind,
    "FiguresPeriod",
    "统计时段: a period of Asia/Shanghai calendar days",
    {
        PeriodKind.DAY: "日: the day given",
        PeriodKind.WEEK: "周: Monday to Sunday around the day given",
        PeriodKind.MONTH: "月: the calendar month of the day given",
        PeriodKind.YEAR: "年: the calendar year of the day given",
        PeriodKind.CUSTOM: "自定义: from the day given to `end`, both included, at most a year",
    },
)
described_enum(
    Light,
    "TrafficLight",
    "红黄绿灯: a unit's light from its on-time rate (按期办结率) in the period",
    {
        Light.GREEN: "绿灯: on-time rate at least 90 %",
        Light.AMBER: "黄灯: on-time rate from 80 % to under 90 %",
        Light.RED: "红灯: on-time rate under 80 %",
        Light.NONE: "无: nothing resolved in the period",
    },
)

UnitIdArg = Annotated[
    strawberry.ID, strawberry.argument(description="Global id of the unit (or department)")
]
PeriodArg = Annotated[PeriodKind, strawberry.argument(description="The kind of period")]
DayArg = Annotated[
    str, strawberry.argument(description="A day of the period, YYYY-MM-DD (Asia/Shanghai)")
]
EndArg = Annotated[
    str | None,
    strawberry.argument(description="Last day of a CUSTOM period, YYYY-MM-DD, included"),
]


@strawberry.type(description="Cases reported in one category in the period")
class CategoryCount:
    category: CaseCategory = strawberry.field(description="The catalogue category")
    reported: int = strawberry.field(description="Cases reported in it (REPORT, in the period)")


@strawberry.type(description="A unit's figures for one period (README, 'Figures')")
class UnitFigures:
    unit: OrgUnit = strawberry.field(description="The unit or department")
    start: str = strawberry.field(description="First day of the period (Asia/Shanghai)")
    end: str = strawberry.field(description="Last day of the period, included")
    received: int = strawberry.field(
        description="受理: cases reported in the subtree; for a department, tasks received"
    )
    accepted: int = strawberry.field(description="立案: cases accepted")
    resolved: int = strawberry.field(description="办结: cases resolved")
    closed: int = strawberry.field(description="结案: cases closed")
    resolved_on_time: int = strawberry.field(description="按期办结: resolved within the deadline")
    resolved_in_grid: int = strawberry.field(description="网格内解决: resolved at GRID level")
    resolved_at_street_or_below: int = strawberry.field(
        description="街道及以下解决: resolved at GRID, COMMUNITY or STREET level"
    )
    evaluated: int = strawberry.field(description="已评价: evaluations given by reporters")
    satisfied: int = strawberry.field(description="满意: satisfied or basically satisfied")
    reopened: int = strawberry.field(description="返工: cases reopened")
    resolution_rate: float | None = strawberry.field(
        description="办结率: resolved ÷ received (null when nothing was received)"
    )
    on_time_rate: float | None = strawberry.field(description="按期办结率: on time ÷ resolved")
    in_grid_share: float | None = strawberry.field(
        description="网格内解决率: resolved in the grid ÷ resolved"
    )
    street_or_below_share: float | None = strawberry.field(
        description="街道及以下解决率: resolved at street level or below ÷ resolved"
    )
    satisfaction_rate: float | None = strawberry.field(description="满意率: satisfied ÷ evaluated")
    rework_rate: float | None = strawberry.field(description="返工率: reopened ÷ resolved")
    average_working_hours: float | None = strawberry.field(
        description="平均处置时长: working hours from report to resolution, per resolved case"
    )
    average_natural_hours: float | None = strawberry.field(
        description="Natural (calendar) hours from report to resolution, per resolved case"
    )
    topics_raised: int = strawberry.field(description="议题: 党群议事 topics raised")
    topics_adopted: int = strawberry.field(description="立项: topics adopted")
    topic_adoption_rate: float | None = strawberry.field(
        description="立项率: adopted ÷ (adopted + declined)"
    )
    topic_cases_resolved_in_grid: int = strawberry.field(
        description="Cases of adopted topics resolved inside the grid"
    )
    top_categories: list[CategoryCount] = strawberry.field(
        description="高发类别: the 5 categories with the most cases reported in the period, most "
        "first (ties by code); categories with none are left out"
    )

    @strawberry.field(
        description="The unit's gauges now (not of the period): backlog, overdue, at risk and "
        "the timing light; units of one response are read together (one BatchGetItem)"
    )
    async def gauges(self, info: Info) -> UnitGauges:
        return UnitGauges.of(await gauges_loader(info).load(self.unit.record.id))

    verified: int = strawberry.field(description="核查通过: verifications passed")
    verification_failed: int = strawberry.field(
        description="核查不通过: verifications failed (the case went back; also counted in "
        "reopened)"
    )
    verification_failure_rate: float | None = strawberry.field(
        description="核查不通过率: failed ÷ (passed + failed)"
    )
    closed_not_evaluated: int = strawberry.field(
        description="未评价结案: closed by the sweeper when the evaluation window ended "
        "(in closed, never in evaluated or satisfied)"
    )
    not_evaluated_share: float | None = strawberry.field(
        description="未评价结案占比: closed not evaluated ÷ closed"
    )
    partner_claims: int = strawberry.field(
        description="认领: claims of partner projects of the unit's subtree made in the period "
        "(a withdrawn claim stays counted)"
    )
    partner_deliveries: int = strawberry.field(
        description="交付: delivery reports of partner project claims of the unit's subtree in "
        "the period (a delivery sent back for redo and reported again counts again)"
    )
    points_granted: int = strawberry.field(
        description="积分发放: points granted in the period to partners — delivery points of "
        "projects of the unit's subtree confirmed, and 红色创新奖 awards of partners in its "
        "directory; spending and staff postings are not counted"
    )

    @classmethod
    def of(cls, row: UnitFiguresRecord) -> UnitFigures:
        f, c = row.figures, row.figures.counts
        return cls(
            unit=OrgUnit.of(row.unit), start=row.period.start.isoformat(),
            end=row.period.end.isoformat(), received=f.received, accepted=c.accepted,
            resolved=c.resolved, closed=c.closed, resolved_on_time=c.resolved_on_time,
            resolved_in_grid=c.resolved_in_grid,
            resolved_at_street_or_below=c.resolved_at_street_or_below, evaluated=c.evaluated,
            satisfied=c.satisfied, reopened=c.reopened, resolution_rate=f.resolution_rate,
            on_time_rate=f.on_time_rate, in_grid_share=f.in_grid_share,
            street_or_below_share=f.street_or_below_share,
            satisfaction_rate=f.satisfaction_rate, rework_rate=f.rework_rate,
            average_working_hours=f.average_working_hours,
            average_natural_hours=f.average_natural_hours, topics_raised=c.topics_raised,
            topics_adopted=c.topics_adopted, topic_adoption_rate=f.topic_adoption_rate,
            topic_cases_resolved_in_grid=c.topic_cases_resolved_in_grid,
            top_categories=[
                CategoryCount(category=category_of(code), reported=n)  # type: ignore[arg-type]
                for code, n in c.categories[:TOP_CATEGORIES]
            ],
            verified=c.verified, verification_failed=c.verification_failed,
            verification_failure_rate=f.verification_failure_rate,
            closed_not_evaluated=c.closed_not_evaluated,
            not_evaluated_share=f.not_evaluated_share, partner_claims=c.partner_claims,
            partner_deliveries=c.partner_deliveries, points_granted=c.points_granted,
        )  # fmt: skip


@strawberry.type(description="One unit's place in a 考核 ranking, components beside the score")
class RankedUnit:
    rank: int = strawberry.field(description="1 is the best")
    score: float = strawberry.field(description="Composite score, 0 to 100")
    volume: float = strawberry.field(
        description="Volume component: received ÷ the most received among those ranked"
    )
    resolution: float = strawberry.field(description="结案率 component (capped at 1)")
    on_time: float = strawberry.field(description="按期处置率 component")
    no_rework: float = strawberry.field(description="1 − 返工率 component")
    light: Light = strawberry.field(description="红黄绿灯 of the unit")
    figures: UnitFigures = strawberry.field(description="The unit's figures in the period")

    @classmethod
    def of(cls, entry: RankedUnitRecord, ranking: Ranking) -> RankedUnit:
        s = entry.score
        return cls(
            rank=entry.rank, score=s.score, volume=round(s.volume, 4),
            resolution=round(s.resolution, 4), on_time=round(s.on_time, 4),
            no_rework=round(s.no_rework, 4), light=entry.light,
            figures=UnitFigures.of(UnitFiguresRecord(entry.unit, ranking.period, entry.figures)),
        )  # fmt: skip


@strawberry.type(description="考核: a unit's children (or the district's departments) ranked")
class UnitRanking:
    unit: OrgUnit = strawberry.field(description="The unit whose children are ranked")
    start: str = strawberry.field(description="First day of the period")
    end: str = strawberry.field(description="Last day of the period, included")
    weights_version: str = strawberry.field(description="Version of the weights used")
    entries: list[RankedUnit] = strawberry.field(description="Best first")

    @classmethod
    def of(cls, ranking: Ranking) -> UnitRanking:
        return cls(
            unit=OrgUnit.of(ranking.unit), start=ranking.period.start.isoformat(),
            end=ranking.period.end.isoformat(), weights_version=ranking.weights_version,
            entries=[RankedUnit.of(entry, ranking) for entry in ranking.entries],
        )  # fmt: skip


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(msg("input.date", field=field), field=field) from None


@strawberry.type
class FiguresQuery:
    @strawberry.field(
        description="A unit's figures for a period, from its counters (READ_CASES in scope)"
    )
    def unit_figures(
        self, info: Info, unit_id: UnitIdArg, period: PeriodArg, day: DayArg, end: EndArg = None
    ) -> UnitFigures:
        row = unit_figures.unit_figures(
            info.context.db, info.context.actor, item_id(unit_id, "OrgUnit", "unitId"),
            period, _day(day, "day"), _day(end, "end") if end else None,
        )  # fmt: skip
        return UnitFigures.of(row)

    @strawberry.field(description="A unit's figures for consecutive periods ending with `day`")
    def unit_trend(
        self,
        info: Info,
        unit_id: UnitIdArg,
        period: PeriodArg,
        day: DayArg,
        count: Annotated[int, strawberry.argument(description="How many periods, 1 to 24")] = 12,
    ) -> list[UnitFigures]:
        rows = unit_figures.trend(
            info.context.db, info.context.actor, item_id(unit_id, "OrgUnit", "unitId"),
            period, _day(day, "day"), count,
        )  # fmt: skip
        return [UnitFigures.of(row) for row in rows]

    @strawberry.field(
        description="考核: the unit's children, or the district's departments, ranked by a "
        "composite score with versioned weights (READ_CASES in scope)"
    )
    def unit_ranking(
        self,
        info: Info,
        unit_id: UnitIdArg,
        period: PeriodArg,
        day: DayArg,
        end: EndArg = None,
        departments: Annotated[
            bool, strawberry.argument(description="Rank the district's departments instead")
        ] = False,
        weights_version: Annotated[
            str | None,
            strawberry.argument(description="Weights version; default szcg-2026 (数字城管)"),
        ] = None,
    ) -> UnitRanking:
        ranking = unit_figures.ranking(
            info.context.db, info.context.actor, item_id(unit_id, "OrgUnit", "unitId"),
            period, _day(day, "day"), _day(end, "end") if end else None, departments,
            weights_version,
        )  # fmt: skip
        return UnitRanking.of(ranking)
