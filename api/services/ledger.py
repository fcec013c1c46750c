"""The points ledger: post an entry (earn, spend, exchange), read a statement, a leaderboard.

A posting is one transaction of three writes in the account's partition: the idempotency guard
``IDEM#<key>`` (put if absent: a retry records nothing new), the entry (put if absent, never
changed) and the balance (``ADD``; spending is conditioned on ``balance >= amount``, so two
exchanges at once can never take the balance below zero). Postings of a confirmed project join
the project's own transaction (see ``partner_projects.confirm``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist

from api.domain.clock import Clock, iso
from api.domain.errors import Conflict, Forbidden, InsufficientBalance, InvalidInput, NotFound
from api.domain.ids import new_id
from api.domain.ledger import HOLDER_OF, AccountKind, HolderKind, Posting, check_posting
from api.domain.org import path_ids
from api.domain.roles import Permission
from api.services import partner_access
from api.services.actor import Actor
from api.store.db import Db
from api.store.models import PersonItem
from api.store.pagination import Page, query_page
from api.store.partner_models import (
    AccountItem,
    LedgerEntryItem,
    LedgerGuardItem,
    PartnerItem,
    account_pk,
    board_pk,
)

ACCOUNT_META = "#META"


@dataclass(frozen=True)
class Holder:
    """Whose account: its display name, and the unit whose leaderboard it is on."""

    id: str
    name: str
    scope_id: str  # the street (or district) the holder belongs to
    scope_path: str
    manage_path: str  # staff managing partners here post to the account


def holder_of_partner(partner: PartnerItem) -> Holder:
    return Holder(
        partner.id,
        partner.name,
        partner.directory_unit_id,
        partner.directory_path,
        partner.directory_path,
    )


def holder_of_person(person: PersonItem) -> Holder:
    if not person.home_path:
        raise InvalidInput("The person has no home unit", field="holderId")
    ids = path_ids(person.home_path)
    scope = ids[1] if len(ids) > 1 else ids[0]
    return Holder(
        person.id,
        person.name,
        scope,
        "/" + "/".join(ids[: 2 if len(ids) > 1 else 1]),
        person.home_path,
    )


def resolve_holder(account: AccountKind, holder_id: str) -> Holder:
    if HOLDER_OF[account] is HolderKind.PARTNER:
        from api.services.partners import get_partner

        partner = get_partner(holder_id)
        if partner is None:
            raise NotFound(partner_access.NO_SUCH_PARTNER, field="holderId")
        return holder_of_partner(partner)
    from api.services.people import get_person

    person = get_person(holder_id)
    if person is None:
        raise NotFound("No such person", field="holderId")
    return holder_of_person(person)


def entry_sk(at: str, entry_id: str) -> str:
    return f"ENTRY#{at}#{entry_id}"


def guard_sk(key: str) -> str:
    return f"IDEM#{key}"


def add_posting(
    transaction: Any,
    posting: Posting,
    holder: Holder,
    at: str,
    actor_id: str | None,
    reference: str | None = None,
) -> LedgerEntryItem:
    """Add the three writes of a posting to a transaction; returns the entry."""
    pk = account_pk(posting.account.value, holder.id)
    entry_id = new_id()
    sk = entry_sk(at, entry_id)
    entry = LedgerEntryItem(
        pk,
        sk,
        id=entry_id,
        account=posting.account.value,
        holder_id=holder.id,
        amount=posting.amount,
        source=posting.source.value,
        reason=posting.reason,
        reference=reference,
        idempotency_key=posting.idempotency_key,
        actor_id=actor_id,
        at=at,
    )
    guard = LedgerGuardItem(pk, guard_sk(posting.idempotency_key), entry_sk=sk)
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
    return entry


def get_account(
    account: AccountKind, holder_id: str, consistent: bool = False
) -> AccountItem | None:
    try:
        return AccountItem.get(
            account_pk(account.value, holder_id), ACCOUNT_META, consistent_read=consistent
        )
    except DoesNotExist:
        return None


def entry_by_key(account: AccountKind, holder_id: str, key: str) -> LedgerEntryItem | None:
    pk = account_pk(account.value, holder_id)
    try:
        guard = LedgerGuardItem.get(pk, guard_sk(key), consistent_read=True)
    except DoesNotExist:
        return None
    return LedgerEntryItem.get(pk, guard.entry_sk, consistent_read=True)


def post(
    db: Db, actor: Actor, clock: Clock, posting: Posting, reference: str | None = None
) -> LedgerEntryItem:
    """Record one entry; a retry with the same idempotency key returns the first entry."""
    actor.require_login()
    holder = resolve_holder(posting.account, posting.holder_id)
    if not actor.can(Permission.MANAGE_PARTNERS, holder.manage_path):
        raise Forbidden("You may not post to this account", field="holderId")
    posting = check_posting(posting)
    existing = entry_by_key(posting.account, holder.id, posting.idempotency_key)
    if existing is not None:
        return existing
    try:
        with db.transaction() as transaction:
            entry = add_posting(transaction, posting, holder, iso(clock.now()), actor.person_id)
    except Conflict:
        existing = entry_by_key(posting.account, holder.id, posting.idempotency_key)
        if existing is not None:
            return existing  # a concurrent retry won: one entry
        account = get_account(posting.account, holder.id, consistent=True)
        balance = int(account.balance) if account else 0
        if posting.amount < 0 and balance < -posting.amount:
            raise InsufficientBalance(
                f"The balance is {balance}, less than {-posting.amount}", field="amount"
            ) from None
        raise
    return entry


def require_statement_access(actor: Actor, account: AccountKind, holder: Holder) -> None:
    """The holder (or a partner's representative) and staff in scope see a statement."""
    actor.require_login()
    if actor.person_id == holder.id or actor.can(Permission.READ_PARTNERS, holder.manage_path):
        return
    if HOLDER_OF[account] is HolderKind.PARTNER:
        from api.services.partners import get_partner

        partner = get_partner(holder.id)
        if partner is not None and partner_access.represents(actor, partner):
            return
    raise Forbidden("You may not see this account", field="holderId")


def statement(
    db: Db,
    actor: Actor,
    account: AccountKind,
    holder_id: str,
    first: int,
    after: str | None,
) -> tuple[AccountItem | None, Page[LedgerEntryItem]]:
    """The balance and the entries, newest first."""
    holder = resolve_holder(account, holder_id)
    require_statement_access(actor, account, holder)
    page = query_page(
        LedgerEntryItem,
        db.codec,
        account_pk(account.value, holder.id),
        range_key_condition=LedgerEntryItem.sk.startswith("ENTRY#"),
        first=first,
        after=after,
        scan_forward=False,
    )
    return get_account(account, holder.id), page


LEADERBOARD_READ_MAX = 2000


def leaderboard(scope_id: str, account: AccountKind, top: int) -> list[AccountItem]:
    """The accounts of a street (or the district directory), highest balance first.

    One Query on ``BOARD#<kind>#<scope>`` sorted in memory: a street has tens of partners and
    at most a few thousand members; the read stops at ``LEADERBOARD_READ_MAX``.
    """
    if top < 1 or top > 100:
        raise InvalidInput("top is between 1 and 100", field="top")
    accounts: list[AccountItem] = []
    for item in AccountItem.by_parent.query(
        board_pk(account.value, scope_id), limit=LEADERBOARD_READ_MAX
    ):
        if isinstance(item, AccountItem):
            accounts.append(item)
    accounts.sort(key=lambda a: (-int(a.balance or 0), a.holder_name, a.holder_id))
    return accounts[:top]
