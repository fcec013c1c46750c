"""The CSV format and the job rules of exports (issue 14.7), without I/O."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest

from api.domain.clock import SHANGHAI, iso
from api.domain.exports import (
    ABANDON_AFTER,
    ExportState,
    abandoned,
    csv_rows,
    export_key,
    guard,
    number,
    shanghai,
)


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+2", "'=1+2"),
        ("+86 139", "'+86 139"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("扬州路12号", "扬州路12号"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_cells_a_spreadsheet_would_evaluate_get_an_apostrophe(cell: str, shown: str) -> None:
    assert guard(cell) == shown


def test_rows_are_rfc_4180_with_crlf_and_read_back_as_written() -> None:
    rows = [
        ["追踪码", "地址"],
        ["SB2026-000001", '扬州路12号, "北楼"'],
        ["SB2026-000002", "一\n二"],
    ]
    text = csv_rows(rows)
    assert text == (
        '追踪码,地址\r\nSB2026-000001,"扬州路12号, ""北楼"""\r\nSB2026-000002,"一\n二"\r\n'
    )
    assert list(csv.reader(io.StringIO(text, newline=""))) == rows


def test_times_are_shanghai_iso_to_the_second() -> None:
    assert shanghai("2026-11-22T17:30:15.123+00:00") == "2026-11-23T01:30:15+08:00"
    assert shanghai(None) == "" and shanghai("") == ""


@pytest.mark.parametrize(
    ("value", "cell"),
    [(None, ""), (0, "0"), (12, "12"), (1.0, "1"), (0.5, "0.5"), (2 / 3, "0.6667"), (1.25, "1.25")],
)
def test_figures_are_written_plainly(value: float | int | None, cell: str) -> None:
    assert number(value) == cell


def test_a_job_is_abandoned_twenty_minutes_after_it_started() -> None:
    started = datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)
    for state in (ExportState.QUEUED, ExportState.RUNNING):
        assert not abandoned(state, iso(started), started + ABANDON_AFTER)
        assert abandoned(state, iso(started), started + ABANDON_AFTER + timedelta(seconds=1))
    for state in (ExportState.SUCCEEDED, ExportState.FAILED):
        assert not abandoned(state, iso(started), started + timedelta(days=1))


def test_files_live_under_the_exports_prefix_per_person() -> None:
    assert export_key("P1", "J1") == "exports/P1/J1.csv"
