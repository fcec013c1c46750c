"""What a front-end developer trips on (issue 16), each point through GraphQL over both
transports (ASGI and Lambda events): one's own data, idempotency keys, CONFLICT, supervision,
the dispatcher's inbox, the current holder, partial results, global ids, public figures,
self-service applications, the closing policy and messages in the caller's language."""

from __future__ import annotations

from api.domain.people import mask_phone
from tests.case_world import CaseApi, person_gid

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
