"""Shared fixtures: the DynamoDB backend (moto or DynamoDB Local), a fresh table per test,
a token issuer, and a small two-street world to test scopes with.

Select the backend with ``DANGQUN_TEST_BACKEND=moto`` (default) or ``local``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "ap-northeast-1")

from api.dev_issuer import DevIssuer
from api.domain.clock import SHANGHAI, FixedClock
from api.dynamodb_local import DynamoDBLocal, free_port
from api.settings import Settings
from api.store.db import Db
from infra.local_table import delete_table, ensure_table
from tests.graphql_client import AsgiClient, GraphQLClient, LambdaClient
from tests.world import World, build_world

BACKEND = os.environ.get("DANGQUN_TEST_BACKEND", "moto")


def pytest_report_header() -> str:
    return f"dangqun DynamoDB backend: {BACKEND}"


@pytest.fixture(scope="session")
def dynamodb_host() -> Iterator[str | None]:
    if BACKEND == "local":
        server = DynamoDBLocal(free_port()).start()
        try:
            yield server.endpoint
        finally:
            server.stop()
    elif BACKEND == "moto":
        from moto import mock_aws

        from tests.moto_transactions import install

        install()  # transactions back up the keys they touch, not the whole table
        with mock_aws():
            yield None
    else:
        raise RuntimeError(f"Unknown DANGQUN_TEST_BACKEND {BACKEND!r}")


@pytest.fixture(scope="session")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> DevIssuer:
    dev_issuer = DevIssuer(tmp_path_factory.mktemp("issuer"), "dangqun-test", "dangqun")
    dev_issuer.ensure_keys()
    return dev_issuer


@pytest.fixture
def settings(
    dynamodb_host: str | None, issuer: DevIssuer, request: pytest.FixtureRequest
) -> Iterator[Settings]:
    test_settings = Settings(
        stage="test",
        table_name=f"dangqun-test-{uuid.uuid4().hex[:10]}",
        dynamodb_host=dynamodb_host,
        auth_issuer=issuer.issuer,
        auth_audience=issuer.audience,
        auth_jwks_file=str(issuer.jwks_file),
        cursor_secret="test-cursor-secret",
    )
    # The table's stream only for tests marked `stream` (the delivery tests): moto copies it
    # with the table on every transaction.
    ensure_table(test_settings, stream=request.node.get_closest_marker("stream") is not None)
    try:
        yield test_settings
    finally:
        delete_table(test_settings)


@pytest.fixture
def db(settings: Settings) -> Db:
    return Db(settings)


@pytest.fixture
def raw_items(db: Db) -> Iterator[None]:
    """For tests that inspect what the store wrote, item by item: binds the test's Db around
    the test body so the item models can be read directly. The API never relies on an outer
    binding (each repository binds its own calls), and most tests run without this."""
    with db.bound():
        yield


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI))


@pytest.fixture
def world(db: Db, clock: FixedClock) -> World:
    return build_world(db, clock)


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture(params=["asgi", "lambda"])
def client(request: pytest.FixtureRequest, settings: Settings, clock: FixedClock) -> GraphQLClient:
    from mangum import Mangum

    from api.app import create_app

    app = create_app(settings, clock)
    if request.param == "asgi":
        return AsgiClient(app)
    return LambdaClient(Mangum(app, lifespan="off"))


@dataclass
class Tokens:
    issuer: DevIssuer

    def __call__(self, person_id: str) -> str:
        return self.issuer.mint(person_id)


@pytest.fixture
def token(issuer: DevIssuer) -> Tokens:
    return Tokens(issuer)
