"""Publishing calendar overrides recomputes the running case clocks the changed days touch.

TRANSITIONAL (store-boundary refactor): this walks case items and rewrites their clocks, which
belongs to the case aggregate; it moved here unchanged from ``time_admin`` so the time use
cases are converted, and it stays listed in ``tests/unit/test_layering.py`` until the case
repository offers the clock rewrite as a unit of work.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from api.domain import timers
from api.domain.clock import SHANGHAI, iso
from api.domain.errors import Conflict
from api.domain.working_time import WorkCalendar
from api.services import case_clock
from api.store.case_models import DUE_SHARDS
from api.store.case_store import due_entries, get_case
from api.store.db import Db

# The due index holds a clock's next firing, which is its warning (at 80 % of the limit) until
# it has warned; its deadline can lie a fifth of the limit later. No limit of a policy spans
# anywhere near this margin between warning and deadline.
WARNING_MARGIN = timedelta(days=60)


def recompute_from(db: Db, first_day: date, calendar: WorkCalendar) -> tuple[int, int]:
    """Recompute running clocks whose deadline is on or after ``first_day``: a clock due
    earlier has not reached the changed day. Returns (recomputed, skipped)."""
    start_of_day = datetime.combine(first_day, datetime.min.time(), tzinfo=SHANGHAI)
    lower = iso(start_of_day - WARNING_MARGIN)
    recomputed = skipped = 0
    for shard in range(DUE_SHARDS):
        for case_id in due_entries(shard, "\uffff", 10_000, lower=lower):
            case = get_case(case_id, consistent=True)
            if case is None or not case.clock:
                continue
            clock = case_clock.clock_from_json(case.clock)
            if clock.due_at is not None and clock.due_at < start_of_day:
                continue
            moved = timers.recompute(clock, calendar)
            if moved is clock:
                continue
            case_clock.store_clock(case, moved)
            try:
                with db.transaction() as tx:
                    tx.save(case)  # conditioned on the version read: a concurrent change wins
                recomputed += 1
            except Conflict:
                skipped += 1  # the case changed meanwhile; its new clock used the new calendar
    return recomputed, skipped
