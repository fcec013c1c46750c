"""Photos and files (issue 15): hand out a presigned upload, attach it, show it, remove it.

1. ``request_upload``: the caller names the purpose, the target, the content type and size;
   they get a presigned POST for exactly one key under their own prefix
   (``uploads/<purpose>/<person>/<upload id>``), valid for 10 minutes.
2. The client posts the file straight to the bucket.
3. ``attach``: the upload's owner attaches it. The object must be there (a file posted under
   another key is not found), no larger than its kind allows, and its first bytes must be of
   the declared type. It is copied under ``files/`` and recorded, in one transaction that also
   marks the upload attached (a second attach loses) and counts it against the target's cap.
Real S3 refuses a POST that breaks the policy (key, type, length, expiry); the checks at attach
time make the same rules hold on the local server, which ignores the policy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from api.domain.clock import Clock, iso
from api.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from api.domain.ids import is_item_id, new_id
from api.domain.messages import msg
from api.domain.uploads import (
    CONTENT_TYPES,
    DOWNLOAD_EXPIRY_SECONDS,
    MAX_BYTES,
    MAX_FILES_PER_TARGET,
    MAX_UPLOADS_PER_PERSON_PER_DAY,
    SNIFF_BYTES,
    UPLOAD_EXPIRY_SECONDS,
    Purpose,
    TargetKind,
    check_size,
    file_key,
    kind_of_content_type,
    sniff,
    upload_key,
)
from api.records.attachments import AttachmentRecord, PresignedPost, UploadRecord, UploadState
from api.services import case_tracking
from api.services.actor import Actor
from api.services.attachment_access import TargetAccess, access_to, require_access
from api.store.attachment_store import Attach, ChangeAttachment, NewUpload
from api.store.db import Db

NO_SUCH_UPLOAD = msg("attachment.upload_not_found")
NO_SUCH_FILE = msg("attachment.file_not_found")


@dataclass(frozen=True)
class UploadTicket:
    upload: UploadRecord
    post: PresignedPost
    max_bytes: int


@dataclass(frozen=True)
class FileDownload:
    attachment: AttachmentRecord
    url: str
    expires_at: str


def request_upload(
    db: Db,
    actor: Actor,
    clock: Clock,
    purpose: Purpose,
    target_id: str,
    content_type: str,
    size: int,
) -> UploadTicket:
    person_id = actor.require_login()
    kind = kind_of_content_type(content_type)
    check_size(kind, size)
    access = require_access(db, actor, purpose.target_kind, target_id)
    access.require_attach(purpose)
    if db.attachments.live_count(purpose.target_kind, target_id) >= MAX_FILES_PER_TARGET:
        raise InvalidInput(
            msg("attachment.too_many", max_files_per_target=MAX_FILES_PER_TARGET), field="targetId"
        )
    now = clock.now()
    upload_id = new_id()
    upload = UploadRecord(
        id=upload_id,
        owner_id=person_id,
        purpose=purpose,
        target_id=target_id,
        kind=kind,
        key=upload_key(purpose, person_id, upload_id),
        created_at=iso(now),
        expires_at=iso(now + timedelta(seconds=UPLOAD_EXPIRY_SECONDS)),
        state=UploadState.PENDING,
        version=0,
    )
    try:
        db.attachments.create_upload(
            NewUpload(upload, now.date().isoformat(), MAX_UPLOADS_PER_PERSON_PER_DAY)
        )
    except Conflict:  # the upload id is new: only the daily cap can refuse
        raise InvalidInput(
            msg(
                "attachment.daily_limit",
                max_uploads_per_person_per_day=MAX_UPLOADS_PER_PERSON_PER_DAY,
            ),
            field=None,
        ) from None
    post = db.objects.presign_post(
        upload.key, CONTENT_TYPES[kind], MAX_BYTES[kind], UPLOAD_EXPIRY_SECONDS
    )
    return UploadTicket(upload, post, MAX_BYTES[kind])


def attach(db: Db, actor: Actor, clock: Clock, upload_id: str) -> AttachmentRecord:
    person_id = actor.require_login()
    upload = db.attachments.get_upload(upload_id) if is_item_id(upload_id) else None
    if upload is None:
        raise NotFound(NO_SUCH_UPLOAD, field="uploadId")
    if upload.owner_id != person_id:
        raise Forbidden(msg("attachment.not_yours"), field="uploadId")
    if upload.state is not UploadState.PENDING:
        raise InvalidInput(msg("attachment.already_attached"), field="uploadId")
    if clock.now() > datetime.fromisoformat(upload.expires_at):
        raise InvalidInput(msg("attachment.upload_expired"), field="uploadId")
    target = upload.purpose.target_kind
    require_access(db, actor, target, upload.target_id).require_attach(upload.purpose)
    stored = db.objects.head(upload.key)
    if stored is None:
        raise InvalidInput(msg("attachment.not_uploaded"), field="uploadId")
    check_size(upload.kind, stored.size, field="file")
    if sniff(db.objects.first_bytes(upload.key, SNIFF_BYTES, stored.etag)) is not upload.kind:
        raise InvalidInput(msg("attachment.content_mismatch", kind=upload.kind.value), field="file")
    if db.attachments.live_count(target, upload.target_id) >= MAX_FILES_PER_TARGET:
        raise InvalidInput(
            msg("attachment.too_many", max_files_per_target=MAX_FILES_PER_TARGET), field="uploadId"
        )
    attachment_id = new_id()
    key = file_key(target, upload.target_id, attachment_id, upload.kind)
    # The copy first: if the transaction then fails, the copy is an unreferenced object under
    # files/ (harmless), never a record pointing at nothing.
    db.objects.copy(upload.key, key, CONTENT_TYPES[upload.kind], stored.etag)
    attachment = AttachmentRecord(
        id=attachment_id,
        target_kind=target,
        target_id=upload.target_id,
        purpose=upload.purpose,
        kind=upload.kind,
        key=key,
        size=stored.size,
        uploader_id=person_id,
        upload_id=upload.id,
        created_at=iso(clock.now()),
        public=False,
        removed_at=None,
        removed_by=None,
        removal_reason=None,
        version=0,
    )
    try:
        db.attachments.attach(Attach(upload, attachment, MAX_FILES_PER_TARGET))
    except Conflict:
        again = db.attachments.get_upload(upload_id)
        if again is not None and again.state is UploadState.ATTACHED:
            raise InvalidInput(msg("attachment.already_attached"), field="uploadId") from None
        raise InvalidInput(
            msg("attachment.too_many", max_files_per_target=MAX_FILES_PER_TARGET), field="uploadId"
        ) from None
    return attachment


def _moderated(
    db: Db, actor: Actor, kind: TargetKind, target_id: str, attachment_id: str
) -> tuple[TargetAccess, AttachmentRecord]:
    actor.require_login()
    access = require_access(db, actor, kind, target_id)
    attachment = db.attachments.get(kind, target_id, attachment_id)
    if attachment is None or attachment.removed_at is not None:
        raise NotFound(NO_SUCH_FILE, field="attachmentId")
    return access, attachment


def remove(
    db: Db,
    actor: Actor,
    clock: Clock,
    kind: TargetKind,
    target_id: str,
    attachment_id: str,
    reason: str,
) -> AttachmentRecord:
    """Take a file off its target (the object stays in the bucket for the archive period).

    The uploader may remove their own file; staff moderating the target any file.
    TO BE WIRED: on a case this should also be an event of the case's timeline; the case's
    unit of work is being rewritten (issue 10), so the removal is recorded on the attachment
    (``removed_at``, ``removed_by``, ``removal_reason``) until then.
    """
    access, attachment = _moderated(db, actor, kind, target_id, attachment_id)
    if attachment.uploader_id != actor.person_id:
        access.require_moderate()
    reason = reason.strip()
    if not 1 <= len(reason) <= 200:
        raise InvalidInput(msg("attachment.removal_reason"), field="reason")
    removed = replace(
        attachment, removed_at=iso(clock.now()), removed_by=actor.person_id, removal_reason=reason
    )
    db.attachments.change(ChangeAttachment(removed, live_delta=-1))
    return replace(removed, version=attachment.version + 1)


def set_public(
    db: Db, actor: Actor, kind: TargetKind, target_id: str, attachment_id: str, public: bool
) -> AttachmentRecord:
    """Staff decide which files public tracking shows (never the reporter's data)."""
    access, attachment = _moderated(db, actor, kind, target_id, attachment_id)
    access.require_moderate()
    changed = replace(attachment, public=public)
    db.attachments.change(ChangeAttachment(changed))
    return replace(changed, version=attachment.version + 1)


def downloads(db: Db, clock: Clock, attachments: list[AttachmentRecord]) -> list[FileDownload]:
    """Short-lived presigned GETs (signed locally: no request to S3)."""
    expires_at = iso(clock.now() + timedelta(seconds=DOWNLOAD_EXPIRY_SECONDS))
    return [
        FileDownload(
            a,
            db.objects.presign_get(a.key, CONTENT_TYPES[a.kind], DOWNLOAD_EXPIRY_SECONDS),
            expires_at,
        )
        for a in attachments
    ]


def visible(attachments: list[AttachmentRecord], sees_private: bool) -> list[AttachmentRecord]:
    return [a for a in attachments if a.removed_at is None and (sees_private or a.public)]


def files_of(
    db: Db, actor: Actor, clock: Clock, kind: TargetKind, target_id: str
) -> list[FileDownload]:
    """The files of a target the caller may see (none if they cannot see the target)."""
    access = access_to(db, actor, kind, target_id)
    if access is None:
        return []
    return downloads(
        db, clock, visible(db.attachments.of_target(kind, target_id), access.sees_private)
    )


def files_of_readable_case(db: Db, clock: Clock, case_id: str) -> list[FileDownload]:
    """The files of a case the caller was already allowed to read: the ``Case`` type is only
    ever built for readers (case_access.can_read), so no second check is needed (1 Query)."""
    return downloads(db, clock, visible(db.attachments.of_target(TargetKind.CASE, case_id), True))


def public_case_files_by_code(
    db: Db, actor: Actor, clock: Clock, number: str, client_ip: str | None
) -> list[FileDownload]:
    """Public tracking (anyone, by tracking number — as ``trackCase``, rate-limited for
    anonymous callers): only the files staff marked public."""
    case_id = case_tracking.find_by_tracking_number(db, actor, clock, number, client_ip)
    if case_id is None:
        return []
    return downloads(db, clock, visible(db.attachments.of_target(TargetKind.CASE, case_id), False))
