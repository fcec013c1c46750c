"""HTTP behaviour over both integrations: the ASGI app and API Gateway v2 events via Mangum,
plus the real ``functions.graphql`` module configured from the environment as on Lambda."""

from __future__ import annotations

import importlib
import json
import sys

import pytest

from api.dev_issuer import DevIssuer
from api.domain.ids import to_global_id
from api.settings import Settings
from tests.conftest import Tokens
from tests.graphql_client import GraphQLClient, LambdaClient
from tests.world import World

VIEWER = "{ viewer { person { name } roles { role orgUnit { name } } } }"


def test_graphiql_is_served_on_get(client: GraphQLClient) -> None:
    status, text = client.get("/graphql", {"accept": "text/html"})
    assert status == 200
    assert "graphiql" in text.lower()


def test_anonymous_viewer_is_null(client: GraphQLClient, world: World) -> None:
    response = client.query(VIEWER)
    assert response.status == 200
    assert response.data == {"viewer": None}


def test_viewer_with_token(client: GraphQLClient, world: World, token: Tokens) -> None:
    response = client.query(VIEWER, token=token(world.a.admin_id))
    viewer = response.data["viewer"]
    assert viewer["person"]["name"] == "甲街道管理员"
    assert viewer["roles"] == [{"role": "ADMIN", "orgUnit": {"name": "辽宁路街道"}}]


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer "],
)
def test_malformed_tokens_are_refused_with_401(
    client: GraphQLClient, world: World, header: str
) -> None:
    response = client.post(
        '{"query": "{ viewer { person { name } } }"}',
        {
            "content-type": "application/json",
            "authorization": header,
        },
    )
    assert response.status == 401
    assert "data" not in response.body


def test_token_of_an_unknown_person_is_refused(
    client: GraphQLClient, world: World, token: Tokens
) -> None:
    response = client.query(VIEWER, token=token("nobody"))
    assert response.error_codes == ["UNAUTHENTICATED"]
    assert response.data == {} or response.data.get("viewer") is None


def test_get_queries_work_and_get_mutations_are_refused(
    client: GraphQLClient, world: World
) -> None:
    unit_id = to_global_id("OrgUnit", world.a.street.id)
    status, text = client.get(f"/graphql?query=%7BorgUnit(id:%22{unit_id}%22)%7Bname%7D%7D", {})
    assert status == 200 and json.loads(text) == {"data": {"orgUnit": {"name": "辽宁路街道"}}}
    status, _ = client.get(
        "/graphql?query=mutation%7BsetPartyBadge(input:%7Bshow:true%7D)%7Berrors%7Bcode%7D%7D%7D",
        {},
    )
    assert status in (400, 405)


def test_lambda_module_handler_reads_settings_from_environment(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, world: World, issuer: DevIssuer
) -> None:
    monkeypatch.setenv("DANGQUN_TABLE_NAME", settings.table_name)
    monkeypatch.setenv("DANGQUN_AUTH_ISSUER", issuer.issuer)
    monkeypatch.setenv("DANGQUN_AUTH_AUDIENCE", issuer.audience)
    monkeypatch.setenv("DANGQUN_AUTH_JWKS_FILE", str(issuer.jwks_file))
    monkeypatch.setenv("DANGQUN_GRAPHIQL", "false")
    if settings.dynamodb_host:
        monkeypatch.setenv("DANGQUN_DYNAMODB_HOST", settings.dynamodb_host)
    from api.settings import get_settings

    get_settings.cache_clear()
    sys.modules.pop("functions.graphql", None)
    module = importlib.import_module("functions.graphql")
    try:
        lambda_client = LambdaClient(module.handler)
        response = lambda_client.query(VIEWER, token=issuer.mint(world.b.admin_id))
        assert response.data["viewer"]["person"]["name"] == "乙街道管理员"
        status, _ = lambda_client.get("/graphql", {"accept": "text/html"})
        assert status != 200, "GraphiQL must be off when DANGQUN_GRAPHIQL=false"
    finally:
        get_settings.cache_clear()
        sys.modules.pop("functions.graphql", None)
