"""``make dev``'s delivery: the table's stream read like Lambda would, fed to the same batch
handler as ``functions/events.py``, with the providers pointed at a local receiver that shows
what would have been sent (http://127.0.0.1:<port>/)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from api.dev_receiver import LocalReceiver
from api.domain.clock import SystemClock
from api.services.delivery import channels_from_settings
from api.services.stream_events import handle_batch
from api.settings import Settings
from api.store.db import Db
from api.store.stream_reader import StreamReader

POLL_SECONDS = 0.5
MAX_RETRIES = 10  # Lambda's maximumRetryAttempts in serverless.yml


def wired(settings: Settings, receiver: LocalReceiver) -> Settings:
    """Settings whose providers are the local receiver."""
    return replace(settings, wechat_api_base=receiver.url, sms_api_base=receiver.url)


def deliver_forever(
    settings: Settings,
    stop: threading.Event,
    report: object = print,
    ready: threading.Event | None = None,
) -> None:
    """Poll the stream from now on and deliver each batch; failed records are retried on the
    next poll, like Lambda retries a batch item failure."""
    db = Db(settings)
    channels = channels_from_settings(settings, time.time)
    stream = StreamReader(settings, start="LATEST")
    if ready is not None:
        ready.set()
    clock = SystemClock()
    pending: list[dict[str, object]] = []
    retries: dict[str, int] = {}
    while not stop.is_set():
        try:
            batch = pending + stream.poll()
            failed = set(handle_batch(db, channels, batch, clock.now())) if batch else set()
            pending = []
            for record in batch:
                sequence = _sequence(record)
                if sequence not in failed:
                    continue
                retries[sequence] = retries.get(sequence, 0) + 1
                if retries[sequence] <= MAX_RETRIES:
                    pending.append(record)
                elif callable(report):  # what Lambda would send to the dead-letter queue
                    report(f"delivery gave up on stream record {sequence}")
        except Exception as error:  # keep `make dev` alive; the next poll retries
            if callable(report):
                report(f"delivery poll failed: {error}")
        stop.wait(POLL_SECONDS)


def _sequence(record: dict[str, object]) -> str:
    dynamodb = record.get("dynamodb")
    return str(dynamodb.get("SequenceNumber", "")) if isinstance(dynamodb, dict) else ""
