"""One batch of stream records → deliveries, record by record (a poison record fails alone).

Shared by the Lambda function (functions/events.py) and the local stream poller of ``make
dev`` (api/dev_stream.py), so both run the same path.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from api.services.delivery import Channels, deliver, replay
from api.store.db import Db
from api.store.stream_codec import decode, replay_of

log = logging.getLogger("dangqun.events")


def handle_batch(
    db: Db, channels: Channels, records: list[dict[str, Any]], now: datetime
) -> list[str]:
    """Handle every record; return the sequence numbers of those that failed."""
    failed: list[str] = []
    for record in records:
        sequence = str(record.get("dynamodb", {}).get("SequenceNumber", ""))
        try:
            handle_record(db, channels, record, now)
        except Exception:
            log.exception("stream record %s failed", sequence)
            failed.append(sequence)
    return failed


def handle_record(db: Db, channels: Channels, record: dict[str, Any], now: datetime) -> None:
    replayed = replay_of(record)
    if replayed is not None:
        replay(db, channels, replayed, now)
        return
    report = deliver(db, channels, decode(record), now)
    if report.sent or report.failed:
        log.info("delivered %s: %s", record.get("eventID"), report)
