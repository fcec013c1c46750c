"""Exports (CSV, issue 14.7) through GraphQL, run by the export worker outside the request, and
downloaded through the presigned link from the real local S3-compatible server (s3rver)."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from mangum import Mangum

from api.app import create_app
from api.dev_exports import export_forever
from api.dev_issuer import DevIssuer
from api.domain.case_catalogue import DEFAULT_CATEGORIES
from api.domain.clock import FixedClock
from api.domain.exports import ABANDONED_MESSAGE, BOM, CASE_COLUMNS, FIGURES_HEADER, number
from api.domain.ids import from_global_id, to_global_id
from api.services import export_worker
from api.settings import Settings
from api.store.db import Db
from api.store.stream_reader import StreamReader
from tests.case_world import CaseApi, CaseWorld, unit_gid
from tests.conftest import Tokens
from tests.e2e.test_observability import lambda_module
from tests.graphql_client import AsgiClient, GraphQLClient, LambdaClient
from tests.integration.test_unit_figures import FIGURES, department_case, grid_case
from tests.uploads_world import download, s3_server, upload_settings

__all__ = ["s3_server", "upload_settings"]

DAY = "2026-11-23"
ERRORS = "errors { code field message }"
JOB = """id kind state scopeId start end rowCount createdAt startedAt finishedAt downloadUrl
expiresAt failure"""
REQUEST = f"""
mutation($input: RequestExportInput!) {{
  requestExport(input: $input) {{ job {{ {JOB} }} {ERRORS} }}
}}"""
GET = f"query($id: ID!) {{ exportJob(id: $id) {{ {JOB} }} }}"
NODE = "query($id: ID!) { node(id: $id) { id ... on ExportJob { state } } }"
MINE = """
query($first: Int!, $after: String) {
  myExports(first: $first, after: $after) {
    edges { cursor node { id state } } pageInfo { hasNextPage endCursor }
  }
}"""


def _client(kind: str, settings: Settings, clock: FixedClock) -> GraphQLClient:
    app = create_app(settings, clock)
    return AsgiClient(app) if kind == "asgi" else LambdaClient(Mangum(app, lifespan="off"))


@pytest.fixture(params=["asgi", "lambda"])
def api(
    request: pytest.FixtureRequest,
    upload_settings: Settings,
    clock: FixedClock,
    token: Tokens,
    case_world: CaseWorld,
) -> CaseApi:
    """GraphQL over both transports, with the bucket on s3rver."""
    return CaseApi(_client(request.param, upload_settings, clock), token, case_world)


@pytest.fixture
def worker_db(upload_settings: Settings) -> Db:
    """The worker's own handle on the same table and bucket (as the exports function has)."""
    return Db(upload_settings)


class Exports:
    def __init__(self, api: CaseApi, db: Db, clock: FixedClock) -> None:
        self.api, self.db, self.clock = api, db, clock

    def request(self, as_: str, **values: Any) -> dict[str, Any]:
        payload: dict[str, Any] = self.api.data(REQUEST, {"input": values}, as_)
        return payload

    def queued(self, as_: str, **values: Any) -> dict[str, Any]:
        payload = self.request(as_, **values)
        assert payload["errors"] == [], payload
        job: dict[str, Any] = payload["job"]
        assert job["state"] == "QUEUED" and job["downloadUrl"] is None
        return job

    def get(self, as_: str, job: dict[str, Any]) -> dict[str, Any] | None:
        """The job as its reader sees it; None when it is NOT_FOUND for them."""
        response = self.api.query(GET, {"id": job["id"]}, as_)
        if response.errors:
            assert [e["extensions"]["code"] for e in response.errors] == ["NOT_FOUND"], response
            return None
        found: dict[str, Any] = response.data["exportJob"]
        return found

    def run(self, as_: str, job: dict[str, Any], **options: Any) -> None:
        raw_id = from_global_id(job["id"], "ExportJob")[1]
        export_worker.run(self.db, self.clock, as_, raw_id, **options)

    def csv(self, as_: str, job: dict[str, Any]) -> tuple[bytes, list[list[str]]]:
        """Poll the job (SUCCEEDED), download the file through its link, parse it."""
        done = self.get(as_, job)
        assert done is not None and done["state"] == "SUCCEEDED", done
        status, body, content_type = download(done["downloadUrl"])
        assert status == 200 and (content_type or "").startswith("text/csv"), (status, body)
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
        assert done["rowCount"] == len(rows) - 1
        return body, rows


