"""Dashboard counters per org unit and day (``STATS#<org>`` / ``DAY#<day>``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from api.records.case import DayCountersRecord
from api.store.case_codec import day_counters_record
from api.store.case_models import DailyStatsItem, stats_key, stats_pk
from api.store.repository import Repository, bound


def add_day_counters(transaction: Any, orgs: list[str], day: str, counters: dict[str, int]) -> None:
    """``ADD`` each counter on the day item of every org unit, inside ``transaction``."""
    for org_id in orgs:
        stats = DailyStatsItem(*stats_key(org_id, day))
        actions = [
            DailyStatsItem.type.set(DailyStatsItem),
            DailyStatsItem.org_id.set(org_id),
            DailyStatsItem.day.set(day),
        ]
        actions += [getattr(DailyStatsItem, name).add(n) for name, n in counters.items()]
        # A fresh instance has no version: the update would set one, so keep it out.
        transaction.update(stats, actions=actions, add_version_condition=False)


class CounterStore(Repository):
    """Reads return frozen records (api.records); counters change inside other aggregates'
    transactions (``add_day_counters``)."""

    @bound
    def days(self, org_id: str, start: date, end: date) -> list[DayCountersRecord]:
        """Counters of a unit's subtree per day, ``start`` to ``end`` included (one Query)."""
        rows = DailyStatsItem.query(
            stats_pk(org_id), DailyStatsItem.sk.between(f"DAY#{start}", f"DAY#{end}")
        )
        return [day_counters_record(row) for row in rows]
