"""Public tracking numbers: the human-readable case code plus a random key.

Codes (``SB2026-000123``) are sequential — right for staff and phone calls, and trivially
walked by a script. Public tracking (``trackCase``) therefore takes the *tracking number*
``<code>-<key>``: the key is ten Crockford base32 characters (50 random bits) drawn when the
case is reported, printed on the reporter's receipt and shown to the reporter and the staff who
can read the case. A guess is right once in 2^50; anonymous lookups are also rate-limited per
client address (api/services/case_tracking.py).
"""

from __future__ import annotations

import hmac
import re
import secrets

from api.domain.errors import InvalidInput
from api.domain.messages import msg

KEY_LENGTH = 10
CODE_MAX = 40
TRACKING_NUMBER_MAX = CODE_MAX + 1 + KEY_LENGTH
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE = re.compile(r"[A-Z0-9]+-[0-9]+")
_KEY = re.compile(rf"[{_CROCKFORD}]{{{KEY_LENGTH}}}")


def new_tracking_key() -> str:
    return "".join(secrets.choice(_CROCKFORD) for _ in range(KEY_LENGTH))


def tracking_number(code: str, key: str | None) -> str | None:
    return None if key is None else f"{code}-{key}"


def check_code(raw: str, field: str = "code") -> str:
    """A case code as staff type it (``SB2026-000123``): bounded before it builds a key."""
    code = raw.strip().upper()
    if len(code) > CODE_MAX or not _CODE.fullmatch(code):
        raise InvalidInput(msg("tracking.code_format", code_max=CODE_MAX), field=field)
    return code


def split_tracking_number(raw: str, field: str = "code") -> tuple[str, str] | None:
    """``(code, key)`` of a tracking number; None when the key part is missing or malformed
    (answered like an unknown number: the caller learns nothing about which part was wrong)."""
    value = raw.strip().upper()
    if len(value) > TRACKING_NUMBER_MAX:
        raise InvalidInput(
            msg("tracking.number_too_long", tracking_number_max=TRACKING_NUMBER_MAX), field=field
        )
    code, _, key = value.rpartition("-")
    if not _KEY.fullmatch(key) or not _CODE.fullmatch(code):
        return None
    return code, key


def key_matches(stored: str | None, given: str) -> bool:
    """Constant-time comparison: response time says nothing about how much of a key was right."""
    return stored is not None and hmac.compare_digest(stored.encode(), given.encode())
