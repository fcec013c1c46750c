"""Truth of the counters (issue 14): recompute every counter — each day item and month roll-up
of every unit — from immutable records, compare, and optionally repair.

Each case event item records what it added (``counted``, per unit), written in the same
transaction as the ``ADD``s; so does a journal item (``CountedItem``) for every topic and
red-partner event that counts (``topics_raised/adopted/declined``, ``partner_claims``,
``partner_deliveries``, ``points_granted``: a claim record is rewritten by a withdrawal or a redo
and a ledger entry does not name its unit, so those records could not replay them). The
recompute sums both by the Shanghai day counted on, so a lost, doubled or hand-edited counter
shows as a drift.

The gauges (the state now, api.domain.gauges) and the watch lists are recomputed from the case
records: every case's contribution where it is held now, summed per unit; a gauge drift has
``period`` ``GAUGES``, a watch-list drift ``WATCH`` with the counter ``<list>#<due>#<case>``
(stored and recomputed 1 or 0).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, fields

from api.domain.case_catalogue import DEFAULT_CATEGORIES
from api.domain.errors import Forbidden
from api.domain.figures import CATEGORY_PREFIX, Counts, category_counter
from api.domain.gauges import GAUGE_NAMES, watch_keys
from api.domain.messages import msg
from api.domain.roles import Permission
from api.records.case import CaseRecord, DayCountersRecord
from api.services.actor import Actor
from api.services.case_gauges import gauge_move, held_of
from api.services.cases import day_of
from api.store.db import Db
from api.store.gauge_store import GaugeMove
from api.store.truth_store import TruthRecords

# Counters of topic and red-partner events, recomputed from their journal (``CountedItem``).
JOURNALED = (
    "topics_raised", "topics_adopted", "topics_declined",
    "partner_claims", "partner_deliveries", "points_granted",
)  # fmt: skip
# Every counter of a day item: the fields of Counts (``categories`` is one per code).
COUNTERS = (
    *(f.name for f in fields(Counts) if f.name != "categories"),
    *(category_counter(code) for code in DEFAULT_CATEGORIES),
)


def _stored(row: DayCountersRecord | None, name: str) -> int:
    """A stored counter of a day item or month roll-up (a category's: ``cat_<code>``)."""
    if row is None:
        return 0
    if name.startswith(CATEGORY_PREFIX):
        return int(row.categories.get(name.removeprefix(CATEGORY_PREFIX), 0))
    return int(getattr(row, name))


@dataclass(frozen=True, slots=True)
class Drift:
    org_id: str
    period: str  # yyyy-mm-dd (day item) or yyyy-mm (month roll-up)
    counter: str
    stored: int
    recomputed: int


@dataclass(frozen=True, slots=True)
class Recomputation:
    events: int  # case events and journalled topic and partner events that counted something
    items: int  # day items and month roll-ups compared
    drifts: tuple[Drift, ...]
    repaired: int  # items rewritten (0 unless asked to repair)


def recompute(db: Db, repair: bool = False) -> Recomputation:
    """Every counter recomputed from the case events and the topic and partner journal, and
    the gauges and watch lists from the cases; with ``repair``, drifting items are rewritten to
    the recomputed values."""
    records = db.truth.read()  # one Scan of the table
    expected: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    events = 0
    counted_days = [(day_of(at), counted) for at, counted in records.counted_events]
    for day, counted in counted_days + records.journal:
        events += 1
        for org_id, counters in counted.items():
            expected[(org_id, day)].update(counters)
            expected[(org_id, day[:7])].update(counters)
    stored = {(row.org_id, row.day): row for row in records.counters}
    drifts: list[Drift] = []
    for key in sorted(set(expected) | set(stored)):
        row, want = stored.get(key), expected.get(key, Counter())
        for name in COUNTERS:
            have = _stored(row, name)
            if have != want[name]:
                drifts.append(Drift(key[0], key[1], name, have, want[name]))
    repaired = 0
    if repair:
        for org_id, period in sorted({(d.org_id, d.period) for d in drifts}):
            want = expected.get((org_id, period), Counter())
            db.counters.overwrite(org_id, period, {name: want[name] for name in COUNTERS})
            repaired += 1
    gauge_items, gauge_drifts, gauges_repaired = _gauges(db, records, repair)
    return Recomputation(
        events,
        len(set(expected) | set(stored)) + gauge_items,
        (*drifts, *gauge_drifts),
        repaired + gauges_repaired,
    )


def _gauges(db: Db, records: TruthRecords, repair: bool) -> tuple[int, list[Drift], int]:
    """Gauges and watch entries recomputed from the cases: (items compared, drifts, repaired)."""
    expected: dict[str, Counter[str]] = defaultdict(Counter)
    entries: dict[tuple[str, str, str, str], tuple[CaseRecord, GaugeMove]] = {}
    for case in records.cases:
        held = held_of(case)
        for org_id, gauges in held.gauges().items():
            expected[org_id].update(gauges)
        move = gauge_move(None, case)
        for kind, org_id, due in watch_keys(held):
            entries[(kind.value, org_id, due, case.id)] = (case, move)
    stored, stored_entries = records.gauges, records.watch
    drifts: list[Drift] = []
    for org_id in sorted(set(expected) | set(stored)):
        have, want = stored.get(org_id, {}), expected.get(org_id, Counter())
        drifts += [
            Drift(org_id, "GAUGES", name, have.get(name, 0), want[name])
            for name in GAUGE_NAMES
            if have.get(name, 0) != want[name]
        ]
    for key in sorted(set(entries) ^ stored_entries):
        present = key in stored_entries
        list_kind, org_id, due, case_id = key
        drifts.append(
            Drift(org_id, "WATCH", f"{list_kind}#{due}#{case_id}", int(present), 1 - present)
        )
    repaired = 0
    if repair:
        for org_id in sorted({d.org_id for d in drifts if d.period == "GAUGES"}):
            db.gauges.overwrite(org_id, expected.get(org_id, Counter()))
            repaired += 1
        for key in sorted(set(entries) - stored_entries):
            case, move = entries[key]
            db.gauges.restore_watch(case, move, *key[:3])
            repaired += 1
        for key in sorted(stored_entries - set(entries)):
            db.gauges.drop_watch(*key)
            repaired += 1
    return len(set(expected) | set(stored)) + len(set(entries) | stored_entries), drifts, repaired


def adopt_unjournaled(db: Db) -> int | None:
    """Once, on a table with topic or partner counters from before their journal (release
    2026-12-02): take the stored values as their journal, so the recompute does not report (and
    a repair does not erase) what was counted then. The journal items written; ``None`` when
    adopted before."""
    return db.counters.adopt_unjournaled(JOURNALED)


def recompute_as(db: Db, actor: Actor, repair: bool) -> Recomputation:
    """The admin mutation's use case: a district administrator (MANAGE_ORG on a district).
    The recompute covers the whole table; it only ever sets counters to what the record says."""
    actor.require_login()
    district_paths = {g.org_path for g in actor.grant_records if g.org_path.count("/") == 1}
    if not any(actor.can(Permission.MANAGE_ORG, path) for path in district_paths):
        raise Forbidden(msg("figures.recount_admin_only"))
    return recompute(db, repair)
