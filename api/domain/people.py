"""People: residents, party members and staff; phone validation and personal-data masking."""

from __future__ import annotations

import re
import unicodedata

from api.domain.errors import InvalidInput
from api.domain.messages import msg

# ASCII digits only: \d would also match other scripts' digits, giving one number several
# spellings (and several phone guards). Full-width digits are folded to ASCII by NFKC first.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def normalise_phone(raw: str, field: str = "phone") -> str:
    """Mainland mobile numbers, with an optional +86 prefix and spaces or dashes."""
    digits = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", raw))
    if digits.startswith("+86"):
        digits = digits[3:]
    if not _MOBILE.fullmatch(digits):
        raise InvalidInput(msg("person.phone"), field=field)
    return digits


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def phone_shown(phone: str, owner_id: str | None, caller_id: str | None) -> str:
    """A phone as the caller sees it: in full to its owner (one's own data), masked to others."""
    return phone if owner_id is not None and owner_id == caller_id else mask_phone(phone)


def mask_name(name: str) -> str:
    """张三丰 → 张**: keeps the family name, as Chinese public notices do."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""
