"""Use cases of needs (需求清单), projects (项目清单), claims (认领), delivery and awards.

A claim is one transaction decided by conditions, not by reading first (see
``api/store/partner_store.py``). When it is refused the project and claim are re-read
consistently to say why (PROJECT_FULL, PROJECT_NOT_OPEN, ALREADY_CLAIMED,
PARTNER_NOT_APPROVED); a lost race on a project with slots left is simply tried again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

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
from api.domain.ledger import AWARD_POINTS, AccountKind, EntrySource, Posting, delivery_points
from api.domain.messages import msg
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
from api.records.org import OrgUnitRecord
from api.records.partner import (
    AwardRecord,
    ClaimRecord,
    NeedRecord,
    PartnerRecord,
    ProjectRecord,
)
from api.services import ledger, partner_access
from api.services.actor import Actor
from api.services.partner_access import require_partner, require_project
from api.services.partner_counters import partner_counts
from api.store.db import Db
from api.store.ledger_store import LedgerPosting
from api.store.partner_store import (
    AwardDecision,
    ClaimWithdrawal,
    DeliveryReport,
    NewClaim,
    NewProject,
    ProjectChange,
)

CLAIM_ATTEMPTS = 8
PUBLISHING_KINDS = (OrgKind.COMMUNITY, OrgKind.GRID)


def _community_of(unit_path: str) -> tuple[str, str, str]:
    ids = path_ids(unit_path)
    return ids[0], ids[1], ids[2]  # district, street, community


def _publishing_unit(db: Db, unit_id: str) -> OrgUnitRecord:
    unit = db.org_units.require(unit_id, field="unitId")
    if unit.kind not in PUBLISHING_KINDS:
        raise InvalidHierarchy(msg("partner.need_unit_level"), field="unitId")
    return unit


# --- needs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedInput:
    unit_id: str
    category: str
    title: str
    description: str
    quantity: int = 1


def publish_need(db: Db, actor: Actor, clock: Clock, data: NeedInput) -> NeedRecord:
    unit = _publishing_unit(db, data.unit_id)
    actor.require(Permission.MANAGE_PARTNERS, unit.path, msg("action.publish_needs"))
    if unit.archived:
        raise InvalidInput(msg("org.unit_archived"), field="unitId")
    title = check_title(data.title)
    description = check_text(data.description, "description")
    category = check_category(data.category)
    quantity = check_quantity(data.quantity)
    _, _, community_id = _community_of(unit.path)
    need = NeedRecord(
        id=new_id(),
        unit_id=unit.id,
        unit_name=unit.name,
        unit_path=unit.path,
        community_id=community_id,
        category=category,
        title=title,
        description=description,
        quantity=quantity,
        project_id=None,
        created_by=actor.person_id,
        created_at=iso(clock.now()),
        version=0,
    )
    return db.partners.publish_need(need)


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


def create_project(db: Db, actor: Actor, clock: Clock, data: ProjectInput) -> ProjectRecord:
    """A DRAFT project made from one or more needs of the unit's community."""
    unit = _publishing_unit(db, data.unit_id)
    actor.require(Permission.MANAGE_PARTNERS, unit.path, msg("action.create_projects"))
    title = check_title(data.title)
    description = check_text(data.description, "description")
    capacity = check_capacity(data.capacity)
    check_dates(data.starts_on, data.ends_on)
    if not data.need_ids or len(data.need_ids) > NEEDS_PER_PROJECT_MAX:
        raise InvalidInput(
            msg("partner.needs_per_project", needs_per_project_max=NEEDS_PER_PROJECT_MAX),
            field="needIds",
        )
    district_id, street_id, community_id = _community_of(unit.path)
    needs: list[NeedRecord] = []
    for need_id in dict.fromkeys(data.need_ids):
        need = db.partners.need(need_id)
        # A need of another community answers like a missing one.
        if need is None or need.community_id != community_id:
            raise NotFound(msg("partner.need_not_found"), field="needIds")
        if need.project_id is not None:
            raise InvalidInput(msg("partner.need_in_project", title=need.title), field="needIds")
        needs.append(need)
    category = check_category(data.category) if data.category else needs[0].category
    at = iso(clock.now())
    project = ProjectRecord(
        id=new_id(),
        title=title,
        description=description,
        category=category,
        unit_id=unit.id,
        unit_name=unit.name,
        unit_path=unit.path,
        community_id=community_id,
        street_id=street_id,
        district_id=district_id,
        need_ids=tuple(n.id for n in needs),
        starts_on=data.starts_on.isoformat() if data.starts_on else None,
        ends_on=data.ends_on.isoformat() if data.ends_on else None,
        capacity=capacity,
        claimed=0,
        slots_left=capacity,
        delivered=0,
        state=ProjectState.DRAFT,
        reject_reason=None,
        points_per_partner=delivery_points(capacity),
        claimant_ids=(),
        created_by=actor.person_id,
        created_at=at,
        updated_at=at,
        version=0,
    )
    return db.partners.create_project(NewProject(project=project, needs=tuple(needs)))


