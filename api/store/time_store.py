"""Time policy versions and the working calendar's overrides."""

from __future__ import annotations

from api.store.repository import Repository


class TimeStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""
