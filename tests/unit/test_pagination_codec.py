"""Signed cursors: round trip, tampering, cursors of other lists, garbage."""

from __future__ import annotations

import base64
import json

import pytest

from api.domain.errors import ErrorCode, InvalidCursor, InvalidInput
from api.domain.messages import Language
from api.store.pagination import (
    INDEX_KEYS,
    MAX_PAGE_SIZE,
    CursorCodec,
    ListKey,
    check_first,
)

CHILDREN = ListKey("gsi1", "CHILDREN#C1", INDEX_KEYS["gsi1"])
KEY = {"pk": "ORG#G1", "sk": "#META", "gsi1pk": "CHILDREN#C1", "gsi1sk": "第一网格#G1"}


@pytest.fixture
def codec() -> CursorCodec:
    return CursorCodec("unit-test-secret")


def _unpadded_b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _raw(cursor: str) -> bytes:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))


def test_round_trip(codec: CursorCodec) -> None:
    cursor = codec.encode(CHILDREN, KEY)
    assert codec.decode(CHILDREN, cursor) == KEY


def test_round_trip_on_the_table_and_every_index(codec: CursorCodec) -> None:
    for index, attributes in INDEX_KEYS.items():
        list_key = ListKey(index, "P", attributes)
        key = {name: f"{name}-value" for name in attributes}
        assert codec.decode(list_key, codec.encode(list_key, key)) == key


def test_cursors_are_opaque_url_safe_and_deterministic(codec: CursorCodec) -> None:
    cursor = codec.encode(CHILDREN, KEY)
    assert cursor == codec.encode(CHILDREN, dict(reversed(list(KEY.items()))))
    assert "=" not in cursor and "+" not in cursor and "/" not in cursor
    assert "ORG#G1" not in cursor


def test_padded_cursors_decode_too(codec: CursorCodec) -> None:
    cursor = codec.encode(CHILDREN, KEY)
    assert codec.decode(CHILDREN, cursor + "=" * (-len(cursor) % 4)) == KEY


def _refused(codec: CursorCodec, list_key: ListKey, cursor: str) -> InvalidCursor:
    with pytest.raises(InvalidCursor) as caught:
        codec.decode(list_key, cursor)
    assert caught.value.code is ErrorCode.INVALID_CURSOR
    assert caught.value.field == "after"
    return caught.value


def test_a_tampered_signature_is_refused(codec: CursorCodec) -> None:
    raw = bytearray(_raw(codec.encode(CHILDREN, KEY)))
    for position in (0, 7, 15):
        forged = bytearray(raw)
        forged[position] ^= 0x01
        _refused(codec, CHILDREN, _unpadded_b64(bytes(forged)))


def test_a_tampered_body_is_refused(codec: CursorCodec) -> None:
    raw = _raw(codec.encode(CHILDREN, KEY))
    signature, body = raw[:16], raw[16:]
    forged_body = body.replace(b"ORG#G1", b"ORG#G2")
    assert forged_body != body
    _refused(codec, CHILDREN, _unpadded_b64(signature + forged_body))


def test_a_forged_start_key_without_the_secret_is_refused(codec: CursorCodec) -> None:
    body = json.dumps({"i": "gsi1", "p": "CHILDREN#C1", "k": KEY}).encode()
    _refused(codec, CHILDREN, _unpadded_b64(b"\x00" * 16 + body))
    _refused(codec, CHILDREN, _unpadded_b64(body))


def test_a_cursor_signed_with_another_secret_is_refused(codec: CursorCodec) -> None:
    other = CursorCodec("another-secret")
    _refused(codec, CHILDREN, other.encode(CHILDREN, KEY))


def test_a_cursor_of_another_partition_is_refused(codec: CursorCodec) -> None:
    other_partition = ListKey("gsi1", "CHILDREN#C2", INDEX_KEYS["gsi1"])
    error = _refused(codec, other_partition, codec.encode(CHILDREN, KEY))
    assert "another list" in error.message.render(Language.EN)


def test_a_cursor_of_another_index_is_refused(codec: CursorCodec) -> None:
    grants = ListKey("gsi2", "CHILDREN#C1", INDEX_KEYS["gsi2"])
    key = {"pk": "a", "sk": "b", "gsi2pk": "CHILDREN#C1", "gsi2sk": "x"}
    error = _refused(codec, CHILDREN, codec.encode(grants, key))
    assert "another list" in error.message.render(Language.EN)


def test_a_cursor_of_the_table_is_refused_on_an_index_of_the_same_partition(
    codec: CursorCodec,
) -> None:
    table = ListKey("", "CHILDREN#C1", INDEX_KEYS[""])
    _refused(codec, CHILDREN, codec.encode(table, {"pk": "a", "sk": "b"}))


def test_archived_and_active_children_lists_do_not_share_cursors(codec: CursorCodec) -> None:
    archived = ListKey("gsi1", "ARCHIVED_CHILDREN#C1", INDEX_KEYS["gsi1"])
    _refused(codec, archived, codec.encode(CHILDREN, KEY))
    _refused(codec, CHILDREN, codec.encode(archived, KEY))


@pytest.mark.parametrize(
    "key",
    [
        {"pk": "ORG#G1", "sk": "#META"},  # table key only
        {**KEY, "extra": "x"},  # an attribute too many
        {"pk": "ORG#G1", "sk": "#META", "gsi1pk": "CHILDREN#C1"},  # one too few
        {"pk": "a", "sk": "b", "gsi2pk": "c", "gsi2sk": "d"},  # another index's attributes
        {},
    ],
)
def test_wrong_key_attributes_are_refused(codec: CursorCodec, key: dict[str, str]) -> None:
    _refused(codec, CHILDREN, codec.encode(CHILDREN, key))


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!!",
        "@@@@@@@@",
        "a",
        "=",
        "网格",
        "\x00",
        " ",
        _unpadded_b64(b"short"),
        _unpadded_b64(b"x" * 16),
        _unpadded_b64(b"\xff" * 40),
    ],
)
def test_garbage_is_an_invalid_cursor_never_a_crash(codec: CursorCodec, cursor: str) -> None:
    _refused(codec, CHILDREN, cursor)


def test_a_truncated_cursor_is_refused(codec: CursorCodec) -> None:
    cursor = codec.encode(CHILDREN, KEY)
    for cut in (1, 4, len(cursor) // 2, len(cursor) - 1):
        _refused(codec, CHILDREN, cursor[:cut])


def test_an_over_long_cursor_is_refused_before_decoding(codec: CursorCodec) -> None:
    error = _refused(codec, CHILDREN, "A" * 2001)
    assert "too long" in error.message.render(Language.EN)


def test_a_long_but_valid_cursor_within_the_limit_decodes(codec: CursorCodec) -> None:
    key = {**KEY, "gsi1sk": "网" * 60 + "#" + "x" * 64}
    cursor = codec.encode(CHILDREN, key)
    assert len(cursor) <= 2000
    assert codec.decode(CHILDREN, cursor) == key


@pytest.mark.parametrize("first", [0, 1, 20, MAX_PAGE_SIZE])
def test_page_sizes_up_to_one_hundred_are_accepted(first: int) -> None:
    assert check_first(first) == first


@pytest.mark.parametrize("first", [-1, MAX_PAGE_SIZE + 1, 10_000])
def test_other_page_sizes_are_refused(first: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_first(first)
    assert caught.value.field == "first"


def test_max_page_size_is_one_hundred() -> None:
    assert MAX_PAGE_SIZE == 100
