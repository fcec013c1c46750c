"""Races on topics, on real threads calling the services (moto serialised per request, and
DynamoDB Local): one person's 50 simultaneous votes make one vote; many voters at once are
all counted; a vote racing the close is either counted or refused, never lost from the tally;
two sweepers closing at once make one decision and one case; likes count once per person."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial
from typing import TypeVar

import pytest
from pynamodb.exceptions import DoesNotExist

from api.domain.clock import FixedClock
from api.domain.errors import DomainError
from api.domain.messages import Language, stored_text
from api.domain.topics import VoteChoice
from api.services import topic_discussion, topic_votes, topics
from api.services.actor import load_actor
from api.services.deadlines.sweep import sweep
from api.store.case_models import CaseItem
from api.store.db import Db
from api.store.models import Item, OrgUnitItem, PersonItem
from api.store.topic_models import TopicItem, VoteItem, topic_key, topic_pk
from tests.conftest import BACKEND
from tests.topic_world import TopicWorld, build_topic_world

# serialised moto; these tests also read the stored items themselves (what the store wrote)
pytestmark = pytest.mark.usefixtures("serialised_moto", "raw_items")

T = TypeVar("T")
# Fewer threads on moto (serialised, deep-copying per transaction); all of them on Local.
MANY = 50 if BACKEND == "local" else 12


def race(actions: list[Callable[[], T]]) -> list[T | DomainError]:
    barrier = threading.Barrier(len(actions))

    def run(action: Callable[[], T]) -> T | DomainError:
        barrier.wait(timeout=60)
        try:
            return action()
        except DomainError as error:
            return error

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        futures = [pool.submit(run, action) for action in actions]
        return [future.result(timeout=300) for future in futures]


def outcome(result: object) -> str:
    return result.code.value if isinstance(result, DomainError) else "OK"


@pytest.fixture
def tw(db: Db, clock: FixedClock) -> TopicWorld:
    world = build_topic_world(db, clock)
    _ = db.connection.client
    with db.bound():
        for model in (TopicItem, VoteItem, OrgUnitItem, PersonItem, CaseItem):
            model.count("WARM#UP", consistent_read=True)
    return world


def voting_topic(db: Db, clock: FixedClock, tw: TopicWorld, feasible: bool = True) -> str:
    author = load_actor(db, tw.residents[0])
    topic = topics.propose(
        db, author, clock, topics.ProposeInput(tw.grid.id, "车库挡风板", "加装挡风板")
    )
    secretary = load_actor(db, tw.secretary_id)
    today = clock.now().date()
    topics.record_investigation(db, secretary, clock, topic.id, "可行", feasible, today)
    topic_votes.open_voting(db, secretary, clock, topic.id)
    return topic.id


def get_topic(db: Db, topic_id: str) -> TopicItem | None:
    """The stored item itself (its index keys are checked too)."""
    with db.bound():
        try:
            return TopicItem.get(*topic_key(topic_id), consistent_read=True)
        except DoesNotExist:
            return None


def stored_votes(db: Db, topic_id: str) -> list[VoteItem]:
    with db.bound():
        return list(VoteItem.query(topic_pk(topic_id), VoteItem.sk.startswith("VOTE#"),
                                   consistent_read=True))  # fmt: skip


def tally(db: Db, topic_id: str) -> tuple[int, int, int]:
    topic = get_topic(db, topic_id)
    assert topic is not None
    return int(topic.votes_for), int(topic.votes_against), int(topic.votes_abstain)


def test_fifty_simultaneous_votes_of_one_person_make_one_vote(
    db: Db, clock: FixedClock, tw: TopicWorld
) -> None:
    topic_id = voting_topic(db, clock, tw)
    voter = tw.residents[2]
    actors = [load_actor(db, voter) for _ in range(MANY)]
    results = race(
        [partial(topic_votes.cast_vote, db, a, clock, topic_id, VoteChoice.FOR) for a in actors]
    )
    assert Counter(outcome(r) for r in results) == {"OK": MANY}  # each tap answers "voted"
    assert [(v.person_id, v.choice) for v in stored_votes(db, topic_id)] == [(voter, "FOR")]
    assert tally(db, topic_id) == (1, 0, 0)


def test_one_persons_simultaneous_changes_leave_one_vote_and_a_true_tally(
    db: Db, clock: FixedClock, tw: TopicWorld
) -> None:
    topic_id = voting_topic(db, clock, tw)
    voter = tw.residents[3]
    choices = [list(VoteChoice)[i % 3] for i in range(MANY)]
    results = race(
        [
            partial(topic_votes.cast_vote, db, load_actor(db, voter), clock, topic_id, choice)
            for choice in choices
        ]
    )
    assert set(outcome(r) for r in results) <= {"OK", "CONFLICT"}
    votes = stored_votes(db, topic_id)
    assert len(votes) == 1
    expected = {"FOR": (1, 0, 0), "AGAINST": (0, 1, 0), "ABSTAIN": (0, 0, 1)}
    assert tally(db, topic_id) == expected[votes[0].choice]


def test_every_voter_voting_at_once_is_counted_once(
    db: Db, clock: FixedClock, tw: TopicWorld
) -> None:
    topic_id = voting_topic(db, clock, tw)
    voters = [*tw.residents, tw.secretary_id, tw.worker_id]
    # Each voter taps several times at once.
    taps = [v for v in voters for _ in range(max(1, MANY // len(voters)))]
    choice = {v: (VoteChoice.FOR if i % 2 else VoteChoice.AGAINST) for i, v in enumerate(voters)}
    results = race(
        [
            partial(topic_votes.cast_vote, db, load_actor(db, v), clock, topic_id, choice[v])
            for v in taps
        ]
    )
    assert {outcome(r) for r in results} == {"OK"}
    assert sorted(v.person_id for v in stored_votes(db, topic_id)) == sorted(voters)
    assert tally(db, topic_id) == (4, 4, 0)


def test_a_vote_racing_the_close_is_counted_or_refused_never_lost(
    db: Db, clock: FixedClock, tw: TopicWorld
) -> None:
    rounds = 3 if BACKEND == "local" else 2
    for _ in range(rounds):
        topic_id = voting_topic(db, clock, tw)
        for voter in tw.residents[:4]:
            topic_votes.cast_vote(db, load_actor(db, voter), clock, topic_id, VoteChoice.FOR)
        closes = get_topic(db, topic_id).voting_closes_at  # type: ignore[union-attr]
        assert closes is not None
        late_voter = load_actor(db, tw.residents[4])
        # The voter's clock says one second before the close; the sweeper's, the close itself.
        voter_clock = FixedClock(clock.now() + timedelta(hours=72) - timedelta(seconds=1))
        close_at = clock.now() + timedelta(hours=72)
        racers: list[Callable[[], object]] = [
            partial(
                topic_votes.cast_vote, db, late_voter, voter_clock, topic_id, VoteChoice.AGAINST
            ),
            partial(sweep, db, close_at),
            partial(sweep, db, close_at),
        ]
        results = race(racers)
        assert outcome(results[0]) in {"OK", "VOTING_CLOSED"}, results[0]
        # Whatever lost a race is finished by the next sweep.
        sweep(db, close_at + timedelta(minutes=1))
        topic = get_topic(db, topic_id)
        assert topic is not None and topic.state == "ADOPTED"
        votes = stored_votes(db, topic_id)
        assert len(votes) == (5 if outcome(results[0]) == "OK" else 4)
        assert (int(topic.votes_for), int(topic.votes_against)) == (4, len(votes) - 4)
        reason = stored_text(topic.decision_reason or "", Language.EN)
        assert f"against {len(votes) - 4}" in reason
        with db.bound():
            scanned = list(Item.scan())
        cases = [i for i in scanned if isinstance(i, CaseItem) and i.topic_id == topic_id]
        assert len(cases) == 1 and topic.case_id == cases[0].id
        assert topic.duepk is None  # the timer is gone once the case is linked
        clock.advance(timedelta(hours=80))


def test_simultaneous_likes_count_once_per_person(
    db: Db, clock: FixedClock, tw: TopicWorld
) -> None:
    topic_id = topics.propose(
        db, load_actor(db, tw.residents[0]), clock, topics.ProposeInput(tw.grid.id, "议题", "内容")
    ).id
    people = [*tw.residents, tw.secretary_id, tw.worker_id]
    taps = [p for p in people for _ in range(max(1, MANY // len(people)))]
    results = race(
        [partial(topic_discussion.like, db, load_actor(db, p), clock, topic_id, None) for p in taps]
    )
    outcomes = Counter(outcome(r) for r in results)
    assert outcomes["OK"] == len(people), outcomes
    assert set(outcomes) <= {"OK", "ALREADY_EXISTS"}, outcomes
    topic = get_topic(db, topic_id)
    assert topic is not None and int(topic.likes) == len(people)
    assert topic.gsi2sk == f"{len(people):09d}#{topic_id}"
