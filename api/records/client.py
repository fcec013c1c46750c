"""Records of API clients: third-party systems (12345 hotline, city governance platform) that
call the API with a key instead of a person's token (issue 13)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ClientScope(StrEnum):
    """What a client may do, on top of its org-unit scope."""

    CASES_REPORT = "cases:report"
    CASES_READ = "cases:read"
    CASES_EVALUATE = "cases:evaluate"
    TOPICS_READ = "topics:read"
    PARTNERS_READ = "partners:read"
    WEBHOOKS_MANAGE = "webhooks:manage"


@dataclass(frozen=True, slots=True)
class ApiClientRecord:
    """One client. Keys are never stored: only their SHA-256 (``key_hash``); after a rotation
    the previous hash stays valid until ``previous_until``."""

    id: str
    name: str
    org_id: str
    org_path: str
    scopes: tuple[ClientScope, ...]
    key_hash: str
    previous_key_hash: str | None
    previous_until: str | None
    revoked_at: str | None
    last_used_at: str | None
    rate_per_minute: int
    created_by: str
    created_at: str
    version: int = 0

    @property
    def active(self) -> bool:
        return self.revoked_at is None
