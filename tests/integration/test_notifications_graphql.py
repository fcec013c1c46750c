"""The in-app inbox, consents, preferences and webhook administration over GraphQL."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from api.channels.base import RetryPolicy
from api.channels.webhook import UnsafeUrl, check_url
from api.dev_receiver import LocalReceiver
from api.domain.clock import FixedClock
from api.services.delivery import channels_from_settings
from api.services.stream_events import handle_batch
from api.settings import Settings
from api.store.db import Db
from api.store.stream_reader import StreamReader
from tests.case_world import CaseApi, CaseWorld, unit_gid

pytestmark = pytest.mark.stream

Deliver = Callable[[], LocalReceiver]
ERRORS = "errors { code field message }"
INBOX = """query($first: Int!, $unreadOnly: Boolean!) {
  notifications(first: $first, unreadOnly: $unreadOnly) {
    nodes { id kind title message read caseId }
    pageInfo { hasNextPage }
  }
}"""
COUNT = "{ unreadNotificationCount }"
MARK = f"""mutation($id: ID!) {{
  markNotificationRead(notificationId: $id) {{ notification {{ id read }} unreadCount {ERRORS} }}
}}"""
MARK_ALL = f"mutation {{ markAllNotificationsRead {{ marked {ERRORS} }} }}"
CONSENT = f"""mutation($ids: [String!]!) {{
  recordWechatSubscription(templateIds: $ids) {{ quotas {{ templateId left }} {ERRORS} }}
}}"""
PREFS = f"""mutation($input: NotificationPreferencesInput!) {{
  setNotificationPreferences(input: $input) {{ ok {ERRORS} }}
}}"""
SUBSCRIBE = f"""mutation($input: SubscribeWebhookInput!) {{
  subscribeWebhook(input: $input) {{ subscription {{ id url eventTypes flagged }} secret {ERRORS} }}
}}"""
ROTATE = f"""mutation($id: ID!) {{
  rotateWebhookSecret(subscriptionId: $id) {{ subscription {{ rotatedUntil }} secret {ERRORS} }}
}}"""
LOG = """query($id: ID!) {
  webhookDeliveries(subscriptionId: $id, first: 10) { nodes { eventId eventType status attempts } }
}"""


@pytest.fixture
def deliver_stream(settings: Settings, db: Db, clock: FixedClock) -> Iterator[Deliver]:
    """Runs what the stream holds through the delivery handler (receivers on 127.0.0.1)."""
    receiver = LocalReceiver().start()
    wired = replace(settings, wechat_api_base=receiver.url, sms_api_base=receiver.url)
    channels = channels_from_settings(wired, time.time)
    channels.policy = RetryPolicy(attempts=1)
    stream = StreamReader(settings, start="TRIM_HORIZON")

    def run() -> LocalReceiver:
        records: list[dict[str, object]] = []
        for _ in range(10):
            page = stream.poll(limit=1000)
            if not page and records:
                break
            records += page
        assert handle_batch(db, channels, records, clock.now()) == []
        return receiver

    yield run
    receiver.stop()


def test_the_grid_worker_reads_and_marks_notifications(
    asgi_case_api: CaseApi, case_world: CaseWorld, deliver_stream: Deliver
) -> None:
    api = asgi_case_api
    worker = case_world.grid_worker_id
    first = api.report()
    second = api.report(description="楼道灯坏了")
    deliver_stream()

    inbox = api.data(INBOX, {"first": 10, "unreadOnly": False}, worker)
    assert [n["title"] for n in inbox["nodes"]] == [second["code"], first["code"]]
    assert {n["kind"] for n in inbox["nodes"]} == {"CASE_AT_GRID"}
    assert [n["caseId"] for n in inbox["nodes"]] == [second["id"], first["id"]]
    assert api.data(COUNT, None, worker) == 2

    marked = api.data(MARK, {"id": inbox["nodes"][0]["id"]}, worker)
    assert marked["errors"] == [] and marked["notification"]["read"] is True
    assert marked["unreadCount"] == 1
    again = api.data(MARK, {"id": inbox["nodes"][0]["id"]}, worker)
    assert again["unreadCount"] == 1  # marking twice changes nothing
    unread = api.data(INBOX, {"first": 10, "unreadOnly": True}, worker)
    assert [n["title"] for n in unread["nodes"]] == [first["code"]]

    assert api.data(MARK_ALL, None, worker) == {"marked": 1, "errors": []}
    assert api.data(COUNT, None, worker) == 0

    # The reporter has their own inbox, and cannot mark the worker's notifications.
    stolen = api.data(MARK, {"id": inbox["nodes"][0]["id"]}, case_world.resident_id)
    assert [e["code"] for e in stolen["errors"]] == ["NOT_FOUND"]
    bad = api.data(MARK, {"id": "not-an-id"}, worker)
    assert bad["errors"][0]["field"] == "notificationId"


def test_anonymous_callers_have_no_inbox(asgi_case_api: CaseApi) -> None:
    code, _ = asgi_case_api.query_error(COUNT, None, None)
    assert code == "UNAUTHENTICATED"


def test_consents_and_preferences(asgi_case_api: CaseApi, case_world: CaseWorld) -> None:
    api = asgi_case_api
    worker = case_world.grid_worker_id
    first = api.data(CONSENT, {"ids": ["TPL_WORK_ORDER"]}, worker)
    assert first == {"quotas": [{"templateId": "TPL_WORK_ORDER", "left": 1}], "errors": []}
    second = api.data(CONSENT, {"ids": ["TPL_WORK_ORDER"]}, worker)
    assert second["quotas"][0]["left"] == 2
    unknown = api.data(CONSENT, {"ids": ["NOPE"]}, worker)
    assert unknown["errors"][0]["field"] == "templateIds" and unknown["quotas"] == []

    ok = api.data(
        PREFS,
        {"input": {"sms": False, "quietStart": "22:00", "quietEnd": "07:00", "wechatOpenid": "o1"}},
        worker,
    )
    assert ok == {"ok": True, "errors": []}
    half = api.data(PREFS, {"input": {"quietStart": "22:00"}}, worker)
    assert half["ok"] is False and half["errors"][0]["field"] == "quietStart"


def test_webhook_administration(
    asgi_case_api: CaseApi, case_world: CaseWorld, deliver_stream: Deliver
) -> None:
    api = asgi_case_api
    admin = case_world.world.district_admin_id
    receiver = deliver_stream()
    url = f"{receiver.url}/hooks/admin"
    values = {"orgUnitId": unit_gid(case_world.district.id), "url": url, "eventTypes": ["*"]}

    refused = api.data(SUBSCRIBE, {"input": values}, case_world.grid_worker_id)
    assert refused["subscription"] is None and refused["errors"][0]["code"] == "FORBIDDEN"
    unknown = api.data(SUBSCRIBE, {"input": {**values, "eventTypes": ["case.eaten"]}}, admin)
    assert unknown["errors"][0]["field"] == "eventTypes"

    created = api.data(SUBSCRIBE, {"input": values}, admin)
    assert created["errors"] == [] and created["secret"].startswith("whsec_")
    subscription_id = created["subscription"]["id"]
    rotated = api.data(ROTATE, {"id": subscription_id}, admin)
    assert rotated["secret"] != created["secret"] and rotated["subscription"]["rotatedUntil"]

    api.report()
    deliver_stream()
    log = api.data(LOG, {"id": subscription_id}, admin)
    assert [(d["eventType"], d["status"]) for d in log["nodes"]] == [("case.reported", "SENT")]
    [delivery] = receiver.accepted("WEBHOOK")
    # During the rotation's grace period both secrets sign.
    assert delivery.headers["X-Dangqun-Signature"].count("v1=") == 2


@pytest.mark.parametrize(
    ("url", "addresses"),
    [
        ("http://example.com/hook", ["93.184.216.34"]),
        ("https://internal.example/hook", ["10.0.0.5"]),
        ("https://loop.example/hook", ["127.0.0.1"]),
        ("https://meta.example/hook", ["169.254.169.254"]),
        ("https://v6.example/hook", ["::1"]),
        ("https://mixed.example/hook", ["93.184.216.34", "192.168.1.2"]),
        ("https://nowhere.example/hook", []),
        ("https://user:pw@example.com/hook", ["93.184.216.34"]),
    ],
)
def test_ssrf_guard_outside_local_stages(url: str, addresses: list[str]) -> None:
    with pytest.raises(UnsafeUrl):
        check_url(url, allow_local=False, resolve=lambda host: addresses)


def test_ssrf_guard_lets_public_https_through() -> None:
    check_url("https://hooks.example.com/x", allow_local=False, resolve=lambda h: ["93.184.216.34"])
