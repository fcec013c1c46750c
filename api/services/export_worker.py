"""The export worker (issue 14.7): runs a queued job outside the request.

Triggered by the table's stream (a new ``ExportJob`` item, state QUEUED): the ``exports``
Lambda function in AWS (functions/exports.py), the stream loop of ``make dev`` locally
(api/dev_exports.py). Both call ``handle_batch``.

A run:
1. takes the job (QUEUED → RUNNING, ``started_at``, a multipart upload started), conditioned on
   the version read: a second worker on the same job loses and leaves it;
2. rebuilds the requester's rights from the table (a right lost since the request fails the
   job) — the rows are masked with them exactly as GraphQL masks a case for that person;
3. pages through the cases (100 per Query page, never all in memory), buffering CSV rows up to
   one part (5 MiB), uploads the part, then records the checkpoint (parts, rows, next cursor)
   conditioned on the version: a run that crashes or times out is retried from the last
   recorded part — a part uploaded but not recorded is uploaded again under the same number,
   which replaces it — so every row is in the file exactly once;
4. completes the upload and records SUCCEEDED with the row count; an expected failure (the
   right lost, the scope gone) records FAILED with its message.
A figures export is one part (a unit and at most 100 children).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from api.domain.case_catalogue import DEFAULT_CATEGORIES
from api.domain.cases import CaseState
from api.domain.clock import Clock, iso
from api.domain.errors import Conflict, DomainError
from api.domain.exports import (
    BOM,
    CASE_COLUMNS,
    CONTENT_TYPE,
    FIGURE_COLUMNS,
    FIGURES_HEADER,
    LEVEL_NAMES,
    PART_BYTES,
    SATISFACTION_NAMES,
    STATE_NAMES,
    ExportKind,
    ExportState,
    csv_rows,
    number,
    shanghai,
)
from api.domain.figures import Figures, Period, figures
from api.domain.messages import encode, msg
from api.domain.org import OrgKind
from api.domain.people import mask_name, phone_shown
from api.domain.roles import Permission
from api.records.case import CaseRecord
from api.records.export import ExportCheckpoint, ExportJobRecord
from api.records.org import OrgUnitRecord
from api.services import case_access, case_queries
from api.services.actor import Actor, load_actor
from api.services.cases import current_handlers, department_paths
from api.services.exports import case_filter, settle_abandoned
from api.services.unit_figures import MAX_CHILDREN, read_counts
from api.store.db import Db
from api.store.export_store import job_of_stream_image

log = logging.getLogger("dangqun.exports")

PAGE_SIZE = 100
KIND_NAMES = {
    OrgKind.DISTRICT: "区",
    OrgKind.STREET: "街道",
    OrgKind.COMMUNITY: "社区",
    OrgKind.GRID: "网格",
    OrgKind.BUILDING: "楼院",
    OrgKind.PARTY_HOUSEHOLD: "党员中心户",
    OrgKind.UNIT_HOUSEHOLD: "单元中心户",
    OrgKind.DEPARTMENT: "区直部门",
}
LOST_RIGHT = msg("export.lost_right")


class OutOfTime(Exception):
    """The run stopped between two parts to stay inside its time limit; a retry continues."""


def handle_batch(
    db: Db,
    clock: Clock,
    records: list[dict[str, Any]],
    time_left: Callable[[], float] | None = None,
) -> list[str]:
    """Run the queued jobs the stream records announce; the sequence numbers of the records
    to retry (a crash, or a run out of time: the retry resumes from the checkpoint)."""
    failed: list[str] = []
    for record in records:
        sequence = str(record.get("dynamodb", {}).get("SequenceNumber", ""))
        job = queued_job(record)
        if job is None:
            continue
        try:
            run(db, clock, job[0], job[1], time_left=time_left)
        except Exception:
            log.exception("export %s of %s did not finish", job[1], job[0])
            failed.append(sequence)
    return failed


def queued_job(record: dict[str, Any]) -> tuple[str, str] | None:
    """(owner, job id) of a stream record announcing a new queued export job."""
    if record.get("eventName") != "INSERT":
        return None
    return job_of_stream_image(record.get("dynamodb", {}).get("NewImage") or {})


def is_queued(record: dict[str, Any]) -> bool:
    """The event source mapping's filter (serverless.yml), for local stream readers."""
    return queued_job(record) is not None


