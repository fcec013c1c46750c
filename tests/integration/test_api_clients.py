"""API clients (issue 13): keys shown once and stored hashed, rotation with a grace period,
immediate revocation, last use, scope checks like people's, per-minute limits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from api.domain.clock import FixedClock
from api.services.api_clients import hash_key
from api.store.db import Db
from tests.api_client_world import REGISTER, REVOKE, ROTATE, as_client
from tests.case_world import CASE, CaseApi, CaseWorld, unit_gid
from tests.graphql_client import Response

ALL_SCOPES = ["cases:report", "cases:read", "cases:evaluate"]
TIMELINE = "query($id: ID!) { case(id: $id) { code timeline { action clientId } } }"
CLIENTS = "query($id: ID!) { apiClients(orgUnitId: $id) { name lastUsedAt revokedAt } }"


def register(
    api: CaseApi, as_: str, org_id: str, scopes: list[str] | None = None, rate: int | None = None
) -> dict[str, Any]:
    result: dict[str, Any] = api.data(
        REGISTER,
        {
            "input": {
                "name": "12345 热线",
                "orgUnitId": unit_gid(org_id),
                "scopes": ALL_SCOPES if scopes is None else scopes,
                "ratePerMinute": rate,
            }
        },
        as_,
    )
    return result


def report(api: CaseApi, key: str, building_id: str, **extra: Any) -> Response:
    document = (
        "mutation($input: ReportCaseInput!) { reportCase(input: $input) "
        "{ case { id code state } errors { code field message } } }"
    )
    variables = {
        "input": {
            "channel": "HOTLINE",
            "category": "HOUSING_SAFETY",
            "description": "市民来电：楼道灯坏了",
            "locationUnitId": unit_gid(building_id),
            **extra,
        }
    }
    return as_client(api.client, key, document, variables)


def test_a_district_admin_registers_a_client_whose_key_is_shown_once(
    case_api: CaseApi, case_world: CaseWorld, db: Db
) -> None:
    w = case_world.world
    refused = register(case_api, w.a.admin_id, w.a.street.id)  # a street admin is not enough
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"] and refused["key"] is None
    bad = register(case_api, w.district_admin_id, w.a.street.id, scopes=["cases:delete"])
    assert [(e["code"], e["field"]) for e in bad["errors"]] == [("INVALID_INPUT", "scopes")]

    issued = register(case_api, w.district_admin_id, w.a.street.id)
    assert issued["errors"] == [] and issued["key"].startswith("dqk.")
    assert issued["client"]["scopes"] == sorted(ALL_SCOPES)
    stored = db.clients.get(issued["client"]["id"])
    assert stored is not None and stored.key_hash == hash_key(issued["key"])
    # Only the hash is kept: the secret part of the key is nowhere in the record.
    assert issued["key"].split(".")[2] not in repr(stored)
    listed = case_api.data(CLIENTS, {"id": unit_gid(w.a.street.id)}, w.a.admin_id)
    assert listed == [{"name": "12345 热线", "lastUsedAt": None, "revokedAt": None}]


def test_a_client_reports_in_its_street_and_is_the_actor_in_the_timeline(
    case_api: CaseApi, case_world: CaseWorld, clock: FixedClock
) -> None:
    w = case_world.world
    issued = register(case_api, w.district_admin_id, w.a.street.id)
    key = issued["key"]
    response = report(case_api, key, w.a.building.id)
    assert response.status == 200, response.body
    created = response.data["reportCase"]
    assert created["errors"] == [], created
    timeline = as_client(case_api.client, key, TIMELINE, {"id": created["case"]["id"]})
    (event,) = timeline.data["case"]["timeline"]
    assert event["action"] == "REPORT"
    assert event["clientId"] == issued["client"]["id"]
    listed = case_api.data(CLIENTS, {"id": unit_gid(w.a.street.id)}, w.a.admin_id)
    assert listed[0]["lastUsedAt"] is not None  # the last use is recorded

    # Its ticket's case: seen in street A, not from street B.
    ticket = report(case_api, key, w.a.building.id, externalRef={"system": "12345", "id": "T-1"})
    code = ticket.data["reportCase"]["case"]["code"]
    by_ref = 'query { caseByExternalRef(system: "12345", id: "T-1") { code } }'
    assert case_api.data(by_ref, None, w.a.admin_id) == {"code": code}
    assert case_api.data(by_ref, None, w.b.admin_id) is None
    assert case_api.data(by_ref, None, None) is None

    # Outside its street: refused like a person of street A would be.
    outside = report(case_api, key, w.b.building.id)
    assert [e["code"] for e in outside.data["reportCase"]["errors"]] == ["FORBIDDEN"]
    # B's case is out of sight for it, as for any outsider of B.
    b_case = case_api.report(as_=w.b.resident_id, location_id=w.b.building.id)
    read = as_client(case_api.client, key, CASE, {"id": b_case["id"]})
    assert read.errors == [] and read.data == {"case": None}


def test_a_missing_scope_refuses_the_root_field_before_anything_runs(
    case_api: CaseApi, case_world: CaseWorld
) -> None:
    w = case_world.world
    key = register(case_api, w.district_admin_id, w.a.street.id, scopes=["cases:read"])["key"]
    response = report(case_api, key, w.a.building.id)
    assert response.status == 200
    assert response.error_codes == ["FORBIDDEN"] and response.data == {}
    assert "reportCase" in response.errors[0]["message"]
    # Fields no scope opens (e.g. org administration) are refused to every client.
    rename = 'mutation { renameOrgUnit(input: {unitId: "x", name: "y"}) { errors { code } } }'
    assert as_client(case_api.client, key, rename).error_codes == ["FORBIDDEN"]
    assert as_client(case_api.client, key, "{ __typename }").data == {"__typename": "Query"}


def test_wrong_revoked_and_rotated_out_keys_are_401(
    case_api: CaseApi, case_world: CaseWorld, clock: FixedClock
) -> None:
    w = case_world.world
    admin = w.district_admin_id
    issued = register(case_api, admin, w.a.street.id)
    old_key, client_id = issued["key"], issued["client"]["id"]
    for wrong in ("nonsense", old_key + "x", f"dqk.{client_id}.AAAA", "dqk..x"):
        assert as_client(case_api.client, wrong, "{ __typename }").status == 401, wrong

    rotated = case_api.data(ROTATE, {"input": {"clientId": client_id}}, admin)
    new_key = rotated["key"]
    assert rotated["errors"] == [] and rotated["client"]["rotatedUntil"] is not None
    for key in (old_key, new_key):  # both work during the grace period
        assert as_client(case_api.client, key, "{ __typename }").status == 200
    clock.advance(timedelta(hours=24, seconds=1))
    assert as_client(case_api.client, old_key, "{ __typename }").status == 401
    assert as_client(case_api.client, new_key, "{ __typename }").status == 200

    stranger = case_api.data(REVOKE, {"input": {"clientId": client_id}}, w.a.admin_id)
    assert [(e["code"], e["field"]) for e in stranger["errors"]] == [("NOT_FOUND", "clientId")]
    revoked = case_api.data(REVOKE, {"input": {"clientId": client_id}}, admin)
    assert revoked["errors"] == [] and revoked["client"]["revokedAt"] is not None
    assert as_client(case_api.client, new_key, "{ __typename }").status == 401  # at once


def test_a_client_over_its_rate_gets_429_with_retry_after(
    case_api: CaseApi, case_world: CaseWorld, clock: FixedClock
) -> None:
    w = case_world.world
    key = register(case_api, w.district_admin_id, w.a.street.id, rate=3)["key"]
    statuses = [as_client(case_api.client, key, "{ __typename }").status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = as_client(case_api.client, key, "{ __typename }")
    assert limited.error_codes == ["RATE_LIMITED"]
    assert 0 < limited.errors[0]["extensions"]["retryAfter"] <= 60
    clock.advance(timedelta(minutes=1))  # a new window
    assert as_client(case_api.client, key, "{ __typename }").status == 200


def test_a_key_and_a_token_together_are_refused(case_api: CaseApi, case_world: CaseWorld) -> None:
    w = case_world.world
    key = register(case_api, w.district_admin_id, w.a.street.id)["key"]
    headers = {
        "content-type": "application/json",
        "x-api-key": key,
        "authorization": f"Bearer {case_api.token(w.a.admin_id)}",
    }
    response = case_api.client.post('{"query": "{ __typename }"}', headers)
    assert response.status == 400
