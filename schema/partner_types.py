"""GraphQL types of red partners (红色合伙人) and the points ledger."""

from __future__ import annotations

from enum import Enum

import strawberry

from api.domain.people import mask_name, mask_phone
from api.services import partner_access
from api.store.partner_models import (
    AccountItem,
    AwardItem,
    ClaimItem,
    LedgerEntryItem,
    NeedItem,
    PartnerItem,
    ProjectItem,
    ResourceItem,
)
from schema.attachment_types import project_files_field
from schema.context import Info
from schema.node import Node, global_id


@strawberry.enum(description="Kind of red partner")
class PartnerKind(Enum):
    ENTERPRISE = strawberry.enum_value("ENTERPRISE", description="企业")
    SOCIAL_ORGANISATION = strawberry.enum_value("SOCIAL_ORGANISATION", description="社会组织")
    INDIVIDUAL = strawberry.enum_value("INDIVIDUAL", description="个人")


@strawberry.enum(description="Status of a red partner in its directory")
class PartnerStatus(Enum):
    APPLIED = strawberry.enum_value("APPLIED", description="申请中")
    APPROVED = strawberry.enum_value("APPROVED", description="已入库")
    SUSPENDED = strawberry.enum_value("SUSPENDED", description="暂停")
    WITHDRAWN = strawberry.enum_value("WITHDRAWN", description="退出")


@strawberry.enum(description="A change of a partner's status")
class PartnerAction(Enum):
    APPROVE = strawberry.enum_value("APPROVE", description="审核入库")
    SUSPEND = strawberry.enum_value("SUSPEND", description="暂停")
    REINSTATE = strawberry.enum_value("REINSTATE", description="恢复")
    WITHDRAW = strawberry.enum_value("WITHDRAW", description="退出")


@strawberry.enum(description="Which directory a partner is in")
class DirectoryLevel(Enum):
    DISTRICT = strawberry.enum_value("DISTRICT", description="区级名录")
    STREET = strawberry.enum_value("STREET", description="街道子库")


@strawberry.enum(description="State of a partner project (党建民生项目)")
class PartnerProjectState(Enum):
    DRAFT = strawberry.enum_value("DRAFT", description="草稿")
    OPEN = strawberry.enum_value("OPEN", description="认领中")
    FULLY_CLAIMED = strawberry.enum_value("FULLY_CLAIMED", description="已认满")
    IN_DELIVERY = strawberry.enum_value("IN_DELIVERY", description="实施中")
    DELIVERED = strawberry.enum_value("DELIVERED", description="已交付")
    CONFIRMED = strawberry.enum_value("CONFIRMED", description="社区确认")
    REJECTED = strawberry.enum_value("REJECTED", description="社区驳回")
    CLOSED = strawberry.enum_value("CLOSED", description="已结项")
    CANCELLED = strawberry.enum_value("CANCELLED", description="已取消")


@strawberry.enum(description="An action of the owning community or grid on a project")
class PartnerProjectAction(Enum):
    OPEN = strawberry.enum_value("OPEN", description="发布认领")
    START_DELIVERY = strawberry.enum_value("START_DELIVERY", description="开始实施")
    CONFIRM = strawberry.enum_value("CONFIRM", description="确认交付 (grants points)")
    REJECT = strawberry.enum_value("REJECT", description="驳回交付 (with a reason)")
    REDO = strawberry.enum_value("REDO", description="重新实施")
    CLOSE = strawberry.enum_value("CLOSE", description="结项")
    CANCEL = strawberry.enum_value("CANCEL", description="取消")


@strawberry.enum(description="Status of a partner's claim")
class ClaimStatus(Enum):
    ACTIVE = strawberry.enum_value("ACTIVE", description="已认领")
    WITHDRAWN = strawberry.enum_value("WITHDRAWN", description="已撤回")
    DELIVERED = strawberry.enum_value("DELIVERED", description="已报告交付")


@strawberry.enum(description="An account of the points ledger")
class PointsAccount(Enum):
    PARTNER_POINTS = strawberry.enum_value("PARTNER_POINTS", description="红色合伙人积分")
    PARTY_POINTS = strawberry.enum_value("PARTY_POINTS", description="党员积分 (学习/服务)")
    SERVICE_HOURS = strawberry.enum_value("SERVICE_HOURS", description="爱心银行 志愿服务时长")


@strawberry.enum(description="Where a ledger entry comes from")
class PointsSource(Enum):
    DELIVERY = strawberry.enum_value("DELIVERY", description="项目交付确认")
    AWARD = strawberry.enum_value("AWARD", description="红色创新奖")
    STUDY = strawberry.enum_value("STUDY", description="学习")
    SERVICE = strawberry.enum_value("SERVICE", description="服务")
    EXCHANGE = strawberry.enum_value("EXCHANGE", description="兑换")
    ADJUSTMENT = strawberry.enum_value("ADJUSTMENT", description="调整")


