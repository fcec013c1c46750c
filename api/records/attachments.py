"""Records of uploads (a presigned POST handed out) and attachments (a file on a target)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from api.domain.uploads import FileKind, Purpose, TargetKind


class UploadState(StrEnum):
    PENDING = "PENDING"  # handed out, not attached yet
    ATTACHED = "ATTACHED"


@dataclass(frozen=True, slots=True)
class UploadRecord:
    id: str
    owner_id: str
    purpose: Purpose
    target_id: str
    kind: FileKind
    key: str
    created_at: str
    expires_at: str  # the presigned POST's expiry: an object stored later is refused
    state: UploadState
    version: int


@dataclass(frozen=True, slots=True)
class AttachmentRecord:
    id: str
    target_kind: TargetKind
    target_id: str
    purpose: Purpose
    kind: FileKind
    key: str
    size: int
    uploader_id: str
    upload_id: str
    created_at: str
    public: bool  # shown in public tracking (staff decide)
    removed_at: str | None
    removed_by: str | None
    removal_reason: str | None
    version: int


@dataclass(frozen=True, slots=True)
class StoredObject:
    """What the bucket holds under a key (HeadObject)."""

    size: int
    last_modified: str  # ISO 8601, UTC
    etag: str  # the content read and copied must be the content checked (If-Match)


@dataclass(frozen=True, slots=True)
class PresignedPost:
    url: str
    fields: tuple[tuple[str, str], ...]  # form fields, in the order to post them (file last)
