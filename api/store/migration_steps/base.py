"""What a migration step is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

RawItem = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Step:
    version: int  # the format an item has after this step
    description: str
    apply: Callable[[RawItem], RawItem]