@strawberry.enum(description="Stage of a 红色创新奖 record")
class AwardStage(Enum):
    NOMINATED = strawberry.enum_value("NOMINATED", description="提名")
    AWARDED = strawberry.enum_value("AWARDED", description="获奖")


@strawberry.type(description="A partner's contact; masked outside the managing units")
class PartnerContact:
    name: str
    phone: str
    role: str


@strawberry.type(description="A resource a partner offers (资源清单)")
class PartnerResource:
    item: strawberry.Private[ResourceItem]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return global_id("PartnerResource", self.item.id)

    @strawberry.field
    def partner_id(self) -> strawberry.ID:
        return global_id("Partner", self.item.partner_id)

    @strawberry.field
    def partner_name(self) -> str:
        return self.item.partner_name

    @strawberry.field
    def partner_status(self) -> PartnerStatus:
        return PartnerStatus(self.item.partner_status)

    @strawberry.field
    def category(self) -> str:
        return self.item.category

    @strawberry.field
    def description(self) -> str:
        return self.item.description

    @strawberry.field
    def quantity(self) -> int | None:
        return int(self.item.quantity) if self.item.quantity is not None else None

    @strawberry.field
    def availability(self) -> str | None:
        return self.item.availability


@strawberry.type(description="红色合伙人: an enterprise, social organisation or individual partner")
class Partner(Node):
    item: strawberry.Private[PartnerItem]

    @classmethod
    def of(cls, item: PartnerItem) -> Partner:
        return cls(id=global_id("Partner", item.id), item=item)

    @strawberry.field
    def name(self) -> str:
        return self.item.name

    @strawberry.field
    def kind(self) -> PartnerKind:
        return PartnerKind(self.item.kind)

    @strawberry.field
    def status(self) -> PartnerStatus:
        return PartnerStatus(self.item.status)

    @strawberry.field
    def status_reason(self) -> str | None:
        return self.item.status_reason

    @strawberry.field
    def description(self) -> str | None:
        return self.item.description

    @strawberry.field
    def directory_level(self) -> DirectoryLevel:
        return DirectoryLevel(self.item.directory_level)

    @strawberry.field(description="The district (名录) or street (子库) whose directory it is in")
    def directory_unit_id(self) -> strawberry.ID:
        return global_id("OrgUnit", self.item.directory_unit_id)

    @strawberry.field
    def agreement_start(self) -> str | None:
        return self.item.agreement_start

    @strawberry.field
    def agreement_end(self) -> str | None:
        return self.item.agreement_end

    @strawberry.field(description="Categories of the resources it offers")
    def categories(self) -> list[str]:
        return list(self.item.categories or [])

    @strawberry.field(
        description="Full to the managing units and the communities it works for; masked else"
    )
    def contacts(self, info: Info) -> list[PartnerContact]:
        full = partner_access.sees_contacts(info.context.actor, self.item)
        return [
            PartnerContact(
                name=c["name"] if full else mask_name(c["name"]),
                phone=c["phone"] if full else mask_phone(c["phone"]),
                role=c.get("role", ""),
            )
            for c in self.item.contacts or []
        ]

    @strawberry.field(description="What the partner offers (one Query on its partition)")
    def resources(self) -> list[PartnerResource]:
        from api.services.partners import partner_resources

        return [PartnerResource(item=r) for r in partner_resources(self.item.id)]


@strawberry.type(description="A need published by a community or grid (需求清单)")
class PartnerNeed(Node):
    item: strawberry.Private[NeedItem]

    @classmethod
    def of(cls, item: NeedItem) -> PartnerNeed:
        return cls(id=global_id("PartnerNeed", item.id), item=item)

    @strawberry.field
    def title(self) -> str:
        return self.item.title

    @strawberry.field
    def description(self) -> str:
        return self.item.description

    @strawberry.field
    def category(self) -> str:
        return self.item.category

    @strawberry.field
    def quantity(self) -> int:
        return int(self.item.quantity)

    @strawberry.field
    def unit_name(self) -> str:
        return self.item.unit_name

    @strawberry.field
    def project_id(self) -> strawberry.ID | None:
        return global_id("PartnerProject", self.item.project_id) if self.item.project_id else None

    @strawberry.field
    def created_at(self) -> str:
        return self.item.created_at


@strawberry.type(description="A partner's claim on a project (认领), with its delivery report")
class PartnerClaim:
    item: strawberry.Private[ClaimItem]

    @strawberry.field
    def project_id(self) -> strawberry.ID:
        return global_id("PartnerProject", self.item.project_id)

    @strawberry.field
    def project_title(self) -> str:
        return self.item.project_title

    @strawberry.field
    def partner_id(self) -> strawberry.ID:
        return global_id("Partner", self.item.partner_id)

    @strawberry.field
    def partner_name(self) -> str:
        return self.item.partner_name

    @strawberry.field
    def status(self) -> ClaimStatus:
        return ClaimStatus(self.item.status)

    @strawberry.field
    def claimed_at(self) -> str:
        return self.item.claimed_at

    @strawberry.field
    def withdrawn_at(self) -> str | None:
        return self.item.withdrawn_at

    @strawberry.field
    def delivered_at(self) -> str | None:
        return self.item.delivered_at

    @strawberry.field
    def notes(self) -> str | None:
        return self.item.notes

    @strawberry.field
    def attachment_keys(self) -> list[str]:
        return list(self.item.attachment_keys or [])

    @strawberry.field(description="Points granted when the community confirmed the delivery")
    def points(self) -> int | None:
        return int(self.item.points) if self.item.points is not None else None


