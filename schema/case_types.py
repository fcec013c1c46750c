"""GraphQL types of cases: the handling view, the timeline, inbox entries, public tracking.

Built from records (``api.records.case``); the timeline is carried by the case record, and the
departments' deadlines and people come through per-request DataLoaders."""

from __future__ import annotations

import strawberry

from api.domain.case_catalogue import DEFAULT_CATEGORIES
from api.domain.cases import TaskRole as TaskRoleModel
from api.domain.cases import allowed_actions
from api.domain.clock import iso
from api.domain.deadlines.timers import Timer
from api.domain.people import mask_name, phone_shown
from api.domain.tracking import tracking_number
from api.language import shown
from api.records.case import (
    CaseEventRecord,
    CaseRecord,
    DayCountersRecord,
    HandlerRecord,
    NoticeRecord,
)
from api.services import case_access
from api.services.api_clients import client_id_of
from api.services.cases import current_handlers as handlers_of
from api.services.cases import department_paths
from schema.attachment_types import case_files_field
from schema.context import Info
from schema.enums import (
    CaseAction,
    CaseChannel,
    CaseClosure,
    CaseLevel,
    CaseState,
    HandlingMode,
    Satisfaction,
    TaskRole,
    TaskStatus,
    TimerKind,
)
from schema.external_ref_types import ExternalRefType
from schema.node import Node, global_id, node_loader
from schema.types import OrgUnit, Person


@strawberry.type(description="A category of the case catalogue")
class CaseCategory:
    code: str = strawberry.field(description="Catalogue code, e.g. ENVIRONMENT")
    name: str = strawberry.field(description="Display name (Chinese)")


def category_of(code: str | None) -> CaseCategory | None:
    if code is None:
        return None
    return CaseCategory(code=code, name=DEFAULT_CATEGORIES.get(code, code))


@strawberry.type(description="An attachment's object key and content type")
class CaseAttachment:
    key: str = strawberry.field(description="Object key in the attachments bucket")
    content_type: str = strawberry.field(description="MIME type, e.g. image/jpeg")


@strawberry.type(description="The reporter, shown only to themselves and the handling chain")
class CaseReporter:
    name: str = strawberry.field(description="The reporter's name as given at report time")
    phone: str | None = strawberry.field(
        description="The reporter's phone: in full to the reporter, masked to the handling chain"
    )
    person: Person | None = strawberry.field(description="The reporter's person record")


@strawberry.type(description="The running deadline of a case's current level (时限)")
class CaseTimer:
    kind: TimerKind = strawberry.field(description="What must happen by the deadline")
    level: CaseLevel = strawberry.field(description="The level the deadline runs at")
    started_at: str = strawberry.field(description="When the deadline started (ISO 8601)")
    due_at: str | None = strawberry.field(description="Null while paused")
    warn_at: str | None = strawberry.field(description="When the 临期预警 warning is due")
    warned: bool = strawberry.field(description="The at-risk warning was sent")
    paused: bool = strawberry.field(description="The deadline is paused")
    limit_hours: float = strawberry.field(description="The limit, in hours")
    working_hours: bool = strawberry.field(description="Counted in working hours (else natural)")
    estimated: bool = strawberry.field(
        description="Computed over a year the holiday calendar does not know yet"
    )

    @classmethod
    def of(cls, deadline: Timer | None) -> CaseTimer | None:
        if deadline is None:
            return None
        return cls(
            kind=TimerKind(deadline.kind.value),
            level=CaseLevel(deadline.level.value),
            started_at=iso(deadline.started_at),
            due_at=iso(deadline.due_at) if deadline.due_at else None,
            warn_at=iso(deadline.warn_at) if deadline.warn_at else None,
            warned=deadline.warned,
            paused=deadline.paused_at is not None,
            limit_hours=deadline.limit_hours,
            working_hours=deadline.unit.value == "WORKING",
            estimated=deadline.estimated,
        )


@strawberry.type(description="A department's task in a case at DISTRICT level")
class CaseTask:
    department_id: strawberry.ID = strawberry.field(description="The department (OrgUnit id)")
    department_name: str = strawberry.field(description="The department's name")
    role: TaskRole = strawberry.field(description="Lead (主办) or supporting (协办)")
    status: TaskStatus = strawberry.field(description="Where the department's task stands")
    result: str | None = strawberry.field(description="The department's result, once resolved")
    timer: CaseTimer | None = strawberry.field(
        description="A supporting department's own deadline (the lead's is the case's timer)"
    )
    breached: bool = strawberry.field(description="The department's current deadline was missed")
    ever_breached: bool = strawberry.field(description="A deadline of the department was missed")


