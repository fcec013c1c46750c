"""API clients (issue 13): third-party systems calling with a key instead of a person's token.

A district admin (MANAGE_ORG on the district) registers a client with an org-unit scope and a
set of scopes. The key ``dqk.<client id>.<secret>`` is shown once; only its SHA-256 is stored
(a 256-bit random secret needs no slow hash), compared in constant time. Rotation keeps the
previous key valid for a grace period; revocation is immediate. Authentication is one
consistent GetItem (the key names its client); the last use is recorded at most once a minute.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from api.domain.clock import Clock, iso
from api.domain.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from api.domain.ids import new_id
from api.domain.messages import msg
from api.domain.org import path_ids
from api.domain.roles import Permission
from api.records.client import ApiClientRecord, ClientScope
from api.services.actor import Actor
from api.store.client_store import ClientChange
from api.store.db import Db

KEY_PREFIX = "dqk"
ROTATION_GRACE = timedelta(hours=24)
TOUCH_EVERY = timedelta(minutes=1)
DEFAULT_RATE_PER_MINUTE = 120
MAX_RATE_PER_MINUTE = 6000
MAX_NAME = 80

# What each scope lets a client do through the permission checks people go through. Root fields
# a client may call at all are listed per scope in ``schema/client_gate.py`` (deny by default),
# so a permission granted here for one use (DISPATCH_CASES: report on the HOTLINE channel) opens
# no other mutation.
SCOPE_PERMISSIONS: dict[ClientScope, frozenset[Permission]] = {
    ClientScope.CASES_REPORT: frozenset({Permission.DISPATCH_CASES}),
    ClientScope.CASES_READ: frozenset({Permission.READ_CASES}),
    ClientScope.CASES_EVALUATE: frozenset(),
    ClientScope.TOPICS_READ: frozenset(),
    ClientScope.PARTNERS_READ: frozenset({Permission.READ_PARTNERS}),
    ClientScope.WEBHOOKS_MANAGE: frozenset({Permission.MANAGE_ORG}),
}


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A client and its key in clear: returned once, on registration or rotation."""

    client: ApiClientRecord
    key: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_key(client_id: str) -> str:
    return f"{KEY_PREFIX}.{client_id}.{secrets.token_urlsafe(32)}"


def client_person_id(client_id: str) -> str:
    """The id a client's writes carry in timelines and as a reporter (actor kind CLIENT)."""
    return f"client:{client_id}"


def client_id_of(actor_id: str | None) -> str | None:
    """The client behind a timeline actor id (None for people and timers)."""
    if actor_id is None or not actor_id.startswith("client:"):
        return None
    return actor_id.removeprefix("client:")


def _check_scopes(scopes: list[str]) -> tuple[ClientScope, ...]:
    if not scopes:
        raise InvalidInput(msg("client.no_scopes"), field="scopes")
    known = {s.value for s in ClientScope}
    unknown = sorted(set(scopes) - known)
    if unknown:
        raise InvalidInput(msg("client.unknown_scopes", join=", ".join(unknown)), field="scopes")
    return tuple(ClientScope(s) for s in sorted(set(scopes)))


def register(
    db: Db,
    actor: Actor,
    clock: Clock,
    *,
    name: str,
    org_id: str,
    scopes: list[str],
    rate_per_minute: int | None = None,
) -> IssuedKey:
    unit = db.org_units.require(org_id, field="orgUnitId")
    district_path = "/" + path_ids(unit.path)[0]
    actor.require(Permission.MANAGE_ORG, district_path, msg("action.register_clients"))
    if actor.client_id is not None:
        raise Forbidden(msg("client.no_client_registration"))
    clean_name = name.strip()
    if not clean_name or len(clean_name) > MAX_NAME:
        raise InvalidInput(msg("client.name_length", max_name=MAX_NAME), field="name")
    rate = DEFAULT_RATE_PER_MINUTE if rate_per_minute is None else rate_per_minute
    if not 1 <= rate <= MAX_RATE_PER_MINUTE:
        raise InvalidInput(
            msg("client.rate_range", max_rate_per_minute=MAX_RATE_PER_MINUTE), field="ratePerMinute"
        )
    client_id = new_id()
    key = _new_key(client_id)
    record = ApiClientRecord(
        id=client_id,
        name=clean_name,
        org_id=unit.id,
        org_path=unit.path,
        scopes=_check_scopes(scopes),
        key_hash=hash_key(key),
        previous_key_hash=None,
        previous_until=None,
        revoked_at=None,
        last_used_at=None,
        rate_per_minute=rate,
        created_by=actor.require_login(),
        created_at=iso(clock.now()),
    )
    return IssuedKey(db.clients.save(ClientChange(record)), key)


