"""GraphQL types of red partners (红色合伙人) and the points ledger."""

from __future__ import annotations

from enum import Enum

import strawberry

from api.domain.ledger import HOLDER_OF, AccountKind, EntrySource, HolderKind
from api.domain.partners import ClaimStatus as DomainClaimStatus
from api.domain.partners import PartnerAction as DomainPartnerAction
from api.domain.partners import PartnerKind as DomainPartnerKind
from api.domain.partners import PartnerStatus as DomainPartnerStatus
from api.domain.partners import ProjectAction, ProjectState
from api.domain.people import mask_name, mask_phone
from api.records.ledger import AccountRecord, EntryRecord
from api.records.partner import (
    AwardRecord,
    ClaimRecord,
    NeedRecord,
    PartnerRecord,
    ProjectRecord,
    ResourceRecord,
)
from api.services import partner_access
from schema.attachment_types import project_files_field
from schema.context import Info
from schema.enums import described_enum
from schema.node import Node, global_id, node_loader

described_enum(
    DomainPartnerKind,
    "PartnerKind",
    "Kind of red partner",
    {
        DomainPartnerKind.ENTERPRISE: "企业",
        DomainPartnerKind.SOCIAL_ORGANISATION: "社会组织",
        DomainPartnerKind.INDIVIDUAL: "个人",
    },
)
PartnerKind = DomainPartnerKind


described_enum(
    DomainPartnerStatus,
    "PartnerStatus",
    "Status of a red partner in its directory",
    {
        DomainPartnerStatus.APPLIED: "申请中",
        DomainPartnerStatus.APPROVED: "已入库",
        DomainPartnerStatus.SUSPENDED: "暂停",
        DomainPartnerStatus.WITHDRAWN: "退出",
    },
)
PartnerStatus = DomainPartnerStatus


described_enum(
    DomainPartnerAction,
    "PartnerAction",
    "A change of a partner's status",
    {
        DomainPartnerAction.APPROVE: "审核入库",
        DomainPartnerAction.SUSPEND: "暂停",
        DomainPartnerAction.REINSTATE: "恢复",
        DomainPartnerAction.WITHDRAW: "退出",
    },
)
PartnerAction = DomainPartnerAction


@strawberry.enum(description="Which directory a partner is in")
class DirectoryLevel(Enum):
    DISTRICT = strawberry.enum_value("DISTRICT", description="区级名录")
    STREET = strawberry.enum_value("STREET", description="街道子库")


described_enum(
    ProjectState,
    "PartnerProjectState",
    "State of a partner project (党建民生项目)",
    {
        ProjectState.DRAFT: "草稿",
        ProjectState.OPEN: "认领中",
        ProjectState.FULLY_CLAIMED: "已认满",
        ProjectState.IN_DELIVERY: "实施中",
        ProjectState.DELIVERED: "已交付",
        ProjectState.CONFIRMED: "社区确认",
        ProjectState.REJECTED: "社区驳回",
        ProjectState.CLOSED: "已结项",
        ProjectState.CANCELLED: "已取消",
    },
)
PartnerProjectState = ProjectState


described_enum(
    ProjectAction,
    "PartnerProjectAction",
    "An action of the owning community or grid on a project",
    {
        ProjectAction.OPEN: "发布认领",
        ProjectAction.START_DELIVERY: "开始实施",
        ProjectAction.CONFIRM: "确认交付 (grants points)",
        ProjectAction.REJECT: "驳回交付 (with a reason)",
        ProjectAction.REDO: "重新实施",
        ProjectAction.CLOSE: "结项",
        ProjectAction.CANCEL: "取消",
    },
)
PartnerProjectAction = ProjectAction


described_enum(
    DomainClaimStatus,
    "ClaimStatus",
    "Status of a partner's claim",
    {
        DomainClaimStatus.ACTIVE: "已认领",
        DomainClaimStatus.WITHDRAWN: "已撤回",
        DomainClaimStatus.DELIVERED: "已报告交付",
    },
)
ClaimStatus = DomainClaimStatus


described_enum(
    AccountKind,
    "PointsAccount",
    "An account of the points ledger",
    {
        AccountKind.PARTNER_POINTS: "红色合伙人积分",
        AccountKind.PARTY_POINTS: "党员积分 (学习/服务)",
        AccountKind.SERVICE_HOURS: "爱心银行 志愿服务时长",
    },
)
PointsAccount = AccountKind


