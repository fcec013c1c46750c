"""Dashboard counters per org unit and period."""

from __future__ import annotations

from api.store.repository import Repository


class CounterStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""
