"""PynamoDB models of the single table. The key design is in ``api/store/README.md``.

Every item has ``pk``, ``sk``, a ``type`` discriminator and a ``version`` for optimistic
locking. Model classes describe the items; which table they read and write is decided per call
by the ``Db`` that runs the call (``api.store.binding``), never by configuring the classes.
"""

from __future__ import annotations

import time
from typing import Any

from pynamodb import constants
from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.connection import TableConnection
from pynamodb.connection.base import MetaTable
from pynamodb.constants import PUT
from pynamodb.exceptions import PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import BatchWrite, Model

from api.settings import Settings
from api.store.binding import current_table


class Gsi1(GlobalSecondaryIndex["Item"]):  # type: ignore[no-untyped-call]
    """Lists under a parent: children of a unit, grants on a unit, residents of a unit."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex["Item"]):  # type: ignore[no-untyped-call]
    """Search: org units by kind, sorted by name (so a name prefix is a key condition)."""

    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class Gsi3(GlobalSecondaryIndex["Item"]):  # type: ignore[no-untyped-call]
    """Cases of a whole district by report time."""

    class Meta:
        index_name = "gsi3"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex["Item"]):  # type: ignore[no-untyped-call]
    """Running case clocks by next firing time, sharded; keys only (the sweeper re-reads)."""

    class Meta:
        index_name = "due"
        projection = KeysOnlyProjection()

    duepk = UnicodeAttribute(hash_key=True)
    duesk = UnicodeAttribute(range_key=True)


class Item(Model):
    class Meta:
        # Placeholder: every call runs on the table of the Db bound to it (see _get_connection).
        table_name = "dangqun-unbound"
        region = "ap-northeast-1"
        host: str | None = None
        max_retry_attempts = 3

    @classmethod
    def _get_connection(cls) -> TableConnection:
        """The bound Db's table: PynamoDB asks this for every request a model makes."""
        return current_table()

    # PynamoDB reads batch responses under ``Meta.table_name``; ours vary per Db, so the two
    # batch operations look under the bound table's name instead.

    @classmethod
    def _batch_get_page(
        cls, keys_to_get: Any, consistent_read: Any, attributes_to_get: Any
    ) -> tuple[Any, Any]:
        connection = cls._get_connection()
        data: Any = connection.batch_get_item(
            keys_to_get, consistent_read=consistent_read, attributes_to_get=attributes_to_get
        )
        table = connection.table_name
        unprocessed = data.get("UnprocessedKeys", {}).get(table, {}).get("Keys")
        return data.get("Responses", {}).get(table, []), unprocessed

    @classmethod
    def batch_write(cls, auto_commit: bool = True, settings: Any = None) -> Any:
        return TableBatchWrite(cls, auto_commit=auto_commit)

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    type = DiscriminatorAttribute()
    version = VersionAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    duepk = UnicodeAttribute(null=True)
    duesk = UnicodeAttribute(null=True)

    by_parent = Gsi1()
    by_kind = Gsi2()
    by_district = Gsi3()
    by_due = DueIndex()


class TableBatchWrite(BatchWrite[Any]):
    """BatchWriteItem that resends what the bound table left unprocessed."""

    def commit(self) -> None:
        puts = [op["item"].serialize() for op in self.pending_operations if op["action"] == PUT]
        deletes = [op["item"]._get_keys() for op in self.pending_operations if op["action"] != PUT]
        self.pending_operations = []
        connection = self.model._get_connection()
        for attempt in range(8):
            if not puts and not deletes:
                return
            data: Any = connection.batch_write_item(put_items=puts, delete_items=deletes)
            left = (data or {}).get("UnprocessedItems", {}).get(connection.table_name) or []
            puts = [op["PutRequest"]["Item"] for op in left if "PutRequest" in op]
            deletes = [op["DeleteRequest"]["Key"] for op in left if "DeleteRequest" in op]
            if puts or deletes:
                time.sleep(min(0.05 * 2**attempt, 1.0))
        raise PutError("Failed to batch write items: DynamoDB kept leaving some unprocessed")


META = "#META"


