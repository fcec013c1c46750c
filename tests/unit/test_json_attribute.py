"""The store's JSONAttribute decodes exactly as PynamoDB's (lenient about control characters)."""

from __future__ import annotations

import json

from pynamodb.attributes import JSONAttribute as PynamoJSONAttribute

from api.store.json_attribute import JSONAttribute


def test_decodes_like_pynamodb() -> None:
    values = ['[{"a": 1, "b": "x"}]', '{"note": "line\nbreak\ttab"}', "null", '"张三"', "[]"]
    ours, theirs = JSONAttribute(), PynamoJSONAttribute()
    for value in values:
        assert ours.deserialize(value) == theirs.deserialize(value)  # type: ignore[no-untyped-call]
    assert ours.serialize({"a": [1, 2]}) == json.dumps({"a": [1, 2]})
