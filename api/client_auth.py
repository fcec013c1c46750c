"""API-key authentication at the HTTP edge (issue 13): ``X-Api-Key`` names a client, counted
against its per-minute limit. A bad key is 401, an exhausted window 429 with ``Retry-After``;
both answer before any GraphQL runs."""

from __future__ import annotations

import json

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from api.domain.clock import Clock
from api.domain.errors import Unauthenticated
from api.domain.messages import msg
from api.language import current_language
from api.records.client import ApiClientRecord
from api.services import api_clients
from api.store.db import Db

API_KEY_HEADER = "x-api-key"
OPERATOR_HEADER = "x-operator-id"
MAX_OPERATOR = 64


class RateLimited(HTTPException):
    def __init__(self, retry_after: int) -> None:
        super().__init__(429, msg("http.too_many_requests").render(current_language()))
        self.retry_after = retry_after


def client_of(db: Db, clock: Clock, request: Request) -> ApiClientRecord | None:
    """The client calling (None without the header); raises 401/429 as ``HTTPException``."""
    key = request.headers.get(API_KEY_HEADER)
    if key is None:
        return None
    if request.headers.get("authorization"):
        raise HTTPException(400, msg("http.key_and_token").render(current_language()))
    try:
        client = api_clients.authenticate(db, clock, key)
    except Unauthenticated as error:
        raise HTTPException(401, error.message.render(current_language())) from error
    try:
        api_clients.limit(db, clock, client)
    except api_clients.RateLimitedError as limited:
        raise RateLimited(limited.retry_after) from limited
    return client


def operator_of(request: Request) -> str | None:
    operator = (request.headers.get(OPERATOR_HEADER) or "").strip()
    if not operator:
        return None
    if len(operator) > MAX_OPERATOR or not operator.isprintable():
        raise HTTPException(400, msg("http.operator_invalid").render(current_language()))
    return operator


def rate_limited_response(error: RateLimited) -> Response:
    """A GraphQL-shaped 429: the error carries code RATE_LIMITED and the wait in seconds."""
    body = {
        "data": None,
        "errors": [
            {
                "message": "请求过于频繁，请稍后再试",
                "extensions": {"code": "RATE_LIMITED", "retryAfter": error.retry_after},
            }
        ],
    }
    return Response(
        json.dumps(body, ensure_ascii=False),
        status_code=429,
        media_type="application/json",
        headers={"Retry-After": str(error.retry_after)},
    )
