"""Reading and writing cases: one partition per case, one transaction per change.

Every change of a case is one ``CaseChange`` (the case after the change, the event it appends,
inbox projections, day counters, departments' deadlines, notices, the firing marker) written by
``CaseStore.save`` in one TransactWriteItems conditioned on the version the case was read at.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError
from pynamodb.expressions.condition import Condition

from api.domain.cases import CaseState, HandlingMode, Level, TaskStatus
from api.domain.clock import iso
from api.domain.deadlines.timers import Timer, next_fire_at
from api.domain.errors import Conflict
from api.domain.messages import Message, msg
from api.domain.org import path_ids, rebase_path
from api.records.case import INTAKE, CaseEventRecord, CaseRecord, HandlerRecord, TaskDeadlineRecord
from api.records.idempotency import Keyed
from api.store.case_codec import (
    case_attributes,
    case_record,
    deadline_to_json,
    event_record,
    handler_record,
    task_deadline_record,
)
from api.store.case_models import (
    DUE_SHARDS,
    CaseCodeItem,
    CaseEventItem,
    CaseHandlerItem,
    CaseItem,
    FiredItem,
    IdempotencyItem,
    NoticeItem,
    SequenceItem,
    TaskClockItem,
    case_key,
    case_pk,
    code_key,
    district_cases_pk,
    due_pk,
    due_shard,
    due_sk,
    event_sk,
    fired_sk,
    handler_sk,
    idempotency_key,
    inbox_pk,
    inbox_sk,
    notice_key,
    reporter_pk,
    sequence_key,
    street_cases_pk,
    task_clock_key,
    time_sk,
)
from api.store.counter_store import add_day_counters, counted_json
from api.store.gauge_store import GaugeMove, move_gauges
from api.store.models import Item
from api.store.pagination import Page, query_page
from api.store.repository import Repository, bound

__all__ = ["DUE_SHARDS", "CaseChange", "CaseStore"]

CASE_PREFIX = "CASE"
TASK_DEADLINE_PREFIX = "TASKCLOCK"  # due-index entries of departments' deadlines
REHOME_ATTEMPTS = 5  # a moved case re-read after a concurrent change, at most


@dataclass(frozen=True)
class Handler:
    """Who handles the case now, as projected into their inbox."""

    assignee_id: str
    assignee_name: str
    role: str
    task_status: TaskStatus | None = None


@dataclass(frozen=True)
class EventDraft:
    """The timeline event a change appends (its ``seq``, level and assignee come from the case)."""

    action: str
    from_state: CaseState | None
    to_state: CaseState
    actor_id: str | None
    actor_role: str
    at: str
    note: str | None
    # Where the event happened when not where the case is after the change: a supervision
    # (督办) is recorded at the level that missed its limit, before the escalation it causes.
    place: tuple[Level | None, str | None] | None = None


@dataclass(frozen=True)
class FiredMarker:
    """A timer firing applied once: ``FIRED#<event id>`` under the case, put only if absent."""

    event_id: str
    at: datetime
    due: datetime | None


@dataclass(frozen=True)
class NoticeDraft:
    recipient_id: str
    kind: str
    level: str
    message: str


@dataclass(frozen=True)
class Opening:
    """What only a new case writes: its tracking-code alias and its idempotency key."""

    idempotency: tuple[str, str] | None = None  # (caller, key)
    input_hash: str | None = None  # of the report's input (api.domain.idempotency)


@dataclass(frozen=True)
class CaseChange:
    """One change of a case, committed as one TransactWriteItems by ``CaseStore.save``.

    ``case`` is the case after the change, carrying the ``version`` it was read at (0: new).
    """

    case: CaseRecord
    event: EventDraft
    handlers: tuple[Handler, ...]
    previous_handlers: tuple[str, ...] = ()  # assignee ids of the handlers before the change
    counters: Mapping[str, int] = field(default_factory=dict)
    day: str = ""
    task_deadlines: tuple[TaskDeadlineRecord, ...] = ()  # saved conditioned on their versions
    notices: tuple[NoticeDraft, ...] = ()
    fired: FiredMarker | None = None
    # Counters of other units than the grid path (departments holding a task), per unit id.
    unit_counters: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    opening: Opening | None = None
    preceding: tuple[EventDraft, ...] = ()  # events appended before ``event`` (SUPERVISION)
    conflict: Message | None = None  # the message of the Conflict a lost condition raises
    # The gauges and watch lists the change moves (issue 14): what the case contributed before
    # the change and after it (api.services.case_gauges.gauge_move).
    gauges: GaugeMove | None = None


