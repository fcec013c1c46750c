"""Reading topics: a topic with its first page of comments, tally and the caller's vote (two
requests: one Query on the topic's partition, one GetItem of the vote); topics of a unit by
state, newest or most liked; the caller's own topics; topic counters of a unit; notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from api.domain.errors import Forbidden, InvalidInput
from api.domain.org import OrgKind
from api.domain.roles import Permission
from api.domain.topics import TopicState
from api.records.org import OrgUnitRecord
from api.services import topic_access
from api.services.actor import Actor
from api.store.case_models import DailyStatsItem, stats_pk
from api.store.db import Db
from api.store.models import META
from api.store.pagination import Page, check_first, query_page
from api.store.topic_models import (
    TopicCommentItem,
    TopicItem,
    TopicLogItem,
    TopicNoticeItem,
    VoteItem,
    author_pk,
    by_state_pk,
    notice_pk,
    topic_pk,
)
from api.store.topic_store import get_vote


@dataclass
class TopicView:
    """The topic page: the topic, its first comments (with a cursor on) and the caller's vote."""

    topic: TopicItem
    comments: Page[TopicCommentItem]
    my_vote: VoteItem | None


def topic_page(
    db: Db, actor: Actor, topic_id: str, first: int, after: str | None = None
) -> TopicView | None:
    """One Query from ``#META`` through the comments (the meta item sorts first), one GetItem
    of the caller's vote."""
    check_first(first)
    if after is not None:
        topic = topic_access.load_for_reading(actor, topic_id)
        if topic is None:
            return None
        page = comments(db, topic, first, after)
    else:
        page, topic = _first_page(db, topic_id, first)
        if topic is None or not topic_access.can_see(actor, topic):
            return None
    vote = get_vote(topic_id, actor.person_id, consistent=False) if actor.person_id else None
    return TopicView(topic, page, vote)


def _first_page(
    db: Db, topic_id: str, first: int
) -> tuple[Page[TopicCommentItem], TopicItem | None]:
    from api.store.models import Item
    from api.store.pagination import Edge, ListKey

    topic: TopicItem | None = None
    found: list[TopicCommentItem] = []
    pk = topic_pk(topic_id)
    results = Item.query(
        pk, Item.sk.between(META, "COMMENT#\uffff"), limit=first + 2, page_size=first + 2
    )
    for item in results:
        if isinstance(item, TopicItem):
            topic = item
        elif isinstance(item, TopicCommentItem):
            found.append(item)
    list_key = ListKey("", pk, ("pk", "sk"))
    edges = [
        Edge(cursor=db.codec.encode(list_key, {"pk": c.pk, "sk": c.sk}), node=c)
        for c in found[:first]
    ]
    return Page(edges=edges, has_next_page=len(found) > first), topic


def comments(db: Db, topic: TopicItem, first: int, after: str | None) -> Page[TopicCommentItem]:
    return query_page(
        TopicCommentItem,
        db.codec,
        topic_pk(topic.id),
        range_key_condition=TopicCommentItem.sk.startswith("COMMENT#"),
        first=first,
        after=after,
    )


def unit_topics(
    db: Db, actor: Actor, unit: OrgUnitRecord, state: TopicState, most_liked: bool, first: int,
    after: str | None,
) -> Page[TopicItem]:  # fmt: skip
    """Topics of a grid or community in one state, newest first or most liked first; hidden
    ones only for the moderators."""
    if OrgKind(unit.kind) not in (OrgKind.GRID, OrgKind.COMMUNITY):
        raise InvalidInput("Topics belong to a grid or a community", field="unitId")
    moderator = actor.can(Permission.GUIDE_TOPICS, unit.path)
    if moderator:
        visible = None
    elif state is TopicState.DRAFT:  # unpublished: the caller's own drafts only
        visible = TopicItem.author_id == (actor.person_id or "")
    else:
        visible = TopicItem.hidden == False  # noqa: E712
    return query_page(
        TopicItem,
        db.codec,
        by_state_pk(unit.id, state.value),
        index="gsi2" if most_liked else "gsi1",
        filter_condition=visible,
        first=first,
        after=after,
        scan_forward=False,
    )


def my_topics(db: Db, actor: Actor, first: int, after: str | None) -> Page[TopicItem]:
    person_id = actor.require_login()
    return query_page(
        TopicItem, db.codec, author_pk(person_id), index="gsi3", first=first, after=after,
        scan_forward=False,
    )  # fmt: skip


@dataclass(frozen=True)
class TopicStats:
    raised: int
    adopted: int
    declined: int
    cases_resolved: int
    cases_resolved_in_grid: int

    @property
    def adoption_rate(self) -> float | None:
        decided = self.adopted + self.declined
        return round(self.adopted / decided, 4) if decided else None

    @property
    def solved_in_grid_share(self) -> float | None:
        if not self.cases_resolved:
            return None
        return round(self.cases_resolved_in_grid / self.cases_resolved, 4)


def stats(actor: Actor, unit: OrgUnitRecord, start: date, end: date) -> TopicStats:
    """Topic counters of a unit's subtree over a range of days (one Query). Public figures,
    as the district publishes them."""
    if end < start or (end - start).days > 366:
        raise InvalidInput("Give a range of at most one year, start before end", field="start")
    rows = DailyStatsItem.query(
        stats_pk(unit.id), DailyStatsItem.sk.between(f"DAY#{start}", f"DAY#{end}")
    )
    totals = dict.fromkeys(
        ("topics_raised", "topics_adopted", "topics_declined", "topic_cases_resolved",
         "topic_cases_resolved_in_grid"), 0,
    )  # fmt: skip
    for row in rows:
        for name in totals:
            totals[name] += int(getattr(row, name) or 0)
    return TopicStats(*totals.values())


def notices(
    db: Db, actor: Actor, recipient: str, unit: OrgUnitRecord | None, first: int, after: str | None
) -> Page[TopicNoticeItem]:
    """Notices for the caller, or for a unit its staff guide; newest first."""
    person_id = actor.require_login()
    if unit is not None and not actor.can(Permission.GUIDE_TOPICS, unit.path):
        raise Forbidden("You may not see this unit's topic notices")
    if unit is None and recipient != person_id:
        raise Forbidden("You may not see these notices")
    return query_page(
        TopicNoticeItem, db.codec, notice_pk(recipient), first=first, after=after,
        scan_forward=False,
    )  # fmt: skip


def topic_log(topic_id: str) -> list[TopicLogItem]:
    """The topic's log, oldest first (bounded: a topic's log is a few dozen entries)."""
    return list(
        TopicLogItem.query(topic_pk(topic_id), TopicLogItem.sk.startswith("LOG#"), limit=200)
    )
