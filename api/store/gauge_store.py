"""Gauges and watch lists of the command centre (issue 14, api.domain.gauges).

- ``STATS#<org>`` / ``GAUGES``: one item per unit, one number per gauge, ``ADD``ed ``after −
  before`` in the case's own transaction (``move_gauges``). A unit's gauges are one ``GetItem``;
  a ranking's children one ``BatchGetItem`` per 100.
- ``WATCH#<org>#<OVERDUE|AT_RISK>`` / ``<due_at>#<case>``: a case on the overdue or at-risk list
  of each unit holding it, put and deleted in the same transaction; a list page is one ``Query``
  of that partition in key order (soonest due first), with the Relay cursor of
  ``api.store.pagination``.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from pynamodb.expressions.update import Action

from api.domain.cases import CaseState
from api.domain.gauges import GAUGE_NAMES, Held, WatchKind, gauge_delta, watch_keys
from api.records.case import CaseRecord, WatchRecord
from api.store.case_models import (
    GaugeItem,
    WatchItem,
    gauge_key,
    watch_key,
    watch_pk,
)
from api.store.pagination import Page, query_page
from api.store.repository import Repository, bound


@dataclass(frozen=True)
class GaugeMove:
    """A case's contributions to the gauges before and after a change, and who holds it after
    (shown on its watch-list entries)."""

    before: Held
    after: Held
    holder_id: str | None = None
    holder_name: str | None = None


def add_gauges(transaction: Any, org_id: str, delta: Mapping[str, int]) -> None:
    """``ADD`` each gauge of one unit inside ``transaction``."""
    item = GaugeItem(*gauge_key(org_id))
    actions: list[Action] = [GaugeItem.type.set(GaugeItem), GaugeItem.org_id.set(org_id)]
    actions += [getattr(GaugeItem, name).add(n) for name, n in delta.items()]
    transaction.update(item, actions=actions, add_version_condition=False)


def _put_watch(
    transaction: Any, case: CaseRecord, move: GaugeMove, kind: str, org_id: str, due: str
) -> None:
    """Create or overwrite one watch entry (an update: no version condition applies, so a
    change that keeps the entry rewrites its display fields)."""
    values: dict[str, Any] = {
        "org_id": org_id, "kind": kind, "case_id": case.id, "code": case.code,
        "category": case.category, "state": case.state.value, "level": move.after.level,
        "holder_id": move.holder_id, "holder_name": move.holder_name, "due_at": due,
    }  # fmt: skip
    actions: list[Action] = [WatchItem.type.set(WatchItem)]
    actions += [
        getattr(WatchItem, name).set(value)
        if value is not None
        else getattr(WatchItem, name).remove()
        for name, value in values.items()
    ]
    item = WatchItem(*watch_key(org_id, kind, due, case.id))
    if transaction is None:
        item.update(actions=actions, add_version_condition=False)
    else:
        transaction.update(item, actions=actions, add_version_condition=False)


def move_gauges(transaction: Any, case: CaseRecord, move: GaugeMove) -> None:
    """The gauges ``after − before`` of every unit, and the watch entries: the ones after the
    change put (their display fields follow the case), the ones only before deleted."""
    for org_id, delta in gauge_delta(move.before, move.after).items():
        add_gauges(transaction, org_id, delta)
    after = watch_keys(move.after)
    for kind, org_id, due in sorted(after):
        _put_watch(transaction, case, move, kind, org_id, due)
    for kind, org_id, due in sorted(watch_keys(move.before) - after):
        item = WatchItem(*watch_key(org_id, kind, due, case.id))
        transaction.delete(item, add_version_condition=False)


def _watch_record(item: WatchItem) -> WatchRecord:
    return WatchRecord(
        org_id=item.org_id, kind=item.kind, case_id=item.case_id, code=item.code,
        category=item.category, state=CaseState(item.state), level=item.level,
        holder_id=item.holder_id, holder_name=item.holder_name, due_at=item.due_at,
    )  # fmt: skip


def gauge_values(item: GaugeItem) -> dict[str, int]:
    """One unit's gauges as stored (0 for a gauge never written)."""
    return {name: int(getattr(item, name) or 0) for name in GAUGE_NAMES}


class GaugeStore(Repository):
    """Reads return plain values and records; gauges change inside the cases' transactions."""

    @bound
    def get_many(self, org_ids: list[str]) -> dict[str, dict[str, int]]:
        """The gauges of each unit (zeros for a unit that never held a case): one
        ``BatchGetItem`` per 100 units (a single unit: one ``GetItem``)."""
        found: dict[str, dict[str, int]] = {org_id: {} for org_id in org_ids}
        if len(org_ids) == 1:
            with suppress(GaugeItem.DoesNotExist):
                found[org_ids[0]] = gauge_values(GaugeItem.get(*gauge_key(org_ids[0])))
            return found
        for item in GaugeItem.batch_get([gauge_key(org_id) for org_id in dict.fromkeys(org_ids)]):
            found[item.org_id] = gauge_values(item)
        return found

    @bound
    def watch(
        self, org_id: str, kind: WatchKind, first: int, after: str | None
    ) -> Page[WatchRecord]:
        """One page of a unit's watch list, soonest due first (one Query)."""
        return query_page(
            WatchItem, self.db.codec, watch_pk(org_id, kind.value), first=first, after=after
        ).map(_watch_record)

    # Truth (issue 14): the gauges recomputed from the cases -------------------------------

    @bound
    def overwrite(self, org_id: str, values: Mapping[str, int]) -> None:
        """Set every gauge of one unit to recomputed values."""
        item = GaugeItem(*gauge_key(org_id))
        actions: list[Action] = [GaugeItem.type.set(GaugeItem), GaugeItem.org_id.set(org_id)]
        actions += [getattr(GaugeItem, name).set(values.get(name, 0)) for name in GAUGE_NAMES]
        item.update(actions=actions, add_version_condition=False)

    @bound
    def restore_watch(
        self, case: CaseRecord, move: GaugeMove, kind: str, org_id: str, due: str
    ) -> None:
        """Put one watch entry the cases justify but the table lacks (repair)."""
        _put_watch(None, case, move, kind, org_id, due)

    @bound
    def drop_watch(self, kind: str, org_id: str, due: str, case_id: str) -> None:
        """Delete one watch entry the cases do not justify (repair)."""
        WatchItem(*watch_key(org_id, kind, due, case_id)).delete(add_version_condition=False)
