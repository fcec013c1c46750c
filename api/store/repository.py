"""The base of every repository: a handle on its Db; methods marked ``@bound`` run on its table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pynamodb.exceptions import PutError

from api.domain.errors import Conflict
from api.domain.messages import Message
from api.store.binding import bound
from api.store.models import Item

if TYPE_CHECKING:
    from api.store.db import Db

__all__ = ["Repository", "bound", "conditional_failed", "save_versioned"]


class Repository:
    def __init__(self, db: Db) -> None:
        self.db = db


def conditional_failed(exc: Exception) -> bool:
    """A write refused because its condition did not hold (not a throttle or a fault)."""
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def save_versioned(item: Item, version: int, conflict: Message) -> None:
    """Put ``item`` conditioned on the version it was read at (0: a new one); a lost
    condition becomes a typed ``Conflict``."""
    if version:
        item.version = version
    try:
        item.save()
    except PutError as exc:
        if conditional_failed(exc):
            raise Conflict(conflict) from exc
        raise
