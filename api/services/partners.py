"""Use cases of the partner directory: register (apply), approve / suspend / reinstate /
withdraw, and the resources a partner offers (资源清单).

A status change rewrites the partner and each of its resources in one transaction (the
resources list shows only approved partners' resources without reading the partners).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from api.domain.clock import Clock, iso
from api.domain.errors import Forbidden, InvalidHierarchy, InvalidInput
from api.domain.ids import new_id
from api.domain.messages import msg
from api.domain.org import OrgKind, path_ids, validate_name
from api.domain.partners import (
    RESOURCES_PER_PARTNER_MAX,
    Contact,
    PartnerAction,
    PartnerKind,
    PartnerStatus,
    check_category,
    check_contacts,
    check_dates,
    check_quantity,
    check_text,
    next_partner_status,
)
from api.domain.roles import Permission
from api.records.org import OrgUnitRecord
from api.records.partner import PartnerRecord, ResourceRecord
from api.services import partner_access
from api.services.actor import Actor
from api.store.db import Db
from api.store.partner_store import NewResource, PartnerStatusChange


@dataclass(frozen=True)
class PartnerInput:
    directory_unit_id: str
    kind: PartnerKind
    name: str
    description: str = ""
    contacts: tuple[Contact, ...] = ()
    agreement_start: date | None = None
    agreement_end: date | None = None
    representative_ids: tuple[str, ...] = ()


def _self_service(db: Db, actor: Actor, unit: OrgUnitRecord, data: PartnerInput) -> PartnerInput:
    """Self-service (issue 16.9): a person applies for their own organisation into a directory
    that reaches their home (their street's sub-directory or the district directory). The
    application is APPLIED with the applicant as its first representative; approval stays with
    the directory's staff (MANAGE_PARTNERS on the unit, ``changePartnerStatus``)."""
    person = actor.person
    home = db.org_units.get(person.home_unit_id) if person and person.home_unit_id else None
    if person is None or home is None or not (home.path + "/").startswith(unit.path + "/"):
        raise Forbidden(msg("partner.apply_scope"))
    return replace(data, representative_ids=(person.id, *data.representative_ids))


def register_partner(db: Db, actor: Actor, clock: Clock, data: PartnerInput) -> PartnerRecord:
    """Record an application into the district directory or a street sub-directory."""
    actor.require_login()
    unit = db.org_units.require(data.directory_unit_id, field="directoryUnitId")
    if unit.kind not in (OrgKind.DISTRICT, OrgKind.STREET):
        raise InvalidHierarchy(
            msg("partner.directory_join"),
            field="directoryUnitId",
        )
    if not actor.can(Permission.MANAGE_PARTNERS, unit.path):
        data = _self_service(db, actor, unit, data)
    name = validate_name(data.name)
    description = check_text(data.description, "description", required=False)
    contacts = check_contacts(list(data.contacts))
    check_dates(data.agreement_start, data.agreement_end, "agreementStart")
    if len(data.representative_ids) > 5:
        raise InvalidInput(msg("partner.representatives_max"), field="representativeIds")
    representatives = tuple(dict.fromkeys(data.representative_ids))
    if representatives and len(db.people.get_many(list(representatives))) < len(representatives):
        raise InvalidInput(msg("partner.representative_unregistered"), field="representativeIds")
    at = iso(clock.now())
    return db.partners.register(
        PartnerRecord(
            id=new_id(),
            kind=data.kind,
            name=name,
            status=PartnerStatus.APPLIED,
            status_reason=None,
            description=description or None,
            directory_unit_id=unit.id,
            directory_level=unit.kind,
            directory_path=unit.path,
            district_id=path_ids(unit.path)[0],
            contacts=tuple(contacts),
            agreement_start=data.agreement_start.isoformat() if data.agreement_start else None,
            agreement_end=data.agreement_end.isoformat() if data.agreement_end else None,
            categories=(),
            representative_ids=representatives,
            served_paths=frozenset(),
            resource_ids=(),
            resource_count=0,
            created_at=at,
            updated_at=at,
            version=0,
        )
    )


def change_status(
    db: Db, actor: Actor, clock: Clock, partner_id: str, action: PartnerAction, reason: str
) -> PartnerRecord:
    """Approve, suspend, reinstate or withdraw; the partner's resources follow its status."""
    partner = partner_access.require_partner(db, partner_id)
    partner_access.require_manage_partner(actor, partner, msg("action.change_status_of"))
    note = check_text(reason, "reason", required=action is PartnerAction.SUSPEND, limit=500)
    status = next_partner_status(partner.status, action)
    change = PartnerStatusChange(
        partner=partner,
        status=status,
        reason=note or None,
        at=iso(clock.now()),
        resources=tuple(db.partners.resources(partner.id)),
    )
    return db.partners.change_status(change)


@dataclass(frozen=True)
class ResourceInput:
    partner_id: str
    category: str
    description: str
    quantity: int | None = None
    availability: str = ""


def add_resource(db: Db, actor: Actor, clock: Clock, data: ResourceInput) -> ResourceRecord:
    partner = partner_access.require_partner(db, data.partner_id)
    partner_access.require_act_for(actor, partner)
    category = check_category(data.category)
    description = check_text(data.description, "description", limit=500)
    quantity = check_quantity(data.quantity) if data.quantity is not None else None
    availability = check_text(data.availability, "availability", required=False, limit=200)
    if partner.status == PartnerStatus.WITHDRAWN:
        raise InvalidInput(msg("partner.withdrawn_offers_nothing"), field="partnerId")
    if partner.resource_count >= RESOURCES_PER_PARTNER_MAX:
        raise InvalidInput(
            msg("partner.resources_max", resources_per_partner_max=RESOURCES_PER_PARTNER_MAX),
            field="partnerId",
        )
    resource = ResourceRecord(
        id=new_id(),
        partner_id=partner.id,
        partner_name=partner.name,
        partner_status=partner.status,
        category=category,
        description=description,
        quantity=quantity,
        availability=availability or None,
        directory_unit_id=partner.directory_unit_id,
        created_at=iso(clock.now()),
        version=0,
    )
    return db.partners.add_resource(NewResource(resource=resource, partner=partner))
