"""Records of export jobs (issue 14.7): what was asked, where the run stands, how it ended."""

from __future__ import annotations

from dataclasses import dataclass

from api.domain.exports import ExportKind, ExportState


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What a job exports, as requested (compared by hash for idempotency)."""

    kind: ExportKind
    scope_id: str
    start: str  # first day, YYYY-MM-DD (Asia/Shanghai)
    end: str  # last day, included
    period: str | None = None  # FIGURES: the period kind the days came from
    state: str | None = None  # CASES filters
    category: str | None = None
    level: str | None = None


@dataclass(frozen=True, slots=True)
class ExportCheckpoint:
    """How far a run got: the multipart upload, the parts uploaded and recorded (number, ETag),
    the rows they hold, and the cursor of the next page of cases. Parts are recorded only
    after they are uploaded, and a retry uploads the next part under the next number from the
    recorded cursor: a part uploaded but not recorded is simply uploaded again (S3 keeps the
    last upload of a part number), so no row is lost or written twice."""

    upload_id: str | None = None
    parts: tuple[tuple[int, str], ...] = ()
    rows: int = 0
    cursor: str | None = None
    done: bool = False  # every row is in a recorded part: only completing the upload is left


@dataclass(frozen=True, slots=True)
class ExportJobRecord:
    id: str
    owner_id: str
    request: ExportRequest
    input_hash: str
    idempotency_key: str | None
    state: ExportState
    created_at: str
    started_at: str | None
    finished_at: str | None
    row_count: int | None
    failure: str | None
    key: str  # the object's key under exports/
    checkpoint: ExportCheckpoint
    version: int
