"""Partner, resource, need, project, claim and award items ⇄ records (with their index keys)."""

from __future__ import annotations

from typing import Any, TypeVar

from api.domain.org import OrgKind
from api.domain.partners import ClaimStatus, Contact, PartnerKind, PartnerStatus, ProjectState
from api.records.partner import (
    AwardRecord,
    ClaimRecord,
    NeedRecord,
    PartnerRecord,
    ProjectRecord,
    ResourceRecord,
)
from api.store.models import Item
from api.store.partner_models import (
    AwardItem,
    ClaimItem,
    NeedItem,
    PartnerItem,
    ProjectItem,
    ResourceItem,
    all_partners_pk,
    award_key,
    claim_key,
    directory_pk,
    lists_pk,
    need_key,
    partner_awards_pk,
    partner_claims_pk,
    partner_key,
    project_gsi2sk,
    project_key,
    resource_key,
    resources_pk,
    street_projects_pk,
)

I = TypeVar("I", bound=Item)  # noqa: E741


def at_version(item: I, version: int) -> I:
    """The item at the version it was read at (a put or update is conditioned on it); 0: new."""
    if version:
        item.version = version
    return item


def _int(value: Any) -> int:
    return int(value or 0)


def _child_ids(carried: bool | None, ids: set[str] | None) -> tuple[str, ...] | None:
    # Sorted: the order a Query on the partition would give (sort keys end with the id).
    return tuple(sorted(ids or ())) if carried else None


def contacts_to_json(contacts: tuple[Contact, ...]) -> list[dict[str, str]]:
    return [{"name": c.name, "phone": c.phone, "role": c.role} for c in contacts]


def contacts_from_json(data: list[dict[str, str]] | None) -> tuple[Contact, ...]:
    return tuple(Contact(c["name"], c["phone"], c.get("role", "")) for c in data or [])


def partner_record(item: PartnerItem) -> PartnerRecord:
    return PartnerRecord(
        id=item.id,
        kind=PartnerKind(item.kind),
        name=item.name,
        status=PartnerStatus(item.status),
        status_reason=item.status_reason,
        description=item.description,
        directory_unit_id=item.directory_unit_id,
        directory_level=OrgKind(item.directory_level),
        directory_path=item.directory_path,
        district_id=item.district_id,
        contacts=contacts_from_json(item.contacts),
        agreement_start=item.agreement_start,
        agreement_end=item.agreement_end,
        categories=tuple(item.categories or ()),
        representative_ids=tuple(item.representative_ids or ()),
        served_paths=frozenset(item.served_paths or ()),
        resource_ids=_child_ids(item.carries_child_ids, item.resource_ids),
        resource_count=_int(item.resource_count),
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=_int(item.version),
    )


def new_partner_item(partner: PartnerRecord) -> PartnerItem:
    """The item of a partner being registered (no resources, no version yet)."""
    sort_key = f"{partner.name}#{partner.id}"
    return PartnerItem(
        *partner_key(partner.id),
        id=partner.id,
        kind=partner.kind.value,
        name=partner.name,
        status=partner.status.value,
        status_reason=partner.status_reason,
        description=partner.description,
        directory_unit_id=partner.directory_unit_id,
        directory_level=partner.directory_level.value,
        directory_path=partner.directory_path,
        district_id=partner.district_id,
        contacts=contacts_to_json(partner.contacts),
        agreement_start=partner.agreement_start,
        agreement_end=partner.agreement_end,
        categories=list(partner.categories),
        representative_ids=list(partner.representative_ids),
        resource_count=0,
        carries_child_ids=True,
        created_at=partner.created_at,
        updated_at=partner.updated_at,
        gsi1pk=directory_pk(partner.directory_unit_id),
        gsi1sk=sort_key,
        gsi2pk=all_partners_pk(partner.district_id),
        gsi2sk=sort_key,
    )


def resource_record(item: ResourceItem) -> ResourceRecord:
    return ResourceRecord(
        id=item.id,
        partner_id=item.partner_id,
        partner_name=item.partner_name,
        partner_status=PartnerStatus(item.partner_status),
        category=item.category,
        description=item.description,
        quantity=int(item.quantity) if item.quantity is not None else None,
        availability=item.availability,
        directory_unit_id=item.directory_unit_id,
        created_at=item.created_at,
        version=_int(item.version),
    )


def resource_item(resource: ResourceRecord) -> ResourceItem:
    return ResourceItem(
        *resource_key(resource.partner_id, resource.id),
        id=resource.id,
        partner_id=resource.partner_id,
        partner_name=resource.partner_name,
        partner_status=resource.partner_status.value,
        category=resource.category,
        description=resource.description,
        quantity=resource.quantity,
        availability=resource.availability,
        directory_unit_id=resource.directory_unit_id,
        created_at=resource.created_at,
        gsi1pk=resources_pk(resource.directory_unit_id),
        gsi1sk=f"{resource.category}#{resource.partner_id}#{resource.id}",
    )


def need_record(item: NeedItem) -> NeedRecord:
    return NeedRecord(
        id=item.id,
        unit_id=item.unit_id,
        unit_name=item.unit_name,
        unit_path=item.unit_path,
        community_id=item.community_id,
        category=item.category,
        title=item.title,
        description=item.description,
        quantity=_int(item.quantity),
        project_id=item.project_id,
        created_by=item.created_by,
        created_at=item.created_at,
        version=_int(item.version),
    )


