"""Firing a supporting department's deadline (rules: ``domain.deadlines.department_timers``),
for the sweeper.

Re-read the deadline and the case consistently, let the pure step decide, and write the
deadline, a timeline event, the FIRED marker and the department's notice as one ``CaseChange``
conditioned on the deadline's and the case's versions: a duplicate invocation changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from api.domain.clock import iso
from api.domain.deadlines import department_timers as rules
from api.domain.deadlines.timers import StaleClock, TimerError, TimerEvent
from api.domain.errors import Conflict
from api.domain.messages import encode, msg
from api.services.cases import current_handlers, day_of
from api.services.deadlines import department_timers
from api.store.case_store import CaseChange, EventDraft, FiredMarker, NoticeDraft
from api.store.db import Db

log = logging.getLogger("dangqun.sweeper")


def fire_task_clock(db: Db, item_id: str, now: datetime) -> bool:
    """Fire a department's deadline if it is due now; False when nothing was (or could be)
    done. ``item_id`` is ``<case>#<department>``, as the due index names it."""
    case_id, _, department = item_id.partition("#")
    record = db.cases.task_deadline(case_id, department)
    if record is None:
        return False
    case = db.cases.get(case_id, consistent=True)
    if case is None or record.deadline is None:
        return False  # a stale index entry: the deadline stopped meanwhile
    deadline = record.deadline
    name = case.name_of(department)
    try:
        step = rules.fire_task(case.id, case.code, department, name, case.domain(), deadline, now)
    except StaleClock:
        # The department's task no longer matches the deadline (a change that should have
        # stopped it): take it out of the due index so it is not read again.
        log.warning("stopping stale department deadline %s", item_id)
        db.cases.stop_task_deadline(department_timers.moved(record, None, iso(now)))
        return False
    except TimerError:
        return False
    at = iso(now)
    record = department_timers.moved(record, step.next_clock, at)
    if step.breached:
        record = replace(record, breached=True, ever_breached=True)
    action = "AT_RISK_WARNING" if step.event is TimerEvent.AT_RISK else "SUPERVISION"
    due = deadline.warn_at if step.event is TimerEvent.AT_RISK else deadline.due_at
    note = encode(step.message)  # stored language-neutral, shown in the reader's language
    handlers = current_handlers(case)
    change = CaseChange(
        case=case,
        event=EventDraft(action, case.state, case.state, None, "SYSTEM", at, note),
        handlers=handlers,
        previous_handlers=tuple(h.assignee_id for h in handlers),
        day=day_of(at),
        task_deadlines=(record,),
        notices=(NoticeDraft(department, step.notice_kind.value, deadline.level.value, note),),
        fired=FiredMarker(step.event_id, now, due),
        conflict=msg("conflict.deadline_fired"),
    )
    try:
        db.cases.save(change)
    except Conflict:
        return False
    return True
