"""Which table a model call goes to: the one of the ``Db`` running it, per call.

PynamoDB models look their connection up on the class. Instead of pointing the classes at a
table (global state: one table per process), every store method runs inside
``Db.bound()``, which sets the table connection for the current context (thread or task) and
restores the previous one afterwards. Two ``Db`` objects on two tables therefore work side by
side, even interleaved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar

if TYPE_CHECKING:
    from pynamodb.connection import TableConnection

_bound: ContextVar[TableConnection | None] = ContextVar("dangqun_table", default=None)

# TRANSITIONAL (store-boundary refactor in progress): the table of the most recently built Db,
# used by model calls made outside any binding. Removed once every service reads through a
# repository; from then on such a call raises ``UnboundStore``.
_transitional_default: list[TableConnection] = []


def set_transitional_default(connection: TableConnection) -> None:
    _transitional_default[:] = [connection]


class UnboundStore(RuntimeError):
    """A model was used outside any ``Db``: the store is the only door to DynamoDB."""


def current_table() -> TableConnection:
    connection = _bound.get()
    if connection is None and _transitional_default:
        return _transitional_default[0]
    if connection is None:
        raise UnboundStore("DynamoDB was used outside a Db: call it through a repository")
    return connection


@contextmanager
def binding(connection: TableConnection) -> Iterator[None]:
    token = _bound.set(connection)
    try:
        yield
    finally:
        _bound.reset(token)


class HasDb(Protocol):
    @property
    def db(self) -> Any: ...


P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound=HasDb)


def bound(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Run a repository method on its own Db's table (materialise lazy results inside)."""

    def run(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.db.bound():
            return method(self, *args, **kwargs)

    return wraps(method)(run)  # type: ignore[return-value]
