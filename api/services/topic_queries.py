"""Reading topics: a topic with its first page of comments, tally and the caller's vote (two
requests: one Query on the topic's partition, one GetItem of the vote); topics of a unit by
state, newest or most liked; the caller's own topics; topic counters of a unit; notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from api.domain.errors import Forbidden, InvalidInput
from api.domain.messages import msg
from api.domain.org import OrgKind
from api.domain.roles import Permission
from api.domain.topics import TopicState
from api.records.topic import (
    CommentRecord,
    TopicDayTotals,
    TopicLogRecord,
    TopicNoticeRecord,
    TopicRecord,
    VoteRecord,
)
from api.services import topic_access
from api.services.actor import Actor
from api.store.db import Db
from api.store.pagination import Page, check_first

CommentPage = Page[CommentRecord]
TopicPage = Page[TopicRecord]


@dataclass(frozen=True)
class TopicView:
    """The topic page: the topic, its first comments (with a cursor on) and the caller's vote."""

    topic: TopicRecord
    comments: Page[CommentRecord]
    my_vote: VoteRecord | None


def topic_page(
    db: Db, actor: Actor, topic_id: str, first: int, after: str | None = None
) -> TopicView | None:
    """One Query from ``#META`` through the comments (the meta item sorts first), one GetItem
    of the caller's vote."""
    check_first(first)
    topic: TopicRecord | None
    if after is not None:
        topic = topic_access.load_for_reading(db, actor, topic_id)
        if topic is None:
            return None
        page = db.topics.comments(topic.id, first, after)
    else:
        topic, page = db.topics.with_first_comments(topic_id, first)
        if topic is None or not topic_access.can_see(actor, topic):
            return None
    vote = db.topics.vote(topic_id, actor.person_id, consistent=False) if actor.person_id else None
    return TopicView(topic, page, vote)


def comments(db: Db, topic_id: str, first: int, after: str | None) -> Page[CommentRecord]:
    return db.topics.comments(topic_id, first, after)


def my_votes(db: Db, actor: Actor, topic_ids: list[str]) -> dict[str, VoteRecord]:
    """The caller's votes on the given topics (one BatchGetItem per 100): a list's ``myVote``."""
    if actor.person_id is None or not topic_ids:
        return {}
    return db.topics.votes_of(actor.person_id, topic_ids)


def unit_topics(
    db: Db, actor: Actor, unit_id: str, state: TopicState, most_liked: bool, first: int,
    after: str | None,
) -> Page[TopicRecord]:  # fmt: skip
    """Topics of a grid or community in one state, newest first or most liked first; hidden
    ones only for the moderators."""
    unit = db.org_units.require(unit_id, field="unitId", consistent=False)
    if unit.kind not in (OrgKind.GRID, OrgKind.COMMUNITY):
        raise InvalidInput(msg("topic.unit_level"), field="unitId")
    moderator = actor.can(Permission.GUIDE_TOPICS, unit.path)
    # Unpublished drafts: the caller's own only (moderators see all).
    author = (actor.person_id or "") if state is TopicState.DRAFT and not moderator else None
    return db.topics.of_unit(
        unit.id, state, most_liked, first, after, with_hidden=moderator, author_only=author
    )


def my_topics(db: Db, actor: Actor, first: int, after: str | None) -> Page[TopicRecord]:
    return db.topics.of_author(actor.require_login(), first, after)


def stats(db: Db, actor: Actor, unit_id: str, start: date, end: date) -> TopicDayTotals:
    """Topic counters of a unit's subtree over a range of days (one Query). Public figures,
    as the district publishes them."""
    unit = db.org_units.require(unit_id, field="unitId", consistent=False)
    if end < start or (end - start).days > 366:
        raise InvalidInput(msg("query.range_one_year"), field="start")
    return db.topics.day_totals(unit.id, start, end)


def notices(
    db: Db, actor: Actor, unit_id: str | None, first: int, after: str | None
) -> Page[TopicNoticeRecord]:
    """Notices for the caller, or for a unit its staff guide; newest first."""
    person_id = actor.require_login()
    recipient = person_id
    if unit_id is not None:
        unit = db.org_units.require(unit_id, field="unitId", consistent=False)
        if not actor.can(Permission.GUIDE_TOPICS, unit.path):
            raise Forbidden(msg("topic.notices_forbidden"))
        recipient = unit.id
    return db.topics.notices(recipient, first, after)


def topic_log(db: Db, topic_id: str) -> list[TopicLogRecord]:
    """The topic's log, oldest first."""
    return db.topics.log(topic_id)
