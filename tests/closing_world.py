"""Helpers of the closing tests (核查 and the evaluation window, README "Closing"): set the
district's closing policy through GraphQL, walk a case to RESOLVED, read what closing shows."""

from __future__ import annotations

from typing import Any

from tests.case_world import CaseApi, unit_gid

ERRORS = "errors { code field message }"
UPDATE_POLICY = f"""
mutation($input: UpdateTimePolicyInput!) {{
  updateTimePolicy(input: $input) {{
    policy {{ version verificationRequired evaluationRequired evaluationWindowHours
             evaluationReminderHours }}
    {ERRORS}
  }}
}}"""
CLOSING = """
query($id: ID!) {
  case(id: $id) {
    state level assigneeName reworkCount satisfaction closure verificationPending
    evaluationRequired evaluationDueAt dueAt allowedActions timer { kind }
    timeline { seq action fromState toState actorRole note }
  }
}"""
MY_NOTICES = "{ caseNotices(first: 50) { nodes { caseId code kind message } } }"
FIGURES = """
query($unit: ID!, $day: String!) {
  unitFigures(unitId: $unit, period: MONTH, day: $day) {
    resolved closed evaluated satisfied reopened verified verificationFailed
    verificationFailureRate closedNotEvaluated notEvaluatedShare
  }
}"""
LEVELS = ("GRID", "COMMUNITY", "STREET", "DISTRICT", "TOP")


def set_closing(
    api: CaseApi,
    *,
    verification: bool = False,
    evaluation: bool = False,
    window: float | None = None,
    reminder: float = 24.0,
) -> dict[str, Any]:
    """The district's next policy version with these closing rules (limits as generous as the
    default's, so no clock of a test breaches by accident); the version saved."""
    data = {
        "districtId": unit_gid(api.cw.district.id),
        "defaults": [{"level": level, "responseHours": 8, "resolveHours": 40} for level in LEVELS],
        "verificationRequired": verification,
        "evaluationRequired": evaluation,
        "evaluationWindowHours": window,
        "evaluationReminderHours": reminder,
    }
    payload = api.data(UPDATE_POLICY, {"input": data}, api.cw.world.district_admin_id)
    assert payload["errors"] == [], payload["errors"]
    policy: dict[str, Any] = payload["policy"]
    return policy


def resolved_at(api: CaseApi, level: str = "GRID") -> dict[str, Any]:
    """A case of street A reported, accepted, dispatched to ``level`` (GRID or COMMUNITY),
    signed for and resolved by the unit there (the grid worker, or the community's
    dispatcher); the case after the resolution."""
    cw = api.cw
    handler = cw.grid_worker_id if level == "GRID" else cw.community_dispatcher_id
    case = api.report()
    api.act("acceptCase", cw.community_dispatcher_id, case, mode="ASSIGNED", category="PARKING")
    api.act("assignCase", cw.community_dispatcher_id, case, level=level)
    api.act("startCase", handler, case)
    return api.act("resolveCase", handler, case, result="已清理并恢复通行")


def closing(api: CaseApi, case: dict[str, Any], as_: str | None = None) -> dict[str, Any]:
    """What the case shows of its closing, as ``as_`` (the community dispatcher by default)."""
    found: dict[str, Any] = api.data(
        CLOSING, {"id": case["id"]}, as_ or api.cw.community_dispatcher_id
    )
    return found


def figures(api: CaseApi, unit_id: str, day: str) -> dict[str, Any]:
    """The unit's figures for the month of ``day``, as the governance centre sees them."""
    variables = {"unit": unit_gid(unit_id), "day": day}
    found: dict[str, Any] = api.data(FIGURES, variables, api.cw.dispatcher_id)
    return found


def steps(case: dict[str, Any]) -> list[tuple[str, str]]:
    """(action, actor role) of each timeline event."""
    return [(e["action"], e["actorRole"]) for e in case["timeline"]]
