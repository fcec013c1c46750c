"""Identifiers: new ids for items and Relay global ids for the API.

Item ids are time-ordered (48-bit milliseconds + 80 random bits, Crockford base32, 26 chars, like
ULID) so that ids created later sort later. Global ids are ``base64url("<Type>:<id>")``.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import time

from api.domain.errors import InvalidId
from api.domain.messages import msg

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ITEM_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
# Demo and imported data may use readable ids; they follow the same alphabet rules as keys.
_LEGACY_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


def new_id(now_ms: int | None = None) -> str:
    millis = int(time.time() * 1000) if now_ms is None else now_ms
    value = (millis << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def is_item_id(value: str) -> bool:
    # fullmatch: with match, "$" would also accept a trailing newline.
    return bool(_ITEM_ID.fullmatch(value) or _LEGACY_ID.fullmatch(value))


def to_global_id(type_name: str, item_id: str) -> str:
    raw = f"{type_name}:{item_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def from_global_id(global_id: str, expected_type: str | None = None) -> tuple[str, str]:
    """Decode a global id; raise ``InvalidId`` if it is malformed or of another type."""
    if not global_id or len(global_id) > 200:
        raise InvalidId(msg("id.empty_or_long"), field="id")
    padded = global_id + "=" * (-len(global_id) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise InvalidId(msg("id.invalid", global_id=global_id), field="id") from exc
    type_name, sep, item_id = raw.partition(":")
    if not sep or not type_name or not is_item_id(item_id):
        raise InvalidId(msg("id.invalid", global_id=global_id), field="id")
    if expected_type is not None and type_name != expected_type:
        raise InvalidId(
            msg(
                "id.wrong_type",
                global_id=global_id,
                type_name=type_name,
                expected_type=expected_type,
            ),
            field="id",
        )
    return type_name, item_id


def accept_id(value: str, type_name: str) -> str:
    """The raw id of what a person typed or pasted: a global id of ``type_name`` (as the API
    shows it) or the raw id itself (as the seeds print it). One mapping, both accepted:
    ``to_global_id(type, raw) == base64url("<type>:<raw>")`` without padding."""
    try:
        return from_global_id(value.strip(), type_name)[1]
    except InvalidId:
        return value.strip()
