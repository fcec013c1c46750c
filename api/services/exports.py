"""Exports (CSV, issue 14.7): request a job, read one's jobs, hand out the download link.

The request only validates, authorises and stores the job QUEUED (with its idempotency key,
in one transaction); the export worker (api/services/export_worker.py) runs it outside the
request — the ``exports`` function triggered by the table's stream in AWS, the stream loop of
``make dev`` locally. The caller polls ``exportJob(id)``. Only the requester reads a job (it is
stored in their partition); a read that finds a job abandoned (RUNNING or QUEUED for more than
20 minutes) records it FAILED, so polling always ends.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta

from api.domain.case_catalogue import check_idempotency_key
from api.domain.cases import CaseState, Level
from api.domain.clock import Clock, iso
from api.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from api.domain.exports import (
    ABANDONED_MESSAGE,
    CONTENT_TYPE,
    DOWNLOAD_EXPIRY_SECONDS,
    MAX_RANGE_DAYS,
    ExportKind,
    ExportState,
    abandoned,
    export_key,
)
from api.domain.figures import PeriodKind, period_of
from api.domain.idempotency import check_same_input, input_hash
from api.domain.ids import is_item_id, new_id
from api.domain.messages import encode, msg
from api.domain.roles import Permission
from api.records.export import ExportCheckpoint, ExportJobRecord, ExportRequest
from api.records.page import Page
from api.services import case_queries
from api.services.actor import Actor
from api.services.case_queries import CaseFilter
from api.store.db import Db

NO_SUCH_JOB = msg("export.not_found")


@dataclass(frozen=True)
class ExportInput:
    kind: ExportKind
    scope_id: str
    period: PeriodKind | None = None
    day: date | None = None
    end: date | None = None
    reported_from: date | None = None
    reported_to: date | None = None
    state: str | None = None
    category: str | None = None
    level: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class ExportDownload:
    url: str
    expires_at: str


def _days(data: ExportInput) -> tuple[date, date, str | None]:
    """The first and last day exported, and the period kind they came from."""
    if data.period is not None:
        if data.day is None:
            raise InvalidInput(msg("export.day_needed"), field="day")
        period = period_of(data.period, data.day, data.end)
        return period.start, period.end, data.period.value
    if data.kind is ExportKind.FIGURES:
        raise InvalidInput(msg("export.figures_period"), field="period")
    if data.reported_from is None or data.reported_to is None:
        raise InvalidInput(msg("export.period_or_range"), field="period")
    if data.reported_to < data.reported_from:
        raise InvalidInput(msg("export.range_reversed"), field="reportedFrom")
    if (data.reported_to - data.reported_from).days >= MAX_RANGE_DAYS:
        raise InvalidInput(msg("export.range_too_long", days=MAX_RANGE_DAYS), field="reportedTo")
    return data.reported_from, data.reported_to, None


def case_filter(request: ExportRequest) -> CaseFilter:
    """The case listing's filter of a request (the worker pages through it)."""
    return CaseFilter(
        state=CaseState(request.state) if request.state else None,
        category=request.category,
        level=Level(request.level) if request.level else None,
        reported_from=date.fromisoformat(request.start),
        reported_to=date.fromisoformat(request.end),
    )


def request_export(db: Db, actor: Actor, clock: Clock, data: ExportInput) -> ExportJobRecord:
    """Validate, authorise and queue an export; a retry with the same key returns the job."""
    person_id = actor.require_login()
    key = check_idempotency_key(data.idempotency_key)
    start, end, period = _days(data)
    if data.kind is ExportKind.FIGURES and (data.state or data.category or data.level):
        raise InvalidInput(msg("export.figures_filters"), field="state")
    request = ExportRequest(
        kind=data.kind,
        scope_id=data.scope_id,
        start=start.isoformat(),
        end=end.isoformat(),
        period=period,
        state=data.state,
        category=data.category,
        level=data.level,
    )
    given_hash = input_hash(asdict(request))
    if key is not None:
        existing = _replay(db, person_id, key, given_hash)
        if existing is not None:
            return settle_abandoned(db, existing, clock.now())
    scope = db.org_units.require(data.scope_id, field="scopeId", consistent=False)
    if not actor.can(Permission.READ_CASES, scope.path):
        raise Forbidden(msg("export.forbidden"), field="scopeId")
    if data.kind is ExportKind.CASES:
        # The listing's own checks (scope kind, filters), without reading a case (first = 0).
        case_queries.cases_in_scope(db, actor, scope, case_filter(request), 0, None)
    now = iso(clock.now())
    job_id = new_id()
    job = ExportJobRecord(
        id=job_id,
        owner_id=person_id,
        request=request,
        input_hash=given_hash,
        idempotency_key=key,
        state=ExportState.QUEUED,
        created_at=now,
        started_at=None,
        finished_at=None,
        row_count=None,
        failure=None,
        key=export_key(person_id, job_id),
        checkpoint=ExportCheckpoint(),
        version=0,
    )
    try:
        db.exports.create(job)
    except Conflict:
        # The same key used by a concurrent request: replay what it created.
        if key is not None and (existing := _replay(db, person_id, key, given_hash)):
            return existing
        raise
    return replace(job, version=1)


def _replay(db: Db, person_id: str, key: str, given_hash: str) -> ExportJobRecord | None:
    keyed = db.exports.by_key(person_id, key)
    if keyed is None:
        return None
    check_same_input(keyed.input_hash, given_hash)
    return db.exports.get(person_id, keyed.value)


def export_job(db: Db, actor: Actor, clock: Clock, job_id: str) -> ExportJobRecord:
    """One of the caller's jobs; any other id is NOT_FOUND (whether it exists is not told)."""
    person_id = actor.require_login()
    job = db.exports.get(person_id, job_id) if is_item_id(job_id) else None
    if job is None:
        raise NotFound(NO_SUCH_JOB, field="id")
    return settle_abandoned(db, job, clock.now())


def my_exports(
    db: Db, actor: Actor, clock: Clock, first: int, after: str | None
) -> Page[ExportJobRecord]:
    """The caller's jobs, newest first (1 Query), abandoned ones recorded FAILED."""
    page = db.exports.of_owner(actor.require_login(), first, after)
    now = clock.now()
    return page.map(lambda job: settle_abandoned(db, job, now))


def settle_abandoned(db: Db, job: ExportJobRecord, now: datetime) -> ExportJobRecord:
    """A job QUEUED or RUNNING for more than 20 minutes is recorded FAILED (once: the put is
    conditioned on the version read; a lost race re-reads what won)."""
    since = job.started_at or job.created_at
    if not abandoned(job.state, since, now):
        return job
    failed = replace(
        job, state=ExportState.FAILED, finished_at=iso(now), failure=encode(ABANDONED_MESSAGE)
    )
    try:
        return db.exports.save(failed)
    except Conflict:
        again = db.exports.get(job.owner_id, job.id)
        return again if again is not None else job


def download(db: Db, clock: Clock, job: ExportJobRecord) -> ExportDownload | None:
    """A fresh presigned GET of a finished export (signed locally: no request to S3)."""
    if job.state is not ExportState.SUCCEEDED:
        return None
    filename = f"export-{job.request.kind.value.lower()}-{job.id}.csv"
    url = db.objects.presign_get(job.key, CONTENT_TYPE, DOWNLOAD_EXPIRY_SECONDS, filename)
    expires = clock.now() + timedelta(seconds=DOWNLOAD_EXPIRY_SECONDS)
    return ExportDownload(url, iso(expires))
