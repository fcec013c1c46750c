"""Uploads and attachments: one repository, one transaction per change. Keys: README.md."""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist

from api.domain.messages import msg
from api.domain.uploads import FileKind, Purpose, TargetKind
from api.records.attachments import AttachmentRecord, UploadRecord, UploadState
from api.store.attachment_models import (
    COUNT_SK,
    FILE_SK_PREFIX,
    AttachmentCountItem,
    AttachmentItem,
    UploadItem,
    UploadQuotaItem,
    attachment_key,
    files_pk,
    quota_key,
    upload_key,
)
from api.store.repository import Repository, bound


def upload_record(item: UploadItem) -> UploadRecord:
    return UploadRecord(
        id=item.id,
        owner_id=item.owner_id,
        purpose=Purpose(item.purpose),
        target_id=item.target_id,
        kind=FileKind(item.kind),
        key=item.key,
        created_at=item.created_at,
        expires_at=item.expires_at,
        state=UploadState(item.state),
        version=int(item.version or 0),
    )


def attachment_record(item: AttachmentItem) -> AttachmentRecord:
    return AttachmentRecord(
        id=item.id,
        target_kind=TargetKind(item.target_kind),
        target_id=item.target_id,
        purpose=Purpose(item.purpose),
        kind=FileKind(item.kind),
        key=item.key,
        size=int(item.size),
        uploader_id=item.uploader_id,
        upload_id=item.upload_id,
        created_at=item.created_at,
        public=bool(item.public),
        removed_at=item.removed_at,
        removed_by=item.removed_by,
        removal_reason=item.removal_reason,
        version=int(item.version or 0),
    )


def _upload_item(record: UploadRecord) -> UploadItem:
    pk, sk = upload_key(record.id)
    item = UploadItem(
        pk,
        sk,
        id=record.id,
        owner_id=record.owner_id,
        purpose=record.purpose.value,
        target_id=record.target_id,
        kind=record.kind.value,
        key=record.key,
        created_at=record.created_at,
        expires_at=record.expires_at,
        state=record.state.value,
    )
    if record.version:
        item.version = record.version
    return item


def _attachment_item(record: AttachmentRecord) -> AttachmentItem:
    pk, sk = attachment_key(record.target_kind.value, record.target_id, record.id)
    item = AttachmentItem(
        pk,
        sk,
        id=record.id,
        target_kind=record.target_kind.value,
        target_id=record.target_id,
        purpose=record.purpose.value,
        kind=record.kind.value,
        key=record.key,
        size=record.size,
        uploader_id=record.uploader_id,
        upload_id=record.upload_id,
        created_at=record.created_at,
        public=record.public,
        removed_at=record.removed_at,
        removed_by=record.removed_by,
        removal_reason=record.removal_reason,
    )
    if record.version:
        item.version = record.version
    return item


@dataclass(frozen=True)
class NewUpload:
    """A presigned POST handed out, counted against the owner's daily cap."""

    upload: UploadRecord
    day: str
    daily_cap: int


@dataclass(frozen=True)
class Attach:
    """A pending upload (read at ``upload.version``) becomes an attachment of its target."""

    upload: UploadRecord
    attachment: AttachmentRecord
    target_cap: int


@dataclass(frozen=True)
class ChangeAttachment:
    """An attachment rewritten (removed, or made public) from the version it was read at;
    ``live_delta`` moves the target's live count (-1 on removal)."""

    attachment: AttachmentRecord
    live_delta: int = 0


class AttachmentStore(Repository):
    """Reads return frozen records (api.records.attachments); each change is one unit of work,
    committed as one TransactWriteItems. A lost condition raises ``Conflict``."""

    @bound
    def get_upload(self, upload_id: str) -> UploadRecord | None:
        try:
            return upload_record(UploadItem.get(*upload_key(upload_id), consistent_read=True))
        except DoesNotExist:
            return None

    @bound
    def uploads_today(self, person_id: str, day: str) -> int:
        try:
            return int(UploadQuotaItem.get(*quota_key(person_id, day)).uploads)
        except DoesNotExist:
            return 0

    @bound
    def create_upload(self, unit: NewUpload) -> None:
        """Condition: the owner's count for the day is below the cap (an ADD, no read)."""
        pk, sk = quota_key(unit.upload.owner_id, unit.day)
        with self.db.transaction(msg("attachment.daily_limit_reached")) as transaction:
            transaction.save(_upload_item(unit.upload), condition=UploadItem.pk.does_not_exist())
            transaction.update(
                UploadQuotaItem(pk, sk),
                actions=[UploadQuotaItem.uploads.add(1), UploadQuotaItem.type.set(UploadQuotaItem)],
                condition=UploadQuotaItem.uploads.does_not_exist()
                | (UploadQuotaItem.uploads < unit.daily_cap),
                add_version_condition=False,
            )

    @bound
    def attach(self, unit: Attach) -> None:
        """The upload marked ATTACHED from the version read (a second attach loses), the
        attachment put if absent, the target's live count raised below the cap."""
        upload = _upload_item(unit.upload)
        upload.state = UploadState.ATTACHED.value
        attachment = unit.attachment
        counter = AttachmentCountItem(
            files_pk(attachment.target_kind.value, attachment.target_id), COUNT_SK
        )
        with self.db.transaction(msg("conflict.upload_or_target")) as transaction:
            transaction.save(upload)
            transaction.save(
                _attachment_item(attachment),
                condition=AttachmentItem.pk.does_not_exist(),
            )
            transaction.update(
                counter,
                actions=[
                    AttachmentCountItem.live.add(1),
                    AttachmentCountItem.type.set(AttachmentCountItem),
                ],
                condition=AttachmentCountItem.live.does_not_exist()
                | (AttachmentCountItem.live < unit.target_cap),
                add_version_condition=False,
            )

    @bound
    def change(self, unit: ChangeAttachment) -> None:
        attachment = unit.attachment
        with self.db.transaction(msg("conflict.attachment")) as transaction:
            transaction.save(_attachment_item(attachment))
            if unit.live_delta:
                pk = files_pk(attachment.target_kind.value, attachment.target_id)
                transaction.update(
                    AttachmentCountItem(pk, COUNT_SK),
                    actions=[AttachmentCountItem.live.add(unit.live_delta)],
                    add_version_condition=False,
                )

    @bound
    def live_count(self, target_kind: TargetKind, target_id: str) -> int:
        try:
            pk = files_pk(target_kind.value, target_id)
            return int(AttachmentCountItem.get(pk, COUNT_SK, consistent_read=True).live)
        except DoesNotExist:
            return 0

    @bound
    def get(
        self, target_kind: TargetKind, target_id: str, attachment_id: str
    ) -> AttachmentRecord | None:
        try:
            item = AttachmentItem.get(
                *attachment_key(target_kind.value, target_id, attachment_id), consistent_read=True
            )
        except DoesNotExist:
            return None
        return attachment_record(item)

    @bound
    def of_target(self, target_kind: TargetKind, target_id: str) -> list[AttachmentRecord]:
        """Every attachment of a target, removed ones included, oldest first (1 Query)."""
        return [
            attachment_record(item)
            for item in AttachmentItem.query(
                files_pk(target_kind.value, target_id),
                AttachmentItem.sk.startswith(FILE_SK_PREFIX),
            )
        ]
