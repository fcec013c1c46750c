"""Exports (CSV, issue 14.7): request an export job, poll it, download the file.

The job runs outside the request (api/services/export_worker.py); README "Exports (CSV)"
gives the flow, the columns, the masking rule and the limits."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from api.domain.errors import InvalidInput, NotFound
from api.domain.exports import ExportKind, ExportState
from api.domain.figures import PeriodKind
from api.domain.messages import msg
from api.language import shown
from api.records.export import ExportJobRecord
from api.services import exports
from api.services.exports import ExportInput
from schema.connections import DEFAULT_PAGE_SIZE, After, Connection, First, to_connection
from schema.context import Info
from schema.enums import CaseLevel, CaseState, described_enum, value_of
from schema.errors import UserError, run_mutation
from schema.node import Node, global_id, item_id, node_loader

described_enum(
    ExportKind,
    "ExportKind",
    "导出类型: what an export holds",
    {
        ExportKind.CASES: "案件明细: the cases of a scope reported in a period, one row each",
        ExportKind.FIGURES: "指标表: the figures of a unit and of each of its children",
    },
)
described_enum(
    ExportState,
    "ExportState",
    "导出任务状态",
    {
        ExportState.QUEUED: "排队中: stored, waiting for the worker",
        ExportState.RUNNING: "导出中: the worker is writing the file",
        ExportState.SUCCEEDED: "已完成: the file is ready (`downloadUrl`)",
        ExportState.FAILED: "失败: see `failure` (an export over 20 minutes is abandoned)",
    },
)

EXPORT_JOB = "ExportJob"


@strawberry.type(description="An export job (CSV), readable only by the person who requested it")
class ExportJob(Node):
    kind: ExportKind = strawberry.field(description="What the file holds")
    state: ExportState = strawberry.field(description="Where the job stands; poll until finished")
    scope_id: strawberry.ID = strawberry.field(description="Global id of the unit exported")
    start: str = strawberry.field(description="First day exported (Asia/Shanghai), YYYY-MM-DD")
    end: str = strawberry.field(description="Last day exported, included")
    row_count: int | None = strawberry.field(
        description="Data rows in the file (header excluded); null until it succeeded"
    )
    created_at: str = strawberry.field(description="When it was requested (ISO 8601)")
    started_at: str | None = strawberry.field(description="When the worker took it")
    finished_at: str | None = strawberry.field(description="When it succeeded or failed")
    download_url: str | None = strawberry.field(
        description="Presigned GET of the CSV, valid 15 minutes; a new one on every read; null "
        "until it succeeded"
    )
    expires_at: str | None = strawberry.field(description="When `downloadUrl` stops working")
    failure: str | None = strawberry.field(description="Why it failed, in the caller's language")

    @classmethod
    def of(cls, info: Info, job: ExportJobRecord) -> ExportJob:
        link = exports.download(info.context.db, info.context.clock, job)
        return cls(
            id=global_id(EXPORT_JOB, job.id),
            kind=job.request.kind,
            state=job.state,
            scope_id=global_id("OrgUnit", job.request.scope_id),
            start=job.request.start,
            end=job.request.end,
            row_count=job.row_count,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            download_url=link.url if link else None,
            expires_at=link.expires_at if link else None,
            failure=shown(job.failure),
        )


@node_loader(EXPORT_JOB)
async def load_export_job(info: Info, raw_id: str) -> ExportJob | None:
    try:
        job = exports.export_job(info.context.db, info.context.actor, info.context.clock, raw_id)
    except NotFound:
        return None
    return ExportJob.of(info, job)


@strawberry.input(
    description="What to export: a kind, a unit, and a period (as `unitFigures`) or, for "
    "cases, the report dates; case filters optional"
)
class RequestExportInput:
    kind: ExportKind = strawberry.field(description="Cases or figures")
    scope_id: strawberry.ID = strawberry.field(
        description="Global id of the unit (READ_CASES on it needed)"
    )
    period: PeriodKind | None = strawberry.field(
        default=None, description="The kind of period (required for FIGURES)"
    )
    day: str | None = strawberry.field(
        default=None, description="A day of the period, YYYY-MM-DD (Asia/Shanghai)"
    )
    end: str | None = strawberry.field(
        default=None, description="Last day of a CUSTOM period, YYYY-MM-DD, included"
    )
    reported_from: str | None = strawberry.field(
        default=None, description="CASES without a period: reported on or after (YYYY-MM-DD)"
    )
    reported_to: str | None = strawberry.field(
        default=None, description="CASES without a period: reported on or before, at most a year"
    )
    state: CaseState | None = strawberry.field(
        default=None, description="CASES: only cases in this state"
    )
    category: str | None = strawberry.field(
        default=None, description="CASES: only this catalogue category code"
    )
    level: CaseLevel | None = strawberry.field(
        default=None, description="CASES: only cases at this level"
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="A retry with the same key returns the same job; with another input it is "
        "refused (IDEMPOTENCY_MISMATCH)",
    )


@strawberry.type(description="Result of `requestExport`")
class RequestExportPayload:
    job: ExportJob | None = strawberry.field(
        default=None, description="The job, QUEUED (or as it stands, on a retry); null if refused"
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why it was refused; empty on success"
    )


def _day(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(msg("export.date_format", field=field), field=field) from None


@strawberry.type
class ExportQuery:
    @strawberry.field(
        description="One of the caller's export jobs; any other id is NOT_FOUND (poll this "
        "until the job has finished)"
    )
    def export_job(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the job")],
    ) -> ExportJob:
        ctx = info.context
        job = exports.export_job(ctx.db, ctx.actor, ctx.clock, item_id(id, EXPORT_JOB))
        return ExportJob.of(info, job)

    @strawberry.field(description="The caller's export jobs, newest first")
    def my_exports(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[ExportJob]:
        ctx = info.context
        page = exports.my_exports(ctx.db, ctx.actor, ctx.clock, first, after)
        return to_connection(page, lambda job: ExportJob.of(info, job), after is not None)


@strawberry.type
class ExportMutation:
    @strawberry.mutation(
        description="Queue a CSV export of cases or figures (READ_CASES on the unit); poll "
        "`exportJob` until SUCCEEDED, then download `downloadUrl`"
    )
    def request_export(
        self,
        info: Info,
        input: Annotated[RequestExportInput, strawberry.argument(description="What to export")],
    ) -> RequestExportPayload:
        ctx = info.context

        def act() -> RequestExportPayload:
            data = ExportInput(
                kind=input.kind,
                scope_id=item_id(input.scope_id, "OrgUnit", "scopeId"),
                period=input.period,
                day=_day(input.day, "day"),
                end=_day(input.end, "end"),
                reported_from=_day(input.reported_from, "reportedFrom"),
                reported_to=_day(input.reported_to, "reportedTo"),
                state=value_of(input.state) if input.state else None,
                category=input.category,
                level=value_of(input.level) if input.level else None,
                idempotency_key=input.idempotency_key,
            )
            job = exports.request_export(ctx.db, ctx.actor, ctx.clock, data)
            return RequestExportPayload(job=ExportJob.of(info, job))

        return run_mutation(act, lambda errors: RequestExportPayload(errors=errors))
