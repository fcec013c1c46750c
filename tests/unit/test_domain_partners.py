"""Pure rules of red partners and the points ledger."""

from __future__ import annotations

from datetime import date

import pytest

from api.domain.errors import DomainError, ErrorCode, InvalidInput
from api.domain.ledger import (
    AccountKind,
    EntrySource,
    Posting,
    check_idempotency_key,
    check_posting,
    delivery_points,
)
from api.domain.messages import Language
from api.domain.partners import (
    CAPACITY_MAX,
    PartnerAction,
    PartnerStatus,
    ProjectAction,
    ProjectState,
    allowed_project_actions,
    check_attachment_keys,
    check_capacity,
    check_category,
    check_dates,
    check_title,
    next_partner_status,
    next_project_state,
    state_after_claims,
)


def test_partner_statuses() -> None:
    assert (
        next_partner_status(PartnerStatus.APPLIED, PartnerAction.APPROVE) is PartnerStatus.APPROVED
    )
    assert (
        next_partner_status(PartnerStatus.APPROVED, PartnerAction.SUSPEND)
        is PartnerStatus.SUSPENDED
    )
    assert (
        next_partner_status(PartnerStatus.SUSPENDED, PartnerAction.REINSTATE)
        is PartnerStatus.APPROVED
    )
    for status in (PartnerStatus.APPLIED, PartnerStatus.APPROVED, PartnerStatus.SUSPENDED):
        assert next_partner_status(status, PartnerAction.WITHDRAW) is PartnerStatus.WITHDRAWN
    with pytest.raises(DomainError) as caught:
        next_partner_status(PartnerStatus.WITHDRAWN, PartnerAction.APPROVE)
    assert caught.value.code is ErrorCode.INVALID_TRANSITION
    with pytest.raises(DomainError):
        next_partner_status(PartnerStatus.APPLIED, PartnerAction.SUSPEND)


WALK = [
    (ProjectState.DRAFT, ProjectAction.OPEN, ProjectState.OPEN),
    (ProjectState.OPEN, ProjectAction.START_DELIVERY, ProjectState.IN_DELIVERY),
    (ProjectState.FULLY_CLAIMED, ProjectAction.START_DELIVERY, ProjectState.IN_DELIVERY),
    (ProjectState.DELIVERED, ProjectAction.CONFIRM, ProjectState.CONFIRMED),
    (ProjectState.DELIVERED, ProjectAction.REJECT, ProjectState.REJECTED),
    (ProjectState.REJECTED, ProjectAction.REDO, ProjectState.IN_DELIVERY),
    (ProjectState.CONFIRMED, ProjectAction.CLOSE, ProjectState.CLOSED),
    (ProjectState.REJECTED, ProjectAction.CLOSE, ProjectState.CLOSED),
    (ProjectState.DRAFT, ProjectAction.CANCEL, ProjectState.CANCELLED),
    (ProjectState.OPEN, ProjectAction.CANCEL, ProjectState.CANCELLED),
    (ProjectState.FULLY_CLAIMED, ProjectAction.CANCEL, ProjectState.CANCELLED),
]


@pytest.mark.parametrize(("state", "action", "target"), WALK)
def test_project_moves(state: ProjectState, action: ProjectAction, target: ProjectState) -> None:
    assert next_project_state(state, action, active_claims=1) is target
    assert action in allowed_project_actions(state)


def test_project_refusals() -> None:
    allowed = {(s, a) for s, a, _ in WALK}
    for state in ProjectState:
        for action in ProjectAction:
            if (state, action) in allowed:
                continue
            with pytest.raises(DomainError) as caught:
                next_project_state(state, action, active_claims=1)
            assert caught.value.code is ErrorCode.INVALID_TRANSITION
            assert state.value in caught.value.message.render(Language.EN)
    # Delivery needs at least one partner.
    with pytest.raises(DomainError, match="尚无合伙人认领"):
        next_project_state(ProjectState.OPEN, ProjectAction.START_DELIVERY, active_claims=0)
    assert allowed_project_actions(ProjectState.CLOSED) == frozenset()
    assert allowed_project_actions(ProjectState.CANCELLED) == frozenset()


def test_claims_fill_the_capacity() -> None:
    assert state_after_claims(3, 2) is ProjectState.OPEN
    assert state_after_claims(3, 3) is ProjectState.FULLY_CLAIMED
    assert state_after_claims(1, 1) is ProjectState.FULLY_CLAIMED


def test_inputs() -> None:
    assert check_category(" finance ") == "FINANCE"
    for bad in ("", "a b", "电力", "x" * 41):
        with pytest.raises(InvalidInput):
            check_category(bad)
    assert check_capacity(1) == 1 and check_capacity(CAPACITY_MAX) == CAPACITY_MAX
    for bad_capacity in (0, -1, CAPACITY_MAX + 1):
        with pytest.raises(InvalidInput):
            check_capacity(bad_capacity)
    assert check_title(" 电亮微行动 ") == "电亮微行动"
    for bad_title in ("", " ", "x" * 81, "a#b", "a\x00b"):
        with pytest.raises(InvalidInput):
            check_title(bad_title)
    check_dates(date(2026, 1, 1), date(2026, 1, 1))
    with pytest.raises(InvalidInput):
        check_dates(date(2026, 1, 2), date(2026, 1, 1))
    assert check_attachment_keys([" a/b.jpg "]) == ["a/b.jpg"]
    with pytest.raises(InvalidInput):
        check_attachment_keys(["k"] * 11)
    with pytest.raises(InvalidInput):
        check_attachment_keys(["bad\nkey"])


def posting(
    amount: int, source: EntrySource, account: AccountKind = AccountKind.PARTY_POINTS
) -> Posting:
    return Posting(account, "P1", amount, source, "学习", "key-1")


def test_postings() -> None:
    assert check_posting(posting(5, EntrySource.STUDY)).amount == 5
    assert check_posting(posting(-5, EntrySource.EXCHANGE)).amount == -5
    assert check_posting(posting(-5, EntrySource.ADJUSTMENT)).amount == -5
    for bad in (
        posting(0, EntrySource.STUDY),
        posting(100_001, EntrySource.STUDY),
        posting(-1, EntrySource.STUDY),
        posting(1, EntrySource.EXCHANGE),
        posting(1, EntrySource.STUDY, AccountKind.PARTNER_POINTS),
        posting(1, EntrySource.DELIVERY, AccountKind.SERVICE_HOURS),
    ):
        with pytest.raises(InvalidInput):
            check_posting(bad)
    with pytest.raises(InvalidInput):
        check_posting(Posting(AccountKind.PARTY_POINTS, "P1", 1, EntrySource.STUDY, " ", "k"))
    assert check_idempotency_key("DELIVERY:01ABC") == "DELIVERY:01ABC"
    for bad_key in ("", "with space", "x" * 101):
        with pytest.raises(InvalidInput):
            check_idempotency_key(bad_key)


def test_delivery_points_shrink_with_sharing() -> None:
    assert delivery_points(1) == 100
    assert delivery_points(4) == 25
    assert delivery_points(24) == 10
