"""Per-request context: the store, the clock, the caller and the DataLoaders.

Everything here is built per request (DataLoaders cache per request only: a module-level loader
would serve stale data on the next warm Lambda invocation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from api.domain.clock import Clock
from api.services import org_units, people
from api.services.actor import ANONYMOUS, Actor, load_actor
from api.store.db import Db
from api.store.models import OrgUnitItem, PersonItem, person_key
from schema.query_guard import QueryPolicy


async def _load_units(ids: list[str]) -> list[OrgUnitItem | None]:
    found = org_units.load_many(ids)
    return [found.get(unit_id) for unit_id in ids]


async def _load_people(ids: list[str]) -> list[PersonItem | None]:
    keys = [person_key(person_id) for person_id in dict.fromkeys(ids)]
    found = {item.id: item for item in PersonItem.batch_get(keys)}
    return [found.get(person_id) for person_id in ids]


@dataclass
class Loaders:
    org_units: DataLoader[str, OrgUnitItem | None] = field(
        default_factory=lambda: DataLoader(load_fn=_load_units)
    )
    people: DataLoader[str, PersonItem | None] = field(
        default_factory=lambda: DataLoader(load_fn=_load_people)
    )


@dataclass
class Context:
    db: Db
    clock: Clock
    request_id: str
    subject: str | None = None
    loaders: Loaders = field(default_factory=Loaders)
    # What the stage allows (cost budgets, introspection); the caller's address for rate limits.
    query_policy: QueryPolicy = field(default_factory=QueryPolicy)
    client_ip: str | None = None
    _actor: Actor | None = None

    @property
    def actor(self) -> Actor:
        """The caller, loaded on first use (one consistent Query: person + grants)."""
        if self._actor is None:
            self._actor = ANONYMOUS if self.subject is None else load_actor(self.subject)
        return self._actor

    def can_read_person(self, person: PersonItem) -> bool:
        return people.can_read_personal_data(self.actor, person)


Info = StrawberryInfo[Context, None]
