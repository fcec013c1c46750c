"""The sweeper: fire what is due, step-function style (api.domain.deadlines.timers.STEPS).

A sweep queries every shard of the sparse ``due`` index for clocks whose next firing time has
passed — it reads nothing else — then for each case: re-read consistently, let the pure step
decide (warning, escalation one level up, hand-over to the governance centre, supervision),
and apply it in one transaction conditioned on the case's version, together with the timeline
event, the next clock, inbox projections, outbox notices and a FIRED marker keyed by the
event id (case, cycle, level, event, kind, generation). At-least-once firing, exactly-once
effect: a duplicate invocation or a second sweeper loses the condition and changes nothing.
An outage is caught up one level per firing: the next clock starts at the breached deadline,
so it is due again at once, and the next sweep takes the next step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from api.domain import cases as machine
from api.domain.cases import Action, Level
from api.domain.clock import iso
from api.domain.deadlines import timers
from api.domain.deadlines.calendar import WorkCalendar
from api.domain.deadlines.policy import TimePolicy
from api.domain.errors import Conflict, DomainError
from api.domain.messages import encode, joined, msg
from api.domain.org import path_ids
from api.domain.roles import Role
from api.records.case import CaseRecord, TaskDeadlineRecord
from api.services.case_gauges import gauge_move
from api.services.cases import Dispatch, advance, current_handlers, day_of, resolve_dispatch
from api.services.deadlines import case_timers, department_timers
from api.services.deadlines.department_firing import fire_task_clock
from api.services.figure_counters import department_counters
from api.services.topic_votes import fire_topic
from api.store.case_store import (
    CASE_PREFIX,
    DUE_SHARDS,
    CaseChange,
    EventDraft,
    FiredMarker,
    NoticeDraft,
)
from api.store.db import Db

log = logging.getLogger("dangqun.sweeper")

MAX_PER_SHARD = 500
AUTO_ESCALATION = "超时自动吹哨"
NOT_EVALUATED = encode(msg("case.closed_not_evaluated"))

# Timers of other items in the same due index, by key prefix: each fires the item with the
# given id if it is due at ``now`` (re-reading it consistently) and says whether it did; with
# the number of items one firing reads (for the sweep's figures).
TimerFirer = Callable[[Db, str, datetime], bool]
OTHER_TIMERS: dict[str, tuple[TimerFirer, int]] = {
    department_timers.TIMER_PREFIX: (fire_task_clock, 2),  # the department's deadline and its case
    "TOPIC": (fire_topic, 1),  # 党群议事: voting windows (the topic's item)
}


@dataclass
class SweepReport:
    shards: int = 0
    index_items_read: int = 0
    cases_read: int = 0
    fired: int = 0
    skipped: int = 0
    lateness_seconds: list[float] = field(default_factory=list)

    @property
    def items_read(self) -> int:
        return self.index_items_read + self.cases_read


def sweep(
    db: Db,
    now: datetime,
    policy: TimePolicy | None = None,
    calendar: WorkCalendar | None = None,
    shards: int = DUE_SHARDS,
) -> SweepReport:
    report = SweepReport(shards=shards)
    upper = f"{iso(now)}#\uffff"
    for shard in range(shards):
        for key in db.cases.due_keys(shard, upper, MAX_PER_SHARD):
            report.index_items_read += 1
            kind, _, item_id = key.partition("#")
            if kind == CASE_PREFIX:
                fired = fire_case(db, item_id, now, policy, calendar, report)
            elif kind in OTHER_TIMERS:
                firer, reads = OTHER_TIMERS[kind]
                report.cases_read += reads
                fired = firer(db, item_id, now)
            else:
                log.warning("due index holds %s, which no timer owns", key)
                fired = False
            if fired:
                report.fired += 1
            else:
                report.skipped += 1
    return report


def fire_case(
    db: Db,
    case_id: str,
    now: datetime,
    policy: TimePolicy | None = None,
    calendar: WorkCalendar | None = None,
    report: SweepReport | None = None,
) -> bool:
    """Fire the case's deadline if it is due now; False when nothing was (or could be) applied."""
    case = db.cases.get(case_id, consistent=True)  # the index may be stale: trust only the case
    if report is not None:
        report.cases_read += 1
    if case is None or case.deadline is None:
        return False
    deadline = case.deadline
    policy = policy or case_timers.current_policy(db, case)
    calendar = calendar or case_timers.current_calendar(db, case)
    # Only a breach at DISTRICT can go to TOP: only then look up the leader who would own it
    # (once: the escalation below uses the same answer).
    at_district_breach = (
        deadline.level is Level.DISTRICT
        and deadline.kind is not timers.TimerKind.EVALUATION  # its end closes, never escalates
        and timers.due_event(deadline, now) is timers.TimerEvent.BREACH
    )
    leader = _leader(db, case) if at_district_breach else None
    step_input = timers.StepInput(
        case.id, case.domain(), deadline, now, policy, calendar, case.code,
        has_leader=not at_district_breach or leader is not None,
    )  # fmt: skip
    try:
        step = timers.fire(step_input)
    except timers.TimerError:
        return False  # not due (early or paused), or the deadline no longer matches the case
    try:
        _apply(db, case, deadline, step, now, policy, leader)
    except Conflict:
        return False  # someone acted on the case meanwhile, or this firing was applied already
    except DomainError as error:
        log.warning("timer step for case %s not applied: %s", case.code, error.message)
        return False
    if report is not None and deadline.due_at is not None:
        fired_for = deadline.warn_at if step.event is timers.TimerEvent.AT_RISK else deadline.due_at
        report.lateness_seconds.append((now - (fired_for or deadline.due_at)).total_seconds())
    return True


