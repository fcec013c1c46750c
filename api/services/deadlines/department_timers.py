"""Supporting departments' deadlines on joint cases (rules: ``domain.deadlines``): they
change in the same transaction as the case change that moves them (claim, resolve, pause,
resume, escalation). The sweeper fires them through api.services.deadlines.department_firing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from api.domain.cases import Action, Case, TaskRole
from api.domain.clock import iso
from api.domain.deadlines import department_timers as rules
from api.domain.deadlines.calendar import WorkCalendar
from api.domain.deadlines.policy import TimePolicy
from api.domain.deadlines.timers import Timer
from api.records.case import CaseRecord, TaskDeadlineRecord
from api.services.deadlines import case_timers
from api.store.case_store import TASK_DEADLINE_PREFIX
from api.store.db import Db

TIMER_PREFIX = TASK_DEADLINE_PREFIX  # the due-index key prefix the sweeper dispatches on


def supporting_departments(*cases: Case) -> set[str]:
    return {t.department_id for c in cases for t in c.tasks if t.role is TaskRole.SUPPORT}


def new_deadline(case_id: str, department_id: str) -> TaskDeadlineRecord:
    """A department's deadline not stored yet (version 0: saved only if absent)."""
    return TaskDeadlineRecord(case_id, department_id, None, False, False, "", 0)


def moved(record: TaskDeadlineRecord, deadline: Timer | None, at: str) -> TaskDeadlineRecord:
    return replace(record, deadline=deadline, updated_at=at)


def changed(
    db: Db,
    case: CaseRecord,
    before: Case,
    after: Case,
    action: Action,
    now: datetime,
    policy: TimePolicy | None = None,
    calendar: WorkCalendar | None = None,
) -> tuple[TaskDeadlineRecord, ...]:
    """The departments' deadlines a change of ``case`` rewrites (saved in its transaction,
    each conditioned on its version, or on its absence when new)."""
    departments = supporting_departments(before, after)
    if not departments:
        return ()  # no joint case at DISTRICT: nothing to read
    keys = [(case.id, department) for department in sorted(departments)]
    stored = {dep: r for (_, dep), r in db.cases.task_deadlines(keys, consistent=True).items()}
    running = {dep: r.deadline for dep, r in stored.items() if r.deadline is not None}
    changes = rules.plan(
        before,
        after,
        action,
        running,
        now,
        policy or case_timers.current_policy(db, case),
        calendar or case_timers.current_calendar(db, case),
    )
    at = iso(now)
    written: list[TaskDeadlineRecord] = []
    for department, deadline in sorted(changes.items()):
        record = stored.get(department) or new_deadline(case.id, department)
        previous = running.get(department)
        if deadline is not None and (previous is None or deadline.kind is not previous.kind):
            # A new deadline: the breach of the last one stays in ever_breached.
            record = replace(record, breached=False)
        written.append(moved(record, deadline, at))
    return tuple(written)
