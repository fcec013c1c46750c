"""Counting DynamoDB requests, for tests that assert a list page costs a constant number."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def count_requests() -> Iterator[Counter[str]]:
    """Counts every DynamoDB API call made inside, by operation name (GetItem, Query…)."""
    from pynamodb.connection.base import Connection

    counts: Counter[str] = Counter()
    original = Connection._make_api_call

    def counting(self: Any, operation_name: str, operation_kwargs: Any, **kwargs: Any) -> Any:
        counts[operation_name] += 1
        return original(self, operation_name, operation_kwargs, **kwargs)

    Connection._make_api_call = counting  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        Connection._make_api_call = original  # type: ignore[method-assign]
