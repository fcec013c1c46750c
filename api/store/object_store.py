"""The uploads bucket: presigned POST and GET, and the few object calls attaching needs.

Presigned with botocore directly (it ships with PynamoDB; boto3 is not a runtime dependency).
The S3 client — loading the service model costs tens of milliseconds — is built on first use,
so requests that never touch a file do not pay for it. Locally the endpoint is the
S3-compatible server that ``make dev`` and the tests start (api/s3_local.py), path-style.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property
from typing import Any

from api.domain.errors import Conflict
from api.domain.messages import msg
from api.records.attachments import PresignedPost, StoredObject
from api.settings import Settings


@contextmanager
def _replaced_is_conflict() -> Iterator[None]:
    from botocore.exceptions import ClientError

    try:
        yield
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412"):
            raise Conflict(msg("attachment.replaced")) from None
        raise


class ObjectStore:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.bucket = settings.uploads_bucket

    @cached_property
    def client(self) -> Any:
        import botocore.session
        from botocore.config import Config

        settings = self.settings
        session = botocore.session.get_session()
        credentials: dict[str, str] = {}
        if settings.s3_access_key and settings.s3_secret_key:
            credentials = {
                "aws_access_key_id": settings.s3_access_key,
                "aws_secret_access_key": settings.s3_secret_key,
            }
        return session.create_client(
            "s3",
            region_name=settings.region,
            endpoint_url=settings.s3_endpoint,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path" if settings.s3_endpoint else "auto"},
                retries={"max_attempts": 3, "mode": "standard"},
            ),
            **credentials,
        )

    def presign_post(
        self, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> PresignedPost:
        """A form for one file at exactly ``key``, of ``content_type``, at most ``max_bytes``
        (S3 enforces the policy: key, type, length range and expiry)."""
        post = self.client.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=expires_in,
        )
        return PresignedPost(url=post["url"], fields=tuple(post["fields"].items()))

    def presign_get(
        self, key: str, content_type: str, expires_in: int, filename: str | None = None
    ) -> str:
        params = {"Bucket": self.bucket, "Key": key, "ResponseContentType": content_type}
        if filename is not None:  # ASCII only: the name a browser saves the download under
            params["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
        url: str = self.client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=expires_in
        )
        return url

    # Multipart uploads (exports, api/services/export_worker.py): a file written part by part,
    # each part recorded before the next, so a retried run continues where the last one stopped.

    def start_multipart(self, key: str, content_type: str) -> str:
        answer = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType=content_type
        )
        return str(answer["UploadId"])

    def upload_part(self, key: str, upload_id: str, number: int, body: bytes) -> str:
        """Upload (or upload again: the last upload of a number wins) one part; its ETag."""
        answer = self.client.upload_part(
            Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
        )
        return str(answer["ETag"])

    def complete_multipart(
        self, key: str, upload_id: str, parts: tuple[tuple[int, str], ...]
    ) -> None:
        self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etag} for n, etag in parts]},
        )

    def head(self, key: str) -> StoredObject | None:
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        modified: datetime = head["LastModified"]
        return StoredObject(
            size=int(head["ContentLength"]),
            last_modified=modified.isoformat(),
            etag=str(head["ETag"]),
        )

    def first_bytes(self, key: str, count: int, etag: str) -> bytes:
        """The first bytes of the object, if it is still the one with ``etag``: a presigned
        POST can be used again until it expires, so the object may be replaced meanwhile."""
        with _replaced_is_conflict():
            response = self.client.get_object(
                Bucket=self.bucket, Key=key, Range=f"bytes=0-{count - 1}", IfMatch=etag
            )
        data: bytes = response["Body"].read()
        return data[:count]

    def copy(self, source: str, destination: str, content_type: str, etag: str) -> None:
        with _replaced_is_conflict():
            self.client.copy_object(
                Bucket=self.bucket,
                Key=destination,
                CopySource={"Bucket": self.bucket, "Key": source},
                CopySourceIfMatch=etag,
                ContentType=content_type,
                MetadataDirective="REPLACE",
            )

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def older_than(self, prefix: str, before: datetime) -> Iterator[str]:
        """Keys under ``prefix`` last modified before ``before``."""
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for entry in page.get("Contents", []):
                if entry["LastModified"] < before:
                    yield entry["Key"]
