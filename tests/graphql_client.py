"""One abstract GraphQL-over-HTTP client, one subclass per integration (the ASGI app served
directly, and API Gateway HTTP API v2 events through the Mangum Lambda handler), so one suite
runs over both — the pattern of strawberry's own ``tests/http/clients``."""

from __future__ import annotations

import base64
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from mangum import Mangum
from starlette.testclient import TestClient
from starlette.types import ASGIApp


@dataclass
class Response:
    status: int
    body: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.body.get("data") or {}
        return data

    @property
    def errors(self) -> list[dict[str, Any]]:
        errors: list[dict[str, Any]] = self.body.get("errors") or []
        return errors

    @property
    def error_codes(self) -> list[str | None]:
        return [(error.get("extensions") or {}).get("code") for error in self.errors]


class GraphQLClient(ABC):
    def query(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """POST one operation; ``headers`` are sent too (e.g. ``accept-language``)."""
        headers = {"content-type": "application/json", **(headers or {})}
        if token is not None:
            headers["authorization"] = f"Bearer {token}"
        return self.post(json.dumps({"query": query, "variables": variables or {}}), headers)

    def post(self, body: str, headers: dict[str, str]) -> Response:
        return self.post_bytes(body.encode(), headers)

    def post_bytes(self, body: bytes, headers: dict[str, str]) -> Response:
        status, _, text = self.send("POST", "/graphql", headers, body)
        return Response(status, _json(text))

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, str]:
        status, _, text = self.send("GET", path, headers, None)
        return status, text

    @abstractmethod
    def send(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, dict[str, str], str]:
        """One request; the status, the response headers (lower-case names) and the body."""


class AsgiClient(GraphQLClient):
    def __init__(self, app: ASGIApp) -> None:
        self.client = TestClient(app)

    def send(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, dict[str, str], str]:
        response = self.client.request(method, path, content=body, headers=headers)
        return response.status_code, dict(response.headers), response.text


class LambdaClient(GraphQLClient):
    """Builds API Gateway HTTP API (payload format 2.0) events like AWS sends them."""

    def __init__(self, handler: Mangum) -> None:
        self.handler = handler
        self.requests = 0

    def _event(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, Any]:
        self.requests += 1
        raw_path, _, query_string = path.partition("?")
        # Exercise both body encodings; a body that is not UTF-8 can only travel in base64.
        encoded = body is not None and (self.requests % 2 == 0 or not _is_utf8(body))
        return {
            "version": "2.0",
            "routeKey": f"{method} /graphql",
            "rawPath": raw_path,
            "rawQueryString": query_string,
            "headers": {"host": "abc123.execute-api.ap-northeast-1.amazonaws.com", **headers},
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "abc123",
                "domainName": "abc123.execute-api.ap-northeast-1.amazonaws.com",
                "domainPrefix": "abc123",
                "http": {
                    "method": method,
                    "path": raw_path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": "203.0.113.10",
                    "userAgent": "test",
                },
                "requestId": f"req-{self.requests}",
                "routeKey": f"{method} /graphql",
                "stage": "$default",
                "time": "23/Nov/2026:01:30:00 +0000",
                "timeEpoch": 1795397400000,
            },
            "body": _event_body(body, encoded),
            "isBase64Encoded": encoded,
        }

    def send(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, dict[str, str], str]:
        event = self._event(method, path, headers, body)
        result = self.handler(event, _LambdaContext())  # type: ignore[arg-type]
        text = result.get("body") or ""
        if result.get("isBase64Encoded"):
            text = base64.b64decode(text).decode()
        response_headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
        return int(result["statusCode"]), response_headers, text


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _event_body(body: bytes | None, encoded: bool) -> str | None:
    if body is None:
        return None
    return base64.b64encode(body).decode() if encoded else body.decode()


class _LambdaContext:
    function_name = "dangqun-test-graphql"
    aws_request_id = "lambda-request"
    memory_limit_in_mb = 1024

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


def _json(text: str) -> dict[str, Any]:
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        return {"raw": text}
    return parsed if isinstance(parsed, dict) else {"raw": parsed}