@strawberry.type(description="A level the case has been at, its deadline and whether it was met")
class CaseLevelRecord:
    level: CaseLevel = strawberry.field(description="The level")
    assignee_name: str | None = strawberry.field(description="Who handled it at that level")
    entered_at: str = strawberry.field(description="When the case reached the level")
    left_at: str | None = strawberry.field(description="When it left; null while there")
    due_at: str | None = strawberry.field(description="The level's deadline, once it left")
    met: bool | None = strawberry.field(description="Whether the deadline was met, once it left")


@strawberry.type(description="One immutable entry of a case's timeline")
class CaseEvent:
    seq: int = strawberry.field(description="Position in the timeline, from 1")
    action: CaseAction = strawberry.field(description="What happened")
    from_state: CaseState | None = strawberry.field(description="State before; null at report")
    to_state: CaseState = strawberry.field(description="State after")
    at: str = strawberry.field(description="When (ISO 8601)")
    level: CaseLevel | None = strawberry.field(description="The case's level after the event")
    actor_role: str | None = strawberry.field(
        description="The role the actor acted in (REPORTER, GRID_WORKER, STAFF…)"
    )
    note: str | None = strawberry.field(description="Reason, result or comment given")
    client_id: str | None = strawberry.field(
        default=None,
        description="The API client (接入系统, e.g. 12345 热线) that acted; null when a person or "
        "a timer did",
    )
    actor_id: strawberry.Private[str | None]

    @classmethod
    def of(cls, event: CaseEventRecord) -> CaseEvent:
        return cls(
            seq=event.seq,
            action=CaseAction(event.action),
            from_state=CaseState(event.from_state.value) if event.from_state else None,
            to_state=CaseState(event.to_state.value),
            at=event.at,
            level=CaseLevel(event.level.value) if event.level else None,
            actor_role=event.actor_role,
            note=shown(event.note),
            actor_id=event.actor_id,
            client_id=client_id_of(event.actor_id),
        )

    @strawberry.field(description="Who acted (masked like any person outside the caller's scope)")
    async def actor(self, info: Info) -> Person | None:
        if self.actor_id is None or self.actor_role == "REPORTER":
            return None  # the reporter is shown through Case.reporter, with its own rules
        person = await info.context.loaders.people.load(self.actor_id)
        return Person.of(person, info) if person else None


@strawberry.type(
    description="当前承办: who holds a case now — the same entries as the inboxes it sits in"
)
class CaseHolder:
    holder_id: strawberry.ID = strawberry.field(
        description="Global id of the unit or department (OrgUnit), or of the leader (Person) "
        "at TOP"
    )
    name: str = strawberry.field(description="Its name")
    role: str = strawberry.field(
        description="INTAKE (the community's dispatcher), UNIT, LEAD or SUPPORT (a department), "
        "LEADER (包案领导)"
    )
    task_status: TaskStatus | None = strawberry.field(
        description="A department's task status; null for a unit or leader"
    )


def current_holders(case: CaseRecord) -> list[CaseHolder]:
    return [
        CaseHolder(
            holder_id=global_id(
                "Person" if holder.role == "LEADER" else "OrgUnit", holder.assignee_id
            ),
            name=holder.assignee_name,
            role=holder.role,
            task_status=holder.task_status,
        )
        for holder in handlers_of(case)
    ]


def _due(deadline: Timer | None) -> str | None:
    return iso(deadline.due_at) if deadline and deadline.due_at else None


