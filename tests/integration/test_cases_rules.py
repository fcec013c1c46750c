"""The rules of cases through GraphQL (ASGI): what a report must carry, idempotency, tracking
codes, public tracking, who sees what (reporter masking, anonymity), invalid transitions, the
side paths (pause, extension, park, send back, TOP level), inboxes, scope lists, and street B's
isolation from street A's cases."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from api.domain.clock import SHANGHAI, FixedClock
from api.domain.org import OrgKind
from api.domain.roles import Role
from api.services import org_units
from api.services.actor import Actor, Grant
from api.store.db import Db
from tests.case_world import (
    CASE_BY_CODE,
    CASES,
    INBOX,
    MUTATIONS,
    OWNED,
    STATS,
    TRACK,
    CaseApi,
    case_gid,
    person_gid,
    timeline_steps,
    unit_gid,
    zero_counters,
)

DAY = "2026-11-23"


@pytest.fixture
def api(asgi_case_api: CaseApi) -> CaseApi:
    return asgi_case_api


def at_grid(api: CaseApi, case: dict[str, Any], start: bool = True) -> dict[str, Any]:
    """Accept a reported case and dispatch it to its grid (and sign for it)."""
    community = api.cw.community_dispatcher_id
    api.act("acceptCase", community, case, mode="ASSIGNED", category="HOUSING_SAFETY")
    case = api.act("assignCase", community, case, level="GRID")
    return api.act("startCase", api.cw.grid_worker_id, case) if start else case


def actions(case: dict[str, Any]) -> list[str]:
    return [step[0] for step in timeline_steps(case)]


# --- reporting -------------------------------------------------------------------------------


def test_bad_reports_are_refused_with_the_field_and_write_nothing(
    api: CaseApi, db: Db, clock: FixedClock
) -> None:
    cw = api.cw
    a = cw.world.a
    root = Actor("bootstrap", grants=(Grant(cw.district.id, cw.district.path, Role.ADMIN),))
    archived = org_units.create_unit(db, root, clock, a.grid.id, OrgKind.BUILDING, "拆迁楼")
    org_units.archive_unit(db, root, clock, archived.id)
    resident, grid_worker = cw.resident_id, cw.grid_worker_id
    photo = {"key": "uploads/a.jpg", "contentType": "image/jpeg"}
    cases: list[tuple[str | None, dict[str, Any], str, str]] = [
        (resident, {"category": "UFO"}, "INVALID_INPUT", "category"),
        (resident, {"category": ""}, "INVALID_INPUT", "category"),
        (resident, {"description": "   "}, "INVALID_INPUT", "description"),
        (resident, {"description": "裂" * 2001}, "INVALID_INPUT", "description"),
        (resident, {"address": "路" * 201}, "INVALID_INPUT", "address"),
        (
            resident,
            {"locationUnitId": unit_gid(a.street.id)},
            "INVALID_HIERARCHY",
            "locationUnitId",
        ),
        (
            resident,
            {"locationUnitId": unit_gid(a.community.id)},
            "INVALID_HIERARCHY",
            "locationUnitId",
        ),
        (
            resident,
            {"locationUnitId": unit_gid(cw.district.id)},
            "INVALID_HIERARCHY",
            "locationUnitId",
        ),
        (
            resident,
            {"locationUnitId": unit_gid(cw.housing.id)},
            "INVALID_HIERARCHY",
            "locationUnitId",
        ),
        (resident, {"locationUnitId": unit_gid(archived.id)}, "ARCHIVED", "locationUnitId"),
        (resident, {"locationUnitId": unit_gid("NOSUCHUNIT")}, "NOT_FOUND", "locationUnitId"),
        (resident, {"locationUnitId": "not-a-global-id"}, "INVALID_ID", "locationUnitId"),
        (resident, {"locationUnitId": case_gid(a.building.id)}, "INVALID_ID", "locationUnitId"),
        (resident, {"latitude": 91.0, "longitude": 120.0}, "INVALID_INPUT", "latitude"),
        (resident, {"latitude": 36.0, "longitude": 180.5}, "INVALID_INPUT", "longitude"),
        (resident, {"latitude": 36.0}, "INVALID_INPUT", "latitude"),
        (resident, {"attachments": [photo] * 11}, "INVALID_INPUT", "attachments"),
        (
            resident,
            {"attachments": [{"key": "a.pdf", "contentType": "application/pdf"}]},
            "INVALID_INPUT",
            "attachments",
        ),
        (
            resident,
            {"attachments": [{"key": " ", "contentType": "image/png"}]},
            "INVALID_INPUT",
            "attachments",
        ),
        (resident, {"channel": "TOPIC"}, "INVALID_INPUT", "channel"),
        (resident, {"channel": "GRID_PATROL"}, "FORBIDDEN", "channel"),
        (grid_worker, {"channel": "HOTLINE"}, "FORBIDDEN", "channel"),
        (cw.world.b.staff_id, {"channel": "GRID_PATROL"}, "FORBIDDEN", "channel"),
        (resident, {"idempotencyKey": "a#b"}, "INVALID_INPUT", "idempotencyKey"),
        (resident, {"idempotencyKey": "k" * 65}, "INVALID_INPUT", "idempotencyKey"),
        (resident, {"idempotencyKey": ""}, "INVALID_INPUT", "idempotencyKey"),
    ]
    for who, overrides, code, field in cases:
        error = api.refused("reportCase", who, **api.report_input(**overrides))
        assert (error["code"], error["field"]) == (code, field), overrides
    error = api.refused("reportCase", None, **api.report_input())
    assert error["code"] == "UNAUTHENTICATED"
    bad_enum = api.query(
        "mutation($input: ReportCaseInput!) { reportCase(input: $input) { errors { code } } }",
        {"input": api.report_input(channel="PIGEON")},
        resident,
    )
    assert bad_enum.errors and not bad_enum.data

    # Nothing written: no case, no inbox entry, no counter, no tracking code used up.
    for who in (resident, grid_worker, cw.world.b.staff_id):
        assert api.my_cases(who) == []
    assert api.inbox(grid_worker, a.grid.id) == []
    assert api.stats(cw.dispatcher_id, cw.district.id, DAY) == zero_counters()
    assert api.data(TRACK, {"code": "SB2026-000001"}, None) is None
    case = api.report(
        address=" 扬州路12号 ",
        latitude=36.08,
        longitude=120.35,
        attachments=[photo] * 10,
        idempotencyKey="first-try",
    )
    assert case["code"] == "SB2026-000001"
    assert case["address"] == "扬州路12号" and len(case["attachments"]) == 10


def test_reports_through_each_channel_at_each_kind_of_place(api: CaseApi) -> None:
    cw = api.cw
    a = cw.world.a
    grid_report = api.report(cw.grid_worker_id, a.grid.id, channel="GRID_PATROL")
    hotline = api.report(cw.community_dispatcher_id, a.party_household.id, channel="HOTLINE")
    household = api.report(cw.resident_id, a.unit_household.id)
    elsewhere = api.report(cw.resident_id, cw.world.b.building.id)  # a resident reports anywhere
    for case, channel, location in (
        (grid_report, "GRID_PATROL", a.grid.id),
        (hotline, "HOTLINE", a.party_household.id),
        (household, "RESIDENT", a.unit_household.id),
    ):
        full = api.full(cw.dispatcher_id, case)
        assert full["channel"] == channel
        assert full["location"]["id"] == unit_gid(location)
        assert full["grid"]["id"] == unit_gid(a.grid.id)
    assert api.full(cw.resident_id, elsewhere)["grid"]["id"] == unit_gid(cw.world.b.grid.id)
    # New reports wait in the community's intake (issue 16.1).
    assert [e["code"] for e in api.inbox(cw.community_dispatcher_id, a.community.id)] == [
        "SB2026-000001",
        "SB2026-000002",
        "SB2026-000003",
    ]
    assert [e["code"] for e in api.inbox(cw.world.b.admin_id, cw.world.b.community.id)] == [
        "SB2026-000004"
    ]


def test_retried_report_returns_the_same_case(api: CaseApi) -> None:
    cw = api.cw
    first = api.report(idempotencyKey="report-7f3a")
    retry = api.report(idempotencyKey="report-7f3a")
    assert retry["id"] == first["id"] and retry["code"] == "SB2026-000001"
    # The same key with another input is a client bug: refused, not silently replayed.
    changed = api.refused(
        "reportCase",
        cw.resident_id,
        **api.report_input(description="换了说法的同一次上报", idempotencyKey="report-7f3a"),
    )
    assert changed["code"] == "IDEMPOTENCY_MISMATCH"
    # Keys are the caller's own: another person's same key is another case.
    other = api.report(cw.grid_worker_id, channel="GRID_PATROL", idempotencyKey="report-7f3a")
    assert other["id"] != first["id"] and other["code"] == "SB2026-000002"
    assert [c["id"] for c in api.my_cases(cw.resident_id)] == [first["id"]]
    assert len(actions(api.full(cw.resident_id, first))) == 1
    assert api.report()["code"] == "SB2026-000003"  # retries used up no code
    assert api.stats(cw.dispatcher_id, cw.world.a.grid.id, DAY)["reported"] == 3


def test_tracking_codes_run_per_district_and_year_and_find_the_case(
    api: CaseApi, clock: FixedClock
) -> None:
    cw = api.cw
    codes = [api.report()["code"] for _ in range(3)]
    assert codes == ["SB2026-000001", "SB2026-000002", "SB2026-000003"]
    elsewhere = api.report(cw.world.b.resident_id, cw.world.b.grid.id)
    assert elsewhere["code"] == "SB2026-000004"  # one sequence for the whole district
    clock.advance(timedelta(days=40))  # 2027-01-02
    new_year = api.report()
    assert new_year["code"] == "SB2027-000001"
    assert new_year["reportedAt"].startswith("2027-01-02")

    found = api.data(CASE_BY_CODE, {"code": " sb2026-000002 "}, cw.resident_id)
    assert found["code"] == "SB2026-000002" and found["reporter"]["name"] == "甲居民"
    assert api.data(CASE_BY_CODE, {"code": "SB2026-000002"}, cw.grid_worker_id) is not None
    for outsider in (cw.world.b.admin_id, cw.world.b.resident_id, cw.housing_staff_id, None):
        assert api.data(CASE_BY_CODE, {"code": "SB2026-000002"}, outsider) is None
    assert api.data(CASE_BY_CODE, {"code": "SB2026-999999"}, cw.dispatcher_id) is None


def test_public_tracking_shows_status_and_timeline_without_personal_data(api: CaseApi) -> None:
    cw = api.cw
    case = api.report(
        description="秘密描述：我家楼上漏水",
        address="扬州路12号1单元301",
        latitude=36.08,
        longitude=120.35,
    )
    case = at_grid(api, case)
    api.act("pauseCase", cw.grid_worker_id, case, reason="等待居民张某某在家开门")
    api.act("resumeCase", cw.grid_worker_id, case, note="已联系上居民")
    api.act("resolveCase", cw.grid_worker_id, case, result="已由王师傅修复管道")
    tracked = api.data(
        TRACK.replace("timeline {", "timeline { __typename"),
        {"code": case["trackingNumber"]},
        None,
    )
    assert tracked["state"] == "RESOLVED" and tracked["level"] == "GRID"
    assert tracked["category"] == {"code": "HOUSING_SAFETY", "name": "房屋安全"}
    assert [
        (e["action"], e["fromState"], e["toState"], e["level"]) for e in tracked["timeline"]
    ] == [
        ("REPORT", None, "REPORTED", None),
        ("ACCEPT", "REPORTED", "ACCEPTED", None),
        ("ASSIGN", "ACCEPTED", "ASSIGNED", "GRID"),
        ("START", "ASSIGNED", "IN_PROGRESS", "GRID"),
        ("PAUSE", "IN_PROGRESS", "PAUSED", "GRID"),
        ("RESUME", "PAUSED", "IN_PROGRESS", "GRID"),
        ("RESOLVE", "IN_PROGRESS", "RESOLVED", "GRID"),
    ]
    assert {e["__typename"] for e in tracked["timeline"]} == {"PublicCaseEvent"}
    text = json.dumps(tracked, ensure_ascii=False)
    private = [
        "甲居民",
        "13900001002",
        "139****1002",
        "扬州路12号1单元301",
        "秘密描述",
        "张某某",
        "已联系上居民",
        "王师傅",
        "甲网格员",
        "社区调度员",
        "36.08",
        cw.resident_id,
        cw.grid_worker_id,
        person_gid(cw.resident_id),
    ]
    for value in private:
        assert value not in text, value
    # Any signed-in caller gets the same public view; unknown and absurd codes are answered.
    number = case["trackingNumber"]
    assert api.data(TRACK, {"code": number}, cw.world.b.resident_id)["state"] == "RESOLVED"
    assert api.data(TRACK, {"code": "SB2026-424242"}, None) is None
    assert api.query_error(TRACK, {"code": "X" * 60}, None) == ("INVALID_INPUT", "code")
    # The code alone, or the code with any other key, tracks nothing.
    assert api.data(TRACK, {"code": case["code"]}, None) is None
    assert api.data(TRACK, {"code": case["code"] + "-0000000000"}, None) is None


# --- who sees what ---------------------------------------------------------------------------


def test_reporter_and_handling_chain_see_the_case_and_nobody_else(api: CaseApi) -> None:
    cw = api.cw
    w = cw.world
    case = api.report(address="扬州路12号1单元")
    mine = api.full(cw.resident_id, case)
    assert mine["reporter"]["name"] == "甲居民"
    assert mine["reporter"]["phone"] == "13900001002"  # their own data, in full
    assert mine["address"] == "扬州路12号1单元"
    assert mine["reporterMaskedName"] == "甲**"
    chain = (
        cw.grid_worker_id,
        cw.community_dispatcher_id,
        w.a.admin_id,
        cw.dispatcher_id,
        cw.leader_id,
        w.district_admin_id,
    )
    for who in chain:
        seen = api.full(who, case)
        assert seen["reporter"]["name"] == "甲居民", who
        assert seen["address"] == "扬州路12号1单元", who
    outsiders: tuple[str | None, ...] = (
        w.b.admin_id,
        w.b.staff_id,
        w.b.resident_id,
        cw.housing_staff_id,
        cw.gardens_staff_id,
        None,
    )
    for outsider in outsiders:
        assert api.case(outsider, case["id"]) is None, outsider

    # A department sees the case once it has a task on it, and only then.
    case = api.act("acceptCase", cw.dispatcher_id, case, mode="ASSIGNED", category="ROADS")
    api.act(
        "assignCase",
        cw.dispatcher_id,
        case,
        level="DISTRICT",
        leadDepartmentId=unit_gid(cw.housing.id),
    )
    seen = api.full(cw.housing_staff_id, case)
    assert seen["reporter"]["name"] == "甲居民" and seen["address"] == "扬州路12号1单元"
    assert api.case(cw.gardens_staff_id, case["id"]) is None


def test_anonymous_reporter_is_shown_only_to_themselves_and_district_staff(
    api: CaseApi,
) -> None:
    cw = api.cw
    w = cw.world
    case = api.report(anonymous=True, address="扬州路12号1单元")
    assert case["anonymous"] is True and case["reporterMaskedName"] is None
    mine = api.full(cw.resident_id, case)
    assert mine["reporter"]["name"] == "甲居民" and mine["address"] == "扬州路12号1单元"
    case = api.act("acceptCase", cw.dispatcher_id, case, mode="ASSIGNED", category="ROADS")
    api.act(
        "assignCase",
        cw.dispatcher_id,
        case,
        level="DISTRICT",
        leadDepartmentId=unit_gid(cw.housing.id),
    )
    below_district = (
        cw.grid_worker_id,
        cw.community_dispatcher_id,
        w.a.admin_id,
        cw.housing_staff_id,
    )
    for who in below_district:
        seen = api.full(who, case)
        assert seen["reporter"] is None, who
        assert seen["address"] is None, who
        assert seen["reporterMaskedName"] is None, who
        assert seen["timeline"][0]["actor"] is None, who
        assert "甲居民" not in json.dumps(seen, ensure_ascii=False), who
    for who in (cw.dispatcher_id, w.district_admin_id, cw.leader_id):
        seen = api.full(who, case)
        assert seen["reporter"]["name"] == "甲居民", who
        assert seen["address"] == "扬州路12号1单元", who
    # Lists follow the same rule.
    listed = api.data(CASES, {"scope": unit_gid(w.a.street.id)}, w.a.admin_id)
    assert [edge["node"]["reporter"] for edge in listed["edges"]] == [None]
    listed = api.data(CASES, {"scope": unit_gid(cw.district.id)}, cw.dispatcher_id)
    assert [edge["node"]["reporter"] for edge in listed["edges"]] == [{"name": "甲居民"}]


# --- transitions -----------------------------------------------------------------------------


def test_invalid_transitions_name_the_state_and_the_allowed_actions(api: CaseApi) -> None:
    cw = api.cw
    community, grid_worker = cw.community_dispatcher_id, cw.grid_worker_id
    case = api.report()

    def invalid(name: str, who: str, **values: Any) -> str:
        error = api.refused(name, who, caseId=case["id"], **values)
        assert (error["code"], error["field"]) == ("INVALID_TRANSITION", "action"), error
        message: str = error["message"]
        return message

    message = invalid("closeCase", community)
    assert "CLOSE" in message and "REPORTED" in message and "可执行：ACCEPT, REJECT" in message
    message = invalid("evaluateCase", cw.resident_id, satisfaction="SATISFIED")
    assert "EVALUATE" in message and "REPORTED" in message
    api.act("acceptCase", community, case, mode="ASSIGNED", category="HOUSING_SAFETY")
    message = invalid("acceptCase", community, mode="FAST", category="ROADS")
    assert "ACCEPTED" in message and "可执行：ASSIGN, REJECT" in message
    api.act("assignCase", community, case, level="GRID")
    message = invalid("resolveCase", grid_worker, result="已处理")
    assert "ASSIGNED" in message and "可执行：ESCALATE, SEND_BACK, START" in message
    message = invalid("resumeCase", grid_worker)
    assert "RESUME" in message
    api.act("startCase", grid_worker, case)
    api.act("resolveCase", grid_worker, case, result="已处理")
    message = invalid("reopenCase", community, reason="不满意")
    assert "RESOLVED" in message and "可执行：CLOSE, EVALUATE" in message
    api.act("evaluateCase", cw.resident_id, case, satisfaction="SATISFIED")
    invalid("reopenCase", community, reason="满意了也想返工")
    api.act("closeCase", community, case)
    archived = api.act("archiveCase", community, case)
    message = invalid("archiveCase", community)
    assert "ARCHIVED" in message and "可执行：none" in message
    assert archived["allowedActions"] == []
    # Refusals wrote nothing.
    assert actions(api.full(community, case)) == [
        "REPORT",
        "ACCEPT",
        "ASSIGN",
        "START",
        "RESOLVE",
        "EVALUATE",
        "CLOSE",
        "ARCHIVE",
    ]


def test_transition_refusals_by_id_sign_in_and_role(api: CaseApi) -> None:
    cw = api.cw
    case = api.report()
    for case_id, code in (
        ("garbage", "INVALID_ID"),
        (unit_gid(cw.world.a.grid.id), "INVALID_ID"),
        (case_gid("NOSUCHCASE"), "NOT_FOUND"),
    ):
        error = api.refused(
            "acceptCase", cw.dispatcher_id, caseId=case_id, mode="FAST", category="ROADS"
        )
        assert (error["code"], error["field"]) == (code, "caseId")
    error = api.refused("acceptCase", None, caseId=case["id"], mode="FAST", category="ROADS")
    assert error["code"] == "UNAUTHENTICATED"
    error = api.refused(
        "acceptCase", cw.dispatcher_id, caseId=case["id"], mode="FAST", category="UFO"
    )
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "category")
    # In scope but not theirs to decide.
    for who, code in (
        (cw.grid_worker_id, "FORBIDDEN"),
        (cw.resident_id, "FORBIDDEN"),
        (cw.housing_staff_id, "NOT_FOUND"),
        (cw.world.b.resident_id, "NOT_FOUND"),
    ):
        error = api.refused("acceptCase", who, caseId=case["id"], mode="FAST", category="ROADS")
        assert error["code"] == code, who
    case = at_grid(api, case, start=False)
    error = api.refused("startCase", cw.resident_id, caseId=case["id"])
    assert error["code"] == "FORBIDDEN"
    error = api.refused("startCase", cw.world.b.staff_id, caseId=case["id"])
    assert error["code"] == "NOT_FOUND"
    # 吹哨 goes exactly one level up.
    error = api.refused(
        "escalateCase",
        cw.grid_worker_id,
        caseId=case["id"],
        reason="直接找区领导",
        leaderId=person_gid(cw.leader_id),
    )
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "level")
    error = api.refused("escalateCase", cw.grid_worker_id, caseId=case["id"], reason=" ")
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "reason")
    error = api.refused("assignCase", cw.community_dispatcher_id, caseId=case["id"], level="STREET")
    assert error["code"] == "INVALID_TRANSITION"
    assert actions(api.full(cw.grid_worker_id, case)) == ["REPORT", "ACCEPT", "ASSIGN"]


def test_top_level_case_is_owned_by_a_leader_and_closed_by_tick_off(api: CaseApi) -> None:
    cw = api.cw
    dispatcher, leader = cw.dispatcher_id, cw.leader_id
    case = api.report(description="老旧楼院整体结构隐患，多年未解决")
    api.act("acceptCase", cw.community_dispatcher_id, case, mode="TOP_LEVEL", category="ROADS")
    housing, gardens = unit_gid(cw.housing.id), unit_gid(cw.gardens.id)
    to_leader = {"level": "TOP", "leaderId": person_gid(leader)}
    refusals: list[tuple[str, dict[str, Any], str, str]] = [
        # Below the district nobody sends a case to a district leader or to the departments.
        (cw.community_dispatcher_id, to_leader, "FORBIDDEN", "level"),
        (cw.street_admin_id, to_leader, "FORBIDDEN", "level"),
        (
            cw.street_admin_id,
            {"level": "DISTRICT", "leadDepartmentId": housing},
            "FORBIDDEN",
            "level",
        ),
        # Departments must be departments of this district, and only at DISTRICT level.
        (
            dispatcher,
            {"level": "DISTRICT", "leadDepartmentId": "bad"},
            "INVALID_ID",
            "leadDepartmentId",
        ),
        (
            dispatcher,
            {"level": "DISTRICT", "leadDepartmentId": unit_gid(cw.world.a.street.id)},
            "NOT_FOUND",
            "leadDepartmentId",
        ),
        (
            dispatcher,
            {"level": "DISTRICT", "leadDepartmentId": housing, "supportingDepartmentIds": ["x"]},
            "INVALID_ID",
            "supportingDepartmentIds",
        ),
        (
            dispatcher,
            {
                "level": "DISTRICT",
                "leadDepartmentId": housing,
                "supportingDepartmentIds": [gardens],
            },
            "INVALID_INPUT",
            "supportingDepartmentIds",
        ),
        (
            dispatcher,
            {"level": "GRID", "leadDepartmentId": housing},
            "INVALID_INPUT",
            "leadDepartmentId",
        ),
        (
            dispatcher,
            {"level": "GRID", "leaderId": person_gid(leader)},
            "INVALID_INPUT",
            "leaderId",
        ),
    ]
    for who, values, code, field in refusals:
        error = api.refused("assignCase", who, caseId=case["id"], **values)
        assert (error["code"], error["field"]) == (code, field), values
    api.act("assignCase", dispatcher, case, level="DISTRICT")
    for leader_id, code, field in (
        (None, "INVALID_INPUT", "leaderId"),
        (person_gid(dispatcher), "NOT_FOUND", "leaderId"),
        (unit_gid(cw.district.id), "INVALID_ID", "leaderId"),
    ):
        escalation: dict[str, Any] = {"caseId": case["id"], "reason": "顶格推动"}
        if leader_id is not None:
            escalation["leaderId"] = leader_id
        error = api.refused("escalateCase", dispatcher, **escalation)
        assert (error["code"], error["field"]) == (code, field)
    error = api.refused("escalateCase", cw.grid_worker_id, caseId=case["id"], reason="顶格")
    assert error["code"] == "FORBIDDEN"
    top = api.act("escalateCase", dispatcher, case, reason="顶格推动", leaderId=person_gid(leader))
    assert (top["level"], top["state"], top["assigneeName"], top["painPoint"]) == (
        "TOP",
        "ASSIGNED",
        "包案区领导",
        True,
    )
    assert "ESCALATE" not in top["allowedActions"] and "CLOSE" not in top["allowedActions"]
    owned = api.data(OWNED, {}, leader)["nodes"]
    assert [(e["caseId"], e["role"], e["level"]) for e in owned] == [(case["id"], "LEADER", "TOP")]
    assert api.data(OWNED, {"state": "CLOSED"}, leader)["nodes"] == []
    assert api.data(OWNED, {}, dispatcher)["nodes"] == []
    error = api.refused("escalateCase", leader, caseId=case["id"], reason="再往上")
    assert error["code"] == "INVALID_TRANSITION"
    error = api.refused("startCase", cw.grid_worker_id, caseId=case["id"])
    assert error["code"] == "FORBIDDEN"
    api.act("startCase", leader, case)
    api.act("resolveCase", leader, case, result="纳入旧改计划并完成加固")
    api.act("evaluateCase", cw.resident_id, case, satisfaction="SATISFIED")
    error = api.refused("closeCase", dispatcher, caseId=case["id"])
    assert error["code"] == "INVALID_TRANSITION" and "TICK_OFF" in error["message"]
    assert api.refused("tickOffCase", dispatcher, caseId=case["id"])["code"] == "FORBIDDEN"
    closed = api.full(leader, api.act("tickOffCase", leader, case, note="对单销号"))
    assert closed["state"] == "CLOSED" and closed["painPoint"] is True
    assert timeline_steps(closed)[-4:] == [
        ("START", "ASSIGNED", "IN_PROGRESS", "LEADER"),
        ("RESOLVE", "IN_PROGRESS", "RESOLVED", "LEADER"),
        ("EVALUATE", "RESOLVED", "EVALUATED", "REPORTER"),
        ("TICK_OFF", "EVALUATED", "CLOSED", "LEADER"),
    ]
    assert [(r["level"], r["assigneeName"]) for r in closed["levels"]] == [
        ("DISTRICT", None),
        ("TOP", "包案区领导"),
    ]
    assert api.data(OWNED, {}, leader)["nodes"] == []
    assert api.stats(dispatcher, cw.district.id, DAY)["closed"] == 1


def test_pause_resume_and_extensions(api: CaseApi) -> None:
    cw = api.cw
    worker, community = cw.grid_worker_id, cw.community_dispatcher_id
    case = at_grid(api, api.report())
    error = api.refused("pauseCase", worker, caseId=case["id"], reason="")
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "reason")
    paused = api.act("pauseCase", worker, case, reason="等待居民在家")
    assert (paused["state"], paused["allowedActions"]) == ("PAUSED", ["RESUME"])
    assert api.refused("resolveCase", worker, caseId=case["id"], result="x")["code"] == (
        "INVALID_TRANSITION"
    )
    assert api.refused("resumeCase", cw.resident_id, caseId=case["id"])["code"] == "FORBIDDEN"
    assert api.act("resumeCase", worker, case)["state"] == "IN_PROGRESS"

    for hours in (0, 24 * 90 + 1):
        error = api.refused(
            "requestCaseExtension", worker, caseId=case["id"], hours=hours, reason="r"
        )
        assert (error["code"], error["field"]) == ("INVALID_INPUT", "hours")
    undecided = api.refused("decideCaseExtension", community, caseId=case["id"], approve=True)
    assert undecided["code"] == "INVALID_TRANSITION"
    pending = api.act("requestCaseExtension", worker, case, hours=48, reason="需等配件")
    assert pending["extensionPending"] is True and pending["state"] == "IN_PROGRESS"
    again = api.refused("requestCaseExtension", worker, caseId=case["id"], hours=24, reason="再延")
    assert again["code"] == "INVALID_TRANSITION"
    assert api.refused("decideCaseExtension", worker, caseId=case["id"], approve=True)["code"] == (
        "FORBIDDEN"
    )
    denied = api.act("decideCaseExtension", community, case, approve=False, note="时限内可完成")
    assert denied["extensionPending"] is False
    api.act("requestCaseExtension", worker, case, hours=24, reason="配件仍未到")
    granted = api.act("decideCaseExtension", community, case, approve=True)
    assert granted["extensionPending"] is False and granted["state"] == "IN_PROGRESS"
    assert actions(api.full(worker, case))[4:] == [
        "PAUSE",
        "RESUME",
        "REQUEST_EXTENSION",
        "DENY_EXTENSION",
        "REQUEST_EXTENSION",
        "GRANT_EXTENSION",
    ]


def test_parking_and_sending_back(api: CaseApi) -> None:
    cw = api.cw
    worker, community = cw.grid_worker_id, cw.community_dispatcher_id
    case = at_grid(api, api.report())
    api.act("requestCasePark", worker, case, reason="涉及历史产权纠纷，短期无法解决")
    assert api.refused("requestCasePark", worker, caseId=case["id"], reason="again")["code"] == (
        "INVALID_TRANSITION"
    )
    assert api.refused("decideCasePark", worker, caseId=case["id"], approve=True)["code"] == (
        "FORBIDDEN"
    )
    kept = api.act("decideCasePark", community, case, approve=False, note="先协调")
    assert (kept["state"], kept["parkPending"]) == ("IN_PROGRESS", False)
    api.act("requestCasePark", worker, case, reason="协调无果")
    parked = api.act("decideCasePark", community, case, approve=True)
    assert (parked["state"], parked["parkPending"], parked["allowedActions"]) == (
        "PARKED",
        False,
        ["UNPARK"],
    )
    assert [e["caseId"] for e in api.inbox(worker, cw.world.a.grid.id, state="PARKED")] == [
        case["id"]
    ]
    assert api.act("unparkCase", worker, case)["state"] == "IN_PROGRESS"

    sent = api.act("sendBackCase", worker, case, reason="不属于本网格职责")
    assert (sent["state"], sent["level"], sent["assigneeName"]) == ("ACCEPTED", None, None)
    assert sent["allowedActions"] == ["ASSIGN", "REJECT"]
    # Back with the community's intake until the dispatcher sends it elsewhere.
    (entry,) = api.inbox(community, cw.world.a.community.id)
    assert (entry["state"], entry["role"]) == ("ACCEPTED", "INTAKE")
    again = api.act("assignCase", community, case, level="COMMUNITY")
    assert (again["state"], again["level"], again["assigneeName"]) == (
        "ASSIGNED",
        "COMMUNITY",
        "无棣路社区",
    )
    assert api.inbox(worker, cw.world.a.grid.id) == []
    assert [e["caseId"] for e in api.inbox(community, cw.world.a.community.id)] == [case["id"]]
    assert api.refused("startCase", worker, caseId=case["id"])["code"] == "FORBIDDEN"
    api.act("startCase", community, case)
    full = api.full(community, case)
    assert [(r["level"], r["leftAt"] is None) for r in full["levels"]] == [
        ("GRID", False),
        ("COMMUNITY", True),
    ]
    assert actions(full) == [
        "REPORT",
        "ACCEPT",
        "ASSIGN",
        "START",
        "REQUEST_PARK",
        "REJECT_PARK",
        "REQUEST_PARK",
        "APPROVE_PARK",
        "UNPARK",
        "SEND_BACK",
        "ASSIGN",
        "START",
    ]


# --- lists -----------------------------------------------------------------------------------


def test_inbox_lists_by_state_then_report_time(api: CaseApi, clock: FixedClock) -> None:
    cw = api.cw
    # New and accepted cases wait in the community's intake, for its dispatcher (issue 16.1).
    grid = cw.world.a.community.id
    worker = community = cw.community_dispatcher_id
    reported = []
    for minute in range(3):
        clock.advance(timedelta(minutes=10))
        reported.append(api.report(description=f"第{minute + 1}件"))
    first, second, third = reported
    api.act("acceptCase", community, second, mode="FAST", category="ROADS")
    inbox = api.inbox(worker, grid)
    assert [(e["caseId"], e["state"], e["level"]) for e in inbox] == [
        (second["id"], "ACCEPTED", "INTAKE"),
        (first["id"], "REPORTED", "INTAKE"),
        (third["id"], "REPORTED", "INTAKE"),
    ]
    assert inbox[1]["summary"] == "第1件" and inbox[1]["category"] == {"code": "HOUSING_SAFETY"}
    assert [e["caseId"] for e in api.inbox(community, grid, state="REPORTED")] == [
        first["id"],
        third["id"],
    ]
    assert api.inbox(worker, grid, state="CLOSED") == []
    page = api.data(INBOX, {"unit": unit_gid(grid), "state": "REPORTED", "first": 1}, worker)
    assert [e["node"]["caseId"] for e in page["edges"]] == [first["id"]]
    assert page["pageInfo"]["hasNextPage"] is True
    after = page["pageInfo"]["endCursor"]
    page = api.data(
        INBOX, {"unit": unit_gid(grid), "state": "REPORTED", "first": 1, "after": after}, worker
    )
    assert [e["node"]["caseId"] for e in page["edges"]] == [third["id"]]
    assert page["pageInfo"]["hasNextPage"] is False
    # Another unit's inbox is not for everyone.
    for who in (cw.world.b.admin_id, cw.resident_id, cw.housing_staff_id):
        assert api.query_error(INBOX, {"unit": unit_gid(grid)}, who)[0] == "FORBIDDEN", who
    assert api.query_error(INBOX, {"unit": unit_gid(cw.housing.id)}, cw.gardens_staff_id)[0] == (
        "FORBIDDEN"
    )
    assert api.query_error(INBOX, {"unit": unit_gid(grid)}, None)[0] == "UNAUTHENTICATED"
    assert api.query_error(INBOX, {"unit": "nope"}, worker) == ("INVALID_ID", "unitId")


def test_cases_within_a_scope_filter_by_state_category_mode_level_and_date(
    api: CaseApi, clock: FixedClock
) -> None:
    cw = api.cw
    a, b = cw.world.a, cw.world.b
    dispatcher = cw.dispatcher_id
    c1 = api.report(category="HOUSING_SAFETY")  # 2026-11-23
    api.act("acceptCase", dispatcher, c1, mode="ASSIGNED", category="HOUSING_SAFETY")
    api.act("assignCase", dispatcher, c1, level="GRID")
    clock.advance(timedelta(days=1))
    c2 = api.report(category="ENVIRONMENT", location_id=a.unit_household.id)  # 11-24
    clock.advance(timedelta(days=1))
    c3 = api.report(category="GREENERY", location_id=a.grid.id)  # 11-25
    api.act("acceptCase", dispatcher, c3, mode="JOINT", category="GREENERY")
    api.act(
        "assignCase",
        dispatcher,
        c3,
        level="DISTRICT",
        leadDepartmentId=unit_gid(cw.housing.id),
        supportingDepartmentIds=[unit_gid(cw.gardens.id)],
    )
    clock.advance(timedelta(minutes=5))
    c4 = api.report(b.resident_id, b.building.id, category="ROADS")  # 11-25, street B

    def listed(who: str, scope: str, **filters: Any) -> list[str]:
        connection = api.data(CASES, {"scope": unit_gid(scope), **filters}, who)
        return [edge["node"]["id"] for edge in connection["edges"]]

    assert listed(dispatcher, cw.district.id) == [c4["id"], c3["id"], c2["id"], c1["id"]]
    for scope in (a.street.id, a.community.id, a.grid.id):
        assert listed(a.admin_id, scope) == [c3["id"], c2["id"], c1["id"]], scope
    assert listed(b.admin_id, b.street.id) == [c4["id"]]
    assert listed(dispatcher, a.street.id, state="REPORTED") == [c2["id"]]
    assert listed(dispatcher, cw.district.id, state="REPORTED") == [c4["id"], c2["id"]]
    assert listed(dispatcher, cw.district.id, category="GREENERY") == [c3["id"]]
    assert listed(dispatcher, a.grid.id, mode="JOINT") == [c3["id"]]
    assert listed(dispatcher, cw.district.id, level="DISTRICT") == [c3["id"]]
    assert listed(dispatcher, a.street.id, level="GRID") == [c1["id"]]
    assert listed(dispatcher, a.street.id, category="GREENERY", level="GRID") == []
    assert listed(dispatcher, cw.district.id, **{"from": "2026-11-24", "to": "2026-11-24"}) == [
        c2["id"]
    ]
    assert listed(dispatcher, a.street.id, **{"from": "2026-11-24"}) == [c3["id"], c2["id"]]
    assert listed(dispatcher, a.grid.id, to="2026-11-23") == [c1["id"]]
    assert listed(dispatcher, cw.district.id, **{"from": "2026-12-01"}) == []

    first = api.data(CASES, {"scope": unit_gid(cw.district.id), "first": 2}, dispatcher)
    assert [e["node"]["id"] for e in first["edges"]] == [c4["id"], c3["id"]]
    assert first["pageInfo"]["hasNextPage"] is True
    cursor = first["pageInfo"]["endCursor"]
    rest = api.data(
        CASES, {"scope": unit_gid(cw.district.id), "first": 2, "after": cursor}, dispatcher
    )
    assert [e["node"]["id"] for e in rest["edges"]] == [c2["id"], c1["id"]]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert rest["pageInfo"]["hasPreviousPage"] is True

    def refused(who: str | None, scope: str, **filters: Any) -> tuple[str | None, str | None]:
        return api.query_error(CASES, {"scope": scope, **filters}, who)

    district = unit_gid(cw.district.id)
    assert refused(dispatcher, unit_gid(a.street.id), after=cursor) == ("INVALID_CURSOR", "after")
    assert refused(dispatcher, district, **{"from": "2026-11-25", "to": "2026-11-24"}) == (
        "INVALID_INPUT",
        "reportedFrom",
    )
    assert refused(dispatcher, district, **{"from": "23/11/2026"}) == (
        "INVALID_INPUT",
        "reportedFrom",
    )
    assert refused(dispatcher, district, to="2026-13-01") == ("INVALID_INPUT", "reportedTo")
    assert refused(dispatcher, district, first=101) == ("INVALID_INPUT", "first")
    assert refused(dispatcher, unit_gid(a.building.id)) == ("INVALID_INPUT", "scopeId")
    assert refused(dispatcher, "nope") == ("INVALID_ID", "scopeId")
    assert refused(a.admin_id, unit_gid(b.street.id))[0] == "FORBIDDEN"
    assert refused(a.admin_id, district)[0] == "FORBIDDEN"
    assert refused(cw.grid_worker_id, unit_gid(a.street.id))[0] == "FORBIDDEN"
    assert refused(cw.resident_id, unit_gid(a.grid.id))[0] == "FORBIDDEN"
    assert refused(None, district)[0] == "UNAUTHENTICATED"

    # A resident's own reports, newest first.
    assert [c["id"] for c in api.my_cases(cw.resident_id)] == [c3["id"], c2["id"], c1["id"]]
    assert [c["id"] for c in api.my_cases(b.resident_id)] == [c4["id"]]
    assert api.my_cases(cw.grid_worker_id) == []
    page = api.data(
        "query { myCases(first: 2) { nodes { id } pageInfo { hasNextPage endCursor } } }",
        None,
        cw.resident_id,
    )
    assert [n["id"] for n in page["nodes"]] == [c3["id"], c2["id"]]
    assert page["pageInfo"]["hasNextPage"] is True
    assert api.query_error("query { myCases { nodes { id } } }", None, None)[0] == (
        "UNAUTHENTICATED"
    )


def test_stats_are_public_and_need_a_sane_range(api: CaseApi) -> None:
    cw = api.cw
    a = cw.world.a
    api.report()
    assert api.stats(a.admin_id, a.grid.id, DAY)["reported"] == 1
    assert api.stats(cw.grid_worker_id, a.grid.id, DAY)["reported"] == 1
    assert api.stats(cw.world.b.admin_id, cw.world.b.grid.id, DAY)["reported"] == 0
    grid = unit_gid(a.grid.id)
    for who, variables, expected in (
        (cw.dispatcher_id, {"start": DAY, "end": "2026-11-01"}, ("INVALID_INPUT", "start")),
        (cw.dispatcher_id, {"start": "2025-01-01", "end": DAY}, ("INVALID_INPUT", "start")),
        (cw.dispatcher_id, {"start": "yesterday", "end": DAY}, ("INVALID_INPUT", "start")),
    ):
        assert api.query_error(STATS, {"unit": grid, **variables}, who) == expected, variables


# --- isolation -------------------------------------------------------------------------------


def test_street_b_can_neither_read_nor_touch_street_a_cases(api: CaseApi) -> None:
    cw = api.cw
    a, b = cw.world.a, cw.world.b
    case = at_grid(api, api.report())
    housing, gardens = unit_gid(cw.housing.id), unit_gid(cw.gardens.id)
    inputs: dict[str, dict[str, Any]] = {
        "acceptCase": {"mode": "FAST", "category": "ROADS"},
        "rejectCase": {"reason": "不归我管", "duplicateOfId": None},
        "assignCase": {"level": "DISTRICT", "leadDepartmentId": housing},
        "startCase": {},
        "claimCase": {"departmentId": housing},
        "resolveCaseTask": {"departmentId": gardens, "result": "x"},
        "escalateCase": {"reason": "吹哨"},
        "sendBackCase": {"reason": "退回"},
        "pauseCase": {"reason": "暂停"},
        "resumeCase": {},
        "requestCaseExtension": {"hours": 24, "reason": "延期"},
        "decideCaseExtension": {"approve": True},
        "resolveCase": {"result": "办结"},
        "verifyCase": {"passed": True},
        "evaluateCase": {"satisfaction": "SATISFIED"},
        "reopenCase": {"reason": "返工"},
        "closeCase": {},
        "tickOffCase": {},
        "requestCasePark": {"reason": "挂账"},
        "decideCasePark": {"approve": True},
        "unparkCase": {},
        "archiveCase": {},
    }
    assert set(inputs) == set(MUTATIONS) - {"reportCase"}
    before = api.full(cw.grid_worker_id, case)
    for who in (b.admin_id, b.staff_id, b.resident_id):
        for name, values in inputs.items():
            error = api.refused(name, who, caseId=case["id"], **values)
            assert error["code"] in {"NOT_FOUND", "FORBIDDEN"}, (who, name, error)
        assert api.case(who, case["id"]) is None
        assert api.data(CASE_BY_CODE, {"code": case["code"]}, who) is None
        assert api.data(OWNED, {}, who)["nodes"] == []
        assert api.my_cases(who) == []
        for scope in (a.street.id, a.community.id, a.grid.id, cw.district.id):
            assert api.query_error(CASES, {"scope": unit_gid(scope)}, who)[0] == "FORBIDDEN"
        for unit in (a.grid.id, a.community.id, a.street.id, cw.district.id):
            assert api.query_error(INBOX, {"unit": unit_gid(unit)}, who)[0] == "FORBIDDEN"
            # The day counters are public aggregate figures (issue 16.11): no case in them.
            stats = {"unit": unit_gid(unit), "start": DAY, "end": DAY}
            assert api.data(STATS, stats, who) is not None
    # Street B's own lists know nothing of it either.
    listed = api.data(CASES, {"scope": unit_gid(b.street.id)}, b.admin_id)
    assert listed["edges"] == []
    assert api.inbox(b.admin_id, b.grid.id) == []
    # The refused mutations wrote nothing.
    after = api.full(cw.grid_worker_id, case)
    assert after == before
    assert api.stats(cw.dispatcher_id, cw.district.id, DAY) == zero_counters(reported=1, accepted=1)


def test_an_outsider_cannot_tell_a_hidden_case_from_a_missing_one(api: CaseApi) -> None:
    cw = api.cw
    case = api.report()
    hidden = api.refused("startCase", cw.world.b.admin_id, caseId=case["id"])
    missing = api.refused("startCase", cw.world.b.admin_id, caseId=case_gid("NOSUCHCASE"))
    assert hidden == missing
    assert hidden["code"] == "NOT_FOUND" and hidden["field"] == "caseId"


def test_reporting_later_in_the_day_stays_on_that_day(api: CaseApi, clock: FixedClock) -> None:
    """Counters go by the Shanghai calendar day: 23:50 local is still that day."""
    cw = api.cw
    clock.advance(datetime(2026, 11, 23, 23, 50, tzinfo=SHANGHAI) - clock.now())
    api.report()
    clock.advance(timedelta(minutes=20))  # 00:10 on the 24th
    api.report()
    grid = cw.world.a.grid.id
    assert api.stats(cw.dispatcher_id, grid, DAY)["reported"] == 1
    assert api.stats(cw.dispatcher_id, grid, "2026-11-24")["reported"] == 1
