"""The default catalogue of case categories, and validation of what a report carries."""

from __future__ import annotations

from dataclasses import dataclass

from api.domain.errors import InvalidInput
from api.domain.text import free_text

# code → 中文名. Districts extend this list; codes are stable, names are for display.
DEFAULT_CATEGORIES: dict[str, str] = {
    "HOUSING_SAFETY": "房屋安全",
    "ENVIRONMENT": "环境卫生",
    "PROPERTY_MANAGEMENT": "物业管理",
    "ROADS": "道路设施",
    "GREENERY": "园林绿化",
    "PUBLIC_ORDER": "社会治安",
    "NEIGHBOUR_DISPUTE": "邻里纠纷",
    "PARKING": "停车管理",
    "UTILITIES": "水电气暖",
    "ELDERLY_CARE": "为老服务",
    "OTHER": "其他",
}

DESCRIPTION_MAX = 2000
ADDRESS_MAX = 200
MAX_ATTACHMENTS = 10
ATTACHMENT_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "video/mp4", "audio/mpeg"})
IDEMPOTENCY_KEY_MAX = 64


@dataclass(frozen=True)
class Attachment:
    key: str
    content_type: str


def check_category(code: str, field: str = "category") -> str:
    if code not in DEFAULT_CATEGORIES:
        raise InvalidInput(
            f"Unknown category {code!r}; known: {', '.join(DEFAULT_CATEGORIES)}", field=field
        )
    return code


def check_description(text: str) -> str:
    return free_text(text, "description", max_length=DESCRIPTION_MAX)


def check_address(text: str | None) -> str | None:
    if text is None:
        return None
    value = free_text(text, "address", max_length=ADDRESS_MAX, required=False, multiline=False)
    return value or None


def check_position(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise InvalidInput("Give both latitude and longitude, or neither", field="latitude")
    if latitude is not None and not -90 <= latitude <= 90:
        raise InvalidInput("latitude must be between -90 and 90", field="latitude")
    if longitude is not None and not -180 <= longitude <= 180:
        raise InvalidInput("longitude must be between -180 and 180", field="longitude")


def check_attachments(attachments: list[Attachment]) -> list[Attachment]:
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidInput(f"At most {MAX_ATTACHMENTS} attachments", field="attachments")
    for attachment in attachments:
        if not attachment.key.strip() or len(attachment.key) > 300:
            raise InvalidInput("An attachment key must be 1–300 characters", field="attachments")
        if attachment.content_type not in ATTACHMENT_TYPES:
            raise InvalidInput(
                f"Attachment type {attachment.content_type!r} is not accepted", field="attachments"
            )
    return attachments


def check_idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX or "#" in key:
        raise InvalidInput(
            f"idempotencyKey must be 1–{IDEMPOTENCY_KEY_MAX} characters without '#'",
            field="idempotencyKey",
        )
    return key


def tracking_code(district_code: str, year: int, number: int) -> str:
    """SB2026-000123: district prefix, year, sequence within the district and year."""
    return f"{district_code}{year}-{number:06d}"
