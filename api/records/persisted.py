"""Persisted GraphQL operations (issue 13): the text of an operation under its SHA-256."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PersistedQueryRecord:
    sha256: str
    query: str
    allowed: bool  # registered by a front-end's build (allow-list), not only sent by a client
    created_at: str