def run(
    db: Db,
    clock: Clock,
    owner_id: str,
    job_id: str,
    *,
    time_left: Callable[[], float] | None = None,
    part_bytes: int = PART_BYTES,
) -> ExportJobRecord | None:
    """Run (or continue) one job; the job as last recorded. Raises on an unexpected failure,
    leaving the job RUNNING at its last checkpoint for the retry."""
    job = db.exports.get(owner_id, job_id)
    if job is None:
        return None
    job = settle_abandoned(db, job, clock.now())
    if job.state in (ExportState.SUCCEEDED, ExportState.FAILED):
        return job
    try:
        if job.state is ExportState.QUEUED:
            job = _take(db, clock, job)
        return _continue(db, clock, job, time_left, part_bytes)
    except Conflict:
        # Another run recorded a step first (or the read marked it abandoned): leave it.
        log.info("export %s: another run holds it", job_id)
        return db.exports.get(owner_id, job_id)
    except DomainError as error:
        return _fail(db, clock, job_id, owner_id, encode(error.message))


def _take(db: Db, clock: Clock, job: ExportJobRecord) -> ExportJobRecord:
    upload_id = db.objects.start_multipart(job.key, CONTENT_TYPE)
    return db.exports.save(
        replace(
            job,
            state=ExportState.RUNNING,
            started_at=iso(clock.now()),
            checkpoint=ExportCheckpoint(upload_id=upload_id),
        )
    )


def _fail(db: Db, clock: Clock, job_id: str, owner_id: str, message: str) -> ExportJobRecord | None:
    job = db.exports.get(owner_id, job_id)
    if job is None or job.state in (ExportState.SUCCEEDED, ExportState.FAILED):
        return job
    return db.exports.save(
        replace(job, state=ExportState.FAILED, finished_at=iso(clock.now()), failure=message)
    )


def _continue(
    db: Db,
    clock: Clock,
    job: ExportJobRecord,
    time_left: Callable[[], float] | None,
    part_bytes: int,
) -> ExportJobRecord:
    request = job.request
    actor = load_actor(db, job.owner_id)
    scope = db.org_units.require(request.scope_id, field="scopeId", consistent=True)
    if not actor.can(Permission.READ_CASES, scope.path):
        raise DomainError(LOST_RIGHT)
    while not job.checkpoint.done:
        if job.checkpoint.parts and time_left is not None and time_left() < 60:
            raise OutOfTime(job.id)
        if request.kind is ExportKind.FIGURES:
            body, rows = _figures_part(db, job, scope)
            cursor, done = None, True
        else:
            body, rows, cursor, done = _cases_part(db, actor, scope, job, part_bytes)
        checkpoint = job.checkpoint
        assert checkpoint.upload_id is not None
        number = len(checkpoint.parts) + 1
        etag = db.objects.upload_part(job.key, checkpoint.upload_id, number, body)
        job = db.exports.save(
            replace(
                job,
                checkpoint=replace(
                    checkpoint,
                    parts=(*checkpoint.parts, (number, etag)),
                    rows=checkpoint.rows + rows,
                    cursor=cursor,
                    done=done,
                ),
            )
        )
    checkpoint = job.checkpoint
    assert checkpoint.upload_id is not None
    if db.objects.head(job.key) is None:  # a retry after completing: the file is there
        db.objects.complete_multipart(job.key, checkpoint.upload_id, checkpoint.parts)
    return db.exports.save(
        replace(
            job,
            state=ExportState.SUCCEEDED,
            finished_at=iso(clock.now()),
            row_count=checkpoint.rows,
        )
    )


