"""Lambda entry point of the timer sweeper, run by an EventBridge schedule (rate(1 minute)).

Fires what is due (warnings, escalations, hand-overs, supervision) and returns the figures of
the sweep; the same ``sweep`` runs locally in ``make dev`` and from ``api.cli sweep --at``.
"""

from __future__ import annotations

import logging
from typing import Any

from api.domain.clock import SystemClock, iso
from api.observability import count_throttles, instrument_sweeper
from api.services.deadlines.sweep import sweep
from api.services.upload_sweep import sweep_orphan_uploads
from api.settings import get_settings
from api.store.db import Db
from api.warm import freeze_heap

log = logging.getLogger("dangqun.sweeper")
db = Db(get_settings())
clock = SystemClock()
count_throttles(db.connection.client)  # also builds the botocore client, at init


def sweep_now(event: dict[str, Any], context: Any) -> dict[str, Any]:
    now = clock.now()
    report = sweep(db, now)
    lateness = report.lateness_seconds
    figures = {
        "at": iso(now),
        "shards": report.shards,
        "itemsRead": report.items_read,
        "fired": report.fired,
        "skipped": report.skipped,
        "maxLatenessSeconds": max(lateness) if lateness else 0,
    }
    log.info("sweep %s", figures)
    # Orphan uploads: the bucket's lifecycle rule removes them in AWS (this does nothing
    # there); against a local S3-compatible server, this step does.
    orphans = sweep_orphan_uploads(db, now)
    if orphans:
        log.info("removed %d orphan uploads", orphans)
    return figures


handler = instrument_sweeper(sweep_now)
freeze_heap()
