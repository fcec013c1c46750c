"""GraphQL types of cases: the handling view, the timeline, inbox entries, public tracking."""

from __future__ import annotations

from typing import Any

import strawberry

from api.domain.case_catalogue import DEFAULT_CATEGORIES
from api.domain.cases import allowed_actions
from api.domain.people import mask_name, mask_phone
from api.services import case_access, task_clocks
from api.services.cases import department_paths
from api.store.case_models import (
    CaseEventItem,
    CaseHandlerItem,
    CaseItem,
    DailyStatsItem,
    NoticeItem,
)
from api.store.case_store import read_partition, to_domain
from schema.attachment_types import case_files_field
from schema.context import Info
from schema.enums import (
    CaseAction,
    CaseChannel,
    CaseLevel,
    CaseState,
    HandlingMode,
    Satisfaction,
    TaskRole,
    TaskStatus,
    TimerKind,
)
from schema.node import Node, global_id
from schema.types import OrgUnit, Person


@strawberry.type(description="A category of the case catalogue")
class CaseCategory:
    code: str
    name: str


def category_of(code: str | None) -> CaseCategory | None:
    if code is None:
        return None
    return CaseCategory(code=code, name=DEFAULT_CATEGORIES.get(code, code))


@strawberry.type(description="An attachment's object key and content type")
class CaseAttachment:
    key: str
    content_type: str


@strawberry.type(description="The reporter, shown only to themselves and the handling chain")
class CaseReporter:
    name: str
    phone: str | None
    person: Person | None


@strawberry.type(description="A department's task in a case at DISTRICT level")
class CaseTask:
    department_id: strawberry.ID
    department_name: str
    role: TaskRole
    status: TaskStatus
    result: str | None
    timer: CaseTimer | None = strawberry.field(
        description="A supporting department's own clock (the lead's is the case's timer)"
    )
    breached: bool = strawberry.field(description="The department's current clock was missed")
    ever_breached: bool


@strawberry.type(description="A level the case has been at, its deadline and whether it was met")
class CaseLevelRecord:
    level: CaseLevel
    assignee_name: str | None
    entered_at: str
    left_at: str | None
    due_at: str | None
    met: bool | None


@strawberry.type(description="One immutable entry of a case's timeline")
class CaseEvent:
    item: strawberry.Private[CaseEventItem]

    @strawberry.field
    def seq(self) -> int:
        return int(self.item.seq)

    @strawberry.field
    def action(self) -> CaseAction:
        return CaseAction(self.item.action)

    @strawberry.field
    def from_state(self) -> CaseState | None:
        return CaseState(self.item.from_state) if self.item.from_state else None

    @strawberry.field
    def to_state(self) -> CaseState:
        return CaseState(self.item.to_state)

    @strawberry.field
    def at(self) -> str:
        return self.item.at

    @strawberry.field
    def level(self) -> CaseLevel | None:
        return CaseLevel(self.item.level) if self.item.level else None

    @strawberry.field(description="The role the actor acted in (REPORTER, GRID_WORKER, STAFF…)")
    def actor_role(self) -> str | None:
        return self.item.actor_role

    @strawberry.field
    def note(self) -> str | None:
        return self.item.note

    @strawberry.field(description="Who acted (masked like any person outside the caller's scope)")
    async def actor(self, info: Info) -> Person | None:
        if self.item.actor_id is None or self.item.actor_role == "REPORTER":
            return None  # the reporter is shown through Case.reporter, with its own rules
        person = await info.context.loaders.people.load(self.item.actor_id)
        return Person.of(person, info) if person else None


@strawberry.type(description="The running clock of a case's current level (时限)")
class CaseTimer:
    kind: TimerKind
    level: CaseLevel
    started_at: str
    due_at: str | None = strawberry.field(description="Null while paused")
    warn_at: str | None
    warned: bool
    paused: bool
    limit_hours: float
    working_hours: bool = strawberry.field(description="Counted in working hours (else natural)")
    estimated: bool = strawberry.field(
        description="Computed over a year the holiday calendar does not know yet"
    )


