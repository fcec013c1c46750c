"""Reading and writing topics: one partition per topic; every change one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import DoesNotExist

from api.domain.ids import new_id
from api.domain.topics import Tally, VoteChoice, VotePolicy
from api.store.case_models import DailyStatsItem, stats_key
from api.store.db import Db
from api.store.repository import Repository
from api.store.topic_models import (
    ElectorItem,
    TopicCommentItem,
    TopicItem,
    TopicLogItem,
    TopicMarkItem,
    TopicNoticeItem,
    TopicPolicyItem,
    VoteItem,
    by_state_pk,
    elector_sk,
    log_sk,
    newest_sk,
    notice_key,
    policy_key,
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


def get_topic(topic_id: str, consistent: bool = True) -> TopicItem | None:
    try:
        return TopicItem.get(*topic_key(topic_id), consistent_read=consistent)
    except DoesNotExist:
        return None


def get_vote(topic_id: str, person_id: str, consistent: bool = True) -> VoteItem | None:
    try:
        return VoteItem.get(topic_pk(topic_id), vote_sk(person_id), consistent_read=consistent)
    except DoesNotExist:
        return None


def is_elector(topic_id: str, person_id: str) -> bool:
    pk = topic_pk(topic_id)
    return bool(
        ElectorItem.count(pk, ElectorItem.sk == elector_sk(person_id), consistent_read=True)
    )


def get_comment(topic_id: str, thread: str) -> TopicCommentItem | None:
    from api.store.topic_models import comment_sk

    try:
        return TopicCommentItem.get(topic_pk(topic_id), comment_sk(thread), consistent_read=True)
    except DoesNotExist:
        return None


def tally_of(topic: TopicItem) -> Tally:
    return Tally(
        int(topic.votes_for or 0), int(topic.votes_against or 0), int(topic.votes_abstain or 0)
    )


def index_topic(topic: TopicItem) -> None:
    """Point the topic's list-index keys at its current state and support."""
    topic.gsi1pk = by_state_pk(topic.unit_id, topic.state)
    topic.gsi1sk = newest_sk(topic.created_at, topic.id)
    topic.gsi2pk = topic.gsi1pk
    topic.gsi2sk = support_sk(int(topic.likes or 0), topic.id)


def load_policy(unit_ids: Iterable[str]) -> VotePolicy:
    """The first policy found walking from the unit up (grid, community, ..., district)."""
    for unit_id in unit_ids:
        try:
            data = TopicPolicyItem.get(*policy_key(unit_id)).policy
        except DoesNotExist:
            continue
        return VotePolicy(**data)
    return VotePolicy()


def log_item(topic_id: str, action: str, actor_id: str | None, at: str, note: str | None,
             target: str | None = None) -> TopicLogItem:  # fmt: skip
    return TopicLogItem(
        topic_pk(topic_id),
        log_sk(at, new_id()),
        action=action,
        actor_id=actor_id,
        target=target,
        note=note,
        at=at,
    )


def notice_item(
    recipient: str, topic: TopicItem, kind: str, message: str, at: str
) -> TopicNoticeItem:
    pk, sk = notice_key(recipient, at, topic.id, kind)
    return TopicNoticeItem(
        pk, sk, recipient_id=recipient, topic_id=topic.id, title=topic.title, kind=kind,
        message=message, at=at,
    )  # fmt: skip


@dataclass
class TopicChange:
    """What goes with a change of the topic item in one transaction."""

    log: TopicLogItem | None = None
    notices: list[TopicNoticeItem] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    counter_orgs: list[str] = field(default_factory=list)
    day: str = ""


def add_counters(transaction: Any, orgs: list[str], day: str, counters: dict[str, int]) -> None:
    for org_id in orgs:
        stats = DailyStatsItem(*stats_key(org_id, day))
        actions = [
            DailyStatsItem.type.set(DailyStatsItem),
            DailyStatsItem.org_id.set(org_id),
            DailyStatsItem.day.set(day),
        ]
        actions += [getattr(DailyStatsItem, name).add(n) for name, n in counters.items()]
        # A fresh instance has no version: the update would set one, so keep it out.
        transaction.update(stats, actions=actions, add_version_condition=False)


def write_change(transaction: Any, change: TopicChange) -> None:
    if change.log is not None:
        transaction.save(change.log, condition=TopicLogItem.sk.does_not_exist())
    for notice in change.notices:
        transaction.save(notice)
    if change.counters:
        add_counters(transaction, change.counter_orgs, change.day, change.counters)


def save_topic(db: Db, topic: TopicItem, change: TopicChange, conflict: str) -> None:
    """The topic conditioned on the version it was read at, with the change."""
    with db.transaction(conflict) as transaction:
        transaction.save(topic)
        write_change(transaction, change)


def insert_topic(db: Db, topic: TopicItem, change: TopicChange) -> None:
    with db.transaction("The topic exists already") as transaction:
        transaction.save(topic, condition=TopicItem.pk.does_not_exist())
        write_change(transaction, change)


def put_electors(topic_id: str, person_ids: Iterable[str]) -> int:
    """The electorate snapshot, written before the topic flips to VOTING (idempotent puts)."""
    count = 0
    with ElectorItem.batch_write() as batch:
        for person_id in person_ids:
            batch.save(ElectorItem(topic_pk(topic_id), elector_sk(person_id), person_id=person_id))
            count += 1
    return count


def save_notices(notices: list[TopicNoticeItem]) -> None:
    with TopicNoticeItem.batch_write() as batch:
        for notice in notices:
            batch.save(notice)


def voter_ids(topic_id: str) -> list[str]:
    return [
        str(v.person_id)
        for v in VoteItem.query(topic_pk(topic_id), VoteItem.sk.startswith("VOTE#"))
    ]


def mark_exists(topic_id: str, sk: str) -> bool:
    return bool(TopicMarkItem.count(topic_pk(topic_id), TopicMarkItem.sk == sk,
                                    consistent_read=True))  # fmt: skip


class TopicStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""
