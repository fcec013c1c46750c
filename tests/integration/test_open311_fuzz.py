"""Open311 fuzzed against its checked-in OpenAPI description (issue 13): schemathesis
generates bounded examples for every operation, with a valid key and without; no answer is a
5xx and every answer matches the description (status, content type, body schema)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from api.domain.clock import FixedClock
from api.services import api_clients
from api.services.actor import load_actor
from api.settings import Settings
from api.store.db import Db
from tests.world import World

SPEC = Path(__file__).resolve().parents[2] / "api" / "open311" / "openapi.yaml"
EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_every_open311_operation_answers_as_described(
    settings: Settings, db: Db, clock: FixedClock, world: World
) -> None:
    admin = load_actor(db, world.district_admin_id)
    key = api_clients.register(
        db, admin, clock, name="fuzz", org_id=world.district.id,
        scopes=["cases:report", "cases:read"], rate_per_minute=api_clients.MAX_RATE_PER_MINUTE,
    ).key  # fmt: skip
    schema = schemathesis.openapi.from_path(SPEC)
    schema.app = create_app(settings, clock)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) == 7

    for operation in operations:
        for headers in ({"x-api-key": key}, {}):
            fuzz(operation, headers)


def fuzz(operation: Any, headers: dict[str, str]) -> None:
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
