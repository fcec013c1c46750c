"""The command centre's gauges (state now) and watch lists of a unit (issue 14), read from the
gauge items and watch entries the case changes maintain (``api.store.gauge_store``), never from
the cases. README "Gauges" defines each one and the request budget of each query."""

from __future__ import annotations

from api.domain.gauges import Gauges, WatchKind
from api.domain.messages import msg
from api.domain.roles import Permission
from api.records.case import WatchRecord
from api.records.org import OrgUnitRecord
from api.records.page import Page
from api.services.actor import Actor
from api.store.db import Db


def readable_unit(db: Db, actor: Actor, unit_id: str) -> OrgUnitRecord:
    """The unit, if the caller may read the cases of its subtree (one GetItem)."""
    unit = db.org_units.require(unit_id, field="unitId", consistent=False)
    actor.require(Permission.READ_CASES, unit.path, msg("action.see_command_centre"))
    return unit


def unit_gauges(db: Db, actor: Actor, unit_id: str) -> tuple[OrgUnitRecord, Gauges]:
    """A unit's gauges now: the unit (GetItem) and its gauge item (GetItem)."""
    unit = readable_unit(db, actor, unit_id)
    return unit, Gauges.of(db.gauges.get_many([unit.id])[unit.id])


def gauges_of(db: Db, unit_ids: list[str]) -> dict[str, Gauges]:
    """Gauges of units already checked (a ranking's children): one BatchGetItem per 100."""
    return {unit_id: Gauges.of(v) for unit_id, v in db.gauges.get_many(unit_ids).items()}


def watch_list(
    db: Db, actor: Actor, unit_id: str, kind: WatchKind, first: int, after: str | None
) -> Page[WatchRecord]:
    """The cases of a unit's subtree on its overdue or at-risk list, soonest due first: the unit
    (GetItem) and one Query per page."""
    unit = readable_unit(db, actor, unit_id)
    return db.gauges.watch(unit.id, kind, first, after)
