"""核查 (verification) of a resolved case: who may verify, and retries of a verification.

Who: staff with dispatch rights (``DISPATCH_CASES``: the command-centre STAFF, LEADER, ADMIN)
whose grant covers the case's community — a community, street or district grant, never a
grid's — or, for a case at DISTRICT or TOP, the district's; and never a person who resolved
the case in its current cycle (the handler does not check their own work).

Retries: ``verifyCase`` takes an optional idempotency key. The last verification's key is kept
on the case with the caller and a hash of the input (``<person>#<key>#<hash>``): the same key
and input replays (the case as it is now, no second event, nothing counted twice), the same
key with another input is IDEMPOTENCY_MISMATCH.
"""

from __future__ import annotations

from api.domain import cases as machine
from api.domain.case_catalogue import check_idempotency_key
from api.domain.cases import Level
from api.domain.errors import Forbidden
from api.domain.idempotency import check_same_input, input_hash
from api.domain.messages import msg
from api.domain.org import path_ids
from api.domain.roles import Permission
from api.domain.timeline_actions import TimelineAction
from api.records.case import CaseRecord
from api.services.actor import Actor

# Events that end a handling cycle's work: whoever took them resolved the case.
_RESOLVING = frozenset({TimelineAction.RESOLVE.value, TimelineAction.RESOLVE_TASK.value})
# Events that start a new cycle (返工).
_REWORK = frozenset({TimelineAction.REOPEN.value, TimelineAction.VERIFY_FAILED.value})


def verifier_scope(case: CaseRecord) -> str:
    """The path a verifier's dispatch grant must cover: the case's community below DISTRICT,
    the district at DISTRICT and TOP."""
    if case.level in (Level.DISTRICT, Level.TOP):
        return case.district_path
    return "/" + "/".join(path_ids(case.grid_path)[:3])


def resolvers(case: CaseRecord) -> set[str]:
    """Who resolved the case (or a department's task) in its current cycle."""
    found: set[str] = set()
    for event in case.timeline:
        if event.action in _REWORK:
            found.clear()
        elif event.action in _RESOLVING and event.actor_id:
            found.add(event.actor_id)
    return found


def require_verifier(actor: Actor, case: CaseRecord) -> None:
    if not actor.can(Permission.DISPATCH_CASES, verifier_scope(case)):
        raise Forbidden(msg("case.verifier_scope"), field="caseId")
    if actor.person_id in resolvers(case):
        raise Forbidden(msg("case.verifier_resolved"), field="caseId")


def key_of(actor: Actor, command: machine.Verify, key: str | None) -> str | None:
    """What is kept on the case for a retry: caller, key and the input's hash."""
    if check_idempotency_key(key) is None:
        return None
    digest = input_hash({"passed": command.passed, "note": command.note.strip()})
    return f"{actor.person_id}#{key}#{digest}"


def replayed(case: CaseRecord, kept: str | None) -> bool:
    """True when ``kept`` is the case's last verification (a retry); IDEMPOTENCY_MISMATCH when
    the same caller's key came with another input."""
    if kept is None or case.verification_key is None:
        return False
    caller_key, _, given = kept.rpartition("#")
    stored_key, _, stored = case.verification_key.rpartition("#")
    if caller_key != stored_key:
        return False
    check_same_input(stored, given)
    return True
