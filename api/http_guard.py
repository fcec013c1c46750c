"""The one place that decides whether an HTTP request is well-formed, before Strawberry sees it.

An ASGI wrapper around the GraphQL app, so the local server and the Lambda handler (Mangum runs
the same ASGI app) share it. It refuses, with a JSON error and no further work:

- a body over ``max_body_bytes`` (413, counted while reading: a lying Content-Length gains
  nothing), a query text over ``max_query_chars`` (413), variables with more than
  ``max_variable_values`` values or a list longer than ``max_list_items`` (413);
- a body that is not UTF-8, not JSON, nested deeper than ``max_json_depth``, not a JSON object,
  or holds NaN/Infinity/1e999 (400), a ``query``/``operationName`` that is not a string or
  ``variables`` that is not an object (400);
- answers a bare OPTIONS with 204 (a CORS preflight is answered by the CORS middleware outside).

Everything else goes through unchanged; the body is replayed to the app as it was read.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.domain.messages import Message as Text
from api.domain.messages import msg
from api.language import current_language
from api.settings import Settings

BAD_REQUEST = "BAD_REQUEST"
TOO_LARGE = "REQUEST_TOO_LARGE"
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class Refused(Exception):
    def __init__(self, status: int, code: str, message: Text, limit: int | None = None) -> None:
        super().__init__(str(message))
        self.status = status
        self.code = code
        self.message = message
        self.limit = limit


def error_body(message: str, code: str, limit: int | None = None) -> bytes:
    extensions: dict[str, Any] = {"code": code}
    if limit is not None:
        extensions["limit"] = limit
    payload = {"errors": [{"message": message, "extensions": extensions}]}
    return json.dumps(payload, ensure_ascii=False).encode()


async def send_error(send: Send, refusal: Refused) -> None:
    body = error_body(refusal.message.render(current_language()), refusal.code, refusal.limit)
    await send(
        {
            "type": "http.response.start",
            "status": refusal.status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class HttpGuard:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limits = RequestLimits(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        try:
            if method == "OPTIONS":
                await _no_content(send)
                return
            if method == "GET":
                self.limits.check_query_string(scope.get("query_string", b""))
                await self.app(scope, receive, send)
                return
            body = await self._read_body(scope, receive)
            if _is_json(scope):
                self.limits.check_json_body(body)
        except Refused as refusal:
            await send_error(send, refusal)
            return
        await self.app(scope, _replay(body), send)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        limit = self.limits.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise self.limits.too_large_body()
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise self.limits.too_large_body()
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


class RequestLimits:
    def __init__(self, settings: Settings) -> None:
        self.max_body_bytes = settings.max_body_bytes
        self.max_query_chars = settings.max_query_chars
        self.max_variable_values = settings.max_variable_values
        self.max_list_items = settings.max_list_items
        self.max_json_depth = settings.max_json_depth

    def too_large_body(self) -> Refused:
        return _too_large(
            msg("http.body_too_large", limit=self.max_body_bytes), self.max_body_bytes
        )

    def check_query_string(self, raw: bytes) -> None:
        if len(raw) > self.max_body_bytes:
            raise self.too_large_body()
        try:
            params = parse_qs(raw.decode("utf-8", errors="strict"))
        except UnicodeDecodeError as exc:
            raise Refused(400, BAD_REQUEST, msg("http.query_string_utf8")) from exc
        query = (params.get("query") or [""])[0]
        self._check_query(query)
        variables = params.get("variables")
        if variables:
            self._check_variables(self._parse(variables[0]))

    def check_json_body(self, body: bytes) -> None:
        try:
            text = body.decode("utf-8", errors="strict")
        except UnicodeDecodeError as exc:
            raise Refused(400, BAD_REQUEST, msg("http.body_utf8")) from exc
        data = self._parse(text)
        if not isinstance(data, dict):
            raise Refused(400, BAD_REQUEST, msg("http.body_not_object"))
        query = data.get("query")
        if query is not None and not isinstance(query, str):
            raise Refused(400, BAD_REQUEST, msg("http.query_not_string"))
        if isinstance(query, str):
            self._check_query(query)
        operation_name = data.get("operationName")
        if operation_name is not None and not isinstance(operation_name, str):
            raise Refused(400, BAD_REQUEST, msg("http.operation_name_not_string"))
        self._check_variables(data.get("variables"))

    def _check_query(self, query: str) -> None:
        if len(query) > self.max_query_chars:
            raise _too_large(
                msg("http.query_too_long", limit=self.max_query_chars), self.max_query_chars
            )

    def _parse(self, text: str) -> Any:
        self._check_depth(text)
        try:
            return json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
        except (ValueError, RecursionError) as exc:
            raise Refused(400, BAD_REQUEST, msg("http.body_not_json")) from exc

    def _check_depth(self, text: str) -> None:
        """Refuse deep nesting before the (recursive) JSON parser sees it."""
        depth = 0
        for match in _BRACKET.finditer(_JSON_STRING.sub('""', text)):
            depth += 1 if match.group() in "[{" else -1
            if depth > self.max_json_depth:
                limit = self.max_json_depth
                raise Refused(400, BAD_REQUEST, msg("http.json_too_deep", limit=limit), limit)

    def _check_variables(self, variables: Any) -> None:
        if variables is None:
            return
        if not isinstance(variables, dict):
            raise Refused(400, BAD_REQUEST, msg("http.variables_not_object"))
        count = 0
        pending: list[Any] = [variables]
        while pending:
            value = pending.pop()
            count += 1
            if count > self.max_variable_values:
                limit = self.max_variable_values
                raise _too_large(msg("http.too_many_values", limit=limit), limit)
            if isinstance(value, list):
                if len(value) > self.max_list_items:
                    limit = self.max_list_items
                    raise _too_large(msg("http.list_too_long", limit=limit), limit)
                pending.extend(value)
            elif isinstance(value, dict):
                pending.extend(value.values())


def _too_large(message: Text, limit: int) -> Refused:
    return Refused(413, TOO_LARGE, message, limit)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value


def _header(scope: Scope, name: bytes) -> str | None:
    headers: list[tuple[bytes, bytes]] = scope.get("headers") or []
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return None


def _is_json(scope: Scope) -> bool:
    content_type = _header(scope, b"content-type") or ""
    return "json" in content_type.lower()


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _no_content(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 204,
            "headers": [(b"allow", b"GET, POST, OPTIONS")],
        }
    )
    await send({"type": "http.response.body", "body": b""})


def client_ip(scope: Mapping[str, Any]) -> str | None:
    """The caller's address: API Gateway's source IP on Lambda, the socket peer locally."""
    event = scope.get("aws.event") or {}
    source = ((event.get("requestContext") or {}).get("http") or {}).get("sourceIp")
    if source:
        return str(source)
    client = scope.get("client")
    return str(client[0]) if client else None
