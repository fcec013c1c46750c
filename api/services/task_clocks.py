"""Supporting departments' clocks on joint cases (rules: api.domain.task_clocks): their
items change in the same transaction as the case change that moves them (claim, resolve,
pause, resume, escalation). The sweeper fires them through api.services.task_clock_firing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from api.domain import task_clocks as rules
from api.domain.cases import Action, Case, TaskRole
from api.domain.clock import iso
from api.domain.time_policy import TimePolicy
from api.domain.timers import CaseClock, next_fire_at
from api.domain.working_time import WorkCalendar
from api.services import case_clock
from api.store.case_models import (
    CaseItem,
    TaskClockItem,
    due_pk,
    due_shard,
    due_sk,
    task_clock_key,
)

TIMER_PREFIX = "TASKCLOCK"  # the partition-key prefix the sweeper dispatches on


def supporting_departments(*cases: Case) -> set[str]:
    return {t.department_id for c in cases for t in c.tasks if t.role is TaskRole.SUPPORT}


def load(case_id: str, department_ids: Iterable[str]) -> dict[str, TaskClockItem]:
    """The departments' clock items (one BatchGetItem), by department."""
    keys = [task_clock_key(case_id, department) for department in sorted(set(department_ids))]
    if not keys:
        return {}
    found = TaskClockItem.batch_get(keys, consistent_read=True)
    return {item.department_id: item for item in found}


def store(item: TaskClockItem, clock: CaseClock | None, at: str) -> None:
    """Write the clock and its entry in the due index (absent when it does not run)."""
    item.clock = case_clock.clock_to_json(clock) if clock is not None else None
    item.updated_at = at
    fire_at = next_fire_at(clock) if clock is not None else None
    if fire_at is None:
        item.duepk = None
        item.duesk = None
        return
    item.duepk = due_pk(due_shard(item.case_id))
    item.duesk = due_sk(iso(fire_at), f"{item.case_id}#{item.department_id}")


def changed_items(
    case: CaseItem,
    before: Case,
    after: Case,
    action: Action,
    now: datetime,
    policy: TimePolicy | None = None,
    calendar: WorkCalendar | None = None,
) -> list[TaskClockItem]:
    """The department clock items a change of ``case`` rewrites (to save in its transaction;
    each save is conditioned on the item's version, or on its absence when new)."""
    departments = supporting_departments(before, after)
    if not departments:
        return []  # no joint case at DISTRICT: nothing to read
    items = load(case.id, departments)
    clocks = {
        department: case_clock.clock_from_json(item.clock)
        for department, item in items.items()
        if item.clock
    }
    changes = rules.plan(
        before,
        after,
        action,
        clocks,
        now,
        policy or case_clock.current_policy(case),
        calendar or case_clock.current_calendar(case),
    )
    at = iso(now)
    written: list[TaskClockItem] = []
    for department, clock in sorted(changes.items()):
        item = items.get(department)
        if item is None:
            pk, sk = task_clock_key(case.id, department)
            item = TaskClockItem(pk, sk, case_id=case.id, department_id=department)
        previous = clocks.get(department)
        if clock is not None and (previous is None or clock.kind is not previous.kind):
            item.breached = False  # a new clock: the breach of the last one stays in ever_breached
        store(item, clock, at)
        written.append(item)
    return written
