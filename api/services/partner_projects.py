"""Use cases of needs (需求清单), projects (项目清单), claims (认领) and delivery.

A claim is one transaction, decided by conditions and not by reading first:

- the partner is checked to be APPROVED (condition check on its item);
- the claim item is put if absent (or over a withdrawn claim): one claim per partner;
- the project's counters move only if ``state = OPEN`` and a slot is left. ``slots_left``
  (capacity − claimed) lets the condition be a comparison with a constant: ``slots_left > 1``
  for an ordinary slot, ``slots_left = 1`` for the last one, which also sets FULLY_CLAIMED.

When the transaction is refused the project and claim are re-read consistently to say why
(PROJECT_FULL, PROJECT_NOT_OPEN, ALREADY_CLAIMED, PARTNER_NOT_APPROVED); a lost race on a
project with slots left is simply tried again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pynamodb.exceptions import DoesNotExist

from api.domain.clock import Clock, iso
from api.domain.errors import (
    AlreadyClaimed,
    Conflict,
    DomainError,
    ErrorCode,
    InvalidHierarchy,
    InvalidInput,
    NotFound,
    PartnerNotApproved,
    ProjectFull,
    ProjectNotOpen,
)
from api.domain.ids import new_id
from api.domain.ledger import AccountKind, EntrySource, Posting, delivery_points
from api.domain.org import OrgKind, path_ids
from api.domain.partners import (
    CLAIMABLE,
    NEEDS_PER_PROJECT_MAX,
    WITHDRAWABLE,
    ClaimStatus,
    PartnerStatus,
    ProjectAction,
    ProjectState,
    check_attachment_keys,
    check_capacity,
    check_category,
    check_dates,
    check_quantity,
    check_text,
    check_title,
    next_project_state,
)
from api.domain.roles import Permission
from api.services import ledger, org_units, partner_access
from api.services.actor import Actor
from api.services.partners import require_partner
from api.store.db import Db
from api.store.partner_models import (
    ClaimItem,
    NeedItem,
    PartnerItem,
    ProjectItem,
    claim_key,
    lists_pk,
    need_key,
    partner_claims_pk,
    project_gsi2sk,
    project_key,
    street_projects_pk,
)

CLAIM_ATTEMPTS = 8
PUBLISHING_KINDS = (OrgKind.COMMUNITY, OrgKind.GRID)


def _community_of(unit_path: str) -> tuple[str, str, str]:
    ids = path_ids(unit_path)
    return ids[0], ids[1], ids[2]  # district, street, community


def _publishing_unit(unit_id: str) -> Any:
    unit = org_units.require_unit(unit_id, field="unitId")
    if unit.kind not in PUBLISHING_KINDS:
        raise InvalidHierarchy("Needs and projects belong to a community or a grid", field="unitId")
    return unit


# --- needs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedInput:
    unit_id: str
    category: str
    title: str
    description: str
    quantity: int = 1


def publish_need(db: Db, actor: Actor, clock: Clock, data: NeedInput) -> NeedItem:
    unit = _publishing_unit(data.unit_id)
    actor.require(Permission.MANAGE_PARTNERS, unit.path, "publish needs")
    if unit.archived:
        raise InvalidInput("The unit is archived", field="unitId")
    title = check_title(data.title)
    description = check_text(data.description, "description")
    category = check_category(data.category)
    quantity = check_quantity(data.quantity)
    _, _, community_id = _community_of(unit.path)
    at = iso(clock.now())
    need_id = new_id()
    need = NeedItem(
        *need_key(need_id),
        id=need_id,
        unit_id=unit.id,
        unit_name=unit.name,
        unit_path=unit.path,
        community_id=community_id,
        category=category,
        title=title,
        description=description,
        quantity=quantity,
        created_by=actor.person_id,
        created_at=at,
        gsi1pk=lists_pk(community_id),
        gsi1sk=f"NEED#{at}#{need_id}",
    )
    need.save(condition=NeedItem.pk.does_not_exist())
    return need


def get_need(need_id: str) -> NeedItem | None:
    try:
        return NeedItem.get(*need_key(need_id), consistent_read=True)
    except DoesNotExist:
        return None


# --- projects ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectInput:
    unit_id: str
    title: str
    description: str
    need_ids: tuple[str, ...]
    capacity: int = 1
    category: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None


def create_project(db: Db, actor: Actor, clock: Clock, data: ProjectInput) -> ProjectItem:
    """A DRAFT project made from one or more needs of the unit's community."""
    unit = _publishing_unit(data.unit_id)
    actor.require(Permission.MANAGE_PARTNERS, unit.path, "create projects")
    title = check_title(data.title)
    description = check_text(data.description, "description")
    capacity = check_capacity(data.capacity)
    check_dates(data.starts_on, data.ends_on)
    if not data.need_ids or len(data.need_ids) > NEEDS_PER_PROJECT_MAX:
        raise InvalidInput(
            f"A project is made from 1 to {NEEDS_PER_PROJECT_MAX} needs", field="needIds"
        )
    district_id, street_id, community_id = _community_of(unit.path)
    needs: list[NeedItem] = []
    for need_id in dict.fromkeys(data.need_ids):
        need = get_need(need_id)
        # A need of another community answers like a missing one.
        if need is None or need.community_id != community_id:
            raise NotFound("No such need in this community", field="needIds")
        if need.project_id is not None:
            raise InvalidInput(f"The need {need.title} is in a project already", field="needIds")
        needs.append(need)
    category = check_category(data.category) if data.category else needs[0].category
    at = iso(clock.now())
    project_id = new_id()
    project = ProjectItem(
        *project_key(project_id),
        id=project_id,
        title=title,
        description=description,
        category=category,
        unit_id=unit.id,
        unit_name=unit.name,
        unit_path=unit.path,
        community_id=community_id,
        street_id=street_id,
        district_id=district_id,
        need_ids=[n.id for n in needs],
        starts_on=data.starts_on.isoformat() if data.starts_on else None,
        ends_on=data.ends_on.isoformat() if data.ends_on else None,
        capacity=capacity,
        claimed=0,
        slots_left=capacity,
        delivered=0,
        state=ProjectState.DRAFT.value,
        points_per_partner=delivery_points(capacity),
        created_by=actor.person_id,
        created_at=at,
        updated_at=at,
        gsi1pk=lists_pk(community_id),
        gsi1sk=f"PROJECT#{at}#{project_id}",
        gsi2pk=street_projects_pk(street_id),
        gsi2sk=project_gsi2sk(ProjectState.DRAFT.value, at, project_id),
    )
    with db.transaction("A need was put in another project at the same time") as transaction:
        transaction.save(project, condition=ProjectItem.pk.does_not_exist())
        for need in needs:
            # A need goes into one project: the first to take it wins.
            transaction.update(
                need,
                actions=[NeedItem.project_id.set(project_id)],
                condition=NeedItem.project_id.does_not_exist(),
                add_version_condition=False,
            )
    return project