def need_item(need: NeedRecord) -> NeedItem:
    return NeedItem(
        *need_key(need.id),
        id=need.id,
        unit_id=need.unit_id,
        unit_name=need.unit_name,
        unit_path=need.unit_path,
        community_id=need.community_id,
        category=need.category,
        title=need.title,
        description=need.description,
        quantity=need.quantity,
        project_id=need.project_id,
        created_by=need.created_by,
        created_at=need.created_at,
        gsi1pk=lists_pk(need.community_id),
        gsi1sk=f"NEED#{need.created_at}#{need.id}",
    )


def project_record(item: ProjectItem) -> ProjectRecord:
    return ProjectRecord(
        id=item.id,
        title=item.title,
        description=item.description,
        category=item.category,
        unit_id=item.unit_id,
        unit_name=item.unit_name,
        unit_path=item.unit_path,
        community_id=item.community_id,
        street_id=item.street_id,
        district_id=item.district_id,
        need_ids=tuple(item.need_ids or ()),
        starts_on=item.starts_on,
        ends_on=item.ends_on,
        capacity=_int(item.capacity),
        claimed=_int(item.claimed),
        slots_left=_int(item.slots_left),
        delivered=_int(item.delivered),
        state=ProjectState(item.state),
        reject_reason=item.reject_reason,
        points_per_partner=_int(item.points_per_partner),
        claimant_ids=_child_ids(item.carries_child_ids, item.claimant_ids),
        created_by=item.created_by,
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=_int(item.version),
    )


def project_item(project: ProjectRecord) -> ProjectItem:
    """The whole item of a project; its version is the one it was read at (None when new)."""
    item = ProjectItem(
        *project_key(project.id),
        id=project.id,
        title=project.title,
        description=project.description,
        category=project.category,
        unit_id=project.unit_id,
        unit_name=project.unit_name,
        unit_path=project.unit_path,
        community_id=project.community_id,
        street_id=project.street_id,
        district_id=project.district_id,
        need_ids=list(project.need_ids),
        starts_on=project.starts_on,
        ends_on=project.ends_on,
        capacity=project.capacity,
        claimed=project.claimed,
        slots_left=project.slots_left,
        delivered=project.delivered,
        state=project.state.value,
        reject_reason=project.reject_reason,
        points_per_partner=project.points_per_partner,
        claimant_ids=set(project.claimant_ids or ()) or None,
        carries_child_ids=True if project.claimant_ids is not None else None,
        created_by=project.created_by,
        created_at=project.created_at,
        updated_at=project.updated_at,
        gsi1pk=lists_pk(project.community_id),
        gsi1sk=f"PROJECT#{project.created_at}#{project.id}",
        gsi2pk=street_projects_pk(project.street_id),
        gsi2sk=project_gsi2sk(project.state.value, project.created_at, project.id),
    )
    return at_version(item, project.version)


def claim_record(item: ClaimItem) -> ClaimRecord:
    return ClaimRecord(
        project_id=item.project_id,
        project_title=item.project_title,
        partner_id=item.partner_id,
        partner_name=item.partner_name,
        community_id=item.community_id,
        status=ClaimStatus(item.status),
        claimed_at=item.claimed_at,
        claimed_by=item.claimed_by,
        withdrawn_at=item.withdrawn_at,
        delivered_at=item.delivered_at,
        notes=item.notes,
        attachment_keys=tuple(item.attachment_keys or ()),
        points=int(item.points) if item.points is not None else None,
        version=_int(item.version),
    )


def claim_item(claim: ClaimRecord) -> ClaimItem:
    """The whole item of a claim; its version is the one it was read at (None when new)."""
    item = ClaimItem(
        *claim_key(claim.project_id, claim.partner_id),
        project_id=claim.project_id,
        project_title=claim.project_title,
        partner_id=claim.partner_id,
        partner_name=claim.partner_name,
        community_id=claim.community_id,
        status=claim.status.value,
        claimed_at=claim.claimed_at,
        claimed_by=claim.claimed_by,
        withdrawn_at=claim.withdrawn_at,
        delivered_at=claim.delivered_at,
        notes=claim.notes,
        attachment_keys=list(claim.attachment_keys),
        points=claim.points,
        gsi1pk=partner_claims_pk(claim.partner_id),
        gsi1sk=f"{claim.claimed_at}#{claim.project_id}",
    )
    return at_version(item, claim.version)


def award_record(item: AwardItem) -> AwardRecord:
    return AwardRecord(
        partner_id=item.partner_id,
        partner_name=item.partner_name,
        district_id=item.district_id,
        year=_int(item.year),
        stage=item.stage,
        citation=item.citation,
        nominated_by=item.nominated_by,
        nominated_at=item.nominated_at,
        awarded_at=item.awarded_at,
        version=_int(item.version),
    )


def award_item(award: AwardRecord) -> AwardItem:
    item = AwardItem(
        *award_key(award.district_id, award.year, award.partner_id),
        partner_id=award.partner_id,
        partner_name=award.partner_name,
        district_id=award.district_id,
        year=award.year,
        stage=award.stage,
        citation=award.citation,
        nominated_by=award.nominated_by,
        nominated_at=award.nominated_at,
        awarded_at=award.awarded_at,
        gsi1pk=partner_awards_pk(award.partner_id),
        gsi1sk=f"{award.year}",
    )
    return at_version(item, award.version)
