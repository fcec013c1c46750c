"""External references of cases (issue 13): a system's ticket id, unique per system.

A system creating a case names its ticket (``ExternalRef``). The reference is the case's
idempotency guard, keyed by system (``EXT#<system>``): a second create with the same
reference returns the original case, and one whose content differs (category, description,
place) is refused, so two tickets never silently merge. Only API clients set references and
callers' contacts (the 12345 link); people use ``idempotencyKey``.
"""

from __future__ import annotations

import re

from api.domain.errors import DomainError, ErrorCode, Forbidden, InvalidInput
from api.domain.messages import msg
from api.domain.people import normalise_phone
from api.records.case import CallerContact, CaseRecord, ExternalRef
from api.services import case_access
from api.services.actor import Actor
from api.store.db import Db

_SYSTEM = re.compile(r"[A-Za-z0-9._-]{1,32}")
_TICKET = re.compile(r"[A-Za-z0-9._:/-]{1,64}")
MAX_CALLER_NAME = 40


class ExternalRefReused(DomainError):
    """The reference names a case with other content: a different ticket, not a retry."""

    code = ErrorCode.ALREADY_EXISTS


def check_ref(actor: Actor, ref: ExternalRef) -> ExternalRef:
    if actor.client_id is None:
        raise Forbidden(msg("case.external_ref_clients_only"), field="externalRef")
    if not _SYSTEM.fullmatch(ref.system):
        raise InvalidInput(msg("case.external_system"), field="externalRef.system")
    if not _TICKET.fullmatch(ref.id):
        raise InvalidInput(msg("case.external_ticket"), field="externalRef.id")
    return ref


def check_caller(actor: Actor, caller: CallerContact) -> CallerContact:
    """A hotline's caller: name and mobile, stored as the reporter's contact (masked as any)."""
    if actor.client_id is None:
        raise Forbidden(msg("case.caller_clients_only"), field="caller")
    name = caller.name.strip()
    if not name or len(name) > MAX_CALLER_NAME:
        raise InvalidInput(
            msg("case.caller_name_length", max_caller_name=MAX_CALLER_NAME), field="caller.name"
        )
    return CallerContact(name, normalise_phone(caller.phone, field="caller.phone"))


def guard(ref: ExternalRef) -> tuple[str, str]:
    """The (owner, key) of the case's idempotency guard: unique per system, whoever creates."""
    return f"EXT#{ref.system}", ref.id


def original(
    db: Db,
    actor: Actor,
    ref: ExternalRef,
    same: tuple[str, str, str],
) -> CaseRecord | None:
    """The case already created for ``ref`` (None: none yet). ``same`` is the new report's
    (category, description, location unit id); another content is ``ExternalRefReused``,
    and a case the caller may not read is refused the same way (it learns nothing of it)."""
    keyed = db.cases.by_idempotency_key(*guard(ref))
    if keyed is None:
        return None
    existing = keyed.value
    readable = _client_can_read(actor, existing)
    if not readable or (existing.category, existing.description, existing.location_unit_id) != same:
        raise ExternalRefReused(
            msg("case.external_ref_reused", system=ref.system, id=ref.id), field="externalRef"
        )
    return existing


def case_id_of(db: Db, ref: ExternalRef) -> str | None:
    """The id of the case of a system's ticket (the caller's access is checked by the read)."""
    keyed = db.cases.by_idempotency_key(*guard(ref))
    return None if keyed is None else keyed.value.id


def _client_can_read(actor: Actor, case: CaseRecord) -> bool:
    """Clients never handle cases, so departments' paths do not matter (no read of them)."""
    return case_access.can_read(actor, case, {})
