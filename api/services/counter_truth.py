"""Truth of the counters (issue 14): recompute every case counter — each day item and month
roll-up of every unit — from the immutable case events, compare, and optionally repair.

Each case event item records what it added (``counted``, per unit), written in the same
transaction as the ``ADD``s; the recompute sums those records by the Shanghai day of the event's
time, so a lost, doubled or hand-edited counter shows as a drift. Topic counters
(``topics_raised/adopted/declined``) are kept by the topics' own log and are not recomputed here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, fields

from api.domain.errors import Forbidden
from api.domain.figures import Counts
from api.domain.messages import msg
from api.domain.roles import Permission
from api.services.actor import Actor
from api.services.cases import day_of
from api.store.db import Db

TOPIC_ONLY = frozenset({"topics_raised", "topics_adopted", "topics_declined"})
CASE_COUNTERS = tuple(f.name for f in fields(Counts) if f.name not in TOPIC_ONLY)


@dataclass(frozen=True, slots=True)
class Drift:
    org_id: str
    period: str  # yyyy-mm-dd (day item) or yyyy-mm (month roll-up)
    counter: str
    stored: int
    recomputed: int


@dataclass(frozen=True, slots=True)
class Recomputation:
    events: int  # case events that counted something
    items: int  # day items and month roll-ups compared
    drifts: tuple[Drift, ...]
    repaired: int  # items rewritten (0 unless asked to repair)


def recompute(db: Db, repair: bool = False) -> Recomputation:
    """Every case counter recomputed from the events; with ``repair``, drifting items are
    rewritten to the recomputed values."""
    expected: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    events = 0
    for at, counted in db.counters.counted_events():
        events += 1
        day = day_of(at)
        for org_id, counters in counted.items():
            expected[(org_id, day)].update(counters)
            expected[(org_id, day[:7])].update(counters)
    stored = {(row.org_id, row.day): row for row in db.counters.stored()}
    drifts: list[Drift] = []
    for key in sorted(set(expected) | set(stored)):
        row, want = stored.get(key), expected.get(key, Counter())
        for name in CASE_COUNTERS:
            have = int(getattr(row, name)) if row is not None else 0
            if have != want[name]:
                drifts.append(Drift(key[0], key[1], name, have, want[name]))
    repaired = 0
    if repair:
        for org_id, period in sorted({(d.org_id, d.period) for d in drifts}):
            want = expected.get((org_id, period), Counter())
            db.counters.overwrite(org_id, period, {name: want[name] for name in CASE_COUNTERS})
            repaired += 1
    return Recomputation(events, len(set(expected) | set(stored)), tuple(drifts), repaired)


def recompute_as(db: Db, actor: Actor, repair: bool) -> Recomputation:
    """The admin mutation's use case: a district administrator (MANAGE_ORG on a district).
    The recompute covers the whole table; it only ever sets counters to what the record says."""
    actor.require_login()
    district_paths = {g.org_path for g in actor.grant_records if g.org_path.count("/") == 1}
    if not any(actor.can(Permission.MANAGE_ORG, path) for path in district_paths):
        raise Forbidden(msg("figures.recount_admin_only"))
    return recompute(db, repair)