def due_keys_of(deadline: Timer | None, shard_of: str, name: str) -> dict[str, Any]:
    """The entry of a running deadline in the sparse, sharded due index (none when it does
    not run): ``DUE#<shard>`` / ``<next firing>#<name>``."""
    fire_at = next_fire_at(deadline) if deadline is not None else None
    if fire_at is None:
        return {"duepk": None, "duesk": None}
    return {"duepk": due_pk(due_shard(shard_of)), "duesk": due_sk(iso(fire_at), name)}


def _version(version: int) -> dict[str, Any]:
    """The version read (PynamoDB then conditions the put on it); none for a new item, whose
    put is conditioned on its absence."""
    return {"version": version} if version else {}


def _case_item(case: CaseRecord) -> CaseItem:
    pk, sk = case_key(case.id)
    ids = path_ids(case.grid_path)
    at = time_sk(case.reported_at, case.id)
    return CaseItem(
        pk,
        sk,
        **case_attributes(case),
        **due_keys_of(case.deadline, case.id, case.id),
        gsi1pk=reporter_pk(case.reporter_id) if case.reporter_id else None,
        gsi1sk=at if case.reporter_id else None,
        gsi2pk=street_cases_pk(ids[1]),
        gsi2sk=at,
        gsi3pk=district_cases_pk(ids[0]),
        gsi3sk=at,
        **_version(case.version),
    )


def _task_deadline_item(record: TaskDeadlineRecord) -> TaskClockItem:
    pk, sk = task_clock_key(record.case_id, record.department_id)
    name = f"{record.case_id}#{record.department_id}"
    return TaskClockItem(
        pk,
        sk,
        case_id=record.case_id,
        department_id=record.department_id,
        clock=deadline_to_json(record.deadline) if record.deadline is not None else None,
        breached=record.breached,
        ever_breached=record.ever_breached,
        updated_at=record.updated_at,
        **_version(record.version),
        **due_keys_of(record.deadline, record.case_id, name),
    )


def _upsert_handler(transaction: Any, case: CaseRecord, handler: Handler) -> None:
    """Create or overwrite a handler projection (an update: no version condition applies)."""
    item = CaseHandlerItem(case_pk(case.id), handler_sk(handler.assignee_id))
    # The inbox sorts by the current deadline (none while paused or stopped).
    deadline = case.handling_deadline
    due_at = iso(deadline.due_at) if deadline and deadline.due_at else None
    values: dict[str, Any] = {
        "case_id": case.id,
        "code": case.code,
        "assignee_id": handler.assignee_id,
        "assignee_name": handler.assignee_name,
        "role": handler.role,
        "task_status": handler.task_status.value if handler.task_status else None,
        "state": case.state.value,
        "category": case.category,
        "summary": case.description[:80],
        "level": case.level.value if case.level else INTAKE,
        "reported_at": case.reported_at,
        "due_at": due_at,
        "active": True,
        "gsi1pk": inbox_pk(handler.assignee_id),
        "gsi1sk": inbox_sk(case.state.value, due_at, case.reported_at, case.id),
    }
    actions = [
        getattr(CaseHandlerItem, name).set(value)
        if value is not None
        else getattr(CaseHandlerItem, name).remove()
        for name, value in values.items()
    ]
    actions.append(CaseHandlerItem.type.set(CaseHandlerItem))
    transaction.update(item, actions=actions, add_version_condition=False)


def _retire_handler(transaction: Any, case: CaseRecord, assignee_id: str) -> None:
    """A handler the case moved away from leaves the inbox index; the item stays as history."""
    old = CaseHandlerItem(case_pk(case.id), handler_sk(assignee_id))
    transaction.update(
        old,
        actions=[
            CaseHandlerItem.active.set(False),
            CaseHandlerItem.state.set(case.state.value),
            CaseHandlerItem.gsi1pk.remove(),
            CaseHandlerItem.gsi1sk.remove(),
        ],
        add_version_condition=False,
    )


def _event_item(case_id: str, event: CaseEventRecord) -> CaseEventItem:
    return CaseEventItem(
        case_pk(case_id),
        event_sk(event.seq),
        case_id=case_id,
        seq=event.seq,
        action=event.action,
        from_state=event.from_state.value if event.from_state else None,
        to_state=event.to_state.value,
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        at=event.at,
        note=event.note,
        level=event.level.value if event.level else None,
        assignee_id=event.assignee_id,
    )


def _notice_item(case: CaseRecord, notice: NoticeDraft, at: str) -> NoticeItem:
    pk, sk = notice_key(notice.recipient_id, at, case.id, notice.kind)
    return NoticeItem(
        pk, sk, recipient_id=notice.recipient_id, case_id=case.id, code=case.code,
        kind=notice.kind, level=notice.level, message=notice.message, at=at,
    )  # fmt: skip


