"""Relay-style connections backed by DynamoDB pages (see ``api/store/pagination.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Generic, TypeVar

import strawberry

from api.records.page import Page

NodeType = TypeVar("NodeType")
RecordType = TypeVar("RecordType")

DEFAULT_PAGE_SIZE = 20

# The one argument of a mutation, described once.
INPUT = strawberry.argument(description="What to change: see the input type's fields")

# The paging arguments of every list field, described once.
First = Annotated[int, strawberry.argument(description="Page size, at most 100")]
After = Annotated[
    str | None, strawberry.argument(description="The `endCursor` of the previous page")
]


@strawberry.type(description="Relay page information of a connection")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether another page follows; ask for it with `after: endCursor`"
    )
    has_previous_page: bool = strawberry.field(
        description="Whether pages precede this one (true when `after` was given)"
    )
    start_cursor: str | None = strawberry.field(
        description="Cursor of the first edge of the page; null on an empty page"
    )
    end_cursor: str | None = strawberry.field(
        description="Opaque signed cursor to pass as `after` for the next page; null at the end"
    )


@strawberry.type(description="One item of a page, with its cursor (Relay edge)")
class Edge(Generic[NodeType]):
    cursor: str = strawberry.field(description="Opaque signed cursor of this item")
    node: NodeType = strawberry.field(description="The item")


@strawberry.type(
    description="A page of a list (Relay connection): `first` items (at most 100) `after` a cursor"
)
class Connection(Generic[NodeType]):
    edges: list[Edge[NodeType]] = strawberry.field(description="The items with their cursors")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list")

    @strawberry.field(description="The items without cursors (shortcut for `edges { node }`)")
    def nodes(self) -> list[NodeType]:
        return [edge.node for edge in self.edges]


def to_connection(
    page: Page[RecordType], wrap: Callable[[RecordType], NodeType], forward_start: bool
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
