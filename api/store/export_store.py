"""Export jobs: one repository; a job's changes are puts conditioned on the version read, so
two workers (a retried stream batch beside a slow first run) never both record a step."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from pynamodb.exceptions import DoesNotExist

from api.domain.exports import ExportKind, ExportState
from api.domain.messages import msg
from api.records.export import ExportCheckpoint, ExportJobRecord, ExportRequest
from api.records.idempotency import Keyed
from api.records.page import Page
from api.store.export_models import (
    JOB_SK_PREFIX,
    ExportJobItem,
    ExportKeyItem,
    exports_pk,
    idempotency_key,
    job_key,
)
from api.store.pagination import query_page
from api.store.repository import Repository, bound, save_versioned


def export_record(item: ExportJobItem) -> ExportJobRecord:
    request: dict[str, Any] = dict(item.request or {})
    return ExportJobRecord(
        id=item.id,
        owner_id=item.owner_id,
        request=ExportRequest(**{**request, "kind": ExportKind(request["kind"])}),
        input_hash=item.input_hash,
        idempotency_key=item.idempotency_key,
        state=ExportState(item.state),
        created_at=item.created_at,
        started_at=item.started_at,
        finished_at=item.finished_at,
        row_count=None if item.row_count is None else int(item.row_count),
        failure=item.failure,
        key=item.key,
        checkpoint=ExportCheckpoint(
            upload_id=item.upload_id,
            parts=tuple((int(number), str(etag)) for number, etag in item.parts or []),
            rows=int(item.rows or 0),
            cursor=item.cursor,
            done=bool(item.done),
        ),
        version=int(item.version or 0),
    )


def _item(record: ExportJobRecord) -> ExportJobItem:
    request = {**asdict(record.request), "kind": record.request.kind.value}
    checkpoint = record.checkpoint
    return ExportJobItem(
        *job_key(record.owner_id, record.id),
        id=record.id,
        owner_id=record.owner_id,
        kind=record.request.kind.value,
        request=request,
        input_hash=record.input_hash,
        idempotency_key=record.idempotency_key,
        state=record.state.value,
        created_at=record.created_at,
        started_at=record.started_at,
        finished_at=record.finished_at,
        row_count=record.row_count,
        failure=record.failure,
        key=record.key,
        upload_id=checkpoint.upload_id,
        parts=[[number, etag] for number, etag in checkpoint.parts],
        rows=checkpoint.rows,
        cursor=checkpoint.cursor,
        done=checkpoint.done,
    )


class ExportStore(Repository):
    @bound
    def create(self, job: ExportJobRecord) -> None:
        """The job, and its idempotency key if it has one, both put if absent (a key taken by
        a concurrent request: ``Conflict``)."""
        with self.db.transaction(msg("export.key_taken")) as transaction:
            transaction.save(_item(job), condition=ExportJobItem.pk.does_not_exist())
            if job.idempotency_key is not None:
                transaction.save(
                    ExportKeyItem(
                        *idempotency_key(job.owner_id, job.idempotency_key),
                        job_id=job.id,
                        input_hash=job.input_hash,
                    ),
                    condition=ExportKeyItem.pk.does_not_exist(),
                )

    @bound
    def by_key(self, owner_id: str, key: str) -> Keyed[str] | None:
        """The job id an idempotency key created (consistent)."""
        try:
            item = ExportKeyItem.get(*idempotency_key(owner_id, key), consistent_read=True)
        except DoesNotExist:
            return None
        return Keyed(item.job_id, item.input_hash)

    @bound
    def get(self, owner_id: str, job_id: str, consistent: bool = True) -> ExportJobRecord | None:
        try:
            item = ExportJobItem.get(*job_key(owner_id, job_id), consistent_read=consistent)
        except DoesNotExist:
            return None
        return export_record(item)

    @bound
    def of_owner(self, owner_id: str, first: int, after: str | None) -> Page[ExportJobRecord]:
        """A person's jobs, newest first (1 Query; ids sort by creation time)."""
        page = query_page(
            ExportJobItem,
            self.db.codec,
            exports_pk(owner_id),
            range_key_condition=ExportJobItem.sk.startswith(JOB_SK_PREFIX),
            first=first,
            after=after,
            scan_forward=False,
        )
        return page.map(export_record)

    @bound
    def save(self, job: ExportJobRecord) -> ExportJobRecord:
        """The job rewritten from the version it was read at; the record as now stored."""
        save_versioned(_item(job), job.version, msg("export.changed"))
        return replace(job, version=job.version + 1)


def job_of_stream_image(image: dict[str, Any]) -> tuple[str, str] | None:
    """(owner, job id) of a stream image of a queued export job; None for anything else."""
    if image.get("type", {}).get("S") != "ExportJob":
        return None
    if image.get("state", {}).get("S") != ExportState.QUEUED.value:
        return None
    owner, job = image.get("owner_id", {}).get("S"), image.get("id", {}).get("S")
    return (str(owner), str(job)) if owner and job else None
