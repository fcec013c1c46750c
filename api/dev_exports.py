"""``make dev``'s export worker: the table's stream read like Lambda would (filtered to new
queued ``ExportJob`` items, as the ``exports`` function's event source mapping is), fed to
the same batch handler as ``functions/exports.py``. The files go to the local S3-compatible
server (s3rver), kept as ``.local/s3/<bucket>/exports/<person>/<job id>.csv._S3rver_object``."""

from __future__ import annotations

import threading

from api.domain.clock import Clock, SystemClock
from api.services.export_worker import handle_batch, is_queued
from api.settings import Settings
from api.store.db import Db
from api.store.stream_reader import StreamReader

POLL_SECONDS = 1.0
MAX_RETRIES = 3  # the exports function's maximumRetryAttempts in serverless.yml


def export_forever(
    settings: Settings,
    stop: threading.Event,
    report: object = print,
    ready: threading.Event | None = None,
    clock: Clock | None = None,
) -> None:
    """Poll the stream from now on and run each new job; a run that failed is retried on
    the next poll (it continues from its checkpoint), like Lambda retries the record."""
    db = Db(settings)
    stream = StreamReader(settings, start="LATEST", accept=is_queued)
    if ready is not None:
        ready.set()
    clock = clock or SystemClock()
    pending: list[dict[str, object]] = []
    retries: dict[str, int] = {}
    while not stop.is_set():
        try:
            batch = pending + stream.poll()
            failed = set(handle_batch(db, clock, batch)) if batch else set()
            pending = []
            for record in batch:
                dynamodb = record.get("dynamodb")
                sequence = (
                    str(dynamodb.get("SequenceNumber", "")) if isinstance(dynamodb, dict) else ""
                )
                if sequence not in failed:
                    continue
                retries[sequence] = retries.get(sequence, 0) + 1
                if retries[sequence] <= MAX_RETRIES:
                    pending.append(record)
                elif callable(report):
                    report(f"export gave up on stream record {sequence}")
        except Exception as error:  # keep `make dev` alive; the next poll retries
            if callable(report):
                report(f"export poll failed: {error}")
        stop.wait(POLL_SECONDS)