described_enum(
    EntrySource,
    "PointsSource",
    "Where a ledger entry comes from",
    {
        EntrySource.DELIVERY: "项目交付确认",
        EntrySource.AWARD: "红色创新奖",
        EntrySource.STUDY: "学习",
        EntrySource.SERVICE: "服务",
        EntrySource.EXCHANGE: "兑换",
        EntrySource.ADJUSTMENT: "调整",
    },
)
PointsSource = EntrySource


@strawberry.enum(description="Stage of a 红色创新奖 record")
class AwardStage(Enum):
    NOMINATED = strawberry.enum_value("NOMINATED", description="提名")
    AWARDED = strawberry.enum_value("AWARDED", description="获奖")


@strawberry.type(description="A partner's contact; masked outside the managing units")
class PartnerContact:
    name: str = strawberry.field(description="Contact person (masked: first character only)")
    phone: str = strawberry.field(description="Phone number (masked: middle digits hidden)")
    role: str = strawberry.field(description="The contact's role at the partner (职务)")


@strawberry.type(description="A resource a partner offers (资源清单)")
class PartnerResource:
    id: strawberry.ID = strawberry.field(description="Global id of the resource")
    partner_id: strawberry.ID = strawberry.field(description="The partner offering it")
    partner_name: str = strawberry.field(description="The partner's name")
    partner_status: PartnerStatus = strawberry.field(description="The partner's status")
    category: str = strawberry.field(description="Resource category (资源类别)")
    description: str = strawberry.field(description="What is offered")
    quantity: int | None = strawberry.field(description="How much, if counted")
    availability: str | None = strawberry.field(description="When it is available")

    @classmethod
    def of(cls, record: ResourceRecord) -> PartnerResource:
        return cls(
            id=global_id("PartnerResource", record.id),
            partner_id=global_id("Partner", record.partner_id),
            partner_name=record.partner_name,
            partner_status=PartnerStatus(record.partner_status.value),
            category=record.category,
            description=record.description,
            quantity=record.quantity,
            availability=record.availability,
        )


@strawberry.type(description="红色合伙人: an enterprise, social organisation or individual partner")
class Partner(Node):
    name: str = strawberry.field(description="The partner's name")
    kind: PartnerKind = strawberry.field(description="Enterprise, social organisation or person")
    status: PartnerStatus = strawberry.field(description="Status in its directory")
    status_reason: str | None = strawberry.field(description="Why it was suspended or withdrawn")
    description: str | None = strawberry.field(description="What the partner is and does")
    directory_level: DirectoryLevel = strawberry.field(
        description="District directory (名录) or street sub-directory (子库)"
    )
    directory_unit_id: strawberry.ID = strawberry.field(
        description="The district (名录) or street (子库) whose directory it is in"
    )
    agreement_start: str | None = strawberry.field(description="Start of its agreement (协议)")
    agreement_end: str | None = strawberry.field(description="End of its agreement (协议)")
    categories: list[str] = strawberry.field(description="Categories of the resources it offers")
    record: strawberry.Private[PartnerRecord]

    @classmethod
    def of(cls, record: PartnerRecord) -> Partner:
        return cls(
            id=global_id("Partner", record.id),
            name=record.name,
            kind=PartnerKind(record.kind.value),
            status=PartnerStatus(record.status.value),
            status_reason=record.status_reason,
            description=record.description,
            directory_level=DirectoryLevel(record.directory_level.value),
            directory_unit_id=global_id("OrgUnit", record.directory_unit_id),
            agreement_start=record.agreement_start,
            agreement_end=record.agreement_end,
            categories=list(record.categories),
            record=record,
        )

    @strawberry.field(
        description="Full to the managing units and the communities it works for; masked else"
    )
    def contacts(self, info: Info) -> list[PartnerContact]:
        full = partner_access.sees_contacts(info.context.actor, self.record)
        return [
            PartnerContact(
                name=c.name if full else mask_name(c.name),
                phone=c.phone if full else mask_phone(c.phone),
                role=c.role,
            )
            for c in self.record.contacts
        ]

    @strawberry.field(
        description="What the partner offers (资源清单); a page of partners gets every "
        "resource in one batched read"
    )
    async def resources(self, info: Info) -> list[PartnerResource]:
        found = await info.context.partner_loaders.resources.load(self.record)
        return [PartnerResource.of(r) for r in found]


