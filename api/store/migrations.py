"""Bring every item of the table to the current item format, in place.

``migrate`` scans the table page by page and rewrites each item older than the target format
through the steps of api/store/migration_steps, stamping ``fmt`` and bumping ``version``:

- idempotent: an item already at the target is left alone; a second run changes nothing;
- safe next to the running application: each write is conditioned on the ``version`` (and
  ``fmt``) it read; when the application changed the item in between, the item is read again
  and migrated from there. Bumping ``version`` makes an application write based on the
  pre-migration read fail with its usual conflict instead of undoing the migration;
- resumable: after each page a checkpoint item (``#MIGRATION`` / ``#TO#<target>``) records
  the scan position and the counts; the next run continues from it, and a finished migration
  says so at once. ``restart=True`` scans again from the start.

It needs ``dynamodb:Scan`` (the application's role does not have it; serverless.yml gives the
``migrate`` function a role of its own).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from api.store.item_format import CURRENT_FORMAT, FORMAT_ATTRIBUTE
from api.store.migration_steps import STEPS
from api.store.migration_steps.base import RawItem, Step

CHECKPOINT_PK = "#MIGRATION"
VERSION_ATTRIBUTE = "version"
WRITE_ATTEMPTS = 5


class MigrationError(RuntimeError):
    pass


@dataclass
class MigrationReport:
    target: int
    scanned: int = 0
    migrated: int = 0
    already_current: int = 0
    vanished: int = 0
    retried: int = 0
    pages: int = 0
    done: bool = False
    resumed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def checkpoint_key(target: int) -> RawItem:
    return {"pk": {"S": CHECKPOINT_PK}, "sk": {"S": f"#TO#{target:04d}"}}


def item_format(item: RawItem) -> int:
    value = item.get(FORMAT_ATTRIBUTE)
    return int(value["N"]) if value else 0


def migrate(
    client: Any,
    table_name: str,
    *,
    steps: Sequence[Step] = STEPS,
    target: int = CURRENT_FORMAT,
    page_size: int = 100,
    restart: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
) -> MigrationReport:
    """Migrate until the scan ends or ``should_stop()`` says so (checked between pages)."""
    report = MigrationReport(target=target)
    start_key: RawItem | None = None
    checkpoint = None if restart else _read_checkpoint(client, table_name, target)
    if checkpoint is not None:
        report = MigrationReport(**json.loads(checkpoint["report"]["S"]))
        report.resumed = True
        if report.done:
            return report
        start_key = json.loads(checkpoint["last_key"]["S"]) if "last_key" in checkpoint else None
    while not should_stop():
        request: dict[str, Any] = {
            "TableName": table_name,
            "Limit": page_size,
            "ConsistentRead": True,
        }
        if start_key is not None:
            request["ExclusiveStartKey"] = start_key
        page = client.scan(**request)
        for item in page.get("Items", []):
            if item["pk"]["S"] == CHECKPOINT_PK:
                continue
            report.scanned += 1
            _migrate_item(client, table_name, item, steps, target, report)
        start_key = page.get("LastEvaluatedKey")
        report.pages += 1
        report.done = start_key is None
        _write_checkpoint(client, table_name, report, start_key)
        if report.done:
            break
    return report


def _migrate_item(
    client: Any,
    table_name: str,
    item: RawItem,
    steps: Sequence[Step],
    target: int,
    report: MigrationReport,
) -> None:
    for _attempt in range(WRITE_ATTEMPTS):
        current = item_format(item)
        if current >= target:
            report.already_current += 1
            return
        migrated = dict(item)
        for step in steps:
            if current < step.version <= target:
                migrated = step.apply(migrated)
        migrated[FORMAT_ATTRIBUTE] = {"N": str(target)}
        names = {"#v": VERSION_ATTRIBUTE, "#f": FORMAT_ATTRIBUTE}
        values: dict[str, Any] = {}
        conditions = ["attribute_exists(pk)"]
        if VERSION_ATTRIBUTE in item:
            migrated[VERSION_ATTRIBUTE] = {"N": str(int(item[VERSION_ATTRIBUTE]["N"]) + 1)}
            conditions.append("#v = :v")
            values[":v"] = item[VERSION_ATTRIBUTE]
        else:
            conditions.append("attribute_not_exists(#v)")
        if FORMAT_ATTRIBUTE in item:
            conditions.append("#f = :f")
            values[":f"] = item[FORMAT_ATTRIBUTE]
        else:
            conditions.append("attribute_not_exists(#f)")
        write: dict[str, Any] = {
            "TableName": table_name,
            "Item": migrated,
            "ConditionExpression": " AND ".join(conditions),
            "ExpressionAttributeNames": names,
        }
        if values:
            write["ExpressionAttributeValues"] = values
        try:
            client.put_item(**write)
        except client.exceptions.ConditionalCheckFailedException:
            # Changed (or deleted) since the scan read it: migrate what is there now.
            report.retried += 1
            fresh = client.get_item(
                TableName=table_name,
                Key={"pk": item["pk"], "sk": item["sk"]},
                ConsistentRead=True,
            ).get("Item")
            if fresh is None:
                report.vanished += 1
                return
            item = fresh
            continue
        report.migrated += 1
        return
    raise MigrationError(
        f"item {item['pk']['S']} / {item['sk']['S']} changed {WRITE_ATTEMPTS} times "
        "while migrating it; run the migration again"
    )


def _read_checkpoint(client: Any, table_name: str, target: int) -> RawItem | None:
    response = client.get_item(
        TableName=table_name, Key=checkpoint_key(target), ConsistentRead=True
    )
    item: RawItem | None = response.get("Item")
    return item


def _write_checkpoint(
    client: Any, table_name: str, report: MigrationReport, start_key: RawItem | None
) -> None:
    checkpoint: RawItem = {
        **checkpoint_key(report.target),
        "report": {"S": json.dumps({**report.as_dict(), "resumed": False})},
        "at": {"N": str(int(time.time()))},
    }
    if start_key is not None:
        checkpoint["last_key"] = {"S": json.dumps(start_key)}
    client.put_item(TableName=table_name, Item=checkpoint)