def _fired_item(case_id: str, fired: FiredMarker) -> FiredItem:
    due = fired.due
    return FiredItem(
        case_pk(case_id),
        fired_sk(fired.event_id),
        at=iso(fired.at),
        due_at=iso(due) if due else None,
        lateness_seconds=(fired.at - due).total_seconds() if due else 0,
    )


def appended(change: CaseChange) -> tuple[CaseRecord, tuple[CaseEventRecord, ...]]:
    """The case with the change's events appended (the preceding ones, then the event): the
    next ``seq``s, ``updated_at``, the copy."""
    case = change.case
    events: list[CaseEventRecord] = []
    for seq, draft in enumerate((*change.preceding, change.event), start=case.event_count + 1):
        level, assignee = draft.place or (case.level, case.assignee_id)
        events.append(CaseEventRecord(
            seq=seq, action=draft.action, from_state=draft.from_state,
            to_state=draft.to_state, actor_id=draft.actor_id, actor_role=draft.actor_role,
            at=draft.at, note=draft.note, level=level, assignee_id=assignee,
        ))  # fmt: skip
    after = replace(
        case,
        event_count=events[-1].seq,
        updated_at=change.event.at,
        timeline=(*case.timeline, *events),
    )
    return after, tuple(events)


class CaseStore(Repository):
    """Reads return frozen records (api.records.case); each change is one ``CaseChange``."""

    # Reads ----------------------------------------------------------------------------------

    @bound
    def get(self, case_id: str, consistent: bool = True) -> CaseRecord | None:
        """The case with its timeline: one GetItem (the timeline is copied on the case)."""
        try:
            item = CaseItem.get(*case_key(case_id), consistent_read=consistent)
        except DoesNotExist:
            return None
        return self._record(item, consistent)

    @bound
    def get_many(self, case_ids: list[str]) -> dict[str, CaseRecord]:
        """One BatchGetItem per 100 distinct ids."""
        keys = [case_key(case_id) for case_id in dict.fromkeys(case_ids)]
        return {item.id: self._record(item, False) for item in CaseItem.batch_get(keys)}

    def _record(self, item: CaseItem, consistent: bool) -> CaseRecord:
        if item.timeline is not None:
            return case_record(item)
        # A case written before the timeline copy existed: read its event items (one Query).
        events = CaseEventItem.query(
            case_pk(item.id), CaseEventItem.sk.startswith("EVT#"), consistent_read=consistent
        )
        return case_record(item, tuple(event_record(e) for e in events))

    @bound
    def by_code(self, code: str) -> CaseRecord | None:
        try:
            case_id = CaseCodeItem.get(*code_key(code)).case_id
        except DoesNotExist:
            return None
        return self.get(case_id, consistent=False)

    @bound
    def by_idempotency_key(self, caller: str, key: str) -> Keyed[CaseRecord] | None:
        """The case a caller's key opened, with the hash of the input it was opened with."""
        try:
            idem = IdempotencyItem.get(*idempotency_key(caller, key), consistent_read=True)
        except DoesNotExist:
            return None
        case = self.get(idem.case_id)
        return None if case is None else Keyed(case, idem.input_hash)

    @bound
    def in_scope(self, query: ScopeQuery, first: int, after: str | None) -> Page[CaseRecord]:
        """Cases of a district (gsi3) or of a street's partition (gsi2), newest first, with the
        query's filters (subtree, state, category, mode, level)."""
        conditions: list[Condition] = []
        if query.street_id is None:
            index, partition = "gsi3", district_cases_pk(query.district_id)
            sort_key = CaseItem.gsi3sk
        else:
            index, partition = "gsi2", street_cases_pk(query.street_id)
            sort_key = CaseItem.gsi2sk
        if query.subtree_path is not None:
            conditions.append(CaseItem.grid_path.startswith(query.subtree_path))
        if query.state:
            conditions.append(CaseItem.state == query.state.value)
        if query.category:
            conditions.append(CaseItem.category == query.category)
        if query.mode:
            conditions.append(CaseItem.mode == query.mode.value)
        if query.level:
            conditions.append(CaseItem.level == query.level.value)
        combined: Condition | None = None
        for condition in conditions:
            combined = condition if combined is None else combined & condition
        return query_page(
            CaseItem,
            self.db.codec,
            partition,
            index=index,
            range_key_condition=sort_key.between(query.reported_from, query.reported_to),
            filter_condition=combined,
            first=first,
            after=after,
            scan_forward=False,
        ).map(self._page_record)

    @bound
    def reported_by(self, person_id: str, first: int, after: str | None) -> Page[CaseRecord]:
        return query_page(
            CaseItem, self.db.codec, reporter_pk(person_id), index="gsi1", first=first,
            after=after, scan_forward=False,
        ).map(self._page_record)  # fmt: skip

    def _page_record(self, item: CaseItem) -> CaseRecord:
        return self._record(item, False)

    @bound
    def inbox(
        self, assignee_id: str, state: CaseState | None, first: int, after: str | None
    ) -> Page[HandlerRecord]:
        """Cases in the inbox of a unit, department or leader, soonest due first."""
        return query_page(
            CaseHandlerItem,
            self.db.codec,
            inbox_pk(assignee_id),
            index="gsi1",
            range_key_condition=CaseHandlerItem.gsi1sk.startswith(f"{state.value}#")
            if state
            else None,
            first=first,
            after=after,
        ).map(handler_record)

    @bound
    def task_deadlines(
        self, keys: list[tuple[str, str]], consistent: bool = False
    ) -> dict[tuple[str, str], TaskDeadlineRecord]:
        """Departments' deadlines by (case id, department id): one BatchGetItem per 100 keys."""
        wanted = [task_clock_key(case_id, dep) for case_id, dep in dict.fromkeys(keys)]
        if not wanted:
            return {}
        found = TaskClockItem.batch_get(wanted, consistent_read=consistent)
        return {(item.case_id, item.department_id): task_deadline_record(item) for item in found}

    @bound
    def task_deadline(self, case_id: str, department_id: str) -> TaskDeadlineRecord | None:
        try:
            item = TaskClockItem.get(*task_clock_key(case_id, department_id), consistent_read=True)
        except DoesNotExist:
            return None
        return task_deadline_record(item)

    @bound
    def next_number(self, name: str) -> int:
        """Atomic counter: UpdateItem ADD 1, returning the new value (no read first)."""
        counter = SequenceItem(*sequence_key(name))
        counter.update(actions=[SequenceItem.value.add(1)], add_version_condition=False)
        return int(counter.value)

    @bound
    def due_keys(self, shard: int, upper: str, limit: int, lower: str | None = None) -> list[str]:
        """Partition keys (``CASE#<id>``, ``TASKCLOCK#<case>#<dep>``, ``TOPIC#<id>``…) of the
        entries in one shard of the keys-only ``due`` index firing at or before ``upper`` (and
        at or after ``lower``). Low-level on purpose: PynamoDB's polymorphic queries filter on
        the ``type`` discriminator, which a keys-only projection does not carry."""
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

    def due_case_ids(
        self, shard: int, upper: str, limit: int, lower: str | None = None
    ) -> list[str]:
        """Case ids among :meth:`due_keys` (other timers share the index)."""
        prefix = f"{CASE_PREFIX}#"
        return [
            key.removeprefix(prefix)
            for key in self.due_keys(shard, upper, limit, lower)
            if key.startswith(prefix)
        ]

    # Changes --------------------------------------------------------------------------------

    @bound
    def save(self, change: CaseChange) -> CaseRecord:
        """Append the change's event and write everything in one transaction, the case
        conditioned on the version it was read at (absent when new): of two changes at once,
        exactly one wins and the other gets ``Conflict``. Returns the case as stored."""
        case, events = appended(change)
        event = events[-1]
        conflict = change.conflict or msg("conflict.case_named", code=case.code)
        with self.db.transaction(conflict) as transaction:
            if change.opening is not None:
                transaction.save(_case_item(case), condition=CaseItem.pk.does_not_exist())
                code_pk, code_sk = code_key(case.code)
                alias = CaseCodeItem(code_pk, code_sk, case_id=case.id)
                transaction.save(alias, condition=CaseCodeItem.pk.does_not_exist())
                if change.opening.idempotency is not None:
                    idem = IdempotencyItem(
                        *idempotency_key(*change.opening.idempotency),
                        case_id=case.id,
                        input_hash=change.opening.input_hash,
                    )
                    transaction.save(idem, condition=IdempotencyItem.pk.does_not_exist())
            else:
                transaction.save(_case_item(case))  # PynamoDB adds version = read version
            for appended_event in events:
                event_item = _event_item(case.id, appended_event)
                if appended_event is events[-1]:
                    # What the change added to the counters, once per change: on its last event
                    # (a timer's SUPERVISION event before its ESCALATE counts nothing itself).
                    event_item.counted = counted_json(
                        path_ids(case.grid_path), change.counters, change.unit_counters
                    )
                transaction.save(event_item, condition=CaseEventItem.pk.does_not_exist())
            for deadline in change.task_deadlines:
                transaction.save(_task_deadline_item(deadline))
            current = {handler.assignee_id for handler in change.handlers}
            for handler in change.handlers:
                _upsert_handler(transaction, case, handler)
            for old_assignee in change.previous_handlers:
                if old_assignee not in current:
                    _retire_handler(transaction, case, old_assignee)
            if change.counters:
                add_day_counters(
                    transaction, path_ids(case.grid_path), change.day, dict(change.counters)
                )
            for unit_id, unit_counters in change.unit_counters.items():
                add_day_counters(transaction, [unit_id], change.day, dict(unit_counters))
            if change.gauges is not None:
                move_gauges(transaction, case, change.gauges)
            for notice in change.notices:
                transaction.save(_notice_item(case, notice, event.at))
            if change.fired is not None:
                transaction.save(
                    _fired_item(case.id, change.fired), condition=FiredItem.sk.does_not_exist()
                )
        return replace(case, version=case.version + 1)

    @bound
    def reschedule(self, case: CaseRecord, gauges: GaugeMove | None = None) -> CaseRecord:
        """Store a recomputed deadline (a changed calendar), conditioned on the version read:
        ``Conflict`` when the case changed meanwhile (its new deadline used the new calendar).
        ``gauges``: the watch-list entries the moved deadline re-orders."""
        with self.db.transaction() as transaction:
            transaction.save(_case_item(case))
            if gauges is not None:
                move_gauges(transaction, case, gauges)
        return replace(case, version=case.version + 1)

    @bound
    def rehome(
        self,
        old_path: str,
        new_path: str,
        gauges: Callable[[CaseRecord, CaseRecord], GaugeMove] | None = None,
    ) -> int:
        """Cases located in a moved subtree follow it: their grid path (scope checks) and their
        street partition (scope lists) are rewritten, each in one transaction with ``gauges``
        (the case's gauge contribution and watch entries moved from the old ancestors to the
        new: the gauges are the state now). Conditioned on the version read, re-read when a
        change came between. Idempotent; the day counters already written stay with the
        ancestors of the day they were counted. For org_units' move."""
        old_ids, new_ids = path_ids(old_path), path_ids(new_path)
        if len(old_ids) < 2 or len(new_ids) < 2:
            return 0  # a district, or a street moving within it, keeps its partition and prefix
        moved = 0
        for found in CaseItem.by_kind.query(
            street_cases_pk(old_ids[1]),
            filter_condition=CaseItem.grid_path.startswith(old_path + "/")
            | (CaseItem.grid_path == old_path),
        ):
            assert isinstance(found, CaseItem)
            moved += self._rehome_one(found, old_path, new_path, gauges)
        return moved

    def _rehome_one(
        self,
        item: CaseItem,
        old_path: str,
        new_path: str,
        gauges: Callable[[CaseRecord, CaseRecord], GaugeMove] | None,
    ) -> int:
        for _ in range(REHOME_ATTEMPTS):
            before = case_record(item)
            after = replace(before, grid_path=rebase_path(before.grid_path, old_path, new_path))
            try:
                with self.db.transaction() as transaction:
                    transaction.update(
                        item,
                        actions=[
                            CaseItem.grid_path.set(after.grid_path),
                            CaseItem.gsi2pk.set(street_cases_pk(path_ids(new_path)[1])),
                        ],
                        condition=CaseItem.version == item.version,
                        add_version_condition=False,
                    )
                    if gauges is not None:
                        move_gauges(transaction, after, gauges(before, after))
                return 1
            except Conflict:
                fresh = CaseItem.get(item.pk, item.sk, consistent_read=True)
                assert isinstance(fresh, CaseItem)
                item = fresh
                if not (item.grid_path + "/").startswith(old_path + "/"):
                    return 0  # moved meanwhile
        raise Conflict(msg("conflict.item"))

    @bound
    def stop_task_deadline(self, record: TaskDeadlineRecord) -> bool:
        """Store a department's deadline stopped, conditioned on its version (a concurrent
        change wins); False when it lost."""
        try:
            _task_deadline_item(record).save()
        except PutError:
            return False
        return True


@dataclass(frozen=True)
class ScopeQuery:
    """Cases located in a unit's subtree: the district's index partition or its street's."""

    district_id: str
    street_id: str | None  # None: the whole district
    subtree_path: str | None  # narrower than the street: a prefix filter on the grid path
    reported_from: str
    reported_to: str
    state: CaseState | None = None
    category: str | None = None
    mode: HandlingMode | None = None
    level: Level | None = None