@strawberry.type(description="A partner project (项目清单) made from needs, with a capacity")
class PartnerProject(Node):
    item: strawberry.Private[ProjectItem]
    claim_items: strawberry.Private[list[ClaimItem] | None] = None

    @classmethod
    def of(cls, item: ProjectItem, claims: list[ClaimItem] | None = None) -> PartnerProject:
        return cls(id=global_id("PartnerProject", item.id), item=item, claim_items=claims)

    files = project_files_field

    @strawberry.field
    def title(self) -> str:
        return self.item.title

    @strawberry.field
    def description(self) -> str:
        return self.item.description

    @strawberry.field
    def category(self) -> str:
        return self.item.category

    @strawberry.field
    def state(self) -> PartnerProjectState:
        return PartnerProjectState(self.item.state)

    @strawberry.field(description="The community or grid that owns it")
    def unit_name(self) -> str:
        return self.item.unit_name

    @strawberry.field
    def unit_id(self) -> strawberry.ID:
        return global_id("OrgUnit", self.item.unit_id)

    @strawberry.field
    def need_ids(self) -> list[strawberry.ID]:
        return [global_id("PartnerNeed", n) for n in self.item.need_ids or []]

    @strawberry.field
    def starts_on(self) -> str | None:
        return self.item.starts_on

    @strawberry.field
    def ends_on(self) -> str | None:
        return self.item.ends_on

    @strawberry.field(description="How many partners may claim it (1: exclusive)")
    def capacity(self) -> int:
        return int(self.item.capacity)

    @strawberry.field
    def claimed(self) -> int:
        return int(self.item.claimed or 0)

    @strawberry.field
    def slots_left(self) -> int:
        return int(self.item.slots_left)

    @strawberry.field
    def reject_reason(self) -> str | None:
        return self.item.reject_reason

    @strawberry.field(description="Points each delivering partner gets on confirmation")
    def points_per_partner(self) -> int:
        return int(self.item.points_per_partner or 0)

    @strawberry.field
    def updated_at(self) -> str:
        return self.item.updated_at

    @strawberry.field(description="Claims, withdrawn ones included (one Query if not loaded)")
    def claims(self) -> list[PartnerClaim]:
        if self.claim_items is None:
            from api.services.partner_projects import project_claims

            self.claim_items = project_claims(self.item.id)
        return [PartnerClaim(item=c) for c in self.claim_items]


@strawberry.type(description="A community's three lists: resources, needs and projects")
class CommunityLists:
    resources: list[PartnerResource]
    needs: list[PartnerNeed]
    projects: list[PartnerProject]


@strawberry.type(description="A 红色创新奖 nomination or award")
class PartnerAward:
    item: strawberry.Private[AwardItem]

    @strawberry.field
    def partner_id(self) -> strawberry.ID:
        return global_id("Partner", self.item.partner_id)

    @strawberry.field
    def partner_name(self) -> str:
        return self.item.partner_name

    @strawberry.field
    def year(self) -> int:
        return int(self.item.year)

    @strawberry.field
    def stage(self) -> AwardStage:
        return AwardStage(self.item.stage)

    @strawberry.field
    def citation(self) -> str:
        return self.item.citation

    @strawberry.field
    def awarded_at(self) -> str | None:
        return self.item.awarded_at


@strawberry.type(description="One entry of the points ledger (append-only)")
class PointsEntry:
    item: strawberry.Private[LedgerEntryItem]

    @strawberry.field
    def amount(self) -> int:
        return int(self.item.amount)

    @strawberry.field
    def source(self) -> PointsSource:
        return PointsSource(self.item.source)

    @strawberry.field
    def reason(self) -> str:
        return self.item.reason

    @strawberry.field
    def at(self) -> str:
        return self.item.at

    @strawberry.field
    def idempotency_key(self) -> str:
        return self.item.idempotency_key


@strawberry.type(description="A holder's standing on a leaderboard")
class PointsStanding:
    item: strawberry.Private[AccountItem]
    full_name: strawberry.Private[bool]

    @strawberry.field
    def holder_id(self) -> strawberry.ID:
        kind = "Partner" if self.item.account == "PARTNER_POINTS" else "Person"
        return global_id(kind, self.item.holder_id)

    @strawberry.field(description="Partners by name; people masked outside staff in scope")
    def holder_name(self) -> str:
        return self.item.holder_name if self.full_name else mask_name(self.item.holder_name)

    @strawberry.field
    def balance(self) -> int:
        return int(self.item.balance or 0)

    @strawberry.field
    def earned(self) -> int:
        return int(self.item.earned or 0)
