"""What the counters' recompute reads (api.services.counter_truth): every record it sums and
every item it compares, in one Scan of the table.

The recompute needs six kinds of item — the case events that counted, the topic and partner
journal, the day items and month roll-ups, the gauge items, the watch entries and the cases —
spread over every partition. One Scan filtered on their ``type`` reads the table once, where
one Scan per kind read it six times (six times the read capacity in AWS; on DynamoDB Local a
full Scan of a 20 000-case year takes minutes each)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from api.records.case import CaseRecord, DayCountersRecord
from api.store.case_codec import case_record, day_counters_record
from api.store.case_models import (
    CaseEventItem,
    CaseItem,
    CountedItem,
    DailyStatsItem,
    GaugeItem,
    WatchItem,
)
from api.store.gauge_store import gauge_values
from api.store.models import Item
from api.store.repository import Repository, bound

ADOPTED_MARKER = "COUNTED#ADOPTED"  # counter_store.adopt_unjournaled's once-only marker

Counted = dict[str, dict[str, int]]  # what one event added, per unit and counter


@dataclass
class TruthRecords:
    counted_events: list[tuple[str, Counted]] = field(default_factory=list)  # (event at, …)
    journal: list[tuple[str, Counted]] = field(default_factory=list)  # (Shanghai day, …)
    counters: list[DayCountersRecord] = field(default_factory=list)  # day items and roll-ups
    gauges: dict[str, dict[str, int]] = field(default_factory=dict)  # per unit
    watch: set[tuple[str, str, str, str]] = field(default_factory=set)  # kind, org, due, case
    cases: list[CaseRecord] = field(default_factory=list)


class TruthStore(Repository):
    @bound
    def read(self) -> TruthRecords:
        """Every record and item the recompute needs (one Scan, for the recompute only)."""
        kinds = (CaseEventItem, CountedItem, DailyStatsItem, GaugeItem, WatchItem, CaseItem)
        found = TruthRecords()
        for item in Item.scan(Item.type.is_in(*kinds)):
            _sort(item, found)
        return found


def _sort(item: Item, found: TruthRecords) -> None:
    if isinstance(item, CaseEventItem):
        if item.counted:
            found.counted_events.append((item.at, json.loads(item.counted)))
    elif isinstance(item, CountedItem):
        if item.pk != ADOPTED_MARKER:
            found.journal.append((item.day, json.loads(item.counted)))
    elif isinstance(item, DailyStatsItem):
        found.counters.append(day_counters_record(item))
    elif isinstance(item, GaugeItem):
        found.gauges[item.org_id] = gauge_values(item)
    elif isinstance(item, WatchItem):
        found.watch.add((item.kind, item.org_id, item.due_at, item.case_id))
    elif isinstance(item, CaseItem):
        found.cases.append(case_record(item))
