"""Pure rules of photos and files: accepted types, size limits, sniffing, keys."""

from __future__ import annotations

import pytest

from api.domain.errors import InvalidInput
from api.domain.uploads import (
    MAX_BYTES,
    FileKind,
    Purpose,
    TargetKind,
    check_size,
    file_key,
    kind_of_content_type,
    sniff,
    upload_key,
)


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("image/jpeg", FileKind.JPEG),
        ("IMAGE/PNG", FileKind.PNG),
        ("image/heic", FileKind.HEIC),
        ("application/pdf", FileKind.PDF),
    ],
)
def test_accepted_content_types(content_type: str, kind: FileKind) -> None:
    assert kind_of_content_type(content_type) is kind


@pytest.mark.parametrize("content_type", ["text/html", "image/svg+xml", "video/mp4", ""])
def test_other_content_types_are_refused(content_type: str) -> None:
    with pytest.raises(InvalidInput) as error:
        kind_of_content_type(content_type)
    assert error.value.field == "contentType"


def test_size_limits_per_kind() -> None:
    check_size(FileKind.JPEG, MAX_BYTES[FileKind.JPEG])
    check_size(FileKind.PDF, MAX_BYTES[FileKind.JPEG] + 1)  # PDFs may be larger
    for size in (0, MAX_BYTES[FileKind.JPEG] + 1):
        with pytest.raises(InvalidInput) as error:
            check_size(FileKind.JPEG, size, field="file")
        assert error.value.field == "file"


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", FileKind.JPEG),
        (b"\x89PNG\r\n\x1a\n\x00\x00", FileKind.PNG),
        (b"%PDF-1.7\n", FileKind.PDF),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", FileKind.HEIC),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00", FileKind.HEIC),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00", None),  # an MP4 video
        (b"<html><script>", None),
        (b"GIF89a", None),
        (b"", None),
    ],
)
def test_sniffing_reads_magic_numbers(head: bytes, kind: FileKind | None) -> None:
    assert sniff(head) is kind


def test_purposes_belong_to_one_kind_of_target() -> None:
    assert Purpose.VERIFICATION.target_kind is TargetKind.CASE
    assert Purpose.TOPIC_INVESTIGATION.target_kind is TargetKind.TOPIC
    assert Purpose.PARTNER_DELIVERY.target_kind is TargetKind.PROJECT


def test_keys_put_uploads_under_the_owner_and_files_under_the_target() -> None:
    assert upload_key(Purpose.CASE_REPORT, "P1", "U1") == "uploads/case_report/P1/U1"
    assert file_key(TargetKind.CASE, "C1", "F1", FileKind.HEIC) == "files/case/C1/F1.heic"
