"""Ledger account and entry items ⇄ records."""

from __future__ import annotations

from api.domain.ledger import AccountKind, EntrySource
from api.records.ledger import AccountRecord, EntryRecord
from api.store.partner_models import AccountItem, LedgerEntryItem


def account_record(item: AccountItem) -> AccountRecord:
    return AccountRecord(
        account=AccountKind(item.account),
        holder_id=item.holder_id,
        holder_name=item.holder_name,
        scope_id=item.scope_id,
        scope_path=item.scope_path,
        balance=int(item.balance or 0),
        earned=int(item.earned or 0),
        entries=int(item.entries or 0),
    )


def entry_record(item: LedgerEntryItem) -> EntryRecord:
    return EntryRecord(
        id=item.id,
        account=AccountKind(item.account),
        holder_id=item.holder_id,
        amount=int(item.amount),
        source=EntrySource(item.source),
        reason=item.reason,
        reference=item.reference,
        idempotency_key=item.idempotency_key,
        actor_id=item.actor_id,
        at=item.at,
    )
