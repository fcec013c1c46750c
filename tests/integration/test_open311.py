"""Open311 GeoReport v2 (issue 13): a standard client creates a request and follows it to
closed; bad input gets the spec's errors with 400/403/404 and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.domain.clock import FixedClock
from api.services import api_clients
from api.services.actor import load_actor
from api.settings import Settings
from api.store.db import Db
from tests.case_world import CaseApi, CaseWorld

BASE = "/open311/v2"


@pytest.fixture
def http(settings: Settings, clock: FixedClock) -> TestClient:
    return TestClient(create_app(settings, clock))


def key_for(db: Db, clock: FixedClock, case_world: CaseWorld, scopes: list[str]) -> str:
    admin = load_actor(db, case_world.world.district_admin_id)
    issued = api_clients.register(
        db, admin, clock, name="城市综合治理平台", org_id=case_world.district.id, scopes=scopes
    )
    return issued.key


def test_a_standard_client_creates_a_request_and_follows_it_to_closed(
    http: TestClient, db: Db, clock: FixedClock, case_world: CaseWorld, case_api: CaseApi
) -> None:
    key = key_for(db, clock, case_world, ["cases:report", "cases:read"])
    w = case_world.world
    assert http.get(f"{BASE}/discovery.json").json()["endpoints"][0]["formats"] == [
        "application/json"
    ]
    services = http.get(f"{BASE}/services.json").json()
    assert {"service_code": "ENVIRONMENT", "service_name": "环境卫生"}.items() <= services[
        1
    ].items()
    definition = http.get(f"{BASE}/services/ENVIRONMENT.json").json()
    assert definition["attributes"][0]["code"] == "location_unit_id"
    assert definition["attributes"][0]["required"] is True

    form = {
        "api_key": key,
        "jurisdiction_id": case_world.district.id,
        "service_code": "ENVIRONMENT",
        "description": "小区门口垃圾堆积",
        "attribute[location_unit_id]": w.a.building.id,
        "lat": "36.0871",
        "long": "120.3542",
        "first_name": "明",
        "last_name": "李",
        "phone": "13800138001",
    }
    posted = http.post(f"{BASE}/requests.json", data=form)
    assert posted.status_code == 200, posted.text
    [created] = posted.json()
    code = created["service_request_id"]
    assert http.get(f"{BASE}/tokens/{code}.json", params={"api_key": key}).json() == [
        {"service_request_id": code, "token": code}
    ]
    [request] = http.get(f"{BASE}/requests/{code}.json", params={"api_key": key}).json()
    assert (request["status"], request["service_code"], request["lat"]) == (
        "open",
        "ENVIRONMENT",
        36.0871,
    )
    assert "13800138001" not in str(request) and "李" not in str(request)

    case = {"id": case_api.data(
        'query($c: String!) { caseByCode(code: $c) { id } }', {"c": code}, w.district_admin_id
    )["id"]}  # fmt: skip
    community, worker = case_world.community_dispatcher_id, case_world.grid_worker_id
    case_api.act("acceptCase", community, case, mode="FAST", category="ENVIRONMENT")
    case_api.act("assignCase", community, case, level="GRID")
    [request] = http.get(f"{BASE}/requests/{code}.json", params={"api_key": key}).json()
    assert request["status"] == "open" and request["expected_datetime"] is not None
    case_api.act("startCase", worker, case)
    case_api.act("resolveCase", worker, case, result="已清运")
    listed = http.get(
        f"{BASE}/requests.json", params={"api_key": key, "service_request_id": code}
    ).json()
    assert [(r["status"], r["status_notes"]) for r in listed] == [("closed", "已清运")]
    closed = http.get(
        f"{BASE}/requests.json",
        params={"api_key": key, "status": "closed", "service_code": "ENVIRONMENT"},
    ).json()
    assert [r["service_request_id"] for r in closed] == [code]
    assert http.get(f"{BASE}/requests.json", params={"api_key": key, "status": "open"}).json() == []

    # Paging: a page of one, then the next from the cursor in X-Next-After.
    second = http.post(f"{BASE}/requests.json", data={**form, "description": "路灯不亮"})
    assert second.status_code == 200, second.text
    first_page = http.get(f"{BASE}/requests.json", params={"api_key": key, "page_size": "1"})
    after = first_page.headers["X-Next-After"]
    rest = http.get(
        f"{BASE}/requests.json", params={"api_key": key, "page_size": "1", "after": after}
    )
    codes = [r["service_request_id"] for r in first_page.json() + rest.json()]
    assert sorted(codes) == sorted([code, second.json()[0]["service_request_id"]])


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    [error] = response.json()
    assert error["code"] == status
    description: str = error["description"]
    return description


def test_bad_requests_get_spec_shaped_errors_and_write_nothing(
    http: TestClient, db: Db, clock: FixedClock, case_world: CaseWorld
) -> None:
    key = key_for(db, clock, case_world, ["cases:report", "cases:read"])
    reader = key_for(db, clock, case_world, ["cases:read"])
    w = case_world.world
    good = {
        "api_key": key,
        "service_code": "ENVIRONMENT",
        "description": "小区门口垃圾堆积",
        "attribute[location_unit_id]": w.a.building.id,
    }
    post = f"{BASE}/requests.json"
    _error(http.post(post, data={**good, "api_key": "dqk.x.y"}), 403)
    _error(http.post(post, data={k: v for k, v in good.items() if k != "api_key"}), 403)
    assert "cases:report" in _error(http.post(post, data={**good, "api_key": reader}), 403)
    _error(http.post(post, data={**good, "service_code": "NOPE"}), 404)
    missing = {k: v for k, v in good.items() if not k.startswith("attribute")}
    assert "location_unit_id" in _error(http.post(post, data=missing), 400)
    _error(http.post(post, data={**good, "attribute[location_unit_id]": "nowhere"}), 400)
    _error(http.post(post, data={**good, "jurisdiction_id": "elsewhere"}), 404)
    _error(http.post(post, data={**good, "description": ""}), 400)
    _error(http.post(post, data={**good, "lat": "north"}), 400)
    _error(http.post(post, data={**good, "phone": "12345"}), 400)
    listing = {"api_key": key, "start_date": "yesterday"}
    _error(http.get(f"{BASE}/requests.json", params=listing), 400)
    _error(http.get(f"{BASE}/requests/SB2026-999999.json", params={"api_key": key}), 404)
    _error(http.get(f"{BASE}/services/NOPE.json"), 404)
    _error(http.get(f"{BASE}/tokens/none.json", params={"api_key": key}), 404)
    _error(http.get(f"{BASE}/nowhere.json"), 404)
    assert http.get(f"{BASE}/requests.json", params={"api_key": key}).json() == []
