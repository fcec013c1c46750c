"""What a front-end developer trips on (issue 16), each point through GraphQL over both
transports (ASGI and Lambda events): one's own data, idempotency keys, CONFLICT, supervision,
the dispatcher's inbox, the current holder, partial results, global ids, public figures,
self-service applications, the closing policy and messages in the caller's language."""

from __future__ import annotations

from datetime import timedelta

from api.domain.clock import FixedClock, iso
from api.domain.people import mask_phone
from api.services.deadlines.sweep import sweep
from api.store.db import Db
from tests.case_world import CaseApi, person_gid, unit_gid
from tests.closing_world import MY_NOTICES, closing, figures, resolved_at, set_closing, steps

RESIDENT_PHONE = "13900001002"  # street A's resident (tests/world.py)

VIEWER = "{ viewer { person { id phone } } }"


# 3. One's own data


def test_a_person_sees_their_own_phone_in_full(case_api: CaseApi) -> None:
    api, cw = case_api, case_api.cw
    viewer = api.data(VIEWER, None, cw.resident_id)
    assert viewer["person"] == {"id": person_gid(cw.resident_id), "phone": RESIDENT_PHONE}

    case = api.report()
    assert api.full(cw.resident_id, case)["reporter"]["phone"] == RESIDENT_PHONE
    # The handling chain still sees it masked.
    assert api.full(cw.grid_worker_id, case)["reporter"]["phone"] == mask_phone(RESIDENT_PHONE)
    person = api.data(
        "query($id: ID!) { person(id: $id) { phone } }",
        {"id": person_gid(cw.resident_id)},
        cw.grid_worker_id,
    )
    assert person["phone"] == mask_phone(RESIDENT_PHONE)


# 4. Idempotency keys: same key + same input replays; same key + other input is refused


def test_a_reused_report_key_with_another_input_is_refused(case_api: CaseApi) -> None:
    api = case_api
    first = api.report(idempotencyKey="mp-report-1")
    assert api.report(idempotencyKey="mp-report-1")["id"] == first["id"]  # a retry: same case
    error = api.refused(
        "reportCase",
        api.cw.resident_id,
        **api.report_input(description="另一件事：路灯不亮", idempotencyKey="mp-report-1"),
    )
    assert (error["code"], error["field"]) == ("IDEMPOTENCY_MISMATCH", "idempotencyKey")
    assert len(api.my_cases(api.cw.resident_id)) == 1  # nothing written


POST_POINTS = """
mutation($input: PostPointsInput!) {
  postPoints(input: $input) { entry { at amount reason } errors { code field message } }
}"""


def test_a_reused_points_key_with_another_amount_is_refused(case_api: CaseApi) -> None:
    api, cw = case_api, case_api.cw
    posting = {
        "account": "SERVICE_HOURS",
        "holderId": person_gid(cw.resident_id),
        "amount": 2,
        "source": "SERVICE",
        "reason": "社区志愿服务",
        "idempotencyKey": "hours-1",
    }
    admin = cw.world.district_admin_id
    first = api.data(POST_POINTS, {"input": posting}, admin)
    assert first["errors"] == []
    again = api.data(POST_POINTS, {"input": posting}, admin)
    assert again == first
    changed = api.data(POST_POINTS, {"input": {**posting, "amount": 3}}, admin)
    assert changed["entry"] is None
    assert [(e["code"], e["field"]) for e in changed["errors"]] == [
        ("IDEMPOTENCY_MISMATCH", "idempotencyKey")
    ]


# 5. CONFLICT: the loser of two actions learns someone else acted, and the state now


def test_the_loser_of_two_accepts_gets_conflict_naming_the_state(case_api: CaseApi) -> None:
    api, cw = case_api, case_api.cw
    case = api.report()
    api.act(
        "acceptCase", cw.community_dispatcher_id, case, mode="ASSIGNED", category="HOUSING_SAFETY"
    )
    # The street's admin tapped "accept" on the same REPORTED case at the same moment.
    error = api.refused(
        "acceptCase",
        cw.street_admin_id,
        caseId=case["id"],
        mode="ASSIGNED",
        category="HOUSING_SAFETY",
    )
    assert (error["code"], error["field"]) == ("CONFLICT", "caseId")
    assert "ACCEPT" in error["message"] and "ACCEPTED" in error["message"]
    # Doing it oneself twice is no race: the state simply no longer allows it.
    again = api.refused(
        "acceptCase",
        cw.community_dispatcher_id,
        caseId=case["id"],
        mode="ASSIGNED",
        category="HOUSING_SAFETY",
    )
    assert again["code"] == "INVALID_TRANSITION"


