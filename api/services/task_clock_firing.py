"""Firing a supporting department's clock (api.domain.task_clocks), for the sweeper.

Re-read the clock and the case consistently, let the pure step decide, and write the clock,
a timeline event, the FIRED marker and the department's notice in one transaction conditioned
on the clock's and the case's versions: a duplicate invocation changes nothing.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError

from api.domain import task_clocks as rules
from api.domain.cases import CaseState
from api.domain.clock import iso
from api.domain.errors import Conflict
from api.domain.timers import StaleClock, TimerError, TimerEvent
from api.services import case_clock, task_clocks, timer_records
from api.services.actor import Actor
from api.services.cases import timeline_event
from api.store.case_models import (
    FiredItem,
    TaskClockItem,
    task_clock_key,
)
from api.store.case_store import get_case, to_domain
from api.store.db import Db

log = logging.getLogger("dangqun.sweeper")


def fire_task_clock(db: Db, item_id: str, now: datetime) -> bool:
    """Fire a department's clock if it is due now; False when nothing was (or could be) done.
    ``item_id`` is ``<case>#<department>``, as the due index names it."""
    case_id, _, department = item_id.partition("#")
    pk, sk = task_clock_key(case_id, department)
    try:
        item = TaskClockItem.get(pk, sk, consistent_read=True)
    except DoesNotExist:
        return False
    case = get_case(case_id, consistent=True)
    if case is None or not item.clock:
        return False  # a stale index entry: the clock stopped meanwhile
    clock = case_clock.clock_from_json(item.clock)
    name = (case.handler_names or {}).get(department, department)
    domain = to_domain(case)
    try:
        step = rules.fire_task(case.id, case.code, department, name, domain, clock, now)
    except StaleClock:
        return _stop_stale(item, now)
    except TimerError:
        return False
    at = iso(now)
    task_clocks.store(item, step.next_clock, at)
    if step.breached:
        item.breached = True
        item.ever_breached = True
    seq = int(case.event_count or 0) + 1
    case.event_count = seq
    case.updated_at = at
    action = "AT_RISK_WARNING" if step.event is TimerEvent.AT_RISK else "SUPERVISION"
    state = CaseState(case.state)
    event = timeline_event(case, seq, action, state, state, Actor(), "SYSTEM", at, step.message)
    due = clock.warn_at if step.event is TimerEvent.AT_RISK else clock.due_at
    fired = timer_records.fired_marker(case, step.event_id, now, due)
    notice = timer_records.notice(
        case, department, step.notice_kind.value, clock.level.value, step.message, at
    )
    try:
        with db.transaction("The clock or the case changed, or this firing was applied") as tx:
            tx.save(item)  # conditioned on the versions read above
            tx.save(case)
            tx.save(event, condition=type(event).pk.does_not_exist())
            tx.save(fired, condition=FiredItem.sk.does_not_exist())
            tx.save(notice)
    except Conflict:
        return False
    return True


def _stop_stale(item: TaskClockItem, now: datetime) -> bool:
    """The department's task no longer matches the clock (a change that should have stopped
    it): take it out of the due index so it is not read again."""
    log.warning("stopping stale department clock %s", item.pk)
    task_clocks.store(item, None, iso(now))
    with contextlib.suppress(PutError):  # conditioned on the version: a concurrent change wins
        item.save()
    return False
