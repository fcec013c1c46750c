"""Stream records → announcements and system events (no DynamoDB: images built from items)."""

from __future__ import annotations

from typing import Any

import pytest

from api.domain.messages import stored_text
from api.domain.notify import AnnouncementKind, Audience, audience_of
from api.store.case_models import CaseItem, NoticeItem, case_key, notice_key
from api.store.models import Item
from api.store.partner_models import ClaimItem
from api.store.stream_codec import UndecodableRecord, announces, decode
from api.store.topic_models import TopicItem, topic_key

GRID_PATH = "/D1/S1/C1/G1"


def record(name: str, new: Item | None, old: Item | None = None, seq: str = "1") -> dict[str, Any]:
    images: dict[str, Any] = {"SequenceNumber": seq}
    if new is not None:
        images["NewImage"] = new.serialize()
    if old is not None:
        images["OldImage"] = old.serialize()
    return {"eventID": seq, "eventName": name, "dynamodb": images}


def case(state: str, assignee: str | None, level: str | None, seq: int) -> CaseItem:
    pk, sk = case_key("K1")
    return CaseItem(
        pk,
        sk,
        id="K1",
        code="SB-2026-000001",
        state=state,
        channel="RESIDENT",
        description="楼道堆物挡住消防通道" * 5,
        location_unit_id="G1",
        grid_id="G1",
        grid_path=GRID_PATH,
        reporter_id="R1",
        assignee_id=assignee,
        level=level,
        event_count=seq,
        reported_at="t0",
        updated_at=f"t{seq}",
        category="ENVIRONMENT",
    )


def test_a_new_case_is_announced_to_its_grid_and_published_as_reported() -> None:
    decoded = decode(record("INSERT", case("REPORTED", None, None, 1)))
    [announcement] = decoded.announcements
    assert announcement.kind is AnnouncementKind.CASE_AT_GRID
    assert announcement.target_id == "G1" and announcement.id == "case:K1:1:CASE_AT_GRID"
    shown = stored_text(announcement.message)  # stored language-neutral, shown in Chinese
    assert shown.startswith("新的群众诉求：") and len(shown) < 60  # the description is summarised
    [event] = decoded.events
    assert (event.type, event.sequence, event.scope_path) == ("case.reported", 1, GRID_PATH)
    assert "R1" not in str(event.data)  # no reporter in what systems receive


@pytest.mark.parametrize(
    ("old", "new", "kinds", "event_type"),
    [
        (("REPORTED", None, None), ("ACCEPTED", None, None), ["REPORT_ACCEPTED"], "case.accepted"),
        (
            ("ACCEPTED", None, None),
            ("ASSIGNED", "C1", "COMMUNITY"),
            ["CASE_ASSIGNED"],
            "case.assigned",
        ),
        (
            ("ASSIGNED", "G1", "GRID"),
            ("ASSIGNED", "C1", "COMMUNITY"),
            ["CASE_ASSIGNED"],
            "case.escalated",
        ),
        (
            ("ASSIGNED", "D1", "DISTRICT"),
            ("ASSIGNED", "DEPT", "DISTRICT"),
            ["CASE_CLAIM_REQUEST"],
            "case.assigned",
        ),
        (
            ("ASSIGNED", "D1", "DISTRICT"),
            ("ASSIGNED", "LEADER", "TOP"),
            ["CASE_AT_TOP"],
            "case.escalated",
        ),
        (
            ("IN_PROGRESS", "G1", "GRID"),
            ("RESOLVED", "G1", "GRID"),
            ["REPORT_RESOLVED"],
            "case.resolved",
        ),
    ],
)
def test_case_changes(
    old: tuple[str, str | None, str | None],
    new: tuple[str, str | None, str | None],
    kinds: list[str],
    event_type: str,
) -> None:
    decoded = decode(record("MODIFY", case(*new, seq=5), case(*old, seq=4)))
    assert [a.kind.value for a in decoded.announcements] == kinds
    [event] = decoded.events
    assert event.type == event_type and event.sequence == 5 and event.id == "case:K1:5"


