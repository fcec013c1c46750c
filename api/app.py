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

from api import persisted_queries
from api.auth import TokenVerifier, bearer_token
from api.client_auth import RateLimited, client_of, operator_of, rate_limited_response
from api.domain.clock import Clock, SystemClock
from api.domain.errors import Unauthenticated
from api.http_guard import BAD_REQUEST, HttpGuard, client_ip, error_body
from api.language import current_language, language_of_scope, speaking
from api.open311.routes import PREFIX as OPEN311_PREFIX
from api.open311.routes import Open311
from api.persisted_queries import PersistedQueryError
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
        self.open311 = Open311(self.db, self.clock).app  # beside GraphQL (issue 13)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith(OPEN311_PREFIX + "/"):
            await self.open311(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """As Strawberry's, but a refused request answers JSON, like every other answer."""
        try:
            return await super().run(request, context, root_value)
        except RateLimited as limited:
            return rate_limited_response(limited)
        except PersistedQueryError as refused:
            return refused.response()
        except HTTPException as error:
            code = _HTTP_CODES.get(error.status_code, BAD_REQUEST)
            return Response(
                error_body(error.reason, code),
                status_code=error.status_code,
                media_type="application/json",
            )

    async def parse_http_body(self, request: Any) -> Any:
        data = await super().parse_http_body(request)
        if isinstance(data, list):
            return data
        allowlist = self.settings.operations_allowlist
        return persisted_queries.resolve(self.db, self.clock, allowlist, data)

    async def get_context(self, request: Any, response: Any) -> Context:
        client = client_of(self.db, self.clock, request)  # X-Api-Key (issue 13)
        return Context(
            db=self.db,
            clock=self.clock,
            request_id=_request_id(request),
            language=current_language(),
            subject=None if client is not None else self._subject(request),
            query_policy=self.query_policy,
            client_ip=client_ip(request.scope),
            client=client,
            operator_id=None if client is None else operator_of(request),
        )

    def _subject(self, request: Request) -> str | None:
        try:
            token = bearer_token(request.headers.get("authorization"))
            return None if token is None else self.verifier.verify(token)
        except Unauthenticated as error:
            # A bad token is refused outright rather than silently treated as anonymous.
            raise HTTPException(401, error.message.render(current_language())) from error


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
                allow_headers=[
                    "authorization",
                    "content-type",
                    "x-request-id",
                    "x-api-key",
                    "x-operator-id",
                ],
                max_age=600,
            )

    @property
    def db(self) -> Db:
        return self.graphql.db

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        # The request's language (Accept-Language), for every message rendered while it runs.
        if scope["type"] != "http":
            await self._asgi(scope, receive, send)
            return
        with speaking(language_of_scope(scope)):
            await self._asgi(scope, receive, send)


def create_app(settings: Settings, clock: Clock | None = None) -> Api:
    return Api(DangqunGraphQL(settings, clock), settings)
