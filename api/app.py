"""The ASGI app: the same object runs under uvicorn locally and under Mangum on Lambda."""

from __future__ import annotations

import uuid
from typing import Any

from cross_web import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from strawberry.asgi import GraphQL
from strawberry.types.unset import UNSET

from api.auth import TokenVerifier, bearer_token
from api.domain.clock import Clock, SystemClock
from api.domain.errors import Unauthenticated
from api.http_guard import BAD_REQUEST, HttpGuard, client_ip, error_body
from api.settings import Settings
from api.store.db import Db
from schema.context import Context
from schema.query_guard import QueryPolicy
from schema.schema import schema

_HTTP_CODES = {401: "UNAUTHENTICATED", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


class DangqunGraphQL(GraphQL[Context, None]):
    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None)
        self.settings = settings
        self.db = Db(settings)
        self.clock = clock or SystemClock()
        self.verifier = TokenVerifier(settings)
        self.query_policy = QueryPolicy(
            cost_budget=settings.cost_budget,
            anonymous_cost_budget=settings.anonymous_cost_budget,
            introspection=settings.introspection,
            suggestions=settings.suggestions,
        )

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """As Strawberry's, but a refused request answers JSON, like every other answer."""
        try:
            return await super().run(request, context, root_value)
        except HTTPException as error:
            code = _HTTP_CODES.get(error.status_code, BAD_REQUEST)
            return Response(
                error_body(error.reason, code),
                status_code=error.status_code,
                media_type="application/json",
            )

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(
            db=self.db,
            clock=self.clock,
            request_id=_request_id(request),
            subject=self._subject(request),
            query_policy=self.query_policy,
            client_ip=client_ip(request.scope),
        )

    def _subject(self, request: Request) -> str | None:
        try:
            token = bearer_token(request.headers.get("authorization"))
            return None if token is None else self.verifier.verify(token)
        except Unauthenticated as error:
            # A bad token is refused outright rather than silently treated as anonymous.
            raise HTTPException(401, error.message) from error


def _request_id(request: Request) -> str:
    event = request.scope.get("aws.event") or {}
    lambda_request_id = (event.get("requestContext") or {}).get("requestId")
    return str(lambda_request_id or request.headers.get("x-request-id") or uuid.uuid4())


class Api:
    """The ASGI app as it is served: the request guard (api/http_guard.py) and CORS around the
    GraphQL app, which stays reachable (``graphql``, ``db``) for init work and tests."""

    def __init__(self, graphql: DangqunGraphQL, settings: Settings) -> None:
        self.graphql = graphql
        guarded = HttpGuard(graphql, settings)
        self._asgi: Any = guarded
        if settings.cors_origins:
            self._asgi = CORSMiddleware(
                guarded,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["authorization", "content-type", "x-request-id"],
                max_age=600,
            )

    @property
    def db(self) -> Db:
        return self.graphql.db

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._asgi(scope, receive, send)


def create_app(settings: Settings, clock: Clock | None = None) -> Api:
    return Api(DangqunGraphQL(settings, clock), settings)
