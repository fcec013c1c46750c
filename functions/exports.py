"""Lambda entry point of the export worker (issue 14.7): the table's stream, filtered to new
``ExportJob`` items in state QUEUED (the filter is declared in serverless.yml).

Each job runs in ``api.services.export_worker``; a run that crashes, or stops a minute before
the function's time limit, is reported in ``batchItemFailures``: Lambda invokes again with the
same record and the run continues from the job's last recorded part. A job no retry finishes
is recorded FAILED by the first read 20 minutes after it started.
"""

from __future__ import annotations

from typing import Any

from api.domain.clock import SystemClock
from api.observability import count_throttles, instrument_exports
from api.services.export_worker import handle_batch
from api.settings import get_settings
from api.store.db import Db
from api.warm import freeze_heap

db = Db(get_settings())
clock = SystemClock()


def export(event: dict[str, Any], context: Any) -> dict[str, Any]:
    remaining = getattr(context, "get_remaining_time_in_millis", None)

    def time_left() -> float:
        return remaining() / 1000 if remaining is not None else float("inf")

    failures = handle_batch(db, clock, event.get("Records", []), time_left)
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failures]}


handler = instrument_exports(export)
count_throttles(db.connection.client)  # also builds the botocore client, at init
freeze_heap()
