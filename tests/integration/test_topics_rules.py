"""The rules of topics, service by service (both backends): typed errors with nothing written,
bounded texts, withdraw/merge/draft, moderation and reports, the decision at the close
(feasibility, quorum, majority, the grid's policy), community-wide topics, comment pages, and
a close interrupted between the decision and the case."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from api.domain.clock import FixedClock
from api.domain.errors import DomainError
from api.domain.messages import Language, stored_text
from api.domain.topics import TopicAction, TopicState, VoteChoice, VotePolicy
from api.records.topic import TopicRecord
from api.services import people, topic_discussion, topic_queries, topic_votes, topics
from api.services.actor import Actor, load_actor
from api.services.deadlines.sweep import sweep
from api.store.db import Db
from api.store.models import Item
from api.store.topic_models import TopicNoticeItem, notice_pk, topic_pk
from api.store.topic_store import TopicStore
from tests.topic_world import TopicWorld, build_topic_world

# These tests also read the stored items themselves (what the store wrote).
pytestmark = pytest.mark.usefixtures("raw_items")

TODAY = date(2026, 11, 23)


@pytest.fixture
def tw(db: Db, clock: FixedClock) -> TopicWorld:
    return build_topic_world(db, clock)


def who(db: Db, person_id: str) -> Actor:
    return load_actor(db, person_id)


def partition(db: Db, topic_id: str) -> dict[str, dict[str, Any]]:
    with db.bound():
        return {
            item.sk: item.attribute_values
            for item in Item.query(topic_pk(topic_id), consistent_read=True)
        }


def refused(code: str, action: Any, *args: Any, **kwargs: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        action(*args, **kwargs)
    assert caught.value.code.value == code, caught.value.message.render(Language.EN)
    return caught.value


def propose(db: Db, clock: FixedClock, tw: TopicWorld, author: int = 0, **kw: Any) -> TopicRecord:
    data = topics.ProposeInput(tw.grid.id, kw.pop("title", "车库挡风板"), "加装挡风板", **kw)
    return topics.propose(db, who(db, tw.residents[author]), clock, data)


def feasible(db: Db, clock: FixedClock, tw: TopicWorld, topic_id: str, yes: bool = True) -> None:
    topics.record_investigation(
        db, who(db, tw.secretary_id), clock, topic_id, "入户走访", yes, TODAY
    )


def open_vote(db: Db, clock: FixedClock, tw: TopicWorld, topic_id: str) -> TopicRecord:
    return topic_votes.open_voting(db, who(db, tw.secretary_id), clock, topic_id)


def vote(db: Db, clock: FixedClock, person_id: str, topic_id: str, choice: VoteChoice) -> None:
    topic_votes.cast_vote(db, who(db, person_id), clock, topic_id, choice)


def close(db: Db, clock: FixedClock, hours: int = 73) -> None:
    clock.advance(timedelta(hours=hours))
    sweep(db, clock.now())


def test_votes_refused_outside_the_window_or_electorate_write_nothing(
    db: Db, clock: FixedClock, tw: TopicWorld
) -> None:
    topic = propose(db, clock, tw)
    before = partition(db, topic.id)
    cast = topic_votes.cast_vote
    refused("VOTING_CLOSED", cast, db, who(db, tw.residents[1]), clock, topic.id, VoteChoice.FOR)
    assert partition(db, topic.id) == before
    open_vote(db, clock, tw, topic.id)
    # Registered after the snapshot: not in the electorate.
    root = load_actor(db, tw.admin_id)
    newcomer = people.register_person(db, root, clock, "新住户", None, tw.household.id, False)
    before = partition(db, topic.id)
    refused("NOT_ELIGIBLE", cast, db, who(db, newcomer.id), clock, topic.id, VoteChoice.FOR)
    refused("NOT_ELIGIBLE", cast, db, who(db, tw.neighbour_id), clock, topic.id, VoteChoice.FOR)
    refused("UNAUTHENTICATED", cast, db, Actor(), clock, topic.id, VoteChoice.FOR)
    assert partition(db, topic.id) == before
    # Hidden by moderation: no votes until reviewed.
    topics.moderate(db, who(db, tw.secretary_id), clock, topic.id, None, True, "含个人信息")
    before = partition(db, topic.id)
    refused("TOPIC_HIDDEN", cast, db, who(db, tw.residents[1]), clock, topic.id, VoteChoice.FOR)
    refused("TOPIC_HIDDEN", topic_discussion.comment, db, who(db, tw.residents[1]), clock, topic.id,
            "评论")  # fmt: skip
    assert partition(db, topic.id) == before
    topics.moderate(db, who(db, tw.secretary_id), clock, topic.id, None, False, "已处理")
    vote(db, clock, tw.residents[1], topic.id, VoteChoice.FOR)
    # After the window: closed, even before the sweeper has run.
    clock.advance(timedelta(hours=72))
    before = partition(db, topic.id)
    refused("VOTING_CLOSED", cast, db, who(db, tw.residents[2]), clock, topic.id, VoteChoice.FOR)
    assert partition(db, topic.id) == before
    logs = [v["action"] for k, v in before.items() if k.startswith("LOG#")]
    assert logs.count("HIDE") == 1 and logs.count("UNHIDE") == 1


def test_withdrawn_and_merged_topics_take_no_votes(
    db: Db, clock: FixedClock, tw: TopicWorld
) -> None:
    withdrawn = propose(db, clock, tw)
    refused("FORBIDDEN", topics.act, db, who(db, tw.residents[1]), clock, withdrawn.id,
            TopicAction.WITHDRAW)  # fmt: skip
    topics.act(db, who(db, tw.residents[0]), clock, withdrawn.id, TopicAction.WITHDRAW)
    assert db.topics.get(withdrawn.id).state == "WITHDRAWN"  # type: ignore[union-attr]
    refused("INVALID_TRANSITION", open_vote, db, clock, tw, withdrawn.id)
    refused("VOTING_CLOSED", topic_votes.cast_vote, db, who(db, tw.residents[1]), clock,
            withdrawn.id, VoteChoice.FOR)  # fmt: skip
    main, duplicate = propose(db, clock, tw), propose(db, clock, tw, author=2, title="车库垃圾")
    refused("FORBIDDEN", topics.act, db, who(db, tw.residents[2]), clock, duplicate.id,
            TopicAction.MERGE, "同一问题", main.id)  # fmt: skip
    topics.act(
        db, who(db, tw.worker_id), clock, duplicate.id, TopicAction.MERGE, "同一问题", main.id
    )
    merged = db.topics.get(duplicate.id)
    assert merged is not None and (merged.state, merged.merged_into) == ("MERGED", main.id)
    # Once a vote is cast the author can no longer withdraw.
    open_vote(db, clock, tw, main.id)
    vote(db, clock, tw.residents[3], main.id, VoteChoice.FOR)
    refused("INVALID_TRANSITION", topics.act, db, who(db, tw.residents[0]), clock, main.id,
            TopicAction.WITHDRAW)  # fmt: skip


def test_texts_are_bounded(db: Db, clock: FixedClock, tw: TopicWorld) -> None:
    error = refused("INVALID_INPUT", propose, db, clock, tw, 0, title="长" * 81)
    assert error.field == "title"
    topic = propose(db, clock, tw)
    comment = topic_discussion.comment
    error = refused(
        "INVALID_INPUT", comment, db, who(db, tw.residents[1]), clock, topic.id, "字" * 1001
    )
    assert error.field == "body"
    refused("INVALID_INPUT", comment, db, who(db, tw.residents[1]), clock, topic.id, "   ")
    refused("INVALID_INPUT", topics.moderate, db, who(db, tw.secretary_id), clock, topic.id, None,
            True, "因" * 501)  # fmt: skip
    refused("INVALID_INPUT", topics.record_investigation, db, who(db, tw.secretary_id), clock,
            topic.id, "", True, TODAY)  # fmt: skip
    assert [i for i in partition(db, topic.id) if i.startswith("COMMENT#")] == []


def test_a_draft_counts_and_notifies_only_once_published(
    db: Db, clock: FixedClock, tw: TopicWorld
) -> None:
    draft = propose(db, clock, tw, draft=True)
    community = tw.community
    assert topic_queries.stats(db, Actor(), community.id, TODAY, TODAY).raised == 0
    # Unpublished: the author and the grid's guides see it; neighbours and the public do not.
    for viewer, sees in (
        (tw.residents[0], True),
        (tw.secretary_id, True),
        (tw.residents[1], False),
    ):
        assert (topic_queries.topic_page(db, who(db, viewer), draft.id, 5) is not None) is sees
        listed = topic_queries.unit_topics(
            db, who(db, viewer), tw.grid.id, TopicState.DRAFT, False, 10, None
        )
        assert [edge.node.id for edge in listed.edges] == ([draft.id] if sees else [])
    assert topic_queries.topic_page(db, Actor(), draft.id, 5) is None
    refused("FORBIDDEN", topics.act, db, who(db, tw.secretary_id), clock, draft.id,
            TopicAction.PUBLISH)  # fmt: skip
    topics.act(db, who(db, tw.residents[0]), clock, draft.id, TopicAction.PUBLISH)
    assert topic_queries.stats(db, Actor(), community.id, TODAY, TODAY).raised == 1
    page = topic_queries.notices(db, who(db, tw.secretary_id), None, 10, None)
    assert [edge.node.kind for edge in page.edges] == ["PROPOSED"]


def test_reports_hide_a_comment_until_a_moderator_reviews_it(
    db: Db, clock: FixedClock, tw: TopicWorld
) -> None:
    topic = propose(db, clock, tw)
    spam = topic_discussion.comment(db, who(db, tw.residents[5]), clock, topic.id, "广告：低价装修")
    report = topic_discussion.report
    assert report(db, who(db, tw.residents[0]), clock, topic.id, spam.thread, "广告") is False
    refused(
        "ALREADY_EXISTS", report, db, who(db, tw.residents[0]), clock, topic.id, spam.thread, "广告"
    )
    assert report(db, who(db, tw.residents[1]), clock, topic.id, spam.thread, "广告") is False
    assert report(db, who(db, tw.residents[2]), clock, topic.id, spam.thread, "广告") is True
    view = topic_queries.topic_page(db, who(db, tw.residents[3]), topic.id, 20)
    assert view is not None and view.comments.edges[0].node.hidden is True
    logged = [v for k, v in partition(db, topic.id).items() if k.startswith("LOG#")]
    assert [v["action"] for v in logged if v["action"] == "AUTO_HIDE"] == ["AUTO_HIDE"]
    refused("FORBIDDEN", topics.moderate, db, who(db, tw.residents[3]), clock, topic.id,
            spam.thread, False, "没问题")  # fmt: skip
    secretary = who(db, tw.secretary_id)
    topics.moderate(db, secretary, clock, topic.id, spam.thread, False, "核实后恢复")
    shown = topic_queries.topic_page(db, who(db, tw.residents[3]), topic.id, 20)
    assert shown is not None and shown.comments.edges[0].node.hidden is False


def test_hidden_topics_leave_lists_but_not_their_author_or_moderators(
    db: Db, clock: FixedClock, tw: TopicWorld
) -> None:
    topic = propose(db, clock, tw)
    topics.moderate(db, who(db, tw.secretary_id), clock, topic.id, None, True, "涉及隐私")
    assert topic_queries.topic_page(db, who(db, tw.residents[1]), topic.id, 5) is None
    assert topic_queries.topic_page(db, who(db, tw.residents[0]), topic.id, 5) is not None
    assert topic_queries.topic_page(db, who(db, tw.secretary_id), topic.id, 5) is not None
    state = TopicState.DISCUSSION
    listed = topic_queries.unit_topics(
        db, who(db, tw.residents[1]), tw.grid.id, state, False, 10, None
    )
    assert listed.edges == []
    staff = topic_queries.unit_topics(
        db, who(db, tw.secretary_id), tw.grid.id, state, False, 10, None
    )
    assert [e.node.id for e in staff.edges] == [topic.id]


@pytest.mark.parametrize(
    ("finding", "ballots", "reason"),
    [
        (False, ["FOR"] * 6, "不可行"),
        (None, ["FOR"] * 6, "尚无入户调研"),
        (True, ["FOR", "FOR", "AGAINST"], "参与人数不足"),
        (True, ["FOR", "AGAINST", "AGAINST", "ABSTAIN", "FOR"], "多数反对"),
    ],
)
def test_the_close_declines_without_feasibility_quorum_or_majority(
    db: Db, clock: FixedClock, tw: TopicWorld, finding: bool | None, ballots: list[str],
    reason: str,
) -> None:  # fmt: skip
    topic = propose(db, clock, tw)
    if finding is not None:
        feasible(db, clock, tw, topic.id, finding)
    open_vote(db, clock, tw, topic.id)
    for person, choice in zip(tw.residents, ballots, strict=False):
        vote(db, clock, person, topic.id, VoteChoice(choice))
    close(db, clock)
    decided = db.topics.get(topic.id)
    assert decided is not None and decided.state == "DECLINED" and decided.case_id is None
    assert reason in stored_text(decided.decision_reason or "")  # stored language-neutral
    assert decided.due_at is None


def test_the_grids_policy_sets_quorum_and_window(db: Db, clock: FixedClock, tw: TopicWorld) -> None:
    refused("FORBIDDEN", topics.set_policy, db, who(db, tw.secretary_id), clock, tw.grid.id,
            VotePolicy(quorum_share=0.1))  # fmt: skip
    refused("INVALID_INPUT", topics.set_policy, db, who(db, tw.admin_id), clock, tw.grid.id,
            VotePolicy(majority_share=0.3))  # fmt: skip
    topics.set_policy(
        db, who(db, tw.admin_id), clock, tw.grid.id,
        VotePolicy(quorum_share=0.1, quorum_count=2, window_hours=24),
    )  # fmt: skip
    topic = propose(db, clock, tw)
    feasible(db, clock, tw, topic.id)
    opened = open_vote(db, clock, tw, topic.id)
    assert (opened.quorum, opened.voting_closes_at) == (2, "2026-11-24T09:30:00.000+08:00")
    vote(db, clock, tw.residents[0], topic.id, VoteChoice.FOR)
    vote(db, clock, tw.residents[1], topic.id, VoteChoice.FOR)
    close(db, clock, hours=25)
    assert db.topics.get(topic.id).state == "ADOPTED"  # type: ignore[union-attr]


def test_a_community_topic_polls_the_whole_community_and_names_a_place(
    db: Db, clock: FixedClock, tw: TopicWorld
) -> None:
    data = topics.ProposeInput(tw.community.id, "社区增设充电桩", "两个网格共用")
    error = refused("INVALID_HIERARCHY", topics.propose, db, who(db, tw.residents[0]), clock, data)
    assert error.field == "locationUnitId"
    data = topics.ProposeInput(
        tw.community.id, "社区增设充电桩", "两个网格共用", location_unit_id=tw.other_grid.id
    )
    topic = topics.propose(db, who(db, tw.neighbour_id), clock, data)
    opened = topic_votes.open_voting(db, who(db, tw.community_staff_id), clock, topic.id)
    # Both grids' residents and staff registered there (the community's staff lives there too).
    assert opened.electorate == 10
    vote(db, clock, tw.residents[0], topic.id, VoteChoice.FOR)
    vote(db, clock, tw.neighbour_id, topic.id, VoteChoice.FOR)


def test_comments_page_in_thread_order(db: Db, clock: FixedClock, tw: TopicWorld) -> None:
    topic = propose(db, clock, tw)
    first = topic_discussion.comment(db, who(db, tw.residents[1]), clock, topic.id, "第1条")
    for n in range(2, 24):
        clock.advance(timedelta(seconds=1))
        topic_discussion.comment(db, who(db, tw.residents[n % 6]), clock, topic.id, f"第{n}条")
    clock.advance(timedelta(seconds=1))
    topic_discussion.comment(
        db, who(db, tw.residents[2]), clock, topic.id, "回复第1条", first.thread
    )
    view = topic_queries.topic_page(db, who(db, tw.residents[0]), topic.id, 20)
    assert view is not None and view.comments.has_next_page
    bodies = [e.node.body for e in view.comments.edges]
    assert bodies[:3] == ["第1条", "回复第1条", "第2条"] and len(bodies) == 20
    rest = topic_queries.topic_page(
        db, who(db, tw.residents[0]), topic.id, 20, view.comments.edges[-1].cursor
    )
    assert rest is not None and not rest.comments.has_next_page
    assert [e.node.body for e in rest.comments.edges] == [f"第{n}条" for n in range(20, 24)]


def test_a_close_interrupted_before_the_case_is_finished_by_the_next_sweep(
    db: Db, clock: FixedClock, tw: TopicWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    topic = propose(db, clock, tw)
    feasible(db, clock, tw, topic.id)
    open_vote(db, clock, tw, topic.id)
    for person in tw.residents[:5]:
        vote(db, clock, person, topic.id, VoteChoice.FOR)
    import api.services.cases as case_service

    original = case_service.open_case_from_topic

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Lambda timed out")

    monkeypatch.setattr(case_service, "open_case_from_topic", crash)
    clock.advance(timedelta(hours=73))
    with pytest.raises(RuntimeError):
        sweep(db, clock.now())
    halfway = db.topics.get(topic.id)
    assert halfway is not None and halfway.state == "ADOPTED" and halfway.case_id is None
    assert halfway.due_at is not None  # the timer stays until the case is linked
    monkeypatch.setattr(case_service, "open_case_from_topic", original)
    assert sweep(db, clock.now()).fired == 1
    assert topic_votes.fire_topic(db, topic.id, clock.now()) is False  # nothing left to do
    done = db.topics.get(topic.id)
    assert done is not None and done.case_id and done.due_at is None
    # The decision was counted once.
    stats = topic_queries.stats(db, Actor(), tw.grid.id, clock.now().date(), clock.now().date())
    assert (stats.adopted, stats.declined) == (1, 0)


def test_a_close_interrupted_while_telling_the_voters_tells_each_of_them_once(
    db: Db, clock: FixedClock, tw: TopicWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    topic = propose(db, clock, tw)
    feasible(db, clock, tw, topic.id)
    open_vote(db, clock, tw, topic.id)
    voters = tw.residents[1:6]
    for person in voters:
        vote(db, clock, person, topic.id, VoteChoice.AGAINST)  # most oppose: declined
    calls = {"n": 0}
    original = TopicStore.put_notices

    def crash_halfway(store: TopicStore, notices: list[Any]) -> None:
        calls["n"] += 1
        original(store, notices[:2])  # two voters told, then the Lambda dies
        raise RuntimeError("Lambda timed out")

    monkeypatch.setattr(TopicStore, "put_notices", crash_halfway)
    clock.advance(timedelta(hours=73))
    with pytest.raises(RuntimeError):
        sweep(db, clock.now())
    halfway = db.topics.get(topic.id)
    assert halfway is not None and halfway.state == "DECLINED" and not halfway.voters_notified
    assert halfway.due_at is not None  # still due: the voters are not all told
    monkeypatch.setattr(TopicStore, "put_notices", original)
    clock.advance(timedelta(minutes=1))
    assert sweep(db, clock.now()).fired == 1
    done = db.topics.get(topic.id)
    assert done is not None and done.voters_notified and done.due_at is None
    assert topic_votes.fire_topic(db, topic.id, clock.now()) is False
    for person in voters:  # each voter holds exactly one notice of the result
        with db.bound():
            notices = TopicNoticeItem.query(notice_pk(person), consistent_read=True)
            kinds = [n.kind for n in notices]
        assert kinds == ["DECLINED"], (person, kinds)
    stats = topic_queries.stats(db, Actor(), tw.grid.id, clock.now().date(), clock.now().date())
    assert (stats.adopted, stats.declined) == (0, 1)  # decided once


def test_withdrawing_an_open_vote_removes_its_timer_and_closes_discussion(
    db: Db, clock: FixedClock, tw: TopicWorld
) -> None:
    topic = propose(db, clock, tw)
    assert open_vote(db, clock, tw, topic.id).due_at is not None
    topics.act(db, who(db, tw.residents[0]), clock, topic.id, TopicAction.WITHDRAW)
    withdrawn = db.topics.get(topic.id)
    assert withdrawn is not None and withdrawn.due_at is None
    clock.advance(timedelta(hours=80))
    report = sweep(db, clock.now())
    assert (report.fired, report.index_items_read) == (0, 0)
    before = partition(db, topic.id)
    error = refused("INVALID_TRANSITION", topic_discussion.comment, db, who(db, tw.residents[1]),
                    clock, topic.id, "还能评论吗")  # fmt: skip
    assert "WITHDRAWN" in error.message.render(Language.EN)
    assert partition(db, topic.id) == before
