"""Persisted queries at the HTTP edge (issue 13).

Automatic persisted queries (Apollo's protocol): a request may carry
``extensions.persistedQuery {version: 1, sha256Hash}`` without ``query``; the text is read
from the table. Sent with its text, the hash is checked and the operation stored. In
allow-list mode (``DANGQUN_OPERATIONS_ALLOWLIST=1``, per stage) only operations registered by
``python -m api.cli register-operations`` run, whatever the request carries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

from starlette.responses import Response
from strawberry.http import GraphQLRequestData

from api.domain.clock import Clock, iso
from api.domain.messages import Message, msg
from api.language import current_language
from api.records.persisted import PersistedQueryRecord
from api.store.db import Db

MAX_QUERY = 100_000


class PersistedQueryError(Exception):
    """A refused persisted query. Apollo's own messages (``PersistedQueryNotFound``, the sha
    mismatch) are protocol and stay as Apollo words them; ours come from the catalogue."""

    def __init__(self, code: str, message: str | Message, status: int) -> None:
        super().__init__(str(message))
        self.code, self.message, self.status = code, message, status

    def response(self) -> Response:
        text = self.message
        if isinstance(text, Message):
            text = text.render(current_language())
        body = {
            "data": None,
            "errors": [{"message": text, "extensions": {"code": self.code}}],
        }
        return Response(json.dumps(body), status_code=self.status, media_type="application/json")


def sha256_of(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


def _requested_hash(data: GraphQLRequestData) -> str | None:
    persisted = (data.extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise PersistedQueryError("PERSISTED_QUERY_INVALID", msg("persisted.unsupported"), 400)
    sha = persisted.get("sha256Hash")
    if not isinstance(sha, str) or len(sha) != 64 or not all(c in "0123456789abcdef" for c in sha):
        raise PersistedQueryError("PERSISTED_QUERY_INVALID", msg("persisted.bad_hash"), 400)
    return sha


def resolve(db: Db, clock: Clock, allowlist: bool, data: GraphQLRequestData) -> GraphQLRequestData:
    """The request with its query text, or ``PersistedQueryError``."""
    sha = _requested_hash(data)
    if sha is None and not allowlist:
        return data  # a plain request
    if data.query is not None and sha is not None and sha256_of(data.query) != sha:
        raise PersistedQueryError(
            "PERSISTED_QUERY_INVALID", "provided sha does not match query", 400
        )
    sha = sha or sha256_of(data.query or "")
    stored = db.persisted_queries.get(sha)
    if allowlist:
        if stored is None or not stored.allowed:
            raise PersistedQueryError(
                "PERSISTED_QUERY_NOT_ALLOWED", msg("persisted.not_allowed"), 403
            )
        return replace(data, query=stored.query)
    if stored is not None:
        return replace(data, query=stored.query)
    if data.query is None:
        # Apollo clients resend with the text on exactly this message.
        raise PersistedQueryError("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound", 200)
    if len(data.query) <= MAX_QUERY:
        db.persisted_queries.add(PersistedQueryRecord(sha, data.query, False, iso(clock.now())))
    return data


def register(db: Db, clock: Clock, query: str) -> str:
    """Allow-list one operation (a front-end's build step); its hash."""
    sha = sha256_of(query)
    db.persisted_queries.allow(PersistedQueryRecord(sha, query, True, iso(clock.now())))
    return sha
