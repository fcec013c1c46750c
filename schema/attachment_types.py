"""Photos and files (issue 15): the GraphQL types, the ``files`` resolvers of cases, topics and
projects, and the upload mutations. The flow a client follows is in the README ("Photos and
files")."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader

from api.domain.errors import InvalidId
from api.domain.ids import is_item_id
from api.domain.messages import msg
from api.domain.uploads import CONTENT_TYPES, FileKind, Purpose, TargetKind
from api.services import attachments
from api.services.attachments import FileDownload, UploadTicket
from schema.context import Info
from schema.enums import described_enum
from schema.errors import UserError, run_mutation
from schema.node import global_id, item_id

AttachmentPurpose = described_enum(
    Purpose,
    "AttachmentPurpose",
    "What a photo or file documents; each purpose belongs to one kind of target",
    {
        Purpose.CASE_REPORT: "上报: the problem as reported (a case)",
        Purpose.RESOLUTION_BEFORE: "处置前: before the work (a case; handling chain only)",
        Purpose.RESOLUTION_AFTER: "处置后: after the work (a case; handling chain only)",
        Purpose.VERIFICATION: "核查: the check of the result (a case; handling chain only)",
        Purpose.TOPIC_INVESTIGATION: "入户调研: an investigation record (a topic; its guides)",
        Purpose.PARTNER_DELIVERY: "交付: a partner's delivery report (a partner project)",
    },
)
AttachmentFileKind = described_enum(
    FileKind,
    "AttachmentFileKind",
    "Kind of file, as sniffed from its first bytes",
    {
        FileKind.JPEG: "JPEG photo (image/jpeg), at most 10 MB",
        FileKind.PNG: "PNG image (image/png), at most 10 MB",
        FileKind.HEIC: "HEIC photo from an iPhone (image/heic), at most 10 MB",
        FileKind.PDF: "PDF document (application/pdf), at most 20 MB",
    },
)

TARGET_TYPES: dict[TargetKind, str] = {
    TargetKind.CASE: "Case",
    TargetKind.TOPIC: "Topic",
    TargetKind.PROJECT: "PartnerProject",
}
ATTACHMENT = "Attachment"


@strawberry.type(
    description="A photo or file on a case, topic or partner project, with a short-lived "
    "download link; shown only to callers who may see it (public ones to everyone)"
)
class Attachment:
    id: strawberry.ID = strawberry.field(description="Global id of the attachment")
    purpose: Purpose = strawberry.field(description="What the file documents")
    kind: FileKind = strawberry.field(description="Kind of file (sniffed, not declared)")
    content_type: str = strawberry.field(description="MIME type the download is served with")
    size: int = strawberry.field(description="Size in bytes")
    url: str = strawberry.field(description="Presigned GET of the file, valid a few minutes")
    url_expires_at: str = strawberry.field(description="When `url` stops working (ISO 8601)")
    public: bool = strawberry.field(description="Shown in public tracking (staff decide)")
    mine: bool = strawberry.field(description="Uploaded by the caller (who may remove it)")
    uploaded_at: str = strawberry.field(description="When it was attached (ISO 8601)")

    @classmethod
    def of(cls, download: FileDownload, caller_id: str | None) -> Attachment:
        record = download.attachment
        return cls(
            id=global_id(ATTACHMENT, f"{record.target_kind.value}:{record.target_id}:{record.id}"),
            purpose=record.purpose,
            kind=record.kind,
            content_type=CONTENT_TYPES[record.kind],
            size=record.size,
            url=download.url,
            url_expires_at=download.expires_at,
            public=record.public,
            mine=caller_id is not None and record.uploader_id == caller_id,
            uploaded_at=record.created_at,
        )


def _attachments(info: Info, downloads: list[FileDownload]) -> list[Attachment]:
    return [Attachment.of(d, info.context.actor.person_id) for d in downloads]


# --- the `files` field of cases, topics and projects ----------------------------------------
# One loader per request (built on first use, kept on the request's context), keyed by target:
# each target's files are one Query on its own partition, read once per request.

FilesKey = tuple[TargetKind, str]
_LOADER = "_files_loader"


def _files_loader(info: Info) -> DataLoader[FilesKey, list[FileDownload]]:
    ctx = info.context
    loader: DataLoader[FilesKey, list[FileDownload]] | None = getattr(ctx, _LOADER, None)
    if loader is None:

        async def load(keys: list[FilesKey]) -> list[list[FileDownload]]:
            return [
                attachments.files_of_readable_case(ctx.db, ctx.clock, target_id)
                if kind is TargetKind.CASE
                else attachments.files_of(ctx.db, ctx.actor, ctx.clock, kind, target_id)
                for kind, target_id in keys
            ]

        loader = DataLoader(load_fn=load)
        setattr(ctx, _LOADER, loader)
    return loader


async def _files(root: Any, info: Info, kind: TargetKind) -> list[Attachment]:
    target_id = item_id(str(root.id), TARGET_TYPES[kind])
    return _attachments(info, await _files_loader(info).load((kind, target_id)))


async def case_files(root: Any, info: Info) -> list[Attachment]:
    """Photos of the report, before/after the work and 核查 (a case is only ever shown to
    those who may read it: reporter, handling chain, scoped staff)."""
    return await _files(root, info, TargetKind.CASE)


async def topic_files(root: Any, info: Info) -> list[Attachment]:
    """Investigation records: residents and staff of the topic's unit; public ones to all."""
    return await _files(root, info, TargetKind.TOPIC)


