"""What a front-end developer trips on (issue 16), each point through GraphQL over both
transports (ASGI and Lambda events): one's own data, idempotency keys, CONFLICT, supervision,
the dispatcher's inbox, the current holder, partial results, global ids, public figures,
self-service applications, the closing policy and messages in the caller's language."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from api.domain.clock import FixedClock, iso
from api.domain.ids import from_global_id
from api.domain.messages import STORED_PREFIX
from api.domain.people import mask_phone
from api.services.deadlines.sweep import sweep
from api.store.db import Db
from tests.case_world import MUTATIONS, CaseApi, person_gid, unit_gid
from tests.closing_world import MY_NOTICES, closing, figures, resolved_at, set_closing, steps
from tests.conftest import Tokens
from tests.graphql_client import GraphQLClient
from tests.topic_world import TopicApi, build_topic_world

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


def past_the_grid_limits(api: CaseApi, db: Db, clock: FixedClock) -> dict[str, Any]:
    """A case dispatched to its grid, swept well past the grid's limits: the warning, then
    the missed limit (督办) and the escalation it causes."""
    cw = api.cw
    case = api.report()
    api.act(
        "acceptCase", cw.community_dispatcher_id, case, mode="ASSIGNED", category="HOUSING_SAFETY"
    )
    api.act("assignCase", cw.community_dispatcher_id, case, level="GRID")
    for days in (3, 6, 9):
        sweep(db, clock.now() + timedelta(days=days))
    return case


def test_a_missed_limit_writes_a_supervision_event_before_the_escalation(
    case_api: CaseApi, db: Db, clock: FixedClock
) -> None:
    api, cw = case_api, case_api.cw
    case = past_the_grid_limits(case_api, db, clock)
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


# 7. Messages in the users' language

ENGLISH = {"accept-language": "en-US,en;q=0.9"}
CHINESE_FIRST = {"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"}
CLOSE_CASE = (
    f"mutation($input: {MUTATIONS['closeCase']}!) {{ closeCase(input: $input) "
    "{ case { id } errors { code field message } } }"
)


def test_a_refused_mutation_answers_in_chinese_by_default_and_in_english_on_request(
    case_api: CaseApi,
) -> None:
    api, cw = case_api, case_api.cw
    case = api.report()
    token = api.token(cw.community_dispatcher_id)

    def refusal(headers: dict[str, str] | None) -> dict[str, Any]:
        response = api.client.query(CLOSE_CASE, {"input": {"caseId": case["id"]}}, token, headers)
        assert response.status == 200, response.body
        payload: dict[str, Any] = response.data["closeCase"]
        assert payload["case"] is None
        assert len(payload["errors"]) == 1, payload
        error: dict[str, Any] = payload["errors"][0]
        return error

    chinese, english, preferred = refusal(None), refusal(ENGLISH), refusal(CHINESE_FIRST)
    assert chinese == {
        "code": "INVALID_TRANSITION",
        "field": "action",
        "message": "当前状态 REPORTED 下不允许执行 CLOSE；可执行：ACCEPT, REJECT",
    }
    assert english == {
        **chinese,
        "message": "CLOSE is not allowed in state REPORTED; allowed: ACCEPT, REJECT",
    }
    assert preferred == chinese
    assert api.full(cw.community_dispatcher_id, case)["state"] == "REPORTED"  # nothing written


def test_a_query_error_keeps_its_code_in_either_language(case_api: CaseApi) -> None:
    api = case_api
    query = "query($id: ID!) { case(id: $id) { id } }"
    token = api.token(api.cw.resident_id)
    answers = [
        api.client.query(query, {"id": "not-an-id"}, token, headers) for headers in (None, ENGLISH)
    ]
    assert [a.error_codes for a in answers] == [["INVALID_ID"], ["INVALID_ID"]]
    chinese, english = (a.errors[0]["message"] for a in answers)
    assert chinese == "ID 'not-an-id' 不是有效的全局 ID"
    assert english == "ID 'not-an-id' is not a valid global id"


def test_a_refused_token_and_a_malformed_body_answer_in_the_callers_language(
    case_api: CaseApi,
) -> None:
    client = case_api.client
    refused = [client.query(VIEWER, None, "not-a-jwt", headers) for headers in (None, ENGLISH)]
    assert [r.status for r in refused] == [401, 401]
    assert [r.error_codes for r in refused] == [["UNAUTHENTICATED"], ["UNAUTHENTICATED"]]
    assert [r.errors[0]["message"] for r in refused] == [
        "令牌无效，请重新登录",
        "The token is not valid; please sign in again",
    ]
    bodies = [
        client.post_bytes(b'{"query": ', {"content-type": "application/json", **headers})
        for headers in ({}, ENGLISH)
    ]
    assert [(b.status, b.error_codes) for b in bodies] == [(400, ["BAD_REQUEST"])] * 2
    assert [b.errors[0]["message"] for b in bodies] == [
        "请求体不是有效的 JSON",
        "The request body is not valid JSON",
    ]


TOPIC_DECISION = """query($id: ID!) { topic(id: $id) {
  state decisionReason log { action note } } }"""
TOPIC_NOTICES = "{ topicNotices { nodes { kind message } } }"


def test_a_topics_decision_reason_is_stored_neutral_and_shown_in_the_readers_language(
    client: GraphQLClient, token: Tokens, db: Db, clock: FixedClock
) -> None:
    tw = build_topic_world(db, clock)
    api = TopicApi(client, token, tw)
    author = tw.residents[0]
    topic = api.propose(author, "楼道灯不亮", "3号楼院楼道灯坏了一个月，请尽快修理。")
    today = clock.now().date().isoformat()
    api.ok(
        "recordTopicInvestigation", "TopicInvestigationInput",
        {"topicId": topic, "findings": "确需更换", "feasible": True, "date": today},
        tw.secretary_id, "topic { id }",
    )  # fmt: skip
    api.ok("openTopicVoting", "TopicInput", {"topicId": topic}, tw.secretary_id, "topic { id }")
    for person in tw.residents[:5]:
        assert api.vote(person, topic, "FOR")["errors"] == []
    clock.advance(timedelta(hours=73))
    assert sweep(db, clock.now()).fired == 1

    signed_in = api.mint(author)

    def seen(headers: dict[str, str] | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        shown = client.query(TOPIC_DECISION, {"id": topic}, signed_in, headers)
        notices = client.query(TOPIC_NOTICES, None, signed_in, headers)
        assert not shown.errors and not notices.errors, (shown.body, notices.body)
        return shown.data["topic"], notices.data["topicNotices"]["nodes"]

    (chinese, chinese_notices), (english, english_notices) = seen(None), seen(ENGLISH)
    assert chinese["state"] == english["state"] == "ADOPTED"
    assert chinese["decisionReason"] == "通过：赞成 5 票，反对 0 票，弃权 0 票"
    assert english["decisionReason"] == "Adopted: for 5, against 0, abstain 0"
    notes = {e["action"]: e["note"] for e in chinese["log"]}
    english_notes = {e["action"]: e["note"] for e in english["log"]}
    assert notes["CLOSE_ADOPTED"] == chinese["decisionReason"]
    assert english_notes["CLOSE_ADOPTED"] == english["decisionReason"]
    assert notes["INVESTIGATE"] == "可行：确需更换"
    assert english_notes["INVESTIGATE"] == "Feasible: 确需更换"  # what people typed stays
    assert english_notes["OPEN_VOTING"].startswith("Voting opened: electorate ")
    adopted = next(n for n in chinese_notices if n["kind"] == "ADOPTED")
    assert adopted["message"] == "议题通过，立项办理：通过：赞成 5 票，反对 0 票，弃权 0 票"
    english_adopted = next(n for n in english_notices if n["kind"] == "ADOPTED")
    assert english_adopted["message"] == (
        "The topic was adopted and becomes a case: Adopted: for 5, against 0, abstain 0"
    )
    # Stored language-neutral: the table holds no rendered text, old plain rows still show.
    stored = db.topics.get(from_global_id(topic, "Topic")[1])
    assert stored is not None and stored.decision_reason is not None
    assert stored.decision_reason.startswith(STORED_PREFIX)


def test_a_supervision_note_is_shown_in_the_readers_language(
    case_api: CaseApi, db: Db, clock: FixedClock
) -> None:
    api, cw = case_api, case_api.cw
    case = past_the_grid_limits(case_api, db, clock)
    query = "query($id: ID!) { case(id: $id) { timeline { action note } } }"
    token = api.token(cw.community_dispatcher_id)
    timelines = [
        api.client.query(query, {"id": case["id"]}, token, headers).data["case"]["timeline"]
        for headers in (None, ENGLISH)
    ]
    chinese, english = (
        next(e["note"] for e in timeline if e["action"] == "SUPERVISION") for timeline in timelines
    )
    assert chinese.startswith("督办：案件 ") and "在网格超过签收时限" in chinese
    assert english.startswith("Supervision: case ") and "missed its response limit at the grid" in (
        english
    )


# 8. A forbidden sub-field is null at its own path

UNIT_WITH_STAFF_FIELDS = """
query($id: ID!) { orgUnit(id: $id) {
  name
  residents { nodes { name } }
  roleGrants { nodes { role } }
  children(archived: true) { nodes { name } }
} }"""


def test_a_forbidden_sub_field_is_null_at_its_own_path_and_the_unit_survives(
    case_api: CaseApi,
) -> None:
    api, cw = case_api, case_api.cw
    grid = unit_gid(cw.world.a.grid.id)
    response = api.query(UNIT_WITH_STAFF_FIELDS, {"id": grid}, cw.resident_id)
    assert response.data["orgUnit"] == {
        "name": "第一网格",
        "residents": None,
        "roleGrants": None,
        "children": None,
    }, response.body
    refused = {
        tuple(error["path"]): (error.get("extensions") or {}).get("code")
        for error in response.errors
    }
    assert refused == {
        ("orgUnit", "residents"): "FORBIDDEN",
        ("orgUnit", "roleGrants"): "FORBIDDEN",
        ("orgUnit", "children"): "FORBIDDEN",
    }, response.body
    # Signed out: the same shape, asked to sign in.
    anonymous = api.query(UNIT_WITH_STAFF_FIELDS, {"id": grid}, None)
    assert anonymous.data["orgUnit"]["name"] == "第一网格"
    assert {e.get("extensions", {}).get("code") for e in anonymous.errors} == {"UNAUTHENTICATED"}
    # The grid's own worker sees them all.
    staff = api.data(UNIT_WITH_STAFF_FIELDS, {"id": grid}, cw.grid_worker_id)
    assert staff["roleGrants"]["nodes"] == [{"role": "GRID_WORKER"}]
    assert staff["residents"] == {"nodes": [{"name": "甲网格员"}]}
    assert staff["children"] == {"nodes": []}


def test_a_forbidden_field_in_a_list_nulls_only_that_entry_field(case_api: CaseApi) -> None:
    api, cw = case_api, case_api.cw
    document = """
    query($id: ID!) { orgUnit(id: $id) {
      children { nodes { name residents { nodes { name } } } }
    } }"""
    response = api.query(document, {"id": unit_gid(cw.world.a.grid.id)}, cw.resident_id)
    assert response.data["orgUnit"]["children"]["nodes"] == [
        {"name": "12号楼院", "residents": None}
    ], response.body
    assert [(e["path"], e["extensions"]["code"]) for e in response.errors] == [
        (["orgUnit", "children", "nodes", 0, "residents"], "FORBIDDEN")
    ]


# 9. Self-service, the second half: a resident joins their grid; the grid's deciders approve

APPLY = """
mutation($input: ApplyToJoinGridInput!) {
  applyToJoinGrid(input: $input) {
    application { id state note applicantName grid { name } homeUnit { name } }
    errors { code field message }
  }
}"""
DECIDE = """
mutation($input: DecideGridApplicationInput!) {
  decideGridApplication(input: $input) {
    application { id state reason decidedAt } errors { code field message }
  }
}"""
MY_APPLICATIONS = "{ myGridApplications { nodes { id state grid { name } } } }"
QUEUE = """
query($unit: ID!) { gridApplications(unitId: $unit, state: APPLIED) {
  nodes { id applicantName note } } }"""
HOME = "{ viewer { person { homeUnit { id name } } } }"
RESIDENTS = "query($id: ID!) { orgUnit(id: $id) { residents { nodes { name } } } }"


def _codes(payload: dict[str, object]) -> list[tuple[object, object]]:
    errors = payload["errors"]
    assert isinstance(errors, list)
    return [(e["code"], e["field"]) for e in errors]


def test_a_resident_applies_to_join_a_grid_and_its_grid_worker_approves(
    case_api: CaseApi,
) -> None:
    api, cw = case_api, case_api.cw
    a, b = cw.world.a, cw.world.b
    mover = cw.resident_id  # lives in street A's grid, moves to street B's
    # Already living there: a typed error, nothing written.
    here = api.data(APPLY, {"input": {"gridId": unit_gid(a.grid.id)}}, mover)
    assert here["application"] is None and _codes(here) == [("ALREADY_EXISTS", "gridId")]
    # A home outside the grid is refused.
    outside = api.data(
        APPLY, {"input": {"gridId": unit_gid(b.grid.id), "homeUnitId": unit_gid(a.building.id)}},
        mover,
    )  # fmt: skip
    assert _codes(outside) == [("INVALID_HIERARCHY", "homeUnitId")]
    assert api.data(MY_APPLICATIONS, None, mover)["nodes"] == []

    wanted = {
        "gridId": unit_gid(b.grid.id),
        "homeUnitId": unit_gid(b.building.id),
        "note": "刚搬到大港路1号",
        "idempotencyKey": "join-1",
    }
    applied = api.data(APPLY, {"input": wanted}, mover)
    assert applied["errors"] == [], applied
    application = applied["application"]
    assert application["state"] == "APPLIED" and application["applicantName"] == "甲居民"
    assert application["grid"] == {"name": "第一网格"}
    assert application["homeUnit"] == {"name": "12号楼院"}
    # A retry replays; the same key with another input is refused; one open application.
    assert api.data(APPLY, {"input": wanted}, mover)["application"]["id"] == application["id"]
    mismatch = api.data(APPLY, {"input": {**wanted, "note": "另一个地址"}}, mover)
    assert _codes(mismatch) == [("IDEMPOTENCY_MISMATCH", "idempotencyKey")]
    second = api.data(APPLY, {"input": {**wanted, "idempotencyKey": "join-2"}}, mover)
    assert _codes(second) == [("ALREADY_EXISTS", None)]
    assert [n["id"] for n in api.data(MY_APPLICATIONS, None, mover)["nodes"]] == [application["id"]]

    # The deciders' queue: B's grid worker (that grid) and B's street admin; not A's staff.
    queue = api.data(QUEUE, {"unit": unit_gid(b.grid.id)}, b.staff_id)
    assert queue["nodes"] == [
        {"id": application["id"], "applicantName": "甲居民", "note": "刚搬到大港路1号"}
    ]
    community_queue = api.data(QUEUE, {"unit": unit_gid(b.community.id)}, b.admin_id)
    assert [n["id"] for n in community_queue["nodes"]] == [application["id"]]
    assert api.query_error(QUEUE, {"unit": unit_gid(b.grid.id)}, a.staff_id) == (
        "FORBIDDEN",
        None,
    )

    # Who may not decide: a grid worker of another grid, a resident of the grid, the
    # applicant. Nothing is written.
    approve = {"applicationId": application["id"], "approve": True}
    for refused_as in (a.staff_id, b.resident_id, mover, cw.community_dispatcher_id):
        refused = api.data(DECIDE, {"input": approve}, refused_as)
        assert refused["application"] is None and _codes(refused) == [("FORBIDDEN", None)]
    no_reason = api.data(DECIDE, {"input": {**approve, "approve": False}}, b.staff_id)
    assert _codes(no_reason) == [("INVALID_INPUT", "reason")]
    assert api.data(MY_APPLICATIONS, None, mover)["nodes"][0]["state"] == "APPLIED"
    assert api.data(HOME, None, mover)["person"]["homeUnit"]["name"] == "1单元"

    # B's grid worker approves: the home moves in the same transaction.
    approved = api.data(DECIDE, {"input": {**approve, "reason": "已核实"}}, b.staff_id)
    assert approved["errors"] == [] and approved["application"]["state"] == "APPROVED"
    assert api.data(HOME, None, mover)["person"]["homeUnit"] == {
        "id": unit_gid(b.building.id),
        "name": "12号楼院",
    }
    moved_in = api.data(RESIDENTS, {"id": unit_gid(b.building.id)}, b.staff_id)
    assert moved_in["residents"]["nodes"] == [{"name": "甲居民"}]
    moved_out = api.data(RESIDENTS, {"id": unit_gid(a.unit_household.id)}, a.staff_id)
    assert moved_out["residents"]["nodes"] == []
    assert api.data(QUEUE, {"unit": unit_gid(b.grid.id)}, b.staff_id)["nodes"] == []

    # Decided once: the second decision names the state.
    again = api.data(DECIDE, {"input": {**approve, "approve": False, "reason": "重复"}}, b.admin_id)
    assert _codes(again) == [("CONFLICT", "applicationId")]
    assert "已通过" in again["errors"][0]["message"]
    # Now living there, a new application to the same grid is refused as such.
    back = api.data(APPLY, {"input": {"gridId": unit_gid(b.grid.id)}}, mover)
    assert _codes(back) == [("ALREADY_EXISTS", "gridId")]


def test_a_rejected_application_leaves_the_home_and_frees_the_applicant(case_api: CaseApi) -> None:
    api, cw = case_api, case_api.cw
    b = cw.world.b
    mover = cw.street_admin_id  # lives at street A's office, not in a grid
    applied = api.data(APPLY, {"input": {"gridId": unit_gid(b.grid.id)}}, mover)["application"]
    rejected = api.data(
        DECIDE,
        {"input": {"applicationId": applied["id"], "approve": False, "reason": "地址不符"}},
        b.admin_id,
    )
    assert rejected["errors"] == [] and rejected["application"]["state"] == "REJECTED"
    assert rejected["application"]["reason"] == "地址不符"
    assert api.data(HOME, None, mover)["person"]["homeUnit"]["id"] == unit_gid(cw.world.a.street.id)
    # The open application is gone: the applicant may apply again.
    again = api.data(APPLY, {"input": {"gridId": unit_gid(b.grid.id)}}, mover)
    assert again["errors"] == [] and again["application"]["id"] != applied["id"]


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
