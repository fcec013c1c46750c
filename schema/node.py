"""The Relay ``Node`` interface and global-id helpers for the API layer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry

from api.domain.errors import InvalidId
from api.domain.ids import from_global_id, to_global_id
from api.domain.messages import msg


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


# node(id:) dispatch: each type module registers how to load one of its objects by raw id,
# so `node` needs no list of types and a reader finds the resolver next to the type.
NodeLoader = Callable[[Any, str], Awaitable[Node | None]]
_NODE_LOADERS: dict[str, NodeLoader] = {}


L = TypeVar("L", bound=NodeLoader)


def node_loader(type_name: str) -> Callable[[L], L]:
    """Register ``async def load(info, raw_id) -> Node | None`` for ``node(id:)`` of a type."""

    def register(load: L) -> L:
        _NODE_LOADERS[type_name] = load
        return load

    return register


def is_registered(type_name: str) -> bool:
    return type_name in _NODE_LOADERS


async def resolve_node(info: Any, value: str) -> Node | None:
    type_name, raw_id = from_global_id(value)
    load = _NODE_LOADERS.get(type_name)
    if load is None:
        raise InvalidId(msg("id.unknown_type", value=value), field="id")
    return await load(info, raw_id)
