"""The default catalogue of case categories, and validation of what a report carries."""

from __future__ import annotations

from dataclasses import dataclass

from api.domain.errors import InvalidInput
from api.domain.messages import msg
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
            msg("case.unknown_category", code=code, join=", ".join(DEFAULT_CATEGORIES)), field=field
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
        raise InvalidInput(msg("case.coordinates_pair"), field="latitude")
    if latitude is not None and not -90 <= latitude <= 90:
        raise InvalidInput(msg("case.latitude_range"), field="latitude")
    if longitude is not None and not -180 <= longitude <= 180:
        raise InvalidInput(msg("case.longitude_range"), field="longitude")


def check_attachments(attachments: list[Attachment]) -> list[Attachment]:
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidInput(
            msg("case.too_many_attachments", max_attachments=MAX_ATTACHMENTS), field="attachments"
        )
    for attachment in attachments:
        if not attachment.key.strip() or len(attachment.key) > 300:
            raise InvalidInput(msg("case.attachment_key"), field="attachments")
        if attachment.content_type not in ATTACHMENT_TYPES:
            raise InvalidInput(
                msg("case.attachment_type", content_type=attachment.content_type),
                field="attachments",
            )
    return attachments


def check_idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX or "#" in key:
        raise InvalidInput(
            msg("input.idempotency_key", idempotency_key_max=IDEMPOTENCY_KEY_MAX),
            field="idempotencyKey",
        )
    return key


def tracking_code(district_code: str, year: int, number: int) -> str:
    """SB2026-000123: district prefix, year, sequence within the district and year."""
    return f"{district_code}{year}-{number:06d}"
