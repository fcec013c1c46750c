"""Open311 GeoReport v2 under ``/open311/v2/`` (issue 13): JSON only; errors as the spec's
``[{code, description}]`` with 400 (bad input), 403 (key) and 404 (unknown thing).

Requests are cases: ``service_request_id`` is the tracking code (追踪码), ``service_code`` a
category of the catalogue, the place the required attribute ``location_unit_id``. Cases are
created at once, so a token is the request id itself. Reading and writing need an API key
(``api_key`` parameter or ``X-Api-Key``) of a client scoped like any caller: ``cases:report``
to post, ``cases:read`` to read, within its unit.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.domain.case_catalogue import DEFAULT_CATEGORIES
from api.domain.cases import Channel
from api.domain.clock import Clock
from api.domain.errors import DomainError, Forbidden, InvalidInput, NotFound, Unauthenticated
from api.domain.org import path_ids
from api.language import current_language
from api.open311 import shapes
from api.records.case import CallerContact, CaseRecord
from api.records.client import ApiClientRecord, ClientScope
from api.services import api_clients, case_queries, cases
from api.services.actor import Actor
from api.store.db import Db

PREFIX = "/open311/v2"
MAX_PAGE = 200
DEFAULT_PAGE = 50
MAX_IDS = 50
NEXT_HEADER = "X-Next-After"  # paging beyond the spec: the cursor of the next page
_STATUS = {DomainError: 400, InvalidInput: 400, Forbidden: 403, Unauthenticated: 403, NotFound: 404}


class Open311Error(Exception):
    def __init__(self, status_code: int, description: str) -> None:
        super().__init__(description)
        self.status_code = status_code
        self.description = description


def _json(body: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False),
        status_code=status_code,
        media_type="application/json; charset=utf-8",
        headers=headers,
    )


Handler = Callable[[Request], Awaitable[Response]]


class Open311:
    """The routes, on one ``Db`` and clock (those of the GraphQL app)."""

    def __init__(self, db: Db, clock: Clock) -> None:
        self.db, self.clock = db, clock
        routes = [
            Route(f"{PREFIX}/discovery.json", self._wrap(self.discovery), methods=["GET"]),
            Route(f"{PREFIX}/services.json", self._wrap(self.services), methods=["GET"]),
            Route(f"{PREFIX}/services/{{code}}.json", self._wrap(self.definition), methods=["GET"]),
            Route(f"{PREFIX}/requests.json", self._wrap(self.list_requests), methods=["GET"]),
            Route(f"{PREFIX}/requests.json", self._wrap(self.post_request), methods=["POST"]),
            Route(f"{PREFIX}/requests/{{id}}.json", self._wrap(self.one_request), methods=["GET"]),
            Route(f"{PREFIX}/tokens/{{token}}.json", self._wrap(self.token), methods=["GET"]),
        ]
        handlers = {404: self._not_found, 405: self._not_allowed}
        self.app = Starlette(routes=routes, exception_handlers=handlers)

    async def _not_found(self, request: Request, exc: Exception) -> Response:
        return _json(shapes.error(404, "Not found"), 404)

    async def _not_allowed(self, request: Request, exc: Exception) -> Response:
        return _json(shapes.error(405, "Method not allowed"), 405)

    def _wrap(self, handler: Handler) -> Handler:
        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except api_clients.RateLimitedError as limited:
                return _json(
                    shapes.error(429, "Too many requests"),
                    429,
                    {"Retry-After": str(limited.retry_after)},
                )
            except Open311Error as failure:
                return _json(
                    shapes.error(failure.status_code, failure.description), failure.status_code
                )
            except DomainError as failure:
                status_code = next(
                    (code for kind, code in _STATUS.items() if type(failure) is kind), 400
                )
                return _json(
                    shapes.error(status_code, failure.message.render(current_language())),
                    status_code,
                )

        return run

    # --- discovery and services ----------------------------------------------------------

    async def discovery(self, request: Request) -> Response:
        base = str(request.base_url).rstrip("/") + PREFIX
        return _json(
            {
                "changeset": "2026-12-01T00:00:00+08:00",
                "contact": "接入请联系区党群服务中心",
                "key_service": "由区管理员在 GraphQL 中注册接入系统（registerApiClient）",
                "endpoints": [
                    {
                        "specification": "http://wiki.open311.org/GeoReport_v2",
                        "url": base,
                        "changeset": "2026-12-01T00:00:00+08:00",
                        "type": "production",
                        "formats": ["application/json"],
                    }
                ],
            }
        )

    async def services(self, request: Request) -> Response:
        self._jurisdiction(request, None)
        return _json([shapes.service(code) for code in DEFAULT_CATEGORIES])

    async def definition(self, request: Request) -> Response:
        code = request.path_params["code"]
        if code not in DEFAULT_CATEGORIES:
            raise Open311Error(404, f"Unknown service_code {code}")
        return _json(shapes.definition(code))

    # --- requests -------------------------------------------------------------------------

    async def post_request(self, request: Request) -> Response:
        form = await _params(request)
        client = self._client(request, form)
        self._jurisdiction(request, client, form)
        actor = self._actor(request, client, ClientScope.CASES_REPORT)
        code = form.get("service_code") or ""
        if code not in DEFAULT_CATEGORIES:
            raise Open311Error(404 if code else 400, f"Unknown service_code {code!r}")
        location = form.get(f"attribute[{shapes.LOCATION_ATTRIBUTE}]") or ""
        if not location:
            raise Open311Error(400, f"attribute[{shapes.LOCATION_ATTRIBUTE}] is required")
        data = cases.ReportInput(
            channel=Channel.HOTLINE,
            category=code,
            description=form.get("description") or "",
            location_unit_id=location,
            address=form.get("address_string") or None,
            latitude=_float(form.get("lat"), "lat"),
            longitude=_float(form.get("long"), "long"),
            caller=_caller(form),
        )
        try:
            case = cases.report_case(self.db, actor, self.clock, data)
        except NotFound as error:  # an unknown place is bad input, not a missing resource
            raise Open311Error(400, error.message.render(current_language())) from error
        notice = "已受理登记，可凭追踪码查询进度"
        return _json([{"service_request_id": case.code, "service_notice": notice,
                       "account_id": None}])  # fmt: skip

    async def one_request(self, request: Request) -> Response:
        client = self._client(request, request.query_params)
        actor = self._actor(request, client, ClientScope.CASES_READ)
        case = self._readable(actor, request.path_params["id"])
        if case is None:
            raise Open311Error(404, "No such service request")
        return _json([shapes.request(case)])

    async def token(self, request: Request) -> Response:
        client = self._client(request, request.query_params)
        actor = self._actor(request, client, ClientScope.CASES_READ)
        token = request.path_params["token"]
        if self._readable(actor, token) is None:
            raise Open311Error(404, "No such token")
        return _json([{"service_request_id": token, "token": token}])

    async def list_requests(self, request: Request) -> Response:
        params = request.query_params
        client = self._client(request, params)
        self._jurisdiction(request, client, params)
        actor = self._actor(request, client, ClientScope.CASES_READ)
        ids = [i.strip() for i in (params.get("service_request_id") or "").split(",") if i.strip()]
        if len(ids) > MAX_IDS:
            raise Open311Error(400, f"At most {MAX_IDS} service_request_id values")
        status_filter = params.get("status")
        if status_filter not in (None, "open", "closed"):
            raise Open311Error(400, "status is open or closed")
        code = params.get("service_code")
        if code is not None and code not in DEFAULT_CATEGORIES:
            raise Open311Error(404, f"Unknown service_code {code!r}")
        start, end = (
            _date(params.get("start_date"), "start_date"),
            _date(params.get("end_date"), "end_date"),
        )
        headers: dict[str, str] = {}
        if ids:
            found = [c for c in (self._readable(actor, i) for i in ids) if c is not None]
        else:
            size = _page_size(params.get("page_size"))
            scope = self.db.org_units.require(client.org_id, field="jurisdiction_id")
            filters = case_queries.CaseFilter(category=code, reported_from=start, reported_to=end)
            page = case_queries.cases_in_scope(
                self.db, actor, scope, filters, size, params.get("after") or None
            )
            found = [edge.node for edge in page.edges]
            if page.has_next_page and page.edges:
                headers[NEXT_HEADER] = page.edges[-1].cursor  # pass back as ``after``
        if status_filter is not None:
            found = [c for c in found if shapes.status(c) == status_filter]
        return _json([shapes.request(c) for c in found], headers=headers)

    # --- helpers ----------------------------------------------------------------------------

    def _client(self, request: Request, params: Any) -> ApiClientRecord:
        key = request.headers.get("x-api-key") or params.get("api_key")
        if not key:
            raise Open311Error(403, "api_key is required")
        try:
            client = api_clients.authenticate(self.db, self.clock, key)
        except Unauthenticated as error:
            raise Open311Error(403, "api_key is not valid") from error
        api_clients.limit(self.db, self.clock, client)
        return client

    def _actor(self, request: Request, client: ApiClientRecord, scope: ClientScope) -> Actor:
        if scope not in client.scopes:
            raise Open311Error(403, f"The api_key lacks the scope {scope.value}")
        return api_clients.client_actor(client)

    def _jurisdiction(
        self, request: Request, client: ApiClientRecord | None, params: Any = None
    ) -> None:
        given = (params if params is not None else request.query_params).get("jurisdiction_id")
        if given and client is not None and given != path_ids(client.org_path)[0]:
            raise Open311Error(404, "Unknown jurisdiction_id")

    def _readable(self, actor: Actor, code: str) -> CaseRecord | None:
        case = self.db.cases.by_code(code) if len(code) <= 64 else None
        if case is None:
            return None
        return case_queries.case_with_timeline(self.db, actor, case.id)


async def _params(request: Request) -> dict[str, str]:
    """POST parameters: form-encoded (as the spec says) or a JSON object."""
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("application/json"):
            body = await request.json()
            if not isinstance(body, dict):
                raise Open311Error(400, "The body must be a JSON object")
            return {str(k): str(v) for k, v in body.items() if v is not None}
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}
    except (ValueError, UnicodeDecodeError) as exc:
        raise Open311Error(400, "The body could not be read") from exc


def _float(raw: str | None, name: str) -> float | None:
    if raw is None or raw == "":
        return None
    try:
        return float(raw)
    except ValueError as exc:
        raise Open311Error(400, f"{name} must be a number") from exc


def _date(raw: str | None, name: str) -> date | None:
    if raw is None or raw == "":
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Open311Error(400, f"{name} must be a W3C date-time") from exc
    return moment.date()


def _page_size(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_PAGE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise Open311Error(400, f"page_size is 1 to {MAX_PAGE}")
    return int(raw)


def _caller(form: dict[str, str]) -> CallerContact | None:
    phone = form.get("phone")
    if not phone:
        return None
    name = " ".join(p for p in (form.get("last_name"), form.get("first_name")) if p) or "来电人"
    return CallerContact(name, phone)
