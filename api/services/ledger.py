"""The points ledger: post an entry (earn, spend, exchange), read a statement, a leaderboard.

A posting is one transaction of three writes in the account's partition (see
``api/store/ledger_store.py``): a retry with the same idempotency key records nothing new, and
spending never takes a balance below zero. Postings of a confirmed project or an award join
that change's own transaction (``partner_projects``).
"""

from __future__ import annotations

from api.domain.clock import Clock, iso
from api.domain.errors import Conflict, Forbidden, InsufficientBalance, InvalidInput, NotFound
from api.domain.idempotency import check_same_input
from api.domain.ledger import (
    HOLDER_OF,
    AccountKind,
    HolderKind,
    Posting,
    check_posting,
    posting_hash,
)
from api.domain.messages import msg
from api.domain.org import path_ids
from api.domain.roles import Permission
from api.records.ledger import AccountRecord, EntryRecord, Holder
from api.records.org import PersonRecord
from api.records.partner import PartnerRecord
from api.services import partner_access
from api.services.actor import Actor
from api.store.db import Db
from api.store.ledger_store import LedgerPosting
from api.store.pagination import Page


def holder_of_partner(partner: PartnerRecord) -> Holder:
    return Holder(
        partner.id,
        partner.name,
        partner.directory_unit_id,
        partner.directory_path,
        partner.directory_path,
    )


def holder_of_person(person: PersonRecord) -> Holder:
    if not person.home_path:
        raise InvalidInput(msg("ledger.no_home_unit"), field="holderId")
    ids = path_ids(person.home_path)
    scope = ids[1] if len(ids) > 1 else ids[0]
    return Holder(
        person.id,
        person.name,
        scope,
        "/" + "/".join(ids[: 2 if len(ids) > 1 else 1]),
        person.home_path,
    )


def resolve_holder(db: Db, account: AccountKind, holder_id: str) -> Holder:
    if HOLDER_OF[account] is HolderKind.PARTNER:
        partner = db.partners.partner(holder_id)
        if partner is None:
            raise NotFound(partner_access.NO_SUCH_PARTNER, field="holderId")
        return holder_of_partner(partner)
    person = db.people.get(holder_id)
    if person is None:
        raise NotFound(msg("person.not_found"), field="holderId")
    return holder_of_person(person)


def post(
    db: Db, actor: Actor, clock: Clock, posting: Posting, reference: str | None = None
) -> EntryRecord:
    """Record one entry; a retry with the same idempotency key returns the first entry."""
    actor.require_login()
    holder = resolve_holder(db, posting.account, posting.holder_id)
    if not actor.can(Permission.MANAGE_PARTNERS, holder.manage_path):
        raise Forbidden(msg("ledger.post_forbidden"), field="holderId")
    posting = check_posting(posting)
    existing = db.ledger.entry_by_key(posting.account, holder.id, posting.idempotency_key)
    if existing is not None:
        check_same_input(existing.input_hash, posting_hash(posting))
        return existing.value
    try:
        return db.ledger.post(
            LedgerPosting(posting, holder, iso(clock.now()), actor.person_id, reference)
        )
    except Conflict:
        existing = db.ledger.entry_by_key(posting.account, holder.id, posting.idempotency_key)
        if existing is not None:
            check_same_input(existing.input_hash, posting_hash(posting))
            return existing.value  # a concurrent retry won: one entry
        account = db.ledger.account(posting.account, holder.id, consistent=True)
        balance = account.balance if account else 0
        if posting.amount < 0 and balance < -posting.amount:
            raise InsufficientBalance(
                msg("ledger.insufficient", balance=balance, value=-posting.amount), field="amount"
            ) from None
        raise


def require_statement_access(db: Db, actor: Actor, account: AccountKind, holder: Holder) -> None:
    """The holder (or a partner's representative) and staff in scope see a statement."""
    actor.require_login()
    if actor.person_id == holder.id or actor.can(Permission.READ_PARTNERS, holder.manage_path):
        return
    if HOLDER_OF[account] is HolderKind.PARTNER:
        partner = db.partners.partner(holder.id)
        if partner is not None and partner_access.represents(actor, partner):
            return
    raise Forbidden(msg("ledger.account_forbidden"), field="holderId")


def statement(
    db: Db, actor: Actor, account: AccountKind, holder_id: str
) -> tuple[Holder, AccountRecord | None]:
    """Whose statement it is (after checking the caller may see it) and its balance."""
    holder = resolve_holder(db, account, holder_id)
    require_statement_access(db, actor, account, holder)
    return holder, db.ledger.account(account, holder.id)


def entries(
    db: Db, account: AccountKind, holder: Holder, first: int, after: str | None
) -> Page[EntryRecord]:
    """A statement's entries, newest first (the holder is one ``statement`` let through)."""
    return db.ledger.entries(account, holder.id, first, after)


def leaderboard(db: Db, scope_id: str, account: AccountKind, top: int) -> list[AccountRecord]:
    """The accounts of a street (or the district directory), highest balance first.

    One Query on the board's partition sorted in memory: a street has tens of partners and at
    most a few thousand members; the read stops at the store's read limit.
    """
    if top < 1 or top > 100:
        raise InvalidInput(msg("ledger.top_range"), field="top")
    accounts = db.ledger.board(account, scope_id)
    accounts.sort(key=lambda a: (-a.balance, a.holder_name, a.holder_id))
    return accounts[:top]
