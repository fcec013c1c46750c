"""Reading cases: one case with its timeline, inboxes, cases within a scope, one's own reports,
public tracking by code, and the daily counters of a unit. Every list is a Query on a key or
index with cursor pagination."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from api.domain.cases import CaseState, HandlingMode, Level
from api.domain.errors import Forbidden, InvalidInput
from api.domain.messages import msg
from api.domain.org import OrgKind, path_ids
from api.domain.roles import Permission, permits
from api.records.case import CaseRecord, DayCountersRecord, HandlerRecord, NoticeRecord
from api.records.org import OrgUnitRecord
from api.services import case_access
from api.services.actor import Actor
from api.services.cases import department_paths
from api.store.case_store import ScopeQuery
from api.store.db import Db
from api.store.pagination import Page


def case_with_timeline(db: Db, actor: Actor, case_id: str) -> CaseRecord | None:
    """The case with its whole timeline (one GetItem), if the actor may read it."""
    case = db.cases.get(case_id, consistent=False)
    if case is None or not case_access.can_read(actor, case, department_paths(case)):
        return None
    return case


def inbox(
    db: Db,
    actor: Actor,
    unit_id: str | None,
    leader_id: str | None,
    state: CaseState | None,
    first: int,
    after: str | None,
) -> Page[HandlerRecord]:
    """A unit's, department's or leader's cases, by status, soonest due first."""
    actor.require_login()
    if unit_id is not None:
        _require_inbox_access(db, actor, unit_id)
        owner = unit_id
    elif leader_id is not None and leader_id == actor.person_id:
        owner = leader_id
    else:
        raise Forbidden(msg("case.inbox_forbidden"))
    return db.cases.inbox(owner, state, first, after)


def _require_inbox_access(db: Db, actor: Actor, unit_id: str) -> None:
    """Staff reading their own unit's inbox need no read: the grant names the unit itself."""
    if any(
        grant.org_id == unit_id and permits(grant.role, Permission.READ_CASES)
        for grant in actor.grants
    ):
        return
    unit = db.org_units.require(unit_id, field="unitId", consistent=False)
    if not actor.can(Permission.READ_CASES, unit.path):
        raise Forbidden(msg("case.unit_inbox_forbidden"))


@dataclass(frozen=True)
class CaseFilter:
    state: CaseState | None = None
    category: str | None = None
    mode: HandlingMode | None = None
    level: Level | None = None
    reported_from: date | None = None
    reported_to: date | None = None


def cases_in_scope(
    db: Db, actor: Actor, scope: OrgUnitRecord, filters: CaseFilter, first: int, after: str | None
) -> Page[CaseRecord]:
    """Cases located in a unit's subtree, newest first.

    District scope reads the district's index partition; a street or anything below reads its
    street's partition, narrowed by report date as a key condition and by the rest as filters.
    """
    actor.require(Permission.READ_CASES, scope.path, msg("action.see_cases"))
    kind = scope.kind
    if kind in (
        OrgKind.DEPARTMENT,
        OrgKind.BUILDING,
        OrgKind.PARTY_HOUSEHOLD,
        OrgKind.UNIT_HOUSEHOLD,
    ):
        raise InvalidInput(msg("case.list_scope"), field="scopeId")
    ids = path_ids(scope.path)
    low = filters.reported_from.isoformat() if filters.reported_from else "0"
    high = filters.reported_to.isoformat() + "T99" if filters.reported_to else "9"
    if low > high:
        raise InvalidInput(msg("case.reported_range"), field="reportedFrom")
    query = ScopeQuery(
        district_id=ids[0],
        street_id=None if kind is OrgKind.DISTRICT else ids[1],
        subtree_path=scope.path if kind not in (OrgKind.DISTRICT, OrgKind.STREET) else None,
        reported_from=low,
        reported_to=high,
        state=filters.state,
        category=filters.category,
        mode=filters.mode,
        level=filters.level,
    )
    return db.cases.in_scope(query, first, after)


def my_cases(db: Db, actor: Actor, first: int, after: str | None) -> Page[CaseRecord]:
    return db.cases.reported_by(actor.require_login(), first, after)


def daily_stats(
    db: Db, actor: Actor, unit: OrgUnitRecord, start: date, end: date
) -> list[DayCountersRecord]:
    """Counters of a unit's subtree per day (one Query, at most a year). Public for any unit
    and any caller, signed in or not: aggregate figures with no personal data, as the seeds
    publish them (issue 16.11); the cases behind them stay staff-only (``cases``, inboxes)."""
    if end < start or (end - start).days > 366:
        raise InvalidInput(msg("query.range_one_year"), field="start")
    return db.counters.days(unit.id, start, end)


def notices(
    db: Db, actor: Actor, recipient_id: str, first: int, after: str | None
) -> Page[NoticeRecord]:
    """The outbox of a unit (or a leader): warnings, supervision notices, escalations; newest
    first."""
    actor.require_login()
    if recipient_id != actor.person_id:
        _require_inbox_access(db, actor, recipient_id)
    return db.notices.for_recipient(recipient_id, first, after)