@pytest.fixture
def exports(api: CaseApi, worker_db: Db, clock: FixedClock) -> Exports:
    return Exports(api, worker_db, clock)


def cases_input(scope_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "CASES",
        "scopeId": unit_gid(scope_id),
        "reportedFrom": DAY,
        "reportedTo": DAY,
        **extra,
    }


def test_cases_export_from_request_to_download(
    api: CaseApi, exports: Exports, clock: FixedClock
) -> None:
    cw = api.cw
    dispatcher, grid_worker = cw.dispatcher_id, cw.grid_worker_id
    plain = api.report(address='扬州路12号, "北楼"')
    clock.advance(timedelta(minutes=5))
    formula = api.report(address='=HYPERLINK("http://evil","点我")')
    clock.advance(timedelta(minutes=5))
    anonymous = api.report(anonymous=True, address="匿名地址")
    clock.advance(timedelta(minutes=5))
    api.report(cw.world.b.resident_id, cw.world.b.building.id)  # street B: outside street A

    # The governance centre (district-wide) exports street A's cases of the day.
    job = exports.queued(dispatcher, **cases_input(cw.world.a.street.id))
    assert (job["kind"], job["start"], job["end"], job["rowCount"]) == ("CASES", DAY, DAY, None)
    assert exports.get(dispatcher, job)["state"] == "QUEUED"  # type: ignore[index]
    exports.run(dispatcher, job)
    body, rows = exports.csv(dispatcher, job)
    assert body.startswith(BOM.encode())
    assert rows[0] == list(CASE_COLUMNS)
    by_code = {row[0]: dict(zip(CASE_COLUMNS, row, strict=True)) for row in rows[1:]}
    assert list(by_code) == [anonymous["code"], formula["code"], plain["code"]]  # newest first
    first = by_code[plain["code"]]
    assert (first["上报人"], first["上报人电话"]) == ("甲居民", "139****1002")  # phone masked
    assert first["地址"] == '扬州路12号, "北楼"' and first["状态"] == "待受理"
    assert first["类别"] == DEFAULT_CATEGORIES["HOUSING_SAFETY"]  # the catalogue's name
    assert first["上报时间"].startswith("2026-11-23T09:30:00+08:00")
    # RFC 4180: the comma and quotes quoted, quotes doubled; the formula guarded.
    assert '"扬州路12号, ""北楼"""' in body.decode("utf-8-sig")
    assert by_code[formula["code"]]["地址"] == '\'=HYPERLINK("http://evil","点我")'
    # An anonymous reporter is shown to district-wide staff only (the GraphQL rule).
    assert by_code[anonymous["code"]]["上报人"] == "甲居民"

    # The grid worker (scope: street A's grid) sees the named reporters, not the anonymous one.
    job = exports.queued(grid_worker, **cases_input(cw.world.a.grid.id))
    exports.run(grid_worker, job)
    _, rows = exports.csv(grid_worker, job)
    seen = {row[0]: dict(zip(CASE_COLUMNS, row, strict=True)) for row in rows[1:]}
    assert set(seen) == {plain["code"], formula["code"], anonymous["code"]}
    assert seen[plain["code"]]["上报人电话"] == "139****1002"
    hidden = seen[anonymous["code"]]
    assert (hidden["上报人"], hidden["上报人电话"], hidden["地址"]) == ("", "", "")

    # Reading the job again signs a fresh link, still valid.
    again = exports.get(grid_worker, job)
    assert again is not None and again["downloadUrl"] and again["expiresAt"]
    assert download(again["downloadUrl"])[0] == 200