async def project_files(root: Any, info: Info) -> list[Attachment]:
    """Delivery photos: managing staff, staff reading partners there and the delivering
    partners' representatives; public ones to all."""
    return await _files(root, info, TargetKind.PROJECT)


# One field each, hooked up on the Case, Topic and PartnerProject types as `files`.
case_files_field = strawberry.field(
    resolver=case_files,
    description="Photos and files (reporter, handling chain, scoped staff), with short-lived "
    "download links",
)
topic_files_field = strawberry.field(
    resolver=topic_files,
    description="Investigation records (residents and staff of the unit; public ones to all), "
    "with short-lived download links",
)
project_files_field = strawberry.field(
    resolver=project_files,
    description="Delivery photos (managing staff, staff reading partners there, delivering "
    "partners; public ones to all), with short-lived download links",
)


# --- mutations -------------------------------------------------------------------------------


@strawberry.type(description="One form field of a presigned POST")
class UploadFormField:
    name: str = strawberry.field(description="Field name, posted as is")
    value: str = strawberry.field(description="Field value, posted as is")


@strawberry.type(
    name="UploadTicket",
    description="A presigned POST for one file: post `fields` then the file (field `file`, "
    "last) as multipart/form-data to `url`, then call `attachUpload`",
)
class UploadTicketType:
    upload_id: strawberry.ID = strawberry.field(description="Pass to `attachUpload`")
    url: str = strawberry.field(description="Where to POST the form (the bucket)")
    fields: list[UploadFormField] = strawberry.field(
        description="Form fields to send before the file, in this order"
    )
    key: str = strawberry.field(description="Object key the file must be stored under")
    max_bytes: int = strawberry.field(description="Largest file accepted, in bytes")
    expires_at: str = strawberry.field(description="The form and the upload expire then")

    @classmethod
    def of(cls, ticket: UploadTicket) -> UploadTicketType:
        return cls(
            upload_id=strawberry.ID(ticket.upload.id),
            url=ticket.post.url,
            fields=[UploadFormField(name=n, value=v) for n, v in ticket.post.fields],
            key=ticket.upload.key,
            max_bytes=ticket.max_bytes,
            expires_at=ticket.upload.expires_at,
        )


@strawberry.input(description="Ask for a presigned upload of one file")
class RequestUploadInput:
    purpose: Purpose = strawberry.field(description="What the file documents")
    target_id: strawberry.ID = strawberry.field(
        description="Global id of the Case, Topic or PartnerProject the purpose belongs to"
    )
    content_type: str = strawberry.field(
        description="image/jpeg, image/png, image/heic or application/pdf"
    )
    size: int = strawberry.field(description="Size of the file in bytes")


@strawberry.input(description="Attach an uploaded file to the target it was requested for")
class AttachUploadInput:
    upload_id: strawberry.ID = strawberry.field(description="From `requestUpload`")


@strawberry.input(description="Take a file off its target (kept in the archive)")
class RemoveAttachmentInput:
    attachment_id: strawberry.ID = strawberry.field(description="Global id of the attachment")
    reason: str = strawberry.field(description="Why it is removed (1–200 characters)")


@strawberry.input(description="Show or hide a file in public tracking (staff)")
class SetAttachmentPublicInput:
    attachment_id: strawberry.ID = strawberry.field(description="Global id of the attachment")
    public: bool = strawberry.field(description="True to show it in public tracking")


@strawberry.type(description="Result of `requestUpload`")
class RequestUploadPayload:
    upload: UploadTicketType | None = strawberry.field(
        default=None, description="The presigned POST; null when refused"
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why it was refused; empty on success"
    )


@strawberry.type(description="Result of a mutation on an attachment")
class AttachmentPayload:
    attachment: Attachment | None = strawberry.field(
        default=None, description="The attachment; null when refused"
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why it was refused; empty on success"
    )


@strawberry.type(description="Result of `removeAttachment`")
class RemoveAttachmentPayload:
    removed: bool = strawberry.field(default=False, description="True when the file was removed")
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why it was refused; empty on success"
    )


