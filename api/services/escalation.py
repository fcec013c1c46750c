"""The sweeper: fire what is due, step-function style (api.domain.timers.STEPS).

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
from dataclasses import dataclass, field
from datetime import datetime

from api.domain import cases as machine
from api.domain import timers
from api.domain.cases import Action, CaseState, Level
from api.domain.clock import SHANGHAI, iso
from api.domain.errors import Conflict, DomainError
from api.domain.org import path_ids
from api.domain.roles import Role
from api.domain.time_policy import TimePolicy
from api.domain.working_time import WorkCalendar
from api.services import case_clock, task_clocks, timer_records
from api.services.actor import Actor
from api.services.cases import (
    Act,
    Dispatch,
    apply_outcome,
    current_handlers,
    resolve_dispatch,
    timeline_event,
)
from api.services.task_clock_firing import fire_task_clock
from api.services.topic_votes import fire_topic
from api.store.case_models import (
    DUE_SHARDS,
    CaseItem,
    FiredItem,
    NoticeItem,
    TaskClockItem,
)
from api.store.case_store import Change, due_keys, get_case, to_domain, write_change
from api.store.db import Db
from api.store.models import RoleGrantItem, grants_pk

log = logging.getLogger("dangqun.sweeper")

SYSTEM = Actor()  # timeline events of the sweeper have no person behind them
MAX_PER_SHARD = 500
AUTO_ESCALATION = "超时自动吹哨"

# Timers of other items in the same due index, by key prefix: each fires the item with the
# given id if it is due at ``now`` (re-reading it consistently) and says whether it did; with
# the number of items one firing reads (for the sweep's figures).
TimerFirer = Callable[[Db, str, datetime], bool]
OTHER_TIMERS: dict[str, tuple[TimerFirer, int]] = {
    task_clocks.TIMER_PREFIX: (fire_task_clock, 2),  # the department's clock and its case
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
        for key in due_keys(shard, upper, MAX_PER_SHARD):
            report.index_items_read += 1
            kind, _, item_id = key.partition("#")
            if kind == "CASE":
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
    """Fire the case's clock if it is due now; False when nothing was (or could be) applied."""
    case = get_case(case_id, consistent=True)  # the index may be stale: trust only the case
    if report is not None:
        report.cases_read += 1
    if case is None or not case.clock:
        return False
    clock = case_clock.clock_from_json(case.clock)
    policy = policy or case_clock.current_policy(case)
    calendar = calendar or case_clock.current_calendar(case)
    # Only a breach at DISTRICT can go to TOP: only then look up the leader who would own it
    # (once: the escalation below uses the same answer).
    at_district_breach = (
        clock.level is Level.DISTRICT and timers.due_event(clock, now) is timers.TimerEvent.BREACH
    )
    leader = _leader(case) if at_district_breach else None
    step_input = timers.StepInput(
        case.id, to_domain(case), clock, now, policy, calendar, case.code,
        has_leader=not at_district_breach or leader is not None,
    )  # fmt: skip
    try:
        step = timers.fire(step_input)
    except timers.TimerError:
        return False  # not due (early or paused), or the clock no longer matches the case
    try:
        _apply(db, case, clock, step, now, policy, leader)
    except Conflict:
        return False  # someone acted on the case meanwhile, or this firing was applied already
    except DomainError as error:
        log.warning("timer step for case %s not applied: %s", case.code, error.message)
        return False
    if report is not None and clock.due_at is not None:
        fired_for = clock.warn_at if step.event is timers.TimerEvent.AT_RISK else clock.due_at
        report.lateness_seconds.append((now - (fired_for or clock.due_at)).total_seconds())
    return True


def _apply(
    db: Db,
    case: CaseItem,
    clock: timers.CaseClock,
    step: timers.StepResult,
    now: datetime,
    policy: TimePolicy,
    leader: str | None,
) -> None:
    at = iso(now)
    previous = [handler.assignee_id for handler in current_handlers(case)]
    stopped: list[TaskClockItem] = []  # departments' clocks an escalation ends
    before_state = CaseState(case.state)
    action = "AT_RISK_WARNING" if step.event is timers.TimerEvent.AT_RISK else "SUPERVISION"
    note = "; ".join(notice.message for notice in step.notices)
    if step.breached:
        case.breached = True
        case.ever_breached = True
    if step.escalate_to is not None:
        before = to_domain(case)
        dispatch = Dispatch(
            level=step.escalate_to,
            leader_id=leader if step.escalate_to is Level.TOP else None,
        )
        assignee, names = resolve_dispatch(case, dispatch)
        outcome = machine.transition(before, machine.Escalate(AUTO_ESCALATION, assignee))
        stopped = task_clocks.changed_items(case, before, outcome.case, Action.ESCALATE, now)
        case.handler_names = {**(case.handler_names or {}), **names}
        case_clock.freeze_level(case, clock, now)
        apply_outcome(case, outcome, Act(Action.ESCALATE, note=AUTO_ESCALATION), at)
        case.breached = False
        action = Action.ESCALATE.value
    case_clock.store_clock(case, step.next_clock)
    if step.next_clock is not None and step.next_clock.level is not clock.level:
        case.policy_version = policy.version
    seq = int(case.event_count or 0) + 1
    case.event_count = seq
    case.updated_at = at
    event = timeline_event(
        case, seq, action, before_state, CaseState(case.state), SYSTEM, "SYSTEM", at, note
    )
    change = Change(
        event=event,
        handlers=current_handlers(case),
        previous_handlers=previous,
        day=now.astimezone(SHANGHAI).date().isoformat(),
        task_clocks=stopped,
    )
    due = clock.warn_at if step.event is timers.TimerEvent.AT_RISK else clock.due_at
    fired = timer_records.fired_marker(case, step.event_id, now, due)
    with db.transaction("The case changed or this firing was applied already") as tx:
        tx.save(case)  # conditioned on the version read above
        tx.save(fired, condition=FiredItem.sk.does_not_exist())
        write_change(tx, case, change)
        for notice in step.notices:
            tx.save(_notice_item(case, notice, at))


def _notice_item(case: CaseItem, notice: timers.Notice, at: str) -> NoticeItem:
    recipient = _recipient(case, notice.level)
    return timer_records.notice(
        case, recipient, notice.kind.value, notice.level.value, notice.message, at
    )


def _recipient(case: CaseItem, level: Level) -> str:
    """Whom a notice at a level is for: the unit at that level on the case's grid path, the
    district (governance centre) at DISTRICT, the owning leader at TOP."""
    ids = path_ids(case.grid_path)
    if level is Level.TOP:
        return case.assignee_id or ids[0]
    index = {Level.DISTRICT: 0, Level.STREET: 1, Level.COMMUNITY: 2, Level.GRID: 3}[level]
    return ids[index]


def _leader(case: CaseItem) -> str | None:
    """The district leader who takes a case escalated to TOP (包案): the first LEADER granted
    on the district."""
    district_id = path_ids(case.grid_path)[0]
    for grant in RoleGrantItem.by_parent.query(
        grants_pk(district_id), RoleGrantItem.gsi1sk.startswith(f"{Role.LEADER.value}#"), limit=1
    ):
        return str(grant.person_id)  # type: ignore[attr-defined]
    return None
