"""A GraphQL driver for API clients (issue 13): a key in ``X-Api-Key`` instead of a token."""

from __future__ import annotations

import json
from typing import Any

from api.domain.clock import Clock
from api.records.client import ClientScope
from api.services import api_clients
from api.services.actor import Actor
from api.store.db import Db
from tests.graphql_client import GraphQLClient, Response
from tests.world import World

REGISTER = """mutation($input: RegisterApiClientInput!) {
  registerApiClient(input: $input) {
    client { id name scopes ratePerMinute revokedAt lastUsedAt rotatedUntil }
    key errors { code field message }
  }
}"""
ROTATE = """mutation($input: ApiClientInput!) {
  rotateApiClientKey(input: $input) { client { rotatedUntil } key errors { code field } }
}"""
REVOKE = """mutation($input: ApiClientInput!) {
  revokeApiClient(input: $input) { client { revokedAt } errors { code field } }
}"""


def as_client(
    client: GraphQLClient,
    key: str,
    query: str,
    variables: dict[str, Any] | None = None,
    operator: str | None = None,
) -> Response:
    headers = {"content-type": "application/json", "x-api-key": key}
    if operator is not None:
        headers["x-operator-id"] = operator
    return client.post(json.dumps({"query": query, "variables": variables or {}}), headers)


def isolation_clients(db: Db, root: Actor, clock: Clock, world: World) -> tuple[str, str]:
    """For the scope-isolation tests: a client of street B (its id) and a client of street A
    with every scope (its key), registered by the district's root. (No case is reported for
    them: the read rows expect exactly the cases the world has.)"""
    b_client = api_clients.register(
        db, root, clock, name="乙街道 12345", org_id=world.b.street.id,
        scopes=["cases:read", "cases:report"],
    )  # fmt: skip
    a_client = api_clients.register(
        db, root, clock, name="甲街道 12345", org_id=world.a.street.id,
        scopes=[s.value for s in ClientScope], rate_per_minute=api_clients.MAX_RATE_PER_MINUTE,
    )  # fmt: skip
    return b_client.client.id, a_client.key
