"""The command centre's gauges (仪表: the state now) and watch lists of a unit (issue 14).

Read only from the gauge items and watch entries the case changes maintain
(``api.services.unit_gauges``); the README ("Gauges") defines each one and the request budget
of each query."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader

from api.domain.gauges import Gauges, TimingLight, WatchKind
from api.records.case import WatchRecord
from api.services import unit_gauges
from schema.case_types import CaseCategory, category_of
from schema.connections import DEFAULT_PAGE_SIZE, After, Connection, First, to_connection
from schema.context import Info
from schema.enums import CaseState, described_enum
from schema.node import global_id, item_id

described_enum(
    TimingLight,
    "TimingLight",
    "红黄绿灯 now: a unit's light from its gauges (the cases it holds now)",
    {
        TimingLight.GREEN: "绿灯: no case held is overdue or at risk",
        TimingLight.AMBER: "黄灯: a case held is at risk (past 80 % of its limit), none overdue",
        TimingLight.RED: "红灯: a case held is overdue (its level's limit was missed)",
    },
)
described_enum(
    WatchKind,
    "WatchList",
    "A watch list of the command centre",
    {
        WatchKind.OVERDUE: "超时: cases whose current level's limit was missed",
        WatchKind.AT_RISK: "临期: cases past the at-risk fraction of their current limit",
    },
)


@strawberry.type(description="A gauge broken down: one level or state and its open cases")
class GaugeCount:
    key: str = strawberry.field(description="The level (INTAKE, GRID…TOP) or the state")
    count: int = strawberry.field(description="Open cases held now with that level or state")


@strawberry.type(description="A unit's gauges now: the open cases it holds (README, 'Gauges')")
class UnitGauges:
    open: int = strawberry.field(description="积压: open cases held (not closed/rejected/archived)")
    overdue: int = strawberry.field(description="超时: open cases held whose limit was missed")
    at_risk: int = strawberry.field(
        description="临期: open cases held past the at-risk fraction of their limit, not overdue"
    )
    light: TimingLight = strawberry.field(
        description="红黄绿灯: red if any overdue, amber if any at risk, else green"
    )
    by_level: list[GaugeCount] = strawberry.field(description="Backlog by level, INTAKE first")
    by_state: list[GaugeCount] = strawberry.field(description="Backlog by state")

    @classmethod
    def of(cls, gauges: Gauges) -> UnitGauges:
        return cls(
            open=gauges.open, overdue=gauges.overdue, at_risk=gauges.at_risk, light=gauges.light,
            by_level=[GaugeCount(key=k, count=n) for k, n in gauges.by_level.items()],
            by_state=[GaugeCount(key=k, count=n) for k, n in gauges.by_state.items()],
        )  # fmt: skip


@strawberry.type(description="A case on a unit's overdue or at-risk list")
class WatchEntry:
    case_id: strawberry.ID = strawberry.field(description="The case (global id)")
    code: str = strawberry.field(description="追踪码: tracking code")
    category: CaseCategory | None = strawberry.field(description="The catalogue category")
    state: CaseState = strawberry.field(description="The case's state")
    level: str = strawberry.field(description="GRID…TOP, or INTAKE before dispatch")
    holder_name: str | None = strawberry.field(
        description="Who holds it now: the unit, lead department or owning leader"
    )
    due_at: str = strawberry.field(
        description="超时: when the missed limit was due; 临期: when the current limit is due"
    )

    @classmethod
    def of(cls, row: WatchRecord) -> WatchEntry:
        return cls(
            case_id=global_id("Case", row.case_id), code=row.code,
            category=category_of(row.category), state=CaseState(row.state.value),
            level=row.level, holder_name=row.holder_name, due_at=row.due_at,
        )  # fmt: skip


def gauges_loader(info: Info) -> DataLoader[str, Gauges]:
    """The request's loader of gauges by unit id (one BatchGetItem per 100 units asked for in
    one tick; units the caller's figures query already checked)."""
    ctx = info.context
    loader: DataLoader[str, Gauges] | None = getattr(ctx, "_gauges_loader", None)
    if loader is None:

        async def load(ids: list[str]) -> list[Gauges]:
            found = unit_gauges.gauges_of(ctx.db, ids)
            return [found[unit_id] for unit_id in ids]

        loader = DataLoader(load_fn=load)
        ctx._gauges_loader = loader  # type: ignore[attr-defined]
    return loader


UnitIdArg = Annotated[
    strawberry.ID, strawberry.argument(description="Global id of the unit (or department)")
]


@strawberry.type
class GaugesQuery:
    @strawberry.field(
        description="A unit's gauges now (backlog, overdue, at risk, light), READ_CASES in scope"
    )
    def unit_gauges(self, info: Info, unit_id: UnitIdArg) -> UnitGauges:
        _, gauges = unit_gauges.unit_gauges(
            info.context.db, info.context.actor, item_id(unit_id, "OrgUnit", "unitId")
        )
        return UnitGauges.of(gauges)

    @strawberry.field(
        description="The overdue or at-risk cases a unit's subtree holds now, soonest due first "
        "(READ_CASES in scope)"
    )
    def unit_watch_list(
        self,
        info: Info,
        unit_id: UnitIdArg,
        kind: Annotated[WatchKind, strawberry.argument(description="Which list")],
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> Connection[WatchEntry]:
        page = unit_gauges.watch_list(
            info.context.db, info.context.actor, item_id(unit_id, "OrgUnit", "unitId"),
            kind, first, after,
        )  # fmt: skip
        return to_connection(page, WatchEntry.of, after is not None)
