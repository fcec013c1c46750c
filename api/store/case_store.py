"""Reading and writing cases: one partition per case, one transaction per change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import DoesNotExist

from api.domain.cases import (
    Case,
    CaseState,
    HandlingMode,
    Level,
    Satisfaction,
    Task,
    TaskRole,
    TaskStatus,
)
from api.domain.errors import Conflict
from api.store.case_models import (
    CaseCodeItem,
    CaseEventItem,
    CaseHandlerItem,
    CaseItem,
    DailyStatsItem,
    IdempotencyItem,
    SequenceItem,
    TaskClockItem,
    case_key,
    case_pk,
    code_key,
    due_pk,
    handler_sk,
    inbox_pk,
    inbox_sk,
    sequence_key,
    stats_key,
)
from api.store.db import Db
from api.store.models import Item
from api.store.repository import Repository

COUNTERS = (
    "reported",
    "accepted",
    "resolved",
    "closed",
    "resolved_on_time",
    "resolved_in_grid",
    "satisfied",
    "reopened",
)


def to_domain(item: CaseItem) -> Case:
    return Case(
        state=CaseState(item.state),
        level=Level(item.level) if item.level else None,
        assignee_id=item.assignee_id,
        mode=HandlingMode(item.mode) if item.mode else None,
        category=item.category,
        tasks=tuple(
            Task(
                department_id=t["department_id"],
                role=TaskRole(t["role"]),
                status=TaskStatus(t["status"]),
                result=t.get("result"),
            )
            for t in item.tasks or []
        ),
        extension_pending=bool(item.extension_pending),
        park_pending=bool(item.park_pending),
        rework_count=int(item.rework_count or 0),
        satisfaction=Satisfaction(item.satisfaction) if item.satisfaction else None,
        result=item.result,
        pain_point=bool(item.pain_point),
    )


def tasks_json(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "department_id": t.department_id,
            "role": t.role.value,
            "status": t.status.value,
            "result": t.result,
        }
        for t in case.tasks
    ]


def get_case(case_id: str, consistent: bool = True) -> CaseItem | None:
    pk, sk = case_key(case_id)
    try:
        return CaseItem.get(pk, sk, consistent_read=consistent)
    except DoesNotExist:
        return None


@dataclass
class CasePartition:
    """Everything stored under one case: the case, its timeline and its handlers (1 Query)."""

    case: CaseItem
    events: list[CaseEventItem]
    handlers: list[CaseHandlerItem]


def read_partition(case_id: str, consistent: bool = False) -> CasePartition | None:
    case: CaseItem | None = None
    events: list[CaseEventItem] = []
    handlers: list[CaseHandlerItem] = []
    for item in Item.query(case_pk(case_id), consistent_read=consistent):
        if isinstance(item, CaseItem):
            case = item
        elif isinstance(item, CaseEventItem):
            events.append(item)
        elif isinstance(item, CaseHandlerItem):
            handlers.append(item)
    if case is None:
        return None
    events.sort(key=lambda event: event.seq)
    return CasePartition(case, events, handlers)


def case_id_by_code(code: str) -> str | None:
    pk, sk = code_key(code)
    try:
        return CaseCodeItem.get(pk, sk).case_id
    except DoesNotExist:
        return None


def next_sequence(name: str) -> int:
    """Atomic counter: UpdateItem ADD 1, returning the new value (no read first)."""
    pk, sk = sequence_key(name)
    counter = SequenceItem(pk, sk)
    counter.update(actions=[SequenceItem.value.add(1)], add_version_condition=False)
    return int(counter.value)


@dataclass(frozen=True)
class Handler:
    """Who handles the case now, as projected into their inbox."""

    assignee_id: str
    assignee_name: str
    role: str
    task_status: str | None = None


@dataclass
class Change:
    """One change of a case, written in one TransactWriteItems."""

    event: CaseEventItem
    handlers: list[Handler]
    previous_handlers: Iterable[str] = ()  # assignee ids of the handlers before the change
    counters: dict[str, int] = field(default_factory=dict)
    counter_orgs: list[str] = field(default_factory=list)
    day: str = ""
    # Supporting departments' clocks the change moves (saved conditioned on their versions).
    task_clocks: list[TaskClockItem] = field(default_factory=list)


def _upsert_handler(transaction: Any, case: CaseItem, handler: Handler) -> None:
    """Create or overwrite a handler projection (an update: no version condition applies)."""
    item = CaseHandlerItem(case_pk(case.id), handler_sk(handler.assignee_id))
    # The inbox sorts by the current clock's deadline (none while paused or stopped).
    due_at = (case.clock or {}).get("due_at")
    values: dict[str, Any] = {
        "case_id": case.id,
        "code": case.code,
        "assignee_id": handler.assignee_id,
        "assignee_name": handler.assignee_name,
        "role": handler.role,
        "task_status": handler.task_status,
        "state": case.state,
        "category": case.category,
        "summary": case.description[:80],
        "level": case.level or "INTAKE",
        "reported_at": case.reported_at,
        "due_at": due_at,
        "active": True,
        "gsi1pk": inbox_pk(handler.assignee_id),
        "gsi1sk": inbox_sk(case.state, due_at, case.reported_at, case.id),
    }
    actions = [
        getattr(CaseHandlerItem, name).set(value)
        if value is not None
        else getattr(CaseHandlerItem, name).remove()
        for name, value in values.items()
    ]
    actions.append(CaseHandlerItem.type.set(CaseHandlerItem))
    transaction.update(item, actions=actions, add_version_condition=False)


def write_change(transaction: Any, case: CaseItem, change: Change) -> None:
    transaction.save(change.event, condition=CaseEventItem.pk.does_not_exist())
    for task_clock in change.task_clocks:
        transaction.save(task_clock)
    current = {handler.assignee_id for handler in change.handlers}
    for handler in change.handlers:
        _upsert_handler(transaction, case, handler)
    for old_assignee in change.previous_handlers:
        if old_assignee not in current:
            old = CaseHandlerItem(case_pk(case.id), handler_sk(old_assignee))
            transaction.update(
                old,
                actions=[
                    CaseHandlerItem.active.set(False),
                    CaseHandlerItem.state.set(case.state),
                    CaseHandlerItem.gsi1pk.remove(),
                    CaseHandlerItem.gsi1sk.remove(),
                ],
                add_version_condition=False,
            )
    if change.counters:
        for org_id in change.counter_orgs:
            pk, sk = stats_key(org_id, change.day)
            stats = DailyStatsItem(pk, sk)
            actions = [
                DailyStatsItem.type.set(DailyStatsItem),
                DailyStatsItem.org_id.set(org_id),
                DailyStatsItem.day.set(change.day),
            ]
            actions += [
                getattr(DailyStatsItem, name).add(amount)
                for name, amount in change.counters.items()
            ]
            transaction.update(stats, actions=actions, add_version_condition=False)


def insert_case(
    db: Db,
    case: CaseItem,
    change: Change,
    code_alias: CaseCodeItem,
    idempotency: IdempotencyItem | None,
) -> None:
    with db.transaction("A case with this idempotency key or code exists already") as transaction:
        transaction.save(case, condition=CaseItem.pk.does_not_exist())
        transaction.save(code_alias, condition=CaseCodeItem.pk.does_not_exist())
        if idempotency is not None:
            transaction.save(idempotency, condition=IdempotencyItem.pk.does_not_exist())
        write_change(transaction, case, change)


def update_case(db: Db, case: CaseItem, change: Change) -> None:
    """Write the changed case only if its stored version is still the one it was read at:
    of two staff acting at once, exactly one wins and the other gets ``Conflict``."""
    try:
        with db.transaction() as transaction:
            transaction.save(case)  # PynamoDB adds the condition version = read version
            write_change(transaction, case, change)
    except Conflict:
        raise Conflict(
            f"Case {case.code} was changed by someone else at the same time; reload and retry"
        ) from None


def due_entries(shard: int, upper: str, limit: int, lower: str | None = None) -> list[str]:
    """Case ids among :func:`due_keys` (other timers — voting windows — share the index)."""
    return [
        key.removeprefix("CASE#")
        for key in due_keys(shard, upper, limit, lower)
        if key.startswith("CASE#")
    ]


def due_keys(shard: int, upper: str, limit: int, lower: str | None = None) -> list[str]:
    """Partition keys (``CASE#<id>``, ``TOPIC#<id>``, ...) of the items in one shard of the
    keys-only ``due`` index whose firing time is ≤ ``upper`` (and ≥ ``lower`` when given).

    Low-level on purpose: PynamoDB's polymorphic queries filter on the ``type`` discriminator,
    which a keys-only projection does not carry.
    """
    connection = Item._get_connection()
    keys: list[str] = []
    start: dict[str, Any] | None = None
    while len(keys) < limit:
        page = connection.connection.query(
            connection.table_name,
            due_pk(shard),
            range_key_condition=(
                Item.duesk.between(lower, upper) if lower is not None else Item.duesk <= upper
            ),
            index_name="due",
            limit=limit - len(keys),
            exclusive_start_key=start,
        )
        keys += [raw["pk"]["S"] for raw in page.get("Items", [])]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    return keys


class CaseStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""
