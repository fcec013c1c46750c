"""Red partners, needs, projects and claims."""

from __future__ import annotations

from api.store.repository import Repository


class PartnerStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""