@node_loader("Partner")
async def load_partner(info: Info, raw_id: str) -> Partner | None:
    """``node(id:)`` of a partner (public)."""
    found = await info.context.partner_loaders.partners.load(raw_id)
    return Partner.of(found) if found else None


@strawberry.type(description="A need published by a community or grid (需求清单)")
class PartnerNeed(Node):
    title: str = strawberry.field(description="Short title of the need")
    description: str = strawberry.field(description="What residents need")
    category: str = strawberry.field(description="Resource category it asks for")
    quantity: int = strawberry.field(description="How much is needed")
    unit_name: str = strawberry.field(description="The community or grid that published it")
    project_id: strawberry.ID | None = strawberry.field(
        description="The project it was made into, if any"
    )
    created_at: str = strawberry.field(description="When it was published")

    @classmethod
    def of(cls, record: NeedRecord) -> PartnerNeed:
        return cls(
            id=global_id("PartnerNeed", record.id),
            title=record.title,
            description=record.description,
            category=record.category,
            quantity=record.quantity,
            unit_name=record.unit_name,
            project_id=global_id("PartnerProject", record.project_id)
            if record.project_id
            else None,
            created_at=record.created_at,
        )


@node_loader("PartnerNeed")
async def load_need(info: Info, raw_id: str) -> PartnerNeed | None:
    """``node(id:)`` of a need (public)."""
    found = await info.context.partner_loaders.needs.load(raw_id)
    return PartnerNeed.of(found) if found else None


@strawberry.type(description="A partner's claim on a project (认领), with its delivery report")
class PartnerClaim:
    project_id: strawberry.ID = strawberry.field(description="The project claimed")
    project_title: str = strawberry.field(description="The project's title")
    partner_id: strawberry.ID = strawberry.field(description="The claiming partner")
    partner_name: str = strawberry.field(description="The claiming partner's name")
    status: ClaimStatus = strawberry.field(description="Active, withdrawn or delivered")
    claimed_at: str = strawberry.field(description="When it was claimed")
    withdrawn_at: str | None = strawberry.field(description="When it was withdrawn")
    delivered_at: str | None = strawberry.field(description="When delivery was reported")
    notes: str | None = strawberry.field(description="The delivery report (交付说明)")
    attachment_keys: list[str] = strawberry.field(
        description="Object keys of the delivery report's attachments"
    )
    points: int | None = strawberry.field(
        description="Points granted when the community confirmed the delivery"
    )

    @classmethod
    def of(cls, record: ClaimRecord) -> PartnerClaim:
        return cls(
            project_id=global_id("PartnerProject", record.project_id),
            project_title=record.project_title,
            partner_id=global_id("Partner", record.partner_id),
            partner_name=record.partner_name,
            status=ClaimStatus(record.status.value),
            claimed_at=record.claimed_at,
            withdrawn_at=record.withdrawn_at,
            delivered_at=record.delivered_at,
            notes=record.notes,
            attachment_keys=list(record.attachment_keys),
            points=record.points,
        )


