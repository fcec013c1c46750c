"""核查 (verification) of a resolved case through GraphQL over both transports (issue 14.4):
when the policy asks for it nothing is evaluated or closed before a dispatcher of the case's
community or above — never its handler — passed the result; a failed check sends the case
back to the same holder and counts; a retried verification is recorded once (README
"Closing")."""

from __future__ import annotations

from datetime import timedelta

from api.domain.clock import FixedClock, iso
from api.services.deadlines import policies
from api.services.deadlines.sweep import sweep
from api.store.db import Db
from infra import demo_data
from tests.case_world import CaseApi, CaseWorld
from tests.closing_world import closing, figures, resolved_at, set_closing, steps

MONTH = "2026-11-23"


def test_a_passed_check_opens_the_evaluation_window(
    case_api: CaseApi, db: Db, clock: FixedClock
) -> None:
    api, cw = case_api, case_api.cw
    set_closing(api, verification=True, evaluation=True, window=72, reminder=24)
    case = resolved_at(api)
    shown = closing(api, case)
    assert (shown["verificationPending"], shown["evaluationRequired"]) == (True, True)
    assert (shown["allowedActions"], shown["timer"], shown["evaluationDueAt"]) == (
        ["VERIFY"], None, None,
    )  # fmt: skip

    # Neither the resident's evaluation nor staff's closing before 核查; nothing written.
    early = api.refused("evaluateCase", cw.resident_id, caseId=case["id"], satisfaction="SATISFIED")
    assert (early["code"], early["field"]) == ("VERIFICATION_PENDING", "caseId")
    assert "核查" in early["message"]
    closed = api.refused("closeCase", cw.community_dispatcher_id, caseId=case["id"])
    assert closed["code"] == "VERIFICATION_PENDING"
    sweep(db, clock.now() + timedelta(days=10))  # no window runs before the check
    assert closing(api, case)["timeline"] == shown["timeline"]

    clock.advance(timedelta(hours=2))
    verified = api.act(
        "verifyCase", cw.community_dispatcher_id, case, passed=True, note="现场核查，通道已畅通"
    )
    assert verified["state"] == "RESOLVED"
    after = closing(api, case)
    assert after["verificationPending"] is False and after["timer"] == {"kind": "EVALUATION"}
    assert after["evaluationDueAt"] == iso(clock.now() + timedelta(hours=72))
    last = after["timeline"][-1]
    assert (last["action"], last["fromState"], last["toState"], last["note"]) == (
        "VERIFY", "RESOLVED", "RESOLVED", "现场核查，通道已畅通",
    )  # fmt: skip
    assert sorted(after["allowedActions"]) == ["EVALUATE"]  # closing still waits for the resident
    api.act("evaluateCase", cw.resident_id, case, satisfaction="SATISFIED")
    api.act("closeCase", cw.community_dispatcher_id, case)
    month = figures(api, cw.world.a.grid.id, MONTH)
    assert (month["verified"], month["verificationFailed"], month["reopened"]) == (1, 0, 0)
    assert month["verificationFailureRate"] == 0.0


def test_a_failed_check_sends_the_case_back_to_its_holder_and_counts(
    case_api: CaseApi, db: Db, clock: FixedClock
) -> None:
    api, cw = case_api, case_api.cw
    set_closing(api, verification=True, evaluation=True, window=72, reminder=24)
    case = resolved_at(api)
    # A failed check says why.
    bare = api.refused("verifyCase", cw.community_dispatcher_id, caseId=case["id"], passed=False)
    assert (bare["code"], bare["field"]) == ("INVALID_INPUT", "note")

    back = api.act(
        "verifyCase", cw.community_dispatcher_id, case, passed=False, note="现场仍有车辆堵塞"
    )
    assert (back["state"], back["level"], back["reworkCount"]) == ("IN_PROGRESS", "GRID", 1)
    assert back["assigneeName"] == case["assigneeName"]  # the same holder
    shown = closing(api, case)
    assert shown["timer"] == {"kind": "RESOLVE"}  # a new handling clock, in a new cycle
    last = shown["timeline"][-1]
    assert (last["action"], last["fromState"], last["toState"], last["note"]) == (
        "VERIFY_FAILED", "RESOLVED", "IN_PROGRESS", "现场仍有车辆堵塞",
    )  # fmt: skip
    month = figures(api, cw.world.a.grid.id, MONTH)
    assert (month["verified"], month["verificationFailed"], month["reopened"]) == (0, 1, 1)
    assert month["verificationFailureRate"] == 1.0

    # Resolved again, the check is owed again; passed, the case goes on.
    api.act("resolveCase", cw.grid_worker_id, case, result="已清理，车辆已移走")
    assert closing(api, case)["verificationPending"] is True
    api.act("verifyCase", cw.community_dispatcher_id, case, passed=True)
    month = figures(api, cw.world.a.grid.id, MONTH)
    assert (month["verified"], month["verificationFailed"], month["resolved"]) == (1, 1, 2)
    assert month["verificationFailureRate"] == 0.5
    assert [a for a, _ in steps(closing(api, case))].count("VERIFY_FAILED") == 1


