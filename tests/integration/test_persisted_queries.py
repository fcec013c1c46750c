"""Persisted queries (issue 13): automatic persisted queries by SHA-256 stored in the table,
and the allow-list mode in which only registered operations run."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from api.app import create_app
from api.domain.clock import FixedClock
from api.persisted_queries import sha256_of
from api.settings import Settings
from api.store.db import Db
from tests.graphql_client import AsgiClient, Response

QUERY = "query Districts { districts(first: 5) { nodes { name } } }"


def post(client: AsgiClient, body: dict[str, Any]) -> Response:
    return client.post(json.dumps(body), {"content-type": "application/json"})


def apq(sha: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha}}


def test_automatic_persisted_queries(settings: Settings, db: Db, clock: FixedClock) -> None:
    client = AsgiClient(create_app(settings, clock))
    sha = sha256_of(QUERY)
    missing = post(client, {"extensions": apq(sha)})
    assert missing.error_codes == ["PERSISTED_QUERY_NOT_FOUND"]
    assert missing.errors[0]["message"] == "PersistedQueryNotFound"  # what Apollo retries on
    wrong = post(client, {"query": QUERY, "extensions": apq("0" * 64)})
    assert (wrong.status, wrong.error_codes) == (400, ["PERSISTED_QUERY_INVALID"])
    assert db.persisted_queries.get("0" * 64) is None
    first = post(client, {"query": QUERY, "extensions": apq(sha)})
    assert first.status == 200 and not first.errors, first.body
    again = post(client, {"extensions": apq(sha)})  # the hash alone now runs
    assert again.body == first.body
    assert post(client, {"extensions": apq("xyz")}).status == 400


def test_the_allow_list_runs_only_registered_operations(
    settings: Settings, db: Db, clock: FixedClock, tmp_path: Path
) -> None:
    client = AsgiClient(create_app(replace(settings, operations_allowlist=True), clock))
    sha = sha256_of(QUERY)
    refused = post(client, {"query": QUERY})
    assert (refused.status, refused.error_codes) == (403, ["PERSISTED_QUERY_NOT_ALLOWED"])
    # A client cannot register an operation by sending it with its hash.
    assert post(client, {"query": QUERY, "extensions": apq(sha)}).status == 403

    operation = tmp_path / "districts.graphql"
    operation.write_text(QUERY, encoding="utf-8")
    env = {
        "DANGQUN_TABLE_NAME": settings.table_name,
        "DANGQUN_DYNAMODB_HOST": settings.dynamodb_host or "",
        "DANGQUN_STAGE": settings.stage,
    }
    if settings.dynamodb_host is None:  # moto: register in-process (same mocked account)
        from api.persisted_queries import register

        assert register(db, clock, QUERY) == sha
    else:
        done = subprocess.run(
            [sys.executable, "-m", "api.cli", "register-operations", str(operation)],
            env={**_base_env(), **env}, capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert done.stdout.split()[0] == sha
    by_hash = post(client, {"extensions": apq(sha)})
    assert by_hash.status == 200 and not by_hash.errors, by_hash.body
    assert post(client, {"query": QUERY}).status == 200  # the registered text itself
    assert post(client, {"query": QUERY + " "}).status == 403  # any other text is not


def _base_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("DANGQUN_")}
