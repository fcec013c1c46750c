"""Hostile and malformed requests over both transports (the ASGI app, and API Gateway v2 events
through Mangum): every one is a 4xx with a JSON error, decided before Strawberry runs
(api/http_guard.py) or before execution (schema/query_guard.py)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from urllib.parse import quote, quote_plus

import pytest
from mangum import Mangum

from api.app import create_app
from api.dev_issuer import DevIssuer
from api.domain.clock import FixedClock
from api.settings import Settings
from tests.conftest import Tokens
from tests.graphql_client import AsgiClient, GraphQLClient, LambdaClient, Response
from tests.world import World

JSON = {"content-type": "application/json"}
VIEWER = "{ viewer { person { name } } }"

MALFORMED_BODIES: list[bytes] = [
    b'"a string"',
    b"42",
    b"null",
    b"true",
    b"1e999",
    b"NaN",
    b"[]",
    b'[{"query": "{ viewer { person { name } } }"}]',
    b"",
    b"not json",
    b'{"query": ',
    b"\xff\xfe\x00q",
    b'{"query": "{ viewer { person { name } } }", "x": "\xc3\x28"}',
    b"[" * 40_000 + b"]" * 40_000,
    b'{"a":' * 15_000 + b"1" + b"}" * 15_000,
    b'{"query": 1}',
    b'{"query": ["{ viewer }"]}',
    b'{"query": "{ viewer { person { name } } }", "variables": "x"}',
    b'{"query": "{ viewer { person { name } } }", "variables": [1]}',
    b'{"query": "{ viewer { person { name } } }", "variables": {"x": 1e999}}',
    b'{"query": "{ viewer { person { name } } }", "variables": {"x": -Infinity}}',
    b'{"query": "{ viewer { person { name } } }", "operationName": 7}',
]

ClientFactory = Callable[[Settings], GraphQLClient]


@pytest.fixture(params=["asgi", "lambda"])
def make_client(request: pytest.FixtureRequest, clock: FixedClock) -> ClientFactory:
    """A client over one transport for settings of the test's choosing."""

    def build(settings: Settings) -> GraphQLClient:
        app = create_app(settings, clock)
        if request.param == "asgi":
            return AsgiClient(app)
        return LambdaClient(Mangum(app, lifespan="off"))

    return build


def _refused(response: Response, status: int, code: str) -> None:
    assert response.status == status, response.body
    assert "data" not in response.body
    assert response.error_codes == [code], response.body
    assert response.errors[0]["message"]


@pytest.mark.parametrize("body", MALFORMED_BODIES, ids=lambda b: repr(b[:24]))
def test_malformed_bodies_are_400_with_a_json_error(client: GraphQLClient, body: bytes) -> None:
    _refused(client.post_bytes(body, JSON), 400, "BAD_REQUEST")


def test_a_body_over_the_limit_is_413_before_parsing(client: GraphQLClient) -> None:
    padded = json.dumps({"query": VIEWER + " " * 200_000})
    _refused(client.post(padded, JSON), 413, "REQUEST_TOO_LARGE")


def test_a_query_text_over_the_limit_is_413(client: GraphQLClient) -> None:
    response = client.post(json.dumps({"query": "#" + "x" * 30_000 + "\n" + VIEWER}), JSON)
    _refused(response, 413, "REQUEST_TOO_LARGE")
    assert response.errors[0]["extensions"]["limit"] == 20_000


def test_a_long_list_in_variables_is_413_before_authentication(client: GraphQLClient) -> None:
    report = "mutation($input: ReportCaseInput!) { reportCase(input: $input) { errors { code } } }"
    attachments = [{"key": f"k{i}", "contentType": "image/png"} for i in range(101)]
    variables = {"input": {"attachments": attachments}}
    response = client.post(json.dumps({"query": report, "variables": variables}), JSON)
    _refused(response, 413, "REQUEST_TOO_LARGE")
    assert response.errors[0]["extensions"]["limit"] == 100


def test_too_many_variable_values_is_413(client: GraphQLClient) -> None:
    variables = {"input": {f"k{i}": i for i in range(2_500)}}
    response = client.post(json.dumps({"query": VIEWER, "variables": variables}), JSON)
    _refused(response, 413, "REQUEST_TOO_LARGE")