# 6. Supervision (督办) is a timeline event


def test_a_missed_limit_writes_a_supervision_event_before_the_escalation(
    case_api: CaseApi, db: Db, clock: FixedClock
) -> None:
    api, cw = case_api, case_api.cw
    case = api.report()
    api.act(
        "acceptCase", cw.community_dispatcher_id, case, mode="ASSIGNED", category="HOUSING_SAFETY"
    )
    api.act("assignCase", cw.community_dispatcher_id, case, level="GRID")
    # Sweep well past the grid's limits: the warning, then the missed limit.
    for days in (3, 6, 9):
        sweep(db, clock.now() + timedelta(days=days))
    timeline = api.full(cw.community_dispatcher_id, case)["timeline"]
    steps = [(e["action"], e["level"], e["actorRole"]) for e in timeline]
    supervision = steps.index(("SUPERVISION", "GRID", "SYSTEM"))
    assert steps[supervision + 1] == ("ESCALATE", "COMMUNITY", "SYSTEM")
    assert "督办" in (timeline[supervision]["note"] or "")


# 1. The dispatcher's intake inbox


def test_new_reports_wait_in_the_community_dispatchers_inbox_oldest_first(
    case_api: CaseApi, clock: FixedClock
) -> None:
    api, cw = case_api, case_api.cw
    a = cw.world.a
    reported = []
    for text in ("楼道堆物", "路灯不亮", "井盖松动"):
        reported.append(api.report(description=text)["id"])
        clock.advance(timedelta(minutes=5))
    dispatcher = cw.community_dispatcher_id
    intake = api.inbox(dispatcher, a.community.id, state="REPORTED")
    assert [entry["caseId"] for entry in intake] == reported
    assert {(entry["role"], entry["level"]) for entry in intake} == {("INTAKE", "INTAKE")}
    assert api.inbox(cw.grid_worker_id, a.grid.id) == []  # not the grid's to accept
    api.ok("acceptCase", dispatcher, caseId=reported[0], mode="ASSIGNED", category="HOUSING_SAFETY")
    api.ok("assignCase", dispatcher, caseId=reported[0], level="GRID")
    assert [e["caseId"] for e in api.inbox(dispatcher, a.community.id)] == reported[1:]
    assert [e["caseId"] for e in api.inbox(cw.grid_worker_id, a.grid.id)] == [reported[0]]


# 2. Who holds the case, until when — the same as the inboxes, at every level

HOLDERS = """
query($id: ID!) {
  case(id: $id) { level assigneeName dueAt currentHolders { holderId name role taskStatus } }
}"""
DUE = """
query($unit: ID!) { caseInbox(unitId: $unit) { nodes { caseId role dueAt } } }
"""


def test_the_case_names_its_current_holders_and_due_time_at_district(case_api: CaseApi) -> None:
    api, cw = case_api, case_api.cw
    dispatcher = cw.dispatcher_id
    housing, gardens = unit_gid(cw.housing.id), unit_gid(cw.gardens.id)
    case = api.report(description="楼院内大树倒伏压坏围墙", category="GREENERY")
    intake = api.data(HOLDERS, {"id": case["id"]}, dispatcher)
    assert intake["currentHolders"] == [
        {"holderId": unit_gid(cw.world.a.community.id), "name": "无棣路社区", "role": "INTAKE",
         "taskStatus": None}
    ]  # fmt: skip
    api.act("acceptCase", dispatcher, case, mode="JOINT", category="GREENERY")
    api.act(
        "assignCase", dispatcher, case, level="DISTRICT", leadDepartmentId=housing,
        supportingDepartmentIds=[gardens],
    )  # fmt: skip
    seen = api.data(HOLDERS, {"id": case["id"]}, dispatcher)
    assert seen["level"] == "DISTRICT"
    assert [(h["holderId"], h["role"], h["taskStatus"]) for h in seen["currentHolders"]] == [
        (housing, "LEAD", "ASSIGNED"),
        (gardens, "SUPPORT", "ASSIGNED"),
    ]
    (entry,) = api.data(DUE, {"unit": housing}, cw.housing_staff_id)["nodes"]
    assert seen["dueAt"] is not None and entry["dueAt"] == seen["dueAt"]


# 10. One id format: the global id the API shows works where a raw id did (tokens, CLI)


