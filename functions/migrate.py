"""One-off Lambda function: migrate the table's items to the current format.

Invoke it by hand (``npx osls invoke -f migrate --stage <stage>``, see README, runbook); it
works until a minute before its timeout, saves its checkpoint and returns ``done: false`` when
there is more: invoke it again until ``done: true``. It has a role of its own with
``dynamodb:Scan``, and no schedule.

Settings without secrets: migrating needs no cursor key.
"""

from __future__ import annotations

from typing import Any

from api.observability import logger
from api.settings import Settings
from api.store.db import Db
from api.store.migrations import migrate
from api.warm import freeze_heap

STOP_BEFORE_TIMEOUT_MS = 60_000

db = Db(Settings.from_env())
freeze_heap()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    def should_stop() -> bool:
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        return remaining is not None and remaining() < STOP_BEFORE_TIMEOUT_MS

    report = migrate(
        db.connection.client,
        db.settings.table_name,
        restart=bool(event.get("restart")),
        page_size=int(event.get("pageSize", 100)),
        should_stop=should_stop,
    )
    logger.info("migration", extra=report.as_dict())
    return report.as_dict()