@strawberry.type(description="A partner project (项目清单) made from needs, with a capacity")
class PartnerProject(Node):
    title: str = strawberry.field(description="Short title of the project")
    description: str = strawberry.field(description="What the project delivers")
    category: str = strawberry.field(description="Resource category it needs")
    state: PartnerProjectState = strawberry.field(description="Where it is in its life cycle")
    unit_name: str = strawberry.field(description="The community or grid that owns it")
    unit_id: strawberry.ID = strawberry.field(description="The owning community or grid")
    need_ids: list[strawberry.ID] = strawberry.field(description="The needs it was made from")
    starts_on: str | None = strawberry.field(description="Planned first day")
    ends_on: str | None = strawberry.field(description="Planned last day")
    capacity: int = strawberry.field(description="How many partners may claim it (1: exclusive)")
    claimed: int = strawberry.field(description="Active claims")
    slots_left: int = strawberry.field(description="Claims it still takes")
    reject_reason: str | None = strawberry.field(description="Why the delivery was rejected")
    points_per_partner: int = strawberry.field(
        description="Points each delivering partner gets on confirmation"
    )
    updated_at: str = strawberry.field(description="When it last changed")
    record: strawberry.Private[ProjectRecord]

    @classmethod
    def of(cls, record: ProjectRecord) -> PartnerProject:
        return cls(
            id=global_id("PartnerProject", record.id),
            title=record.title,
            description=record.description,
            category=record.category,
            state=PartnerProjectState(record.state.value),
            unit_name=record.unit_name,
            unit_id=global_id("OrgUnit", record.unit_id),
            need_ids=[global_id("PartnerNeed", n) for n in record.need_ids],
            starts_on=record.starts_on,
            ends_on=record.ends_on,
            capacity=record.capacity,
            claimed=record.claimed,
            slots_left=record.slots_left,
            reject_reason=record.reject_reason,
            points_per_partner=record.points_per_partner,
            updated_at=record.updated_at,
            record=record,
        )

    files = project_files_field

    @strawberry.field(
        description="Claims, withdrawn ones included; a page of projects gets every claim in "
        "one batched read"
    )
    async def claims(self, info: Info) -> list[PartnerClaim]:
        found = await info.context.partner_loaders.claims.load(self.record)
        return [PartnerClaim.of(c) for c in found]


@node_loader("PartnerProject")
async def load_project(info: Info, raw_id: str) -> PartnerProject | None:
    """``node(id:)`` of a project (public)."""
    found = await info.context.partner_loaders.projects.load(raw_id)
    return PartnerProject.of(found) if found else None


@strawberry.type(description="A community's three lists: resources, needs and projects")
class CommunityLists:
    resources: list[PartnerResource] = strawberry.field(
        description="资源清单: resources of approved partners of its street and district"
    )
    needs: list[PartnerNeed] = strawberry.field(description="需求清单: its needs, newest first")
    projects: list[PartnerProject] = strawberry.field(
        description="项目清单: its projects, newest first (cancelled ones included)"
    )


@strawberry.type(description="A 红色创新奖 nomination or award")
class PartnerAward:
    partner_id: strawberry.ID = strawberry.field(description="The nominated partner")
    partner_name: str = strawberry.field(description="The nominated partner's name")
    year: int = strawberry.field(description="The award year")
    stage: AwardStage = strawberry.field(description="Nominated or awarded")
    citation: str = strawberry.field(description="Why (事迹)")
    awarded_at: str | None = strawberry.field(description="When the district awarded it")

    @classmethod
    def of(cls, record: AwardRecord) -> PartnerAward:
        return cls(
            partner_id=global_id("Partner", record.partner_id),
            partner_name=record.partner_name,
            year=record.year,
            stage=AwardStage(record.stage),
            citation=record.citation,
            awarded_at=record.awarded_at,
        )


@strawberry.type(description="One entry of the points ledger (append-only)")
class PointsEntry:
    amount: int = strawberry.field(description="Points or hours: positive earned, negative spent")
    source: PointsSource = strawberry.field(description="Where the entry comes from")
    reason: str = strawberry.field(description="Why it was recorded")
    at: str = strawberry.field(description="When it was recorded")
    idempotency_key: str = strawberry.field(
        description="The key that makes a retried posting record nothing new"
    )

    @classmethod
    def of(cls, record: EntryRecord) -> PointsEntry:
        return cls(
            amount=record.amount,
            source=PointsSource(record.source.value),
            reason=record.reason,
            at=record.at,
            idempotency_key=record.idempotency_key,
        )


@strawberry.type(description="A holder's standing on a leaderboard")
class PointsStanding:
    holder_id: strawberry.ID = strawberry.field(description="A Partner or a Person")
    holder_name: str = strawberry.field(
        description="Partners by name; people masked outside staff in scope"
    )
    balance: int = strawberry.field(description="Current balance")
    earned: int = strawberry.field(description="Everything earned so far")

    @classmethod
    def of(cls, record: AccountRecord, full_name: bool) -> PointsStanding:
        partner = HOLDER_OF[record.account] is HolderKind.PARTNER
        return cls(
            holder_id=global_id("Partner" if partner else "Person", record.holder_id),
            holder_name=record.holder_name if full_name else mask_name(record.holder_name),
            balance=record.balance,
            earned=record.earned,
        )
