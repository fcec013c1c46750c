"""The points / love-bank ledger and balances."""

from __future__ import annotations

from api.store.repository import Repository


class LedgerStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""
