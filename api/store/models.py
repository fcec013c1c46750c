"""PynamoDB models of the single table. The key design is in ``api/store/README.md``.

Every item has ``pk``, ``sk``, a ``type`` discriminator and a ``version`` for optimistic
locking. Model classes share one table; ``configure`` points them at it.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from api.settings import Settings
from api.store.item_format import CURRENT_FORMAT
from api.store.json_attribute import JSONAttribute


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
        table_name = "dangqun-dev"
        region = "ap-northeast-1"
        host: str | None = None
        max_retry_attempts = 3

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    type = DiscriminatorAttribute()
    version = VersionAttribute()
    # The item format (api/store/item_format.py). PynamoDB applies the default on load too, so
    # whatever the application saves (always in the current shape) is stamped current; items
    # it never rewrites keep no `fmt` in the table until `api.cli migrate` reaches them.
    fmt = NumberAttribute(null=True, default=CURRENT_FORMAT)
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


def _all_subclasses(model: type[Item]) -> list[type[Item]]:
    found = [model]
    for subclass in model.__subclasses__():
        found += _all_subclasses(subclass)
    return found


def configure(settings: Settings) -> None:
    """Point every model at the configured table and endpoint.

    All models share one connection (one botocore client): they are views of the same table
    with the same keys and indexes, and a client costs ~0.1 s to create.
    """
    meta: Any = Item.Meta
    meta.table_name = settings.table_name
    meta.region = settings.region
    meta.host = settings.dynamodb_host
    Item._connection = None
    shared = Item._get_connection()
    for model in _all_subclasses(Item):
        model._connection = shared
