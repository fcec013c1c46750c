"""PynamoDB models of API clients and their rate windows (issue 13)."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from api.store.models import META, Item


class ApiClientItem(Item, discriminator="ApiClient"):
    """``APICLIENT#<id>`` / ``#META``; gsi1 ``APICLIENTS`` / ``<org path>#<id>`` (an admin's
    listing by scope). The key's id part names the item, so authentication is one GetItem."""

    id = UnicodeAttribute()
    name = UnicodeAttribute()
    org_id = UnicodeAttribute()
    org_path = UnicodeAttribute()
    scopes = JSONAttribute(default=list)
    key_hash = UnicodeAttribute()
    previous_key_hash = UnicodeAttribute(null=True)
    previous_until = UnicodeAttribute(null=True)
    revoked_at = UnicodeAttribute(null=True)
    last_used_at = UnicodeAttribute(null=True)
    rate_per_minute = NumberAttribute(default=120)
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()


class RateWindowItem(Item, discriminator="RateWindow"):
    """``RATE#<client>`` / ``<minute>``: requests counted in one minute window (a few bytes each;
    an old window is never read again)."""

    hits = NumberAttribute(default=0)


def client_key(client_id: str) -> tuple[str, str]:
    return f"APICLIENT#{client_id}", META


CLIENTS_PK = "APICLIENTS"


def rate_key(client_id: str, minute: str) -> tuple[str, str]:
    return f"RATE#{client_id}", minute
