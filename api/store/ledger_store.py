"""The points / love-bank ledger and balances. Key design: README.md, "Red partners".

A posting is three writes in the account's partition: the idempotency guard ``IDEM#<key>``
(put if absent: a retry records nothing new), the entry (put if absent, never changed) and the
balance (``ADD``; spending is conditioned on ``balance >= amount``, so two exchanges at once
can never take the balance below zero). ``add_posting`` adds them to any transaction, so the
postings of a confirmed project or an award join that change's own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist

from api.domain.ids import new_id
from api.domain.ledger import AccountKind, Posting, posting_hash
from api.records.idempotency import Keyed
from api.records.ledger import AccountRecord, EntryRecord, Holder
from api.store.ledger_codec import account_record, entry_record
from api.store.pagination import Page, query_page
from api.store.partner_models import (
    AccountItem,
    LedgerEntryItem,
    LedgerGuardItem,
    account_pk,
    board_pk,
)
from api.store.repository import Repository, bound

ACCOUNT_META = "#META"
# A leaderboard reads at most this many accounts (a street has tens of partners and at most a
# few thousand members).
LEADERBOARD_READ_MAX = 2000


@dataclass(frozen=True)
class LedgerPosting:
    """The unit of work of one ledger entry: what, to whom, when, by whom."""

    posting: Posting
    holder: Holder
    at: str
    actor_id: str | None
    reference: str | None = None


def _entry_sk(at: str, entry_id: str) -> str:
    return f"ENTRY#{at}#{entry_id}"


def _guard_sk(key: str) -> str:
    return f"IDEM#{key}"


def add_posting(transaction: Any, change: LedgerPosting) -> EntryRecord:
    """Add the three writes of a posting to an open transaction; returns the entry."""
    posting, holder = change.posting, change.holder
    pk = account_pk(posting.account.value, holder.id)
    entry_id = new_id()
    sk = _entry_sk(change.at, entry_id)
    entry = LedgerEntryItem(
        pk,
        sk,
        id=entry_id,
        account=posting.account.value,
        holder_id=holder.id,
        amount=posting.amount,
        source=posting.source.value,
        reason=posting.reason,
        reference=change.reference,
        idempotency_key=posting.idempotency_key,
        actor_id=change.actor_id,
        at=change.at,
    )
    guard = LedgerGuardItem(
        pk, _guard_sk(posting.idempotency_key), entry_sk=sk, input_hash=posting_hash(posting)
    )
    transaction.save(guard, condition=LedgerGuardItem.pk.does_not_exist())
    transaction.save(entry, condition=LedgerEntryItem.pk.does_not_exist())
    account = AccountItem(pk, ACCOUNT_META)
    actions = [
        AccountItem.type.set(AccountItem),
        AccountItem.account.set(posting.account.value),
        AccountItem.holder_id.set(holder.id),
        AccountItem.holder_name.set(holder.name),
        AccountItem.scope_id.set(holder.scope_id),
        AccountItem.scope_path.set(holder.scope_path),
        AccountItem.balance.add(posting.amount),
        AccountItem.entries.add(1),
        AccountItem.gsi1pk.set(board_pk(posting.account.value, holder.scope_id)),
        AccountItem.gsi1sk.set(holder.id),
    ]
    condition = None
    if posting.amount > 0:
        actions.append(AccountItem.earned.add(posting.amount))
    else:
        # Never below zero: the balance must cover the amount at the moment of writing.
        condition = AccountItem.balance >= -posting.amount
    transaction.update(account, actions=actions, condition=condition, add_version_condition=False)
    return entry_record(entry)


class LedgerStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""

    def post(self, change: LedgerPosting) -> EntryRecord:
        """One entry in one transaction (``Conflict`` when its key was used or funds lack)."""
        with self.db.transaction() as transaction:
            return add_posting(transaction, change)

    @bound
    def account(
        self, account: AccountKind, holder_id: str, consistent: bool = False
    ) -> AccountRecord | None:
        try:
            item = AccountItem.get(
                account_pk(account.value, holder_id), ACCOUNT_META, consistent_read=consistent
            )
        except DoesNotExist:
            return None
        return account_record(item)

    @bound
    def entry_by_key(
        self, account: AccountKind, holder_id: str, key: str
    ) -> Keyed[EntryRecord] | None:
        """The entry recorded under an idempotency key with the hash of its posting, if any
        (consistent reads)."""
        pk = account_pk(account.value, holder_id)
        try:
            guard = LedgerGuardItem.get(pk, _guard_sk(key), consistent_read=True)
            entry = LedgerEntryItem.get(pk, guard.entry_sk, consistent_read=True)
        except DoesNotExist:
            return None
        return Keyed(entry_record(entry), guard.input_hash)

    @bound
    def entries(
        self, account: AccountKind, holder_id: str, first: int, after: str | None
    ) -> Page[EntryRecord]:
        """An account's entries, newest first."""
        return query_page(
            LedgerEntryItem,
            self.db.codec,
            account_pk(account.value, holder_id),
            range_key_condition=LedgerEntryItem.sk.startswith("ENTRY#"),
            first=first,
            after=after,
            scan_forward=False,
        ).map(entry_record)

    @bound
    def all_entries(self, account: AccountKind, holder_id: str) -> list[EntryRecord]:
        """Every entry of an account, oldest first (consistent; for audits and tests)."""
        return [
            entry_record(item)
            for item in LedgerEntryItem.query(
                account_pk(account.value, holder_id),
                LedgerEntryItem.sk.startswith("ENTRY#"),
                consistent_read=True,
            )
        ]

    @bound
    def board(self, account: AccountKind, scope_id: str) -> list[AccountRecord]:
        """The accounts on a street's (or district directory's) leaderboard, unsorted."""
        return [
            account_record(item)
            for item in AccountItem.by_parent.query(
                board_pk(account.value, scope_id), limit=LEADERBOARD_READ_MAX
            )
            if isinstance(item, AccountItem)
        ]
