"""Per-request context: the store, the clock, the caller and the DataLoaders.

Everything here is built per request (DataLoaders cache per request only: a module-level loader
would serve stale data on the next warm Lambda invocation). Loaders read through the request's
``Db``: one BatchGetItem per 100 distinct keys asked for in one tick of the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from api.domain.clock import Clock
from api.domain.messages import DEFAULT_LANGUAGE, Language
from api.records.client import ApiClientRecord
from api.records.org import GrantRecord, OrgUnitRecord, PersonRecord
from api.services import people
from api.services.actor import ANONYMOUS, Actor, load_actor
from api.services.api_clients import client_actor
from api.store.db import Db
from schema.case_loaders import CaseLoaders
from schema.partner_loaders import PartnerLoaders
from schema.query_guard import QueryPolicy

V = TypeVar("V")

if TYPE_CHECKING:
    from schema.topic_loaders import TopicLoaders


def by_id(get_many: Callable[[list[str]], dict[str, V]]) -> DataLoader[str, V | None]:
    """A loader over a repository's ``get_many`` (one BatchGetItem per 100 distinct ids)."""

    async def load(ids: list[str]) -> list[V | None]:
        found = get_many(ids)
        return [found.get(item_id) for item_id in ids]

    return DataLoader(load_fn=load)


class Loaders:
    """The request's DataLoaders, one per kind of read, built on first use."""

    def __init__(self, db: Db) -> None:
        self.db = db

    @cached_property
    def org_units(self) -> DataLoader[str, OrgUnitRecord | None]:
        return by_id(self.db.org_units.get_many)

    @cached_property
    def people(self) -> DataLoader[str, PersonRecord | None]:
        return by_id(self.db.people.get_many)

    @cached_property
    def grants_of(self) -> DataLoader[str, list[GrantRecord]]:
        """The roles of a person: one Query on their partition per person (roles live under
        the person and are not known by key)."""

        async def load(ids: list[str]) -> list[list[GrantRecord]]:
            return [self.db.people.grants_of(person_id) for person_id in ids]

        return DataLoader(load_fn=load)


@dataclass
class Context:
    db: Db
    clock: Clock
    request_id: str
    subject: str | None = None
    client: ApiClientRecord | None = None  # an API client's request (X-Api-Key, issue 13)
    operator_id: str | None = None  # the person a client names as operator (X-Operator-Id)
    loaders: Loaders = field(init=False)
    # What the stage allows (cost budgets, introspection); the caller's address for rate limits.
    query_policy: QueryPolicy = field(default_factory=QueryPolicy)
    client_ip: str | None = None
    # The language messages and stored texts are shown in (Accept-Language, api/language.py).
    language: Language = DEFAULT_LANGUAGE
    _actor: Actor | None = None

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.db)

    @property
    def actor(self) -> Actor:
        """The caller, loaded on first use (one consistent Query: person + grants)."""
        if self._actor is None and self.client is not None:
            self._actor = client_actor(self.client, self.operator_id)
        if self._actor is None:
            self._actor = ANONYMOUS if self.subject is None else load_actor(self.db, self.subject)
        return self._actor

    @cached_property
    def partner_loaders(self) -> PartnerLoaders:
        """Red partners' loaders (``schema/partner_loaders.py``), built on first use."""
        return PartnerLoaders(self.db)

    @cached_property
    def topic_loaders(self) -> TopicLoaders:
        from schema.topic_loaders import TopicLoaders

        return TopicLoaders(self.db, lambda: self.actor)

    @cached_property
    def case_loaders(self) -> CaseLoaders:
        """Cases' loaders (``schema/case_loaders.py``), built on first use."""
        return CaseLoaders(self.db)

    @property
    def client_scopes(self) -> frozenset[str] | None:
        """The calling client's scopes (``schema/client_gate.py``); None for people."""
        return None if self.client is None else frozenset(s.value for s in self.client.scopes)

    def can_read_person(self, person: PersonRecord) -> bool:
        return people.can_read_personal_data(self.actor, person)


Info = StrawberryInfo[Context, None]
