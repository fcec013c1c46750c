"""Topics and votes (党群议事): one partition per topic; every change one transaction.

Reads return frozen records (``api.records.topic``); each change of a topic is one unit of
work (a dataclass below) committed as one TransactWriteItems: the topic conditioned on the
version it was read at, the log entry, the notices and the day counters of its unit's subtree.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from api.domain.errors import Conflict
from api.domain.ids import new_id
from api.domain.messages import Message, msg
from api.domain.org import path_ids
from api.domain.topics import TopicState, VoteChoice, VotePolicy
from api.records.topic import (
    CommentRecord,
    TopicDayTotals,
    TopicLogRecord,
    TopicNoticeRecord,
    TopicPolicyRecord,
    TopicRecord,
    VoteRecord,
)
from api.store.case_models import DailyStatsItem, stats_pk
from api.store.counter_store import DayCounts, add_counts
from api.store.models import META, Item, OrgUnitItem, PersonItem, children_pk, residents_pk
from api.store.pagination import Edge, ListKey, Page, query_page
from api.store.repository import Repository, bound
from api.store.topic_codec import (
    comment_item,
    comment_record,
    log_record,
    notice_item,
    notice_record,
    policy_record,
    policy_to_json,
    topic_item,
    topic_record,
    topic_ref,
    vote_item,
    vote_record,
)
from api.store.topic_models import (
    TOPIC_TARGET,
    ElectorItem,
    TopicCommentItem,
    TopicItem,
    TopicLogItem,
    TopicMarkItem,
    TopicNoticeItem,
    TopicPolicyItem,
    VoteItem,
    author_pk,
    by_state_pk,
    comment_sk,
    elector_sk,
    like_sk,
    log_sk,
    notice_pk,
    policy_key,
    report_sk,
    support_sk,
    topic_key,
    topic_pk,
    vote_sk,
)

VOTE_COUNTERS = {
    VoteChoice.FOR: TopicItem.votes_for,
    VoteChoice.AGAINST: TopicItem.votes_against,
    VoteChoice.ABSTAIN: TopicItem.votes_abstain,
}
TOPIC_COUNTERS = (
    "topics_raised", "topics_adopted", "topics_declined", "topic_cases_resolved",
    "topic_cases_resolved_in_grid",
)  # fmt: skip
MAX_UNITS = 2000  # units walked for the electorate of one topic
RETRIES = 6

T = TypeVar("T")


# --- retrying lost conditions (used by the topic services) --------------------------------


def backoff(tries: int) -> None:
    """A short random pause before retrying a lost condition or a transaction conflict
    (simultaneous transactions on one item cancel each other), so retries spread out."""
    time.sleep(random.uniform(0, 0.01 * 2**tries))


def retried(attempt: Callable[[], T]) -> T:
    """Run a read-decide-write attempt again when a concurrent change (a like, a vote) moved
    the topic's version under it; the last attempt's Conflict goes to the caller."""
    for tries in range(RETRIES - 1):
        try:
            return attempt()
        except Conflict:
            backoff(tries)
    return attempt()


# --- units of work --------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicChange:
    """A topic written whole (conditioned on ``topic.version``; 0: created) with what goes
    with it: a log entry, notices, and day counters of the unit's subtree."""

    topic: TopicRecord
    log: TopicLogRecord | None = None
    notices: tuple[TopicNoticeRecord, ...] = ()
    counters: dict[str, int] = field(default_factory=dict)
    counter_orgs: tuple[str, ...] = ()
    day: str = ""


@dataclass(frozen=True)
class NewComment:
    """A comment (or reply) put if absent; the topic's comment count goes up if not hidden."""

    topic: TopicRecord
    comment: CommentRecord


@dataclass(frozen=True)
class Mark:
    """One like or report by one person on the topic (``thread`` None) or a comment."""

    topic: TopicRecord
    person_id: str
    thread: str | None
    at: str
    reason: str | None = None

    @property
    def target(self) -> str:
        return TOPIC_TARGET if self.thread is None else self.thread


@dataclass(frozen=True)
class Report:
    """A report: the mark, the target's report count (conditioned on the one read) and, past
    the threshold, its automatic hiding (logged)."""

    mark: Mark
    count_read: int
    hide: bool
    hidden_reason: str | None
    log: TopicLogRecord | None


