"""Rows of the scope-isolation tables (tests/integration/test_scope_isolation.py) for photos and
files (issue 15), acting on street B's case. Plain tuples in the order of the tables'
``WriteCase`` and ``ReadCase`` fields, built there (no import cycle)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.domain.ids import new_id, to_global_id

B_ADMIN, B_RESIDENT = "b_admin", "b_resident"
# Earlier rows of the insiders' run move B's grid (and its case) around: the district's admin
# still sees the case wherever it went.
DISTRICT_ADMIN = "district_admin"
VIEWERS = ("anonymous", "a_admin", "a_worker", B_ADMIN, "b_worker", B_RESIDENT)
UNKNOWN = new_id()  # an upload or attachment that does not exist

Problem = tuple[str, str | None]


def _case_gid(s: Any) -> str:
    return to_global_id("Case", s.extras.b_case_id)


def _attachment(extra: dict[str, Any]) -> Callable[[Any], dict[str, Any]]:
    """An attachment id on B's case (none exists: the target is checked first)."""
    return lambda s: {
        "attachmentId": to_global_id("Attachment", f"CASE:{s.extras.b_case_id}:{UNKNOWN}"),
        **extra,
    }


def _ok(problems: list[Problem]) -> bool:
    return problems == []


def _only(problem: Problem) -> Callable[[list[Problem]], bool]:
    return lambda problems: problems == [problem]


def upload_write_rows() -> list[tuple[Any, ...]]:
    """(field, label, input, outsider, insider, insider_ok)"""
    return [
        (
            "requestUpload", "a photo for B's case",
            lambda s: {
                "purpose": "CASE_REPORT", "targetId": _case_gid(s),
                "contentType": "image/jpeg", "size": 1000,
            },
            ("NOT_FOUND", "targetId"), B_RESIDENT, _ok,
        ),
        (
            "attachUpload", "an upload that does not exist",
            lambda s: {"uploadId": UNKNOWN},
            ("NOT_FOUND", "uploadId"), B_RESIDENT, _only(("NOT_FOUND", "uploadId")),
        ),
        (
            "removeAttachment", "a file of B's case", _attachment({"reason": "越界删除"}),
            ("NOT_FOUND", "targetId"), DISTRICT_ADMIN, _only(("NOT_FOUND", "attachmentId")),
        ),
        (
            "setAttachmentPublic", "a file of B's case", _attachment({"public": True}),
            ("NOT_FOUND", "targetId"), DISTRICT_ADMIN, _only(("NOT_FOUND", "attachmentId")),
        ),
    ]  # fmt: skip


def upload_read_rows() -> list[tuple[Any, ...]]:
    """(field, label, document, variables, project, expect)"""
    return [
        (
            "publicCaseFiles", "B's case shows only files staff made public (none)",
            "query($code: String!) { publicCaseFiles(code: $code) { id url } }",
            lambda s: {"code": s.extras.b_case_code}, lambda d: d["publicCaseFiles"],
            lambda s: {viewer: [] for viewer in VIEWERS},
        ),
        (
            "case", "B's case files: only for those who may read the case",
            "query($id: ID!) { case(id: $id) { files { id } } }",
            lambda s: {"id": _case_gid(s)}, lambda d: d["case"],
            lambda s: {
                viewer: {"files": []} if viewer.startswith("b_") else None
                for viewer in VIEWERS
            },
        ),
    ]  # fmt: skip