class OrgUnitItem(Item, discriminator="OrgUnit"):
    """``ORG#<id>`` / ``#META``."""

    id = UnicodeAttribute()
    kind = UnicodeAttribute()
    name = UnicodeAttribute()
    parent_id = UnicodeAttribute(null=True)
    path = UnicodeAttribute()
    # Ancestors root-first as [[id, kind, name], ...]: the breadcrumb without extra reads.
    ancestry = JSONAttribute(default=list)
    archived = BooleanAttribute(default=False)
    # Live references (children, role grants, residents); archive requires 0.
    refs = NumberAttribute(default=0)
    grid = JSONAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class PersonItem(Item, discriminator="Person"):
    """``USER#<id>`` / ``#META``."""

    id = UnicodeAttribute()
    name = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    is_party_member = BooleanAttribute(default=False)
    party_badge = BooleanAttribute(default=False)
    home_unit_id = UnicodeAttribute(null=True)
    home_path = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


class PhoneGuardItem(Item, discriminator="PhoneGuard"):
    """``PHONE#<phone>`` / ``#GUARD``: makes a phone number unique across people."""

    person_id = UnicodeAttribute()


class RoleGrantItem(Item, discriminator="RoleGrant"):
    """``USER#<person>`` / ``ROLE#<org>#<role>``."""

    person_id = UnicodeAttribute()
    person_name = UnicodeAttribute()
    org_id = UnicodeAttribute()
    org_path = UnicodeAttribute()
    role = UnicodeAttribute()
    granted_by = UnicodeAttribute(null=True)
    granted_at = UnicodeAttribute()


class NameGuardItem(Item, discriminator="NameGuard"):
    """``ORG#<parent>`` / ``NAME#<name>``: sibling units have distinct names."""

    unit_id = UnicodeAttribute()


class SeedMarkerItem(Item, discriminator="SeedMarker"):
    """``SEED#<name>`` / ``#META``: records that a demo data set was fully written."""

    name = UnicodeAttribute()
    items = NumberAttribute()
    written_at = UnicodeAttribute()


def org_key(unit_id: str) -> tuple[str, str]:
    return f"ORG#{unit_id}", META


def person_key(person_id: str) -> tuple[str, str]:
    return f"USER#{person_id}", META


def grant_key(person_id: str, org_id: str, role: str) -> tuple[str, str]:
    return f"USER#{person_id}", f"ROLE#{org_id}#{role}"


def phone_key(phone: str) -> tuple[str, str]:
    return f"PHONE#{phone}", "#GUARD"


def name_guard_key(parent_id: str | None, name: str) -> tuple[str, str]:
    return f"ORG#{parent_id or 'ROOT'}", f"NAME#{name}"


def children_pk(parent_id: str | None, archived: bool = False) -> str:
    prefix = "ARCHIVED_CHILDREN" if archived else "CHILDREN"
    return f"{prefix}#{parent_id or 'ROOT'}"


def kind_pk(kind: str, archived: bool = False) -> str:
    return f"{'ARCHIVED_KIND' if archived else 'KIND'}#{kind}"


def name_sk(name: str, item_id: str) -> str:
    return f"{name}#{item_id}"


def grants_pk(org_id: str) -> str:
    return f"GRANTS#{org_id}"


def residents_pk(org_id: str) -> str:
    return f"RESIDENTS#{org_id}"


def table_connection(settings: Settings) -> TableConnection:
    """A connection to the configured table, built like PynamoDB builds a model's own.

    One per ``Db``: model classes are never pointed at a table globally, so two ``Db`` objects
    on two tables can live in one process (the binding is per call, see ``api.store.binding``).
    """
    schema: Any = Item._get_schema()
    meta_table = MetaTable(
        {
            constants.TABLE_NAME: settings.table_name,
            constants.KEY_SCHEMA: schema["key_schema"],
            constants.ATTR_DEFINITIONS: schema["attribute_definitions"],
            constants.GLOBAL_SECONDARY_INDEXES: [
                {
                    constants.INDEX_NAME: index["index_name"],
                    constants.KEY_SCHEMA: index["key_schema"],
                }
                for index in schema["global_secondary_indexes"]
            ],
            constants.LOCAL_SECONDARY_INDEXES: [],
        }
    )
    return TableConnection(
        settings.table_name,
        meta_table=meta_table,
        region=settings.region,
        host=settings.dynamodb_host,
        max_retry_attempts=3,
    )
