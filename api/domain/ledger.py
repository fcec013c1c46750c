"""The points ledger: one append-only ledger for partners' points, party members' study and
service points (积分) and volunteers' service hours (爱心银行, the love bank). Pure rules.

An account is a holder (a partner or a person) and a kind. Entries are never changed; each has
an idempotency key, so a retried request (or a retried confirmation) records one entry. Earning
adds to the balance; spending or exchanging takes from it, never below zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from api.domain.errors import InvalidInput
from api.domain.idempotency import input_hash
from api.domain.messages import msg
from api.domain.text import free_text

AMOUNT_MAX = 100_000
REASON_MAX = 200
_KEY = re.compile(r"[0-9A-Za-z_:.-]{1,100}")


class AccountKind(StrEnum):
    PARTNER_POINTS = "PARTNER_POINTS"  # 红色合伙人积分
    PARTY_POINTS = "PARTY_POINTS"  # 党员积分: study and service
    SERVICE_HOURS = "SERVICE_HOURS"  # 爱心银行: volunteer service hours


class HolderKind(StrEnum):
    PARTNER = "PARTNER"
    PERSON = "PERSON"


HOLDER_OF: dict[AccountKind, HolderKind] = {
    AccountKind.PARTNER_POINTS: HolderKind.PARTNER,
    AccountKind.PARTY_POINTS: HolderKind.PERSON,
    AccountKind.SERVICE_HOURS: HolderKind.PERSON,
}


class EntrySource(StrEnum):
    DELIVERY = "DELIVERY"  # a confirmed partner project
    AWARD = "AWARD"  # 红色创新奖
    STUDY = "STUDY"  # 学习积分
    SERVICE = "SERVICE"  # service done (hours or points)
    EXCHANGE = "EXCHANGE"  # hours or points exchanged for a service or goods
    ADJUSTMENT = "ADJUSTMENT"  # a correction by staff


SPENDING_SOURCES = frozenset({EntrySource.EXCHANGE, EntrySource.ADJUSTMENT})


@dataclass(frozen=True)
class Posting:
    """An entry to record: a positive amount earned or a negative amount spent."""

    account: AccountKind
    holder_id: str
    amount: int
    source: EntrySource
    reason: str
    idempotency_key: str


def check_posting(posting: Posting) -> Posting:
    if posting.amount == 0 or abs(posting.amount) > AMOUNT_MAX:
        raise InvalidInput(msg("ledger.amount_range", amount_max=AMOUNT_MAX), field="amount")
    if posting.amount < 0 and posting.source not in SPENDING_SOURCES:
        raise InvalidInput(msg("ledger.only_exchange_debits"), field="amount")
    if posting.amount > 0 and posting.source is EntrySource.EXCHANGE:
        raise InvalidInput(msg("ledger.exchange_debits"), field="amount")
    if posting.account is AccountKind.PARTNER_POINTS and posting.source in (
        EntrySource.STUDY,
        EntrySource.SERVICE,
    ):
        raise InvalidInput(msg("ledger.partner_points_kinds"), field="source")
    if posting.account is not AccountKind.PARTNER_POINTS and posting.source in (
        EntrySource.DELIVERY,
        EntrySource.AWARD,
    ):
        raise InvalidInput(msg("ledger.partner_only_kinds"), field="source")
    reason = free_text(posting.reason, "reason", max_length=REASON_MAX, multiline=False)
    check_idempotency_key(posting.idempotency_key)
    return Posting(
        posting.account,
        posting.holder_id,
        posting.amount,
        posting.source,
        reason,
        posting.idempotency_key,
    )


def posting_hash(posting: Posting) -> str:
    """The hash of a posting's input (without its key): a reused key must carry the same one."""
    return input_hash(
        {
            "account": posting.account,
            "holder_id": posting.holder_id,
            "amount": posting.amount,
            "source": posting.source,
            "reason": posting.reason,
        }
    )


def check_idempotency_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise InvalidInput(msg("ledger.idempotency_key"), field="idempotencyKey")
    return key


def delivery_points(capacity: int) -> int:
    """Points for each partner of a confirmed project: a shared project is worth less each."""
    return max(10, 100 // capacity)


AWARD_POINTS = 200
