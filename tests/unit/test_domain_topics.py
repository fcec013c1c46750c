"""The topic state machine and the vote rules (pure)."""

from __future__ import annotations

from datetime import datetime

import pytest

from api.domain.clock import SHANGHAI
from api.domain.errors import InvalidInput
from api.domain.topics import (
    InvalidTopicTransition,
    Tally,
    Topic,
    TopicAction,
    TopicState,
    VoteChoice,
    VotePolicy,
    allowed_actions,
    can_vote,
    decide,
    text,
    transition,
)


def test_the_happy_path_walks_draft_to_adopted() -> None:
    topic = transition(Topic(), TopicAction.PUBLISH)
    assert topic.state is TopicState.DISCUSSION
    topic = transition(topic, TopicAction.OPEN_VOTING)
    assert topic.state is TopicState.VOTING
    adopted = transition(topic, TopicAction.CLOSE_VOTING, decide(Tally(3), 4, True, VotePolicy()))
    assert adopted.state is TopicState.ADOPTED
    declined = transition(
        topic, TopicAction.CLOSE_VOTING, decide(Tally(1, 3), 4, True, VotePolicy())
    )
    assert declined.state is TopicState.DECLINED


@pytest.mark.parametrize("state", [TopicState.ADOPTED, TopicState.DECLINED, TopicState.WITHDRAWN,
                                   TopicState.MERGED])  # fmt: skip
def test_final_states_admit_nothing(state: TopicState) -> None:
    assert allowed_actions(Topic(state)) == frozenset()
    with pytest.raises(InvalidTopicTransition):
        transition(Topic(state), TopicAction.WITHDRAW)


def test_withdrawal_is_refused_once_votes_exist() -> None:
    voting = Topic(TopicState.VOTING, votes_cast=1)
    with pytest.raises(InvalidTopicTransition, match="已有投票"):
        transition(voting, TopicAction.WITHDRAW)
    assert transition(Topic(TopicState.VOTING), TopicAction.WITHDRAW).state is TopicState.WITHDRAWN


def test_a_hidden_topic_does_not_move_on_and_merging_stops_at_voting() -> None:
    with pytest.raises(InvalidTopicTransition, match="已被审核隐藏"):
        transition(Topic(TopicState.DISCUSSION, hidden=True), TopicAction.OPEN_VOTING)
    assert TopicAction.MERGE not in allowed_actions(Topic(TopicState.VOTING))
    assert transition(Topic(TopicState.DISCUSSION), TopicAction.MERGE).state is TopicState.MERGED


def test_a_change_of_vote_moves_one_count() -> None:
    tally = Tally(2, 1, 0).moved(None, VoteChoice.ABSTAIN)
    assert tally == Tally(2, 1, 1)
    assert tally.moved(VoteChoice.FOR, VoteChoice.AGAINST) == Tally(1, 2, 1)
    assert tally.cast == 4


@pytest.mark.parametrize(
    ("tally", "electorate", "feasible", "adopted"),
    [
        (Tally(3, 1, 0), 8, True, True),  # quorum 4 reached, 3 > 1
        (Tally(2, 1, 0), 8, True, False),  # 3 of 8: below the quorum of 4
        (Tally(2, 2, 1), 8, True, False),  # a tie is no majority
        (Tally(1, 0, 3), 8, True, True),  # abstentions count for the quorum only
        (Tally(5, 0, 0), 8, False, False),  # infeasible
        (Tally(5, 0, 0), 8, None, False),  # not investigated
        (Tally(0, 0, 0), 0, True, False),  # nobody voted
    ],
)
def test_decide(tally: Tally, electorate: int, feasible: bool | None, adopted: bool) -> None:
    decision = decide(tally, electorate, feasible, VotePolicy())
    assert decision.adopted is adopted, decision.reason


def test_policy_quorum_window_and_bounds() -> None:
    policy = VotePolicy(quorum_share=0.25, quorum_count=5, majority_share=2 / 3, window_hours=48)
    assert policy.quorum(8) == 5 and policy.quorum(100) == 25
    assert not decide(Tally(6, 4), 10, True, policy).adopted  # 60 % is not two thirds
    assert decide(Tally(7, 3), 10, True, policy).adopted
    opens = datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)
    assert policy.closes_at(opens) == datetime(2026, 11, 25, 9, 30, tzinfo=SHANGHAI)
    for bad in (VotePolicy(quorum_share=1.5), VotePolicy(window_hours=0),
                VotePolicy(majority_share=0.4), VotePolicy(report_threshold=0)):  # fmt: skip
        with pytest.raises(InvalidInput):
            bad.check()


def test_the_window_and_texts() -> None:
    closes = "2026-11-26T09:30:00.000+08:00"
    assert can_vote(TopicState.VOTING, False, closes, "2026-11-26T09:29:59.999+08:00") is None
    assert can_vote(TopicState.VOTING, False, closes, closes) == "closed"
    assert can_vote(TopicState.VOTING, True, closes, "2026-11-23T09:30:00.000+08:00") == "hidden"
    assert can_vote(TopicState.DISCUSSION, False, None, "2026-11-23T09:30:00.000+08:00") == "closed"
    assert text("  议题  ", "title", 5) == "议题"
    with pytest.raises(InvalidInput):
        text("一二三四五六", "title", 5)
