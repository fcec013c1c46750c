"""Fixtures of the integration tests of cases (吹哨报到); shared ones are in tests/conftest.py."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from api.app import create_app
from api.domain.clock import FixedClock
from api.settings import Settings
from api.store.db import Db
from tests.case_world import CaseApi, CaseWorld, build_case_world
from tests.conftest import BACKEND, Tokens
from tests.graphql_client import AsgiClient, GraphQLClient
from tests.world import World


@pytest.fixture
def case_world(db: Db, clock: FixedClock, world: World) -> CaseWorld:
    """The world plus departments, the governance centre, a leader, a community dispatcher."""
    return build_case_world(db, clock, world)


@pytest.fixture
def case_api(client: GraphQLClient, token: Tokens, case_world: CaseWorld) -> CaseApi:
    """GraphQL as anyone of the case world, over both transports (ASGI and Lambda events)."""
    return CaseApi(client, token, case_world)


@pytest.fixture
def asgi_case_api(
    settings: Settings, clock: FixedClock, token: Tokens, case_world: CaseWorld
) -> CaseApi:
    """GraphQL as anyone of the case world over the ASGI app only (the transports are covered
    by the stories; the rules need not run twice)."""
    return CaseApi(AsgiClient(create_app(settings, clock)), token, case_world)


@pytest.fixture
def serialised_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB applies each request atomically. moto runs in process without locks, so threads
    calling it at once interleave inside one request (a transaction's condition checks and
    writes). With moto each request runs under one lock; races between requests — the ones
    under test — are left as they are. DynamoDB Local is a real server and needs nothing."""
    if BACKEND != "moto":
        return
    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.RLock()
    original = BotocoreStubber.process_request

    def process_request(self: BotocoreStubber, request: Any) -> Any:
        with lock:
            return original(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", process_request)