def test_a_token_for_a_persons_global_id_signs_them_in(case_api: CaseApi) -> None:
    api, cw = case_api, case_api.cw
    as_global = api.mint(person_gid(cw.resident_id))  # what the CLI's mint-token now accepts
    response = api.client.query(VIEWER, None, as_global)
    assert response.status == 200 and not response.errors, response.body
    assert response.data["viewer"]["person"]["id"] == person_gid(cw.resident_id)


# 11. Public aggregate figures for any unit; the cases behind them staff-only

STATS_PUBLIC = """
query($unit: ID!, $day: String!) { caseStats(unitId: $unit, start: $day, end: $day) {
  day reported accepted } }
"""


def test_case_figures_are_public_and_the_cases_are_not(case_api: CaseApi) -> None:
    api, cw = case_api, case_api.cw
    api.report()
    community = unit_gid(cw.world.a.community.id)
    for who in (None, cw.resident_id, cw.world.b.resident_id):
        rows = api.data(STATS_PUBLIC, {"unit": community, "day": "2026-11-23"}, who)
        assert rows == [{"day": "2026-11-23", "reported": 1, "accepted": 0}], who
    listed = "query($scope: ID!) { cases(scopeId: $scope) { nodes { id } } }"
    assert api.query_error(listed, {"scope": community}, cw.resident_id)[0] == "FORBIDDEN"


# 9. Self-service: an enterprise applies to be a red partner; staff approve

REGISTER_PARTNER = """
mutation($input: RegisterPartnerInput!) {
  registerPartner(input: $input) { partner { id status } errors { code field message } }
}"""
CHANGE_PARTNER = """
mutation($input: ChangePartnerStatusInput!) {
  changePartnerStatus(input: $input) { partner { id status } errors { code field message } }
}"""


def test_an_enterprise_applies_itself_and_the_street_approves(case_api: CaseApi) -> None:
    api, cw = case_api, case_api.cw
    street = unit_gid(cw.world.a.street.id)
    applied = api.data(
        REGISTER_PARTNER,
        {"input": {"directoryUnitId": street, "kind": "ENTERPRISE", "name": "甲居民便民超市"}},
        cw.resident_id,
    )
    assert applied["errors"] == [] and applied["partner"]["status"] == "APPLIED"
    partner_id = applied["partner"]["id"]
    refused = api.data(
        CHANGE_PARTNER, {"input": {"partnerId": partner_id, "action": "APPROVE"}}, cw.resident_id
    )
    assert refused["partner"] is None and refused["errors"][0]["code"] == "FORBIDDEN"
    approved = api.data(
        CHANGE_PARTNER,
        {"input": {"partnerId": partner_id, "action": "APPROVE"}},
        cw.street_admin_id,
    )
    assert approved["errors"] == [] and approved["partner"]["status"] == "APPROVED"


# 12. Closing without the resident: whether evaluation is required before closing, and the
# evaluation window the sweeper ends as "not evaluated" (README "Closing")


