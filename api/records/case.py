"""Records of cases (吹哨报到): the case with its timeline, departments' deadlines, inbox entries,
notices and day counters. Deadlines are decoded (``deadlines.timers.Timer``): nothing above
the store parses the store's JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from api.domain.case_catalogue import Attachment
from api.domain.cases import (
    Case,
    CaseState,
    Channel,
    Closure,
    HandlingMode,
    Level,
    Satisfaction,
    Task,
    TaskStatus,
)
from api.domain.deadlines.timers import Timer, TimerKind

INTAKE = "INTAKE"  # the inbox level of a case not yet dispatched


@dataclass(frozen=True, slots=True)
class ExternalRef:
    """A case's ticket in another system (issue 13), e.g. ("12345", "GD20261123001")."""

    system: str
    id: str


@dataclass(frozen=True, slots=True)
class CallerContact:
    """Who called a hotline: becomes the reporter's contact of the case it creates."""

    name: str
    phone: str


@dataclass(frozen=True, slots=True)
class CaseEventRecord:
    """One immutable entry of a case's timeline."""

    seq: int
    action: str  # an ``Action`` or a timer step (AT_RISK_WARNING, SUPERVISION)
    from_state: CaseState | None
    to_state: CaseState
    actor_id: str | None
    actor_role: str | None
    at: str
    note: str | None
    level: Level | None
    assignee_id: str | None


@dataclass(frozen=True, slots=True)
class LevelVisit:
    """A level the case has been at, and its deadline once it left (``met`` None until then)."""

    level: Level
    assignee_id: str | None
    entered_at: str
    left_at: str | None
    due_at: str | None
    met: bool | None


@dataclass(frozen=True, slots=True)
class CaseRecord:
    id: str
    code: str  # 追踪码, sequential: for staff and phone calls
    tracking_key: str | None  # the random part of the public tracking number (domain.tracking)
    state: CaseState
    channel: Channel
    category: str | None
    mode: HandlingMode | None
    level: Level | None
    assignee_id: str | None
    assignee_name: str | None
    tasks: tuple[Task, ...]
    extension_pending: bool
    park_pending: bool
    rework_count: int
    satisfaction: Satisfaction | None
    evaluation_comment: str | None
    result: str | None
    pain_point: bool
    duplicate_of: str | None
    rejection_reason: str | None
    description: str
    location_unit_id: str
    grid_id: str
    grid_path: str
    address: str | None
    latitude: float | None
    longitude: float | None
    attachments: tuple[Attachment, ...]
    anonymous: bool
    reporter_id: str | None
    reporter_name: str | None
    reporter_phone: str | None
    handler_names: Mapping[str, str]  # every unit, department or leader that handled it: id → name
    levels: tuple[LevelVisit, ...]
    event_count: int
    deadline: Timer | None  # the running deadline (时限) of the current level, if any
    deadline_generation: int  # generation of the latest deadline: an older firing is dropped
    policy_version: int | None
    extension_hours: float | None
    breached: bool  # the current level's limit was missed
    ever_breached: bool
    reported_at: str
    updated_at: str
    topic_id: str | None  # 党群议事: the adopted topic this case came from
    # The timeline, oldest first: a copy kept on the case item, so a page of cases reads it
    # with no request of its own (api/store/README.md, cases).
    timeline: tuple[CaseEventRecord, ...]
    version: int
    # A case a system created (issue 13): its ticket in that system, unique per system.
    external_ref: ExternalRef | None = None
    # When the current level's missed limit was due (meaningful while ``breached``): the
    # order of the overdue watch list (issue 14, api.domain.gauges).
    overdue_since: str | None = None
    # Closing (README "Closing"): set when the case becomes RESOLVED, from the policy then
    # in force; how it was closed; the key and input of the last 核查 (a retry replays it).
    verification_pending: bool = False
    evaluation_required: bool = False
    closure: Closure | None = None
    verification_key: str | None = None

    @property
    def district_id(self) -> str:
        return self.grid_path.strip("/").split("/")[0]

    @property
    def district_path(self) -> str:
        return "/" + self.district_id

    def name_of(self, unit_id: str) -> str:
        return self.handler_names.get(unit_id, unit_id)

    @property
    def handling_deadline(self) -> Timer | None:
        """The holder's running deadline: not the evaluation window of a resolved case (that
        one waits on the resident, not on the holder)."""
        deadline = self.deadline
        return None if deadline is None or deadline.kind is TimerKind.EVALUATION else deadline

    @property
    def evaluation_window(self) -> Timer | None:
        """The running evaluation window (评价期), if any."""
        deadline = self.deadline
        return deadline if deadline is not None and deadline.kind is TimerKind.EVALUATION else None

    def domain(self) -> Case:
        """The state machine's view of the case."""
        return Case(
            state=self.state,
            level=self.level,
            assignee_id=self.assignee_id,
            mode=self.mode,
            category=self.category,
            tasks=self.tasks,
            extension_pending=self.extension_pending,
            park_pending=self.park_pending,
            rework_count=self.rework_count,
            satisfaction=self.satisfaction,
            result=self.result,
            pain_point=self.pain_point,
            verification_pending=self.verification_pending,
            evaluation_required=self.evaluation_required,
            closure=self.closure,
        )


