"""Command-centre counters a case change adds beside the lifecycle counters (issue 14).

Kept apart from ``api.services.cases`` (which only calls :func:`figure_counters` and
:func:`department_counters`) so the case use cases stay small. Every counter here is written in
the same ``TransactWriteItems`` as the change itself (``CaseChange.counters`` for the grid path,
``CaseChange.unit_counters`` for the departments), so a figure never drifts from the record.
The README ("Figures") defines each figure built from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from api.domain.cases import Level
from api.domain.deadlines.calendar import natural_hours_between
from api.records.case import CaseRecord
from api.services.deadlines import case_timers
from api.store.db import Db

# Levels counted as "solved at street level or below" (街道及以下解决).
STREET_OR_BELOW = frozenset({Level.GRID, Level.COMMUNITY, Level.STREET})

# Lifecycle counters a department holding a task shares with the case's grid path.
DEPARTMENT_SHARED = (
    "resolved",
    "resolved_on_time",
    "closed",
    "satisfied",
    "evaluated",
    "reopened",
    "handling_natural_minutes",
    "handling_working_minutes",
    # closing (README "Closing"): the department's result was checked / left unevaluated
    "verified",
    "verification_failed",
    "closed_not_evaluated",
)


def figure_counters(
    db: Db, case: CaseRecord, counters: Mapping[str, int], evaluated: bool, now: datetime
) -> dict[str, int]:
    """Counters to add for a change of ``case`` (the case before the change) whose lifecycle
    counters are ``counters``: the level it was resolved at, the handling time from the report
    to the resolution (natural and working minutes, whole minutes), and evaluations."""
    extra: dict[str, int] = {}
    if counters.get("resolved"):
        if case.level in STREET_OR_BELOW:
            extra["resolved_at_street_or_below"] = 1
        reported = datetime.fromisoformat(case.reported_at)
        extra["handling_natural_minutes"] = round(natural_hours_between(reported, now) * 60)
        calendar = case_timers.current_calendar(db, case)
        extra["handling_working_minutes"] = round(
            calendar.working_hours_between(reported, now) * 60
        )
    if evaluated:
        extra["evaluated"] = 1
    return extra


def department_counters(
    before: CaseRecord, after: CaseRecord, counters: Mapping[str, int]
) -> dict[str, dict[str, int]]:
    """Counters per department: ``assigned`` for a department newly holding a task, and the
    shared lifecycle counters for every department that held a task before the change."""
    held = {task.department_id for task in before.tasks}
    shared = {name: n for name, n in counters.items() if name in DEPARTMENT_SHARED and n}
    result: dict[str, dict[str, int]] = {}
    for department_id in sorted(held):
        if shared:
            result[department_id] = dict(shared)
    for task in after.tasks:
        if task.department_id not in held:
            result.setdefault(task.department_id, {})["assigned"] = 1
    return result
