"""The Relay ``Node`` interface and global-id helpers for the API layer."""

from __future__ import annotations

import strawberry

from api.domain.errors import InvalidId
from api.domain.ids import from_global_id, to_global_id


@strawberry.interface(description="An object with a global id, refetchable through `node(id:)`")
class Node:
    id: strawberry.ID = strawberry.field(
        description='Global id: base64url of "<Type>:<id>"; opaque to clients'
    )


def global_id(type_name: str, item_id: str) -> strawberry.ID:
    return strawberry.ID(to_global_id(type_name, item_id))


def item_id(value: str, type_name: str, field: str = "id") -> str:
    """The item id inside a global id of the expected type; ``InvalidId`` names the field."""
    try:
        return from_global_id(value, type_name)[1]
    except InvalidId as error:
        raise InvalidId(error.message, field=field) from None
