"""Org units: the hierarchy, name guards, grid details. Key design in ``README.md``."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from api.domain.errors import NotFound
from api.records.org import OrgUnitRecord
from api.store.models import OrgUnitItem, org_key
from api.store.org_codec import unit_record
from api.store.repository import Repository, bound


class OrgUnitStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""

    @bound
    def get(self, unit_id: str, consistent: bool = False) -> OrgUnitRecord | None:
        pk, sk = org_key(unit_id)
        try:
            return unit_record(OrgUnitItem.get(pk, sk, consistent_read=consistent))
        except DoesNotExist:
            return None

    def require(self, unit_id: str, field: str = "id", consistent: bool = True) -> OrgUnitRecord:
        unit = self.get(unit_id, consistent=consistent)
        if unit is None:
            raise NotFound(f"No org unit {unit_id}", field=field)
        return unit

    @bound
    def get_many(self, unit_ids: list[str]) -> dict[str, OrgUnitRecord]:
        """One BatchGetItem per 100 distinct ids."""
        keys = [org_key(unit_id) for unit_id in dict.fromkeys(unit_ids)]
        return {item.id: unit_record(item) for item in OrgUnitItem.batch_get(keys)}
