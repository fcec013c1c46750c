"""Per-request DataLoaders of red partners: a page of N partners or projects costs the same
number of requests whatever N (records carry their children's ids, so each loader is one
BatchGetItem per 100 keys). Built per request (``Context.partner_loaders``): a loader's cache
must not outlive the request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from strawberry.dataloader import DataLoader

from api.records.partner import (
    ClaimRecord,
    NeedRecord,
    PartnerRecord,
    ProjectRecord,
    ResourceRecord,
)
from api.store.db import Db

V = TypeVar("V")


def _in_order(found: Mapping[str, V], ids: list[str]) -> list[V | None]:
    return [found.get(key) for key in ids]


def _record_id(record: PartnerRecord | ProjectRecord) -> str:
    return record.id


class PartnerLoaders:
    """Partners, needs and projects by id; a partner's resources and a project's claims keyed
    by the record itself (its child ids make the BatchGetItem keys), cached by its id."""

    def __init__(self, db: Db) -> None:
        self.db = db
        self.partners = DataLoader[str, PartnerRecord | None](load_fn=self._partners)
        self.needs = DataLoader[str, NeedRecord | None](load_fn=self._needs)
        self.projects = DataLoader[str, ProjectRecord | None](load_fn=self._projects)
        self.resources = DataLoader[PartnerRecord, list[ResourceRecord]](
            load_fn=self._resources, cache_key_fn=_record_id
        )
        self.claims = DataLoader[ProjectRecord, list[ClaimRecord]](
            load_fn=self._claims, cache_key_fn=_record_id
        )

    async def _partners(self, ids: list[str]) -> list[PartnerRecord | None]:
        return _in_order(self.db.partners.partners(ids), ids)

    async def _needs(self, ids: list[str]) -> list[NeedRecord | None]:
        return _in_order(self.db.partners.needs(ids), ids)

    async def _projects(self, ids: list[str]) -> list[ProjectRecord | None]:
        return _in_order(self.db.partners.projects(ids), ids)

    async def _resources(self, partners: list[PartnerRecord]) -> list[list[ResourceRecord]]:
        found = self.db.partners.resources_of(partners)
        return [found[partner.id] for partner in partners]

    async def _claims(self, projects: list[ProjectRecord]) -> list[list[ClaimRecord]]:
        found = self.db.partners.claims_of(projects)
        return [found[project.id] for project in projects]
