"""PynamoDB models of red partners (红色合伙人) and the points ledger. Key design:
api/store/README.md, section "Red partners".

A project's ``#META`` item carries its claim counters (``claimed``, ``slots_left``,
``delivered``); claims live in the project's partition, so a claim is one transaction on two
items of one partition plus a condition check on the partner.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)

from api.store.json_attribute import JSONAttribute
from api.store.models import META, Item


class PartnerItem(Item, discriminator="Partner"):
    """``PARTNER#<id>`` / ``#META``; gsi1 ``PARTNERS#<directory unit>`` / ``<name>#<id>``;
    gsi2 ``PARTNERS_ALL#<district>`` / ``<name>#<id>``."""

    id = UnicodeAttribute()
    kind = UnicodeAttribute()
    name = UnicodeAttribute()
    status = UnicodeAttribute()
    status_reason = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    directory_unit_id = UnicodeAttribute()  # the district (名录) or a street (子库)
    directory_level = UnicodeAttribute()  # DISTRICT or STREET
    directory_path = UnicodeAttribute()
    district_id = UnicodeAttribute()
    contacts = JSONAttribute(default=list)  # [{name, phone, role}]
    agreement_start = UnicodeAttribute(null=True)
    agreement_end = UnicodeAttribute(null=True)
    categories = JSONAttribute(default=list)  # categories of its resources, for filters
    representative_ids = JSONAttribute(default=list)  # people who act for the partner
    # Paths of the communities it has claimed projects of: those units see its contacts.
    served_paths = UnicodeSetAttribute(null=True)
    resource_count = NumberAttribute(default=0)
    # The ids of its resources (a page of partners batch-gets them), maintained in the
    # transaction that adds one. ``carries_child_ids`` tells a partner with no resource yet
    # (the set is absent: DynamoDB stores no empty set) from one written before the ids were
    # carried (its resources are found by a Query).
    resource_ids = UnicodeSetAttribute(null=True)
    carries_child_ids = BooleanAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class ResourceItem(Item, discriminator="PartnerResource"):
    """``PARTNER#<partner>`` / ``RESOURCE#<id>``; gsi1 ``RESOURCES#<directory unit>`` /
    ``<category>#<partner>#<id>`` (the resources list of every community in scope)."""

    id = UnicodeAttribute()
    partner_id = UnicodeAttribute()
    partner_name = UnicodeAttribute()
    partner_status = UnicodeAttribute()
    category = UnicodeAttribute()
    description = UnicodeAttribute()
    quantity = NumberAttribute(null=True)
    availability = UnicodeAttribute(null=True)
    directory_unit_id = UnicodeAttribute()
    created_at = UnicodeAttribute()


class NeedItem(Item, discriminator="PartnerNeed"):
    """``NEED#<id>`` / ``#META``; gsi1 ``LISTS#<community>`` / ``NEED#<created>#<id>``."""

    id = UnicodeAttribute()
    unit_id = UnicodeAttribute()  # the community or grid that published it
    unit_name = UnicodeAttribute()
    unit_path = UnicodeAttribute()
    community_id = UnicodeAttribute()
    category = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute()
    quantity = NumberAttribute(default=1)
    project_id = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


class ProjectItem(Item, discriminator="PartnerProject"):
    """``PROJECT#<id>`` / ``#META``; gsi1 ``LISTS#<community>`` / ``PROJECT#<created>#<id>``;
    gsi2 ``PROJECTS#<street>`` / ``<state>#<created>#<id>`` (open projects near a grid)."""

    id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute()
    category = UnicodeAttribute()
    unit_id = UnicodeAttribute()
    unit_name = UnicodeAttribute()
    unit_path = UnicodeAttribute()
    community_id = UnicodeAttribute()
    street_id = UnicodeAttribute()
    district_id = UnicodeAttribute()
    need_ids = JSONAttribute(default=list)
    starts_on = UnicodeAttribute(null=True)
    ends_on = UnicodeAttribute(null=True)
    capacity = NumberAttribute()
    claimed = NumberAttribute(default=0)  # active claims
    slots_left = NumberAttribute()  # capacity - claimed, so a condition needs no arithmetic
    delivered = NumberAttribute(default=0)  # claims whose delivery is reported
    state = UnicodeAttribute()
    reject_reason = UnicodeAttribute(null=True)
    points_per_partner = NumberAttribute(default=0)
    # Every partner that ever claimed it (added in the claim's transaction), so a page of
    # projects batch-gets its claims; ``carries_child_ids`` as on the partner.
    claimant_ids = UnicodeSetAttribute(null=True)
    carries_child_ids = BooleanAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class ClaimItem(Item, discriminator="PartnerClaim"):
    """``PROJECT#<project>`` / ``CLAIM#<partner>``; gsi1 ``PCLAIMS#<partner>`` /
    ``<claimed_at>#<project>`` (a partner's claims and history)."""

    project_id = UnicodeAttribute()
    project_title = UnicodeAttribute()
    partner_id = UnicodeAttribute()
    partner_name = UnicodeAttribute()
    community_id = UnicodeAttribute()
    status = UnicodeAttribute()
    claimed_at = UnicodeAttribute()
    claimed_by = UnicodeAttribute(null=True)
    withdrawn_at = UnicodeAttribute(null=True)
    delivered_at = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    attachment_keys = JSONAttribute(default=list)
    points = NumberAttribute(null=True)


