"""Local table creation from infra/table.yml, including upgrading an older local table."""

from __future__ import annotations

from typing import Any

from api.settings import Settings
from infra.local_table import create_table_request, dynamodb_client, ensure_table


def _indexes(client: Any, table: str) -> set[str]:
    described = client.describe_table(TableName=table)["Table"]
    return {index["IndexName"] for index in described.get("GlobalSecondaryIndexes", [])}


def test_ensure_table_is_idempotent(settings: Settings) -> None:
    assert ensure_table(settings) is False  # the fixture created it already
    expected = {i["IndexName"] for i in create_table_request("x")["GlobalSecondaryIndexes"]}
    assert _indexes(dynamodb_client(settings), settings.table_name) == expected


def test_an_older_local_table_gets_the_indexes_it_lacks(settings: Settings) -> None:
    client = dynamodb_client(settings)
    old = Settings(
        table_name=settings.table_name + "-old",
        dynamodb_host=settings.dynamodb_host,
        region=settings.region,
    )
    request = create_table_request(old.table_name)
    request["GlobalSecondaryIndexes"] = [
        index for index in request["GlobalSecondaryIndexes"] if index["IndexName"] == "gsi1"
    ]
    used = {"pk", "sk", "gsi1pk", "gsi1sk"}
    request["AttributeDefinitions"] = [
        a for a in request["AttributeDefinitions"] if a["AttributeName"] in used
    ]
    client.create_table(**request)
    try:
        assert _indexes(client, old.table_name) == {"gsi1"}
        assert ensure_table(old) is False
        assert _indexes(client, old.table_name) == {"gsi1", "gsi2", "gsi3", "due"}
    finally:
        client.delete_table(TableName=old.table_name)