def test_who_may_verify(case_api: CaseApi) -> None:
    api, cw = case_api, case_api.cw
    set_closing(api, verification=True)
    case = resolved_at(api)
    for person in (cw.grid_worker_id, cw.resident_id):  # the handler's grid, the reporter
        error = api.refused("verifyCase", person, caseId=case["id"], passed=True)
        assert (error["code"], error["field"]) == ("FORBIDDEN", "caseId")
    outsider = api.refused("verifyCase", cw.world.b.admin_id, caseId=case["id"], passed=True)
    assert outsider["code"] == "NOT_FOUND"  # another street does not learn the case exists
    assert closing(api, case)["verificationPending"] is True  # nothing written

    # A case the community's dispatcher handled and resolved: not theirs to check.
    own = resolved_at(api, "COMMUNITY")
    error = api.refused("verifyCase", cw.community_dispatcher_id, caseId=own["id"], passed=True)
    assert (error["code"], error["field"]) == ("FORBIDDEN", "caseId")
    assert "办理人" in error["message"]
    checked = api.act("verifyCase", cw.street_admin_id, own, passed=True)  # the street checks
    assert checked["allowedActions"] == ["CLOSE", "EVALUATE"]  # no evaluation required here
    # The district's command centre may check a street's case too.
    api.act("verifyCase", cw.dispatcher_id, case, passed=True)


def test_a_retried_verification_is_recorded_once(case_api: CaseApi) -> None:
    api, cw = case_api, case_api.cw
    set_closing(api, verification=True)
    case = resolved_at(api)
    verifier = cw.community_dispatcher_id
    values = {"caseId": case["id"], "passed": True, "note": "已核查", "idempotencyKey": "chk-1"}
    first = api.ok("verifyCase", verifier, **values)
    again = api.ok("verifyCase", verifier, **values)  # the network dropped the first answer
    assert again == first
    assert [a for a, _ in steps(closing(api, case))].count("VERIFY") == 1
    assert figures(api, cw.world.a.grid.id, MONTH)["verified"] == 1
    changed = api.refused("verifyCase", verifier, **{**values, "passed": False})
    assert (changed["code"], changed["field"]) == ("IDEMPOTENCY_MISMATCH", "idempotencyKey")
    # Without a key a second check is simply not allowed any more; for another dispatcher
    # checking at the same moment it is the race they lost.
    twice = api.refused("verifyCase", verifier, caseId=case["id"], passed=True)
    assert twice["code"] == "INVALID_TRANSITION"
    lost = api.refused("verifyCase", cw.street_admin_id, caseId=case["id"], passed=False, note="x")
    assert (lost["code"], lost["field"]) == ("CONFLICT", "caseId")
    assert "VERIFY" in lost["message"]


def test_the_demo_district_turns_the_closing_rules_on(
    db: Db, clock: FixedClock, case_world: CaseWorld
) -> None:
    district = case_world.district
    assert (
        demo_data._seed_closing_policy(db, clock, district.id, case_world.world.district_admin_id)
        == 1
    )
    policy = policies.policy_in_force(db, district.id)
    assert (policy.version, policy.verification_required, policy.evaluation_required) == (
        2, True, True,
    )  # fmt: skip
    assert (policy.evaluation_window_hours, policy.evaluation_reminder_hours) == (72.0, 24.0)
    assert ("shibei-closing-policy-v1", demo_data._seed_closing_policy) in demo_data.EXTRA_SEEDS