def require_client(db: Db, actor: Actor, client_id: str) -> ApiClientRecord:
    client = db.clients.get(client_id)
    if client is None or not actor.can(Permission.MANAGE_ORG, "/" + path_ids(client.org_path)[0]):
        actor.require_login()
        raise NotFound(msg("client.not_found"), field="clientId")
    if actor.client_id is not None:
        raise Forbidden(msg("client.no_client_management"))
    return client


def rotate_key(db: Db, actor: Actor, clock: Clock, client_id: str) -> IssuedKey:
    current = require_client(db, actor, client_id)
    if not current.active:
        raise InvalidInput(msg("client.revoked"), field="clientId")
    key = _new_key(current.id)
    rotated = replace(
        current,
        key_hash=hash_key(key),
        previous_key_hash=current.key_hash,
        previous_until=iso(clock.now() + ROTATION_GRACE),
    )
    return IssuedKey(db.clients.save(ClientChange(rotated)), key)


def revoke(db: Db, actor: Actor, clock: Clock, client_id: str) -> ApiClientRecord:
    current = require_client(db, actor, client_id)
    if not current.active:
        return current
    return db.clients.save(ClientChange(replace(current, revoked_at=iso(clock.now()))))


def clients_within(db: Db, actor: Actor, org_id: str) -> list[ApiClientRecord]:
    unit = db.org_units.require(org_id, field="orgUnitId")
    actor.require(Permission.MANAGE_ORG, unit.path, msg("action.see_clients"))
    return db.clients.within(unit.path)


def _matches(record: ApiClientRecord, key: str, now: datetime) -> bool:
    presented = hash_key(key)
    if hmac.compare_digest(presented, record.key_hash):
        return True
    if record.previous_key_hash is None or record.previous_until is None:
        return False
    in_grace = now < datetime.fromisoformat(record.previous_until)
    return hmac.compare_digest(presented, record.previous_key_hash) and in_grace


def authenticate(db: Db, clock: Clock, key: str) -> ApiClientRecord:
    """The client a key belongs to; ``Unauthenticated`` for a wrong, revoked or rotated-out key
    (one message for all: a caller learns nothing about which)."""
    parts = key.strip().split(".")
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        raise Unauthenticated(msg("client.invalid_key"))
    record = db.clients.get(parts[1])
    now = clock.now()
    if record is None or not record.active or not _matches(record, key.strip(), now):
        raise Unauthenticated(msg("client.invalid_key"))
    last = record.last_used_at
    if last is None or now - datetime.fromisoformat(last) >= TOUCH_EVERY:
        db.clients.touch(record.id, iso(now))
    return record


def client_actor(record: ApiClientRecord, operator_id: str | None = None) -> Actor:
    """The actor of a client's request: kind CLIENT, its permissions only within its unit."""
    permissions = frozenset().union(*(SCOPE_PERMISSIONS[s] for s in record.scopes))
    return Actor(
        person_id=client_person_id(record.id),
        name=record.name,
        client_id=record.id,
        client_path=record.org_path,
        client_scopes=frozenset(s.value for s in record.scopes),
        client_permissions=permissions,
        operator_id=operator_id,
    )


def minute_window(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H:%M")


class RateLimitedError(Exception):
    """The client's window is full: ``retry_after`` seconds until the next one."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Rate limited; retry after {retry_after} s")
        self.retry_after = retry_after


def limit(db: Db, clock: Clock, record: ApiClientRecord) -> None:
    """Count a request against the client's per-minute limit (``RateLimitedError`` when over
    it): one conditional UpdateItem on the client's window, shared by every instance."""
    now = clock.now()
    if db.clients.take_request(record.id, minute_window(now), record.rate_per_minute) is None:
        raise RateLimitedError(60 - now.second)
