"""Root mutation fields of cases: report, and one mutation per transition.

Every transition mutation takes one input naming the case and what the action needs, checks
the caller's permission, applies the state machine and writes one transaction; expected
failures come back in ``errors`` (INVALID_TRANSITION names the current state and the allowed
actions; CONFLICT when someone else changed the case at the same moment).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import strawberry

from api.domain import cases as machine
from api.domain.case_catalogue import Attachment
from api.domain.cases import Channel, Level
from api.domain.cases import (
    HandlingMode as HandlingModeModel,
)
from api.domain.cases import (
    Satisfaction as SatisfactionModel,
)
from api.services import cases
from schema.case_types import Case
from schema.connections import INPUT
from schema.context import Info
from schema.enums import CaseChannel, CaseLevel, HandlingMode, Satisfaction, value_of
from schema.errors import UserError, run_mutation
from schema.external_ref_types import CallerInput, ExternalRefInput
from schema.node import item_id


@strawberry.type(description="Result of a mutation on a case")
class CasePayload:
    case: Case | None = strawberry.field(default=None, description="The case after the change")
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the mutation was refused (nothing was written)"
    )


@strawberry.input(description="An uploaded attachment")
class AttachmentInput:
    key: str = strawberry.field(description="Object key in the attachments bucket")
    content_type: str = strawberry.field(description="MIME type, e.g. image/jpeg")


@strawberry.input(description="吹哨: report a problem")
class ReportCaseInput:
    channel: CaseChannel = strawberry.field(description="How the case is reported")
    category: str = strawberry.field(description="Catalogue category code")
    description: str = strawberry.field(description="The problem, in the reporter's words")
    location_unit_id: strawberry.ID = strawberry.field(description="A grid, building or household")
    address: str | None = strawberry.field(
        default=None, description="Street address, shown to the handling chain"
    )
    latitude: float | None = strawberry.field(default=None, description="Latitude (WGS-84)")
    longitude: float | None = strawberry.field(default=None, description="Longitude (WGS-84)")
    attachments: list[AttachmentInput] = strawberry.field(
        default_factory=list, description="Photos and files already uploaded"
    )
    anonymous: bool = strawberry.field(
        default=False, description="Hide the reporter from all but district-wide staff"
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="A retried report with the same key returns the same case"
    )
    external_ref: ExternalRefInput | None = strawberry.field(
        default=None,
        description="API clients: the system's ticket; a retry returns the same case, the same "
        "ticket with other content is ALREADY_EXISTS",
    )
    caller: CallerInput | None = strawberry.field(
        default=None, description="API clients (12345): the caller, as the reporter's contact"
    )


@strawberry.input(description="An action that needs only the case, with an optional note")
class CaseActionInput:
    case_id: strawberry.ID = strawberry.field(description="The case")
    note: str = strawberry.field(default="", description="A remark for the timeline")


@strawberry.input(description="An action that needs a reason")
class CaseReasonInput:
    case_id: strawberry.ID = strawberry.field(description="The case")
    reason: str = strawberry.field(description="Why (on the timeline)")


@strawberry.input(description="受理: accept a reported case")
class AcceptCaseInput:
    case_id: strawberry.ID = strawberry.field(description="The case")
    mode: HandlingMode = strawberry.field(description="How it will be handled")
    category: str = strawberry.field(description="Catalogue category code")


@strawberry.input(description="不予受理: reject a reported case")
class RejectCaseInput:
    case_id: strawberry.ID = strawberry.field(description="The case")
    reason: str = strawberry.field(description="Why (on the timeline)")
    duplicate_of_id: strawberry.ID | None = strawberry.field(
        default=None, description="The case this one duplicates"
    )


@strawberry.input(description="Dispatch: below DISTRICT the unit follows from the case's grid")
class AssignCaseInput:
    case_id: strawberry.ID = strawberry.field(description="The case")
    level: CaseLevel = strawberry.field(description="The level to dispatch to")
    lead_department_id: strawberry.ID | None = strawberry.field(
        default=None, description="主办: the lead department (DISTRICT)"
    )
    supporting_department_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="协办: supporting departments (DISTRICT)"
    )
    leader_id: strawberry.ID | None = strawberry.field(
        default=None, description="包案: the district leader who owns the case (TOP)"
    )


@strawberry.input(description="吹哨: one level up, with a reason")
class EscalateCaseInput:
    case_id: strawberry.ID = strawberry.field(description="The case")
    reason: str = strawberry.field(description="Why (on the timeline)")
    lead_department_id: strawberry.ID | None = strawberry.field(
        default=None, description="主办: the lead department (DISTRICT)"
    )
    supporting_department_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="协办: supporting departments (DISTRICT)"
    )
    leader_id: strawberry.ID | None = strawberry.field(
        default=None, description="包案: the district leader who owns the case (TOP)"
    )


@strawberry.input(description="报到: a department claims its task")
class CaseDepartmentInput:
    case_id: strawberry.ID = strawberry.field(description="The case")
    department_id: strawberry.ID = strawberry.field(
        description="The department with a task on the case"
    )


@strawberry.input(description="A department resolves its task")
class ResolveCaseTaskInput:
    case_id: strawberry.ID = strawberry.field(description="The case")
    department_id: strawberry.ID = strawberry.field(
        description="The department with a task on the case"
    )
    result: str = strawberry.field(description="What the department did")


@strawberry.input(description="办结: resolve a case")
class ResolveCaseInput:
    case_id: strawberry.ID = strawberry.field(description="The case")
    result: str = strawberry.field(description="What was done")


@strawberry.input(description="延期: request more time")
class RequestExtensionInput:
    case_id: strawberry.ID = strawberry.field(description="The case")
    hours: int = strawberry.field(description="Hours to add to the limit")
    reason: str = strawberry.field(description="Why (on the timeline)")


@strawberry.input(description="A decision on a pending request (extension or parking)")
class CaseDecisionInput:
    case_id: strawberry.ID = strawberry.field(description="The case")
    approve: bool = strawberry.field(description="Grant (true) or refuse (false)")
    note: str = strawberry.field(default="", description="A remark for the timeline")


@strawberry.input(description="回访评价: the reporter's evaluation")
class EvaluateCaseInput:
    case_id: strawberry.ID = strawberry.field(description="The case")
    satisfaction: Satisfaction = strawberry.field(description="How satisfied the reporter is")
    comment: str = strawberry.field(default="", description="The reporter's comment")


@strawberry.input(description="核查: a dispatcher verifies the result of a resolved case")
class VerifyCaseInput:
    case_id: strawberry.ID = strawberry.field(description="The case")
    passed: bool = strawberry.field(
        description="True: the result holds (the case may be evaluated and closed); false: "
        "back to the same holder for rework (返工)"
    )
    note: str = strawberry.field(
        default="", description="What was checked; required when the check fails"
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="A retried verification with the same key returns the case without a "
        "second event; the same key with another input is IDEMPOTENCY_MISMATCH",
    )


def _case_id(value: strawberry.ID) -> str:
    return item_id(value, "Case", "caseId")


def _department(value: strawberry.ID) -> str:
    return item_id(value, "OrgUnit", "departmentId")


def _departments(data: AssignCaseInput | EscalateCaseInput) -> tuple[str | None, tuple[str, ...]]:
    lead = data.lead_department_id
    return (
        item_id(lead, "OrgUnit", "leadDepartmentId") if lead else None,
        tuple(item_id(d, "OrgUnit", "supportingDepartmentIds")
              for d in data.supporting_department_ids),
    )  # fmt: skip


def _leader(data: AssignCaseInput | EscalateCaseInput) -> str | None:
    return item_id(data.leader_id, "Person", "leaderId") if data.leader_id else None


def _failed(errors: list[UserError]) -> CasePayload:
    return CasePayload(errors=errors)


def _act(
    info: Info,
    case_id: strawberry.ID,
    command: Callable[[], machine.Command],
    remark: str = "",
    idempotency_key: str | None = None,
) -> CasePayload:
    """Apply one command to a case; expected failures (bad ids included) come back in errors.
    ``remark``: the note of an input whose command carries no text (START, CLOSE…)."""
    ctx = info.context

    def run() -> CasePayload:
        raw_id = _case_id(case_id)
        case = cases.act_on_case(
            ctx.db, ctx.actor, ctx.clock, raw_id, command(), remark, idempotency_key
        )
        return CasePayload(case=Case.of(case))

    return run_mutation(run, _failed)


@strawberry.type
class CaseMutation:
    @strawberry.mutation(
        description="吹哨: report a problem; returns the case with its tracking code"
    )
    def report_case(self, info: Info, input: Annotated[ReportCaseInput, INPUT]) -> CasePayload:
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
                external_ref=input.external_ref.to_record() if input.external_ref else None,
                caller=input.caller.to_record() if input.caller else None,
            )
            return CasePayload(case=Case.of(cases.report_case(ctx.db, ctx.actor, ctx.clock, data)))

        return run_mutation(act, _failed)

    @strawberry.mutation(description="受理: accept with a handling mode and category")
    def accept_case(self, info: Info, input: Annotated[AcceptCaseInput, INPUT]) -> CasePayload:
        mode = HandlingModeModel(value_of(input.mode))
        return _act(
            info,
            input.case_id,
            lambda: machine.Accept(mode, input.category),
        )

    @strawberry.mutation(
        description="不予受理: reject with a reason, optionally as a duplicate of another case"
    )
    def reject_case(self, info: Info, input: Annotated[RejectCaseInput, INPUT]) -> CasePayload:
        def act() -> machine.Command:
            duplicate = input.duplicate_of_id
            return machine.Reject(
                input.reason, item_id(duplicate, "Case", "duplicateOfId") if duplicate else None
            )

        return _act(info, input.case_id, act)

    @strawberry.mutation(
        description="派遣: dispatch to a level (departments at DISTRICT, a leader at TOP)"
    )
    def assign_case(self, info: Info, input: Annotated[AssignCaseInput, INPUT]) -> CasePayload:
        level = Level(value_of(input.level))
        return _act(
            info,
            input.case_id,
            lambda: machine.Assign(level, _leader(input), *_departments(input)),
        )

    @strawberry.mutation(description="签收: the assigned unit signs for the case")
    def start_case(self, info: Info, input: Annotated[CaseActionInput, INPUT]) -> CasePayload:
        return _act(info, input.case_id, machine.Start, input.note)

    @strawberry.mutation(description="报到: a department claims its task")
    def claim_case(self, info: Info, input: Annotated[CaseDepartmentInput, INPUT]) -> CasePayload:
        return _act(
            info,
            input.case_id,
            lambda: machine.Claim(_department(input.department_id)),
        )

    @strawberry.mutation(
        description="A department resolves its task; the last one resolves the case"
    )
    def resolve_case_task(
        self, info: Info, input: Annotated[ResolveCaseTaskInput, INPUT]
    ) -> CasePayload:
        return _act(
            info,
            input.case_id,
            lambda: machine.ResolveTask(_department(input.department_id), input.result),
        )

    @strawberry.mutation(description="吹哨: escalate one level up with a reason")
    def escalate_case(self, info: Info, input: Annotated[EscalateCaseInput, INPUT]) -> CasePayload:
        return _act(
            info,
            input.case_id,
            lambda: machine.Escalate(input.reason, _leader(input), *_departments(input)),
        )

    @strawberry.mutation(description="回退: send back to the dispatcher")
    def send_back_case(self, info: Info, input: Annotated[CaseReasonInput, INPUT]) -> CasePayload:
        return _act(info, input.case_id, lambda: machine.SendBack(input.reason))

    @strawberry.mutation(description="Pause while waiting on the resident")
    def pause_case(self, info: Info, input: Annotated[CaseReasonInput, INPUT]) -> CasePayload:
        return _act(info, input.case_id, lambda: machine.Pause(input.reason))

    @strawberry.mutation(description="Resume a paused case")
    def resume_case(self, info: Info, input: Annotated[CaseActionInput, INPUT]) -> CasePayload:
        return _act(info, input.case_id, machine.Resume, input.note)

    @strawberry.mutation(description="延期: request more time")
    def request_case_extension(
        self, info: Info, input: Annotated[RequestExtensionInput, INPUT]
    ) -> CasePayload:
        return _act(
            info,
            input.case_id,
            lambda: machine.RequestExtension(input.hours, input.reason),
        )

    @strawberry.mutation(description="Grant or deny a requested extension")
    def decide_case_extension(
        self, info: Info, input: Annotated[CaseDecisionInput, INPUT]
    ) -> CasePayload:
        return _act(info, input.case_id, lambda: machine.DecideExtension(input.approve, input.note))

    @strawberry.mutation(description="办结: resolve with the result")
    def resolve_case(self, info: Info, input: Annotated[ResolveCaseInput, INPUT]) -> CasePayload:
        return _act(info, input.case_id, lambda: machine.Resolve(input.result))

    @strawberry.mutation(
        description="核查: a dispatcher of the case's community or above (not its handler) "
        "verifies the result when the policy asks; failed, the case goes back to its holder"
    )
    def verify_case(self, info: Info, input: Annotated[VerifyCaseInput, INPUT]) -> CasePayload:
        return _act(
            info,
            input.case_id,
            lambda: machine.Verify(input.passed, input.note),
            idempotency_key=input.idempotency_key,
        )

    @strawberry.mutation(description="回访评价: the reporter evaluates the result")
    def evaluate_case(self, info: Info, input: Annotated[EvaluateCaseInput, INPUT]) -> CasePayload:
        satisfaction = SatisfactionModel(value_of(input.satisfaction))
        return _act(
            info,
            input.case_id,
            lambda: machine.Evaluate(satisfaction, input.comment),
        )

    @strawberry.mutation(description="返工: reopen after an unsatisfied evaluation")
    def reopen_case(self, info: Info, input: Annotated[CaseReasonInput, INPUT]) -> CasePayload:
        return _act(info, input.case_id, lambda: machine.Reopen(input.reason))

    @strawberry.mutation(description="结案: close")
    def close_case(self, info: Info, input: Annotated[CaseActionInput, INPUT]) -> CasePayload:
        return _act(info, input.case_id, machine.Close, input.note)

    @strawberry.mutation(description="对单销号: the owning leader closes a TOP case")
    def tick_off_case(self, info: Info, input: Annotated[CaseActionInput, INPUT]) -> CasePayload:
        return _act(info, input.case_id, lambda: machine.TickOff(input.note))

    @strawberry.mutation(description="挂账: request parking")
    def request_case_park(
        self, info: Info, input: Annotated[CaseReasonInput, INPUT]
    ) -> CasePayload:
        return _act(info, input.case_id, lambda: machine.RequestPark(input.reason))

    @strawberry.mutation(description="Approve or reject parking")
    def decide_case_park(
        self, info: Info, input: Annotated[CaseDecisionInput, INPUT]
    ) -> CasePayload:
        return _act(info, input.case_id, lambda: machine.DecidePark(input.approve, input.note))

    @strawberry.mutation(description="Resume a parked case")
    def unpark_case(self, info: Info, input: Annotated[CaseActionInput, INPUT]) -> CasePayload:
        return _act(info, input.case_id, machine.Unpark, input.note)

    @strawberry.mutation(description="归档: archive a closed or rejected case")
    def archive_case(self, info: Info, input: Annotated[CaseActionInput, INPUT]) -> CasePayload:
        return _act(info, input.case_id, machine.Archive, input.note)
