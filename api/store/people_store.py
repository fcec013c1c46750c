"""People, phone guards and role grants. Key design in ``README.md``."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from api.records.org import GrantRecord, PersonRecord
from api.store.models import Item, PersonItem, RoleGrantItem, person_key
from api.store.org_codec import grant_record, person_record
from api.store.repository import Repository, bound


class PeopleStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""

    @bound
    def get(self, person_id: str, consistent: bool = False) -> PersonRecord | None:
        pk, sk = person_key(person_id)
        try:
            return person_record(PersonItem.get(pk, sk, consistent_read=consistent))
        except DoesNotExist:
            return None

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
