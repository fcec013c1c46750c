"""Use cases of the partner directory: register (apply), approve / suspend / reinstate /
withdraw, and the resources a partner offers (资源清单).

A status change rewrites the partner and each of its resources in one transaction (the
resources list shows only approved partners' resources without reading the partners).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pynamodb.exceptions import DoesNotExist

from api.domain.clock import Clock, iso
from api.domain.errors import InvalidHierarchy, InvalidInput
from api.domain.ids import new_id
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
from api.services import org_units, partner_access
from api.services.actor import Actor
from api.store.db import Db
from api.store.partner_models import (
    PartnerItem,
    ResourceItem,
    all_partners_pk,
    directory_pk,
    partner_key,
    resource_key,
    resources_pk,
)


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


def get_partner(partner_id: str, consistent: bool = False) -> PartnerItem | None:
    try:
        return PartnerItem.get(*partner_key(partner_id), consistent_read=consistent)
    except DoesNotExist:
        return None


def require_partner(partner_id: str, consistent: bool = True) -> PartnerItem:
    partner = get_partner(partner_id, consistent)
    partner_access.require_found(partner, partner_access.NO_SUCH_PARTNER, "partnerId")
    assert partner is not None
    return partner


def register_partner(db: Db, actor: Actor, clock: Clock, data: PartnerInput) -> PartnerItem:
    """Record an application into the district directory or a street sub-directory."""
    actor.require_login()
    unit = org_units.require_unit(data.directory_unit_id, field="directoryUnitId")
    if unit.kind not in (OrgKind.DISTRICT, OrgKind.STREET):
        raise InvalidHierarchy(
            "Partners join the district directory or a street sub-directory",
            field="directoryUnitId",
        )
    actor.require(Permission.MANAGE_PARTNERS, unit.path, "register partners")
    name = validate_name(data.name)
    description = check_text(data.description, "description", required=False)
    contacts = check_contacts(list(data.contacts))
    check_dates(data.agreement_start, data.agreement_end, "agreementStart")
    if len(data.representative_ids) > 5:
        raise InvalidInput("At most 5 representatives", field="representativeIds")
    from api.services.people import get_person

    for person_id in data.representative_ids:
        if get_person(person_id) is None:
            raise InvalidInput(
                "A representative is not a registered person", field="representativeIds"
            )
    at = iso(clock.now())
    partner_id = new_id()
    district_id = path_ids(unit.path)[0]
    partner = PartnerItem(
        *partner_key(partner_id),
        id=partner_id,
        kind=data.kind.value,
        name=name,
        status=PartnerStatus.APPLIED.value,
        description=description or None,
        directory_unit_id=unit.id,
        directory_level=unit.kind,
        directory_path=unit.path,
        district_id=district_id,
        contacts=[{"name": c.name, "phone": c.phone, "role": c.role} for c in contacts],
        agreement_start=data.agreement_start.isoformat() if data.agreement_start else None,
        agreement_end=data.agreement_end.isoformat() if data.agreement_end else None,
        categories=[],
        representative_ids=list(dict.fromkeys(data.representative_ids)),
        resource_count=0,
        created_at=at,
        updated_at=at,
        gsi1pk=directory_pk(unit.id),
        gsi1sk=f"{name}#{partner_id}",
        gsi2pk=all_partners_pk(district_id),
        gsi2sk=f"{name}#{partner_id}",
    )
    partner.save(condition=PartnerItem.pk.does_not_exist())
    return partner


def partner_resources(partner_id: str) -> list[ResourceItem]:
    return list(
        ResourceItem.query(
            f"PARTNER#{partner_id}", ResourceItem.sk.startswith("RESOURCE#"), consistent_read=True
        )
    )


def change_status(
    db: Db, actor: Actor, clock: Clock, partner_id: str, action: PartnerAction, reason: str
) -> PartnerItem:
    """Approve, suspend, reinstate or withdraw; the partner's resources follow its status."""
    partner = require_partner(partner_id)
    partner_access.require_manage_partner(actor, partner, "change the status of")
    note = check_text(reason, "reason", required=action is PartnerAction.SUSPEND, limit=500)
    status = next_partner_status(PartnerStatus(partner.status), action)
    resources = partner_resources(partner.id)
    partner.status = status.value
    partner.status_reason = note or None
    partner.updated_at = iso(clock.now())
    with db.transaction(f"{partner.name} was changed at the same time; retry") as transaction:
        transaction.save(partner)  # conditioned on the version read
        for resource in resources:
            transaction.update(
                resource,
                actions=[ResourceItem.partner_status.set(status.value)],
                add_version_condition=False,
            )
    return partner


@dataclass(frozen=True)
class ResourceInput:
    partner_id: str
    category: str
    description: str
    quantity: int | None = None
    availability: str = ""


def add_resource(db: Db, actor: Actor, clock: Clock, data: ResourceInput) -> ResourceItem:
    partner = require_partner(data.partner_id)
    partner_access.require_act_for(actor, partner)
    category = check_category(data.category)
    description = check_text(data.description, "description", limit=500)
    quantity = check_quantity(data.quantity) if data.quantity is not None else None
    availability = check_text(data.availability, "availability", required=False, limit=200)
    if partner.status == PartnerStatus.WITHDRAWN:
        raise InvalidInput("A withdrawn partner offers nothing", field="partnerId")
    if int(partner.resource_count or 0) >= RESOURCES_PER_PARTNER_MAX:
        raise InvalidInput(
            f"A partner lists at most {RESOURCES_PER_PARTNER_MAX} resources", field="partnerId"
        )
    resource_id = new_id()
    resource = ResourceItem(
        *resource_key(partner.id, resource_id),
        id=resource_id,
        partner_id=partner.id,
        partner_name=partner.name,
        partner_status=partner.status,
        category=category,
        description=description,
        quantity=quantity,
        availability=availability or None,
        directory_unit_id=partner.directory_unit_id,
        created_at=iso(clock.now()),
        gsi1pk=resources_pk(partner.directory_unit_id),
        gsi1sk=f"{category}#{partner.id}#{resource_id}",
    )
    categories = sorted({*(partner.categories or []), category})
    actions: list[Any] = [
        PartnerItem.resource_count.add(1),
        PartnerItem.categories.set(categories),
    ]
    # The partner's status and resource count must be what was read: a resource never joins a
    # partner that was withdrawn (or filled up) meanwhile.
    with db.transaction(f"{partner.name} was changed at the same time; retry") as transaction:
        transaction.save(resource, condition=ResourceItem.pk.does_not_exist())
        transaction.update(partner, actions=actions)
    return resource
