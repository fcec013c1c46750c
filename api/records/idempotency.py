"""What an idempotency key recorded: the first result and the hash of the input it was for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Keyed(Generic[T]):
    value: T
    input_hash: str | None  # None for items written before hashes were stored