def get_project(project_id: str, consistent: bool = True) -> ProjectItem | None:
    try:
        return ProjectItem.get(*project_key(project_id), consistent_read=consistent)
    except DoesNotExist:
        return None


def require_project(project_id: str, consistent: bool = True) -> ProjectItem:
    project = get_project(project_id, consistent)
    if project is None:
        raise NotFound(partner_access.NO_SUCH_PROJECT, field="projectId")
    return project


def get_claim(project_id: str, partner_id: str) -> ClaimItem | None:
    try:
        return ClaimItem.get(*claim_key(project_id, partner_id), consistent_read=True)
    except DoesNotExist:
        return None


def project_claims(project_id: str) -> list[ClaimItem]:
    return list(
        ClaimItem.query(
            f"PROJECT#{project_id}", ClaimItem.sk.startswith("CLAIM#"), consistent_read=True
        )
    )


def _set_state(project: ProjectItem, state: ProjectState, at: str) -> None:
    project.state = state.value
    project.updated_at = at
    project.gsi2sk = project_gsi2sk(state.value, project.created_at, project.id)


def transition(
    db: Db,
    actor: Actor,
    clock: Clock,
    project_id: str,
    action: ProjectAction,
    reason: str = "",
) -> ProjectItem:
    """Apply a managing unit's action: open, start delivery, confirm, reject, redo, close,
    cancel. CONFIRM grants each delivering partner its points in the same transaction; a
    retried confirmation finds the project confirmed and grants nothing more."""
    project = require_project(project_id)
    partner_access.require_manage_project(actor, project)
    state = ProjectState(project.state)
    if action is ProjectAction.CONFIRM and state in (ProjectState.CONFIRMED, ProjectState.CLOSED):
        return project  # a retried confirmation: already done, nothing more to grant
    note = check_text(reason, "reason", required=action is ProjectAction.REJECT, limit=500)
    target = next_project_state(state, action, int(project.claimed or 0))
    at = iso(clock.now())
    claims = (
        project_claims(project.id)
        if action in (ProjectAction.CONFIRM, ProjectAction.REDO, ProjectAction.CANCEL)
        else []
    )
    _set_state(project, target, at)
    if action is ProjectAction.REJECT:
        project.reject_reason = note
    if action is ProjectAction.REDO:
        project.delivered = 0
    try:
        with db.transaction() as transaction:
            transaction.save(project)  # conditioned on the version read: claims race it
            if action is ProjectAction.CONFIRM:
                _grant_points(transaction, actor, project, claims, at)
            elif action is ProjectAction.CANCEL:
                # The partners' histories say the claim ended with the project.
                for claim in claims:
                    if claim.status == ClaimStatus.ACTIVE:
                        transaction.update(
                            claim,
                            actions=[
                                ClaimItem.status.set(ClaimStatus.WITHDRAWN.value),
                                ClaimItem.withdrawn_at.set(at),
                            ],
                            add_version_condition=False,
                        )
            elif action is ProjectAction.REDO:
                for claim in claims:
                    if claim.status == ClaimStatus.DELIVERED:
                        transaction.update(
                            claim,
                            actions=[ClaimItem.status.set(ClaimStatus.ACTIVE.value)],
                            add_version_condition=False,
                        )
    except Conflict:
        fresh = require_project(project_id)
        if action is ProjectAction.CONFIRM and fresh.state in (
            ProjectState.CONFIRMED,
            ProjectState.CLOSED,
        ):
            return fresh  # a concurrent confirmation won: points were granted once, by it
        raise Conflict(
            f"The project {fresh.title} was changed at the same time; reload and retry"
        ) from None
    return project


