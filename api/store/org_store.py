"""Org units: the hierarchy, name guards, grid details."""

from __future__ import annotations

from api.store.repository import Repository


class OrgUnitStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""
