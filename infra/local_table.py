"""Create the table of ``infra/table.yml`` on DynamoDB Local or moto, idempotently.

The CloudFormation fragment is the single definition; this turns its properties into a
CreateTable call, dropping what only AWS understands (PITR, SSE, deletion protection).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml
from pynamodb.connection import Connection
from pynamodb.exceptions import TableError

from api.settings import Settings

TABLE_FILE = Path(__file__).with_name("table.yml")


def table_properties() -> dict[str, Any]:
    document = yaml.safe_load(TABLE_FILE.read_text(encoding="utf-8"))
    properties: dict[str, Any] = document["Resources"]["MainTable"]["Properties"]
    return properties


def create_table_request(table_name: str, stream: bool = True) -> dict[str, Any]:
    properties = table_properties()
    request = {
        "TableName": table_name,
        "BillingMode": properties["BillingMode"],
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
        "GlobalSecondaryIndexes": properties["GlobalSecondaryIndexes"],
        # DynamoDB Local and moto keep a stream too: `make dev` and the delivery tests read it.
        "StreamSpecification": {"StreamEnabled": True, **properties["StreamSpecification"]},
    }
    if not stream:
        # moto copies a table, stream included, for every item of every transaction: tests
        # that do not read the stream run 4x faster without it.
        del request["StreamSpecification"]
    return request


def dynamodb_client(settings: Settings) -> Any:
    """A low-level DynamoDB client for the configured endpoint (DynamoDB Local, moto or AWS)."""
    kwargs: dict[str, Any] = {"region": settings.region}
    if settings.dynamodb_host:
        kwargs["host"] = settings.dynamodb_host
    return Connection(**kwargs).client


def ensure_table(settings: Settings, stream: bool = True) -> bool:
    """Create the table unless it exists, and add indexes a newer ``table.yml`` declares that
    an existing (older) local table lacks; return True when the table was created."""
    client = dynamodb_client(settings)
    try:
        existing = client.describe_table(TableName=settings.table_name)["Table"]
    except client.exceptions.ResourceNotFoundException:
        existing = None
    if existing is not None:
        _add_missing_indexes(client, settings.table_name, existing)
        if stream:
            _enable_stream(client, settings.table_name, existing)
        return False
    try:
        client.create_table(**create_table_request(settings.table_name, stream))
    except client.exceptions.ResourceInUseException:
        return False
    except TableError:
        raise
    client.get_waiter("table_exists").wait(TableName=settings.table_name)
    return True


def _add_missing_indexes(client: Any, table_name: str, existing: dict[str, Any]) -> None:
    have = {index["IndexName"] for index in existing.get("GlobalSecondaryIndexes", [])}
    request = create_table_request(table_name)
    for index in request["GlobalSecondaryIndexes"]:
        if index["IndexName"] in have:
            continue
        client.update_table(
            TableName=table_name,
            AttributeDefinitions=request["AttributeDefinitions"],
            GlobalSecondaryIndexUpdates=[{"Create": index}],
        )
        for _ in range(600):  # DynamoDB adds one index at a time; wait until it is active
            table = client.describe_table(TableName=table_name)["Table"]
            statuses = [i["IndexStatus"] for i in table.get("GlobalSecondaryIndexes", [])]
            if all(status == "ACTIVE" for status in statuses):
                break
            time.sleep(0.2)


def _enable_stream(client: Any, table_name: str, existing: dict[str, Any]) -> None:
    """A local table made before the stream was declared gets one (delivery reads it)."""
    if existing.get("StreamSpecification", {}).get("StreamEnabled"):
        return
    client.update_table(
        TableName=table_name,
        StreamSpecification=create_table_request(table_name)["StreamSpecification"],
    )


def delete_table(settings: Settings) -> None:
    client = dynamodb_client(settings)
    try:
        client.delete_table(TableName=settings.table_name)
    except client.exceptions.ResourceNotFoundException:
        return