class AwardItem(Item, discriminator="PartnerAward"):
    """``AWARDS#<district>#<year>`` / ``PARTNER#<partner>``: a nomination for the year's
    红色创新奖, and the award once decided; gsi1 ``PAWARDS#<partner>`` / ``<year>``."""

    partner_id = UnicodeAttribute()
    partner_name = UnicodeAttribute()
    district_id = UnicodeAttribute()
    year = NumberAttribute()
    stage = UnicodeAttribute()  # NOMINATED, AWARDED
    citation = UnicodeAttribute()
    nominated_by = UnicodeAttribute(null=True)
    nominated_at = UnicodeAttribute()
    awarded_at = UnicodeAttribute(null=True)


class AccountItem(Item, discriminator="LedgerAccount"):
    """``ACCOUNT#<kind>#<holder>`` / ``#META``: the balance; gsi1 ``BOARD#<kind>#<scope>`` /
    ``<holder>`` (the accounts of a street, for its leaderboard)."""

    account = UnicodeAttribute()
    holder_id = UnicodeAttribute()
    holder_name = UnicodeAttribute()
    scope_id = UnicodeAttribute()
    scope_path = UnicodeAttribute()
    balance = NumberAttribute(default=0)
    earned = NumberAttribute(default=0)
    entries = NumberAttribute(default=0)


class LedgerEntryItem(Item, discriminator="LedgerEntry"):
    """``ACCOUNT#<kind>#<holder>`` / ``ENTRY#<at>#<id>``: append-only (put if absent)."""

    id = UnicodeAttribute()
    account = UnicodeAttribute()
    holder_id = UnicodeAttribute()
    amount = NumberAttribute()
    source = UnicodeAttribute()
    reason = UnicodeAttribute()
    reference = UnicodeAttribute(null=True)
    idempotency_key = UnicodeAttribute()
    actor_id = UnicodeAttribute(null=True)
    at = UnicodeAttribute()


class LedgerGuardItem(Item, discriminator="LedgerGuard"):
    """``ACCOUNT#<kind>#<holder>`` / ``IDEM#<key>``: one entry per idempotency key."""

    entry_sk = UnicodeAttribute()
    input_hash = UnicodeAttribute(null=True)  # the posting's input, to refuse a reused key


def partner_key(partner_id: str) -> tuple[str, str]:
    return f"PARTNER#{partner_id}", META


def resource_key(partner_id: str, resource_id: str) -> tuple[str, str]:
    return f"PARTNER#{partner_id}", f"RESOURCE#{resource_id}"


def need_key(need_id: str) -> tuple[str, str]:
    return f"NEED#{need_id}", META


def project_key(project_id: str) -> tuple[str, str]:
    return f"PROJECT#{project_id}", META


def claim_key(project_id: str, partner_id: str) -> tuple[str, str]:
    return f"PROJECT#{project_id}", f"CLAIM#{partner_id}"


def award_key(district_id: str, year: int, partner_id: str) -> tuple[str, str]:
    return f"AWARDS#{district_id}#{year}", f"PARTNER#{partner_id}"


def account_pk(account: str, holder_id: str) -> str:
    return f"ACCOUNT#{account}#{holder_id}"


def directory_pk(unit_id: str) -> str:
    return f"PARTNERS#{unit_id}"


def all_partners_pk(district_id: str) -> str:
    return f"PARTNERS_ALL#{district_id}"


def resources_pk(unit_id: str) -> str:
    return f"RESOURCES#{unit_id}"


def lists_pk(community_id: str) -> str:
    return f"LISTS#{community_id}"


def street_projects_pk(street_id: str) -> str:
    return f"PROJECTS#{street_id}"


def project_gsi2sk(state: str, created_at: str, project_id: str) -> str:
    return f"{state}#{created_at}#{project_id}"


def partner_claims_pk(partner_id: str) -> str:
    return f"PCLAIMS#{partner_id}"


def partner_awards_pk(partner_id: str) -> str:
    return f"PAWARDS#{partner_id}"


def board_pk(account: str, scope_id: str) -> str:
    return f"BOARD#{account}#{scope_id}"