def _claims_after(
    action: ProjectAction, claims: list[ClaimRecord], at: str, points: int
) -> tuple[ClaimRecord, ...]:
    """The claims an action rewrites: CANCEL ends the active ones (the partners' histories
    say so), REDO sends delivered ones back, CONFIRM grants each delivered one its points."""
    if action is ProjectAction.CANCEL:
        return tuple(
            replace(c, status=ClaimStatus.WITHDRAWN, withdrawn_at=at)
            for c in claims
            if c.status == ClaimStatus.ACTIVE
        )
    if action is ProjectAction.REDO:
        return tuple(
            replace(c, status=ClaimStatus.ACTIVE)
            for c in claims
            if c.status == ClaimStatus.DELIVERED
        )
    if action is ProjectAction.CONFIRM:
        return tuple(replace(c, points=points) for c in claims if c.status == ClaimStatus.DELIVERED)
    return ()


def _delivery_postings(
    db: Db, actor: Actor, project: ProjectRecord, granted: tuple[ClaimRecord, ...], at: str
) -> tuple[LedgerPosting, ...]:
    partners = db.partners.partners([c.partner_id for c in granted])
    postings = []
    for claim in granted:
        partner = partners.get(claim.partner_id)
        if partner is None:
            raise NotFound(partner_access.NO_SUCH_PARTNER, field="partnerId")
        posting = Posting(
            account=AccountKind.PARTNER_POINTS,
            holder_id=partner.id,
            amount=project.points_per_partner,
            source=EntrySource.DELIVERY,
            reason=f"项目确认: {project.title}"[:200],
            idempotency_key=f"DELIVERY:{project.id}",
        )
        postings.append(
            LedgerPosting(
                posting, ledger.holder_of_partner(partner), at, actor.person_id, project.id
            )
        )
    return tuple(postings)


def transition(
    db: Db,
    actor: Actor,
    clock: Clock,
    project_id: str,
    action: ProjectAction,
    reason: str = "",
) -> ProjectRecord:
    """Apply a managing unit's action: open, start delivery, confirm, reject, redo, close,
    cancel. CONFIRM grants each delivering partner its points in the same transaction; a
    retried confirmation finds the project confirmed and grants nothing more."""
    project = require_project(db, project_id)
    partner_access.require_manage_project(actor, project)
    state = project.state
    if action is ProjectAction.CONFIRM and state in (ProjectState.CONFIRMED, ProjectState.CLOSED):
        return project  # a retried confirmation: already done, nothing more to grant
    note = check_text(reason, "reason", required=action is ProjectAction.REJECT, limit=500)
    target = next_project_state(state, action, project.claimed)
    at = iso(clock.now())
    rewrites_claims = action in (ProjectAction.CONFIRM, ProjectAction.REDO, ProjectAction.CANCEL)
    claims = db.partners.claims(project.id) if rewrites_claims else []
    changed = replace(
        project,
        state=target,
        updated_at=at,
        reject_reason=note if action is ProjectAction.REJECT else project.reject_reason,
        delivered=0 if action is ProjectAction.REDO else project.delivered,
    )
    rewritten = _claims_after(action, claims, at, project.points_per_partner)
    postings = (
        _delivery_postings(db, actor, project, rewritten, at)
        if action is ProjectAction.CONFIRM
        else ()
    )
    granted = sum(p.posting.amount for p in postings)
    counted = partner_counts(project.unit_path, at, points_granted=granted)
    try:
        return db.partners.change_project(ProjectChange(changed, rewritten, postings, counted))
    except Conflict:
        fresh = require_project(db, project_id)
        if action is ProjectAction.CONFIRM and fresh.state in (
            ProjectState.CONFIRMED,
            ProjectState.CLOSED,
        ):
            return fresh  # a concurrent confirmation won: points were granted once, by it
        raise Conflict(msg("partner.project_changed_named", title=fresh.title)) from None


