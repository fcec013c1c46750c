"""Cursor pagination over DynamoDB Query.

A cursor is the DynamoDB key of the last item a client saw, wrapped with the list it belongs to
and signed (HMAC-SHA256), so a client can neither forge a start key nor reuse a cursor of one
list on another. Pages are fetched with ``Limit = first + 1`` to learn whether more follow;
nothing is ever sliced out of a full list in memory.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pynamodb.expressions.condition import Condition

from api.domain.errors import InvalidCursor, InvalidInput
from api.domain.messages import msg
from api.records.page import Edge as Edge  # re-exported: repositories return pages
from api.records.page import Page as Page
from api.store.models import Item

MAX_PAGE_SIZE = 100
# A filtered query reads at most this many DynamoDB pages (of at most MAX_ITEMS_READ_PER_PAGE
# items) for one API page, so a sparse filter cannot turn one request into a partition scan; it
# then returns what it found with a cursor to resume from.
MAX_ITEMS_READ_PER_PAGE = 400
MAX_REQUESTS_PER_PAGE = 5

T = TypeVar("T")
I = TypeVar("I", bound=Item)  # noqa: E741
R = TypeVar("R")


@dataclass(frozen=True)
class ListKey:
    """Which list a cursor belongs to: the index (or table) and the partition queried."""

    index: str
    partition: str
    key_attributes: tuple[str, ...]


class CursorCodec:
    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._secret, body, hashlib.sha256).digest()[:16]

    def encode(self, list_key: ListKey, key: dict[str, str]) -> str:
        body = json.dumps(
            {"i": list_key.index, "p": list_key.partition, "k": key},
            separators=(",", ":"),
            ensure_ascii=False,
            sort_keys=True,
        ).encode()
        return base64.urlsafe_b64encode(self._sign(body) + body).decode().rstrip("=")

    def decode(self, list_key: ListKey, cursor: str) -> dict[str, str]:
        if len(cursor) > 2000:
            raise InvalidCursor(msg("page.cursor_too_long"), field="after")
        try:
            raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode("ascii"))
        except (binascii.Error, UnicodeError, ValueError) as exc:
            raise InvalidCursor(msg("page.cursor_invalid"), field="after") from exc
        signature, body = raw[:16], raw[16:]
        if not hmac.compare_digest(signature, self._sign(body)):
            raise InvalidCursor(msg("page.cursor_invalid"), field="after")
        payload = json.loads(body)
        if payload.get("i") != list_key.index or payload.get("p") != list_key.partition:
            raise InvalidCursor(msg("page.cursor_other_list"), field="after")
        key = payload.get("k")
        if not isinstance(key, dict) or set(key) != set(list_key.key_attributes):
            raise InvalidCursor(msg("page.cursor_invalid"), field="after")
        return {str(name): str(value) for name, value in key.items()}


TABLE_KEY = ("pk", "sk")
INDEX_KEYS: dict[str, tuple[str, ...]] = {
    "": TABLE_KEY,
    "gsi1": (*TABLE_KEY, "gsi1pk", "gsi1sk"),
    "gsi2": (*TABLE_KEY, "gsi2pk", "gsi2sk"),
    "gsi3": (*TABLE_KEY, "gsi3pk", "gsi3sk"),
}


def check_first(first: int) -> int:
    if first < 0 or first > MAX_PAGE_SIZE:
        raise InvalidInput(msg("page.first_range", max_page_size=MAX_PAGE_SIZE), field="first")
    return first


def query_page(
    model: type[I],
    codec: CursorCodec,
    partition: str,
    *,
    index: str = "",
    range_key_condition: Condition | None = None,
    filter_condition: Condition | None = None,
    accept: Callable[[I], bool] | None = None,
    first: int,
    after: str | None,
    scan_forward: bool = True,
    consistent_read: bool = False,
) -> Page[I]:
    """One page of a Query on the table or a GSI, with cursors for every edge."""
    check_first(first)
    list_key = ListKey(index, partition, INDEX_KEYS[index])
    start = codec.decode(list_key, after) if after else None
    if first == 0:
        return Page(edges=[], has_next_page=False)

    edges: list[Edge[I]] = []
    filtered = filter_condition is not None or accept is not None
    page_size = (first + 1) if not filtered else min(MAX_ITEMS_READ_PER_PAGE, 4 * (first + 1))
    query_kwargs: dict[str, Any] = {
        "range_key_condition": range_key_condition,
        "filter_condition": filter_condition,
        "scan_index_forward": scan_forward,
        "last_evaluated_key": _to_dynamo_key(start) if start else None,
        "page_size": page_size,
    }
    if index:
        source: Any = getattr(model, _INDEX_ATTRS[index])
        results: Any = source.query(partition, **query_kwargs)
    else:
        results = model.query(partition, consistent_read=consistent_read, **query_kwargs)
    # Drive DynamoDB page by page (one request each) so the number of requests stays bounded.
    pages = results.page_iter
    for request_number in range(1, MAX_REQUESTS_PER_PAGE + 1):
        raw_page = next(pages)
        for raw in raw_page.get("Items", []):
            item = model.from_raw_data(raw)
            if accept is not None and not accept(item):
                continue
            edges.append(Edge(cursor=codec.encode(list_key, _item_key(item, list_key)), node=item))
            if len(edges) > first:
                return Page(edges=edges[:first], has_next_page=True)
        evaluated = raw_page.get("LastEvaluatedKey")
        if not evaluated:
            return Page(edges=edges, has_next_page=False)
        if request_number == MAX_REQUESTS_PER_PAGE:
            last_key = {name: str(next(iter(value.values()))) for name, value in evaluated.items()}
            return Page(
                edges=edges, has_next_page=True, resume_cursor=codec.encode(list_key, last_key)
            )
    raise AssertionError("unreachable")


_INDEX_ATTRS = {"gsi1": "by_parent", "gsi2": "by_kind", "gsi3": "by_district"}


def _item_key(item: Item, list_key: ListKey) -> dict[str, str]:
    return {name: str(getattr(item, name)) for name in list_key.key_attributes}


def _to_dynamo_key(key: dict[str, str]) -> dict[str, dict[str, str]]:
    return {name: {"S": value} for name, value in key.items()}