def _target_id(value: str, purpose: Purpose) -> str:
    return item_id(value, TARGET_TYPES[purpose.target_kind], "targetId")


def _attachment_ref(value: str) -> tuple[TargetKind, str, str]:
    """Global id of ``Attachment:<target kind>:<target id>:<attachment id>`` (the target's
    id is needed to find the attachment's partition)."""
    not_an_attachment = InvalidId(msg("id.not_attachment"), field="attachmentId")
    if not value or len(value) > 200:
        raise not_an_attachment
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise not_an_attachment from None
    parts = raw.split(":")
    if (
        len(parts) != 4
        or parts[0] != ATTACHMENT
        or parts[1] not in TargetKind.__members__
        or not (is_item_id(parts[2]) and is_item_id(parts[3]))
    ):
        raise not_an_attachment
    return TargetKind(parts[1]), parts[2], parts[3]


def _failed(errors: list[UserError]) -> AttachmentPayload:
    return AttachmentPayload(errors=errors)


@strawberry.type
class AttachmentMutation:
    @strawberry.mutation(
        description="Get a presigned POST to upload one photo or file for a case, topic or "
        "partner project; then post it and call `attachUpload`"
    )
    def request_upload(
        self,
        info: Info,
        input: Annotated[
            RequestUploadInput,
            strawberry.argument(
                description="The file to upload: purpose, target, content type and size"
            ),
        ],
    ) -> RequestUploadPayload:
        ctx = info.context

        def act() -> RequestUploadPayload:
            ticket = attachments.request_upload(
                ctx.db,
                ctx.actor,
                ctx.clock,
                input.purpose,
                _target_id(input.target_id, input.purpose),
                input.content_type,
                input.size,
            )
            return RequestUploadPayload(upload=UploadTicketType.of(ticket))

        return run_mutation(act, lambda errors: RequestUploadPayload(errors=errors))

    @strawberry.mutation(
        description="Attach an uploaded file: checks it is there, its size and its type "
        "(sniffed from its bytes); refused files are not attached"
    )
    def attach_upload(
        self,
        info: Info,
        input: Annotated[
            AttachUploadInput, strawberry.argument(description="The upload to attach")
        ],
    ) -> AttachmentPayload:
        ctx = info.context

        def act() -> AttachmentPayload:
            record = attachments.attach(ctx.db, ctx.actor, ctx.clock, str(input.upload_id))
            download = attachments.downloads(ctx.db, ctx.clock, [record])[0]
            return AttachmentPayload(attachment=Attachment.of(download, ctx.actor.person_id))

        return run_mutation(act, _failed)

    @strawberry.mutation(
        description="Remove a file from its target: the uploader, or staff moderating the "
        "target; the object is kept for the archive period"
    )
    def remove_attachment(
        self,
        info: Info,
        input: Annotated[
            RemoveAttachmentInput,
            strawberry.argument(description="The attachment to remove and why"),
        ],
    ) -> RemoveAttachmentPayload:
        ctx = info.context

        def act() -> RemoveAttachmentPayload:
            kind, target_id, attachment_id = _attachment_ref(str(input.attachment_id))
            attachments.remove(
                ctx.db, ctx.actor, ctx.clock, kind, target_id, attachment_id, input.reason
            )
            return RemoveAttachmentPayload(removed=True)

        return run_mutation(act, lambda errors: RemoveAttachmentPayload(errors=errors))

    @strawberry.mutation(description="Show or hide a file in public tracking (staff)")
    def set_attachment_public(
        self,
        info: Info,
        input: Annotated[
            SetAttachmentPublicInput,
            strawberry.argument(description="The attachment and whether public tracking shows it"),
        ],
    ) -> AttachmentPayload:
        ctx = info.context

        def act() -> AttachmentPayload:
            kind, target_id, attachment_id = _attachment_ref(str(input.attachment_id))
            record = attachments.set_public(
                ctx.db, ctx.actor, kind, target_id, attachment_id, input.public
            )
            download = attachments.downloads(ctx.db, ctx.clock, [record])[0]
            return AttachmentPayload(attachment=Attachment.of(download, ctx.actor.person_id))

        return run_mutation(act, _failed)


@strawberry.type
class AttachmentQuery:
    @strawberry.field(
        description="追踪: the photos staff marked public on a case, by tracking number "
        "(anyone, rate-limited like `trackCase`, whose companion it is)"
    )
    def public_case_files(
        self,
        info: Info,
        code: Annotated[
            str,
            strawberry.argument(description="查询码: the tracking number (signed in: or the code)"),
        ],
    ) -> list[Attachment]:
        ctx = info.context
        found = attachments.public_case_files_by_code(
            ctx.db, ctx.actor, ctx.clock, code, ctx.client_ip
        )
        return _attachments(info, found)