# --- claims --------------------------------------------------------------------------------


def claim(db: Db, actor: Actor, clock: Clock, project_id: str, partner_id: str) -> ClaimRecord:
    """A partner claims a slot of an open project (see the module doc for the conditions)."""
    actor.require_login()
    partner = require_partner(db, partner_id, consistent=False)
    partner_access.require_act_for(actor, partner)
    project = require_project(db, project_id, consistent=False)
    if not partner_access.reachable(partner, project):
        raise InvalidInput(
            msg("partner.outside_directory"),
            field="projectId",
        )
    # The version of a withdrawn claim being taken again: a put over an existing item is
    # conditioned on its version, so it is learnt on the first refusal.
    withdrawn_version = 0
    for _ in range(CLAIM_ATTEMPTS):
        at = iso(clock.now())
        new_claim = ClaimRecord(
            project_id=project.id,
            project_title=project.title,
            partner_id=partner.id,
            partner_name=partner.name,
            community_id=project.community_id,
            status=ClaimStatus.ACTIVE,
            claimed_at=at,
            claimed_by=actor.person_id,
            withdrawn_at=None,
            delivered_at=None,
            notes=None,
            attachment_keys=(),
            points=None,
            version=withdrawn_version,
        )
        try:
            return db.partners.add_claim(
                NewClaim(
                    new_claim,
                    project,
                    partner,
                    last_slot=project.slots_left == 1,
                    counted=partner_counts(project.unit_path, at, partner_claims=1),
                )
            )
        except Conflict:
            project, withdrawn_version = _diagnose_claim(db, project_id, partner)
    raise Conflict(msg("partner.claim_contention"))


def _diagnose_claim(db: Db, project_id: str, partner: PartnerRecord) -> tuple[ProjectRecord, int]:
    """Why a claim was refused: raise the typed error, or return the fresh project (and the
    version of a withdrawn claim of the partner) to retry."""
    existing = db.partners.claim(project_id, partner.id)
    if existing is not None and existing.status != ClaimStatus.WITHDRAWN:
        raise AlreadyClaimed(msg("partner.already_claimed"), field="projectId")
    withdrawn_version = existing.version if existing is not None else 0
    fresh_partner = require_partner(db, partner.id)
    if fresh_partner.status != PartnerStatus.APPROVED:
        raise PartnerNotApproved(
            msg("partner.not_approved_status", status=fresh_partner.status), field="partnerId"
        )
    project = require_project(db, project_id)
    state = project.state
    if state is ProjectState.FULLY_CLAIMED or (
        state is ProjectState.OPEN and project.slots_left <= 0
    ):
        raise ProjectFull(
            msg("partner.project_full", capacity=project.capacity, title=project.title),
            field="projectId",
        )
    if state not in CLAIMABLE:
        raise ProjectNotOpen(msg("partner.project_not_open", state=state.value), field="projectId")
    return project, withdrawn_version  # slots left: a lost race, try again with fresh counters


def _active_claim(db: Db, project_id: str, partner_id: str) -> ClaimRecord:
    existing = db.partners.claim(project_id, partner_id)
    if existing is None or existing.status != ClaimStatus.ACTIVE:
        raise NotFound(msg("partner.no_active_claim"), field="projectId")
    return existing