@strawberry.type(description="A case (吹哨报到) as the reporter and the handling chain see it")
class Case(Node):
    code: str = strawberry.field(description="追踪码: tracking code, e.g. SB2026-000123")
    tracking_number: str | None = strawberry.field(
        description="查询码: the public tracking number (code + random key) for trackCase, printed"
        " on the reporter's receipt; null for a case reported before tracking numbers existed"
    )
    topic_id: strawberry.ID | None = strawberry.field(
        description="党群议事: the adopted topic this case came from"
    )
    external_ref: ExternalRefType | None = strawberry.field(
        description="The ticket of the system that created it (e.g. 12345), if one did"
    )
    state: CaseState = strawberry.field(description="Where the case stands in the closed loop")
    channel: CaseChannel = strawberry.field(description="How the case was reported")
    category: CaseCategory | None = strawberry.field(description="The catalogue category")
    mode: HandlingMode | None = strawberry.field(description="How it is handled, once accepted")
    level: CaseLevel | None = strawberry.field(description="The level handling it; null at intake")
    assignee_name: str | None = strawberry.field(
        description="The unit or leader handling the case now (below DISTRICT, TOP); "
        "currentHolders names the holders at every level"
    )
    current_holders: list[CaseHolder] = strawberry.field(
        description="当前承办: who holds the case now (unit, departments, leader); empty once "
        "closed, rejected or archived"
    )
    due_at: str | None = strawberry.field(
        description="The live deadline of the current level (the inbox's dueAt); null at intake, "
        "while paused or when no clock runs (the evaluation window is evaluationDueAt)"
    )
    verification_pending: bool = strawberry.field(
        description="核查: the policy asks a dispatcher to verify the result before it is "
        "evaluated or the case closed, and that has not happened yet"
    )
    evaluation_required: bool = strawberry.field(
        description="Staff may close only after the reporter's evaluation or the end of the "
        "evaluation window (the policy in force when the case was resolved)"
    )
    evaluation_due_at: str | None = strawberry.field(
        description="评价期: when the evaluation window ends and the case closes as not "
        "evaluated; null when no window runs"
    )
    closure: CaseClosure | None = strawberry.field(
        description="结案方式: how the case was closed; null until closed"
    )
    description: str = strawberry.field(description="The problem as reported")
    latitude: float | None = strawberry.field(description="Where: latitude (WGS-84)")
    longitude: float | None = strawberry.field(description="Where: longitude (WGS-84)")
    attachments: list[CaseAttachment] = strawberry.field(description="Photos and files")
    anonymous: bool = strawberry.field(description="Reported anonymously")
    reporter_masked_name: str | None = strawberry.field(
        description="Reporter's name masked (张**), for lists shown to a wider audience"
    )
    rework_count: int = strawberry.field(
        description="返工: times the case went back to handling (an unsatisfied evaluation "
        "reopened, or a failed 核查)"
    )
    satisfaction: Satisfaction | None = strawberry.field(description="回访评价: the evaluation")
    evaluation_comment: str | None = strawberry.field(description="The reporter's comment")
    result: str | None = strawberry.field(description="办结: the result")
    pain_point: bool = strawberry.field(
        description="In the pain-point library (痛点难点堵点问题库)"
    )
    extension_pending: bool = strawberry.field(description="延期 requested, not yet decided")
    park_pending: bool = strawberry.field(description="挂账 requested, not yet decided")
    rejection_reason: str | None = strawberry.field(description="不予受理: the reason")
    duplicate_of_id: strawberry.ID | None = strawberry.field(
        description="The case this one duplicates (rejected as duplicate)"
    )
    timeline: list[CaseEvent] = strawberry.field(
        description="The full timeline, oldest first (read with the case: no extra request)"
    )
    levels: list[CaseLevelRecord] = strawberry.field(
        description="Levels the case has been at, with deadlines and whether they were met"
    )
    allowed_actions: list[CaseAction] = strawberry.field(
        description="Actions the state machine allows now (permissions aside)"
    )
    timer: CaseTimer | None = strawberry.field(
        description="The deadline of the current level; null when none runs"
    )
    breached: bool = strawberry.field(description="The current level's limit was missed")
    ever_breached: bool = strawberry.field(description="A limit was missed at some level")
    policy_version: int | None = strawberry.field(
        description="Version of the time-limit policy the deadline runs under"
    )
    reported_at: str = strawberry.field(description="When it was reported (ISO 8601)")
    updated_at: str = strawberry.field(description="When it last changed (ISO 8601)")
    record: strawberry.Private[CaseRecord]

    @classmethod
    def of(cls, case: CaseRecord) -> Case:
        return cls(
            id=global_id("Case", case.id),
            code=case.code,
            tracking_number=tracking_number(case.code, case.tracking_key),
            topic_id=global_id("Topic", case.topic_id) if case.topic_id else None,
            external_ref=ExternalRefType.of(case.external_ref),
            state=CaseState(case.state.value),
            channel=CaseChannel(case.channel.value),
            category=category_of(case.category),
            mode=HandlingMode(case.mode.value) if case.mode else None,
            level=CaseLevel(case.level.value) if case.level else None,
            assignee_name=case.assignee_name,
            description=case.description,
            latitude=case.latitude,
            longitude=case.longitude,
            attachments=[CaseAttachment(key=a.key, content_type=a.content_type)
                         for a in case.attachments],
            anonymous=case.anonymous,
            reporter_masked_name=mask_name(case.reporter_name)
            if case.reporter_name and not case.anonymous else None,
            rework_count=case.rework_count,
            satisfaction=Satisfaction(case.satisfaction.value) if case.satisfaction else None,
            evaluation_comment=case.evaluation_comment,
            result=case.result,
            pain_point=case.pain_point,
            extension_pending=case.extension_pending,
            park_pending=case.park_pending,
            rejection_reason=case.rejection_reason,
            duplicate_of_id=global_id("Case", case.duplicate_of) if case.duplicate_of else None,
            timeline=[CaseEvent.of(event) for event in case.timeline],
            levels=[
                CaseLevelRecord(
                    level=CaseLevel(visit.level.value),
                    assignee_name=case.handler_names.get(visit.assignee_id or ""),
                    entered_at=visit.entered_at, left_at=visit.left_at, due_at=visit.due_at,
                    met=visit.met,
                )
                for visit in case.levels
            ],
            allowed_actions=[
                CaseAction(action) for action in sorted(a.value for a in
                                                        allowed_actions(case.domain()))
            ],
            timer=CaseTimer.of(case.deadline),
            current_holders=current_holders(case),
            due_at=_due(case.handling_deadline),
            verification_pending=case.verification_pending,
            evaluation_required=case.evaluation_required,
            evaluation_due_at=_due(case.evaluation_window),
            closure=CaseClosure(case.closure.value) if case.closure else None,
            breached=case.breached,
            ever_breached=case.ever_breached,
            policy_version=case.policy_version,
            reported_at=case.reported_at,
            updated_at=case.updated_at,
            record=case,
        )  # fmt: skip

    @strawberry.field(description="Department tasks at DISTRICT level (lead first)")
    async def tasks(self, info: Info) -> list[CaseTask]:
        case = self.record
        ordered = sorted(case.tasks, key=lambda t: t.role is not TaskRoleModel.LEAD)
        supporting = [
            (case.id, t.department_id) for t in ordered if t.role is TaskRoleModel.SUPPORT
        ]
        loaded = await info.context.case_loaders.task_deadlines.load_many(supporting)
        deadlines = {key[1]: found for key, found in zip(supporting, loaded, strict=True) if found}
        return [
            CaseTask(
                department_id=global_id("OrgUnit", t.department_id),
                department_name=case.name_of(t.department_id),
                role=TaskRole(t.role.value),
                status=TaskStatus(t.status.value),
                result=t.result,
                timer=CaseTimer.of(own.deadline)
                if (own := deadlines.get(t.department_id))
                else None,
                breached=bool(own and own.breached),
                ever_breached=bool(own and own.ever_breached),
            )
            for t in ordered
        ]

    @strawberry.field(description="Where: the grid, building or household reported")
    async def location(self, info: Info) -> OrgUnit | None:
        unit = await info.context.loaders.org_units.load(self.record.location_unit_id)
        return OrgUnit.of(unit) if unit else None

    @strawberry.field(description="The grid the case belongs to")
    async def grid(self, info: Info) -> OrgUnit | None:
        unit = await info.context.loaders.org_units.load(self.record.grid_id)
        return OrgUnit.of(unit) if unit else None

    @strawberry.field(description="The address given; only for those who may see the reporter")
    def address(self, info: Info) -> str | None:
        return self.record.address if _sees_reporter(info, self.record) else None

    files = case_files_field

    @strawberry.field(description="Null when the caller may not see who reported")
    async def reporter(self, info: Info) -> CaseReporter | None:
        case = self.record
        if not _sees_reporter(info, case) or not case.reporter_id:
            return None
        person = await info.context.loaders.people.load(case.reporter_id)
        return CaseReporter(
            name=case.reporter_name or "",
            phone=phone_shown(case.reporter_phone, case.reporter_id, info.context.actor.person_id)
            if case.reporter_phone
            else None,
            person=Person.of(person, info) if person else None,
        )


