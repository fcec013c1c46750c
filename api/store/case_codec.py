"""Case items ↔ case records, and the JSON codecs of what a case item keeps as JSON
(the deadline, tasks, levels, attachments, the timeline copy)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from api.domain.case_catalogue import DEFAULT_CATEGORIES, Attachment
from api.domain.cases import (
    CaseState,
    Channel,
    Closure,
    HandlingMode,
    Level,
    Satisfaction,
    Task,
    TaskRole,
    TaskStatus,
)
from api.domain.clock import iso
from api.domain.deadlines.policy import HourUnit
from api.domain.deadlines.timers import Timer, TimerKind
from api.domain.figures import category_counter
from api.records.case import (
    CaseEventRecord,
    CaseRecord,
    DayCountersRecord,
    ExternalRef,
    HandlerRecord,
    LevelVisit,
    NoticeRecord,
    TaskDeadlineRecord,
)
from api.store.case_models import (
    CaseEventItem,
    CaseHandlerItem,
    CaseItem,
    DailyStatsItem,
    NoticeItem,
    TaskClockItem,
)


def deadline_to_json(deadline: Timer) -> dict[str, Any]:
    def moment(value: datetime | None) -> str | None:
        return iso(value) if value is not None else None

    return {
        "level": deadline.level.value,
        "kind": deadline.kind.value,
        "started_at": moment(deadline.started_at),
        "due_at": moment(deadline.due_at),
        "warn_at": moment(deadline.warn_at),
        "warned": deadline.warned,
        "generation": deadline.generation,
        "cycle": deadline.cycle,
        "estimated": deadline.estimated,
        "paused_at": moment(deadline.paused_at),
        "consumed_hours": deadline.consumed_hours,
        "limit_hours": deadline.limit_hours,
        "unit": deadline.unit.value,
        "at_risk_fraction": deadline.at_risk_fraction,
        "resumed_at": moment(deadline.resumed_at),
        "consumed_estimated": deadline.consumed_estimated,
        "centre": deadline.centre,
    }


def deadline_from_json(data: dict[str, Any] | None) -> Timer | None:
    if not data:
        return None

    def moment(key: str) -> datetime | None:
        value = data.get(key)
        return datetime.fromisoformat(value) if value else None

    started = moment("started_at")
    assert started is not None
    return Timer(
        level=Level(data["level"]),
        kind=TimerKind(data["kind"]),
        started_at=started,
        due_at=moment("due_at"),
        warn_at=moment("warn_at"),
        warned=bool(data["warned"]),
        generation=int(data["generation"]),
        cycle=int(data["cycle"]),
        estimated=bool(data["estimated"]),
        paused_at=moment("paused_at"),
        consumed_hours=float(data["consumed_hours"]),
        limit_hours=float(data["limit_hours"]),
        unit=HourUnit(data["unit"]),
        at_risk_fraction=float(data["at_risk_fraction"]),
        resumed_at=moment("resumed_at"),
        consumed_estimated=bool(data.get("consumed_estimated", False)),
        centre=bool(data.get("centre", False)),
    )


def tasks_to_json(tasks: tuple[Task, ...]) -> list[dict[str, Any]]:
    return [
        {"department_id": t.department_id, "role": t.role.value, "status": t.status.value,
         "result": t.result}
        for t in tasks
    ]  # fmt: skip


def _tasks(data: list[dict[str, Any]] | None) -> tuple[Task, ...]:
    return tuple(
        Task(department_id=t["department_id"], role=TaskRole(t["role"]),
             status=TaskStatus(t["status"]), result=t.get("result"))
        for t in data or []
    )  # fmt: skip


def levels_to_json(levels: tuple[LevelVisit, ...]) -> list[dict[str, Any]]:
    return [
        {"level": v.level.value, "assignee_id": v.assignee_id, "entered_at": v.entered_at,
         "left_at": v.left_at, "due_at": v.due_at, "met": v.met}
        for v in levels
    ]  # fmt: skip


def _levels(data: list[dict[str, Any]] | None) -> tuple[LevelVisit, ...]:
    return tuple(
        LevelVisit(level=Level(v["level"]), assignee_id=v.get("assignee_id"),
                   entered_at=v["entered_at"], left_at=v.get("left_at"), due_at=v.get("due_at"),
                   met=v.get("met"))
        for v in data or []
    )  # fmt: skip


def event_to_json(event: CaseEventRecord) -> dict[str, Any]:
    return {
        "seq": event.seq, "action": event.action,
        "from_state": event.from_state.value if event.from_state else None,
        "to_state": event.to_state.value, "actor_id": event.actor_id,
        "actor_role": event.actor_role, "at": event.at, "note": event.note,
        "level": event.level.value if event.level else None, "assignee_id": event.assignee_id,
    }  # fmt: skip


def event_from_json(data: dict[str, Any]) -> CaseEventRecord:
    return CaseEventRecord(
        seq=int(data["seq"]), action=data["action"],
        from_state=CaseState(data["from_state"]) if data.get("from_state") else None,
        to_state=CaseState(data["to_state"]), actor_id=data.get("actor_id"),
        actor_role=data.get("actor_role"), at=data["at"], note=data.get("note"),
        level=Level(data["level"]) if data.get("level") else None,
        assignee_id=data.get("assignee_id"),
    )  # fmt: skip


def event_record(item: CaseEventItem) -> CaseEventRecord:
    return CaseEventRecord(
        seq=int(item.seq), action=item.action,
        from_state=CaseState(item.from_state) if item.from_state else None,
        to_state=CaseState(item.to_state), actor_id=item.actor_id, actor_role=item.actor_role,
        at=item.at, note=item.note, level=Level(item.level) if item.level else None,
        assignee_id=item.assignee_id,
    )  # fmt: skip


def case_record(item: CaseItem, timeline: tuple[CaseEventRecord, ...] | None = None) -> CaseRecord:
    """``timeline`` overrides the copy on the item (a case written before the copy existed)."""
    if timeline is None:
        timeline = tuple(event_from_json(e) for e in item.timeline or [])
    return CaseRecord(
        id=item.id,
        code=item.code,
        tracking_key=item.tracking_key,
        state=CaseState(item.state),
        channel=Channel(item.channel),
        category=item.category,
        mode=HandlingMode(item.mode) if item.mode else None,
        level=Level(item.level) if item.level else None,
        assignee_id=item.assignee_id,
        assignee_name=item.assignee_name,
        tasks=_tasks(item.tasks),
        extension_pending=bool(item.extension_pending),
        park_pending=bool(item.park_pending),
        rework_count=int(item.rework_count or 0),
        satisfaction=Satisfaction(item.satisfaction) if item.satisfaction else None,
        evaluation_comment=item.evaluation_comment,
        result=item.result,
        pain_point=bool(item.pain_point),
        duplicate_of=item.duplicate_of,
        rejection_reason=item.rejection_reason,
        description=item.description,
        location_unit_id=item.location_unit_id,
        grid_id=item.grid_id,
        grid_path=item.grid_path,
        address=item.address,
        latitude=float(item.latitude) if item.latitude is not None else None,
        longitude=float(item.longitude) if item.longitude is not None else None,
        attachments=tuple(Attachment(a["key"], a["content_type"]) for a in item.attachments or []),
        anonymous=bool(item.anonymous),
        reporter_id=item.reporter_id,
        reporter_name=item.reporter_name,
        reporter_phone=item.reporter_phone,
        handler_names=dict(item.handler_names or {}),
        levels=_levels(item.levels),
        event_count=int(item.event_count or 0),
        deadline=deadline_from_json(item.clock),
        deadline_generation=int(item.timer_gen or 0),
        policy_version=int(item.policy_version) if item.policy_version is not None else None,
        extension_hours=float(item.extension_hours) if item.extension_hours else None,
        breached=bool(item.breached),
        ever_breached=bool(item.ever_breached),
        reported_at=item.reported_at,
        updated_at=item.updated_at,
        topic_id=item.topic_id,
        timeline=timeline,
        version=int(item.version or 0),
        external_ref=ExternalRef(item.external_system, item.external_id or "")
        if item.external_system
        else None,
        overdue_since=item.overdue_since,
        verification_pending=bool(item.verification_pending),
        evaluation_required=bool(item.evaluation_required),
        closure=Closure(item.closure) if item.closure else None,
        verification_key=item.verification_key,
    )


def case_attributes(case: CaseRecord) -> dict[str, Any]:
    """Every attribute of the case item a record decides (keys and indexes aside)."""
    return {
        "id": case.id,
        "code": case.code,
        "tracking_key": case.tracking_key,
        "state": case.state.value,
        "channel": case.channel.value,
        "category": case.category,
        "mode": case.mode.value if case.mode else None,
        "level": case.level.value if case.level else None,
        "assignee_id": case.assignee_id,
        "assignee_name": case.assignee_name,
        "tasks": tasks_to_json(case.tasks),
        "extension_pending": case.extension_pending,
        "park_pending": case.park_pending,
        "rework_count": case.rework_count,
        "satisfaction": case.satisfaction.value if case.satisfaction else None,
        "evaluation_comment": case.evaluation_comment,
        "result": case.result,
        "pain_point": case.pain_point,
        "duplicate_of": case.duplicate_of,
        "rejection_reason": case.rejection_reason,
        "description": case.description,
        "location_unit_id": case.location_unit_id,
        "grid_id": case.grid_id,
        "grid_path": case.grid_path,
        "address": case.address,
        "latitude": case.latitude,
        "longitude": case.longitude,
        "attachments": [{"key": a.key, "content_type": a.content_type} for a in case.attachments],
        "anonymous": case.anonymous,
        "reporter_id": case.reporter_id,
        "reporter_name": case.reporter_name,
        "reporter_phone": case.reporter_phone,
        "handler_names": dict(case.handler_names),
        "levels": levels_to_json(case.levels),
        "event_count": case.event_count,
        "clock": deadline_to_json(case.deadline) if case.deadline is not None else None,
        "timer_gen": case.deadline_generation,
        "policy_version": case.policy_version,
        "extension_hours": case.extension_hours,
        "breached": case.breached,
        "ever_breached": case.ever_breached,
        "reported_at": case.reported_at,
        "updated_at": case.updated_at,
        "topic_id": case.topic_id,
        "timeline": [event_to_json(e) for e in case.timeline],
        "external_system": case.external_ref.system if case.external_ref else None,
        "external_id": case.external_ref.id if case.external_ref else None,
        "overdue_since": case.overdue_since,
        "verification_pending": case.verification_pending,
        "evaluation_required": case.evaluation_required,
        "closure": case.closure.value if case.closure else None,
        "verification_key": case.verification_key,
    }


def task_deadline_record(item: TaskClockItem) -> TaskDeadlineRecord:
    return TaskDeadlineRecord(
        case_id=item.case_id,
        department_id=item.department_id,
        deadline=deadline_from_json(item.clock),
        breached=bool(item.breached),
        ever_breached=bool(item.ever_breached),
        updated_at=item.updated_at,
        version=int(item.version or 0),
    )


def handler_record(item: CaseHandlerItem) -> HandlerRecord:
    return HandlerRecord(
        case_id=item.case_id, code=item.code, assignee_id=item.assignee_id,
        assignee_name=item.assignee_name, role=item.role,
        task_status=TaskStatus(item.task_status) if item.task_status else None,
        state=CaseState(item.state), category=item.category, summary=item.summary,
        level=item.level, reported_at=item.reported_at, due_at=item.due_at,
    )  # fmt: skip


def notice_record(item: NoticeItem) -> NoticeRecord:
    return NoticeRecord(
        recipient_id=item.recipient_id, case_id=item.case_id, code=item.code, kind=item.kind,
        level=Level(item.level), message=item.message, at=item.at,
    )  # fmt: skip


def day_counters_record(item: DailyStatsItem) -> DayCountersRecord:
    return DayCountersRecord(
        org_id=item.org_id, day=item.day, reported=int(item.reported or 0),
        accepted=int(item.accepted or 0), resolved=int(item.resolved or 0),
        closed=int(item.closed or 0), resolved_on_time=int(item.resolved_on_time or 0),
        resolved_in_grid=int(item.resolved_in_grid or 0), satisfied=int(item.satisfied or 0),
        reopened=int(item.reopened or 0), topics_raised=int(item.topics_raised or 0),
        topics_adopted=int(item.topics_adopted or 0),
        topics_declined=int(item.topics_declined or 0),
        topic_cases_resolved=int(item.topic_cases_resolved or 0),
        topic_cases_resolved_in_grid=int(item.topic_cases_resolved_in_grid or 0),
        resolved_at_street_or_below=int(item.resolved_at_street_or_below or 0),
        evaluated=int(item.evaluated or 0), assigned=int(item.assigned or 0),
        handling_natural_minutes=int(item.handling_natural_minutes or 0),
        handling_working_minutes=int(item.handling_working_minutes or 0),
        categories={
            code: int(getattr(item, category_counter(code), None) or 0)
            for code in DEFAULT_CATEGORIES
            if getattr(item, category_counter(code), None)
        },
        verified=int(item.verified or 0),
        verification_failed=int(item.verification_failed or 0),
        closed_not_evaluated=int(item.closed_not_evaluated or 0),
        partner_claims=int(item.partner_claims or 0),
        partner_deliveries=int(item.partner_deliveries or 0),
        points_granted=int(item.points_granted or 0),
    )  # fmt: skip