def _grant_points(
    transaction: Any, actor: Actor, project: ProjectItem, claims: list[ClaimItem], at: str
) -> None:
    points = int(project.points_per_partner or 0)
    for claim in claims:
        if claim.status != ClaimStatus.DELIVERED:
            continue
        partner = require_partner(claim.partner_id, consistent=False)
        posting = Posting(
            account=AccountKind.PARTNER_POINTS,
            holder_id=partner.id,
            amount=points,
            source=EntrySource.DELIVERY,
            reason=f"项目确认: {project.title}"[:200],
            idempotency_key=f"DELIVERY:{project.id}",
        )
        ledger.add_posting(
            transaction, posting, ledger.holder_of_partner(partner), at, actor.person_id, project.id
        )
        transaction.update(
            claim, actions=[ClaimItem.points.set(points)], add_version_condition=False
        )


# --- claims --------------------------------------------------------------------------------


def claim(db: Db, actor: Actor, clock: Clock, project_id: str, partner_id: str) -> ClaimItem:
    """A partner claims a slot of an open project (see the module doc for the conditions)."""
    actor.require_login()
    partner = require_partner(partner_id, consistent=False)
    partner_access.require_act_for(actor, partner)
    project = require_project(project_id, consistent=False)
    if not partner_access.reachable(partner, project):
        raise InvalidInput(
            "The project is outside the partner's directory (district or street)",
            field="projectId",
        )
    # The version of a withdrawn claim being taken again: a put over an existing item is
    # conditioned on its version (PynamoDB adds it), so it is learnt on the first refusal.
    withdrawn_version: int | None = None
    for _ in range(CLAIM_ATTEMPTS):
        last_slot = int(project.slots_left) == 1
        try:
            return _try_claim(db, actor, clock, partner, project, last_slot, withdrawn_version)
        except Conflict:
            project, withdrawn_version = _diagnose_claim(project_id, partner)
    raise Conflict("Many partners are claiming this project at once; retry")


