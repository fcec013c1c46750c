"""The base of every repository: a handle on its Db; methods marked ``@bound`` run on its table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from api.store.binding import bound

if TYPE_CHECKING:
    from api.store.db import Db

__all__ = ["Repository", "bound"]


class Repository:
    def __init__(self, db: Db) -> None:
        self.db = db
