"""Dashboard counters per org unit: ``STATS#<org>`` / ``DAY#<yyyy-mm-dd>`` per Shanghai day, and
the month roll-up ``STATS#<org>`` / ``MONTH#<yyyy-mm>`` added in the same transaction (so a month
or a year of 22 streets is one ``BatchGetItem`` of month items, never a read of the cases)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pynamodb.exceptions import PutError
from pynamodb.expressions.update import Action

from api.domain.ids import new_id
from api.records.case import DayCountersRecord
from api.store.case_codec import day_counters_record
from api.store.case_models import CountedItem, DailyStatsItem, stats_key, stats_pk
from api.store.models import META
from api.store.repository import Repository, bound
from api.store.truth_store import ADOPTED_MARKER


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


@dataclass(frozen=True)
class DayCounts:
    """Counters one change adds to the day item and month roll-up of each of ``orgs`` (a unit
    and its ancestors) on the Shanghai ``day``, inside the change's own transaction."""

    orgs: tuple[str, ...]
    day: str
    counters: Mapping[str, int] = field(default_factory=dict)


def add_counts(transaction: Any, counts: DayCounts | None) -> None:
    """``add_day_counters`` for a topic's or red partner's event that may count nothing
    (``None`` or no counters), with the journal item that records what it added (the
    recompute's source for these counters: no case event carries them)."""
    if counts is None or not counts.counters:
        return
    add_day_counters(transaction, counts.orgs, counts.day, dict(counts.counters))
    counted = counted_json(counts.orgs, counts.counters, {})
    journal = CountedItem(f"COUNTED#{new_id()}", META, day=counts.day, counted=counted)
    transaction.save(journal, condition=CountedItem.pk.does_not_exist())


def counted_json(
    orgs: Iterable[str], counters: Mapping[str, int], unit_counters: Mapping[str, Mapping[str, int]]
) -> str | None:
    """What one case event adds, per unit, as stored on the event item (``counted``)."""
    counted: dict[str, dict[str, int]] = {org: dict(counters) for org in orgs} if counters else {}
    for org_id, more in unit_counters.items():
        for name, n in more.items():
            counted.setdefault(org_id, {})[name] = counted.get(org_id, {}).get(name, 0) + n
    return json.dumps(counted, sort_keys=True, ensure_ascii=False) if counted else None


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

    # Truth (issue 14): the counters recomputed from the case events' ``counted`` ----------

    @bound
    def adopt_unjournaled(self, names: Iterable[str]) -> int | None:
        """Once per table: journal the counters ``names`` as every day item stores them now, for
        a table whose topic and partner counters were written before their journal existed
        (release 2026-12-02). Returns the journal items written; ``None`` when done before."""
        marker = CountedItem(ADOPTED_MARKER, META, day="", counted="{}")
        try:
            marker.save(condition=CountedItem.pk.does_not_exist())
        except PutError:
            return None
        written = 0
        for item in DailyStatsItem.scan(DailyStatsItem.sk.startswith("DAY#")):
            counters = {name: int(getattr(item, name) or 0) for name in names}
            counters = {name: n for name, n in counters.items() if n}
            if counters:
                counted = json.dumps({item.org_id: counters}, sort_keys=True)
                CountedItem(f"COUNTED#{new_id()}", META, day=item.day, counted=counted).save()
                written += 1
        return written

    @bound
    def overwrite(self, org_id: str, period: str, counters: Mapping[str, int]) -> None:
        """Set the counters named in ``counters`` of one day item or month roll-up to
        recomputed values (the others are left as they are)."""
        key = stats_key(org_id, period) if len(period) == 10 else month_key(org_id, period)
        stats = DailyStatsItem(*key)
        actions: list[Action] = [
            DailyStatsItem.type.set(DailyStatsItem),
            DailyStatsItem.org_id.set(org_id),
            DailyStatsItem.day.set(period),
        ]
        actions += [getattr(DailyStatsItem, name).set(n) for name, n in counters.items()]
        stats.update(actions=actions, add_version_condition=False)