@dataclass(frozen=True, slots=True)
class TaskDeadlineRecord:
    """A supporting department's own deadline on a joint case
    (``api.domain.deadlines.department_timers``)."""

    case_id: str
    department_id: str
    deadline: Timer | None  # None once stopped
    breached: bool  # the running cycle's deadline was missed
    ever_breached: bool
    updated_at: str
    version: int  # 0: not stored yet


@dataclass(frozen=True, slots=True)
class HandlerRecord:
    """A case in the inbox of a unit, department or leader."""

    case_id: str
    code: str
    assignee_id: str
    assignee_name: str
    role: str  # INTAKE, UNIT, LEAD, SUPPORT, LEADER
    task_status: TaskStatus | None
    state: CaseState
    category: str | None
    summary: str
    level: str  # a Level, or INTAKE before dispatch
    reported_at: str
    due_at: str | None


@dataclass(frozen=True, slots=True)
class NoticeRecord:
    """A notice of the outbox: 临期预警, 督办, escalation, hand-over to the centre."""

    recipient_id: str
    case_id: str
    code: str
    kind: str
    level: Level
    message: str
    at: str


@dataclass(frozen=True, slots=True)
class DayCountersRecord:
    """Case (and 党群议事 topic) counters of a unit's subtree for one day."""

    org_id: str
    day: str
    reported: int
    accepted: int
    resolved: int
    closed: int
    resolved_on_time: int
    resolved_in_grid: int
    satisfied: int
    reopened: int
    topics_raised: int
    topics_adopted: int
    topics_declined: int
    topic_cases_resolved: int
    topic_cases_resolved_in_grid: int
    # command-centre figures (issue 14)
    resolved_at_street_or_below: int = 0
    evaluated: int = 0
    assigned: int = 0
    handling_natural_minutes: int = 0
    handling_working_minutes: int = 0
    # cases reported per category (catalogue code → count; issue 14, top categories)
    categories: Mapping[str, int] = field(default_factory=dict)
    # closing (README "Closing")
    verified: int = 0
    verification_failed: int = 0
    closed_not_evaluated: int = 0
    # red partners: claims, delivery reports, points granted (api.services.partner_counters)
    partner_claims: int = 0
    partner_deliveries: int = 0
    points_granted: int = 0


@dataclass(frozen=True, slots=True)
class WatchRecord:
    """A case on a unit's overdue or at-risk watch list (issue 14)."""

    org_id: str
    kind: str  # api.domain.gauges.WatchKind
    case_id: str
    code: str
    category: str | None
    state: CaseState
    level: str  # a Level, or INTAKE
    holder_id: str | None
    holder_name: str | None
    due_at: str