def _cases_part(
    db: Db, actor: Actor, scope: OrgUnitRecord, job: ExportJobRecord, part_bytes: int
) -> tuple[bytes, int, str | None, bool]:
    """The next part: rows from the checkpoint's cursor until the part is full or the cases
    end; with the cursor after its last row and whether the cases ended."""
    buffer = io.BytesIO()
    if not job.checkpoint.parts:
        buffer.write((BOM + csv_rows([CASE_COLUMNS])).encode())
    cursor, rows, filters = job.checkpoint.cursor, 0, case_filter(job.request)
    while True:
        page = case_queries.cases_in_scope(db, actor, scope, filters, PAGE_SIZE, cursor)
        lines = [case_row(actor, edge.node) for edge in page.edges]
        buffer.write(csv_rows(lines).encode())
        rows += len(lines)
        cursor = page.end_cursor or cursor
        if not page.has_next_page:
            return buffer.getvalue(), rows, cursor, True
        if buffer.tell() >= part_bytes:
            return buffer.getvalue(), rows, cursor, False


def case_row(actor: Actor, case: CaseRecord) -> list[str]:
    """One case as the requester may see it — the rule of the GraphQL ``Case`` type: the
    reporter's name and the address only to those who see the reporter (the handling chain;
    an anonymous reporter only to district-wide staff), the phone always masked but to the
    reporter themselves; otherwise the masked name of a named reporter, no phone, no address."""
    sees = case_access.sees_reporter(actor, case, department_paths(case))
    if sees:
        name = case.reporter_name or ""
        phone = (
            phone_shown(case.reporter_phone, case.reporter_id, actor.person_id)
            if case.reporter_phone
            else ""
        )
        address = case.address or ""
    else:
        name = mask_name(case.reporter_name) if case.reporter_name and not case.anonymous else ""
        phone, address = "", ""
    resolved = _last_entered(case, CaseState.RESOLVED)
    closed = _last_entered(case, CaseState.CLOSED)
    due = case.deadline.due_at if case.deadline and case.deadline.due_at else None
    return [
        case.code,
        DEFAULT_CATEGORIES.get(case.category, case.category) if case.category else "",
        STATE_NAMES.get(case.state.value, case.state.value),
        LEVEL_NAMES.get(case.level.value, case.level.value) if case.level else "",
        shanghai(case.reported_at),
        "、".join(h.assignee_name for h in current_handlers(case)),
        shanghai(iso(due)) if due else "",
        shanghai(resolved),
        shanghai(closed),
        SATISFACTION_NAMES.get(case.satisfaction.value, "") if case.satisfaction else "",
        case.evaluation_comment or "",
        name,
        phone,
        address,
    ]


def _last_entered(case: CaseRecord, state: CaseState) -> str | None:
    times = [event.at for event in case.timeline if event.to_state is state]
    return times[-1] if times else None


def _figures_part(db: Db, job: ExportJobRecord, scope: OrgUnitRecord) -> tuple[bytes, int]:
    """The scope and its children (archived ones left out, as the ranking does), one row each
    with every figure of ``unitFigures`` for the period."""
    period = Period(date.fromisoformat(job.request.start), date.fromisoformat(job.request.end))
    page = db.org_units.children(scope.id, MAX_CHILDREN, None)
    units = [scope, *(edge.node for edge in page.edges if not edge.node.archived)]
    counts = read_counts(db, [unit.id for unit in units], [period])[0]
    rows = [
        figures_row(unit, period, figures(counts[unit.id], unit.kind is OrgKind.DEPARTMENT))
        for unit in units
    ]
    return (BOM + csv_rows([FIGURES_HEADER, *rows])).encode(), len(rows)


def figures_row(unit: OrgUnitRecord, period: Period, f: Figures) -> list[str]:
    cells = [unit.name, KIND_NAMES[unit.kind], period.start.isoformat(), period.end.isoformat()]
    for attribute, _ in FIGURE_COLUMNS:
        value = getattr(f, attribute) if hasattr(f, attribute) else getattr(f.counts, attribute)
        cells.append(number(value))
    return cells
