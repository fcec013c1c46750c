"""Delivery from the table's stream to real HTTP receivers on 127.0.0.1 (issue 12).

The stream is the table's own (DynamoDB Local's or moto's), read with the same filter as the
Lambda event source mapping, and handed to the same batch handler as ``functions/events.py``.
The receiver speaks WeChat's, Aliyun SMS's and a webhook receiver's documented shapes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

import pytest

from api.channels.base import RetryPolicy
from api.dev_receiver import Fault, LocalReceiver
from api.dev_stream import deliver_forever, wired
from api.domain.clock import SHANGHAI, FixedClock
from api.domain.ids import from_global_id
from api.domain.notify import AnnouncementKind, Preferences
from api.records.delivery import Announcement, ContactRecord, Decoded, DeliveryState
from api.services import webhooks
from api.services.actor import load_actor
from api.services.delivery import Channels, RetryLater, channels_from_settings, deliver
from api.services.stream_events import handle_batch
from api.settings import Settings
from api.store.db import Db
from api.store.pagination import Page
from api.store.stream_reader import StreamReader
from tests.case_world import CaseApi, CaseWorld

pytestmark = pytest.mark.stream

OPENID = "o-grid-worker-openid"
T = TypeVar("T")


@pytest.fixture
def receiver() -> Iterator[LocalReceiver]:
    with LocalReceiver() as running:
        yield running


@pytest.fixture
def channels(settings: Settings, receiver: LocalReceiver) -> Channels:
    wired = replace(
        settings,
        wechat_api_base=receiver.url,
        sms_api_base=receiver.url,
        channel_timeout_seconds=1.0,
    )
    built = channels_from_settings(wired, time.time)
    built.policy = RetryPolicy(attempts=2, base_seconds=0.01, cap_seconds=0.02)
    return built


@pytest.fixture
def stream(settings: Settings) -> StreamReader:
    return StreamReader(settings, start="TRIM_HORIZON")


def drain(stream: StreamReader) -> list[dict[str, Any]]:
    """Everything the stream holds now (a few polls: a shard answers in pages)."""
    records: list[dict[str, Any]] = []
    for _ in range(20):
        page = stream.poll(limit=1000)
        if not page and records:
            break
        records += page
    return records


def bind_wechat(db: Db, person_id: str, openid: str = OPENID, consents: int = 5) -> None:
    db.deliveries.save_contact(ContactRecord(person_id, Preferences(), openid))
    db.deliveries.add_quota(person_id, "TPL_WORK_ORDER", consents)


def subscribe(db: Db, case_world: CaseWorld, clock: FixedClock, url: str) -> str:
    admin = load_actor(db, case_world.world.district_admin_id)
    subscription = webhooks.subscribe(
        db, admin, clock, case_world.district.id, url, ["case.reported", "case.accepted"]
    )
    return subscription.id


def test_a_report_reaches_the_grid_workers_inbox_and_wechat_in_one_batch(
    db: Db,
    asgi_case_api: CaseApi,
    case_world: CaseWorld,
    channels: Channels,
    receiver: LocalReceiver,
    stream: StreamReader,
) -> None:
    worker = case_world.grid_worker_id
    bind_wechat(db, worker)
    case = asgi_case_api.report()

    batch = drain(stream)
    assert handle_batch(db, channels, batch, _now()) == []

    inbox = nodes(db.deliveries.notifications(worker, 10, None))
    assert [(n.kind, n.title) for n in inbox] == [(AnnouncementKind.CASE_AT_GRID, case["code"])]
    assert db.deliveries.unread_count(worker) == 1
    [wechat] = receiver.accepted("WECHAT")
    message = wechat.json()
    assert message["touser"] == OPENID
    assert message["data"]["character_string1"]["value"] == case["code"]
    assert all(len(v["value"]) <= 20 for k, v in message["data"].items() if "thing" in k)
    assert db.deliveries.quota(worker, "TPL_WORK_ORDER") == 4  # one consent used

    # The same batch again (a Lambda retry): nothing is sent twice, nothing added to the inbox.
    assert handle_batch(db, channels, batch, _now()) == []
    assert len(receiver.accepted("WECHAT")) == 1
    assert db.deliveries.unread_count(worker) == 1


def test_webhook_outage_then_recovery_delivers_each_event_exactly_once(
    db: Db,
    clock: FixedClock,
    asgi_case_api: CaseApi,
    case_world: CaseWorld,
    channels: Channels,
    receiver: LocalReceiver,
    stream: StreamReader,
) -> None:
    subscription_id = subscribe(db, case_world, clock, f"{receiver.url}/hooks/city")
    first = asgi_case_api.report()
    second = asgi_case_api.report(description="路灯不亮")
    receiver.fail("/hooks/", Fault(status=503))

    batch = drain(stream)
    failed = handle_batch(db, channels, batch, _now())
    assert failed, "an outage must fail the records whose webhooks could not be delivered"
    assert receiver.accepted("WEBHOOK") == []
    log = nodes(db.deliveries.webhook_log(subscription_id, 10, None))
    assert {d.state for d in log} == {DeliveryState.RETRY}

    receiver.heal()
    retried = [r for r in batch if r["dynamodb"]["SequenceNumber"] >= min(failed)]
    assert handle_batch(db, channels, retried, _now()) == []
    assert handle_batch(db, channels, batch, _now()) == []  # and once more: nothing new

    delivered = [r.headers["X-Dangqun-Event-Id"] for r in receiver.accepted("WEBHOOK")]
    assert sorted(delivered) == sorted(set(delivered))
    bodies = [r.json() for r in receiver.accepted("WEBHOOK")]
    assert {(b["type"], b["data"]["caseId"]) for b in bodies} == {
        ("case.reported", _raw(first)),
        ("case.reported", _raw(second)),
    }
    log = nodes(db.deliveries.webhook_log(subscription_id, 10, None))
    assert {d.state for d in log} == {DeliveryState.SENT}


def test_signature_checks_with_an_independent_implementation(
    db: Db,
    clock: FixedClock,
    asgi_case_api: CaseApi,
    case_world: CaseWorld,
    channels: Channels,
    receiver: LocalReceiver,
    stream: StreamReader,
) -> None:
    subscription_id = subscribe(db, case_world, clock, f"{receiver.url}/hooks/check")
    secret = db.webhooks.get(subscription_id)
    assert secret is not None
    asgi_case_api.report()
    assert handle_batch(db, channels, drain(stream), _now()) == []

    [delivery] = receiver.accepted("WEBHOOK")
    timestamp = delivery.headers["X-Dangqun-Timestamp"]
    expected = hmac.new(
        secret.secret.encode(), timestamp.encode() + b"." + delivery.body, hashlib.sha256
    ).hexdigest()
    assert delivery.headers["X-Dangqun-Signature"] == f"v1={expected}"
    assert abs(int(timestamp) - time.time()) < 60
    body = json.loads(delivery.body)
    assert delivery.headers["X-Dangqun-Event-Id"] == body["id"]
    assert delivery.headers["X-Dangqun-Event-Type"] == body["type"] == "case.reported"
    assert body["sequence"] == 1
    assert "reporter" not in json.dumps(body)  # no personal data


def test_a_poison_record_fails_alone_and_the_rest_of_its_batch_is_delivered(
    db: Db,
    asgi_case_api: CaseApi,
    case_world: CaseWorld,
    channels: Channels,
    receiver: LocalReceiver,
    stream: StreamReader,
) -> None:
    bind_wechat(db, case_world.grid_worker_id)
    asgi_case_api.report()
    batch = drain(stream)
    poison = {
        "eventID": "poison",
        "eventName": "INSERT",
        "dynamodb": {
            "SequenceNumber": "000",
            "NewImage": {"pk": {"S": "X"}, "sk": {"S": "Y"}, "type": {"S": "Notice"}},
        },
    }
    failed = handle_batch(db, channels, [poison, *batch], _now())
    assert failed == ["000"]
    assert len(receiver.accepted("WECHAT")) == 1


def test_wechat_token_refresh_refusal_and_sms_codes(
    db: Db,
    case_world: CaseWorld,
    channels: Channels,
    receiver: LocalReceiver,
) -> None:
    # The grid has no secretary (its head): supervision falls back to the community's
    # dispatcher, the next level's.
    worker = case_world.community_dispatcher_id
    bind_wechat(db, worker)
    unit = case_world.world.a.grid.id

    def supervision(n: int) -> Decoded:
        announcement = Announcement(
            id=f"test:supervision:{n}",
            kind=AnnouncementKind.SUPERVISION,
            target_id=unit,
            title="SB-2026-000001",
            message="请尽快处置：扬州路12号楼院北墙出现裂缝，已超时限",
            at="2026-11-23T09:30:00.000+08:00",
        )
        return Decoded(announcements=(announcement,))

    deliver(db, channels, supervision(1), _now())
    assert len(receiver.accepted("WECHAT")) == 1
    [sms] = receiver.accepted("SMS")
    form = sms.form()
    assert form["Action"] == "SendSms" and form["TemplateCode"] == "SMS_DQ_SUPERVISION"
    assert json.loads(form["TemplateParam"])["code"] == "SB-2026-000001"

    receiver.revoke_tokens()  # the cached token is no longer valid: 40001, refresh, resend
    deliver(db, channels, supervision(2), _now())
    assert len(receiver.accepted("WECHAT")) == 2

    receiver.state.refusing_openids.add(OPENID)  # 43101: final, recorded, not retried
    deliver(db, channels, supervision(3), _now())
    refused = db.deliveries.get("test:supervision:3", "WECHAT", worker)
    assert refused is not None and refused.state is DeliveryState.FAILED
    assert refused.outcome is not None and refused.outcome.startswith("43101")

    receiver.fail("/", Fault(code="isv.BUSINESS_LIMIT_CONTROL"))  # throttled: retry later
    with pytest.raises(RetryLater):
        deliver(db, channels, supervision(4), _now())
    throttled = db.deliveries.get("test:supervision:4", "SMS", worker)
    assert throttled is not None and throttled.state is DeliveryState.RETRY
    receiver.heal()
    deliver(db, channels, supervision(4), _now())  # the retry sends the SMS, not WeChat again
    resent = db.deliveries.get("test:supervision:4", "SMS", worker)
    assert resent is not None and resent.state is DeliveryState.SENT


def test_slow_webhook_times_out_and_is_dead_lettered_after_max_attempts_then_replayed(
    db: Db,
    clock: FixedClock,
    asgi_case_api: CaseApi,
    case_world: CaseWorld,
    channels: Channels,
    receiver: LocalReceiver,
    stream: StreamReader,
) -> None:
    subscription_id = subscribe(db, case_world, clock, f"{receiver.url}/hooks/slow")
    asgi_case_api.report()
    batch = drain(stream)
    receiver.fail("/hooks/", Fault(delay=1.5))  # past the 1 s time-out
    for _ in range(3):  # 2 attempts per invocation, 6 in all
        handle_batch(db, channels, batch, _now())
    [dead] = nodes(db.deliveries.webhook_log(subscription_id, 10, None))
    assert dead.state is DeliveryState.DEAD and dead.attempts >= 6
    flagged = db.webhooks.get(subscription_id)
    assert flagged is not None and flagged.flagged
    assert handle_batch(db, channels, batch, _now()) == []  # dead: the record is done

    receiver.heal()
    admin = load_actor(db, case_world.world.district_admin_id)
    webhooks.replay(db, admin, clock, subscription_id, dead.source_id)
    later = drain(stream)
    replays = [r for r in later if r["dynamodb"]["NewImage"]["type"]["S"] == "Delivery"]
    assert len(replays) == 1
    assert handle_batch(db, channels, replays, _now()) == []
    [sent] = nodes(db.deliveries.webhook_log(subscription_id, 10, None))
    assert sent.state is DeliveryState.SENT
    healed = db.webhooks.get(subscription_id)
    assert healed is not None and not healed.flagged
    # The receiver did get the slow attempts (we gave up waiting, it answered late): the same
    # event id each time, which is how a receiver deduplicates. The replay arrived after heal.
    accepted = receiver.accepted("WEBHOOK")
    assert {r.headers["X-Dangqun-Event-Id"] for r in accepted} == {dead.source_id}
    assert len(accepted) >= 2  # late answers to timed-out attempts, and the replay


def nodes(page: Page[T]) -> list[T]:
    return [edge.node for edge in page.edges]


def _raw(case: dict[str, Any]) -> str:
    return from_global_id(case["id"], "Case")[1]


def _now() -> datetime:
    return datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def test_make_dev_delivery_loop_announces_a_report_to_the_grid(
    db: Db,
    settings: Settings,
    asgi_case_api: CaseApi,
    case_world: CaseWorld,
    receiver: LocalReceiver,
    serialised_moto: None,
) -> None:
    """The loop ``make dev`` runs: the stream polled from now on, the local receiver answering."""
    bind_wechat(db, case_world.grid_worker_id)
    stop, ready = threading.Event(), threading.Event()
    loop = threading.Thread(
        target=deliver_forever, args=(wired(settings, receiver), stop, print, ready)
    )
    loop.start()
    try:
        assert ready.wait(20)  # the loop reads from LATEST: report once it is reading
        case = asgi_case_api.report()
        deadline = time.monotonic() + 20
        while not receiver.accepted("WECHAT") and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        loop.join(timeout=10)
    [message] = receiver.accepted("WECHAT")
    assert message.json()["data"]["character_string1"]["value"] == case["code"]


def test_an_escalation_by_timer_rings_the_next_level(
    db: Db,
    clock: FixedClock,
    asgi_case_api: CaseApi,
    case_world: CaseWorld,
    channels: Channels,
    receiver: LocalReceiver,
    stream: StreamReader,
) -> None:
    from api.services.escalation import sweep

    api = asgi_case_api
    dispatcher = case_world.community_dispatcher_id
    case = api.report()
    api.act("acceptCase", dispatcher, case, mode="ASSIGNED", category="ENVIRONMENT")
    api.act("assignCase", dispatcher, case, level="GRID")
    handle_batch(db, channels, drain(stream), clock.now())
    seen = {r.form()["OutId"] for r in receiver.accepted("SMS")}

    later = datetime(2026, 11, 23, 16, 0, tzinfo=SHANGHAI)  # the grid's response limit passed
    assert sweep(db, later).fired >= 1
    assert handle_batch(db, channels, drain(stream), later) == []

    kinds = {n.kind for n in nodes(db.deliveries.notifications(dispatcher, 20, None))}
    assert AnnouncementKind.ESCALATED in kinds
    texts = [r.form() for r in receiver.accepted("SMS") if r.form()["OutId"] not in seen]
    assert any(
        form["PhoneNumbers"] == "13910000005" and form["TemplateCode"] == "SMS_DQ_ESCALATED"
        for form in texts
    ), texts


def test_a_receiver_orders_a_cases_events_by_their_sequence(
    db: Db,
    clock: FixedClock,
    asgi_case_api: CaseApi,
    case_world: CaseWorld,
    channels: Channels,
    receiver: LocalReceiver,
    stream: StreamReader,
) -> None:
    admin = load_actor(db, case_world.world.district_admin_id)
    url = f"{receiver.url}/hooks/order"
    webhooks.subscribe(db, admin, clock, case_world.district.id, url, ["*"])
    dispatcher = case_world.community_dispatcher_id
    case = asgi_case_api.report()
    asgi_case_api.act("acceptCase", dispatcher, case, mode="ASSIGNED", category="ENVIRONMENT")
    asgi_case_api.act("assignCase", dispatcher, case, level="GRID")
    # Delivered in reverse (as retries may): the sequence restores the order.
    records = drain(stream)
    for record in reversed(records):
        assert handle_batch(db, channels, [record], _now()) == []
    bodies = [r.json() for r in receiver.accepted("WEBHOOK")]
    ordered = sorted(
        (b for b in bodies if b["data"]["caseId"] == _raw(case)), key=lambda b: b["sequence"]
    )
    assert [(b["sequence"], b["type"]) for b in ordered] == [
        (1, "case.reported"),
        (2, "case.accepted"),
        (3, "case.assigned"),
    ]
