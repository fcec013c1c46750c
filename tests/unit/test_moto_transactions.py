"""The moto backend's transactions (tests/moto_transactions.py): all or nothing, as moto's own,
with the items and the stream records of a cancelled transaction put back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.moto_transactions import install

TABLE = "moto-transactions"  # deleted after each test: the suite's moto session may hold it
ACCOUNT = "123456789012"  # moto's default account


@pytest.fixture
def client() -> Iterator[Any]:
    install()
    with mock_aws():
        session = botocore.session.get_session()
        dynamodb = session.create_client("dynamodb", region_name="ap-northeast-1")
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        yield dynamodb
        dynamodb.delete_table(TableName=TABLE)


def key(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": "#META"}}


def items(client: Any) -> dict[str, dict[str, Any]]:
    return {item["pk"]["S"]: item for item in client.scan(TableName=TABLE)["Items"]}


def stream_records(client: Any) -> int:
    """The records of the table's stream, as moto holds them."""
    from moto.dynamodb.models import dynamodb_backends

    shard = dynamodb_backends[ACCOUNT]["ap-northeast-1"].tables[TABLE].stream_shard
    assert shard is not None
    return len(shard.items)


def update(pk: str, n: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": TABLE,
            "Key": key(pk),
            "UpdateExpression": "ADD n :n",
            "ExpressionAttributeValues": {":n": {"N": str(n)}},
        }
    }


def put(pk: str) -> dict[str, Any]:
    return {"Put": {"TableName": TABLE, "Item": {**key(pk), "v": {"S": pk}}}}


def test_a_cancelled_transaction_leaves_items_and_stream_as_they_were(client: Any) -> None:
    client.transact_write_items(TransactItems=[update("A", 1), put("B")])
    before, records = items(client), stream_records(client)
    assert before["A"]["n"] == {"N": "1"} and records >= 2
    refused = {
        "ConditionCheck": {
            "TableName": TABLE,
            "Key": key("B"),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    with pytest.raises(ClientError) as cancelled:
        # The update of A and the put of C are written before the check of B fails.
        client.transact_write_items(TransactItems=[update("A", 5), put("C"), refused])
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert items(client) == before
    assert stream_records(client) == records


def test_a_key_named_twice_is_refused_and_nothing_is_written(client: Any) -> None:
    client.transact_write_items(TransactItems=[update("A", 1)])
    before = items(client)
    with pytest.raises(ClientError) as refused:
        client.transact_write_items(TransactItems=[put("D"), update("A", 2), update("A", 3)])
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert items(client) == before


def test_a_transaction_that_passes_writes_every_item(client: Any) -> None:
    client.transact_write_items(TransactItems=[update("A", 2), put("B"), put("C")])
    written = items(client)
    assert set(written) == {"A", "B", "C"} and written["A"]["n"] == {"N": "2"}
