"""The 12345 link, both ways (issue 13): the hotline creates a case for a caller with its own
ticket as external reference, follows it by webhook, and posts the caller's 回访 (callback
survey) as the evaluation. The test plays the hotline with nothing but its key."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest

from api.store.db import Db
from tests.api_client_world import REGISTER, as_client
from tests.case_world import CaseApi, CaseWorld, unit_gid
from tests.graphql_client import Response
from tests.integration.test_notifications_graphql import Deliver, deliver_stream

pytestmark = pytest.mark.stream
__all__ = ["deliver_stream"]  # the fixture, shared with the notification tests

REPORT = """mutation($input: ReportCaseInput!) {
  reportCase(input: $input) {
    case { id code state channel externalRef { system id } }
    errors { code field message }
  }
}"""
BY_REF = """query($system: String!, $id: String!) {
  caseByExternalRef(system: $system, id: $id) { id state satisfaction }
}"""
SUBSCRIBE = """mutation($input: SubscribeWebhookInput!) {
  subscribeWebhook(input: $input) { subscription { id } secret errors { code field } }
}"""
EVALUATE = """mutation($input: EvaluateCaseInput!) {
  evaluateCase(input: $input) { case { state satisfaction } errors { code field } }
}"""
REPORTER = "query($id: ID!) { case(id: $id) { reporter { name phone } reporterMaskedName } }"


class Hotline:
    """12345 热线 as a system: it knows only its key."""

    def __init__(self, api: CaseApi, key: str) -> None:
        self.api, self.key = api, key

    def send(self, query: str, variables: dict[str, Any]) -> Response:
        response = as_client(self.api.client, self.key, query, variables, operator="op-007")
        assert response.status == 200 and not response.errors, response.body
        return response

    def data(self, query: str, variables: dict[str, Any]) -> Any:
        (value,) = self.send(query, variables).data.values()
        return value

    def report(self, ticket: str, description: str, building_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.data(
            REPORT,
            {
                "input": {
                    "channel": "HOTLINE",
                    "category": "ENVIRONMENT",
                    "description": description,
                    "locationUnitId": unit_gid(building_id),
                    "externalRef": {"system": "12345", "id": ticket},
                    "caller": {"name": "王来电", "phone": "138 0013 8000"},
                }
            },
        )
        return result


def test_the_hotline_creates_follows_and_evaluates_a_case(
    case_api: CaseApi, case_world: CaseWorld, db: Db, deliver_stream: Deliver
) -> None:
    api, w = case_api, case_world.world
    issued = api.data(
        REGISTER,
        {
            "input": {
                "name": "12345 热线",
                "orgUnitId": unit_gid(w.district.id),
                "scopes": ["cases:report", "cases:read", "cases:evaluate", "webhooks:manage"],
            }
        },
        w.district_admin_id,
    )
    hotline = Hotline(api, issued["key"])
    receiver_url = deliver_stream().url  # the hotline's webhook receiver (127.0.0.1)
    subscribed = hotline.data(
        SUBSCRIBE,
        {
            "input": {
                "orgUnitId": unit_gid(w.district.id),
                "url": f"{receiver_url}/hooks/12345",
                "eventTypes": ["case.reported", "case.resolved", "case.evaluated"],
            }
        },
    )
    assert subscribed["errors"] == [], subscribed
    secret = subscribed["secret"]

    created = hotline.report("GD20261123001", "来电：单元门口垃圾三天未清运", w.a.building.id)
    assert created["errors"] == []
    case = created["case"]
    assert case["channel"] == "HOTLINE"
    assert case["externalRef"] == {"system": "12345", "id": "GD20261123001"}

    # A retry of the ticket returns the original; the same ticket with other content is refused.
    again = hotline.report("GD20261123001", "来电：单元门口垃圾三天未清运", w.a.building.id)
    assert again["case"]["id"] == case["id"]
    other = hotline.report("GD20261123001", "来电：路灯不亮", w.a.building.id)
    assert other["case"] is None
    assert [(e["code"], e["field"]) for e in other["errors"]] == [("ALREADY_EXISTS", "externalRef")]
    assert hotline.data(BY_REF, {"system": "12345", "id": "GD20261123001"})["id"] == case["id"]

    # The caller is the reporter's contact, masked as any reporter's outside the chain.
    stored = db.cases.by_code(case["code"])
    assert stored is not None
    assert (stored.reporter_name, stored.reporter_phone) == ("王来电", "13800138000")
    seen = api.data(REPORTER, {"id": case["id"]}, case_world.grid_worker_id)
    assert seen is not None and seen["reporterMaskedName"] == "王**"

    # The district handles the case as any other.
    community, worker = case_world.community_dispatcher_id, case_world.grid_worker_id
    api.act("acceptCase", community, case, mode="FAST", category="ENVIRONMENT")
    api.act("assignCase", community, case, level="GRID")
    api.act("startCase", worker, case)
    api.act("resolveCase", worker, case, result="已通知物业清运")

    # The hotline follows by webhook: signed events of its case, in order.
    receiver = deliver_stream()
    hooks = [r for r in receiver.accepted("WEBHOOK") if r.path == "/hooks/12345"]
    types = [hook.json()["type"] for hook in hooks]
    assert types == ["case.reported", "case.resolved"], types
    for hook in hooks:
        signature = hook.headers["X-Dangqun-Signature"]
        assert _verifies(secret, hook, signature), signature

    # 回访: the caller was satisfied; the hotline posts it as the evaluation.
    evaluated = hotline.data(
        EVALUATE,
        {"input": {"caseId": case["id"], "satisfaction": "SATISFIED", "comment": "回访满意"}},
    )
    assert evaluated == {"case": {"state": "EVALUATED", "satisfaction": "SATISFIED"}, "errors": []}
    receiver = deliver_stream()
    evaluated_hooks = [r.json()["type"] for r in receiver.accepted("WEBHOOK")]
    assert evaluated_hooks.count("case.evaluated") == 1

    # Only for its own cases: a resident's case is not the hotline's to evaluate.
    resident_case = api.report()
    api.act("acceptCase", community, resident_case, mode="FAST", category="HOUSING_SAFETY")
    api.act("assignCase", community, resident_case, level="GRID")
    api.act("startCase", worker, resident_case)
    api.act("resolveCase", worker, resident_case, result="已处理")
    refused = hotline.data(
        EVALUATE, {"input": {"caseId": resident_case["id"], "satisfaction": "SATISFIED"}}
    )
    assert refused["case"] is None and refused["errors"][0]["code"] in ("FORBIDDEN", "NOT_FOUND")


def _verifies(secret: str, hook: Any, signature: str) -> bool:
    """The receiver's check, as the README tells integrators to do it."""
    signed = hook.headers["X-Dangqun-Timestamp"].encode() + b"." + hook.body
    expected = "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(part.strip(), expected) for part in signature.split(","))
