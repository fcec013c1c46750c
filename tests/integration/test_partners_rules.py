"""Rules of red partners at the service level: every bad claim, bad posting or bad input is a
typed error and writes nothing (the whole table is compared before and after)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from api.domain.clock import FixedClock
from api.domain.errors import DomainError, ErrorCode
from api.domain.ledger import AccountKind, EntrySource, Posting
from api.domain.partners import Contact, PartnerAction, PartnerKind, ProjectAction
from api.services import ledger, partner_projects, partners
from api.services.actor import load_actor
from api.settings import Settings
from api.store.db import Db
from tests.partner_world import PartnerWorld, build_partner_world, make_project, root_actor
from tests.world import World


@pytest.fixture
def pw(db: Db, clock: FixedClock, world: World) -> PartnerWorld:
    return build_partner_world(db, clock, world)


def table(db: Db, settings: Settings) -> dict[tuple[str, str], Any]:
    client = db.connection.client
    items: dict[tuple[str, str], Any] = {}
    start: dict[str, Any] | None = None
    while True:
        kwargs: dict[str, Any] = {"TableName": settings.table_name, "ConsistentRead": True}
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = client.scan(**kwargs)
        for item in page["Items"]:
            items[(item["pk"]["S"], item["sk"]["S"])] = item
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def refused(
    db: Db, settings: Settings, code: ErrorCode, action: Callable[[], object]
) -> DomainError:
    before = table(db, settings)
    with pytest.raises(DomainError) as caught:
        action()
    assert caught.value.code is code, caught.value.message
    assert table(db, settings) == before, "a refused request wrote something"
    return caught.value


def test_bad_claims_are_typed_and_write_nothing(
    db: Db, settings: Settings, clock: FixedClock, pw: PartnerWorld
) -> None:
    w = pw.world
    root = root_actor(w)
    exclusive = make_project(db, clock, w, "电亮微行动", capacity=1)
    partner_projects.claim(db, root, clock, exclusive.id, pw.power.id)

    def claim(project_id: str, partner_id: str) -> Callable[[], object]:
        return lambda: partner_projects.claim(db, root, clock, project_id, partner_id)

    refused(db, settings, ErrorCode.PROJECT_FULL, claim(exclusive.id, pw.police.id))
    refused(db, settings, ErrorCode.ALREADY_CLAIMED, claim(exclusive.id, pw.power.id))
    draft = make_project(db, clock, w, "警情大家知", capacity=2, open_it=False)
    refused(db, settings, ErrorCode.PROJECT_NOT_OPEN, claim(draft.id, pw.police.id))
    cancelled = make_project(db, clock, w, "取消的项目", capacity=2)
    partner_projects.claim(db, root, clock, cancelled.id, pw.power.id)
    partner_projects.transition(db, root, clock, cancelled.id, ProjectAction.CANCEL)
    ended = db.partners.claim(cancelled.id, pw.power.id)
    assert ended is not None and ended.status == "WITHDRAWN"
    refused(db, settings, ErrorCode.PROJECT_NOT_OPEN, claim(cancelled.id, pw.police.id))
    closed = make_project(db, clock, w, "已结项目", capacity=1)
    partner_projects.claim(db, root, clock, closed.id, pw.police.id)
    partner_projects.transition(db, root, clock, closed.id, ProjectAction.START_DELIVERY)
    partner_projects.report_delivery(db, root, clock, closed.id, pw.police.id, "已完成", [])
    partner_projects.transition(db, root, clock, closed.id, ProjectAction.CONFIRM)
    partner_projects.transition(db, root, clock, closed.id, ProjectAction.CLOSE)
    refused(db, settings, ErrorCode.PROJECT_NOT_OPEN, claim(closed.id, pw.bank.id))
    shared = make_project(db, clock, w, "智慧金融家", capacity=3)
    partners.change_status(db, root, clock, pw.bank.id, PartnerAction.SUSPEND, "协议到期")
    refused(db, settings, ErrorCode.PARTNER_NOT_APPROVED, claim(shared.id, pw.bank.id))
    # Street A's partner does not reach street B's projects; street A's admin acts for nobody in B.
    refused(db, settings, ErrorCode.INVALID_INPUT, claim(shared.id, pw.a_partner.id))
    a_admin = load_actor(db, w.a.admin_id)
    refused(
        db,
        settings,
        ErrorCode.FORBIDDEN,
        lambda: partner_projects.claim(db, a_admin, clock, shared.id, pw.police.id),
    )
    # Reinstated, the bank claims; withdraws; claims again (one claim item, reused).
    partners.change_status(db, root, clock, pw.bank.id, PartnerAction.REINSTATE, "")
    partner_projects.claim(db, root, clock, shared.id, pw.bank.id)
    partner_projects.withdraw_claim(db, root, clock, shared.id, pw.bank.id)
    refused(
        db,
        settings,
        ErrorCode.NOT_FOUND,
        lambda: partner_projects.withdraw_claim(db, root, clock, shared.id, pw.bank.id),
    )
    again = partner_projects.claim(db, root, clock, shared.id, pw.bank.id)
    assert again.status == "ACTIVE"
    fresh = db.partners.project(shared.id)
    assert fresh is not None
    assert (int(fresh.claimed), int(fresh.slots_left), fresh.state) == (1, 2, "OPEN")
    assert len(db.partners.claims(shared.id)) == 1
    # Nobody claimed the draft: starting its delivery is refused.
    partner_projects.transition(db, root, clock, draft.id, ProjectAction.OPEN)
    refused(
        db,
        settings,
        ErrorCode.INVALID_TRANSITION,
        lambda: partner_projects.transition(
            db, root, clock, draft.id, ProjectAction.START_DELIVERY
        ),
    )


def test_bad_inputs_are_typed_and_write_nothing(
    db: Db, settings: Settings, clock: FixedClock, pw: PartnerWorld
) -> None:
    w = pw.world
    root = root_actor(w)

    def project(**changes: Any) -> Callable[[], object]:
        need = partner_projects.publish_need(
            db, root, clock, partner_projects.NeedInput(w.b.community.id, "SAFETY", "需求", "说明")
        )
        data: dict[str, Any] = {
            "unit_id": w.b.community.id,
            "title": "项目",
            "description": "说明",
            "need_ids": (need.id,),
            "capacity": 1,
        } | changes
        return lambda: partner_projects.create_project(
            db, root, clock, partner_projects.ProjectInput(**data)
        )

    refused(db, settings, ErrorCode.INVALID_INPUT, project(capacity=0))
    refused(db, settings, ErrorCode.INVALID_INPUT, project(capacity=25))
    refused(db, settings, ErrorCode.INVALID_INPUT, project(title="x" * 81))
    refused(db, settings, ErrorCode.INVALID_INPUT, project(description="x" * 2001))
    refused(
        db,
        settings,
        ErrorCode.INVALID_INPUT,
        project(starts_on=date(2026, 12, 2), ends_on=date(2026, 12, 1)),
    )
    refused(db, settings, ErrorCode.INVALID_HIERARCHY, project(unit_id=w.b.street.id))
    # Another community's need answers like a missing one.
    a_need = partner_projects.publish_need(
        db, root, clock, partner_projects.NeedInput(w.a.community.id, "SAFETY", "甲需求", "说明")
    )
    refused(db, settings, ErrorCode.NOT_FOUND, project(need_ids=(a_need.id,)))
    refused(
        db,
        settings,
        ErrorCode.INVALID_INPUT,
        lambda: partners.register_partner(
            db,
            root,
            clock,
            partners.PartnerInput(
                w.b.street.id,
                PartnerKind.ENTERPRISE,
                "企业",
                contacts=(Contact("联系人", "12345"),),
            ),
        ),
    )
    refused(
        db,
        settings,
        ErrorCode.INVALID_HIERARCHY,
        lambda: partners.register_partner(
            db,
            root,
            clock,
            partners.PartnerInput(w.b.community.id, PartnerKind.INDIVIDUAL, "个人"),
        ),
    )
    refused(
        db,
        settings,
        ErrorCode.INVALID_TRANSITION,
        lambda: partners.change_status(db, root, clock, pw.bank.id, PartnerAction.APPROVE, ""),
    )


def test_the_ledger_is_idempotent_and_never_negative(
    db: Db, settings: Settings, clock: FixedClock, pw: PartnerWorld
) -> None:
    w = pw.world
    root = root_actor(w)
    member = w.b.staff_id

    def post(amount: int, source: EntrySource, key: str) -> Any:
        return ledger.post(
            db,
            root,
            clock,
            Posting(AccountKind.PARTY_POINTS, member, amount, source, "学习强国", key),
        )

    first = post(5, EntrySource.STUDY, "study-1")
    assert post(5, EntrySource.STUDY, "study-1").id == first.id  # a retry: the same entry
    post(3, EntrySource.SERVICE, "service-1")
    refused(
        db, settings, ErrorCode.INSUFFICIENT_BALANCE, lambda: post(-9, EntrySource.EXCHANGE, "x1")
    )
    refused(db, settings, ErrorCode.INVALID_INPUT, lambda: post(-1, EntrySource.STUDY, "x2"))
    refused(db, settings, ErrorCode.INVALID_INPUT, lambda: post(0, EntrySource.STUDY, "x3"))
    refused(db, settings, ErrorCode.INVALID_INPUT, lambda: post(1, EntrySource.STUDY, "bad key!"))
    refused(
        db,
        settings,
        ErrorCode.INSUFFICIENT_BALANCE,
        lambda: ledger.post(
            db,
            root,
            clock,
            Posting(
                AccountKind.SERVICE_HOURS, member, -1, EntrySource.EXCHANGE, "兑换", "never-had"
            ),
        ),
    )
    post(-8, EntrySource.EXCHANGE, "x4")
    holder, account = ledger.statement(db, root, AccountKind.PARTY_POINTS, member)
    page = ledger.entries(db, AccountKind.PARTY_POINTS, holder, 10, None)
    assert account is not None and int(account.balance) == 0 and int(account.earned) == 8
    # Entries of one instant sort by their ids' random bits: compare as a set of amounts.
    assert sorted(int(e.node.amount) for e in page.edges) == [-8, 3, 5]
    # Street A's admin may not post to B's people.
    refused(
        db,
        settings,
        ErrorCode.FORBIDDEN,
        lambda: ledger.post(
            db,
            load_actor(db, w.a.admin_id),
            clock,
            Posting(AccountKind.PARTY_POINTS, member, 1, EntrySource.STUDY, "越界", "a-1"),
        ),
    )
