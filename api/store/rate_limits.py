"""Fixed-window rate limits kept in the table: one counter item per bucket and window.

``RATE#<bucket>`` / ``<window>`` with ``hits`` and ``expires_at`` (the table's TTL attribute,
so old windows disappear by themselves). Taking a slot is one conditional UpdateItem: no read,
and concurrent callers can never push a window past its limit.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import UpdateError

from api.store.db import Db
from api.store.models import Item


class RateLimitItem(Item, discriminator="RateLimit"):
    hits = NumberAttribute(default=0)
    expires_at = NumberAttribute(null=True)


def take(db: Db, bucket: str, window: str, limit: int, expires_at: int) -> bool:
    """Count one hit in the window; False (nothing counted) when the window is full."""
    item = RateLimitItem(f"RATE#{bucket}", window)
    try:
        with db.bound():
            item.update(
                actions=[RateLimitItem.hits.add(1), RateLimitItem.expires_at.set(expires_at)],
                condition=RateLimitItem.hits.does_not_exist() | (RateLimitItem.hits < limit),
                add_version_condition=False,
            )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
