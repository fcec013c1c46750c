"""Root query fields of cases."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from api.domain.cases import CaseState as CaseStateModel
from api.domain.cases import HandlingMode as HandlingModeModel
from api.domain.cases import Level
from api.domain.errors import InvalidInput
from api.domain.messages import msg
from api.services import case_queries, case_tracking
from api.services.cases import find_by_code
from schema.case_types import (
    Case,
    CaseDayStats,
    CaseNotice,
    InboxEntry,
    PublicCaseTracking,
)
from schema.connections import DEFAULT_PAGE_SIZE, After, Connection, First, to_connection
from schema.context import Info
from schema.enums import CaseLevel, CaseState, HandlingMode, value_of
from schema.node import item_id

TrackingCode = Annotated[str, strawberry.argument(description="追踪码: tracking code")]


def _date(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(msg("input.date", field=field), field=field) from None


@strawberry.type
class CaseQuery:
    @strawberry.field(description="A case with its timeline (reporter and handling chain only)")
    def case(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="Case id")]
    ) -> Case | None:
        ctx = info.context
        case = case_queries.case_with_timeline(ctx.db, ctx.actor, item_id(id, "Case"))
        return Case.of(case) if case else None

    @strawberry.field(description="A case by tracking code (reporter and handling chain only)")
    def case_by_code(
        self,
        info: Info,
        code: Annotated[str, strawberry.argument(description="追踪码: tracking code")],
    ) -> Case | None:
        ctx = info.context
        found = find_by_code(ctx.db, code)
        if found is None:
            return None
        case = case_queries.case_with_timeline(ctx.db, ctx.actor, found.id)
        return Case.of(case) if case else None

    @strawberry.field(
        description="Public tracking by tracking number (code-key, e.g. SB2026-000001-7K3QX9M2PZ,"
        " on the reporter's receipt): status and timeline, no personal data. Anonymous lookups"
        " are rate-limited per client address; a signed-in caller who may read the case (its"
        " reporter, e.g. the 12345 hotline, or the handling chain) may give the plain code."
    )
    def track_case(
        self,
        info: Info,
        code: Annotated[
            str,
            strawberry.argument(
                description="查询码: the tracking number (or, signed in, the code)"
            ),
        ],
    ) -> PublicCaseTracking | None:
        context = info.context
        case_id = case_tracking.find_by_tracking_number(
            context.db, context.actor, context.clock, code, context.client_ip
        )
        found = context.db.cases.get(case_id, consistent=False) if case_id else None
        return PublicCaseTracking.of(found) if found else None

    @strawberry.field(description="A unit's or department's inbox, by status, soonest due first")
    def case_inbox(
        self,
        info: Info,
        unit_id: Annotated[
            strawberry.ID, strawberry.argument(description="The unit or department (global id)")
        ],
        state: Annotated[
            CaseState | None, strawberry.argument(description="Only entries in this state")
        ] = None,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> Connection[InboxEntry]:
        page = case_queries.inbox(
            info.context.db,
            info.context.actor,
            item_id(unit_id, "OrgUnit", "unitId"),
            None,
            CaseStateModel(value_of(state)) if state else None,
            first,
            after,
        )
        return to_connection(page, InboxEntry.of, after is not None)

    @strawberry.field(description="Cases a district leader owns (包案), by status")
    def my_owned_cases(
        self,
        info: Info,
        state: Annotated[
            CaseState | None, strawberry.argument(description="Only entries in this state")
        ] = None,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> Connection[InboxEntry]:
        actor = info.context.actor
        page = case_queries.inbox(
            info.context.db,
            actor,
            None,
            actor.require_login(),
            CaseStateModel(value_of(state)) if state else None,
            first,
            after,
        )
        return to_connection(page, InboxEntry.of, after is not None)

    @strawberry.field(description="Cases located within a unit's subtree, newest first")
    def cases(
        self,
        info: Info,
        scope_id: Annotated[
            strawberry.ID, strawberry.argument(description="The unit whose subtree to list")
        ],
        state: Annotated[
            CaseState | None, strawberry.argument(description="Only cases in this state")
        ] = None,
        category: Annotated[
            str | None, strawberry.argument(description="Only this catalogue category code")
        ] = None,
        mode: Annotated[
            HandlingMode | None, strawberry.argument(description="Only this handling mode")
        ] = None,
        level: Annotated[
            CaseLevel | None, strawberry.argument(description="Only cases at this level")
        ] = None,
        reported_from: Annotated[
            str | None, strawberry.argument(description="Reported on or after (YYYY-MM-DD)")
        ] = None,
        reported_to: Annotated[
            str | None, strawberry.argument(description="Reported on or before (YYYY-MM-DD)")
        ] = None,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> Connection[Case]:
        scope = info.context.db.org_units.require(
            item_id(scope_id, "OrgUnit", "scopeId"), field="scopeId", consistent=False
        )
        filters = case_queries.CaseFilter(
            state=CaseStateModel(value_of(state)) if state else None,
            category=category,
            mode=HandlingModeModel(value_of(mode)) if mode else None,
            level=Level(value_of(level)) if level else None,
            reported_from=_date(reported_from, "reportedFrom"),
            reported_to=_date(reported_to, "reportedTo"),
        )
        page = case_queries.cases_in_scope(
            info.context.db, info.context.actor, scope, filters, first, after
        )
        return to_connection(page, Case.of, after is not None)

    @strawberry.field(description="The cases the caller reported, newest first")
    def my_cases(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[Case]:
        page = case_queries.my_cases(info.context.db, info.context.actor, first, after)
        return to_connection(page, Case.of, after is not None)

    @strawberry.field(description="Notices for a unit (or the signed-in leader), newest first")
    def case_notices(
        self,
        info: Info,
        unit_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The unit (global id); none: the signed-in leader"),
        ] = None,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> Connection[CaseNotice]:
        actor = info.context.actor
        recipient = item_id(unit_id, "OrgUnit", "unitId") if unit_id else actor.require_login()
        page = case_queries.notices(info.context.db, actor, recipient, first, after)
        return to_connection(page, CaseNotice.of, after is not None)

    @strawberry.field(
        description="Daily case counters of a unit's subtree (dashboards): public aggregate "
        "figures for any unit, no sign-in needed; the cases themselves are staff-only"
    )
    def case_stats(
        self,
        info: Info,
        unit_id: Annotated[strawberry.ID, strawberry.argument(description="The unit (global id)")],
        start: Annotated[str, strawberry.argument(description="First day (YYYY-MM-DD)")],
        end: Annotated[str, strawberry.argument(description="Last day (YYYY-MM-DD), inclusive")],
    ) -> list[CaseDayStats]:
        unit = info.context.db.org_units.require(
            item_id(unit_id, "OrgUnit", "unitId"), field="unitId", consistent=False
        )
        start_day = _date(start, "start")
        end_day = _date(end, "end")
        assert start_day is not None and end_day is not None
        rows = case_queries.daily_stats(
            info.context.db, info.context.actor, unit, start_day, end_day
        )
        return [CaseDayStats.of(row) for row in rows]