def _sees_reporter(info: Info, case: CaseRecord) -> bool:
    return case_access.sees_reporter(info.context.actor, case, department_paths(case))


@node_loader("Case")
async def load_case(info: Info, raw_id: str) -> Case | None:
    from api.services.case_queries import case_with_timeline

    case = case_with_timeline(info.context.db, info.context.actor, raw_id)
    return Case.of(case) if case else None


@strawberry.type(description="A case in an inbox: enough to list it without reading the case")
class InboxEntry:
    case_id: strawberry.ID = strawberry.field(description="The case")
    code: str = strawberry.field(description="追踪码: tracking code")
    state: CaseState = strawberry.field(description="The case's state")
    category: CaseCategory | None = strawberry.field(description="The catalogue category")
    summary: str = strawberry.field(description="The start of the description")
    level: str = strawberry.field(description="GRID…TOP, or INTAKE before dispatch")
    role: str = strawberry.field(description="INTAKE, UNIT, LEAD, SUPPORT or LEADER")
    task_status: TaskStatus | None = strawberry.field(description="A department's task status")
    assignee_name: str = strawberry.field(description="The inbox's owner")
    due_at: str | None = strawberry.field(description="The current deadline; null when none")
    reported_at: str = strawberry.field(description="When it was reported")

    @classmethod
    def of(cls, entry: HandlerRecord) -> InboxEntry:
        return cls(
            case_id=global_id("Case", entry.case_id),
            code=entry.code,
            state=CaseState(entry.state.value),
            category=category_of(entry.category),
            summary=entry.summary,
            level=entry.level,
            role=entry.role,
            task_status=TaskStatus(entry.task_status.value) if entry.task_status else None,
            assignee_name=entry.assignee_name,
            due_at=entry.due_at,
            reported_at=entry.reported_at,
        )


