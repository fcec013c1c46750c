"""What a case contributes to the command centre's gauges and watch lists (issue 14), for the
changes that write it (``CaseChange.gauges``): every change of a case — a transition, a timer
firing, a recomputed deadline — passes the case before and after, so moving a case between
units, levels or states moves its contributions in the same transaction."""

from __future__ import annotations

from api.domain.cases import Level, TaskRole
from api.domain.clock import iso
from api.domain.gauges import NOT_HELD, Held, held
from api.domain.org import path_ids
from api.records.case import CaseRecord
from api.store.gauge_store import GaugeMove


def held_of(case: CaseRecord | None) -> Held:
    """The contribution of ``case`` (none for a case not yet written)."""
    if case is None:
        return NOT_HELD
    return held(
        state=case.state,
        level=case.level,
        path_ids=path_ids(case.grid_path),
        tasks=case.tasks,
        deadline=case.deadline,
        breached=case.breached,
        overdue_since=_overdue_since(case),
    )


def _overdue_since(case: CaseRecord) -> str:
    """When the missed limit was due: set by the sweeper's breach; for a case breached before
    it was recorded, the running deadline's due time, else when the level was entered."""
    if case.overdue_since:
        return case.overdue_since
    if case.deadline is not None and case.deadline.due_at is not None:
        return iso(case.deadline.due_at)
    return case.levels[-1].entered_at if case.levels else case.reported_at


def holder_of(case: CaseRecord) -> str:
    """Who holds the case now, as its watch entries show: the community's intake before
    dispatch, the lead department at DISTRICT, the assignee (unit or owning leader), else the
    district (the governance centre)."""
    ids = path_ids(case.grid_path)
    if case.level is None:
        return ids[2]
    if case.level is Level.DISTRICT:
        lead = [t.department_id for t in case.tasks if t.role is TaskRole.LEAD]
        return lead[0] if lead else ids[0]
    return case.assignee_id or ids[0]


def gauge_move(before: CaseRecord | None, after: CaseRecord) -> GaugeMove:
    holder = holder_of(after)
    return GaugeMove(held_of(before), held_of(after), holder, after.name_of(holder))