def test_filters_narrow_the_cases(api: CaseApi, exports: Exports) -> None:
    cw = api.cw
    kept = api.report()
    api.act("acceptCase", cw.community_dispatcher_id, kept, mode="ASSIGNED",
            category="HOUSING_SAFETY")  # fmt: skip
    api.report()
    job = exports.queued(cw.dispatcher_id, **cases_input(cw.district.id, state="ACCEPTED"))
    exports.run(cw.dispatcher_id, job)
    _, rows = exports.csv(cw.dispatcher_id, job)
    assert [row[0] for row in rows[1:]] == [kept["code"]]
    assert rows[1][2] == "已立案"


def test_figures_export_equals_unit_figures(
    api: CaseApi, exports: Exports, clock: FixedClock
) -> None:
    cw = api.cw
    grid_case(api, clock)
    grid_case(api, clock, satisfied=False)
    department_case(api)
    api.report()
    api.report(cw.world.b.resident_id, cw.world.b.building.id)
    job = exports.queued(
        cw.dispatcher_id, kind="FIGURES", scopeId=unit_gid(cw.district.id), period="MONTH",
        day=DAY,
    )  # fmt: skip
    assert (job["start"], job["end"]) == ("2026-11-01", "2026-11-30")
    exports.run(cw.dispatcher_id, job)
    body, rows = exports.csv(cw.dispatcher_id, job)
    assert body.startswith(BOM.encode()) and rows[0] == list(FIGURES_HEADER)
    units = {
        cw.district.name: cw.district.id,
        cw.world.a.street.name: cw.world.a.street.id,
        cw.world.b.street.name: cw.world.b.street.id,
        cw.housing.name: cw.housing.id,
        cw.gardens.name: cw.gardens.id,
    }
    assert rows[1][0] == cw.district.name  # the scope first, then its children by name
    assert sorted(row[0] for row in rows[1:]) == sorted(units)
    fields = [
        "received", "accepted", "resolved", "closed", "resolvedOnTime", "resolvedInGrid",
        "resolvedAtStreetOrBelow", "evaluated", "satisfied", "reopened", "resolutionRate",
        "onTimeRate", "inGridShare", "streetOrBelowShare", "satisfactionRate", "reworkRate",
        "averageWorkingHours", "averageNaturalHours", "topicsRaised", "topicsAdopted",
        "topicAdoptionRate", "topicCasesResolvedInGrid", "verified", "verificationFailed",
        "verificationFailureRate", "closedNotEvaluated", "notEvaluatedShare", "partnerClaims",
        "partnerDeliveries", "pointsGranted",
    ]  # fmt: skip
    query = FIGURES.replace("averageNaturalHours", "averageNaturalHours " + " ".join(fields))
    for row in rows[1:]:
        served = api.data(
            query,
            {"unit": unit_gid(units[row[0]]), "period": "MONTH", "day": DAY, "end": None},
            cw.dispatcher_id,
        )
        assert row[2:4] == ["2026-11-01", "2026-11-30"]
        assert row[4:] == [number(served[name]) for name in fields], row[0]
    district = dict(zip(FIGURES_HEADER, rows[1], strict=True))
    assert (district["受理"], district["办结"], district["办结率"]) == ("5", "3", "0.6")


def test_refused_requests_write_nothing(api: CaseApi, exports: Exports) -> None:
    cw = api.cw
    street_a = cw.world.a.street.id

    def refused(as_: str, **values: Any) -> tuple[str, str | None]:
        payload = exports.request(as_, **values)
        assert payload["job"] is None and len(payload["errors"]) == 1, payload
        error = payload["errors"][0]
        return error["code"], error["field"]

    # No READ_CASES on the scope: street B's grid worker, a resident.
    assert refused(cw.world.b.staff_id, **cases_input(street_a)) == ("FORBIDDEN", "scopeId")
    assert refused(cw.resident_id, **cases_input(street_a)) == ("FORBIDDEN", "scopeId")
    # Bad periods.
    assert refused(cw.dispatcher_id, kind="FIGURES", scopeId=unit_gid(street_a)) == (
        "INVALID_INPUT", "period",
    )  # fmt: skip
    assert refused(
        cw.dispatcher_id, **cases_input(street_a, reportedFrom="2025-01-01", reportedTo=DAY)
    ) == ("INVALID_INPUT", "reportedTo")
    assert refused(
        cw.dispatcher_id, **cases_input(street_a, reportedFrom=DAY, reportedTo="2026-11-01")
    ) == ("INVALID_INPUT", "reportedFrom")
    assert refused(
        cw.dispatcher_id, kind="FIGURES", scopeId=unit_gid(street_a), period="CUSTOM", day=DAY
    ) == ("INVALID_INPUT", "end")
    assert refused(cw.dispatcher_id, **cases_input(street_a, reportedTo="11/23")) == (
        "INVALID_INPUT", "reportedTo",
    )  # fmt: skip
    # A household is no scope for a case list.
    assert refused(cw.dispatcher_id, **cases_input(cw.world.a.building.id))[0] == "INVALID_INPUT"
    for person in (cw.dispatcher_id, cw.resident_id, cw.world.b.staff_id):
        assert api.data(MINE, {"first": 10}, person)["edges"] == []


