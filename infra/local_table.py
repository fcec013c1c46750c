"""Create the table of ``infra/table.yml`` on DynamoDB Local or moto, idempotently.

The CloudFormation fragment is the single definition; this turns its properties into a
CreateTable call, dropping what only AWS understands (PITR, SSE, deletion protection).
"""

from __future__ import annotations

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


def create_table_request(table_name: str) -> dict[str, Any]:
    properties = table_properties()
    return {
        "TableName": table_name,
        "BillingMode": properties["BillingMode"],
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
        "GlobalSecondaryIndexes": properties["GlobalSecondaryIndexes"],
    }


def ensure_table(settings: Settings) -> bool:
    """Create the table unless it exists; return True when it was created."""
    kwargs: dict[str, Any] = {"region": settings.region}
    if settings.dynamodb_host:
        kwargs["host"] = settings.dynamodb_host
    connection = Connection(**kwargs)
    client = connection.client
    try:
        client.describe_table(TableName=settings.table_name)
        return False
    except client.exceptions.ResourceNotFoundException:
        pass
    try:
        client.create_table(**create_table_request(settings.table_name))
    except client.exceptions.ResourceInUseException:
        return False
    except TableError:
        raise
    client.get_waiter("table_exists").wait(TableName=settings.table_name)
    return True


def delete_table(settings: Settings) -> None:
    kwargs: dict[str, Any] = {"region": settings.region}
    if settings.dynamodb_host:
        kwargs["host"] = settings.dynamodb_host
    client = Connection(**kwargs).client
    try:
        client.delete_table(TableName=settings.table_name)
    except client.exceptions.ResourceNotFoundException:
        return