def withdraw_claim(
    db: Db, actor: Actor, clock: Clock, project_id: str, partner_id: str
) -> ClaimRecord:
    """Withdraw before delivery starts: the slot is free again and the project OPEN."""
    partner = require_partner(db, partner_id, consistent=False)
    partner_access.require_act_for(actor, partner)
    project = require_project(db, project_id)
    existing = _active_claim(db, project_id, partner_id)
    if project.state not in WITHDRAWABLE:
        raise ProjectNotOpen(
            msg("partner.withdraw_before_delivery", state=project.state.value),
            field="projectId",
        )
    try:
        return db.partners.withdraw_claim(ClaimWithdrawal(existing, project, iso(clock.now())))
    except Conflict:
        raise Conflict(msg("partner.project_or_claim_changed")) from None


# --- delivery ------------------------------------------------------------------------------


def report_delivery(
    db: Db,
    actor: Actor,
    clock: Clock,
    project_id: str,
    partner_id: str,
    notes: str,
    attachment_keys: list[str],
) -> ClaimRecord:
    """A partner reports its delivery; the last report moves the project to DELIVERED."""
    partner = require_partner(db, partner_id, consistent=False)
    partner_access.require_act_for(actor, partner)
    text = check_text(notes, "notes")
    keys = check_attachment_keys(attachment_keys)
    project = require_project(db, project_id)
    existing = _active_claim(db, project_id, partner_id)
    if project.state is not ProjectState.IN_DELIVERY:
        raise DomainError(
            msg("partner.delivery_state", state=project.state.value),
            field="projectId",
            code=ErrorCode.INVALID_TRANSITION,
        )
    at = iso(clock.now())
    last = project.delivered + 1 >= project.claimed
    reported = replace(
        existing,
        status=ClaimStatus.DELIVERED,
        delivered_at=at,
        notes=text,
        attachment_keys=tuple(keys),
    )
    delivered = replace(
        project,
        state=ProjectState.DELIVERED if last else project.state,
        delivered=project.delivered + 1,
        updated_at=at,
    )
    try:
        return db.partners.report_delivery(
            DeliveryReport(
                reported, delivered, partner_counts(project.unit_path, at, partner_deliveries=1)
            )
        )
    except Conflict:
        raise Conflict(msg("partner.project_changed")) from None


# --- awards (红色创新奖) ----------------------------------------------------------------------


def record_award(
    db: Db,
    actor: Actor,
    clock: Clock,
    partner_id: str,
    year: int,
    citation: str,
    award: bool,
) -> AwardRecord:
    """Nominate a partner for the year's 红色创新奖 (its managing unit), or award it (the
    district only; the award grants points once)."""
    partner = require_partner(db, partner_id)
    partner_access.require_manage_partner(actor, partner, msg("action.nominate"))
    if year < 2000 or year > clock.now().year + 1:
        raise InvalidInput(msg("partner.award_year"), field="year")
    text = check_text(citation, "citation", limit=500)
    at = iso(clock.now())
    existing = db.partners.award(partner.district_id, year, partner.id)
    if award:
        actor.require(
            Permission.MANAGE_PARTNERS, "/" + partner.district_id, msg("action.award_partners")
        )
        if existing is None:
            raise NotFound(msg("partner.nominate_first"), field="partnerId")
        if existing.stage == "AWARDED":
            return existing
        posting = Posting(
            AccountKind.PARTNER_POINTS,
            partner.id,
            AWARD_POINTS,
            EntrySource.AWARD,
            f"红色创新奖 {year}",
            f"AWARD:{partner.district_id}:{year}",
        )
        decision = AwardDecision(
            award=replace(existing, stage="AWARDED", awarded_at=at, citation=text),
            posting=LedgerPosting(posting, ledger.holder_of_partner(partner), at, actor.person_id),
            counted=partner_counts(partner.directory_path, at, points_granted=AWARD_POINTS),
        )
        return db.partners.decide_award(decision)
    if partner.status != PartnerStatus.APPROVED:
        raise PartnerNotApproved(msg("partner.nominate_approved_only"), field="partnerId")
    if existing is not None:
        raise InvalidInput(msg("partner.already_nominated"), field="partnerId")
    return db.partners.nominate(
        AwardRecord(
            partner_id=partner.id,
            partner_name=partner.name,
            district_id=partner.district_id,
            year=year,
            stage="NOMINATED",
            citation=text,
            nominated_by=actor.person_id,
            nominated_at=at,
            awarded_at=None,
            version=0,
        )
    )
