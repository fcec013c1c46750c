"""Root mutation fields of cases: report, and one mutation per transition.

Every transition mutation takes one input naming the case and what the action needs, checks
the caller's permission, applies the state machine and writes one transaction; expected
failures come back in ``errors`` (INVALID_TRANSITION names the current state and the allowed
actions; CONFLICT when someone else changed the case at the same moment).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry

from api.domain.case_catalogue import Attachment
from api.domain.cases import (
    Action,
    Channel,
    Level,
)
from api.domain.cases import (
    HandlingMode as HandlingModeModel,
)
from api.domain.cases import (
    Satisfaction as SatisfactionModel,
)
from api.services import cases
from schema.case_types import Case
from schema.context import Info
from schema.enums import CaseChannel, CaseLevel, HandlingMode, Satisfaction, value_of
from schema.errors import UserError, run_mutation
from schema.node import item_id


@strawberry.type(description="Result of a mutation on a case")
class CasePayload:
    case: Case | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class AttachmentInput:
    key: str
    content_type: str


@strawberry.input(description="吹哨: report a problem")
class ReportCaseInput:
    channel: CaseChannel
    category: str
    description: str
    location_unit_id: strawberry.ID = strawberry.field(description="A grid, building or household")
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    attachments: list[AttachmentInput] = strawberry.field(default_factory=list)
    anonymous: bool = False
    idempotency_key: str | None = strawberry.field(
        default=None, description="A retried report with the same key returns the same case"
    )


@strawberry.input
class CaseActionInput:
    case_id: strawberry.ID
    note: str = ""


@strawberry.input
class CaseReasonInput:
    case_id: strawberry.ID
    reason: str


@strawberry.input
class AcceptCaseInput:
    case_id: strawberry.ID
    mode: HandlingMode
    category: str


@strawberry.input
class RejectCaseInput:
    case_id: strawberry.ID
    reason: str
    duplicate_of_id: strawberry.ID | None = None


@strawberry.input(description="Dispatch: below DISTRICT the unit follows from the case's grid")
class AssignCaseInput:
    case_id: strawberry.ID
    level: CaseLevel
    lead_department_id: strawberry.ID | None = None
    supporting_department_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    leader_id: strawberry.ID | None = None


@strawberry.input(description="吹哨: one level up, with a reason")
class EscalateCaseInput:
    case_id: strawberry.ID
    reason: str
    lead_department_id: strawberry.ID | None = None
    supporting_department_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    leader_id: strawberry.ID | None = None


@strawberry.input
class CaseDepartmentInput:
    case_id: strawberry.ID
    department_id: strawberry.ID


@strawberry.input
class ResolveCaseTaskInput:
    case_id: strawberry.ID
    department_id: strawberry.ID
    result: str


@strawberry.input
class ResolveCaseInput:
    case_id: strawberry.ID
    result: str


@strawberry.input
class RequestExtensionInput:
    case_id: strawberry.ID
    hours: int
    reason: str


@strawberry.input
class CaseDecisionInput:
    case_id: strawberry.ID
    approve: bool
    note: str = ""


@strawberry.input
class EvaluateCaseInput:
    case_id: strawberry.ID
    satisfaction: Satisfaction
    comment: str = ""


def _case_id(value: strawberry.ID) -> str:
    return item_id(value, "Case", "caseId")


def _dispatch(level: Level, data: AssignCaseInput | EscalateCaseInput) -> cases.Dispatch:
    return cases.Dispatch(
        level=level,
        lead_department_id=item_id(data.lead_department_id, "OrgUnit", "leadDepartmentId")
        if data.lead_department_id
        else None,
        supporting_department_ids=tuple(
            item_id(d, "OrgUnit", "supportingDepartmentIds") for d in data.supporting_department_ids
        ),
        leader_id=item_id(data.leader_id, "Person", "leaderId") if data.leader_id else None,
    )


def _failed(errors: list[UserError]) -> CasePayload:
    return CasePayload(errors=errors)


def _transition(input_type: type, to_act: Callable[[Any], cases.Act], description: str) -> Any:
    """A mutation field applying one action; the input type says what the action needs."""

    def resolve(info: Info, input: Any) -> CasePayload:
        ctx = info.context

        def act() -> CasePayload:
            case = cases.act_on_case(
                ctx.db, ctx.actor, ctx.clock, _case_id(input.case_id), to_act(input)
            )
            return CasePayload(case=Case.of(case))

        return run_mutation(act, _failed)

    resolve.__annotations__ = {"info": Info, "input": input_type, "return": CasePayload}
    return strawberry.mutation(resolver=resolve, description=description)


def _simple(action: Action) -> Callable[[Any], cases.Act]:
    return lambda data: cases.Act(action, note=data.note)


def _reason(action: Action) -> Callable[[Any], cases.Act]:
    return lambda data: cases.Act(action, note=data.reason)


def _decision(yes: Action, no: Action) -> Callable[[Any], cases.Act]:
    return lambda data: cases.Act(yes if data.approve else no, note=data.note)


@strawberry.type
class CaseMutation:
    @strawberry.mutation(
        description="吹哨: report a problem; returns the case with its tracking code"
    )
    def report_case(self, info: Info, input: ReportCaseInput) -> CasePayload:
        ctx = info.context

        def act() -> CasePayload:
            data = cases.ReportInput(
                channel=Channel(value_of(input.channel)),
                category=input.category,
                description=input.description,
                location_unit_id=item_id(input.location_unit_id, "OrgUnit", "locationUnitId"),
                address=input.address,
                latitude=input.latitude,
                longitude=input.longitude,
                attachments=[Attachment(a.key, a.content_type) for a in input.attachments],
                anonymous=input.anonymous,
                idempotency_key=input.idempotency_key,
            )
            return CasePayload(case=Case.of(cases.report_case(ctx.db, ctx.actor, ctx.clock, data)))

        return run_mutation(act, _failed)

    accept_case = _transition(
        AcceptCaseInput,
        lambda d: cases.Act(
            Action.ACCEPT, mode=HandlingModeModel(value_of(d.mode)), category=d.category
        ),
        "受理: accept with a handling mode and category",
    )
    reject_case = _transition(
        RejectCaseInput,
        lambda d: cases.Act(
            Action.REJECT,
            note=d.reason,
            duplicate_of=item_id(d.duplicate_of_id, "Case", "duplicateOfId")
            if d.duplicate_of_id
            else None,
        ),
        "不予受理: reject with a reason, optionally as a duplicate of another case",
    )
    assign_case = _transition(
        AssignCaseInput,
        lambda d: cases.Act(Action.ASSIGN, dispatch=_dispatch(Level(value_of(d.level)), d)),
        "派遣: dispatch to a level (departments at DISTRICT, a leader at TOP)",
    )
    start_case = _transition(
        CaseActionInput, _simple(Action.START), "签收: the assigned unit signs for the case"
    )
    claim_case = _transition(
        CaseDepartmentInput,
        lambda d: cases.Act(
            Action.CLAIM, department_id=item_id(d.department_id, "OrgUnit", "departmentId")
        ),
        "报到: a department claims its task",
    )
    resolve_case_task = _transition(
        ResolveCaseTaskInput,
        lambda d: cases.Act(
            Action.RESOLVE_TASK,
            department_id=item_id(d.department_id, "OrgUnit", "departmentId"),
            note=d.result,
        ),
        "A department resolves its task; the last one resolves the case",
    )
    escalate_case = _transition(
        EscalateCaseInput,
        lambda d: cases.Act(Action.ESCALATE, note=d.reason, dispatch=_escalation(d)),
        "吹哨: escalate one level up with a reason",
    )
    send_back_case = _transition(
        CaseReasonInput, _reason(Action.SEND_BACK), "回退: send back to the dispatcher"
    )
    pause_case = _transition(
        CaseReasonInput, _reason(Action.PAUSE), "Pause while waiting on the resident"
    )
    resume_case = _transition(CaseActionInput, _simple(Action.RESUME), "Resume a paused case")
    request_case_extension = _transition(
        RequestExtensionInput,
        lambda d: cases.Act(Action.REQUEST_EXTENSION, hours=d.hours, note=d.reason),
        "延期: request more time",
    )
    decide_case_extension = _transition(
        CaseDecisionInput,
        _decision(Action.GRANT_EXTENSION, Action.DENY_EXTENSION),
        "Grant or deny a requested extension",
    )
    resolve_case = _transition(
        ResolveCaseInput,
        lambda d: cases.Act(Action.RESOLVE, note=d.result),
        "办结: resolve with the result",
    )
    evaluate_case = _transition(
        EvaluateCaseInput,
        lambda d: cases.Act(
            Action.EVALUATE,
            satisfaction=SatisfactionModel(value_of(d.satisfaction)),
            note=d.comment,
        ),
        "回访评价: the reporter evaluates the result",
    )
    reopen_case = _transition(
        CaseReasonInput, _reason(Action.REOPEN), "返工: reopen after an unsatisfied evaluation"
    )
    close_case = _transition(CaseActionInput, _simple(Action.CLOSE), "结案: close")
    tick_off_case = _transition(
        CaseActionInput, _simple(Action.TICK_OFF), "对单销号: the owning leader closes a TOP case"
    )
    request_case_park = _transition(
        CaseReasonInput, _reason(Action.REQUEST_PARK), "挂账: request parking"
    )
    decide_case_park = _transition(
        CaseDecisionInput,
        _decision(Action.APPROVE_PARK, Action.REJECT_PARK),
        "Approve or reject parking",
    )
    unpark_case = _transition(CaseActionInput, _simple(Action.UNPARK), "Resume a parked case")
    archive_case = _transition(
        CaseActionInput, _simple(Action.ARCHIVE), "归档: archive a closed or rejected case"
    )


def _escalation(data: EscalateCaseInput) -> cases.Dispatch | None:
    if not (data.lead_department_id or data.supporting_department_ids or data.leader_id):
        return None  # one level up, to the grid's community or street, or the governance centre
    return _dispatch_to_next(data)


def _dispatch_to_next(data: EscalateCaseInput) -> cases.Dispatch:
    # The service checks the level; departments mean DISTRICT, a leader means TOP.
    level = Level.TOP if data.leader_id else Level.DISTRICT
    return _dispatch(level, data)