def test_closing_waits_for_the_resident_and_the_sweeper_closes_it_as_not_evaluated(
    case_api: CaseApi, db: Db, clock: FixedClock
) -> None:
    api, cw = case_api, case_api.cw
    policy = set_closing(api, evaluation=True, window=72, reminder=24)
    assert policy == {
        "version": 2, "verificationRequired": False, "evaluationRequired": True,
        "evaluationWindowHours": 72.0, "evaluationReminderHours": 24.0,
    }  # fmt: skip
    case = resolved_at(api)
    resolved_at_time = clock.now()
    shown = closing(api, case)
    assert (shown["state"], shown["evaluationRequired"], shown["timer"]) == (
        "RESOLVED", True, {"kind": "EVALUATION"},
    )  # fmt: skip
    assert shown["evaluationDueAt"] == iso(resolved_at_time + timedelta(hours=72))
    assert shown["dueAt"] is None  # the window is the resident's, not the holder's deadline
    assert "CLOSE" not in shown["allowedActions"] and "EVALUATE" in shown["allowedActions"]

    # Staff may not close while the resident may still evaluate; nothing is written.
    error = api.refused("closeCase", cw.community_dispatcher_id, caseId=case["id"])
    assert (error["code"], error["field"]) == ("EVALUATION_PENDING", "caseId")
    assert "评价" in error["message"]
    assert closing(api, case)["timeline"] == shown["timeline"]

    # Before the reminder nothing fires; at 48 h the reporter is reminded, once.
    reminders = ("EVALUATION_REMINDER", "SYSTEM")
    sweep(db, resolved_at_time + timedelta(hours=47))
    assert reminders not in steps(closing(api, case))
    for _ in range(2):  # a second sweeper run at the same time sends nothing more
        sweep(db, resolved_at_time + timedelta(hours=48, minutes=1))
    assert steps(closing(api, case)).count(reminders) == 1
    notices = api.data(MY_NOTICES, None, cw.resident_id)["nodes"]
    assert [(n["caseId"], n["kind"]) for n in notices] == [(case["id"], "EVALUATION_REMINDER")]
    assert case["code"] in notices[0]["message"] and "评价" in notices[0]["message"]
    assert closing(api, case)["state"] == "RESOLVED"

    # At the window's end the sweeper closes it as not evaluated, exactly once.
    for _ in range(2):
        sweep(db, resolved_at_time + timedelta(hours=72, minutes=1))
    closed = closing(api, case)
    assert (closed["state"], closed["closure"], closed["satisfaction"]) == (
        "CLOSED", "NOT_EVALUATED", None,
    )  # fmt: skip
    assert closed["evaluationDueAt"] is None and closed["timer"] is None
    last = closed["timeline"][-1]
    assert (last["action"], last["fromState"], last["toState"], last["actorRole"]) == (
        "CLOSE", "RESOLVED", "CLOSED", "SYSTEM",
    )  # fmt: skip
    assert "未评价" in last["note"]
    assert steps(closed).count(("CLOSE", "SYSTEM")) == 1
    # Counted as closed and as closed without an evaluation, never as evaluated or satisfied.
    month = figures(api, cw.world.a.grid.id, "2026-11-23")
    assert (month["closed"], month["closedNotEvaluated"], month["notEvaluatedShare"]) == (1, 1, 1.0)
    assert (month["evaluated"], month["satisfied"]) == (0, 0)


def test_an_evaluation_inside_the_window_cancels_it(
    case_api: CaseApi, db: Db, clock: FixedClock
) -> None:
    api, cw = case_api, case_api.cw
    set_closing(api, evaluation=True, window=72, reminder=24)
    case = resolved_at(api)
    api.act("evaluateCase", cw.resident_id, case, satisfaction="SATISFIED", comment="很及时")
    evaluated = closing(api, case)
    assert (evaluated["state"], evaluated["evaluationDueAt"], evaluated["timer"]) == (
        "EVALUATED", None, None,
    )  # fmt: skip
    sweep(db, clock.now() + timedelta(days=5))  # no reminder, no closing by the system
    assert closing(api, case)["timeline"] == evaluated["timeline"]
    closed = api.act("closeCase", cw.community_dispatcher_id, case)
    assert closed["state"] == "CLOSED"
    assert closing(api, case)["closure"] == "EVALUATED"
    month = figures(api, cw.world.a.grid.id, "2026-11-23")
    assert (month["closed"], month["closedNotEvaluated"], month["evaluated"]) == (1, 0, 1)


def test_an_unsatisfied_evaluation_reopened_runs_no_window_until_resolved_again(
    case_api: CaseApi, db: Db, clock: FixedClock
) -> None:
    api, cw = case_api, case_api.cw
    set_closing(api, evaluation=True, window=72, reminder=24)
    case = resolved_at(api)
    api.act("evaluateCase", cw.resident_id, case, satisfaction="UNSATISFIED", comment="没修好")
    api.act("reopenCase", cw.community_dispatcher_id, case, reason="居民不满意，返工")
    reopened = closing(api, case)
    assert (reopened["state"], reopened["timer"], reopened["evaluationDueAt"]) == (
        "IN_PROGRESS", {"kind": "RESOLVE"}, None,
    )  # fmt: skip
    sweep(db, clock.now() + timedelta(hours=80))  # the old window fires nothing
    assert ("CLOSE", "SYSTEM") not in steps(closing(api, case))


def test_without_a_closing_policy_staff_close_a_resolved_case_at_once(case_api: CaseApi) -> None:
    api, cw = case_api, case_api.cw
    case = resolved_at(api)
    shown = closing(api, case)
    assert (shown["evaluationRequired"], shown["verificationPending"], shown["timer"]) == (
        False, False, None,
    )  # fmt: skip
    api.act("closeCase", cw.community_dispatcher_id, case)
    assert closing(api, case)["closure"] == "BY_STAFF"