def _timer(data: dict[str, Any] | None) -> CaseTimer | None:
    if not data:
        return None
    return CaseTimer(
        kind=TimerKind(data["kind"]),
        level=CaseLevel(data["level"]),
        started_at=data["started_at"],
        due_at=data.get("due_at"),
        warn_at=data.get("warn_at"),
        warned=bool(data.get("warned")),
        paused=data.get("paused_at") is not None,
        limit_hours=float(data["limit_hours"]),
        working_hours=data.get("unit") == "WORKING",
        estimated=bool(data.get("estimated")),
    )


@strawberry.type(description="A case (吹哨报到) as the reporter and the handling chain see it")
class Case(Node):
    item: strawberry.Private[CaseItem]
    events: strawberry.Private[list[CaseEventItem] | None] = None

    @classmethod
    def of(cls, item: CaseItem, events: list[CaseEventItem] | None = None) -> Case:
        return cls(id=global_id("Case", item.id), item=item, events=events)

    @strawberry.field(description="追踪码: tracking code, e.g. SB2026-000123")
    def code(self) -> str:
        return self.item.code

    @strawberry.field(description="党群议事: the adopted topic this case came from")
    def topic_id(self) -> strawberry.ID | None:
        return global_id("Topic", self.item.topic_id) if self.item.topic_id else None

    @strawberry.field
    def state(self) -> CaseState:
        return CaseState(self.item.state)

    @strawberry.field
    def channel(self) -> CaseChannel:
        return CaseChannel(self.item.channel)

    @strawberry.field
    def category(self) -> CaseCategory | None:
        return category_of(self.item.category)

    @strawberry.field
    def mode(self) -> HandlingMode | None:
        return HandlingMode(self.item.mode) if self.item.mode else None

    @strawberry.field
    def level(self) -> CaseLevel | None:
        return CaseLevel(self.item.level) if self.item.level else None

    @strawberry.field(description="The unit or leader handling the case now (below DISTRICT, TOP)")
    def assignee_name(self) -> str | None:
        return self.item.assignee_name

    @strawberry.field(description="Department tasks at DISTRICT level (lead first)")
    def tasks(self) -> list[CaseTask]:
        names = self.item.handler_names or {}
        ordered = sorted(self.item.tasks or [], key=lambda t: t["role"] != "LEAD")
        supporting = [t["department_id"] for t in ordered if t["role"] != "LEAD"]
        clocks = task_clocks.load(self.item.id, supporting)  # one BatchGet, none without support

        return [
            CaseTask(
                department_id=global_id("OrgUnit", t["department_id"]),
                department_name=names.get(t["department_id"], t["department_id"]),
                role=TaskRole(t["role"]),
                status=TaskStatus(t["status"]),
                result=t.get("result"),
                timer=_timer(clock.clock) if (clock := clocks.get(t["department_id"])) else None,
                breached=bool(clock and clock.breached),
                ever_breached=bool(clock and clock.ever_breached),
            )
            for t in ordered
        ]

    @strawberry.field
    def description(self) -> str:
        return self.item.description

    @strawberry.field(description="Where: the grid, building or household reported")
    async def location(self, info: Info) -> OrgUnit | None:
        unit = await info.context.loaders.org_units.load(self.item.location_unit_id)
        return OrgUnit.of(unit) if unit else None

    @strawberry.field
    async def grid(self, info: Info) -> OrgUnit | None:
        unit = await info.context.loaders.org_units.load(self.item.grid_id)
        return OrgUnit.of(unit) if unit else None

    @strawberry.field
    def address(self, info: Info) -> str | None:
        return self.item.address if _sees_reporter(info, self.item) else None

    @strawberry.field
    def latitude(self) -> float | None:
        return self.item.latitude

    @strawberry.field
    def longitude(self) -> float | None:
        return self.item.longitude

    @strawberry.field
    def attachments(self) -> list[CaseAttachment]:
        return [
            CaseAttachment(key=a["key"], content_type=a["content_type"])
            for a in self.item.attachments or []
        ]

    files = case_files_field

    @strawberry.field
    def anonymous(self) -> bool:
        return bool(self.item.anonymous)

    @strawberry.field(description="Null when the caller may not see who reported")
    async def reporter(self, info: Info) -> CaseReporter | None:
        if not _sees_reporter(info, self.item) or not self.item.reporter_id:
            return None
        person = await info.context.loaders.people.load(self.item.reporter_id)
        return CaseReporter(
            name=self.item.reporter_name or "",
            phone=mask_phone(self.item.reporter_phone) if self.item.reporter_phone else None,
            person=Person.of(person, info) if person else None,
        )

    @strawberry.field(
        description="Reporter's name masked (张**), for lists shown to a wider audience"
    )
    def reporter_masked_name(self) -> str | None:
        if self.item.anonymous or not self.item.reporter_name:
            return None
        return mask_name(self.item.reporter_name)

    @strawberry.field(
        description="返工: times the case was reopened after an unsatisfied evaluation"
    )
    def rework_count(self) -> int:
        return int(self.item.rework_count or 0)

    @strawberry.field
    def satisfaction(self) -> Satisfaction | None:
        return Satisfaction(self.item.satisfaction) if self.item.satisfaction else None

    @strawberry.field
    def evaluation_comment(self) -> str | None:
        return self.item.evaluation_comment

    @strawberry.field
    def result(self) -> str | None:
        return self.item.result

    @strawberry.field(description="In the pain-point library (痛点难点堵点问题库)")
    def pain_point(self) -> bool:
        return bool(self.item.pain_point)

    @strawberry.field
    def extension_pending(self) -> bool:
        return bool(self.item.extension_pending)

    @strawberry.field
    def park_pending(self) -> bool:
        return bool(self.item.park_pending)

    @strawberry.field
    def rejection_reason(self) -> str | None:
        return self.item.rejection_reason

    @strawberry.field(description="The case this one duplicates (rejected as duplicate)")
    def duplicate_of_id(self) -> strawberry.ID | None:
        return global_id("Case", self.item.duplicate_of) if self.item.duplicate_of else None

    @strawberry.field(
        description="The full timeline, oldest first (read with the case: no extra request)"
    )
    def timeline(self) -> list[CaseEvent]:
        events = self.events
        if events is None:
            partition = read_partition(self.item.id)
            events = partition.events if partition else []
        return [CaseEvent(item=event) for event in events]

    @strawberry.field(
        description="Levels the case has been at, with deadlines and whether they were met"
    )
    def levels(self) -> list[CaseLevelRecord]:
        names = self.item.handler_names or {}
        return [
            CaseLevelRecord(
                level=CaseLevel(record["level"]),
                assignee_name=names.get(record.get("assignee_id") or "", None),
                entered_at=record["entered_at"],
                left_at=record.get("left_at"),
                due_at=record.get("due_at"),
                met=record.get("met"),
            )
            for record in self.item.levels or []
        ]

    @strawberry.field(description="Actions the state machine allows now (permissions aside)")
    def allowed_actions(self) -> list[CaseAction]:
        actions = allowed_actions(to_domain(self.item))
        return [CaseAction(action) for action in sorted(a.value for a in actions)]

    @strawberry.field(description="The clock of the current level; null when none runs")
    def timer(self) -> CaseTimer | None:
        return _timer(self.item.clock)

    @strawberry.field(description="The current level's limit was missed")
    def breached(self) -> bool:
        return bool(self.item.breached)

    @strawberry.field(description="A limit was missed at some level of this case")
    def ever_breached(self) -> bool:
        return bool(self.item.ever_breached)

    @strawberry.field(description="Version of the time-limit policy the clock runs under")
    def policy_version(self) -> int | None:
        return int(self.item.policy_version) if self.item.policy_version is not None else None

    @strawberry.field
    def reported_at(self) -> str:
        return self.item.reported_at

    @strawberry.field
    def updated_at(self) -> str:
        return self.item.updated_at


