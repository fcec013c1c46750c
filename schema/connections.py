"""Relay-style connections backed by DynamoDB pages (see ``api/store/pagination.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from api.store.pagination import Page

NodeType = TypeVar("NodeType")
ItemType = TypeVar("ItemType")

DEFAULT_PAGE_SIZE = 20


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeType]):
    cursor: str
    node: NodeType


@strawberry.type
class Connection(Generic[NodeType]):
    edges: list[Edge[NodeType]]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[NodeType]:
        return [edge.node for edge in self.edges]


def to_connection(
    page: Page[ItemType], wrap: Callable[[ItemType], NodeType], forward_start: bool
) -> Connection[NodeType]:
    edges = [Edge(cursor=edge.cursor, node=wrap(edge.node)) for edge in page.edges]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=forward_start,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=page.end_cursor,
        ),
    )
