"""Records of red partners (红色合伙人): partners, resources, needs, projects, claims, awards."""

from __future__ import annotations

from dataclasses import dataclass

from api.domain.org import OrgKind
from api.domain.partners import ClaimStatus, Contact, PartnerKind, PartnerStatus, ProjectState


@dataclass(frozen=True, slots=True)
class PartnerRecord:
    id: str
    kind: PartnerKind
    name: str
    status: PartnerStatus
    status_reason: str | None
    description: str | None
    directory_unit_id: str  # the district (名录) or a street (子库)
    directory_level: OrgKind  # DISTRICT or STREET
    directory_path: str
    district_id: str
    contacts: tuple[Contact, ...]
    agreement_start: str | None
    agreement_end: str | None
    categories: tuple[str, ...]  # categories of its resources, for filters
    representative_ids: tuple[str, ...]  # people who act for the partner
    # Paths of the communities it has claimed projects of: those units see its contacts.
    served_paths: frozenset[str]
    # The ids of its resources, so a page of partners batch-gets them (None: an item written
    # before the ids were carried, whose resources are found by a Query on its partition).
    resource_ids: tuple[str, ...] | None
    resource_count: int
    created_at: str
    updated_at: str
    version: int


@dataclass(frozen=True, slots=True)
class ResourceRecord:
    """A resource a partner offers (资源清单); carries the partner's name and status."""

    id: str
    partner_id: str
    partner_name: str
    partner_status: PartnerStatus
    category: str
    description: str
    quantity: int | None
    availability: str | None
    directory_unit_id: str
    created_at: str
    version: int


@dataclass(frozen=True, slots=True)
class NeedRecord:
    """A need a community or grid publishes (需求清单)."""

    id: str
    unit_id: str
    unit_name: str
    unit_path: str
    community_id: str
    category: str
    title: str
    description: str
    quantity: int
    project_id: str | None
    created_by: str | None
    created_at: str
    version: int


@dataclass(frozen=True, slots=True)
class ProjectRecord:
    """A partner project (项目清单) with its claim counters."""

    id: str
    title: str
    description: str
    category: str
    unit_id: str
    unit_name: str
    unit_path: str
    community_id: str
    street_id: str
    district_id: str
    need_ids: tuple[str, ...]
    starts_on: str | None
    ends_on: str | None
    capacity: int
    claimed: int  # active claims
    slots_left: int  # capacity - claimed
    delivered: int  # claims whose delivery is reported
    state: ProjectState
    reject_reason: str | None
    points_per_partner: int
    # Every partner that ever claimed it (withdrawn ones too), so claims are batch-got
    # (None: an item written before the ids were carried; its claims need a Query).
    claimant_ids: tuple[str, ...] | None
    created_by: str | None
    created_at: str
    updated_at: str
    version: int


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """A partner's claim on a project (认领), with its delivery report."""

    project_id: str
    project_title: str
    partner_id: str
    partner_name: str
    community_id: str
    status: ClaimStatus
    claimed_at: str
    claimed_by: str | None
    withdrawn_at: str | None
    delivered_at: str | None
    notes: str | None
    attachment_keys: tuple[str, ...]
    points: int | None
    version: int


@dataclass(frozen=True, slots=True)
class AwardRecord:
    """A nomination for a year's 红色创新奖, and the award once decided."""

    partner_id: str
    partner_name: str
    district_id: str
    year: int
    stage: str  # NOMINATED, AWARDED
    citation: str
    nominated_by: str | None
    nominated_at: str
    awarded_at: str | None
    version: int


@dataclass(frozen=True, slots=True)
class CommunityLists:
    """资源清单, 需求清单, 项目清单 of a community."""

    resources: list[ResourceRecord]
    needs: list[NeedRecord]
    projects: list[ProjectRecord]
