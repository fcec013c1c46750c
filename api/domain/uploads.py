"""Photos and files attached to cases, topics and partner projects (issue 15): pure rules.

A file goes straight from the client to the bucket through a presigned POST, under a key of
its own (``uploads/<purpose>/<owner>/<upload id>``). Attaching it checks what the bucket holds —
its size, and its type sniffed from the first bytes, never trusted from the client — and copies
it under ``files/``; whatever stays under ``uploads/`` is an orphan, removed after a day.
"""

from __future__ import annotations

from enum import StrEnum

from api.domain.errors import InvalidInput
from api.domain.messages import msg

UPLOAD_PREFIX = "uploads/"
FILES_PREFIX = "files/"
# A presigned POST is usable this long; the attachment must follow within ATTACH_WINDOW.
UPLOAD_EXPIRY_SECONDS = 10 * 60
# Download links are short-lived: a leaked URL stops working within minutes.
DOWNLOAD_EXPIRY_SECONDS = 5 * 60
# Objects left under uploads/ this long were never attached (lifecycle rule: 1 day).
ORPHAN_AGE_SECONDS = 24 * 3600
# Caps: live attachments per target, upload requests per person and day.
MAX_FILES_PER_TARGET = 20
MAX_UPLOADS_PER_PERSON_PER_DAY = 50
SNIFF_BYTES = 32


class FileKind(StrEnum):
    JPEG = "JPEG"
    PNG = "PNG"
    HEIC = "HEIC"
    PDF = "PDF"


CONTENT_TYPES: dict[FileKind, str] = {
    FileKind.JPEG: "image/jpeg",
    FileKind.PNG: "image/png",
    FileKind.HEIC: "image/heic",
    FileKind.PDF: "application/pdf",
}
EXTENSIONS: dict[FileKind, str] = {
    FileKind.JPEG: "jpg",
    FileKind.PNG: "png",
    FileKind.HEIC: "heic",
    FileKind.PDF: "pdf",
}
# Photos from phones are a few MB; scanned records (PDF) may be larger.
MAX_BYTES: dict[FileKind, int] = {
    FileKind.JPEG: 10 * 1024 * 1024,
    FileKind.PNG: 10 * 1024 * 1024,
    FileKind.HEIC: 10 * 1024 * 1024,
    FileKind.PDF: 20 * 1024 * 1024,
}


class TargetKind(StrEnum):
    CASE = "CASE"
    TOPIC = "TOPIC"
    PROJECT = "PROJECT"


class Purpose(StrEnum):
    """What a file documents; each purpose belongs to one kind of target."""

    CASE_REPORT = "CASE_REPORT"  # 上报: the reporter's photo of the problem
    RESOLUTION_BEFORE = "RESOLUTION_BEFORE"  # 处置前
    RESOLUTION_AFTER = "RESOLUTION_AFTER"  # 处置后
    VERIFICATION = "VERIFICATION"  # 核查
    TOPIC_INVESTIGATION = "TOPIC_INVESTIGATION"  # 入户调研
    PARTNER_DELIVERY = "PARTNER_DELIVERY"  # 红色合伙人 delivery report

    @property
    def target_kind(self) -> TargetKind:
        if self is Purpose.TOPIC_INVESTIGATION:
            return TargetKind.TOPIC
        if self is Purpose.PARTNER_DELIVERY:
            return TargetKind.PROJECT
        return TargetKind.CASE


def kind_of_content_type(content_type: str) -> FileKind:
    for kind, known in CONTENT_TYPES.items():
        if content_type.strip().lower() == known:
            return kind
    raise InvalidInput(
        msg("upload.unsupported_type", content_type=content_type), field="contentType"
    )


def check_size(kind: FileKind, size: int, field: str = "size") -> None:
    if size <= 0:
        raise InvalidInput(msg("upload.empty"), field=field)
    if size > MAX_BYTES[kind]:
        limit = MAX_BYTES[kind] // (1024 * 1024)
        raise InvalidInput(msg("upload.too_large", kind=kind.value, limit=limit), field=field)


_HEIC_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis")


def sniff(head: bytes) -> FileKind | None:
    """The kind of a file from its first bytes (magic numbers), or None if none of ours."""
    if head.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if head.startswith(b"%PDF-"):
        return FileKind.PDF
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return FileKind.HEIC
    return None


def upload_key(purpose: Purpose, owner_id: str, upload_id: str) -> str:
    return f"{UPLOAD_PREFIX}{purpose.value.lower()}/{owner_id}/{upload_id}"


def file_key(target: TargetKind, target_id: str, file_id: str, kind: FileKind) -> str:
    return f"{FILES_PREFIX}{target.value.lower()}/{target_id}/{file_id}.{EXTENSIONS[kind]}"
