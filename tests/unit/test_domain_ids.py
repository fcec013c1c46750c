"""Item ids and Relay global ids."""

from __future__ import annotations

import base64

import pytest

from api.domain.errors import ErrorCode, InvalidId
from api.domain.ids import from_global_id, is_item_id, new_id, to_global_id
from api.domain.messages import Language

CROCKFORD = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


# --- item ids ------------------------------------------------------------------------------


def test_new_ids_are_26_crockford_characters() -> None:
    for _ in range(200):
        item_id = new_id()
        assert len(item_id) == 26
        assert set(item_id) <= CROCKFORD
        assert is_item_id(item_id)


def test_new_ids_are_unique() -> None:
    ids = {new_id(1_795_397_400_000) for _ in range(2000)}
    assert len(ids) == 2000


def test_later_ids_sort_later_whatever_their_random_part() -> None:
    earlier = [new_id(1_795_397_400_000) for _ in range(50)]
    later = [new_id(1_795_397_400_001) for _ in range(50)]
    assert max(earlier) < min(later)


def test_the_time_part_is_the_first_ten_characters() -> None:
    first = new_id(1_795_397_400_000)
    second = new_id(1_795_397_400_000)
    assert first[:10] == second[:10]
    assert new_id(0)[:10] == "0" * 10
    assert new_id(2**48 - 1)[:10] == "7" + "Z" * 9


@pytest.mark.parametrize(
    "value", ["SB", "S1", "a_b-c", "x" * 64, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "0" * 26]
)
def test_readable_and_generated_ids_are_item_ids(value: str) -> None:
    assert is_item_id(value)


@pytest.mark.parametrize(
    "value", ["", "x" * 65, "a b", "a#b", "a/b", "a:b", "网格", "a\n", "a.b", "a=b"]
)
def test_other_strings_are_not_item_ids(value: str) -> None:
    assert not is_item_id(value)


# --- global ids ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "item_id"),
    [
        ("OrgUnit", "SB"),
        ("OrgUnit", "01ARZ3NDEKTSV4RRFFQ69G5FAV"),
        ("Person", "x" * 64),
        ("Person", "a_b-c"),
        ("O", "1"),
    ],
)
def test_global_ids_round_trip(type_name: str, item_id: str) -> None:
    global_id = to_global_id(type_name, item_id)
    assert from_global_id(global_id) == (type_name, item_id)
    assert from_global_id(global_id, type_name) == (type_name, item_id)


def test_global_ids_are_url_safe_without_padding() -> None:
    for item_id in ("S", "SB", "SBX", "SBXY", new_id()):
        global_id = to_global_id("OrgUnit", item_id)
        assert "=" not in global_id and "+" not in global_id and "/" not in global_id
        assert base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)) == (
            f"OrgUnit:{item_id}".encode()
        )


def test_padded_global_ids_are_accepted_too() -> None:
    global_id = to_global_id("OrgUnit", "SB")
    assert len(global_id) % 4 != 0
    padded = global_id + "=" * (-len(global_id) % 4)
    assert from_global_id(padded) == ("OrgUnit", "SB")


def test_a_global_id_of_another_type_is_refused() -> None:
    with pytest.raises(InvalidId) as caught:
        from_global_id(to_global_id("Person", "P1"), "OrgUnit")
    assert caught.value.code is ErrorCode.INVALID_ID
    assert caught.value.field == "id"
    assert "Person" in caught.value.message.render(
        Language.EN
    ) and "OrgUnit" in caught.value.message.render(Language.EN)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "x" * 201,
        "!!!!",
        "%%%",
        "网格",
        " " + to_global_id("OrgUnit", "SB"),
        "T3JnVW5pdD pTQg",
        "@",
        _b64(b"OrgUnit"),  # no separator
        _b64(b"OrgUnit:"),  # no item id
        _b64(b":SB"),  # no type
        _b64(b"OrgUnit:a:b"),  # ':' inside the item id
        _b64(b"OrgUnit:a#b"),  # '#' would break sort keys
        _b64(b"OrgUnit:a/b"),  # '/' would break paths
        _b64(b"OrgUnit:" + b"x" * 65),
        _b64("OrgUnit:网格".encode()),
        _b64(b"OrgUnit:\xff\xfe"),  # not UTF-8
        _b64(b"\x00\x01\x02"),
    ],
)
def test_garbage_is_an_invalid_id_never_a_crash(value: str) -> None:
    with pytest.raises(InvalidId) as caught:
        from_global_id(value)
    assert caught.value.code is ErrorCode.INVALID_ID
    assert caught.value.field == "id"


def test_the_longest_accepted_global_id_is_200_characters() -> None:
    longest = to_global_id("T" * 85, "x" * 64)  # 150 raw bytes → exactly 200 characters
    assert len(longest) == 200
    assert from_global_id(longest) == ("T" * 85, "x" * 64)
    with pytest.raises(InvalidId):
        from_global_id(longest + "A")
