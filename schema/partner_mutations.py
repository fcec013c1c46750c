"""Root mutation fields of red partners and the points ledger. Each takes one input and
returns a payload with the result and ``errors`` (typed, nothing written on failure)."""

from __future__ import annotations

from datetime import date

import strawberry

from api.domain.errors import InvalidInput
from api.domain.ledger import AccountKind, EntrySource, Posting
from api.domain.partners import Contact, ProjectAction
from api.domain.partners import PartnerAction as PartnerActionModel
from api.domain.partners import PartnerKind as PartnerKindModel
from api.services import ledger, partner_projects, partners
from schema.context import Info
from schema.enums import value_of
from schema.errors import UserError, run_mutation
from schema.node import item_id
from schema.partner_queries import _holder_id
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
        raise InvalidInput(f"{field} must be a date like 2026-11-23", field=field) from None


def _partner_id(value: strawberry.ID) -> str:
    return item_id(value, "Partner", "partnerId")


def _project_id(value: strawberry.ID) -> str:
    return item_id(value, "PartnerProject", "projectId")


@strawberry.input
class PartnerContactInput:
    name: str
    phone: str
    role: str = ""


@strawberry.input(description="Apply (register) a partner into a directory")
class RegisterPartnerInput:
    directory_unit_id: strawberry.ID = strawberry.field(
        description="The district (名录) or a street (子库)"
    )
    kind: PartnerKind
    name: str
    description: str = ""
    contacts: list[PartnerContactInput] = strawberry.field(default_factory=list)
    agreement_start: str | None = None
    agreement_end: str | None = None
    representative_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="People who act for the partner"
    )


@strawberry.type
class PartnerPayload:
    partner: Partner | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ChangePartnerStatusInput:
    partner_id: strawberry.ID
    action: PartnerAction
    reason: str = ""


@strawberry.input
class AddPartnerResourceInput:
    partner_id: strawberry.ID
    category: str
    description: str
    quantity: int | None = None
    availability: str = ""


@strawberry.type
class PartnerResourcePayload:
    resource: PartnerResource | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="A community or grid publishes a need (需求清单)")
class PublishPartnerNeedInput:
    unit_id: strawberry.ID
    category: str
    title: str
    description: str
    quantity: int = 1


@strawberry.type
class PartnerNeedPayload:
    need: PartnerNeed | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="A project made from needs of the unit's community (DRAFT)")
class CreatePartnerProjectInput:
    unit_id: strawberry.ID
    title: str
    description: str
    need_ids: list[strawberry.ID]
    capacity: int = strawberry.field(default=1, description="How many partners may claim it")
    category: str | None = None
    starts_on: str | None = None
    ends_on: str | None = None


@strawberry.type
class PartnerProjectPayload:
    project: PartnerProject | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class TransitionPartnerProjectInput:
    project_id: strawberry.ID
    action: PartnerProjectAction
    reason: str = ""


@strawberry.input
class PartnerClaimInput:
    project_id: strawberry.ID
    partner_id: strawberry.ID


@strawberry.type
class PartnerClaimPayload:
    claim: PartnerClaim | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ReportPartnerDeliveryInput:
    project_id: strawberry.ID
    partner_id: strawberry.ID
    notes: str
    attachment_keys: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="红色创新奖: nominate a partner for a year, or award it")
class RecordPartnerAwardInput:
    partner_id: strawberry.ID
    year: int
    citation: str
    award: bool = strawberry.field(
        default=False, description="False: nominate (managing unit); true: award (district)"
    )


@strawberry.type
class PartnerAwardPayload:
    award: PartnerAward | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Earn (positive) or spend/exchange (negative) points or hours")
class PostPointsInput:
    account: PointsAccount
    holder_id: strawberry.ID = strawberry.field(description="A Partner or a Person")
    amount: int
    source: PointsSource
    reason: str
    idempotency_key: str = strawberry.field(
        description="A retry with the same key records nothing new"
    )


@strawberry.type
class PointsPayload:
    entry: PointsEntry | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PartnerMutation:
    @strawberry.mutation(description="Register a partner's application into a directory")
    def register_partner(self, info: Info, input: RegisterPartnerInput) -> PartnerPayload:
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
    def change_partner_status(self, info: Info, input: ChangePartnerStatusInput) -> PartnerPayload:
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
        self, info: Info, input: AddPartnerResourceInput
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
            return PartnerResourcePayload(resource=PartnerResource(item=resource))

        return run_mutation(act, lambda errors: PartnerResourcePayload(errors=errors))

    @strawberry.mutation(description="A community or grid publishes a need (需求清单)")
    def publish_partner_need(
        self, info: Info, input: PublishPartnerNeedInput
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
        self, info: Info, input: CreatePartnerProjectInput
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
            return PartnerProjectPayload(project=PartnerProject.of(project, []))

        return run_mutation(act, lambda errors: PartnerProjectPayload(errors=errors))

    @strawberry.mutation(
        description="Open, start delivery, confirm (grants points once), reject (with a "
        "reason), redo, close or cancel a project"
    )
    def transition_partner_project(
        self, info: Info, input: TransitionPartnerProjectInput
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
    def claim_partner_project(self, info: Info, input: PartnerClaimInput) -> PartnerClaimPayload:
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
            return PartnerClaimPayload(claim=PartnerClaim(item=claim))

        return run_mutation(act, lambda errors: PartnerClaimPayload(errors=errors))

    @strawberry.mutation(description="Withdraw a claim before delivery starts")
    def withdraw_partner_claim(self, info: Info, input: PartnerClaimInput) -> PartnerClaimPayload:
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
            return PartnerClaimPayload(claim=PartnerClaim(item=claim))

        return run_mutation(act, lambda errors: PartnerClaimPayload(errors=errors))

    @strawberry.mutation(description="A partner reports its delivery (notes, attachment keys)")
    def report_partner_delivery(
        self, info: Info, input: ReportPartnerDeliveryInput
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
            return PartnerClaimPayload(claim=PartnerClaim(item=claim))

        return run_mutation(act, lambda errors: PartnerClaimPayload(errors=errors))

    @strawberry.mutation(description="红色创新奖: nominate a partner, or award it (district)")
    def record_partner_award(
        self, info: Info, input: RecordPartnerAwardInput
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
            return PartnerAwardPayload(award=PartnerAward(item=award))

        return run_mutation(act, lambda errors: PartnerAwardPayload(errors=errors))

    @strawberry.mutation(
        description="Post to the points ledger: earn, or spend/exchange without going below zero"
    )
    def post_points(self, info: Info, input: PostPointsInput) -> PointsPayload:
        ctx = info.context

        def act() -> PointsPayload:
            ctx.actor.require_login()
            account = AccountKind(value_of(input.account))
            posting = Posting(
                account=account,
                holder_id=_holder_id(account, input.holder_id),
                amount=input.amount,
                source=EntrySource(value_of(input.source)),
                reason=input.reason,
                idempotency_key=input.idempotency_key,
            )
            entry = ledger.post(ctx.db, ctx.actor, ctx.clock, posting)
            return PointsPayload(entry=PointsEntry(item=entry))

        return run_mutation(act, lambda errors: PointsPayload(errors=errors))
