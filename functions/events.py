"""Lambda entry point of delivery: the table's stream, filtered to the item types that announce
something (api.store.stream_codec.STREAM_TYPES; the filter is declared in serverless.yml).

Each record is handled on its own: a record that fails (undecodable, or a delivery to retry)
is reported in ``batchItemFailures`` and the others go on; Lambda retries from the failed
record (settled deliveries are skipped then), bisects a failing batch, and after its retries
sends the record's description to the on-failure queue (SQS).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from api.domain.clock import SystemClock
from api.services.delivery import channels_from_settings
from api.services.stream_events import handle_batch
from api.settings import get_settings
from api.store.db import Db

log = logging.getLogger("dangqun.events")
settings = get_settings()
db = Db(settings)
channels = channels_from_settings(settings, time.time)
clock = SystemClock()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failures = handle_batch(db, channels, event.get("Records", []), clock.now())
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failures]}
