"""Benchmark of delivery (prints figures, not a test): ``uv run python -m tests.bench.delivery``.

On DynamoDB Local (in memory, a free port) with its real stream, and the local provider
receiver on 127.0.0.1:

1. latency from a committed notice to the first delivery attempt the receiver sees, through the
   ``make dev`` loop (stream poll every ``BENCH_POLL_SECONDS``, default 0.1 s; Lambda's own
   batching window is 1 s): p50 / p95 over ``BENCH_LATENCY_NOTICES`` (default 50) notices
   written one at a time;
2. a burst of ``BENCH_BURST`` (default 1 000) notices, each to one staff person with WeChat and
   a phone (in-app + WeChat + SMS: three deliveries each), handled from the stream in batches of
   100 like the Lambda function: deliveries per second, and the DynamoDB writes the delivery
   adds per notice (by operation).
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections import Counter
from dataclasses import replace

from api.dev_receiver import LocalReceiver
from api.dev_stream import deliver_forever, wired
from api.domain.clock import SHANGHAI, SystemClock, iso
from api.domain.notify import Preferences
from api.dynamodb_local import DynamoDBLocal, free_port
from api.records.delivery import ContactRecord
from api.services.delivery import channels_from_settings
from api.services.stream_events import handle_batch
from api.settings import Settings
from api.store.case_models import NoticeItem, notice_key
from api.store.db import Db
from api.store.models import PersonItem, person_key
from api.store.stream_reader import StreamReader
from infra.local_table import ensure_table
from tests.requests import count_requests

LATENCY_NOTICES = int(os.environ.get("BENCH_LATENCY_NOTICES", "50"))
BURST = int(os.environ.get("BENCH_BURST", "1000"))
POLL_SECONDS = float(os.environ.get("BENCH_POLL_SECONDS", "0.1"))
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")
PERSON = "01BENCHSTAFF000000000000000"


def _person(db: Db) -> None:
    pk, sk = person_key(PERSON)
    with db.bound():
        PersonItem(pk, sk, id=PERSON, name="督办对象", phone="13900000000", created_at="x").save()
    db.deliveries.save_contact(ContactRecord(PERSON, Preferences(), "o-bench"))
    db.deliveries.add_quota(PERSON, "TPL_WORK_ORDER", LATENCY_NOTICES + BURST + 10)


def _notice(n: int, tag: str) -> NoticeItem:
    at = iso(SystemClock().now())
    pk, sk = notice_key(PERSON, at, f"{tag}{n:06d}", "ESCALATED")
    return NoticeItem(
        pk,
        sk,
        recipient_id=PERSON,
        case_id=f"{tag}{n:06d}",
        code=f"{tag}-{n:06d}",
        kind="ESCALATED",
        level="COMMUNITY",
        message="案件已吹哨上报至社区",
        at=at,
    )


def bench_latency(db: Db, settings: Settings, receiver: LocalReceiver) -> None:
    import api.dev_stream as dev_stream

    dev_stream.POLL_SECONDS = POLL_SECONDS
    stop, ready = threading.Event(), threading.Event()
    loop = threading.Thread(
        target=deliver_forever, args=(wired(settings, receiver), stop, print, ready)
    )
    loop.start()
    ready.wait(30)
    latencies: list[float] = []
    try:
        for n in range(LATENCY_NOTICES):
            seen = len(receiver.all())
            with db.bound():
                _notice(n, "LAT").save()
            committed = time.perf_counter()
            deadline = committed + 20
            while len(receiver.all()) == seen and time.perf_counter() < deadline:
                time.sleep(0.002)
            latencies.append(time.perf_counter() - committed)
            time.sleep(0.05)  # let the notice's other channels finish before the next one
    finally:
        stop.set()
        loop.join(timeout=10)
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    print(
        f"   commit → first attempt at the receiver ({LATENCY_NOTICES} notices, poll "
        f"{POLL_SECONDS:.2f} s): p50 {statistics.median(latencies) * 1000:6.1f} ms, "
        f"p95 {p95 * 1000:6.1f} ms"
    )


def bench_burst(db: Db, settings: Settings, receiver: LocalReceiver) -> None:
    stream = StreamReader(settings, start="LATEST")
    with db.bound(), NoticeItem.batch_write() as batch:
        for n in range(BURST):
            batch.save(_notice(n, "BURST"))
    records: list[dict[str, object]] = []
    while len(records) < BURST:
        page = stream.poll(limit=1000)
        if not page:
            time.sleep(0.05)
        records += page
    channels = channels_from_settings(wired(settings, receiver), time.time)
    before = len(receiver.all())
    now = SystemClock().now().astimezone(SHANGHAI)
    with count_requests() as counts:
        began = time.perf_counter()
        failed = [f for i in range(0, len(records), 100) for f in
                  handle_batch(db, channels, records[i : i + 100], now)]  # fmt: skip
        took = time.perf_counter() - began
    sent = len(receiver.all()) - before
    deliveries = sent + BURST  # the provider requests plus the in-app entries
    writes = Counter({op: counts[op] for op in WRITES if counts[op]})
    reads = Counter({op: n for op, n in counts.items() if op not in WRITES})
    print(
        f"   burst of {BURST} notices: {deliveries} deliveries ({sent} to providers, "
        f"{BURST} in-app) in {took:5.1f} s = {deliveries / took:6.1f} deliveries/s, "
        f"{len(failed)} records failed"
    )
    total = sum(writes.values())
    print(
        f"   DynamoDB writes added per notice: {total / BURST:4.1f} "
        f"({', '.join(f'{op} {n / BURST:.1f}' for op, n in sorted(writes.items()))}); "
        f"reads per notice: {sum(reads.values()) / BURST:4.1f} "
        f"({', '.join(f'{op} {n / BURST:.1f}' for op, n in sorted(reads.items()))})"
    )


def main() -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    server = DynamoDBLocal(free_port()).start()
    receiver = LocalReceiver().start()
    try:
        settings = Settings(
            stage="local", table_name="dangqun-bench-delivery", dynamodb_host=server.endpoint
        )
        settings = replace(settings, channel_timeout_seconds=5.0)
        ensure_table(settings)
        db = Db(settings)
        _person(db)
        print("== delivery on DynamoDB Local's stream, providers on a local receiver")
        bench_latency(db, settings, receiver)
        bench_burst(db, settings, receiver)
    finally:
        receiver.stop()
        server.stop()


if __name__ == "__main__":
    main()
