"""The one free-text rule (api/domain/text.py) and the tracking numbers (api/domain/tracking.py)."""

from __future__ import annotations

import pytest

from api.domain.errors import InvalidInput
from api.domain.text import free_text
from api.domain.tracking import (
    check_code,
    key_matches,
    new_tracking_key,
    split_tracking_number,
    tracking_number,
)


def test_text_is_normalised_and_trimmed() -> None:
    assert free_text("  e\u0301\r\n\tx ", "f", max_length=10) == "\u00e9\n\tx"


@pytest.mark.parametrize(
    "text", ["a\x00", "a\x07", "a\x1b", "a\x7f", "a\x85b", "a\ud800", "a\udfff", "a\u202e", "a\rb"]
)
def test_control_characters_surrogates_and_overrides_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        free_text(text, "body", max_length=100)
    assert refused.value.field == "body"


def test_newlines_and_tabs_only_in_multiline_text() -> None:
    assert free_text("a\nb\tc", "f", max_length=10) == "a\nb\tc"
    with pytest.raises(InvalidInput):
        free_text("a\nb", "f", max_length=10, multiline=False)


def test_length_and_emptiness() -> None:
    assert free_text("字" * 5, "f", max_length=5) == "字" * 5
    with pytest.raises(InvalidInput):
        free_text("字" * 6, "f", max_length=5)
    with pytest.raises(InvalidInput):
        free_text("   ", "f", max_length=5)
    assert free_text("   ", "f", max_length=5, required=False) == ""


def test_emoji_and_zero_width_joiners_are_text() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert free_text(f"谢谢{family}", "f", max_length=20) == f"谢谢{family}"


def test_tracking_numbers() -> None:
    key = new_tracking_key()
    assert len(key) == 10 and key != new_tracking_key()
    number = tracking_number("SB2026-000001", key)
    assert number == f"SB2026-000001-{key}"
    assert split_tracking_number(f" {number.lower()} ") == ("SB2026-000001", key)
    assert split_tracking_number("SB2026-000001") is None
    assert split_tracking_number("SB2026-000001-ILOU000000") is None  # not Crockford
    assert tracking_number("SB2026-000001", None) is None
    with pytest.raises(InvalidInput):
        split_tracking_number("S" * 60)
    assert key_matches(key, key) and not key_matches(key, "0" * 10) and not key_matches(None, key)


@pytest.mark.parametrize("code", ["X" * 41, "SB2026-1#META", "SB2026", "", "SB 2026-1"])
def test_codes_are_bounded_before_they_build_keys(code: str) -> None:
    with pytest.raises(InvalidInput):
        check_code(code)
    assert check_code(" sb2026-000001 ") == "SB2026-000001"
