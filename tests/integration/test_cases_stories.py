"""The seeds' stories of 吹哨报到 through GraphQL over both transports (ASGI, Lambda events):
a crack in a courtyard wall climbing from the grid to a district department, a joint case of
two departments, a reworked case after an unsatisfied evaluation, and a rejected duplicate."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from api.domain.clock import FixedClock
from tests.case_world import (
    TRACK,
    CaseApi,
    case_gid,
    timeline_steps,
    unit_gid,
    zero_counters,
)

DAY = "2026-11-23"


def test_wall_crack_climbs_from_the_grid_to_the_housing_department(
    case_api: CaseApi, clock: FixedClock
) -> None:
    api, cw = case_api, case_api.cw
    a = cw.world.a
    resident, grid_worker = cw.resident_id, cw.grid_worker_id
    community, dispatcher = cw.community_dispatcher_id, cw.dispatcher_id

    case = api.report(
        description="扬州路12号楼院北墙裂缝，墙体有倾斜，担心倒塌",
        address="扬州路12号楼院北侧",
        latitude=36.0871,
        longitude=120.3542,
        attachments=[{"key": "uploads/crack-1.jpg", "contentType": "image/jpeg"}],
    )
    assert case["code"] == "SB2026-000001"
    assert (case["state"], case["level"], case["channel"]) == ("REPORTED", None, "RESIDENT")
    assert case["category"] == {"code": "HOUSING_SAFETY", "name": "房屋安全"}
    assert case["attachments"] == [{"key": "uploads/crack-1.jpg", "contentType": "image/jpeg"}]
    case = api.full(resident, case)
    assert case["grid"]["id"] == unit_gid(a.grid.id)  # inferred from the building
    assert case["location"]["id"] == unit_gid(a.building.id)
    assert case["reporter"]["name"] == "甲居民"
    assert case["allowedActions"] == ["ACCEPT", "REJECT"]
    assert [entry["caseId"] for entry in api.inbox(community, a.community.id)] == [case["id"]]

    def step(name: str, who: str, **values: Any) -> dict[str, Any]:
        clock.advance(timedelta(minutes=10))
        return api.act(name, who, case, **values)

    step("acceptCase", community, mode="ASSIGNED", category="HOUSING_SAFETY")
    after = step("assignCase", community, level="GRID")
    assert (after["state"], after["level"], after["assigneeName"]) == (
        "ASSIGNED",
        "GRID",
        "第一网格",
    )
    step("startCase", grid_worker)
    after = step("escalateCase", grid_worker, reason="墙体开裂超出网格处置能力，吹哨社区")
    assert (after["state"], after["level"], after["assigneeName"]) == (
        "ASSIGNED",
        "COMMUNITY",
        "无棣路社区",
    )
    # The grid no longer has it; the community does.
    assert api.inbox(grid_worker, a.grid.id) == []
    assert [e["caseId"] for e in api.inbox(community, a.community.id)] == [case["id"]]
    step("startCase", community)
    step("escalateCase", community, reason="需街道协调物业与产权单位")
    after = step("escalateCase", cw.street_admin_id, reason="涉及房屋结构安全，吹哨区级部门")
    assert (after["level"], after["assigneeName"], after["tasks"]) == ("DISTRICT", None, [])
    district_inbox = api.inbox(dispatcher, cw.district.id)
    assert [(e["caseId"], e["role"]) for e in district_inbox] == [(case["id"], "UNIT")]

    after = step(
        "assignCase", dispatcher, level="DISTRICT", leadDepartmentId=unit_gid(cw.housing.id)
    )
    assert after["tasks"] == [
        {
            "departmentId": unit_gid(cw.housing.id),
            "departmentName": "区住房和城乡建设局",
            "role": "LEAD",
            "status": "ASSIGNED",
            "result": None,
        }
    ]
    (entry,) = api.inbox(cw.housing_staff_id, cw.housing.id)
    assert (entry["caseId"], entry["role"], entry["taskStatus"], entry["state"]) == (
        case["id"],
        "LEAD",
        "ASSIGNED",
        "ASSIGNED",
    )
    assert api.inbox(dispatcher, cw.district.id) == []
    housing = unit_gid(cw.housing.id)
    after = step("claimCase", cw.housing_staff_id, departmentId=housing)
    assert after["state"] == "IN_PROGRESS"
    after = step(
        "resolveCaseTask", cw.housing_staff_id, departmentId=housing, result="已加固北墙并设警示"
    )
    assert after["state"] == "RESOLVED"
    assert "已加固北墙并设警示" in after["result"]
    assert after["tasks"][0]["status"] == "RESOLVED"

    after = step("evaluateCase", resident, satisfaction="SATISFIED", comment="处理及时")
    assert (after["satisfaction"], after["evaluationComment"]) == ("SATISFIED", "处理及时")
    # Above street level only the governance centre closes.
    clock.advance(timedelta(minutes=10))
    refused = api.refused("closeCase", community, caseId=case["id"])
    assert refused["code"] == "FORBIDDEN"
    step("closeCase", dispatcher)
    final = step("archiveCase", dispatcher)
    assert final["state"] == "ARCHIVED" and final["allowedActions"] == []
    final = api.full(dispatcher, final)
    assert api.inbox(cw.housing_staff_id, cw.housing.id) == []

    assert timeline_steps(final) == [
        ("REPORT", None, "REPORTED", "REPORTER"),
        ("ACCEPT", "REPORTED", "ACCEPTED", "STAFF"),
        ("ASSIGN", "ACCEPTED", "ASSIGNED", "STAFF"),
        ("START", "ASSIGNED", "IN_PROGRESS", "GRID_WORKER"),
        ("ESCALATE", "IN_PROGRESS", "ASSIGNED", "GRID_WORKER"),
        ("START", "ASSIGNED", "IN_PROGRESS", "STAFF"),
        ("ESCALATE", "IN_PROGRESS", "ASSIGNED", "STAFF"),
        ("ESCALATE", "ASSIGNED", "ASSIGNED", "ADMIN"),
        ("ASSIGN", "ASSIGNED", "ASSIGNED", "STAFF"),
        ("CLAIM", "ASSIGNED", "IN_PROGRESS", "DEPARTMENT_STAFF"),
        ("RESOLVE_TASK", "IN_PROGRESS", "RESOLVED", "DEPARTMENT_STAFF"),
        ("EVALUATE", "RESOLVED", "EVALUATED", "REPORTER"),
        ("CLOSE", "EVALUATED", "CLOSED", "STAFF"),
        ("ARCHIVE", "CLOSED", "ARCHIVED", "STAFF"),
    ]
    events = final["timeline"]
    assert [e["level"] for e in events] == [
        *[None, None, "GRID", "GRID", "COMMUNITY", "COMMUNITY", "STREET"],
        *["DISTRICT"] * 7,
    ]
    times = [e["at"] for e in events]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert events[4]["note"] == "墙体开裂超出网格处置能力，吹哨社区"
    assert events[0]["actor"] is None  # the reporter is shown through Case.reporter only
    assert events[3]["actor"]["name"] == "甲网格员"
    assert events[9]["actor"]["name"] == "住建局办事员"

    levels = final["levels"]
    assert [(r["level"], r["assigneeName"]) for r in levels] == [
        ("GRID", "第一网格"),
        ("COMMUNITY", "无棣路社区"),
        ("STREET", "辽宁路街道"),
        ("DISTRICT", None),
    ]
    assert all(r["leftAt"] is not None for r in levels[:3]) and levels[3]["leftAt"] is None
    assert [r["enteredAt"] for r in levels[1:]] == [r["leftAt"] for r in levels[:3]]

    done = zero_counters(
        reported=1, accepted=1, resolved=1, resolved_on_time=1, closed=1, satisfied=1
    )
    for unit_id in (a.grid.id, a.community.id, a.street.id, cw.district.id):
        assert api.stats(dispatcher, unit_id, DAY) == done, unit_id
    assert api.stats(cw.world.b.admin_id, cw.world.b.street.id, DAY) == zero_counters()

    tracked = api.data(TRACK, {"code": final["trackingNumber"]}, None)
    assert [e["action"] for e in tracked["timeline"]] == [e["action"] for e in events]
    text = json.dumps(tracked, ensure_ascii=False)
    for private in ("甲居民", "13900001002", "1002", "扬州路12号楼院北侧", "吹哨", "处理及时"):
        assert private not in text


def test_joint_case_resolves_only_when_lead_and_support_have_resolved(
    case_api: CaseApi, clock: FixedClock
) -> None:
    api, cw = case_api, case_api.cw
    dispatcher = cw.dispatcher_id
    housing, gardens = unit_gid(cw.housing.id), unit_gid(cw.gardens.id)
    case = api.report(description="楼院内大树倒伏压坏围墙", category="GREENERY")
    api.act("acceptCase", dispatcher, case, mode="JOINT", category="GREENERY")
    # Supporting departments only in a joint case, distinct from the lead.
    refused = api.refused(
        "assignCase",
        dispatcher,
        caseId=case["id"],
        level="DISTRICT",
        leadDepartmentId=housing,
        supportingDepartmentIds=[housing],
    )
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "supportingDepartmentIds")
    after = api.act(
        "assignCase",
        dispatcher,
        case,
        level="DISTRICT",
        leadDepartmentId=housing,
        supportingDepartmentIds=[gardens],
    )
    assert (after["state"], after["level"], after["mode"]) == ("ASSIGNED", "DISTRICT", "JOINT")
    assert [(t["departmentName"], t["role"], t["status"]) for t in after["tasks"]] == [
        ("区住房和城乡建设局", "LEAD", "ASSIGNED"),
        ("区园林和林业局", "SUPPORT", "ASSIGNED"),
    ]
    (support_entry,) = api.inbox(cw.gardens_staff_id, cw.gardens.id)
    assert (support_entry["role"], support_entry["taskStatus"]) == ("SUPPORT", "ASSIGNED")

    # A department acts for itself only.
    refused = api.refused("claimCase", cw.gardens_staff_id, caseId=case["id"], departmentId=housing)
    assert refused["code"] == "FORBIDDEN"
    after = api.act("claimCase", cw.gardens_staff_id, case, departmentId=gardens)
    assert after["state"] == "ASSIGNED"  # handled once the lead has claimed
    after = api.act("claimCase", cw.housing_staff_id, case, departmentId=housing)
    assert after["state"] == "IN_PROGRESS"
    after = api.act(
        "resolveCaseTask", cw.housing_staff_id, case, departmentId=housing, result="围墙已修复"
    )
    assert after["state"] == "IN_PROGRESS"
    assert [t["status"] for t in after["tasks"]] == ["RESOLVED", "CLAIMED"]
    assert "RESOLVE" not in after["allowedActions"]
    refused = api.refused("resolveCase", dispatcher, caseId=case["id"], result="全部办结")
    assert refused["code"] == "INVALID_TRANSITION"
    refused = api.refused(
        "resolveCaseTask", cw.housing_staff_id, caseId=case["id"], departmentId=housing, result="再"
    )
    assert refused["code"] == "INVALID_TRANSITION"
    after = api.act(
        "resolveCaseTask", cw.gardens_staff_id, case, departmentId=gardens, result="倒伏树木已清运"
    )
    assert after["state"] == "RESOLVED"
    assert [t["status"] for t in after["tasks"]] == ["RESOLVED", "RESOLVED"]
    assert "围墙已修复" in after["result"] and "倒伏树木已清运" in after["result"]
    # The combined result names the departments, never their ids.
    assert "[LEAD 区住房和城乡建设局]" in after["result"], after["result"]
    assert "[SUPPORT 区园林和林业局]" in after["result"], after["result"]
    # Not good enough: reopened, both departments work on it again.
    api.act("evaluateCase", cw.resident_id, case, satisfaction="UNSATISFIED", comment="墙还歪")
    after = api.act("reopenCase", dispatcher, case, reason="围墙仍有隐患")
    assert (after["state"], after["reworkCount"], after["result"]) == ("IN_PROGRESS", 1, None)
    assert [(t["status"], t["result"]) for t in after["tasks"]] == [("CLAIMED", None)] * 2
    (entry,) = api.inbox(cw.housing_staff_id, cw.housing.id)
    assert (entry["state"], entry["taskStatus"]) == ("IN_PROGRESS", "CLAIMED")
    api.act("resolveCaseTask", cw.gardens_staff_id, case, departmentId=gardens, result="已补种")
    after = api.act(
        "resolveCaseTask", cw.housing_staff_id, case, departmentId=housing, result="已重砌围墙"
    )
    assert after["state"] == "RESOLVED" and "已重砌围墙" in after["result"]
    api.act("evaluateCase", cw.resident_id, case, satisfaction="BASICALLY_SATISFIED")
    final = api.full(dispatcher, api.act("closeCase", dispatcher, case))
    assert timeline_steps(final) == [
        ("REPORT", None, "REPORTED", "REPORTER"),
        ("ACCEPT", "REPORTED", "ACCEPTED", "STAFF"),
        ("ASSIGN", "ACCEPTED", "ASSIGNED", "STAFF"),
        ("CLAIM", "ASSIGNED", "ASSIGNED", "DEPARTMENT_STAFF"),
        ("CLAIM", "ASSIGNED", "IN_PROGRESS", "DEPARTMENT_STAFF"),
        ("RESOLVE_TASK", "IN_PROGRESS", "IN_PROGRESS", "DEPARTMENT_STAFF"),
        ("RESOLVE_TASK", "IN_PROGRESS", "RESOLVED", "DEPARTMENT_STAFF"),
        ("EVALUATE", "RESOLVED", "EVALUATED", "REPORTER"),
        ("REOPEN", "EVALUATED", "IN_PROGRESS", "STAFF"),
        ("RESOLVE_TASK", "IN_PROGRESS", "IN_PROGRESS", "DEPARTMENT_STAFF"),
        ("RESOLVE_TASK", "IN_PROGRESS", "RESOLVED", "DEPARTMENT_STAFF"),
        ("EVALUATE", "RESOLVED", "EVALUATED", "REPORTER"),
        ("CLOSE", "EVALUATED", "CLOSED", "STAFF"),
    ]
    assert [r["level"] for r in final["levels"]] == ["DISTRICT"]
    assert api.inbox(cw.gardens_staff_id, cw.gardens.id) == []
    assert api.inbox(cw.housing_staff_id, cw.housing.id) == []
    assert api.stats(dispatcher, cw.district.id, DAY) == zero_counters(
        reported=1,
        accepted=1,
        resolved=2,
        resolved_on_time=2,
        closed=1,
        satisfied=1,
        reopened=1,
    )


def test_unsatisfied_evaluation_reopens_the_case_for_rework(
    case_api: CaseApi, clock: FixedClock
) -> None:
    api, cw = case_api, case_api.cw
    a = cw.world.a
    community, grid_worker, resident = (
        cw.community_dispatcher_id,
        cw.grid_worker_id,
        cw.resident_id,
    )
    case = api.report(
        description="单元门口垃圾堆放三天无人清运",
        category="ENVIRONMENT",
        location_id=a.unit_household.id,
    )
    api.act("acceptCase", community, case, mode="FAST", category="ENVIRONMENT")
    api.act("assignCase", community, case, level="GRID")
    api.act("startCase", grid_worker, case)
    api.act("resolveCase", grid_worker, case, result="已通知物业清运")
    refused = api.refused("evaluateCase", resident, caseId=case["id"], satisfaction="UNSATISFIED")
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "comment")
    after = api.act("evaluateCase", resident, case, satisfaction="UNSATISFIED", comment="垃圾还在")
    assert after["state"] == "EVALUATED" and "REOPEN" in after["allowedActions"]
    refused = api.refused("reopenCase", grid_worker, caseId=case["id"], reason="返工")
    assert refused["code"] == "FORBIDDEN"  # reopening is the dispatcher's decision
    after = api.act("reopenCase", community, case, reason="居民不满意，返工")
    assert (after["state"], after["reworkCount"], after["satisfaction"], after["result"]) == (
        "IN_PROGRESS",
        1,
        None,
        None,
    )
    assert after["level"] == "GRID"
    api.act("resolveCase", grid_worker, case, result="已督促物业当日清运完毕")
    after = api.act("evaluateCase", resident, case, satisfaction="SATISFIED", comment="满意")
    assert "REOPEN" not in after["allowedActions"]
    final = api.full(community, api.act("closeCase", community, case))
    assert final["reworkCount"] == 1
    assert [step[0] for step in timeline_steps(final)] == [
        "REPORT",
        "ACCEPT",
        "ASSIGN",
        "START",
        "RESOLVE",
        "EVALUATE",
        "REOPEN",
        "RESOLVE",
        "EVALUATE",
        "CLOSE",
    ]
    assert final["timeline"][6]["note"] == "居民不满意，返工"
    # Each resolution counts (two, both in the grid); one reopening, one satisfied evaluation.
    expected = zero_counters(
        reported=1,
        accepted=1,
        resolved=2,
        resolved_on_time=2,
        resolved_in_grid=2,
        closed=1,
        satisfied=1,
        reopened=1,
    )
    for unit_id in (a.grid.id, a.street.id, cw.district.id):
        assert api.stats(cw.dispatcher_id, unit_id, DAY) == expected, unit_id


def test_duplicate_report_is_rejected_and_linked_to_the_original(
    case_api: CaseApi, clock: FixedClock
) -> None:
    api, cw = case_api, case_api.cw
    community = cw.community_dispatcher_id
    original = api.report(
        cw.grid_worker_id,
        channel="GRID_PATROL",
        description="12号楼院门口路灯不亮",
        category="ROADS",
    )
    assert original["channel"] == "GRID_PATROL"
    clock.advance(timedelta(hours=1))
    duplicate = api.report(description="12号楼院门口路灯坏了，晚上很黑", category="ROADS")
    assert duplicate["code"] == "SB2026-000002"

    for bad, code in ((duplicate["id"], "NOT_FOUND"), (case_gid("nonexistent"), "NOT_FOUND")):
        refused = api.refused(
            "rejectCase", community, caseId=duplicate["id"], reason="重复", duplicateOfId=bad
        )
        assert (refused["code"], refused["field"]) == (code, "duplicateOfId")
    refused = api.refused(
        "rejectCase",
        community,
        caseId=duplicate["id"],
        reason="重复",
        duplicateOfId=unit_gid(cw.world.a.grid.id),
    )
    assert (refused["code"], refused["field"]) == ("INVALID_ID", "duplicateOfId")
    refused = api.refused("rejectCase", community, caseId=duplicate["id"], reason="  ")
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "reason")

    rejected = api.act(
        "rejectCase", community, duplicate, reason="与已立案件重复", duplicateOfId=original["id"]
    )
    assert (rejected["state"], rejected["duplicateOfId"], rejected["rejectionReason"]) == (
        "REJECTED",
        original["id"],
        "与已立案件重复",
    )
    assert rejected["allowedActions"] == ["ARCHIVE"]
    archived = api.full(community, api.act("archiveCase", community, duplicate))
    assert timeline_steps(archived) == [
        ("REPORT", None, "REPORTED", "REPORTER"),
        ("REJECT", "REPORTED", "REJECTED", "STAFF"),
        ("ARCHIVE", "REJECTED", "ARCHIVED", "STAFF"),
    ]
    # The reporter sees the outcome among their own reports; the original is untouched.
    mine = {c["id"]: c["state"] for c in api.my_cases(cw.resident_id)}
    assert mine == {duplicate["id"]: "ARCHIVED"}
    assert api.full(cw.grid_worker_id, original)["state"] == "REPORTED"
    assert [e["caseId"] for e in api.inbox(community, cw.world.a.community.id)] == [original["id"]]
    assert api.stats(cw.dispatcher_id, cw.world.a.grid.id, DAY) == zero_counters(reported=2)
