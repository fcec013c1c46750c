"""Notices (outbox) of cases and timers."""

from __future__ import annotations

from api.store.repository import Repository


class NoticeStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""