def _apply(
    db: Db,
    case: CaseRecord,
    deadline: timers.Timer,
    step: timers.StepResult,
    now: datetime,
    policy: TimePolicy,
    leader: str | None,
) -> None:
    at = iso(now)
    before_state = case.state
    stopped: tuple[TaskDeadlineRecord, ...] = ()  # departments' deadlines ended
    supervision: tuple[EventDraft, ...] = ()
    action = "AT_RISK_WARNING" if step.event is timers.TimerEvent.AT_RISK else "SUPERVISION"
    if deadline.kind is timers.TimerKind.EVALUATION:
        action = "EVALUATION_REMINDER"
    note = encode(joined([notice.message for notice in step.notices])) if step.notices else ""
    counters: dict[str, int] = {}
    unit_counters: dict[str, dict[str, int]] = {}
    after = case
    if step.close_not_evaluated:
        # 评价期满: closed as not evaluated — counted as closed, never as evaluated/satisfied.
        outcome = machine.transition(case.domain(), machine.CloseNotEvaluated())
        after = advance(after, outcome, deadline, None, {}, now)
        action, note = Action.CLOSE.value, NOT_EVALUATED
        counters = {"closed": 1, "closed_not_evaluated": 1}
        unit_counters = department_counters(case, after, counters)
    elif step.breached:
        after = replace(after, breached=True, ever_breached=True)
    if step.escalate_to is not None:
        before = case.domain()
        dispatch = Dispatch(
            level=step.escalate_to,
            leader_id=leader if step.escalate_to is Level.TOP else None,
        )
        assignee, names = resolve_dispatch(db, case, dispatch)
        outcome = machine.transition(before, machine.Escalate(AUTO_ESCALATION, assignee))
        stopped = department_timers.changed(db, case, before, outcome.case, Action.ESCALATE, now)
        after = advance(after, outcome, deadline, step.next_clock, names, now)
        action = Action.ESCALATE.value
        # 督办 first, at the level that missed its limit; the escalation it causes follows.
        supervision = (
            EventDraft(
                "SUPERVISION", before_state, before_state, None, "SYSTEM", at, note,
                place=(case.level, case.assignee_id),
            ),
        )  # fmt: skip
    else:
        after = case_timers.with_deadline(after, step.next_clock)
        if step.breached and not case.breached and deadline.due_at is not None:
            # Still at this level, past its limit: overdue since then (the watch list's order;
            # a later retry at the same level, e.g. waiting for a leader, keeps the first).
            after = replace(after, overdue_since=iso(deadline.due_at))
    if step.next_clock is not None and step.next_clock.level is not deadline.level:
        after = replace(after, policy_version=policy.version)
    due = deadline.warn_at if step.event is timers.TimerEvent.AT_RISK else deadline.due_at
    db.cases.save(
        CaseChange(
            case=after,
            event=EventDraft(action, before_state, after.state, None, "SYSTEM", at, note),
            handlers=current_handlers(after),
            previous_handlers=tuple(h.assignee_id for h in current_handlers(case)),
            day=day_of(at),
            task_deadlines=stopped,
            counters=counters,
            unit_counters=unit_counters,
            notices=tuple(
                NoticeDraft(recipient, n.kind.value, n.level.value, encode(n.message))
                for n in step.notices
                if (recipient := _recipient(after, n)) is not None
            ),
            fired=FiredMarker(step.event_id, now, due),
            preceding=supervision,
            conflict=msg("conflict.case_fired"),
            gauges=gauge_move(case, after),
        )
    )


def _recipient(case: CaseRecord, notice: timers.Notice) -> str | None:
    """Whom a notice is for: the reporter (评价提醒; none for a case without one), else the unit
    at the notice's level on the case's grid path, the district (governance centre) at
    DISTRICT, the owning leader at TOP."""
    if notice.to_reporter:
        return case.reporter_id
    level = notice.level
    ids = path_ids(case.grid_path)
    if level is Level.TOP:
        return case.assignee_id or ids[0]
    index = {Level.DISTRICT: 0, Level.STREET: 1, Level.COMMUNITY: 2, Level.GRID: 3}[level]
    return ids[index]


def _leader(db: Db, case: CaseRecord) -> str | None:
    """The district leader who takes a case escalated to TOP (包案): the first LEADER granted
    on the district."""
    return db.people.first_grantee(case.district_id, Role.LEADER)
