"""Reading cases: one case with its timeline, inboxes, cases within a scope, one's own reports,
public tracking by code, and the daily counters of a unit. Every list is a Query on a key or
index with cursor pagination."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pynamodb.expressions.condition import Condition

from api.domain.cases import CaseState, HandlingMode, Level
from api.domain.errors import Forbidden, InvalidInput
from api.domain.org import OrgKind, path_ids
from api.domain.roles import Permission, permits
from api.services import case_access, org_units
from api.services.actor import Actor
from api.services.cases import department_paths
from api.store.case_models import (
    CaseHandlerItem,
    CaseItem,
    DailyStatsItem,
    NoticeItem,
    district_cases_pk,
    inbox_pk,
    notice_pk,
    reporter_pk,
    stats_pk,
    street_cases_pk,
)
from api.store.case_store import CasePartition, read_partition
from api.store.db import Db
from api.store.models import OrgUnitItem
from api.store.pagination import Page, query_page


def case_with_timeline(actor: Actor, case_id: str) -> CasePartition | None:
    """The case, its whole timeline and handlers: one Query on the case's partition."""
    partition = read_partition(case_id)
    if partition is None:
        return None
    if not case_access.can_read(actor, partition.case, department_paths(partition.case)):
        return None
    return partition


def inbox(
    db: Db,
    actor: Actor,
    unit_id: str | None,
    leader_id: str | None,
    state: CaseState | None,
    first: int,
    after: str | None,
) -> Page[CaseHandlerItem]:
    """A unit's, department's or leader's cases, by status, soonest due first."""
    actor.require_login()
    if unit_id is not None:
        _require_inbox_access(actor, unit_id)
        owner = unit_id
    elif leader_id is not None and leader_id == actor.person_id:
        owner = leader_id
    else:
        raise Forbidden("You may not see this inbox")
    return query_page(
        CaseHandlerItem,
        db.codec,
        inbox_pk(owner),
        index="gsi1",
        range_key_condition=CaseHandlerItem.gsi1sk.startswith(f"{state.value}#") if state else None,
        first=first,
        after=after,
    )


def _require_inbox_access(actor: Actor, unit_id: str) -> None:
    """Staff reading their own unit's inbox need no read: the grant names the unit itself."""
    if any(
        grant.org_id == unit_id and permits(grant.role, Permission.READ_CASES)
        for grant in actor.grants
    ):
        return
    unit = org_units.require_unit(unit_id, field="unitId", consistent=False)
    if not actor.can(Permission.READ_CASES, unit.path):
        raise Forbidden("You may not see this unit's inbox")


@dataclass(frozen=True)
class CaseFilter:
    state: CaseState | None = None
    category: str | None = None
    mode: HandlingMode | None = None
    level: Level | None = None
    reported_from: date | None = None
    reported_to: date | None = None


def cases_in_scope(
    db: Db, actor: Actor, scope: OrgUnitItem, filters: CaseFilter, first: int, after: str | None
) -> Page[CaseItem]:
    """Cases located in a unit's subtree, newest first.

    District scope reads the district's index partition; a street or anything below reads its
    street's partition, narrowed by report date as a key condition and by the rest as filters.
    """
    actor.require(Permission.READ_CASES, scope.path, "see cases")
    kind = OrgKind(scope.kind)
    if kind in (
        OrgKind.DEPARTMENT,
        OrgKind.BUILDING,
        OrgKind.PARTY_HOUSEHOLD,
        OrgKind.UNIT_HOUSEHOLD,
    ):
        raise InvalidInput("List cases of a district, street, community or grid", field="scopeId")
    ids = path_ids(scope.path)
    conditions: list[Condition] = []
    if kind is OrgKind.DISTRICT:
        index, partition, sort_key = "gsi3", district_cases_pk(ids[0]), CaseItem.gsi3sk
    else:
        index, partition, sort_key = "gsi2", street_cases_pk(ids[1]), CaseItem.gsi2sk
        if kind is not OrgKind.STREET:
            conditions.append(CaseItem.grid_path.startswith(scope.path))
    low = filters.reported_from.isoformat() if filters.reported_from else "0"
    high = filters.reported_to.isoformat() + "T99" if filters.reported_to else "9"
    if low > high:
        raise InvalidInput("reportedFrom is after reportedTo", field="reportedFrom")
    if filters.state:
        conditions.append(CaseItem.state == filters.state.value)
    if filters.category:
        conditions.append(CaseItem.category == filters.category)
    if filters.mode:
        conditions.append(CaseItem.mode == filters.mode.value)
    if filters.level:
        conditions.append(CaseItem.level == filters.level.value)
    combined: Condition | None = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return query_page(
        CaseItem,
        db.codec,
        partition,
        index=index,
        range_key_condition=sort_key.between(low, high),
        filter_condition=combined,
        first=first,
        after=after,
        scan_forward=False,
    )


def my_cases(db: Db, actor: Actor, first: int, after: str | None) -> Page[CaseItem]:
    person_id = actor.require_login()
    return query_page(
        CaseItem,
        db.codec,
        reporter_pk(person_id),
        index="gsi1",
        first=first,
        after=after,
        scan_forward=False,
    )


def daily_stats(actor: Actor, unit: OrgUnitItem, start: date, end: date) -> list[DailyStatsItem]:
    """Counters of a unit's subtree per day (one Query, at most a year)."""
    actor.require(Permission.READ_CASES, unit.path, "see case statistics")
    if end < start or (end - start).days > 366:
        raise InvalidInput("Give a range of at most one year, start before end", field="start")
    pk = stats_pk(unit.id)
    return list(DailyStatsItem.query(pk, DailyStatsItem.sk.between(f"DAY#{start}", f"DAY#{end}")))


def notices(
    db: Db, actor: Actor, recipient_id: str, first: int, after: str | None
) -> Page[NoticeItem]:
    """The outbox of a unit (or a leader): warnings, supervision notices, escalations; newest
    first."""
    actor.require_login()
    if recipient_id != actor.person_id:
        _require_inbox_access(actor, recipient_id)
    return query_page(
        NoticeItem, db.codec, notice_pk(recipient_id), first=first, after=after, scan_forward=False
    )
