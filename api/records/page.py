"""One page of a list, as the store returns it: edges with opaque cursors and whether more follow.

It lives with the records (not in ``api.store.pagination``, which builds it from DynamoDB
pages) so the schema can read pages without importing the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Edge(Generic[T]):
    cursor: str
    node: T


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: items inside the store, records once a repository ``map``s it."""

    edges: list[Edge[T]]
    has_next_page: bool
    # Set when a filtered query stopped at its read budget with more to read.
    resume_cursor: str | None = None

    def map(self, convert: Callable[[T], R]) -> Page[R]:
        return Page(
            edges=[Edge(edge.cursor, convert(edge.node)) for edge in self.edges],
            has_next_page=self.has_next_page,
            resume_cursor=self.resume_cursor,
        )

    @property
    def end_cursor(self) -> str | None:
        if self.resume_cursor is not None:
            return self.resume_cursor
        return self.edges[-1].cursor if self.edges else None
