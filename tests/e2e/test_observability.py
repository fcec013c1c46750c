"""What the Lambda handler writes for ops: JSON log lines with the request's keys and EMF
metrics, through the real ``functions.graphql`` module configured from the environment."""

from __future__ import annotations

import importlib
import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import pytest

from api.dev_issuer import DevIssuer
from api.domain.ids import to_global_id
from api.observability import count_throttles, logger
from api.settings import Settings
from schema.schema import MAX_DEPTH
from tests.graphql_client import LambdaClient
from tests.world import World

VIEWER = "query Me { viewer { person { name } } }"


@contextmanager
def lambda_module(
    name: str, monkeypatch: pytest.MonkeyPatch, settings: Settings, issuer: DevIssuer
) -> Iterator[ModuleType]:
    """A ``functions`` module imported afresh, configured from the environment as on Lambda."""
    monkeypatch.setenv("DANGQUN_TABLE_NAME", settings.table_name)
    monkeypatch.setenv("DANGQUN_AUTH_ISSUER", issuer.issuer)
    monkeypatch.setenv("DANGQUN_AUTH_AUDIENCE", issuer.audience)
    monkeypatch.setenv("DANGQUN_AUTH_JWKS_FILE", str(issuer.jwks_file))
    if settings.dynamodb_host:
        monkeypatch.setenv("DANGQUN_DYNAMODB_HOST", settings.dynamodb_host)
    from api.settings import get_settings

    get_settings.cache_clear()
    sys.modules.pop(name, None)
    try:
        yield importlib.import_module(name)
    finally:
        get_settings.cache_clear()
        sys.modules.pop(name, None)


@pytest.fixture
def graphql_module(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, issuer: DevIssuer
) -> Iterator[ModuleType]:
    with lambda_module("functions.graphql", monkeypatch, settings, issuer) as module:
        yield module


class Output:
    """Everything the handler prints, one JSON object a line: log records (the Powertools
    handler's stream) and EMF records (printed to stdout)."""

    def __init__(self, logs: io.StringIO, capsys: pytest.CaptureFixture[str]) -> None:
        self.logs = logs
        self.capsys = capsys
        self.printed = ""

    def records(self) -> list[dict[str, Any]]:
        self.printed += self.capsys.readouterr().out
        lines = self.logs.getvalue().splitlines() + self.printed.splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]


@pytest.fixture
def output(capsys: pytest.CaptureFixture[str]) -> Iterator[Output]:
    stream = io.StringIO()
    handler: Any = logger.registered_handler
    previous = handler.setStream(stream)
    yield Output(stream, capsys)
    handler.setStream(previous)


def _metrics(records: list[dict[str, Any]]) -> dict[str, float]:
    found: dict[str, float] = {}
    for record in records:
        if "_aws" in record:
            directive = record["_aws"]["CloudWatchMetrics"][0]
            assert directive["Namespace"] == "Dangqun"
            assert ["service", "stage"] in [sorted(d) for d in directive["Dimensions"]]
            for metric in directive["Metrics"]:
                value = record[metric["Name"]]
                found[metric["Name"]] = sum(value) if isinstance(value, list) else value
    return found


def test_request_log_line_carries_request_caller_and_correlation(
    graphql_module: ModuleType, output: Output, world: World, issuer: DevIssuer
) -> None:
    client = LambdaClient(graphql_module.handler)
    token = issuer.mint(world.a.admin_id)
    first = client.post(
        json.dumps({"query": VIEWER, "operationName": "Me"}),
        {"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    assert first.status == 200 and first.body["data"]["viewer"]["person"]
    client.post(
        json.dumps({"query": VIEWER, "operationName": "Me"}),
        {"content-type": "application/json", "x-correlation-id": "CASE-2026-0001"},
    )
    client.post(  # the correlation id from the operation's variables
        json.dumps({"query": VIEWER, "operationName": "Me", "variables": {"code": "T-1"}}),
        {"content-type": "application/json"},
    )
    requests = [r for r in output.records() if r.get("message") == "graphql request"]
    assert len(requests) == 3
    assert requests[2]["correlation_id"] == "T-1" and requests[2]["operation"] == "Me"
    requests = requests[:2]
    signed_in, anonymous = requests
    assert signed_in["caller"] == "signed-in" and anonymous["caller"] == "anonymous"
    assert signed_in["request_id"] == "req-1" and anonymous["request_id"] == "req-2"
    assert signed_in["cold_start"] is True and anonymous["cold_start"] is False
    assert anonymous["correlation_id"] == "CASE-2026-0001"
    assert signed_in["operation"] == "Me" and signed_in["status"] == 200
    assert anonymous["operation"] == "Me"  # its body came base64-encoded (LambdaClient)
    assert signed_in["service"] == "dangqun" and signed_in["function_request_id"]
    assert _metrics(output.records())["ColdStart"] == 1


def test_a_refused_deep_query_is_counted(
    graphql_module: ModuleType, output: Output, world: World
) -> None:
    inner = "id"
    for _ in range(MAX_DEPTH + 3):
        inner = f"parent {{ {inner} }}"
    response = LambdaClient(graphql_module.handler).query(
        f'{{ orgUnit(id: "T3JnVW5pdDpTQg") {{ {inner} }} }}'
    )
    assert response.errors
    assert _metrics(output.records()).get("QueryLimitRefusals") == 1


def test_a_refused_mutation_is_counted(
    graphql_module: ModuleType, output: Output, world: World, issuer: DevIssuer
) -> None:
    response = LambdaClient(graphql_module.handler).query(
        'mutation { renameOrgUnit(input: {id: "T3JnVW5pdDpub3BlIQ", name: "x"}) '
        "{ errors { code } } }",
        token=issuer.mint(world.a.admin_id),
    )
    assert response.status == 200
    assert _metrics(output.records()).get("MutationsRefused") == 1


def test_throttled_dynamodb_calls_are_counted(graphql_module: ModuleType, output: Output) -> None:
    from api.observability import _flush

    client = graphql_module.app.db.connection.client
    count_throttles(client)
    client.meta.events.emit(
        "after-call.dynamodb.GetItem",
        http_response=None,
        parsed={"Error": {"Code": "ProvisionedThroughputExceededException"}},
        model=None,
        context={},
    )
    _flush()
    assert _metrics(output.records()).get("DynamoDBThrottled", 0) >= 1


def test_a_reported_case_is_counted(
    graphql_module: ModuleType, output: Output, world: World, issuer: DevIssuer
) -> None:
    report = {
        "channel": "RESIDENT",
        "category": "ENVIRONMENT",
        "description": "楼道堆放杂物",
        "locationUnitId": to_global_id("OrgUnit", world.a.building.id),
    }
    response = LambdaClient(graphql_module.handler).query(
        "mutation($input: ReportCaseInput!) { reportCase(input: $input) { errors { code } } }",
        {"input": report},
        token=issuer.mint(world.a.resident_id),
    )
    assert response.data["reportCase"]["errors"] == [], response.body
    metrics = _metrics(output.records())
    assert metrics.get("CasesReported") == 1 and "MutationsRefused" not in metrics


def test_the_delivery_handler_reports_records_and_failures(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, issuer: DevIssuer, output: Output
) -> None:
    with lambda_module("functions.events", monkeypatch, settings, issuer) as module:
        assert module.handler({"Records": []}, None) == {"batchItemFailures": []}
    metrics = _metrics(output.records())
    assert metrics["StreamRecords"] == 0 and metrics["DeliveriesFailed"] == 0
    assert metrics["ColdStart"] == 1