def _try_claim(
    db: Db,
    actor: Actor,
    clock: Clock,
    partner: PartnerItem,
    project: ProjectItem,
    last_slot: bool,
    withdrawn_version: int | None,
) -> ClaimItem:
    at = iso(clock.now())
    item = ClaimItem(
        *claim_key(project.id, partner.id),
        project_id=project.id,
        project_title=project.title,
        partner_id=partner.id,
        partner_name=partner.name,
        community_id=project.community_id,
        status=ClaimStatus.ACTIVE.value,
        claimed_at=at,
        claimed_by=actor.person_id,
        attachment_keys=[],
        gsi1pk=partner_claims_pk(partner.id),
        gsi1sk=f"{at}#{project.id}",
    )
    if withdrawn_version is not None:
        item.version = withdrawn_version
    state = ProjectState.FULLY_CLAIMED if last_slot else ProjectState.OPEN
    slot_condition = (ProjectItem.slots_left == 1) if last_slot else (ProjectItem.slots_left > 1)
    community_path = "/" + "/".join(path_ids(project.unit_path)[:3])
    with db.transaction() as transaction:
        transaction.save(
            item,
            condition=ClaimItem.pk.does_not_exist()
            | (ClaimItem.status == ClaimStatus.WITHDRAWN.value),
        )
        transaction.update(
            project,
            actions=[
                ProjectItem.claimed.add(1),
                ProjectItem.slots_left.add(-1),
                ProjectItem.state.set(state.value),
                ProjectItem.gsi2sk.set(project_gsi2sk(state.value, project.created_at, project.id)),
                ProjectItem.updated_at.set(at),
            ],
            condition=(ProjectItem.state == ProjectState.OPEN.value) & slot_condition,
            add_version_condition=False,
        )
        # Only an approved partner claims; the community it now works for sees its contacts
        # (a set: no read needed). One operation per item in a transaction, so the status
        # condition rides on this update.
        transaction.update(
            partner,
            actions=[PartnerItem.served_paths.add({community_path})],
            condition=PartnerItem.status == PartnerStatus.APPROVED.value,
            add_version_condition=False,
        )
    return item


def _diagnose_claim(project_id: str, partner: PartnerItem) -> tuple[ProjectItem, int | None]:
    """Why a claim was refused: raise the typed error, or return the fresh project (and the
    version of a withdrawn claim of the partner) to retry."""
    existing = get_claim(project_id, partner.id)
    if existing is not None and existing.status != ClaimStatus.WITHDRAWN:
        raise AlreadyClaimed("The partner has claimed this project already", field="projectId")
    withdrawn_version = int(existing.version) if existing is not None else None
    fresh_partner = require_partner(partner.id)
    if fresh_partner.status != PartnerStatus.APPROVED:
        raise PartnerNotApproved(
            f"The partner is {fresh_partner.status}, not APPROVED", field="partnerId"
        )
    project = require_project(project_id)
    state = ProjectState(project.state)
    if state is ProjectState.FULLY_CLAIMED or (
        state is ProjectState.OPEN and int(project.slots_left) <= 0
    ):
        raise ProjectFull(
            f"All {int(project.capacity)} slots of {project.title} are taken", field="projectId"
        )
    if state not in CLAIMABLE:
        raise ProjectNotOpen(
            f"The project is {state.value}, not open for claims", field="projectId"
        )
    return project, withdrawn_version  # slots left: a lost race, try again with fresh counters


def withdraw_claim(
    db: Db, actor: Actor, clock: Clock, project_id: str, partner_id: str
) -> ClaimItem:
    """Withdraw before delivery starts: the slot is free again and the project OPEN."""
    partner = require_partner(partner_id, consistent=False)
    partner_access.require_act_for(actor, partner)
    project = require_project(project_id)
    existing = get_claim(project_id, partner_id)
    if existing is None or existing.status != ClaimStatus.ACTIVE:
        raise NotFound("The partner has no active claim on this project", field="projectId")
    state = ProjectState(project.state)
    if state not in WITHDRAWABLE:
        raise ProjectNotOpen(
            f"Claims can be withdrawn only before delivery starts (the project is {state.value})",
            field="projectId",
        )
    at = iso(clock.now())
    try:
        with db.transaction() as transaction:
            transaction.update(
                existing,
                actions=[
                    ClaimItem.status.set(ClaimStatus.WITHDRAWN.value),
                    ClaimItem.withdrawn_at.set(at),
                ],
                condition=ClaimItem.status == ClaimStatus.ACTIVE.value,
                add_version_condition=False,
            )
            transaction.update(
                project,
                actions=[
                    ProjectItem.claimed.add(-1),
                    ProjectItem.slots_left.add(1),
                    ProjectItem.state.set(ProjectState.OPEN.value),
                    ProjectItem.gsi2sk.set(
                        project_gsi2sk(ProjectState.OPEN.value, project.created_at, project.id)
                    ),
                    ProjectItem.updated_at.set(at),
                ],
                condition=ProjectItem.state.is_in(*(s.value for s in WITHDRAWABLE)),
                add_version_condition=False,
            )
    except Conflict:
        raise Conflict("The project or claim changed at the same time; reload and retry") from None
    existing.status = ClaimStatus.WITHDRAWN.value
    existing.withdrawn_at = at
    return existing


