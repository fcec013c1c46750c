"""The real S3-compatible server of the tests (s3rver on loopback, started once per session)
and a GraphQL driver for the upload flow: request a presigned POST, post the file with a plain
HTTP client as a mini-program would, attach it, read the files back through presigned GETs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from api.dynamodb_local import free_port
from api.s3_local import ACCESS_KEY, SECRET_KEY, S3Local
from api.settings import Settings
from tests.graphql_client import GraphQLClient

BUCKET = "dangqun-test-uploads"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 600
PDF = b"%PDF-1.7\n" + b"%" * 600
HTML = b"<html><script>alert(1)</script></html>"

ERRORS = "errors { code field message }"
FILE_FIELDS = "id purpose kind contentType size url urlExpiresAt public mine uploadedAt"
REQUEST_UPLOAD = f"""
mutation($input: RequestUploadInput!) {{
  requestUpload(input: $input) {{
    upload {{ uploadId url key maxBytes expiresAt fields {{ name value }} }} {ERRORS}
  }}
}}"""
ATTACH = f"""
mutation($input: AttachUploadInput!) {{
  attachUpload(input: $input) {{ attachment {{ {FILE_FIELDS} }} {ERRORS} }}
}}"""
REMOVE = f"""
mutation($input: RemoveAttachmentInput!) {{
  removeAttachment(input: $input) {{ removed {ERRORS} }}
}}"""
SET_PUBLIC = f"""
mutation($input: SetAttachmentPublicInput!) {{
  setAttachmentPublic(input: $input) {{ attachment {{ {FILE_FIELDS} }} {ERRORS} }}
}}"""
CASE_FILES = f"query($id: ID!) {{ case(id: $id) {{ id files {{ {FILE_FIELDS} }} }} }}"
TOPIC_FILES = f"query($id: ID!) {{ topic(id: $id) {{ id files {{ {FILE_FIELDS} }} }} }}"
PROJECT_FILES = f"query($id: ID!) {{ partnerProject(id: $id) {{ id files {{ {FILE_FIELDS} }} }} }}"
PUBLIC_FILES = f"query($code: String!) {{ publicCaseFiles(code: $code) {{ {FILE_FIELDS} }} }}"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Local]:
    server = S3Local(free_port(), tmp_path_factory.mktemp("s3"), BUCKET).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def upload_settings(settings: Settings, s3_server: S3Local) -> Settings:
    return dataclasses.replace(
        settings,
        uploads_bucket=BUCKET,
        s3_endpoint=s3_server.endpoint,
        s3_access_key=ACCESS_KEY,
        s3_secret_key=SECRET_KEY,
    )


@dataclass
class Ticket:
    upload_id: str
    url: str
    key: str
    max_bytes: int
    fields: dict[str, str]


@dataclass
class UploadApi:
    """Speaks GraphQL as anyone (``None``: not signed in) for the upload flow."""

    client: GraphQLClient
    mint: Callable[[str], str]

    def data(self, query: str, variables: dict[str, Any], as_: str | None) -> Any:
        response = self.client.query(query, variables, self.mint(as_) if as_ else None)
        assert response.status == 200 and not response.errors, response.body
        (value,) = response.data.values()
        return value

    def request(
        self,
        as_: str,
        target_id: str,
        purpose: str = "CASE_REPORT",
        content_type: str = "image/jpeg",
        size: int = len(JPEG),
    ) -> dict[str, Any]:
        values = {
            "purpose": purpose,
            "targetId": target_id,
            "contentType": content_type,
            "size": size,
        }
        payload: dict[str, Any] = self.data(REQUEST_UPLOAD, {"input": values}, as_)
        return payload

    def ticket(self, as_: str, target_id: str, **values: Any) -> Ticket:
        payload = self.request(as_, target_id, **values)
        assert payload["errors"] == [], payload["errors"]
        upload = payload["upload"]
        return Ticket(
            upload["uploadId"],
            upload["url"],
            upload["key"],
            upload["maxBytes"],
            {f["name"]: f["value"] for f in upload["fields"]},
        )

    @staticmethod
    def post(
        ticket: Ticket, content: bytes, content_type: str = "image/jpeg", **fields: str
    ) -> int:
        """What the mini-program does: multipart/form-data, the policy's fields, the file last."""
        form = {**ticket.fields, **fields}
        response = httpx.post(
            ticket.url, data=form, files={"file": ("photo", content, content_type)}, timeout=10
        )
        return response.status_code

    def attach(self, as_: str, upload_id: str) -> dict[str, Any]:
        payload: dict[str, Any] = self.data(ATTACH, {"input": {"uploadId": upload_id}}, as_)
        return payload

    def upload(
        self, as_: str, target_id: str, content: bytes = JPEG, **values: Any
    ) -> dict[str, Any]:
        """The whole flow; the attachment."""
        ticket = self.ticket(as_, target_id, size=len(content), **values)
        assert self.post(ticket, content, values.get("content_type", "image/jpeg")) == 204
        payload = self.attach(as_, ticket.upload_id)
        assert payload["errors"] == [], payload["errors"]
        attachment: dict[str, Any] = payload["attachment"]
        return attachment

    def case_files(self, as_: str | None, case_id: str) -> list[dict[str, Any]] | None:
        return self.files_of(CASE_FILES, as_, case_id)

    def files_of(self, query: str, as_: str | None, target_id: str) -> list[dict[str, Any]] | None:
        target = self.data(query, {"id": target_id}, as_)
        return None if target is None else list(target["files"])

    def public_files(self, code: str) -> list[dict[str, Any]]:
        files: list[dict[str, Any]] = self.data(PUBLIC_FILES, {"code": code}, None)
        return files

    def remove(self, as_: str, attachment_id: str, reason: str = "照片不清晰") -> dict[str, Any]:
        values = {"attachmentId": attachment_id, "reason": reason}
        payload: dict[str, Any] = self.data(REMOVE, {"input": values}, as_)
        return payload

    def set_public(self, as_: str, attachment_id: str, public: bool = True) -> dict[str, Any]:
        values = {"attachmentId": attachment_id, "public": public}
        payload: dict[str, Any] = self.data(SET_PUBLIC, {"input": values}, as_)
        return payload


def download(url: str) -> tuple[int, bytes, str | None]:
    response = httpx.get(url, timeout=10)
    return response.status_code, response.content, response.headers.get("content-type")
