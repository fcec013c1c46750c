"""Hostile inputs through GraphQL, over both transports and both backends: bounded settings,
bounded keys, one free-text rule, unguessable and rate-limited public tracking — and every
refused mutation leaves the whole table exactly as it was."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any, cast

import pytest
from mangum import Mangum

from api.app import create_app
from api.domain.clock import FixedClock
from api.settings import Settings
from api.store.db import Db
from tests.case_world import TRACK, CaseApi, CaseWorld, unit_gid
from tests.conftest import Tokens
from tests.graphql_client import AsgiClient, LambdaClient
from tests.topic_world import TopicApi, build_topic_world, gid

LEVELS = ("GRID", "COMMUNITY", "STREET", "DISTRICT", "TOP")
ERRORS = "errors { code field message }"


def table_snapshot(db: Db) -> list[dict[str, Any]]:
    """Every item of the table, raw, in key order (a strongly consistent scan)."""
    items: list[dict[str, Any]] = []
    start: dict[str, Any] | None = None
    while True:
        page = db.connection.scan(
            # PynamoDB types the start key as str; it takes the LastEvaluatedKey map as given.
            db.settings.table_name,
            exclusive_start_key=cast(Any, start),
            consistent_read=True,
        )
        items.extend(page.get("Items", []))
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def _policy(**overrides: Any) -> dict[str, Any]:
    defaults = [{"level": level, "responseHours": 2, "resolveHours": 16} for level in LEVELS]
    return {"defaults": defaults, **overrides}


def _limits(response: float, resolve: float) -> list[dict[str, Any]]:
    return [
        {"level": level, "responseHours": response, "resolveHours": resolve} for level in LEVELS
    ]


REFUSED_ADMIN_MUTATIONS: list[tuple[str, str, str, dict[str, Any], str]] = [
    (
        "calendar day in year 1",
        "publishCalendarOverrides",
        "PublishCalendarInput",
        {"set": [{"day": "0001-01-01", "workday": False}]},
        "set",
    ),
    (
        "calendar day in year 9999",
        "publishCalendarOverrides",
        "PublishCalendarInput",
        {"set": [{"day": "9999-12-31", "workday": True}]},
        "set",
    ),
    (
        "a good day with a bad one",
        "publishCalendarOverrides",
        "PublishCalendarInput",
        {"set": [{"day": "2026-12-31", "workday": False}, {"day": "0001-01-02", "workday": True}]},
        "set",
    ),
    (
        "removing a day in year 1",
        "publishCalendarOverrides",
        "PublishCalendarInput",
        {"remove": ["0001-01-01"]},
        "remove",
    ),
    (
        "a note with a NUL",
        "publishCalendarOverrides",
        "PublishCalendarInput",
        {"set": [{"day": "2026-12-31", "workday": False, "note": "放假\x00"}]},
        "set",
    ),
    (
        "100 000 hours",
        "updateTimePolicy",
        "UpdateTimePolicyInput",
        _policy(defaults=_limits(2, 100_000)),
        "resolveHours",
    ),
    (
        "1e308 hours",
        "updateTimePolicy",
        "UpdateTimePolicyInput",
        _policy(defaults=_limits(1e308, 1e308)),
        "responseHours",
    ),
    (
        "a claim limit of 100 000 hours",
        "updateTimePolicy",
        "UpdateTimePolicyInput",
        _policy(claimHours=100_000),
        "claimHours",
    ),
    (
        "a 3 000-character rule category",
        "updateTimePolicy",
        "UpdateTimePolicyInput",
        _policy(
            rules=[{"category": "X" * 3000, "level": "GRID", "responseHours": 1, "resolveHours": 2}]
        ),
        "rules",
    ),
]


@pytest.mark.parametrize(
    ("name", "input_type", "values", "field"),
    [case[1:] for case in REFUSED_ADMIN_MUTATIONS],
    ids=[case[0] for case in REFUSED_ADMIN_MUTATIONS],
)
def test_a_refused_admin_mutation_writes_nothing(
    case_api: CaseApi,
    case_world: CaseWorld,
    db: Db,
    name: str,
    input_type: str,
    values: dict[str, Any],
    field: str,
) -> None:
    # A case with a running clock, so a calendar change has something to recompute.
    case = case_api.report()
    case = case_api.act(
        "acceptCase", case_world.dispatcher_id, case, mode="ASSIGNED", category="HOUSING_SAFETY"
    )
    before = table_snapshot(db)
    document = f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {ERRORS} }} }}"
    data = {"districtId": unit_gid(case_world.district.id), **values}
    payload = case_api.data(document, {"input": data}, case_world.world.district_admin_id)
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", field)]
    assert table_snapshot(db) == before
    # The district still works: the case is dispatched under the unchanged policy.
    assigned = case_api.act("assignCase", case_world.dispatcher_id, case, level="GRID")
    assert assigned["state"] == "ASSIGNED"


def test_the_largest_allowed_limits_still_run_clocks(
    case_api: CaseApi, case_world: CaseWorld
) -> None:
    document = (
        "mutation($input: UpdateTimePolicyInput!) { updateTimePolicy(input: $input) { "
        + ERRORS
        + " } }"
    )
    data = {"districtId": unit_gid(case_world.district.id), **_policy(defaults=_limits(2000, 2000))}
    payload = case_api.data(document, {"input": data}, case_world.world.district_admin_id)
    assert payload["errors"] == []
    case = case_api.report()
    case = case_api.act(
        "acceptCase", case_world.dispatcher_id, case, mode="ASSIGNED", category="HOUSING_SAFETY"
    )
    assert case_api.act("assignCase", case_world.dispatcher_id, case, level="GRID")["level"] == (
        "GRID"
    )


# --- free text ------------------------------------------------------------------------------

BAD_TEXTS = {
    "NUL": "楼道\x00堆物",
    "BEL": "楼道\x07堆物",
    "lone surrogate": "楼道\ud800堆物",
    "escape sequence": "楼道\x1b[31m堆物",
    "right-to-left override": "楼道\u202e堆物",
    "carriage return alone": "楼道\r堆物",
}


@pytest.mark.parametrize("text", BAD_TEXTS.values(), ids=BAD_TEXTS.keys())
@pytest.mark.parametrize("field", ["description", "address"])
def test_report_text_with_control_characters_is_refused_and_uses_no_code(
    case_api: CaseApi, case_world: CaseWorld, db: Db, text: str, field: str
) -> None:
    before = table_snapshot(db)
    values = case_api.report_input(**{field: text})
    error = case_api.refused("reportCase", case_world.resident_id, **values)
    assert (error["code"], error["field"]) == ("INVALID_INPUT", field)
    assert table_snapshot(db) == before
    assert case_api.report()["code"] == "SB2026-000001"  # no tracking number was consumed


def test_free_text_is_normalised_and_keeps_newlines_and_tabs(case_api: CaseApi) -> None:
    case = case_api.report(description="  北墙裂缝\r\n\t已拍照，e\u0301  ", address="扬州路12号")
    assert case["description"] == "北墙裂缝\n\t已拍照，\u00e9"


@pytest.mark.parametrize("text", BAD_TEXTS.values(), ids=BAD_TEXTS.keys())
@pytest.mark.parametrize("field", ["title", "body"])
def test_topic_text_with_control_characters_is_refused(
    db: Db, clock: FixedClock, settings: Settings, token: Tokens, text: str, field: str
) -> None:
    tw = build_topic_world(db, clock)
    api = TopicApi(AsgiClient(create_app(settings, clock)), token, tw)
    data = {"unitId": gid("OrgUnit", tw.grid.id), "title": "车库挡风板", "body": "加装挡风板"}
    before = table_snapshot(db)
    result = api.mutate("proposeTopic", "ProposeTopicInput", {**data, field: text}, tw.residents[0])
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("INVALID_INPUT", field)]
    assert table_snapshot(db) == before


# --- keys ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["SB2026-" + "1" * 3000, "X" * 3000, "SB2026-000001#META"])
def test_case_by_code_refuses_codes_that_cannot_be_keys(
    case_api: CaseApi, case_world: CaseWorld, code: str
) -> None:
    query = "query($code: String!) { caseByCode(code: $code) { id } }"
    assert case_api.query_error(query, {"code": code}, case_world.dispatcher_id) == (
        "INVALID_INPUT",
        "code",
    )


def test_overlong_ids_and_cursors_are_refused(case_api: CaseApi, case_world: CaseWorld) -> None:
    assert case_api.query_error(
        "query($id: ID!) { case(id: $id) { id } }", {"id": "Q" * 3000}, case_world.dispatcher_id
    ) == ("INVALID_ID", "id")
    unit = unit_gid(case_world.district.id)
    query = "query($u: ID!, $a: String) { caseInbox(unitId: $u, after: $a) { edges { cursor } } }"
    code, _ = case_api.query_error(query, {"u": unit, "a": "C" * 3000}, case_world.dispatcher_id)
    assert code == "INVALID_CURSOR"


# --- public tracking ----------------------------------------------------------------------------


def test_public_tracking_needs_the_tracking_number_not_the_code(
    case_api: CaseApi, case_world: CaseWorld
) -> None:
    case = case_api.report()
    number = case["trackingNumber"]
    code, _, key = number.rpartition("-")
    assert code == case["code"] == "SB2026-000001" and len(key) == 10
    assert case_api.data(TRACK, {"code": number}, None)["state"] == "REPORTED"
    assert case_api.data(TRACK, {"code": number.lower()}, None)["state"] == "REPORTED"
    # walking the codes finds nothing; neither does a wrong key of the right shape
    for guess in (code, f"{code}-{'0' * 10}", f"{code}-{key[:-1]}", f"SB2026-000002-{key}"):
        assert case_api.data(TRACK, {"code": guess}, None) is None, guess
    # two cases, two unrelated keys
    other = case_api.report(description="另一处裂缝")
    assert other["trackingNumber"].rpartition("-")[2] != key
    # the reporter and the handling chain see the number; staff use the plain code
    full = case_api.full(case_world.dispatcher_id, case)
    assert full["trackingNumber"] == number


def test_anonymous_tracking_is_rate_limited_per_client_address(
    settings: Settings, clock: FixedClock, token: Tokens, case_world: CaseWorld
) -> None:
    limited = dataclasses.replace(settings, track_lookups_per_minute=3)
    lambda_client = LambdaClient(Mangum(create_app(limited, clock), lifespan="off"))
    lambda_api = CaseApi(lambda_client, token, case_world)
    case = lambda_api.report()
    number = case["trackingNumber"]
    for _ in range(3):
        assert lambda_api.data(TRACK, {"code": f"SB2026-000009-{'1' * 10}"}, None) is None
    assert lambda_api.query_error(TRACK, {"code": number}, None) == ("RATE_LIMITED", "code")
    # signed-in callers are not counted against the address
    assert lambda_api.data(TRACK, {"code": number}, case_world.resident_id)["state"] == "REPORTED"
    # another address (the ASGI test client's) has its own window
    asgi_api = CaseApi(AsgiClient(create_app(limited, clock)), token, case_world)
    assert asgi_api.data(TRACK, {"code": number}, None)["state"] == "REPORTED"
    # the next minute opens a new window
    clock.advance(timedelta(minutes=1))
    assert lambda_api.data(TRACK, {"code": number}, None)["state"] == "REPORTED"
