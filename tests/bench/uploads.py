"""Benchmarks of photos and files (issue 15) that print figures: ``make bench``.

Over the real local S3-compatible server (s3rver) and DynamoDB (moto, then DynamoDB Local):
requests and latency to obtain an upload (``requestUpload``), to post the file (plain HTTP, as a
mini-program does), to attach it (``attachUpload``), and to read a case with 5 attachments
(``case { files { url } }``). DynamoDB requests are counted at PynamoDB's API-call choke point,
S3 requests at botocore's; presigning is local (no request).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from tests.bench.topics import backend
from tests.requests import count_requests

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 1024  # 256 KB
ROUNDS = 5
REQUEST = """
mutation($input: RequestUploadInput!) { requestUpload(input: $input) {
  upload { uploadId url fields { name value } } errors { code message } } }"""
ATTACH = """
mutation($input: AttachUploadInput!) { attachUpload(input: $input) {
  attachment { id url } errors { code message } } }"""
CASE = "query($id: ID!) { case(id: $id) { id state files { id purpose size url } } }"


@contextmanager
def count_s3(client: Any) -> Iterator[Counter[str]]:
    counts: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        counts[model.name] += 1

    client.meta.events.register("before-call.s3", count)
    try:
        yield counts
    finally:
        client.meta.events.unregister("before-call.s3", count)


def bench(name: str) -> None:
    from api.domain.cases import Channel
    from api.domain.clock import SHANGHAI, FixedClock
    from api.domain.ids import to_global_id
    from api.dynamodb_local import free_port
    from api.s3_local import ACCESS_KEY, SECRET_KEY, S3Local
    from api.services.actor import load_actor
    from api.services.cases import ReportInput, report_case
    from api.settings import Settings
    from api.store.db import Db
    from infra.local_table import ensure_table
    from schema.context import Context
    from schema.schema import schema
    from tests.case_world import build_case_world
    from tests.world import build_world

    bucket = "dangqun-bench-uploads"
    with backend(name) as host, tempfile.TemporaryDirectory() as folder:
        s3 = S3Local(free_port(), Path(folder), bucket).start()
        try:
            settings = Settings(table_name="dangqun-bench-uploads", dynamodb_host=host)
            ensure_table(settings)
            settings = replace(
                settings,
                uploads_bucket=bucket,
                s3_endpoint=s3.endpoint,
                s3_access_key=ACCESS_KEY,
                s3_secret_key=SECRET_KEY,
            )
            db = Db(settings)
            clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))
            cw = build_case_world(db, clock, build_world(db, clock))
            resident = load_actor(db, cw.resident_id)
            case = report_case(
                db,
                resident,
                clock,
                ReportInput(
                    channel=Channel.RESIDENT,
                    category="HOUSING_SAFETY",
                    description="扬州路12号楼院北墙出现裂缝",
                    location_unit_id=cw.world.a.building.id,
                ),
            )
            case_gid = to_global_id("Case", case.id)

            def run(query: str, variables: dict[str, Any]) -> tuple[Any, float, int, int]:
                context = Context(db=db, clock=clock, request_id="bench", subject=cw.resident_id)
                started = time.perf_counter()
                with count_requests() as dynamo, count_s3(db.objects.client) as s3_calls:
                    result = asyncio.run(schema.execute(query, variables, context_value=context))
                elapsed = time.perf_counter() - started
                assert result.errors is None, result.errors
                # The caller's person and grants: one Query every signed-in request pays.
                return result.data, elapsed, sum(dynamo.values()) - 1, sum(s3_calls.values())

            # Built once per container on the first upload (loads the S3 service model).
            started = time.perf_counter()
            assert db.objects.client is not None
            client_ms = (time.perf_counter() - started) * 1000
            samples: dict[str, list[tuple[float, int, int]]] = {
                "requestUpload": [],
                "POST the file (HTTP)": [],
                "attachUpload": [],
            }
            for _ in range(ROUNDS):
                values = {
                    "purpose": "CASE_REPORT",
                    "targetId": case_gid,
                    "contentType": "image/jpeg",
                    "size": len(JPEG),
                }
                data, elapsed, dynamo, s3_calls = run(REQUEST, {"input": values})
                samples["requestUpload"].append((elapsed, dynamo, s3_calls))
                upload = data["requestUpload"]["upload"]
                started = time.perf_counter()
                response = httpx.post(
                    upload["url"],
                    data={f["name"]: f["value"] for f in upload["fields"]},
                    files={"file": ("crack.jpg", JPEG, "image/jpeg")},
                )
                assert response.status_code == 204, response.text
                samples["POST the file (HTTP)"].append((time.perf_counter() - started, 0, 1))
                data, elapsed, dynamo, s3_calls = run(
                    ATTACH, {"input": {"uploadId": upload["uploadId"]}}
                )
                assert data["attachUpload"]["errors"] == [], data
                samples["attachUpload"].append((elapsed, dynamo, s3_calls))
            reads = []
            for _ in range(ROUNDS):
                data, elapsed, dynamo, s3_calls = run(CASE, {"id": case_gid})
                assert len(data["case"]["files"]) == ROUNDS
                reads.append((elapsed, dynamo, s3_calls))
            samples[f"case with {ROUNDS} attachments"] = reads
            size = len(JPEG) // 1024
            print(f"== photos and files ({name} + s3rver, {size} KB JPEG, {ROUNDS} rounds)")
            print(f"   S3 client, first use in a container: {client_ms:6.1f} ms")
            for label, rows in samples.items():
                times = [row[0] * 1000 for row in rows]
                caller = "" if label.startswith("POST") else " (+1 caller)"
                print(
                    f"   {label:26}: median {statistics.median(times):6.1f} ms, "
                    f"max {max(times):6.1f} ms; DynamoDB {rows[-1][1]}{caller}, "
                    f"S3 {rows[-1][2]} request(s)"
                )
        finally:
            s3.stop()


def main() -> None:
    bench("moto")
    try:
        bench("dynamodb-local")
    except (OSError, RuntimeError) as error:
        print(f"== photos and files (dynamodb-local): not run here ({error})")


if __name__ == "__main__":
    main()
