"""Root mutation fields of red partners and the points ledger. Each takes one input and
returns a payload with the result and ``errors`` (typed, nothing written on failure)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from api.domain.errors import InvalidInput
from api.domain.ledger import AccountKind, EntrySource, Posting
from api.domain.messages import msg
from api.domain.partners import Contact, ProjectAction
from api.domain.partners import PartnerAction as PartnerActionModel
from api.domain.partners import PartnerKind as PartnerKindModel
from api.services import ledger, partner_projects, partners
from schema.context import Info
from schema.enums import value_of
from schema.errors import UserError, run_mutation
from schema.node import item_id
from schema.partner_queries import account_holder_id
from schema.partner_types import (
    Partner,
    PartnerAction,
    PartnerAward,
    PartnerClaim,
    PartnerKind,
    PartnerNeed,
    PartnerProject,
    PartnerProjectAction,
    PartnerResource,
    PointsAccount,
    PointsEntry,
    PointsSource,
)


def _date(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(msg("input.date", field=field), field=field) from None


def _partner_id(value: strawberry.ID) -> str:
    return item_id(value, "Partner", "partnerId")


def _project_id(value: strawberry.ID) -> str:
    return item_id(value, "PartnerProject", "projectId")


ERRORS = "Why nothing was written (empty on success)"
INPUT = "What to change"


@strawberry.input(description="A partner's contact person")
class PartnerContactInput:
    name: str = strawberry.field(description="Contact person's name")
    phone: str = strawberry.field(description="Mobile phone number")
    role: str = strawberry.field(default="", description="The contact's role (职务)")


@strawberry.input(description="Apply (register) a partner into a directory")
class RegisterPartnerInput:
    directory_unit_id: strawberry.ID = strawberry.field(
        description="The district (名录) or a street (子库)"
    )
    kind: PartnerKind = strawberry.field(description="Enterprise, social organisation or person")
    name: str = strawberry.field(description="The partner's name")
    description: str = strawberry.field(default="", description="What the partner is and does")
    contacts: list[PartnerContactInput] = strawberry.field(
        default_factory=list, description="Up to 5 contact people"
    )
    agreement_start: str | None = strawberry.field(
        default=None, description="Start of its agreement (协议), like 2026-01-01"
    )
    agreement_end: str | None = strawberry.field(
        default=None, description="End of its agreement (协议), like 2026-12-31"
    )
    representative_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="People who act for the partner"
    )


@strawberry.type(description="The result of a change to a partner")
class PartnerPayload:
    partner: Partner | None = strawberry.field(default=None, description="The partner as saved")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="Approve, suspend, reinstate or withdraw a partner")
class ChangePartnerStatusInput:
    partner_id: strawberry.ID = strawberry.field(description="The partner")
    action: PartnerAction = strawberry.field(description="The change of status")
    reason: str = strawberry.field(default="", description="Why (required to suspend)")


@strawberry.input(description="A resource a partner offers (资源清单)")
class AddPartnerResourceInput:
    partner_id: strawberry.ID = strawberry.field(description="The partner offering it")
    category: str = strawberry.field(description="Resource category (资源类别)")
    description: str = strawberry.field(description="What is offered")
    quantity: int | None = strawberry.field(default=None, description="How much, if counted")
    availability: str = strawberry.field(default="", description="When it is available")


@strawberry.type(description="The result of adding a resource")
class PartnerResourcePayload:
    resource: PartnerResource | None = strawberry.field(
        default=None, description="The resource as saved"
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="A community or grid publishes a need (需求清单)")
class PublishPartnerNeedInput:
    unit_id: strawberry.ID = strawberry.field(description="The community or grid publishing it")
    category: str = strawberry.field(description="Resource category it asks for")
    title: str = strawberry.field(description="Short title")
    description: str = strawberry.field(description="What residents need")
    quantity: int = strawberry.field(default=1, description="How much is needed")


@strawberry.type(description="The result of publishing a need")
class PartnerNeedPayload:
    need: PartnerNeed | None = strawberry.field(default=None, description="The need as saved")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="A project made from needs of the unit's community (DRAFT)")
class CreatePartnerProjectInput:
    unit_id: strawberry.ID = strawberry.field(description="The community or grid owning it")
    title: str = strawberry.field(description="Short title")
    description: str = strawberry.field(description="What the project delivers")
    need_ids: list[strawberry.ID] = strawberry.field(
        description="1 to 10 needs of the unit's community, in no other project"
    )
    capacity: int = strawberry.field(default=1, description="How many partners may claim it")
    category: str | None = strawberry.field(
        default=None, description="Resource category (default: the first need's)"
    )
    starts_on: str | None = strawberry.field(default=None, description="Planned first day")
    ends_on: str | None = strawberry.field(default=None, description="Planned last day")


@strawberry.type(description="The result of a change to a project")
class PartnerProjectPayload:
    project: PartnerProject | None = strawberry.field(
        default=None, description="The project as saved"
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="An action of the owning community or grid on a project")
class TransitionPartnerProjectInput:
    project_id: strawberry.ID = strawberry.field(description="The project")
    action: PartnerProjectAction = strawberry.field(description="What to do")
    reason: str = strawberry.field(default="", description="Why (required to reject)")


@strawberry.input(description="A partner and a project: to claim or to withdraw a claim")
class PartnerClaimInput:
    project_id: strawberry.ID = strawberry.field(description="The project")
    partner_id: strawberry.ID = strawberry.field(description="The partner acting")


@strawberry.type(description="The result of a change to a claim")
class PartnerClaimPayload:
    claim: PartnerClaim | None = strawberry.field(default=None, description="The claim as saved")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="A partner's delivery report on its claim")
class ReportPartnerDeliveryInput:
    project_id: strawberry.ID = strawberry.field(description="The project")
    partner_id: strawberry.ID = strawberry.field(description="The reporting partner")
    notes: str = strawberry.field(description="What was delivered (交付说明)")
    attachment_keys: list[str] = strawberry.field(
        default_factory=list, description="Object keys of uploaded photos or documents"
    )


@strawberry.input(description="红色创新奖: nominate a partner for a year, or award it")
class RecordPartnerAwardInput:
    partner_id: strawberry.ID = strawberry.field(description="The partner")
    year: int = strawberry.field(description="The award year")
    citation: str = strawberry.field(description="Why (事迹)")
    award: bool = strawberry.field(
        default=False, description="False: nominate (managing unit); true: award (district)"
    )


@strawberry.type(description="The result of a nomination or award")
class PartnerAwardPayload:
    award: PartnerAward | None = strawberry.field(
        default=None, description="The nomination or award as saved"
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="Earn (positive) or spend/exchange (negative) points or hours")
class PostPointsInput:
    account: PointsAccount = strawberry.field(description="Which ledger account")
    holder_id: strawberry.ID = strawberry.field(description="A Partner or a Person")
    amount: int = strawberry.field(description="Positive to earn, negative to spend")
    source: PointsSource = strawberry.field(description="Where the entry comes from")
    reason: str = strawberry.field(description="Why it is recorded")
    idempotency_key: str = strawberry.field(
        description="A retry with the same key records nothing new"
    )


@strawberry.type(description="The result of a posting")
class PointsPayload:
    entry: PointsEntry | None = strawberry.field(
        default=None, description="The entry recorded (the first one, for a retry)"
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type
class PartnerMutation:
    @strawberry.mutation(description="Register a partner's application into a directory")
    def register_partner(
        self,
        info: Info,
        input: Annotated[RegisterPartnerInput, strawberry.argument(description=INPUT)],
    ) -> PartnerPayload:
        ctx = info.context

        def act() -> PartnerPayload:
            data = partners.PartnerInput(
                directory_unit_id=item_id(input.directory_unit_id, "OrgUnit", "directoryUnitId"),
                kind=PartnerKindModel(value_of(input.kind)),
                name=input.name,
                description=input.description,
                contacts=tuple(Contact(c.name, c.phone, c.role) for c in input.contacts),
                agreement_start=_date(input.agreement_start, "agreementStart"),
                agreement_end=_date(input.agreement_end, "agreementEnd"),
                representative_ids=tuple(
                    item_id(p, "Person", "representativeIds") for p in input.representative_ids
                ),
            )
            return PartnerPayload(
                partner=Partner.of(partners.register_partner(ctx.db, ctx.actor, ctx.clock, data))
            )

        return run_mutation(act, lambda errors: PartnerPayload(errors=errors))

    @strawberry.mutation(description="Approve, suspend, reinstate or withdraw a partner")
    def change_partner_status(
        self,
        info: Info,
        input: Annotated[ChangePartnerStatusInput, strawberry.argument(description=INPUT)],
    ) -> PartnerPayload:
        ctx = info.context

        def act() -> PartnerPayload:
            ctx.actor.require_login()
            partner = partners.change_status(
                ctx.db,
                ctx.actor,
                ctx.clock,
                _partner_id(input.partner_id),
                PartnerActionModel(value_of(input.action)),
                input.reason,
            )
            return PartnerPayload(partner=Partner.of(partner))

        return run_mutation(act, lambda errors: PartnerPayload(errors=errors))

    @strawberry.mutation(description="A partner lists a resource it offers (资源清单)")
    def add_partner_resource(
        self,
        info: Info,
        input: Annotated[AddPartnerResourceInput, strawberry.argument(description=INPUT)],
    ) -> PartnerResourcePayload:
        ctx = info.context

        def act() -> PartnerResourcePayload:
            ctx.actor.require_login()
            data = partners.ResourceInput(
                _partner_id(input.partner_id),
                input.category,
                input.description,
                input.quantity,
                input.availability,
            )
            resource = partners.add_resource(ctx.db, ctx.actor, ctx.clock, data)
            return PartnerResourcePayload(resource=PartnerResource.of(resource))

        return run_mutation(act, lambda errors: PartnerResourcePayload(errors=errors))

    @strawberry.mutation(description="A community or grid publishes a need (需求清单)")
    def publish_partner_need(
        self,
        info: Info,
        input: Annotated[PublishPartnerNeedInput, strawberry.argument(description=INPUT)],
    ) -> PartnerNeedPayload:
        ctx = info.context

        def act() -> PartnerNeedPayload:
            ctx.actor.require_login()
            data = partner_projects.NeedInput(
                item_id(input.unit_id, "OrgUnit", "unitId"),
                input.category,
                input.title,
                input.description,
                input.quantity,
            )
            need = partner_projects.publish_need(ctx.db, ctx.actor, ctx.clock, data)
            return PartnerNeedPayload(need=PartnerNeed.of(need))

        return run_mutation(act, lambda errors: PartnerNeedPayload(errors=errors))

    @strawberry.mutation(description="Make a project from needs (项目清单), as a DRAFT")
    def create_partner_project(
        self,
        info: Info,
        input: Annotated[CreatePartnerProjectInput, strawberry.argument(description=INPUT)],
    ) -> PartnerProjectPayload:
        ctx = info.context

        def act() -> PartnerProjectPayload:
            ctx.actor.require_login()
            data = partner_projects.ProjectInput(
                unit_id=item_id(input.unit_id, "OrgUnit", "unitId"),
                title=input.title,
                description=input.description,
                need_ids=tuple(item_id(n, "PartnerNeed", "needIds") for n in input.need_ids),
                capacity=input.capacity,
                category=input.category,
                starts_on=_date(input.starts_on, "startsOn"),
                ends_on=_date(input.ends_on, "endsOn"),
            )
            project = partner_projects.create_project(ctx.db, ctx.actor, ctx.clock, data)
            return PartnerProjectPayload(project=PartnerProject.of(project))

        return run_mutation(act, lambda errors: PartnerProjectPayload(errors=errors))

    @strawberry.mutation(
        description="Open, start delivery, confirm (grants points once), reject (with a "
        "reason), redo, close or cancel a project"
    )
    def transition_partner_project(
        self,
        info: Info,
        input: Annotated[TransitionPartnerProjectInput, strawberry.argument(description=INPUT)],
    ) -> PartnerProjectPayload:
        ctx = info.context

        def act() -> PartnerProjectPayload:
            ctx.actor.require_login()
            project = partner_projects.transition(
                ctx.db,
                ctx.actor,
                ctx.clock,
                _project_id(input.project_id),
                ProjectAction(value_of(input.action)),
                input.reason,
            )
            return PartnerProjectPayload(project=PartnerProject.of(project))

        return run_mutation(act, lambda errors: PartnerProjectPayload(errors=errors))

    @strawberry.mutation(
        description="认领: a partner claims an open project, within its capacity, once"
    )
    def claim_partner_project(
        self,
        info: Info,
        input: Annotated[PartnerClaimInput, strawberry.argument(description=INPUT)],
    ) -> PartnerClaimPayload:
        ctx = info.context

        def act() -> PartnerClaimPayload:
            ctx.actor.require_login()
            claim = partner_projects.claim(
                ctx.db,
                ctx.actor,
                ctx.clock,
                _project_id(input.project_id),
                _partner_id(input.partner_id),
            )
            return PartnerClaimPayload(claim=PartnerClaim.of(claim))

        return run_mutation(act, lambda errors: PartnerClaimPayload(errors=errors))

    @strawberry.mutation(description="Withdraw a claim before delivery starts")
    def withdraw_partner_claim(
        self,
        info: Info,
        input: Annotated[PartnerClaimInput, strawberry.argument(description=INPUT)],
    ) -> PartnerClaimPayload:
        ctx = info.context

        def act() -> PartnerClaimPayload:
            ctx.actor.require_login()
            claim = partner_projects.withdraw_claim(
                ctx.db,
                ctx.actor,
                ctx.clock,
                _project_id(input.project_id),
                _partner_id(input.partner_id),
            )
            return PartnerClaimPayload(claim=PartnerClaim.of(claim))

        return run_mutation(act, lambda errors: PartnerClaimPayload(errors=errors))

    @strawberry.mutation(description="A partner reports its delivery (notes, attachment keys)")
    def report_partner_delivery(
        self,
        info: Info,
        input: Annotated[ReportPartnerDeliveryInput, strawberry.argument(description=INPUT)],
    ) -> PartnerClaimPayload:
        ctx = info.context

        def act() -> PartnerClaimPayload:
            ctx.actor.require_login()
            claim = partner_projects.report_delivery(
                ctx.db,
                ctx.actor,
                ctx.clock,
                _project_id(input.project_id),
                _partner_id(input.partner_id),
                input.notes,
                input.attachment_keys,
            )
            return PartnerClaimPayload(claim=PartnerClaim.of(claim))

        return run_mutation(act, lambda errors: PartnerClaimPayload(errors=errors))

    @strawberry.mutation(description="红色创新奖: nominate a partner, or award it (district)")
    def record_partner_award(
        self,
        info: Info,
        input: Annotated[RecordPartnerAwardInput, strawberry.argument(description=INPUT)],
    ) -> PartnerAwardPayload:
        ctx = info.context

        def act() -> PartnerAwardPayload:
            ctx.actor.require_login()
            award = partner_projects.record_award(
                ctx.db,
                ctx.actor,
                ctx.clock,
                _partner_id(input.partner_id),
                input.year,
                input.citation,
                input.award,
            )
            return PartnerAwardPayload(award=PartnerAward.of(award))

        return run_mutation(act, lambda errors: PartnerAwardPayload(errors=errors))

    @strawberry.mutation(
        description="Post to the points ledger: earn, or spend/exchange without going below zero"
    )
    def post_points(
        self, info: Info, input: Annotated[PostPointsInput, strawberry.argument(description=INPUT)]
    ) -> PointsPayload:
        ctx = info.context

        def act() -> PointsPayload:
            ctx.actor.require_login()
            account = AccountKind(value_of(input.account))
            posting = Posting(
                account=account,
                holder_id=account_holder_id(account, input.holder_id),
                amount=input.amount,
                source=EntrySource(value_of(input.source)),
                reason=input.reason,
                idempotency_key=input.idempotency_key,
            )
            entry = ledger.post(ctx.db, ctx.actor, ctx.clock, posting)
            return PointsPayload(entry=PointsEntry.of(entry))

        return run_mutation(act, lambda errors: PointsPayload(errors=errors))
