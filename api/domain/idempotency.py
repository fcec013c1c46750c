"""Idempotency keys: the same key with the same input replays the first result; the same key
with a different input is a client bug, refused with IDEMPOTENCY_MISMATCH (never a silent
replay that would lose the second request).

The input is compared by a hash of its canonical JSON (sorted keys, no spaces), stored with
the idempotency item when the first request is recorded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from enum import Enum
from typing import Any

from api.domain.errors import IdempotencyMismatch
from api.domain.messages import msg


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def input_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a request's input (without its idempotency key)."""
    canonical = json.dumps(
        _plain(fields), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_same_input(stored_hash: str | None, given_hash: str) -> None:
    """Refuse a reused key whose input differs. Items written before hashes were stored carry
    none: they replay as before."""
    if stored_hash is not None and stored_hash != given_hash:
        raise IdempotencyMismatch(
            msg("input.idempotency_mismatch"),
            field="idempotencyKey",
        )