def test_only_the_requester_reads_a_job(api: CaseApi, exports: Exports) -> None:
    cw = api.cw
    job = exports.queued(cw.dispatcher_id, **cases_input(cw.district.id))
    exports.run(cw.dispatcher_id, job)
    # Another person with the same rights, a resident, the street admin: not found.
    for other in (cw.leader_id, cw.resident_id, cw.street_admin_id):
        assert exports.get(other, job) is None
        assert api.data(NODE, {"id": job["id"]}, other) is None
        assert api.data(MINE, {"first": 10}, other)["edges"] == []
    assert api.data(NODE, {"id": job["id"]}, cw.dispatcher_id) == {
        "id": job["id"], "state": "SUCCEEDED",
    }  # fmt: skip
    # Signed out: refused.
    response = api.query(GET, {"id": job["id"]}, None)
    assert response.errors and response.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_retried_request_with_its_key_returns_the_same_job(
    api: CaseApi, exports: Exports
) -> None:
    cw = api.cw
    values = cases_input(cw.district.id, idempotencyKey="export-2026-11-23")
    first = exports.queued(cw.dispatcher_id, **values)
    again = exports.request(cw.dispatcher_id, **values)
    assert again["errors"] == [] and again["job"]["id"] == first["id"]
    # The same key with another input is a client bug, refused; nothing written.
    other = exports.request(cw.dispatcher_id, **{**values, "state": "CLOSED"})
    assert other["job"] is None
    assert [(e["code"], e["field"]) for e in other["errors"]] == [
        ("IDEMPOTENCY_MISMATCH", "idempotencyKey")
    ]
    # Keys are per person: the leader's same key is their own job.
    theirs = exports.queued(cw.leader_id, **values)
    assert theirs["id"] != first["id"]
    edges = api.data(MINE, {"first": 10}, cw.dispatcher_id)["edges"]
    assert [edge["node"]["id"] for edge in edges] == [first["id"]]
    # Once run, a retry shows the job as it stands.
    exports.run(cw.dispatcher_id, first)
    assert exports.request(cw.dispatcher_id, **values)["job"]["state"] == "SUCCEEDED"


