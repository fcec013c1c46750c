"""Phone numbers and personal-data masking."""

from __future__ import annotations

import pytest

from api.domain.errors import ErrorCode, InvalidInput
from api.domain.people import mask_name, mask_phone, normalise_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13912345678", "13912345678"),
        ("13012345678", "13012345678"),
        ("19912345678", "19912345678"),
        ("139 1234 5678", "13912345678"),
        ("139-1234-5678", "13912345678"),
        (" 139 - 1234 - 5678 ", "13912345678"),
        ("+8613912345678", "13912345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("+86-139-1234-5678", "13912345678"),
        ("\t13912345678\n", "13912345678"),
        ("139\u30001234\u30005678", "13912345678"),  # ideographic spaces
        # Full-width digits as typed with a Chinese input method are the same number.
        ("１３９１２３４５６７８", "13912345678"),
        ("＋８６ １３９１２３４５６７８", "13912345678"),
    ],
)
def test_mainland_mobiles_are_normalised_to_eleven_ascii_digits(raw: str, expected: str) -> None:
    phone = normalise_phone(raw)
    assert phone == expected
    assert phone.isascii() and phone.isdigit() and len(phone) == 11


@pytest.mark.parametrize(
    "raw",
    [
        "",
        " ",
        "abc",
        "1391234567",  # 10 digits
        "139123456789",  # 12 digits
        "12912345678",  # no mobile network starts 12
        "11912345678",
        "10912345678",
        "23912345678",  # does not start with 1
        "8613912345678",  # country code without '+'
        "008613912345678",
        "+85213912345678",  # another country code
        "+86",
        "139.1234.5678",
        "(139)12345678",
        "1391234567８a",
        "139١٢٣٤٥٦٧٨",  # Arabic-Indic digits must not pass as a distinct spelling of a number
        "139٠٠٠٠١٠٠٢",
        "13912345678\n1",
    ],
)
def test_other_phones_are_refused_with_the_field(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_phone(raw)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == "phone"


def test_normalise_phone_reports_the_given_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_phone("x", field="serviceStation.phone")
    assert caught.value.field == "serviceStation.phone"


def test_spellings_of_one_number_normalise_alike() -> None:
    spellings = ["13900001002", "+86 139 0000 1002", "139-0000-1002", "１３９００００１００２"]
    assert {normalise_phone(raw) for raw in spellings} == {"13900001002"}


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13912345678", "139****5678"),
        ("1234567", "123****4567"),
        ("123456", "****"),
        ("", "****"),
    ],
)
def test_mask_phone_keeps_only_the_prefix_and_last_four(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_a_masked_mobile_hides_the_middle_four_digits() -> None:
    masked = mask_phone("13912345678")
    assert "1234" not in masked
    assert len(masked) == 11


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张**"),
        ("张三", "张*"),
        ("张", "张*"),  # a single character still shows as masked
        ("欧阳娜娜", "欧***"),
        ("Alice", "A****"),
        ("", ""),
    ],
)
def test_mask_name_keeps_the_family_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_a_masked_name_never_equals_the_full_name() -> None:
    for name in ("张", "张三", "张三丰", "甲居民"):
        assert mask_name(name) != name
