"""Dashboard counters per org unit: ``STATS#<org>`` / ``DAY#<yyyy-mm-dd>`` per Shanghai day, and
the month roll-up ``STATS#<org>`` / ``MONTH#<yyyy-mm>`` added in the same transaction (so a month
or a year of 22 streets is one ``BatchGetItem`` of month items, never a read of the cases)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from api.records.case import DayCountersRecord
from api.store.case_codec import day_counters_record
from api.store.case_models import DailyStatsItem, stats_key, stats_pk
from api.store.repository import Repository, bound


def month_key(org_id: str, month: str) -> tuple[str, str]:
    """The month roll-up's key; ``month`` is ``yyyy-mm``."""
    return stats_pk(org_id), f"MONTH#{month}"


def add_day_counters(
    transaction: Any, orgs: Iterable[str], day: str, counters: dict[str, int]
) -> None:
    """``ADD`` each counter on the day item and on the month roll-up of every org unit, inside
    ``transaction``."""
    for org_id in orgs:
        for key, period in ((stats_key(org_id, day), day), (month_key(org_id, day[:7]), day[:7])):
            stats = DailyStatsItem(*key)
            actions = [
                DailyStatsItem.type.set(DailyStatsItem),
                DailyStatsItem.org_id.set(org_id),
                DailyStatsItem.day.set(period),
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

    @bound
    def months(self, org_ids: list[str], months: list[str]) -> list[DayCountersRecord]:
        """Month roll-ups (``day`` holds ``yyyy-mm``) of every unit for every month given, as
        ``BatchGetItem`` of up to 100 keys; a month without counters is absent."""
        keys = [month_key(org_id, month) for org_id in org_ids for month in months]
        return [day_counters_record(row) for row in DailyStatsItem.batch_get(keys)]
