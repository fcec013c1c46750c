"""The vocabulary of a case's timeline: every ``Action`` plus the steps no caller performs.

A timeline event records either an action a person took on the case (``cases.Action``), the
report that opened it, or a step of the sweeper (at-risk warning, supervision). Kept beside
``Action`` in the same order so the GraphQL enum ``CaseAction`` is this enum as it is.
"""

from __future__ import annotations

from enum import StrEnum


class TimelineAction(StrEnum):
    REPORT = "REPORT"  # 吹哨: the case was reported (the first event)
    ACCEPT = "ACCEPT"
    REJECT = "REJECT"
    ASSIGN = "ASSIGN"
    START = "START"
    CLAIM = "CLAIM"
    RESOLVE_TASK = "RESOLVE_TASK"
    ESCALATE = "ESCALATE"
    SEND_BACK = "SEND_BACK"
    PAUSE = "PAUSE"
    RESUME = "RESUME"
    REQUEST_EXTENSION = "REQUEST_EXTENSION"
    GRANT_EXTENSION = "GRANT_EXTENSION"
    DENY_EXTENSION = "DENY_EXTENSION"
    RESOLVE = "RESOLVE"
    VERIFY = "VERIFY"  # 核查通过
    VERIFY_FAILED = "VERIFY_FAILED"  # 核查不通过: back to the holder (返工)
    EVALUATE = "EVALUATE"
    REOPEN = "REOPEN"
    CLOSE = "CLOSE"
    TICK_OFF = "TICK_OFF"
    REQUEST_PARK = "REQUEST_PARK"
    APPROVE_PARK = "APPROVE_PARK"
    REJECT_PARK = "REJECT_PARK"
    UNPARK = "UNPARK"
    ARCHIVE = "ARCHIVE"
    AT_RISK_WARNING = "AT_RISK_WARNING"  # 临期预警, written by the sweeper
    SUPERVISION = "SUPERVISION"  # 督办: a limit was missed, written by the sweeper
    EVALUATION_REMINDER = "EVALUATION_REMINDER"  # 评价提醒 to the reporter, by the sweeper
