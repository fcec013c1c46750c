"""The one rule for free text typed by people (descriptions, addresses, titles, bodies,
comments, reasons, notes, names): every text input goes through ``free_text``.

- Unicode NFC normalisation (the same words compare and sort the same however they were typed);
  Windows line ends become ``\\n``; surrounding whitespace is dropped;
- no lone surrogates (they cannot be stored as UTF-8, and DynamoDB refuses them);
- no control characters except newline and tab (and those only in multi-line text), and no
  bidirectional overrides (they make a text display differently from what it says);
- a length bound per field, counted in characters after normalisation.
"""

from __future__ import annotations

import unicodedata

from api.domain.errors import InvalidInput
from api.domain.messages import msg

# Explicit bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MULTILINE = frozenset("\n\t")


def free_text(
    raw: str,
    field: str,
    *,
    max_length: int,
    required: bool = True,
    multiline: bool = True,
) -> str:
    """The cleaned text, or ``InvalidInput`` naming the field; empty only when not required."""
    if any("\ud800" <= ch <= "\udfff" for ch in raw):
        raise InvalidInput(msg("text.lone_surrogate"), field=field)
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n")).strip()
    if required and not text:
        raise InvalidInput(msg("text.empty"), field=field)
    if len(text) > max_length:
        raise InvalidInput(msg("text.too_long", max_length=max_length), field=field)
    allowed = _MULTILINE if multiline else frozenset()
    for ch in text:
        if ch in allowed:
            continue
        if ch in _BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs"):
            if multiline:
                raise InvalidInput(msg("text.control_chars_multiline"), field=field)
            raise InvalidInput(msg("text.control_chars"), field=field)
    return text