@dataclass(frozen=True)
class CommentModeration:
    topic_id: str
    thread: str
    hide: bool
    note: str
    log: TopicLogRecord


@dataclass(frozen=True)
class Ballot:
    """One person's vote put if absent (or changed only from the choice read), the electorate
    checked and the tally moved, in the voting window (state, not hidden, closing ahead)."""

    topic: TopicRecord
    vote: VoteRecord  # version: the one it was read at (0: first vote)
    previous: VoteChoice | None


@dataclass(frozen=True)
class CaseLink:
    """An adopted topic points at its case; its timer ends."""

    topic_id: str
    case_id: str
    case_code: str
    log: TopicLogRecord


def log_entry(action: str, actor_id: str | None, at: str, note: str | None,
              target: str | None = None) -> TopicLogRecord:  # fmt: skip
    return TopicLogRecord(action=action, actor_id=actor_id, target=target, note=note, at=at)


def _log_item(topic_id: str, entry: TopicLogRecord) -> TopicLogItem:
    return TopicLogItem(
        topic_pk(topic_id), log_sk(entry.at, new_id()), action=entry.action,
        actor_id=entry.actor_id, target=entry.target, note=entry.note, at=entry.at,
    )  # fmt: skip


def _save_log(transaction: Any, topic_id: str, entry: TopicLogRecord | None) -> None:
    if entry is not None:
        transaction.save(_log_item(topic_id, entry), condition=TopicLogItem.sk.does_not_exist())


def _window(at: str) -> Condition:
    """The topic still takes votes at ``at``: voting, not hidden, closing time ahead."""
    window: Condition = (
        (TopicItem.state == TopicState.VOTING.value)
        & (TopicItem.hidden == False)  # noqa: E712
        & (TopicItem.voting_closes_at > at)
    )
    return window


class TopicStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""

    # --- reads ------------------------------------------------------------------------------

    @bound
    def get(self, topic_id: str, consistent: bool = True) -> TopicRecord | None:
        try:
            return topic_record(TopicItem.get(*topic_key(topic_id), consistent_read=consistent))
        except DoesNotExist:
            return None

    @bound
    def vote(self, topic_id: str, person_id: str, consistent: bool = True) -> VoteRecord | None:
        try:
            item = VoteItem.get(topic_pk(topic_id), vote_sk(person_id), consistent_read=consistent)
        except DoesNotExist:
            return None
        return vote_record(item)

    @bound
    def votes_of(self, person_id: str, topic_ids: list[str]) -> dict[str, VoteRecord]:
        """One person's votes on many topics: one BatchGetItem per 100 topics (keys known)."""
        keys = [(topic_pk(t), vote_sk(person_id)) for t in dict.fromkeys(topic_ids)]
        return {item.topic_id: vote_record(item) for item in VoteItem.batch_get(keys)}

    @bound
    def is_elector(self, topic_id: str, person_id: str) -> bool:
        condition = ElectorItem.sk == elector_sk(person_id)
        return bool(ElectorItem.count(topic_pk(topic_id), condition, consistent_read=True))

    @bound
    def comment(self, topic_id: str, thread: str) -> CommentRecord | None:
        try:
            item = TopicCommentItem.get(
                topic_pk(topic_id), comment_sk(thread), consistent_read=True
            )
        except DoesNotExist:
            return None
        return comment_record(item)

    @bound
    def has_liked(self, topic_id: str, thread: str | None, person_id: str) -> bool:
        return self._mark_exists(topic_id, like_sk(thread or TOPIC_TARGET, person_id))

    @bound
    def has_reported(self, topic_id: str, thread: str | None, person_id: str) -> bool:
        return self._mark_exists(topic_id, report_sk(thread or TOPIC_TARGET, person_id))

    def _mark_exists(self, topic_id: str, sk: str) -> bool:
        condition = TopicMarkItem.sk == sk
        return bool(TopicMarkItem.count(topic_pk(topic_id), condition, consistent_read=True))

    @bound
    def policy_for(self, unit_path: str) -> VotePolicy:
        """The vote rules of the nearest unit up the path that has some (defaults otherwise):
        one BatchGetItem for the whole path."""
        unit_ids = list(reversed(path_ids(unit_path)))
        found = {
            item.unit_id: policy_record(item).policy
            for item in TopicPolicyItem.batch_get([policy_key(u) for u in dict.fromkeys(unit_ids)])
        }
        return next((found[u] for u in unit_ids if u in found), VotePolicy())

    @bound
    def with_first_comments(
        self, topic_id: str, first: int
    ) -> tuple[TopicRecord | None, Page[CommentRecord]]:
        """The topic and its first comments: one Query from ``#META`` through the comments
        (the meta item sorts first)."""
        topic: TopicRecord | None = None
        found: list[TopicCommentItem] = []
        pk = topic_pk(topic_id)
        results = Item.query(
            pk, Item.sk.between(META, "COMMENT#\uffff"), limit=first + 2, page_size=first + 2
        )
        for item in results:
            if isinstance(item, TopicItem):
                topic = topic_record(item)
            elif isinstance(item, TopicCommentItem):
                found.append(item)
        list_key = ListKey("", pk, ("pk", "sk"))
        codec = self.db.codec
        edges = [
            Edge(cursor=codec.encode(list_key, {"pk": c.pk, "sk": c.sk}), node=comment_record(c))
            for c in found[:first]
        ]
        return topic, Page(edges=edges, has_next_page=len(found) > first)

    @bound
    def comments(self, topic_id: str, first: int, after: str | None) -> Page[CommentRecord]:
        return query_page(
            TopicCommentItem, self.db.codec, topic_pk(topic_id),
            range_key_condition=TopicCommentItem.sk.startswith("COMMENT#"),
            first=first, after=after,
        ).map(comment_record)  # fmt: skip

    @bound
    def of_unit(
        self, unit_id: str, state: TopicState, most_liked: bool, first: int, after: str | None,
        *, with_hidden: bool, author_only: str | None = None,
    ) -> Page[TopicRecord]:  # fmt: skip
        """Topics of a unit in one state, newest or most liked first; hidden ones only
        ``with_hidden``; only those of ``author_only`` when given."""
        visible: Condition | None = None
        if author_only is not None:
            visible = TopicItem.author_id == author_only
        elif not with_hidden:
            visible = TopicItem.hidden == False  # noqa: E712
        return query_page(
            TopicItem, self.db.codec, by_state_pk(unit_id, state.value),
            index="gsi2" if most_liked else "gsi1", filter_condition=visible,
            first=first, after=after, scan_forward=False,
        ).map(topic_record)  # fmt: skip

    @bound
    def of_author(self, person_id: str, first: int, after: str | None) -> Page[TopicRecord]:
        return query_page(
            TopicItem, self.db.codec, author_pk(person_id), index="gsi3", first=first,
            after=after, scan_forward=False,
        ).map(topic_record)  # fmt: skip

    @bound
    def notices(self, recipient: str, first: int, after: str | None) -> Page[TopicNoticeRecord]:
        return query_page(
            TopicNoticeItem, self.db.codec, notice_pk(recipient), first=first, after=after,
            scan_forward=False,
        ).map(notice_record)  # fmt: skip

    @bound
    def log(self, topic_id: str) -> list[TopicLogRecord]:
        """The topic's log, oldest first (bounded: a topic's log is a few dozen entries)."""
        entries = TopicLogItem.query(
            topic_pk(topic_id), TopicLogItem.sk.startswith("LOG#"), limit=200
        )
        return [log_record(entry) for entry in entries]

    @bound
    def voter_ids(self, topic_id: str) -> list[str]:
        votes = VoteItem.query(topic_pk(topic_id), VoteItem.sk.startswith("VOTE#"))
        return [str(v.person_id) for v in votes]

    @bound
    def day_totals(self, unit_id: str, start: date, end: date) -> TopicDayTotals:
        """Topic counters of a unit's subtree over a range of days (one Query)."""
        rows = DailyStatsItem.query(
            stats_pk(unit_id), DailyStatsItem.sk.between(f"DAY#{start}", f"DAY#{end}")
        )
        totals = dict.fromkeys(TOPIC_COUNTERS, 0)
        for row in rows:
            for name in totals:
                totals[name] += int(getattr(row, name) or 0)
        return TopicDayTotals(*totals.values())

    @bound
    def residents_under(self, unit_id: str) -> list[str]:
        """Residents registered anywhere in the unit's subtree (breadth first over children):
        the electorate of a vote."""
        people: list[str] = []
        queue, seen = [unit_id], 0
        while queue and seen < MAX_UNITS:
            current = queue.pop(0)
            seen += 1
            for person in PersonItem.by_parent.query(residents_pk(current)):
                people.append(str(person.id))  # type: ignore[attr-defined]
            for child in OrgUnitItem.by_parent.query(children_pk(current)):
                queue.append(str(child.id))  # type: ignore[attr-defined]
        return sorted(set(people))

    # --- changes ----------------------------------------------------------------------------

    @bound
    def save(self, change: TopicChange, conflict: Message) -> TopicRecord:
        """The topic conditioned on the version it was read at (created if 0), with the
        change; returns the topic as stored."""
        item = topic_item(change.topic)
        with self.db.transaction(conflict) as transaction:
            if change.topic.version == 0:
                transaction.save(item, condition=TopicItem.pk.does_not_exist())
            else:
                transaction.save(item)
            _save_log(transaction, change.topic.id, change.log)
            for notice in change.notices:
                transaction.save(notice_item(notice))
            add_counts(transaction, DayCounts(change.counter_orgs, change.day, change.counters))
        return topic_record(item)

    @bound
    def put_electors(self, topic_id: str, person_ids: Iterable[str]) -> int:
        """The electorate snapshot, written before the topic flips to VOTING (idempotent)."""
        count = 0
        with ElectorItem.batch_write() as batch:
            for person_id in person_ids:
                item = ElectorItem(topic_pk(topic_id), elector_sk(person_id), person_id=person_id)
                batch.save(item)
                count += 1
        return count

    @bound
    def put_notices(self, notices: list[TopicNoticeRecord]) -> None:
        """Notices with fixed keys: a retry rewrites the same items."""
        with TopicNoticeItem.batch_write() as batch:
            for notice in notices:
                batch.save(notice_item(notice))

    @bound
    def mark_voters_notified(self, topic: TopicRecord, leave_due: bool) -> None:
        """The voters were told the result; the timer ends unless ``leave_due`` (a case is
        still to open). Conflict if another sweep did it first."""
        actions: list[Action] = [TopicItem.voters_notified.set(True)]
        if not leave_due:
            actions += [TopicItem.duepk.remove(), TopicItem.duesk.remove()]
        try:
            topic_ref(topic).update(
                actions=actions,
                condition=(TopicItem.voters_notified == False)  # noqa: E712
                | TopicItem.voters_notified.does_not_exist(),
                add_version_condition=False,
            )
        except UpdateError as error:
            raise Conflict(msg("topic.voters_notified")) from error

    @bound
    def link_case(self, link: CaseLink, topic: TopicRecord) -> None:
        with self.db.transaction(msg("conflict.topic_linked")) as tx:
            tx.update(
                topic_ref(topic),
                actions=[
                    TopicItem.case_id.set(link.case_id),
                    TopicItem.case_code.set(link.case_code),
                    TopicItem.updated_at.set(link.log.at),
                    TopicItem.duepk.remove(),
                    TopicItem.duesk.remove(),
                ],
                condition=TopicItem.case_id.does_not_exist(),
                add_version_condition=False,
            )
            _save_log(tx, link.topic_id, link.log)

    @bound
    def add_comment(self, change: NewComment) -> CommentRecord:
        with self.db.transaction(msg("conflict.topic")) as tx:
            tx.save(comment_item(change.comment), condition=TopicCommentItem.sk.does_not_exist())
            tx.update(
                topic_ref(change.topic),
                actions=[TopicItem.comment_count.add(1)],
                condition=TopicItem.hidden == False,  # noqa: E712
                add_version_condition=False,
            )
        return change.comment

    @bound
    def add_like(self, mark: Mark) -> None:
        """The like mark (put if absent) and one more like on its target; Conflict when the
        mark exists, the topic is hidden or the comment is missing."""
        pk = topic_pk(mark.topic.id)
        item = TopicMarkItem(
            pk, like_sk(mark.target, mark.person_id), person_id=mark.person_id,
            target=mark.target, at=mark.at,
        )  # fmt: skip
        with self.db.transaction(msg("conflict.topic")) as tx:
            tx.save(item, condition=TopicMarkItem.sk.does_not_exist())
            if mark.thread is None:
                tx.update(
                    topic_ref(mark.topic),
                    actions=[TopicItem.likes.add(1)],
                    condition=TopicItem.hidden == False,  # noqa: E712
                    add_version_condition=False,
                )
            else:
                tx.update(
                    TopicCommentItem(pk, comment_sk(mark.thread)),
                    actions=[TopicCommentItem.likes.add(1)],
                    condition=TopicCommentItem.sk.exists(),
                    add_version_condition=False,
                )

    @bound
    def resort(self, topic: TopicRecord) -> None:
        """Move the topic to its place in the most-liked order. Conditioned on the count just
        read: of simultaneous likes, the last one's re-sort is the one that lands."""
        with suppress(UpdateError):  # lost: a later like re-sorts
            topic_ref(topic).update(
                actions=[TopicItem.gsi2sk.set(support_sk(topic.likes, topic.id))],
                condition=TopicItem.likes == topic.likes,
                add_version_condition=False,
            )

    @bound
    def add_report(self, report: Report) -> None:
        mark = report.mark
        pk = topic_pk(mark.topic.id)
        subject: Any
        model: Any
        if mark.thread is None:
            subject, model = topic_ref(mark.topic), TopicItem
        else:
            subject, model = TopicCommentItem(pk, comment_sk(mark.thread)), TopicCommentItem
        actions = [model.report_count.set(report.count_read + 1)]
        if report.hide:
            actions += [model.hidden.set(True), model.hidden_reason.set(report.hidden_reason)]
        item = TopicMarkItem(
            pk, report_sk(mark.target, mark.person_id), person_id=mark.person_id,
            target=mark.target, reason=mark.reason, at=mark.at,
        )  # fmt: skip
        with self.db.transaction(msg("conflict.topic")) as tx:
            tx.save(item, condition=TopicMarkItem.sk.does_not_exist())
            read_count: Condition = model.report_count == report.count_read
            if report.count_read == 0:
                read_count = read_count | model.report_count.does_not_exist()
            tx.update(subject, actions=actions, condition=read_count, add_version_condition=False)
            if report.log is not None:
                tx.save(_log_item(mark.topic.id, report.log))

    @bound
    def moderate_comment(self, change: CommentModeration) -> CommentRecord:
        actions: list[Action] = [
            TopicCommentItem.hidden.set(change.hide),
            TopicCommentItem.hidden_reason.set(change.note)
            if change.hide
            else TopicCommentItem.hidden_reason.remove(),
        ]
        if not change.hide:
            actions.append(TopicCommentItem.report_count.set(0))
        item = TopicCommentItem(topic_pk(change.topic_id), comment_sk(change.thread))
        with self.db.transaction(msg("conflict.comment")) as tx:
            tx.update(item, actions=actions, add_version_condition=False)
            tx.save(_log_item(change.topic_id, change.log))
        found = self.comment(change.topic_id, change.thread)
        assert found is not None
        return found

    @bound
    def set_policy(self, record: TopicPolicyRecord) -> TopicPolicyRecord:
        actions: list[Action] = [
            TopicPolicyItem.type.set(TopicPolicyItem),
            TopicPolicyItem.unit_id.set(record.unit_id),
            TopicPolicyItem.policy.set(policy_to_json(record.policy)),
            TopicPolicyItem.set_at.set(record.set_at),
        ]
        if record.set_by is not None:
            actions.append(TopicPolicyItem.set_by.set(record.set_by))
        item = TopicPolicyItem(*policy_key(record.unit_id))
        item.update(actions=actions, add_version_condition=False)
        return record

    @bound
    def cast(self, ballot: Ballot) -> VoteRecord:
        vote = ballot.vote
        pk = topic_pk(vote.topic_id)
        actions: list[Action] = [VOTE_COUNTERS[vote.choice].add(1)]
        if ballot.previous is None:
            vote_condition: Condition = VoteItem.sk.does_not_exist()
        else:
            actions.append(VOTE_COUNTERS[ballot.previous].add(-1))
            vote_condition = VoteItem.choice == ballot.previous.value
        item = vote_item(vote)
        with self.db.transaction(msg("conflict.vote_or_topic")) as tx:
            tx.condition_check(
                ElectorItem, pk, elector_sk(vote.person_id), condition=ElectorItem.sk.exists()
            )
            tx.save(item, condition=vote_condition)  # and the version it was read at, if any
            # Atomic counters; the window conditions ride on the same update.
            tx.update(
                topic_ref(ballot.topic), actions=actions, condition=_window(vote.at),
                add_version_condition=False,
            )  # fmt: skip
        return vote_record(item)
