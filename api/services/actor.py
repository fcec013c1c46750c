"""Who is calling, and what they may do where.

An actor is anonymous or a person with role grants. A grant's scope is its org unit's subtree,
tested by prefix on the materialised path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api.domain.errors import Forbidden, Unauthenticated
from api.domain.messages import Message, msg
from api.domain.org import is_within
from api.domain.roles import Permission, Role, permits
from api.records.org import GrantRecord, PersonRecord
from api.store.db import Db


@dataclass(frozen=True)
class Grant:
    org_id: str
    org_path: str
    role: Role


@dataclass(frozen=True)
class Actor:
    person_id: str | None = None
    name: str | None = None
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    person: PersonRecord | None = None
    grant_records: tuple[GrantRecord, ...] = field(default_factory=tuple)
    # An API client (issue 13, api/services/api_clients.py): kind CLIENT, permissions from its
    # scopes within its unit's subtree; ``operator_id`` is the person it names as operator.
    client_id: str | None = None
    client_path: str | None = None
    client_scopes: frozenset[str] = frozenset()
    client_permissions: frozenset[Permission] = frozenset()
    operator_id: str | None = None

    @property
    def kind(self) -> str:
        if self.client_id is not None:
            return "CLIENT"
        return "PERSON" if self.person_id is not None else "ANONYMOUS"

    @property
    def is_authenticated(self) -> bool:
        return self.person_id is not None

    def can(self, permission: Permission, path: str) -> bool:
        if self.client_path is not None:
            return permission in self.client_permissions and is_within(path, self.client_path)
        return any(
            permits(grant.role, permission) and is_within(path, grant.org_path)
            for grant in self.grants
        )

    def require_login(self) -> str:
        if self.person_id is None:
            raise Unauthenticated(msg("actor.sign_in"))
        return self.person_id

    def require(self, permission: Permission, path: str, what: Message) -> None:
        self.require_login()
        if not self.can(permission, path):
            raise Forbidden(msg("actor.forbidden_here", what=what))


ANONYMOUS = Actor()


def load_actor(db: Db, person_id: str) -> Actor:
    """One consistent Query on the person's partition returns the person and all their grants."""
    person, grants = db.people.with_grants(person_id)
    if person is None:
        raise Unauthenticated(msg("actor.not_registered"))
    return Actor(
        person_id=person_id,
        name=person.name,
        grants=tuple(Grant(g.org_id, g.org_path, g.role) for g in grants),
        person=person,
        grant_records=tuple(grants),
    )
