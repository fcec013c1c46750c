"""People, phone guards and role grants. Key design in ``README.md``.

Reads return ``PersonRecord``/``GrantRecord``s; every change is one unit of work (a dataclass
below) committed as one ``TransactWriteItems``, together with the reference count of the org
unit it refers to (conditioned on that unit not being archived).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pynamodb.exceptions import DoesNotExist

from api.domain.messages import msg
from api.domain.roles import Role
from api.records.org import GrantRecord, OrgUnitRecord, PersonRecord
from api.store.models import (
    Item,
    OrgUnitItem,
    PersonItem,
    PhoneGuardItem,
    RoleGrantItem,
    grant_key,
    grants_pk,
    org_key,
    person_key,
    phone_key,
    residents_pk,
)
from api.store.org_codec import (
    grant_item,
    grant_record,
    person_item,
    person_record,
    phone_guard_item,
)
from api.store.pagination import Page, query_page
from api.store.repository import Repository, bound


@dataclass(frozen=True, slots=True)
class Registration:
    """A new person living in ``home`` (whose reference count grows)."""

    person: PersonRecord
    home: OrgUnitRecord


@dataclass(frozen=True, slots=True)
class BadgeChange:
    person: PersonRecord  # read at its version
    show: bool


@dataclass(frozen=True, slots=True)
class NewGrant:
    grant: GrantRecord
    unit: OrgUnitRecord


@dataclass(frozen=True, slots=True)
class Revocation:
    grant: GrantRecord
    unit: OrgUnitRecord


def _unit_refs(unit_id: str, delta: int) -> tuple[OrgUnitItem, list[Any]]:
    pk, sk = org_key(unit_id)
    return OrgUnitItem(pk, sk), [OrgUnitItem.refs.add(delta)]


NOT_ARCHIVED = OrgUnitItem.archived == False  # noqa: E712


def read_person(person_id: str, consistent: bool = False) -> PersonRecord | None:
    """On whichever table is bound. TRANSITIONAL: also called unbound by
    ``api.services.people.get_person`` for modules of other aggregates without a Db."""
    pk, sk = person_key(person_id)
    try:
        return person_record(PersonItem.get(pk, sk, consistent_read=consistent))
    except DoesNotExist:
        return None


class PeopleStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""

    @bound
    def get(self, person_id: str, consistent: bool = False) -> PersonRecord | None:
        return read_person(person_id, consistent)

    @bound
    def get_many(self, person_ids: list[str]) -> dict[str, PersonRecord]:
        """One BatchGetItem per 100 distinct ids."""
        keys = [person_key(person_id) for person_id in dict.fromkeys(person_ids)]
        return {item.id: person_record(item) for item in PersonItem.batch_get(keys)}

    @bound
    def with_grants(self, person_id: str) -> tuple[PersonRecord | None, list[GrantRecord]]:
        """The person and every role they hold: one consistent Query on their partition."""
        pk, _ = person_key(person_id)
        person: PersonRecord | None = None
        grants: list[GrantRecord] = []
        for item in Item.query(pk, consistent_read=True):
            if isinstance(item, PersonItem):
                person = person_record(item)
            elif isinstance(item, RoleGrantItem):
                grants.append(grant_record(item))
        return person, grants

    @bound
    def grants_of(self, person_id: str) -> list[GrantRecord]:
        """Every role a person holds: one Query on their partition."""
        pk, _ = person_key(person_id)
        return [
            grant_record(item)
            for item in RoleGrantItem.query(pk, RoleGrantItem.sk.startswith("ROLE#"))
        ]

    @bound
    def grant(self, person_id: str, org_id: str, role: Role) -> GrantRecord | None:
        pk, sk = grant_key(person_id, org_id, role.value)
        try:
            return grant_record(RoleGrantItem.get(pk, sk, consistent_read=True))
        except DoesNotExist:
            return None

    @bound
    def grants_on(self, org_id: str, first: int, after: str | None) -> Page[GrantRecord]:
        """Who holds which role on a unit, by role then person (gsi1 ``GRANTS#<org>``)."""
        page = query_page(
            RoleGrantItem, self.db.codec, grants_pk(org_id), index="gsi1", first=first, after=after
        )
        return page.map(grant_record)

    @bound
    def residents(self, org_id: str, first: int, after: str | None) -> Page[PersonRecord]:
        """People whose home is a unit, by name (gsi1 ``RESIDENTS#<org>``)."""
        page = query_page(
            PersonItem, self.db.codec, residents_pk(org_id), index="gsi1", first=first, after=after
        )
        return page.map(person_record)

    @bound
    def phone_taken(self, phone: str) -> bool:
        return bool(PhoneGuardItem.count(phone_key(phone)[0], consistent_read=True))

    # Changes: one transaction each (a lost condition raises ``Conflict``).

    def register(self, change: Registration) -> None:
        """The person, the guard of their phone and their home unit's reference count."""
        person = change.person
        unit, refs = _unit_refs(change.home.id, 1)
        with self.db.transaction() as tx:
            tx.save(person_item(person), condition=PersonItem.pk.does_not_exist())
            if person.phone:
                tx.save(
                    phone_guard_item(person.phone, person.id),
                    condition=PhoneGuardItem.pk.does_not_exist(),
                )
            tx.update(unit, actions=refs, condition=NOT_ARCHIVED, add_version_condition=False)

    def set_badge(self, change: BadgeChange) -> PersonRecord:
        pk, sk = person_key(change.person.id)
        # Version 0: an item written without one (the demo seed's batch writes); pynamodb
        # refuses ``version=None``, and without the argument it expects no version attribute.
        version = change.person.version
        locked = PersonItem(pk, sk, version=version) if version else PersonItem(pk, sk)
        with self.db.transaction() as tx:
            tx.update(locked, actions=[PersonItem.party_badge.set(change.show)])
        return replace(change.person, party_badge=change.show, version=change.person.version + 1)

    def add_grant(self, change: NewGrant) -> None:
        unit, refs = _unit_refs(change.unit.id, 1)
        with self.db.transaction() as tx:
            tx.save(grant_item(change.grant), condition=RoleGrantItem.pk.does_not_exist())
            tx.update(unit, actions=refs, condition=NOT_ARCHIVED, add_version_condition=False)

    def revoke(self, change: Revocation) -> None:
        grant = change.grant
        pk, sk = grant_key(grant.person_id, grant.org_id, grant.role.value)
        unit, refs = _unit_refs(change.unit.id, -1)
        with self.db.transaction(msg("conflict.role_revoked")) as tx:
            tx.delete(
                RoleGrantItem(pk, sk),
                condition=RoleGrantItem.pk.exists(),
                add_version_condition=False,
            )
            tx.update(unit, actions=refs, add_version_condition=False)

    # --- added for delivery (issue 12): who holds roles on a unit -------------------------

    @bound
    def all_grants_on(self, org_id: str) -> list[GrantRecord]:
        """Every role granted on one unit (one Query on gsi1 ``GRANTS#<org>``)."""
        items = RoleGrantItem.by_parent.query(grants_pk(org_id))
        return [grant_record(item) for item in items if isinstance(item, RoleGrantItem)]

    # Added for cases (r-cases): the sweeper's 包案 leader lookup. ---------------------------

    @bound
    def first_grantee(self, org_id: str, role: Role) -> str | None:
        """The person first granted ``role`` on ``org_id`` (one Query, one item), if any."""
        for grant in RoleGrantItem.by_parent.query(
            grants_pk(org_id), RoleGrantItem.gsi1sk.startswith(f"{role.value}#"), limit=1
        ):
            return str(grant.person_id)  # type: ignore[attr-defined]
        return None
