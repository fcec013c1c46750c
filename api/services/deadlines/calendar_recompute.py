"""Publishing calendar overrides recomputes the running case deadlines the changed days touch."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from api.domain.clock import SHANGHAI, iso
from api.domain.deadlines import timers
from api.domain.deadlines.calendar import WorkCalendar
from api.domain.errors import Conflict
from api.services.case_gauges import gauge_move
from api.services.deadlines import case_timers
from api.store.case_store import DUE_SHARDS
from api.store.db import Db

# The due index holds a deadline's next firing, which is its warning (at 80 % of the limit)
# until it has warned; the deadline can lie a fifth of the limit later. No limit of a policy
# spans anywhere near this margin between warning and deadline.
WARNING_MARGIN = timedelta(days=60)


def recompute_from(db: Db, first_day: date, calendar: WorkCalendar) -> tuple[int, int]:
    """Recompute running deadlines on or after ``first_day``: a deadline due earlier has not
    reached the changed day. Returns (recomputed, skipped)."""
    start_of_day = datetime.combine(first_day, datetime.min.time(), tzinfo=SHANGHAI)
    lower = iso(start_of_day - WARNING_MARGIN)
    recomputed = skipped = 0
    for shard in range(DUE_SHARDS):
        for case_id in db.cases.due_case_ids(shard, "\uffff", 10_000, lower=lower):
            case = db.cases.get(case_id, consistent=True)
            if case is None or case.deadline is None:
                continue
            deadline = case.deadline
            if deadline.due_at is not None and deadline.due_at < start_of_day:
                continue
            moved = timers.recompute(deadline, calendar)
            if moved is deadline:
                continue
            try:
                # conditioned on the version read: a concurrent change wins
                moved_case = case_timers.with_deadline(case, moved)
                db.cases.reschedule(moved_case, gauge_move(case, moved_case))
                recomputed += 1
            except Conflict:
                skipped += 1  # the case changed meanwhile; its new deadline used the new calendar
    return recomputed, skipped
