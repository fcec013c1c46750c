"""Command-centre counters of the red partners (issue 14; README "Figures"): what a claim, a
delivery report and a grant of points add to the day items and month roll-ups.

Each is counted on the unit the project (or, for an award, the partner's directory) belongs to
and every ancestor of it — the same path walk as the topic counters — on the Shanghai day of
the event's time, and rides in the transaction that records the event
(``api.store.partner_store``). Points granted are the grants only: a confirmed project's
delivery points and the 红色创新奖; spending, exchanges and staff postings are not counted.
"""

from __future__ import annotations

from api.domain.org import path_ids
from api.services.cases import day_of
from api.store.counter_store import DayCounts


def partner_counts(unit_path: str, at: str, **counters: int) -> DayCounts | None:
    """The counters of an event at ``at`` for the unit at ``unit_path`` and its ancestors
    (``None`` when it counts nothing, e.g. a confirmation granting no points)."""
    counted = {name: n for name, n in counters.items() if n}
    if not counted:
        return None
    return DayCounts(tuple(path_ids(unit_path)), day_of(at), counted)
