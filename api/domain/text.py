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
        raise InvalidInput("文本含有无效的 Unicode 字符（孤立代理项）", field=field)
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n")).strip()
    if required and not text:
        raise InvalidInput("此项不能为空", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"最多 {max_length} 个字符", field=field)
    allowed = _MULTILINE if multiline else frozenset()
    for ch in text:
        if ch in allowed:
            continue
        if ch in _BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs"):
            raise InvalidInput(
                "文本不能含有控制字符" + ("（换行和制表符除外）" if multiline else ""),
                field=field,
            )
    return text
