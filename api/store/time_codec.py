"""Time-limit policies ⇄ the JSON stored on a policy version item."""

from __future__ import annotations

from typing import Any

from api.domain.cases import HandlingMode, Level
from api.domain.deadlines.policy import ANY, HourUnit, Limit, RuleKey, TimePolicy


def policy_to_json(policy: TimePolicy) -> dict[str, Any]:
    def limit(value: Limit) -> dict[str, Any]:
        return {
            "response": value.response_hours,
            "resolve": value.resolve_hours,
            "unit": value.unit.value,
        }

    return {
        "version": policy.version,
        "at_risk_fraction": policy.at_risk_fraction,
        "claim_hours": policy.claim_hours,
        "claim_unit": policy.claim_unit.value,
        "verification_required": policy.verification_required,
        "evaluation_required": policy.evaluation_required,
        "evaluation_window_hours": policy.evaluation_window_hours,
        "evaluation_reminder_hours": policy.evaluation_reminder_hours,
        "default": {level.value: limit(value) for level, value in policy.default.items()},
        "rules": [
            {"category": c, "mode": str(m), "level": lv.value, **limit(value)}
            for (c, m, lv), value in policy.rules.items()
        ],
    }


def policy_from_json(data: dict[str, Any]) -> TimePolicy:
    def limit(value: dict[str, Any]) -> Limit:
        return Limit(float(value["response"]), float(value["resolve"]), HourUnit(value["unit"]))

    rules: dict[RuleKey, Limit] = {}
    for rule in data["rules"]:
        level = Level(rule["level"])
        key: RuleKey = (
            (rule["category"], ANY, level)
            if rule["mode"] == ANY
            else (rule["category"], HandlingMode(rule["mode"]), level)
        )
        rules[key] = limit(rule)
    return TimePolicy(
        version=int(data["version"]),
        rules=rules,
        default={Level(level): limit(value) for level, value in data["default"].items()},
        at_risk_fraction=float(data["at_risk_fraction"]),
        claim_hours=float(data["claim_hours"]),
        claim_unit=HourUnit(data["claim_unit"]),
        # Versions saved before the closing rules had none: the defaults (as they ran).
        verification_required=bool(data.get("verification_required", False)),
        evaluation_required=bool(data.get("evaluation_required", False)),
        evaluation_window_hours=(
            float(window) if (window := data.get("evaluation_window_hours")) is not None else None
        ),
        evaluation_reminder_hours=float(data.get("evaluation_reminder_hours", 24.0)),
    )