@strawberry.type(description="One step of a case as the public sees it: no people, no notes")
class PublicCaseEvent:
    action: CaseAction = strawberry.field(description="What happened")
    from_state: CaseState | None = strawberry.field(description="State before")
    to_state: CaseState = strawberry.field(description="State after")
    level: CaseLevel | None = strawberry.field(description="The level after")
    at: str = strawberry.field(description="When")


@strawberry.type(
    description="追踪: a case's status and timeline by tracking code, without personal data"
)
class PublicCaseTracking:
    code: str = strawberry.field(description="追踪码: tracking code")
    state: CaseState = strawberry.field(description="The case's state")
    category: CaseCategory | None = strawberry.field(description="The catalogue category")
    level: CaseLevel | None = strawberry.field(description="The level handling it")
    reported_at: str = strawberry.field(description="When it was reported")
    updated_at: str = strawberry.field(description="When it last changed")
    timeline: list[PublicCaseEvent] = strawberry.field(description="The steps, oldest first")

    @classmethod
    def of(cls, case: CaseRecord) -> PublicCaseTracking:
        return cls(
            code=case.code,
            state=CaseState(case.state.value),
            category=category_of(case.category),
            level=CaseLevel(case.level.value) if case.level else None,
            reported_at=case.reported_at,
            updated_at=case.updated_at,
            timeline=[
                PublicCaseEvent(
                    action=CaseAction(e.action),
                    from_state=CaseState(e.from_state.value) if e.from_state else None,
                    to_state=CaseState(e.to_state.value),
                    level=CaseLevel(e.level.value) if e.level else None,
                    at=e.at,
                )
                for e in case.timeline
            ],
        )


@strawberry.type(description="Case counters of a unit's subtree for one day")
class CaseDayStats:
    day: str = strawberry.field(description="The day (Asia/Shanghai), YYYY-MM-DD")
    reported: int = strawberry.field(description="Cases reported")
    accepted: int = strawberry.field(description="Cases accepted (立案)")
    resolved: int = strawberry.field(description="Cases resolved (办结)")
    closed: int = strawberry.field(description="Cases closed (结案)")
    resolved_on_time: int = strawberry.field(description="Resolved within the deadline")
    resolved_in_grid: int = strawberry.field(description="Resolved at GRID level (小事不出网格)")
    satisfied: int = strawberry.field(description="Evaluated satisfied or basically satisfied")
    reopened: int = strawberry.field(description="Reopened (返工)")

    @classmethod
    def of(cls, day: DayCountersRecord) -> CaseDayStats:
        return cls(
            day=day.day, reported=day.reported, accepted=day.accepted, resolved=day.resolved,
            closed=day.closed, resolved_on_time=day.resolved_on_time,
            resolved_in_grid=day.resolved_in_grid, satisfied=day.satisfied,
            reopened=day.reopened,
        )  # fmt: skip


@strawberry.type(
    description="A notice for a unit: 临期预警, 督办, escalation, hand-over to the centre"
)
class CaseNotice:
    case_id: strawberry.ID = strawberry.field(description="The case")
    code: str = strawberry.field(description="追踪码: tracking code")
    kind: str = strawberry.field(
        description=(
            "AT_RISK_WARNING, SUPERVISION, ESCALATED, UNCLAIMED_TO_CENTRE, PAIN_POINT, NO_LEADER"
        )
    )
    level: CaseLevel = strawberry.field(description="The level the notice is about")
    message: str = strawberry.field(description="The notice (Chinese)")
    at: str = strawberry.field(description="When")

    @classmethod
    def of(cls, notice: NoticeRecord) -> CaseNotice:
        return cls(
            case_id=global_id("Case", notice.case_id), code=notice.code, kind=notice.kind,
            level=CaseLevel(notice.level.value), message=shown(notice.message) or "", at=notice.at,
        )  # fmt: skip
