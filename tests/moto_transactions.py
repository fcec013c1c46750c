"""moto's ``TransactWriteItems`` without its whole-table copies (the moto backend of the tests).

moto 5 backs a transaction up by deep-copying the whole table once per item of the
transaction, to put it back if the transaction is cancelled. A transaction's cost then grows
with the table: the counters' truth test spent nine tenths of its time in those copies, and a
generated history grows quadratically. :func:`install` keeps moto's own transaction logic and
backs up only what a transaction can touch: the items at its keys, as they were, and the length
of the table's stream; a cancelled transaction puts those back. The outcome is the same as
moto's (every write or none, the same errors), which ``tests/unit/test_moto_transactions.py``
checks against a transaction moto runs unpatched.
"""

from __future__ import annotations

import copy
import importlib
from dataclasses import dataclass
from typing import Any

PATCHED = "_dangqun_keeps_tables"


class _TablesNotCopied:
    """Stands in for the ``copy`` module inside ``moto.dynamodb.models``, whose only deep copies
    are the transaction's table backup (skipped: the wrapper backs up the keys instead) and an
    item's old image in ``update_item`` (still copied)."""

    def __init__(self, table_type: type) -> None:
        self.table_type = table_type

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if isinstance(value, self.table_type):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


@dataclass
class _Backup:
    table: Any  # moto.dynamodb.models.table.Table
    hash_value: Any  # DynamoType
    range_value: Any  # DynamoType | None
    item: Any  # the item as it was (a copy), or None when absent

    def restore(self) -> None:
        items = self.table.items
        if self.range_value is None:
            if self.item is None:
                items.pop(self.hash_value, None)
            else:
                items[self.hash_value] = self.item
        elif self.item is None:
            items.get(self.hash_value, {}).pop(self.range_value, None)
        else:
            items[self.hash_value][self.range_value] = self.item


def _backups(backend: Any, transact_items: list[dict[str, Any]]) -> list[_Backup]:
    backups: list[_Backup] = []
    for entry in transact_items:
        for op in entry.values():
            table = backend.tables.get(op.get("TableName"))
            if table is None:
                continue
            if "Key" in op:
                key = op["Key"]
            else:
                attrs = op.get("Item", {})
                names = (table.hash_key_attr, table.range_key_attr)
                key = {name: attrs[name] for name in names if name and name in attrs}
            try:
                hash_value, range_value = backend.get_keys_value(table, key)
                item = table.get_item(hash_value, range_value)
            except Exception:  # an invalid key: moto refuses it before writing anything there
                continue
            backups.append(_Backup(table, hash_value, range_value, copy.deepcopy(item)))
    return backups


def install() -> None:
    """Patch moto's DynamoDB backend (idempotent)."""
    models = importlib.import_module("moto.dynamodb.models")
    backend_type = models.DynamoDBBackend
    original = backend_type.transact_write_items
    if getattr(original, PATCHED, False):
        return
    table_type = importlib.import_module("moto.dynamodb.models.table").Table
    setattr(models, "copy", _TablesNotCopied(table_type))  # noqa: B010 - the module's own name

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        backups = _backups(self, transact_items)
        streams = {
            id(b.table): (b.table.stream_shard, len(b.table.stream_shard.items))
            for b in backups
            if b.table.stream_shard is not None
        }
        try:
            original(self, transact_items)
        except Exception:
            for backup in reversed(backups):
                backup.restore()
            for shard, length in streams.values():
                del shard.items[length:]
            raise

    setattr(transact_write_items, PATCHED, True)
    backend_type.transact_write_items = transact_write_items