def _sees_reporter(info: Info, item: CaseItem) -> bool:
    return case_access.sees_reporter(info.context.actor, item, department_paths(item))


@strawberry.type(description="A case in an inbox: enough to list it without reading the case")
class InboxEntry:
    item: strawberry.Private[CaseHandlerItem]

    @strawberry.field
    def case_id(self) -> strawberry.ID:
        return global_id("Case", self.item.case_id)

    @strawberry.field
    def code(self) -> str:
        return self.item.code

    @strawberry.field
    def state(self) -> CaseState:
        return CaseState(self.item.state)

    @strawberry.field
    def category(self) -> CaseCategory | None:
        return category_of(self.item.category)

    @strawberry.field
    def summary(self) -> str:
        return self.item.summary

    @strawberry.field(description="GRID…TOP, or INTAKE before dispatch")
    def level(self) -> str:
        return self.item.level

    @strawberry.field(description="INTAKE, UNIT, LEAD, SUPPORT or LEADER")
    def role(self) -> str:
        return self.item.role

    @strawberry.field
    def task_status(self) -> TaskStatus | None:
        return TaskStatus(self.item.task_status) if self.item.task_status else None

    @strawberry.field
    def assignee_name(self) -> str:
        return self.item.assignee_name

    @strawberry.field
    def due_at(self) -> str | None:
        return self.item.due_at

    @strawberry.field
    def reported_at(self) -> str:
        return self.item.reported_at


