"""GraphQL fuzzed by schemathesis (issue 13), bounded: every root field with generated
arguments, as an anonymous caller, a resident and a street-scoped API client. No answer is a
5xx, every error is either a GraphQL validation error or carries a code (unexpected ones are
masked), and no error text carries personal data (names or phones of the world's people)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from api.app import create_app
from api.dev_issuer import DevIssuer
from api.domain.clock import FixedClock
from api.services import api_clients
from api.services.actor import load_actor
from api.settings import Settings
from api.store.db import Db
from tests.world import World

EXAMPLES = 2
PHONE = re.compile(r"1[3-9][0-9]{9}")
LEAKS = ("Traceback", "pynamodb", "botocore", "KeyError", "TypeError", "AttributeError")


@pytest.fixture
def callers(
    db: Db, clock: FixedClock, world: World, issuer: DevIssuer
) -> dict[str, dict[str, str]]:
    admin = load_actor(db, world.district_admin_id)
    key = api_clients.register(
        db, admin, clock, name="fuzz", org_id=world.a.street.id,
        scopes=["cases:report", "cases:read", "topics:read", "partners:read"],
        rate_per_minute=api_clients.MAX_RATE_PER_MINUTE,
    ).key  # fmt: skip
    return {
        "anonymous": {},
        "resident": {"authorization": f"Bearer {issuer.mint(world.a.resident_id)}"},
        "client": {"x-api-key": key},
    }


def check(body: dict[str, Any], names: list[str]) -> None:
    for error in body.get("errors") or []:
        text = str(error)
        assert not PHONE.search(text), text
        assert not any(name in text for name in names), text
        assert not any(leak in text for leak in LEAKS), text
        code = (error.get("extensions") or {}).get("code")
        assert code is not None or "locations" in error, error  # a validation error, or coded


def test_graphql_answers_without_5xx_unmasked_errors_or_personal_data(
    settings: Settings, clock: FixedClock, world: World, callers: dict[str, dict[str, str]]
) -> None:
    # schemathesis reads the schema by introspection, which production stages turn off.
    app = create_app(replace(settings, introspection=True), clock)
    schema = schemathesis.graphql.from_asgi("/graphql", app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) > 100
    names = ["甲居民", "乙居民", "区管理员"]
    for headers in callers.values():
        for operation in operations:
            fuzz(operation, headers, names)


def fuzz(operation: Any, headers: dict[str, str], names: list[str]) -> None:
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.body, response.content)
        if response.status_code == 200:
            check(response.json(), names)

    run()