def test_an_abandoned_job_is_recorded_failed_when_read(
    api: CaseApi, exports: Exports, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    cw = api.cw
    api.report()
    job = exports.queued(cw.dispatcher_id, **cases_input(cw.district.id))

    def crash(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("the function timed out")

    monkeypatch.setattr(exports.db.objects, "upload_part", crash)
    with pytest.raises(RuntimeError):
        exports.run(cw.dispatcher_id, job)
    running = exports.get(cw.dispatcher_id, job)
    assert running is not None and running["state"] == "RUNNING" and running["startedAt"]
    clock.advance(timedelta(minutes=19))
    assert exports.get(cw.dispatcher_id, job)["state"] == "RUNNING"  # type: ignore[index]
    clock.advance(timedelta(minutes=2))
    failed = exports.get(cw.dispatcher_id, job)
    assert failed is not None
    assert (failed["state"], failed["failure"], failed["downloadUrl"]) == (
        "FAILED", str(ABANDONED_MESSAGE), None,
    )  # fmt: skip
    # Recorded, not only shown: a late worker leaves it failed.
    monkeypatch.undo()
    exports.run(cw.dispatcher_id, job)
    assert exports.get(cw.dispatcher_id, job)["state"] == "FAILED"  # type: ignore[index]
    edges = api.data(MINE, {"first": 10}, cw.dispatcher_id)["edges"]
    assert [edge["node"]["state"] for edge in edges] == ["FAILED"]


def test_my_exports_pages_newest_first(api: CaseApi, exports: Exports, clock: FixedClock) -> None:
    cw = api.cw
    ids = []
    for _ in range(3):
        ids.append(exports.queued(cw.dispatcher_id, **cases_input(cw.district.id))["id"])
        clock.advance(timedelta(seconds=1))
    page = api.data(MINE, {"first": 2}, cw.dispatcher_id)
    assert [edge["node"]["id"] for edge in page["edges"]] == ids[:0:-1]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = api.data(MINE, {"first": 2, "after": page["pageInfo"]["endCursor"]}, cw.dispatcher_id)
    assert [edge["node"]["id"] for edge in rest["edges"]] == [ids[0]]
    assert rest["pageInfo"]["hasNextPage"] is False


def _failing_once(original: Callable[..., Any], on_call: int) -> Callable[..., Any]:
    calls = {"n": 0}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == on_call:
            raise RuntimeError("crash")
        return original(*args, **kwargs)

    return wrapper


@pytest.mark.parametrize("crash_in", ["upload", "checkpoint"])
def test_a_retried_run_writes_every_row_exactly_once(
    api: CaseApi,
    exports: Exports,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    crash_in: str,
) -> None:
    """Parts of 2 cases (one page each): a crash while uploading the third part, or after
    uploading the second part but before recording it; the retry continues from the last
    recorded part and the file holds every case once, in order."""
    cw = api.cw
    reported = []
    for n in range(7):
        reported.append(api.report(description=f"第{n}号楼道灯坏了")["code"])
        clock.advance(timedelta(minutes=1))
    monkeypatch.setattr(export_worker, "PAGE_SIZE", 2)
    job = exports.queued(cw.dispatcher_id, **cases_input(cw.district.id))
    store = exports.db.exports
    if crash_in == "upload":
        monkeypatch.setattr(
            exports.db.objects, "upload_part", _failing_once(exports.db.objects.upload_part, 3)
        )
    else:  # the save that would record part 2 (the first save takes the job)
        monkeypatch.setattr(store, "save", _failing_once(store.save, 3))
    with pytest.raises(RuntimeError):
        exports.run(cw.dispatcher_id, job, part_bytes=1)
    assert exports.get(cw.dispatcher_id, job)["state"] == "RUNNING"  # type: ignore[index]
    recorded = store.get(cw.dispatcher_id, from_global_id(job["id"])[1])
    assert recorded is not None
    assert len(recorded.checkpoint.parts) == (2 if crash_in == "upload" else 1)

    exports.run(cw.dispatcher_id, job, part_bytes=1)
    _, rows = exports.csv(cw.dispatcher_id, job)
    assert [row[0] for row in rows[1:]] == reported[::-1]
    finished = store.get(cw.dispatcher_id, from_global_id(job["id"])[1])
    assert finished is not None and len(finished.checkpoint.parts) == 4


def test_a_job_lost_its_right_fails_with_a_message(
    api: CaseApi, exports: Exports, worker_db: Db, clock: FixedClock
) -> None:
    from api.services import people
    from api.services.actor import load_actor

    cw = api.cw
    job = exports.queued(cw.community_dispatcher_id, **cases_input(cw.world.a.community.id))
    admin = load_actor(worker_db, cw.world.district_admin_id)
    grant = next(iter(load_actor(worker_db, cw.community_dispatcher_id).grant_records))
    people.revoke_role(worker_db, admin, grant.person_id, grant.org_id, grant.role)
    exports.run(cw.community_dispatcher_id, job)
    failed = exports.get(cw.community_dispatcher_id, job)
    assert failed is not None and failed["state"] == "FAILED"
    assert failed["failure"] == str(export_worker.LOST_RIGHT)


@pytest.mark.stream
def test_the_exports_function_runs_queued_jobs_from_the_stream(
    api: CaseApi,
    exports: Exports,
    upload_settings: Settings,
    issuer: DevIssuer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What AWS does: the table's stream, filtered to new queued jobs (as the exports
    function's event source mapping is), handed to ``functions/exports.handler``."""
    cw = api.cw
    stream = StreamReader(upload_settings, start="TRIM_HORIZON", accept=export_worker.is_queued)
    api.report()
    job = exports.queued(cw.dispatcher_id, **cases_input(cw.district.id))
    records = []
    for _ in range(5):
        records += stream.poll(limit=1000)
    assert [export_worker.queued_job(r) for r in records] == [
        (cw.dispatcher_id, from_global_id(job["id"])[1])
    ]
    monkeypatch.setenv("DANGQUN_UPLOADS_BUCKET", upload_settings.uploads_bucket)
    monkeypatch.setenv("DANGQUN_S3_ENDPOINT", upload_settings.s3_endpoint or "")
    monkeypatch.setenv("DANGQUN_S3_ACCESS_KEY", upload_settings.s3_access_key or "")
    monkeypatch.setenv("DANGQUN_S3_SECRET_KEY", upload_settings.s3_secret_key or "")
    with lambda_module("functions.exports", monkeypatch, upload_settings, issuer) as module:
        monkeypatch.setattr(module, "clock", exports.clock)  # the test's time, not the wall's
        assert module.handler({"Records": records}, None) == {"batchItemFailures": []}
    _, rows = exports.csv(cw.dispatcher_id, job)
    assert len(rows) == 2
    # The job's own changes (RUNNING, checkpoints, SUCCEEDED) do not announce it again.
    assert [r for r in stream.poll(limit=1000) if export_worker.queued_job(r)] == []


@pytest.mark.stream
def test_make_dev_runs_exports_from_the_stream(
    api: CaseApi, exports: Exports, upload_settings: Settings, serialised_moto: None
) -> None:
    """The loop ``make dev`` runs beside the server: the stream from now on, the worker on
    every new job, the file in the local S3-compatible server."""
    cw = api.cw
    stop, ready = threading.Event(), threading.Event()
    loop = threading.Thread(
        target=export_forever, args=(upload_settings, stop, print, ready, exports.clock)
    )
    loop.start()
    try:
        assert ready.wait(20)
        job = exports.queued(cw.dispatcher_id, **cases_input(cw.district.id))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            state = (exports.get(cw.dispatcher_id, job) or {}).get("state")
            if state in ("SUCCEEDED", "FAILED"):
                break
            time.sleep(0.2)
    finally:
        stop.set()
        loop.join(timeout=10)
    _, rows = exports.csv(cw.dispatcher_id, job)
    assert rows[0] == list(CASE_COLUMNS) and len(rows) == 1


def test_global_id_of_a_job_names_its_type(api: CaseApi, exports: Exports) -> None:
    job = exports.queued(api.cw.dispatcher_id, **cases_input(api.cw.district.id))
    assert from_global_id(job["id"])[0] == "ExportJob"
    assert job["scopeId"] == to_global_id("OrgUnit", api.cw.district.id)


def test_request_budget_of_polling_and_listing(api: CaseApi, exports: Exports) -> None:
    """Every request loads the caller (one Query); a poll is then one GetItem, a page of jobs
    one Query, whatever the number of jobs; the links are signed locally (no request)."""
    from tests.requests import count_requests

    cw = api.cw
    budgets = []
    for jobs in (1, 4):
        while len(api.data(MINE, {"first": 100}, cw.dispatcher_id)["edges"]) < jobs:
            job = exports.queued(cw.dispatcher_id, **cases_input(cw.district.id))
            exports.run(cw.dispatcher_id, job)
        with count_requests() as poll:
            assert exports.get(cw.dispatcher_id, job)["downloadUrl"]  # type: ignore[index]
        with count_requests() as listing:
            api.data(MINE, {"first": 100}, cw.dispatcher_id)
        budgets.append((dict(poll), dict(listing)))
    assert budgets[0] == budgets[1] == ({"Query": 1, "GetItem": 1}, {"Query": 2})
