"""Exports (CSV, issue 14.7): the job's states and limits, and the CSV format. No I/O.

A job is requested, stored QUEUED, run outside the request by the export worker (RUNNING), and
ends SUCCEEDED with its row count or FAILED with a message. A job still RUNNING
``ABANDON_AFTER`` after it started is abandoned: whoever reads it records it FAILED, so a
caller's polling always ends.

CSV: UTF-8 with a byte-order mark (Excel then opens Chinese text correctly), RFC 4180 quoting
(fields with a comma, quote or line break are quoted, quotes doubled, CRLF line ends), a
Chinese header row in a stable column order, and a guard against formula injection: a cell
starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return, which spreadsheets
also strip before evaluating) gets a leading apostrophe, so a spreadsheet shows it as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from api.domain.clock import SHANGHAI
from api.domain.messages import msg


class ExportKind(StrEnum):
    CASES = "CASES"  # the cases of a scope reported in a period
    FIGURES = "FIGURES"  # the figures of a unit and its children for a period


class ExportState(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


FINISHED = frozenset({ExportState.SUCCEEDED, ExportState.FAILED})

# Objects of exports live under their own prefix (the functions' IAM and the bucket's lifecycle
# rule name it): exports/<person>/<job id>.csv.
EXPORT_PREFIX = "exports/"
CONTENT_TYPE = "text/csv; charset=utf-8"
# The presigned GET handed to the requester; reading the job again signs a fresh one.
DOWNLOAD_EXPIRY_SECONDS = 15 * 60
ABANDON_AFTER = timedelta(minutes=20)
ABANDONED_MESSAGE = msg("export.abandoned")
# Reported dates of a case export: at most a year (as the figures' custom periods).
MAX_RANGE_DAYS = 366
# S3 multipart parts must be at least 5 MiB (but the last): rows are buffered up to this size
# before a part is uploaded and the job's checkpoint is recorded.
PART_BYTES = 5 * 1024 * 1024

BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_key(owner_id: str, job_id: str) -> str:
    return f"{EXPORT_PREFIX}{owner_id}/{job_id}.csv"


def abandoned(state: ExportState, started_at: str | None, now: datetime) -> bool:
    """RUNNING for longer than ``ABANDON_AFTER`` since it started (or QUEUED that long since
    it was created, ``started_at`` then being the creation time)."""
    if state in FINISHED or started_at is None:
        return False
    return now - datetime.fromisoformat(started_at) > ABANDON_AFTER


def guard(cell: str) -> str:
    """Formula-injection guard: a leading apostrophe on a cell a spreadsheet would evaluate."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def csv_rows(rows: Sequence[Sequence[str]]) -> str:
    """RFC 4180 lines (CRLF) of guarded cells."""
    out = io.StringIO()
    writer = csv.writer(out, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([guard(cell) for cell in row])
    return out.getvalue()


def shanghai(moment: str | None) -> str:
    """An ISO time as Asia/Shanghai ISO-8601 to the second ('' for none)."""
    if not moment:
        return ""
    return datetime.fromisoformat(moment).astimezone(SHANGHAI).isoformat(timespec="seconds")


def number(value: float | int | None) -> str:
    """A figure as a cell: integers as they are, rates to 4 decimals, '' for none."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return f"{value:.4f}".rstrip("0").rstrip(".")


CASE_COLUMNS: tuple[str, ...] = (
    "追踪码",
    "类别",
    "状态",
    "层级",
    "上报时间",
    "当前承办",
    "办理时限",
    "办结时间",
    "结案时间",
    "评价",
    "评价意见",
    "上报人",
    "上报人电话",
    "地址",
)

STATE_NAMES: dict[str, str] = {
    "REPORTED": "待受理",
    "ACCEPTED": "已立案",
    "REJECTED": "不予受理",
    "ASSIGNED": "已派遣",
    "IN_PROGRESS": "处置中",
    "PAUSED": "暂停",
    "PARKED": "挂账",
    "RESOLVED": "已办结",
    "EVALUATED": "已评价",
    "CLOSED": "已结案",
    "ARCHIVED": "已归档",
}
LEVEL_NAMES: dict[str, str] = {
    "GRID": "网格",
    "COMMUNITY": "社区",
    "STREET": "街道",
    "DISTRICT": "区级部门",
    "TOP": "顶格调度",
}
SATISFACTION_NAMES: dict[str, str] = {
    "SATISFIED": "满意",
    "BASICALLY_SATISFIED": "基本满意",
    "UNSATISFIED": "不满意",
}

# Every figure of the GraphQL type UnitFigures, in its order, after the unit and the period.
FIGURE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("received", "受理"),
    ("accepted", "立案"),
    ("resolved", "办结"),
    ("closed", "结案"),
    ("resolved_on_time", "按期办结"),
    ("resolved_in_grid", "网格内解决"),
    ("resolved_at_street_or_below", "街道及以下解决"),
    ("evaluated", "已评价"),
    ("satisfied", "满意"),
    ("reopened", "返工"),
    ("resolution_rate", "办结率"),
    ("on_time_rate", "按期办结率"),
    ("in_grid_share", "网格内解决率"),
    ("street_or_below_share", "街道及以下解决率"),
    ("satisfaction_rate", "满意率"),
    ("rework_rate", "返工率"),
    ("average_working_hours", "平均处置时长(工作小时)"),
    ("average_natural_hours", "平均处置时长(自然小时)"),
    ("topics_raised", "议题"),
    ("topics_adopted", "立项"),
    ("topic_adoption_rate", "立项率"),
    ("topic_cases_resolved_in_grid", "议题案件网格内解决"),
    ("verified", "核查通过"),
    ("verification_failed", "核查不通过"),
    ("verification_failure_rate", "核查不通过率"),
    ("closed_not_evaluated", "未评价结案"),
    ("not_evaluated_share", "未评价结案占比"),
    ("partner_claims", "认领"),
    ("partner_deliveries", "交付"),
    ("points_granted", "发放积分"),
)
FIGURES_HEADER: tuple[str, ...] = (
    "单位",
    "单位类型",
    "开始日期",
    "结束日期",
    *(title for _, title in FIGURE_COLUMNS),
)
