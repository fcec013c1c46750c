"""Read the table's stream directly (DynamoDB Local and moto keep one): the local stand-in for
Lambda's stream poller, used by ``make dev`` (api/dev_stream.py), the tests and the benchmark.

Records come back in the shape Lambda hands to the function (``eventName``, ``dynamodb`` with
``NewImage`` / ``OldImage`` / ``SequenceNumber``), filtered like the event source mapping.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.session

from api.settings import Settings
from api.store.stream_codec import announces


class StreamReader:
    def __init__(
        self,
        settings: Settings,
        start: str = "LATEST",
        accept: Callable[[dict[str, Any]], bool] = announces,
    ) -> None:
        """``accept``: the event source mapping's filter of the function this stands in for
        (delivery's by default; the export worker's: api/services/export_worker.py)."""
        self.accept = accept
        session = botocore.session.get_session()
        kwargs: dict[str, Any] = {"region_name": settings.region}
        if settings.dynamodb_host:
            kwargs["endpoint_url"] = settings.dynamodb_host
        self.tables = session.create_client("dynamodb", **kwargs)
        # Recent botocore derives an account-specific streams endpoint from the ARN, which moto
        # does not serve; the regional endpoint is equivalent.
        streams_url = f"https://streams.dynamodb.{settings.region}.amazonaws.com"
        self.streams = session.create_client(
            "dynamodbstreams", **{"endpoint_url": streams_url, **kwargs}
        )
        table = self.tables.describe_table(TableName=settings.table_name)["Table"]
        self.stream_arn: str = table["LatestStreamArn"]
        self.start = start
        self.iterators: dict[str, str | None] = {}
        self.last_seen: dict[str, str] = {}
        self._discover()

    def _discover(self) -> None:
        """Open an iterator on every shard not seen yet (shards split and close over time)."""
        description = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            shard_id = shard["ShardId"]
            if shard_id in self.iterators:
                continue
            # Shards found after the first look are read from their start: nothing is skipped.
            kind = self.start if not self.iterators else "TRIM_HORIZON"
            self.iterators[shard_id] = self.streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType=kind
            )["ShardIterator"]

    def poll(self, limit: int = 100) -> list[dict[str, Any]]:
        """The records that arrived since the last poll (all shards), filtered."""
        self._discover()
        records: list[dict[str, Any]] = []
        for shard_id, iterator in list(self.iterators.items()):
            if iterator is None:
                continue
            if shard_id in self.last_seen:
                # Re-anchor after the last record seen rather than trust a held iterator:
                # iterators expire (15 min on AWS), and moto replaces a table's stream shard
                # when it rolls back a cancelled transaction.
                iterator = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn,
                    ShardId=shard_id,
                    ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                    SequenceNumber=self.last_seen[shard_id],
                )["ShardIterator"]
            answer = self.streams.get_records(ShardIterator=iterator, Limit=limit)
            self.iterators[shard_id] = answer.get("NextShardIterator")
            got = answer.get("Records", [])
            if got:
                self.last_seen[shard_id] = got[-1]["dynamodb"]["SequenceNumber"]
            records += [r for r in got if self.accept(r)]
        return records