# --- delivery ------------------------------------------------------------------------------


def report_delivery(
    db: Db,
    actor: Actor,
    clock: Clock,
    project_id: str,
    partner_id: str,
    notes: str,
    attachment_keys: list[str],
) -> ClaimItem:
    """A partner reports its delivery; the last report moves the project to DELIVERED."""
    partner = require_partner(partner_id, consistent=False)
    partner_access.require_act_for(actor, partner)
    text = check_text(notes, "notes")
    keys = check_attachment_keys(attachment_keys)
    project = require_project(project_id)
    existing = get_claim(project_id, partner_id)
    if existing is None or existing.status != ClaimStatus.ACTIVE:
        raise NotFound("The partner has no active claim on this project", field="projectId")
    state = ProjectState(project.state)
    if state is not ProjectState.IN_DELIVERY:
        raise DomainError(
            f"Delivery is reported while the project is IN_DELIVERY (it is {state.value})",
            field="projectId",
            code=ErrorCode.INVALID_TRANSITION,
        )
    at = iso(clock.now())
    last = int(project.delivered or 0) + 1 >= int(project.claimed or 0)
    existing.status = ClaimStatus.DELIVERED.value
    existing.delivered_at = at
    existing.notes = text
    existing.attachment_keys = keys
    if last:
        _set_state(project, ProjectState.DELIVERED, at)
    project.delivered = int(project.delivered or 0) + 1
    project.updated_at = at
    try:
        with db.transaction() as transaction:
            transaction.save(existing)
            transaction.save(project)  # the version read: two last reports cannot both count
    except Conflict:
        raise Conflict("The project changed at the same time; reload and retry") from None
    return existing


# --- awards (红色创新奖) ----------------------------------------------------------------------


def record_award(
    db: Db,
    actor: Actor,
    clock: Clock,
    partner_id: str,
    year: int,
    citation: str,
    award: bool,
) -> Any:
    """Nominate a partner for the year's 红色创新奖 (its managing unit), or award it (the
    district only; the award grants points once)."""
    from api.domain.ledger import AWARD_POINTS
    from api.store.partner_models import AwardItem, award_key, partner_awards_pk

    partner = require_partner(partner_id)
    partner_access.require_manage_partner(actor, partner, "nominate")
    if year < 2000 or year > clock.now().year + 1:
        raise InvalidInput("Give a year of the award", field="year")
    text = check_text(citation, "citation", limit=500)
    at = iso(clock.now())
    pk, sk = award_key(partner.district_id, year, partner.id)
    try:
        item = AwardItem.get(pk, sk, consistent_read=True)
    except DoesNotExist:
        item = None
    if award:
        actor.require(Permission.MANAGE_PARTNERS, "/" + partner.district_id, "award partners")
        if item is None:
            raise NotFound("Nominate the partner for this year first", field="partnerId")
        if item.stage == "AWARDED":
            return item
        item.stage = "AWARDED"
        item.awarded_at = at
        item.citation = text
        posting = Posting(
            AccountKind.PARTNER_POINTS,
            partner.id,
            AWARD_POINTS,
            EntrySource.AWARD,
            f"红色创新奖 {year}",
            f"AWARD:{partner.district_id}:{year}",
        )
        with db.transaction("The award was decided at the same time") as transaction:
            transaction.save(item)
            ledger.add_posting(
                transaction, posting, ledger.holder_of_partner(partner), at, actor.person_id
            )
        return item
    if partner.status != PartnerStatus.APPROVED:
        raise PartnerNotApproved("Only approved partners are nominated", field="partnerId")
    if item is not None:
        raise InvalidInput("The partner is nominated for this year already", field="partnerId")
    item = AwardItem(
        pk,
        sk,
        partner_id=partner.id,
        partner_name=partner.name,
        district_id=partner.district_id,
        year=year,
        stage="NOMINATED",
        citation=text,
        nominated_by=actor.person_id,
        nominated_at=at,
        gsi1pk=partner_awards_pk(partner.id),
        gsi1sk=f"{year}",
    )
    item.save(condition=AwardItem.pk.does_not_exist())
    return item