def test_get_with_an_overlong_query_is_413(client: GraphQLClient) -> None:
    status, text = client.get("/graphql?query=" + quote_plus(VIEWER + " " * 30_000), {})
    assert status == 413
    assert json.loads(text)["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


def test_an_unsupported_content_type_is_a_json_400(client: GraphQLClient) -> None:
    _refused(client.post("query=1", {"content-type": "text/plain"}), 400, "BAD_REQUEST")


def test_several_operations_without_operation_name_are_400(
    client: GraphQLClient, world: World
) -> None:
    two = "query A { viewer { person { name } } } query B { __typename }"
    response = client.post(json.dumps({"query": two}), JSON)
    _refused(response, 400, "BAD_REQUEST")
    assert "operationName" in response.errors[0]["message"]
    chosen = client.post(json.dumps({"query": two, "operationName": "B"}), JSON)
    assert chosen.status == 200 and chosen.data == {"__typename": "Query"}


def test_options_is_answered_without_a_405(client: GraphQLClient) -> None:
    status, headers, _ = client.send("OPTIONS", "/graphql", {}, None)
    assert status == 204
    assert "POST" in headers["allow"]


def test_cors_preflight_and_response_headers_for_allowed_origins(
    settings: Settings, make_client: ClientFactory, world: World
) -> None:
    client = make_client(dataclasses.replace(settings, cors_origins=("https://app.example",)))
    preflight = {
        "origin": "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }
    status, headers, _ = client.send("OPTIONS", "/graphql", preflight, None)
    assert status == 200
    assert headers["access-control-allow-origin"] == "https://app.example"
    assert "authorization" in headers["access-control-allow-headers"].lower()
    status, headers, _ = client.send(
        "POST", "/graphql", {**JSON, "origin": "https://app.example"}, b'{"query": "{__typename}"}'
    )
    assert status == 200 and headers["access-control-allow-origin"] == "https://app.example"
    status, headers, _ = client.send(
        "OPTIONS", "/graphql", {**preflight, "origin": "https://evil.example"}, None
    )
    assert status == 400 and "access-control-allow-origin" not in headers


# --- introspection and suggestions ------------------------------------------------------------

INTROSPECTION = "{ __schema { queryType { name } } }"


def test_introspection_is_off_unless_the_stage_enables_it(
    settings: Settings, make_client: ClientFactory
) -> None:
    client = make_client(settings)
    response = client.query(INTROSPECTION)
    assert response.error_codes == ["INTROSPECTION_DISABLED"]
    assert response.data == {}
    _, text = client.get("/graphql?query=" + quote(INTROSPECTION), {})
    assert json.loads(text)["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    typed = client.query('{ __type(name: "Case") { fields { name } } }')
    assert typed.error_codes == ["INTROSPECTION_DISABLED"]
    # __typename is not introspection of the schema
    assert client.query("{ __typename }").data == {"__typename": "Query"}
    enabled = make_client(dataclasses.replace(settings, introspection=True))
    assert enabled.query(INTROSPECTION).data == {"__schema": {"queryType": {"name": "Query"}}}


def test_field_suggestions_are_off_unless_the_stage_enables_them(
    settings: Settings, make_client: ClientFactory
) -> None:
    response = make_client(settings).query("{ viewr { person { name } } }")
    assert response.errors and "viewr" in response.errors[0]["message"]
    assert "Did you mean" not in json.dumps(response.body)
    hinted = make_client(dataclasses.replace(settings, suggestions=True)).query(
        "{ viewr { person { name } } }"
    )
    assert "Did you mean" in hinted.errors[0]["message"]


# --- query cost ------------------------------------------------------------------------------


def _tree(levels: int, first: int = 100) -> str:
    inner = "name"
    for _ in range(levels):
        inner = f"name children(first: {first}) {{ nodes {{ {inner} }} }}"
    return f"districts(first: {first}) {{ nodes {{ {inner} }} }}"


def test_a_costly_anonymous_query_is_refused_before_execution(
    client: GraphQLClient, world: World
) -> None:
    attack = "{ " + " ".join(f"a{i}: {_tree(5)}" for i in range(30)) + " }"
    response = client.query(attack)
    assert response.status == 200
    assert response.error_codes == ["QUERY_TOO_COSTLY"]
    extensions = response.errors[0]["extensions"]
    assert extensions["budget"] == 2_000 and extensions["cost"] > 10**12
    assert str(extensions["budget"]) in response.errors[0]["message"]
    assert response.data == {}


def test_cost_budget_is_higher_for_signed_in_callers(
    client: GraphQLClient, world: World, token: Tokens
) -> None:
    # districts(first: 30) { nodes { name children(first: 30) { nodes { name } } } }
    # costs 1 + 30 × (1 + (1 + 30 × 1)) = 961; twice over with an alias: 1 922 ≤ 2 000.
    query = f"{{ a: {_tree(1, 30)} b: {_tree(1, 30)} }}"
    assert client.query(query).errors == []
    bigger = f"{{ a: {_tree(1, 30)} b: {_tree(1, 30)} c: {_tree(1, 30)} }}"
    refused = client.query(bigger)
    assert refused.error_codes == ["QUERY_TOO_COSTLY"]
    assert refused.errors[0]["extensions"]["cost"] == 2_883
    assert client.query(bigger, token=token(world.a.admin_id)).errors == []


def test_page_size_from_variables_and_defaults_counts(client: GraphQLClient, world: World) -> None:
    query = """query($n: Int!) { districts(first: $n) { nodes { name
        children { nodes { name children(first: $n) { nodes { name } } } } } } }"""
    # first: 10 → 1 + 10 × (1 + (1 + 20 × (1 + (1 + 10 × 1)))) = 2 421 (children defaults to 20)
    refused = client.query(query, {"n": 10})
    assert refused.error_codes == ["QUERY_TOO_COSTLY"]
    assert refused.errors[0]["extensions"]["cost"] == 2_421
    assert client.query(query, {"n": 5}).errors == []


# --- tokens -------------------------------------------------------------------------------------


def test_tokens_living_longer_than_the_maximum_are_refused(
    client: GraphQLClient, world: World, issuer: DevIssuer
) -> None:
    forever = issuer.mint(world.a.admin_id, ttl_seconds=1000 * 365 * 24 * 3600)
    response = client.query(VIEWER, token=forever)
    _refused(response, 401, "UNAUTHENTICATED")
    assert "24" in response.errors[0]["message"]
    day = issuer.mint(world.a.admin_id, ttl_seconds=24 * 3600)
    assert client.query(VIEWER, token=day).data["viewer"]["person"]["name"] == "甲街道管理员"


@pytest.mark.parametrize("token_text", ["not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
def test_401_messages_are_our_own_words(client: GraphQLClient, token_text: str) -> None:
    response = client.post(
        json.dumps({"query": VIEWER}), {**JSON, "authorization": f"Bearer {token_text}"}
    )
    _refused(response, 401, "UNAUTHENTICATED")
    message = response.errors[0]["message"]
    assert message in ("令牌无效，请重新登录", "令牌的签名密钥未知")
