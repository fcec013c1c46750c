"""People, phone guards and role grants."""

from __future__ import annotations

from api.store.repository import Repository


class PeopleStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""
