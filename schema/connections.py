"""Relay-style connections backed by DynamoDB pages (see ``api/store/pagination.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Generic, TypeVar

import strawberry

from api.records.page import Page

NodeType = TypeVar("NodeType")
RecordType = TypeVar("RecordType")

DEFAULT_PAGE_SIZE = 20

# The paging arguments of every list field, described once.
First = Annotated[int, strawberry.argument(description="Page size, at most 100")]
After = Annotated[
    str | None, strawberry.argument(description="The `endCursor` of the previous page")
]


@strawberry.type(description="Where a page of a list stands (Relay)")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page")
    has_previous_page: bool = strawberry.field(
        description="True when this page was asked for after a cursor"
    )
    start_cursor: str | None = strawberry.field(description="The cursor of the first edge")
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` for the next page (may resume a filtered read)"
    )


@strawberry.type(description="One item of a list with its opaque cursor")
class Edge(Generic[NodeType]):
    cursor: str = strawberry.field(description="Opaque, signed: pass as `after` to continue")
    node: NodeType = strawberry.field(description="The item")


@strawberry.type(description="One page of a list (Relay connection); `first` is at most 100")
class Connection(Generic[NodeType]):
    edges: list[Edge[NodeType]] = strawberry.field(description="The items with their cursors")
    page_info: PageInfo = strawberry.field(description="Whether more items follow")

    @strawberry.field(description="The items without their cursors")
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
