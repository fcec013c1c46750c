"""Records of the points ledger (积分 / 爱心银行): accounts and their append-only entries."""

from __future__ import annotations

from dataclasses import dataclass

from api.domain.ledger import AccountKind, EntrySource


@dataclass(frozen=True, slots=True)
class Holder:
    """Whose account: its display name, and the unit whose leaderboard it is on."""

    id: str
    name: str
    scope_id: str  # the street (or district) the holder belongs to
    scope_path: str
    manage_path: str  # staff managing partners here post to the account


@dataclass(frozen=True, slots=True)
class AccountRecord:
    account: AccountKind
    holder_id: str
    holder_name: str
    scope_id: str
    scope_path: str
    balance: int
    earned: int
    entries: int


@dataclass(frozen=True, slots=True)
class EntryRecord:
    """One ledger entry: never changed once written."""

    id: str
    account: AccountKind
    holder_id: str
    amount: int
    source: EntrySource
    reason: str
    reference: str | None
    idempotency_key: str
    actor_id: str | None
    at: str
