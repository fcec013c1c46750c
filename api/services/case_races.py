"""The loser of two actions on one case learns that someone else acted and what the case is now.

The contract (README, "Cases"): of two people acting on the same case at the same moment exactly
one wins; the other gets ``CONFLICT`` naming the action that won and the case's state now —
whether it lost the write itself (the version condition failed) or read the case just after the
winner and found the same action already taken by someone else. ``INVALID_TRANSITION`` stays for
an action the state does not allow for any other reason (nobody raced the caller).
"""

from __future__ import annotations

from dataclasses import replace

from api.domain import cases as machine
from api.domain.cases import Action
from api.domain.errors import Conflict, DomainError
from api.domain.messages import msg
from api.domain.timeline_actions import TimelineAction
from api.records.case import CaseRecord
from api.store.db import Db


def _conflict(case: CaseRecord) -> Conflict:
    last = case.timeline[-1].action if case.timeline else "REPORT"
    return Conflict(
        msg("case.concurrent_change", code=case.code, last=last, state=case.state.value),
        field="caseId",
    )


def refusal(case: CaseRecord, action: Action, person_id: str | None) -> DomainError:
    """Why ``action`` is refused on ``case``: CONFLICT when the same action was just taken by
    someone else, INVALID_TRANSITION otherwise."""
    now = case.domain()
    last = case.timeline[-1] if case.timeline else None
    if last is None or last.from_state is None:
        return machine.InvalidTransition(now, action)
    taken = {action.value}
    just_before = replace(now, state=last.from_state)
    if action is Action.VERIFY:  # 核查 passed or failed is the same action taken
        taken.add(TimelineAction.VERIFY_FAILED.value)
        just_before = replace(just_before, verification_pending=True)
    if (
        last.action in taken
        and last.actor_id != person_id
        # …and the action was allowed just before it was taken (not refused for another reason)
        and action in machine.allowed_actions(just_before)
    ):
        return _conflict(case)
    return machine.InvalidTransition(now, action)


def lost_write(db: Db, case_id: str, lost: Conflict) -> Conflict:
    """The write lost its version condition: CONFLICT naming the case's state now."""
    case = db.cases.get(case_id, consistent=True)
    return lost if case is None else _conflict(case)