@strawberry.type(description="One step of a case as the public sees it: no people, no notes")
class PublicCaseEvent:
    action: CaseAction
    from_state: CaseState | None
    to_state: CaseState
    level: CaseLevel | None
    at: str


@strawberry.type(
    description="追踪: a case's status and timeline by tracking code, without personal data"
)
class PublicCaseTracking:
    code: str
    state: CaseState
    category: CaseCategory | None
    level: CaseLevel | None
    reported_at: str
    updated_at: str
    timeline: list[PublicCaseEvent]


def public_tracking(item: CaseItem, events: list[CaseEventItem]) -> PublicCaseTracking:
    return PublicCaseTracking(
        code=item.code,
        state=CaseState(item.state),
        category=category_of(item.category),
        level=CaseLevel(item.level) if item.level else None,
        reported_at=item.reported_at,
        updated_at=item.updated_at,
        timeline=[
            PublicCaseEvent(
                action=CaseAction(e.action),
                from_state=CaseState(e.from_state) if e.from_state else None,
                to_state=CaseState(e.to_state),
                level=CaseLevel(e.level) if e.level else None,
                at=e.at,
            )
            for e in events
        ],
    )


@strawberry.type(description="Case counters of a unit's subtree for one day")
class CaseDayStats:
    day: str
    reported: int
    accepted: int
    resolved: int
    closed: int
    resolved_on_time: int
    resolved_in_grid: int
    satisfied: int
    reopened: int

    @classmethod
    def of(cls, item: DailyStatsItem) -> CaseDayStats:
        return cls(
            day=item.day,
            reported=int(item.reported or 0),
            accepted=int(item.accepted or 0),
            resolved=int(item.resolved or 0),
            closed=int(item.closed or 0),
            resolved_on_time=int(item.resolved_on_time or 0),
            resolved_in_grid=int(item.resolved_in_grid or 0),
            satisfied=int(item.satisfied or 0),
            reopened=int(item.reopened or 0),
        )


@strawberry.type(
    description="A notice for a unit: 临期预警, 督办, escalation, hand-over to the centre"
)
class CaseNotice:
    item: strawberry.Private[NoticeItem]

    @strawberry.field
    def case_id(self) -> strawberry.ID:
        return global_id("Case", self.item.case_id)

    @strawberry.field
    def code(self) -> str:
        return self.item.code

    @strawberry.field(
        description=(
            "AT_RISK_WARNING, SUPERVISION, ESCALATED, UNCLAIMED_TO_CENTRE, PAIN_POINT, NO_LEADER"
        )
    )
    def kind(self) -> str:
        return self.item.kind

    @strawberry.field
    def level(self) -> CaseLevel:
        return CaseLevel(self.item.level)

    @strawberry.field
    def message(self) -> str:
        return self.item.message

    @strawberry.field
    def at(self) -> str:
        return self.item.at