def test_a_case_change_nobody_hears_of_announces_nothing() -> None:
    same = decode(
        record("MODIFY", case("ASSIGNED", "G1", "GRID", 4), case("ASSIGNED", "G1", "GRID", 4))
    )
    assert same.announcements == () and same.events == ()


def test_timer_notice_topic_decision_and_claim() -> None:
    pk, sk = notice_key("C1", "t9", "K1", "SUPERVISION")
    notice = NoticeItem(
        pk,
        sk,
        recipient_id="C1",
        case_id="K1",
        code="SB-1",
        kind="SUPERVISION",
        level="COMMUNITY",
        message="督办",
        at="t9",
    )
    [supervision] = decode(record("INSERT", notice)).announcements
    assert supervision.kind is AnnouncementKind.SUPERVISION and supervision.target_id == "C1"

    tpk, tsk = topic_key("T1")
    topic: dict[str, Any] = {
        "id": "T1",
        "title": "加装电梯",
        "body": "b",
        "category": "c",
        "unit_id": "G1",
        "unit_path": GRID_PATH,
        "unit_kind": "GRID",
        "location_unit_id": "G1",
        "author_id": "A",
        "author_name": "a",
        "created_at": "t0",
        "updated_at": "t1",
    }
    decided = decode(
        record(
            "MODIFY",
            TopicItem(tpk, tsk, state="ADOPTED", **topic),
            TopicItem(tpk, tsk, state="VOTING", **topic),
        )
    )
    assert [e.type for e in decided.events] == ["topic.decided"]

    claim: dict[str, Any] = {
        "project_id": "P1",
        "project_title": "助老",
        "partner_id": "X",
        "partner_name": "某单位",
        "community_id": "C1",
        "claimed_at": "t1",
        "claimed_by": "REP",
    }
    claimed = decode(record("INSERT", ClaimItem("PROJECT#P1", "CLAIM#X", status="ACTIVE", **claim)))
    assert [a.kind for a in claimed.announcements] == [AnnouncementKind.PARTNER_CLAIM]
    assert [e.type for e in claimed.events] == ["project.claimed"]
    delivered = decode(
        record(
            "MODIFY",
            ClaimItem("PROJECT#P1", "CLAIM#X", status="DELIVERED", **claim),
            ClaimItem("PROJECT#P1", "CLAIM#X", status="ACTIVE", **claim),
        )
    )
    assert [(a.kind, a.target_id) for a in delivered.announcements] == [
        (AnnouncementKind.PARTNER_CONFIRMED, "REP")
    ]


def test_filter_and_poison() -> None:
    assert announces(record("INSERT", case("REPORTED", None, None, 1)))
    assert not announces({"eventName": "REMOVE", "dynamodb": {}})
    replay = {
        "eventName": "MODIFY",
        "dynamodb": {"NewImage": {"type": {"S": "Delivery"}, "state": {"S": "REPLAY"}}},
    }
    assert announces(replay)
    sent = {
        "eventName": "MODIFY",
        "dynamodb": {"NewImage": {"type": {"S": "Delivery"}, "state": {"S": "SENT"}}},
    }
    assert not announces(sent)
    poison = {"eventName": "INSERT", "dynamodb": {"NewImage": {"type": {"S": "Nope"}}}}
    with pytest.raises(UndecodableRecord):
        decode(poison)


def test_the_evaluation_reminder_is_announced_to_the_reporter_in_person() -> None:
    pk, sk = notice_key("R1", "t9", "K1", "EVALUATION_REMINDER")
    notice = NoticeItem(
        pk, sk, recipient_id="R1", case_id="K1", code="SB-1", kind="EVALUATION_REMINDER",
        level="GRID", message="请评价", at="t9",
    )  # fmt: skip
    [reminder] = decode(record("INSERT", notice)).announcements
    assert (reminder.kind, reminder.target_id) == (AnnouncementKind.EVALUATION_REMINDER, "R1")
    assert audience_of(reminder.kind, target_is_unit=True) is Audience.PERSON
