"""Red partners (红色合伙人): partner statuses, project states and the rules of claims. Pure.

A partner (enterprise, social organisation or individual) applies and is approved into the
district directory (名录) or a street sub-directory (子库); it may be suspended, reinstated or
withdraw. Communities and grids publish needs; a project is made from needs and has a capacity
(how many partners may claim it). A project walks DRAFT → OPEN → FULLY_CLAIMED → IN_DELIVERY →
DELIVERED → CONFIRMED → CLOSED, or is REJECTED at confirmation (with a reason) or CANCELLED
before delivery. Claims fill the capacity; the state follows the count of claims.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from api.domain.errors import DomainError, ErrorCode, InvalidInput
from api.domain.messages import Message, msg
from api.domain.text import free_text

TITLE_MAX = 80
TEXT_MAX = 2000
REASON_MAX = 500
CATEGORY_MAX = 40
ATTACHMENTS_MAX = 10
ATTACHMENT_KEY_MAX = 300
# A confirmation writes 4 items per partner plus the project plus the figures' counters (a day
# item and a month roll-up for each of at most 4 units of the path) and their journal item:
# 4 × 22 + 1 + 8 + 1 = 98, within 100 per transaction.
CAPACITY_MAX = 22
QUANTITY_MAX = 1_000_000
RESOURCES_PER_PARTNER_MAX = 20
NEEDS_PER_PROJECT_MAX = 10
CONTACTS_MAX = 5


class PartnerKind(StrEnum):
    ENTERPRISE = "ENTERPRISE"  # 企业
    SOCIAL_ORGANISATION = "SOCIAL_ORGANISATION"  # 社会组织
    INDIVIDUAL = "INDIVIDUAL"  # 个人


class PartnerStatus(StrEnum):
    APPLIED = "APPLIED"  # 申请中
    APPROVED = "APPROVED"  # 已入库
    SUSPENDED = "SUSPENDED"  # 暂停
    WITHDRAWN = "WITHDRAWN"  # 退出


class PartnerAction(StrEnum):
    APPROVE = "APPROVE"
    SUSPEND = "SUSPEND"
    REINSTATE = "REINSTATE"
    WITHDRAW = "WITHDRAW"


_PARTNER_MOVES: dict[PartnerAction, tuple[frozenset[PartnerStatus], PartnerStatus]] = {
    PartnerAction.APPROVE: (frozenset({PartnerStatus.APPLIED}), PartnerStatus.APPROVED),
    PartnerAction.SUSPEND: (frozenset({PartnerStatus.APPROVED}), PartnerStatus.SUSPENDED),
    PartnerAction.REINSTATE: (frozenset({PartnerStatus.SUSPENDED}), PartnerStatus.APPROVED),
    PartnerAction.WITHDRAW: (
        frozenset({PartnerStatus.APPLIED, PartnerStatus.APPROVED, PartnerStatus.SUSPENDED}),
        PartnerStatus.WITHDRAWN,
    ),
}


class ProjectState(StrEnum):
    DRAFT = "DRAFT"  # 草稿
    OPEN = "OPEN"  # 认领中
    FULLY_CLAIMED = "FULLY_CLAIMED"  # 已认满
    IN_DELIVERY = "IN_DELIVERY"  # 实施中
    DELIVERED = "DELIVERED"  # 已交付
    CONFIRMED = "CONFIRMED"  # 社区确认
    REJECTED = "REJECTED"  # 社区驳回
    CLOSED = "CLOSED"  # 已结项
    CANCELLED = "CANCELLED"  # 已取消


class ProjectAction(StrEnum):
    OPEN = "OPEN"  # publish for claims
    START_DELIVERY = "START_DELIVERY"
    CONFIRM = "CONFIRM"  # the community confirms the delivery: points to the partners
    REJECT = "REJECT"  # the community rejects the delivery, with a reason
    REDO = "REDO"  # a rejected delivery goes back to the partners
    CLOSE = "CLOSE"
    CANCEL = "CANCEL"


# Actions a managing unit applies; claims and delivery reports move the rest.
_PROJECT_MOVES: dict[ProjectAction, tuple[frozenset[ProjectState], ProjectState]] = {
    ProjectAction.OPEN: (frozenset({ProjectState.DRAFT}), ProjectState.OPEN),
    ProjectAction.START_DELIVERY: (
        frozenset({ProjectState.OPEN, ProjectState.FULLY_CLAIMED}),
        ProjectState.IN_DELIVERY,
    ),
    ProjectAction.CONFIRM: (frozenset({ProjectState.DELIVERED}), ProjectState.CONFIRMED),
    ProjectAction.REJECT: (frozenset({ProjectState.DELIVERED}), ProjectState.REJECTED),
    ProjectAction.REDO: (frozenset({ProjectState.REJECTED}), ProjectState.IN_DELIVERY),
    ProjectAction.CLOSE: (
        frozenset({ProjectState.CONFIRMED, ProjectState.REJECTED}),
        ProjectState.CLOSED,
    ),
    ProjectAction.CANCEL: (
        frozenset({ProjectState.DRAFT, ProjectState.OPEN, ProjectState.FULLY_CLAIMED}),
        ProjectState.CANCELLED,
    ),
}

# Claims may be made only while OPEN and withdrawn only before delivery starts.
CLAIMABLE = frozenset({ProjectState.OPEN})
WITHDRAWABLE = frozenset({ProjectState.OPEN, ProjectState.FULLY_CLAIMED})


class ClaimStatus(StrEnum):
    ACTIVE = "ACTIVE"  # 已认领
    WITHDRAWN = "WITHDRAWN"  # 已撤回
    DELIVERED = "DELIVERED"  # 已报告交付


class InvalidProjectTransition(DomainError):
    code = ErrorCode.INVALID_TRANSITION

    def __init__(
        self, state: ProjectState, action: ProjectAction, why: Message | None = None
    ) -> None:
        allowed = ", ".join(sorted(a.value for a in allowed_project_actions(state))) or "none"
        super().__init__(
            msg(
                "transition.project_not_allowed",
                action=action.value,
                state=state.value,
                detail="" if why is None else msg("transition.detail", why=why),
                allowed=allowed,
            ),
            field="action",
        )


class InvalidPartnerTransition(DomainError):
    code = ErrorCode.INVALID_TRANSITION

    def __init__(self, status: PartnerStatus, action: PartnerAction) -> None:
        super().__init__(
            msg("transition.partner_not_allowed", action=action.value, status=status.value),
            field="action",
        )


def next_partner_status(status: PartnerStatus, action: PartnerAction) -> PartnerStatus:
    sources, target = _PARTNER_MOVES[action]
    if status not in sources:
        raise InvalidPartnerTransition(status, action)
    return target


def allowed_project_actions(state: ProjectState) -> frozenset[ProjectAction]:
    return frozenset(a for a, (sources, _) in _PROJECT_MOVES.items() if state in sources)


def next_project_state(
    state: ProjectState, action: ProjectAction, active_claims: int
) -> ProjectState:
    sources, target = _PROJECT_MOVES[action]
    if state not in sources:
        raise InvalidProjectTransition(state, action)
    if action is ProjectAction.START_DELIVERY and active_claims == 0:
        raise InvalidProjectTransition(state, action, msg("partner.why_unclaimed"))
    return target


def state_after_claims(capacity: int, active_claims: int) -> ProjectState:
    """OPEN while a slot is free, FULLY_CLAIMED once the last one is taken."""
    return ProjectState.FULLY_CLAIMED if active_claims >= capacity else ProjectState.OPEN


# --- input checks ------------------------------------------------------------------------


def _clean(raw: str) -> str:
    return unicodedata.normalize("NFC", raw).strip()


def check_title(raw: str, field: str = "title") -> str:
    title = free_text(raw, field, max_length=TITLE_MAX, multiline=False)
    if "#" in title:
        raise InvalidInput(msg("partner.title_hash"), field=field)
    return title


def check_text(raw: str, field: str, required: bool = True, limit: int = TEXT_MAX) -> str:
    return free_text(raw, field, max_length=limit, required=required)


def check_category(raw: str, field: str = "category") -> str:
    """Resource and need categories (e.g. ELECTRICITY, FINANCE, SAFETY): upper-case codes."""
    code = _clean(raw).upper()
    if not code or len(code) > CATEGORY_MAX or not all(ch.isalnum() or ch == "_" for ch in code):
        raise InvalidInput(
            msg("partner.category_code", category_max=CATEGORY_MAX),
            field=field,
        )
    if not code.isascii():
        raise InvalidInput(msg("partner.category_ascii"), field=field)
    return code


def check_quantity(value: int, field: str = "quantity") -> int:
    if value < 1 or value > QUANTITY_MAX:
        raise InvalidInput(msg("partner.quantity_range", quantity_max=QUANTITY_MAX), field=field)
    return value


def check_capacity(value: int) -> int:
    if value < 1 or value > CAPACITY_MAX:
        raise InvalidInput(
            msg("partner.capacity_range", capacity_max=CAPACITY_MAX),
            field="capacity",
        )
    return value


def check_dates(start: date | None, end: date | None, field: str = "startsOn") -> None:
    if start is not None and end is not None and end < start:
        raise InvalidInput(msg("partner.end_before_start"), field=field)


def check_attachment_keys(keys: list[str]) -> list[str]:
    if len(keys) > ATTACHMENTS_MAX:
        raise InvalidInput(
            msg("partner.too_many_attachments", attachments_max=ATTACHMENTS_MAX),
            field="attachmentKeys",
        )
    cleaned = []
    for key in keys:
        value = key.strip()
        if not value or len(value) > ATTACHMENT_KEY_MAX or not value.isprintable():
            raise InvalidInput(msg("partner.attachment_key"), field="attachmentKeys")
        cleaned.append(value)
    return cleaned


@dataclass(frozen=True)
class Contact:
    """A partner's contact person; shown unmasked only to the managing units."""

    name: str
    phone: str
    role: str = ""


def check_contacts(contacts: list[Contact]) -> list[Contact]:
    from api.domain.people import normalise_phone

    if len(contacts) > CONTACTS_MAX:
        raise InvalidInput(
            msg("partner.too_many_contacts", contacts_max=CONTACTS_MAX), field="contacts"
        )
    checked = []
    for contact in contacts:
        name = check_text(contact.name, "contacts", limit=30)
        role = check_text(contact.role, "contacts", required=False, limit=30)
        checked.append(Contact(name, normalise_phone(contact.phone, "contacts"), role))
    return checked
