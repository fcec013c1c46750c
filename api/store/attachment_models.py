"""PynamoDB models of uploads and attachments (issue 15). Key design: api/store/README.md,
"Photos and files".

Attachments live in a partition of their own per target (``FILES#<kind>#<id>``), not in the
case, topic or project partitions: the readers of those partitions are untouched, and one Query
returns a target's files with its counter.
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from api.store.models import META, Item

COUNT_SK = "#COUNT"
FILE_SK_PREFIX = "FILE#"


class UploadItem(Item, discriminator="Upload"):
    """``UPLOAD#<id>`` / ``#META``: a presigned POST handed out, and whether it was attached."""

    id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    purpose = UnicodeAttribute()
    target_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    key = UnicodeAttribute()
    created_at = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    state = UnicodeAttribute()


class UploadQuotaItem(Item, discriminator="UploadQuota"):
    """``UPLOADS#<person>`` / ``DAY#<day>``: uploads a person requested that day (the cap)."""

    uploads = NumberAttribute(default=0)


class AttachmentItem(Item, discriminator="Attachment"):
    """``FILES#<target kind>#<target id>`` / ``FILE#<id>`` (ids sort by time)."""

    id = UnicodeAttribute()
    target_kind = UnicodeAttribute()
    target_id = UnicodeAttribute()
    purpose = UnicodeAttribute()
    kind = UnicodeAttribute()
    key = UnicodeAttribute()
    size = NumberAttribute()
    uploader_id = UnicodeAttribute()
    upload_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    public = BooleanAttribute(default=False)
    removed_at = UnicodeAttribute(null=True)
    removed_by = UnicodeAttribute(null=True)
    removal_reason = UnicodeAttribute(null=True)


class AttachmentCountItem(Item, discriminator="AttachmentCount"):
    """``FILES#<target kind>#<target id>`` / ``#COUNT``: live attachments (the per-target cap)."""

    live = NumberAttribute(default=0)


def upload_key(upload_id: str) -> tuple[str, str]:
    return f"UPLOAD#{upload_id}", META


def quota_key(person_id: str, day: str) -> tuple[str, str]:
    return f"UPLOADS#{person_id}", f"DAY#{day}"


def files_pk(target_kind: str, target_id: str) -> str:
    return f"FILES#{target_kind}#{target_id}"


def attachment_key(target_kind: str, target_id: str, attachment_id: str) -> tuple[str, str]:
    return files_pk(target_kind, target_id), f"{FILE_SK_PREFIX}{attachment_id}"
