"""Topics and votes (党群议事): the topic state machine and the vote rules. Pure, no I/O.

A topic walks draft → discussion → voting → adopted or declined; the author may withdraw it
while no vote exists; staff may merge it into another topic before voting. Moderation hides a
topic (or a comment) with a reason and can show it again: hiding is a flag beside the state, so
un-hiding returns the topic exactly where it was.

At the close of the voting window ``decide`` applies the grid's policy: the grid party branch
must have found the topic feasible (入户调研), the votes cast must reach the quorum, and the
votes for must beat the votes against by the policy's majority. Abstentions count towards the
quorum, not towards the majority.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from api.domain.errors import DomainError, ErrorCode, InvalidInput
from api.domain.messages import Message, joined, msg
from api.domain.text import free_text

TITLE_MAX = 80
BODY_MAX = 4000
COMMENT_MAX = 1000
REASON_MAX = 500
FINDINGS_MAX = 2000


class TopicState(StrEnum):
    DRAFT = "DRAFT"  # 草稿
    DISCUSSION = "DISCUSSION"  # 议事讨论
    VOTING = "VOTING"  # 表决中
    ADOPTED = "ADOPTED"  # 通过立项
    DECLINED = "DECLINED"  # 未通过
    WITHDRAWN = "WITHDRAWN"  # 撤回
    MERGED = "MERGED"  # 合并


class TopicAction(StrEnum):
    PUBLISH = "PUBLISH"
    OPEN_VOTING = "OPEN_VOTING"
    CLOSE_VOTING = "CLOSE_VOTING"
    WITHDRAW = "WITHDRAW"
    MERGE = "MERGE"


class VoteChoice(StrEnum):
    FOR = "FOR"  # 赞成
    AGAINST = "AGAINST"  # 反对
    ABSTAIN = "ABSTAIN"  # 弃权


class VoteOrigin(StrEnum):
    ONLINE = "ONLINE"  # 线上
    OFFLINE = "OFFLINE"  # 入户表决, entered by grid staff


class InvalidTopicTransition(DomainError):
    code = ErrorCode.INVALID_TRANSITION

    def __init__(self, topic: Topic, action: TopicAction, why: Message | None = None) -> None:
        allowed = ", ".join(sorted(a.value for a in allowed_actions(topic))) or "none"
        super().__init__(
            msg(
                "transition.not_allowed",
                action=action.value,
                state=topic.state.value,
                detail="" if why is None else msg("transition.detail", why=why),
                allowed=allowed,
            ),
            field="action",
        )


@dataclass(frozen=True)
class Tally:
    for_: int = 0
    against: int = 0
    abstain: int = 0

    @property
    def cast(self) -> int:
        return self.for_ + self.against + self.abstain

    def moved(self, old: VoteChoice | None, new: VoteChoice) -> Tally:
        """The tally after one person's vote went from ``old`` (None: first vote) to ``new``."""
        counts = {VoteChoice.FOR: self.for_, VoteChoice.AGAINST: self.against}
        counts[VoteChoice.ABSTAIN] = self.abstain
        if old is not None:
            counts[old] -= 1
        counts[new] += 1
        return Tally(counts[VoteChoice.FOR], counts[VoteChoice.AGAINST], counts[VoteChoice.ABSTAIN])


@dataclass(frozen=True)
class VotePolicy:
    """A grid's rules for topic votes (default: half the electorate votes, for beats against,
    three days, a comment or topic hidden after three reports)."""

    quorum_share: float = 0.5  # share of the electorate that must cast a vote
    quorum_count: int = 0  # and at least this many votes
    majority_share: float = 0.5  # for / (for + against) must exceed this
    window_hours: int = 72
    report_threshold: int = 3

    def check(self) -> VotePolicy:
        if not 0 <= self.quorum_share <= 1:
            raise InvalidInput(msg("topic.quorum_share"), field="quorumShare")
        if not 0 <= self.quorum_count <= 100_000:
            raise InvalidInput(msg("topic.quorum_count"), field="quorumCount")
        if not 0.5 <= self.majority_share < 1:
            raise InvalidInput(msg("topic.majority_share"), field="majorityShare")
        if not 1 <= self.window_hours <= 24 * 30:
            raise InvalidInput(msg("topic.window_hours"), field="windowHours")
        if not 1 <= self.report_threshold <= 100:
            raise InvalidInput(msg("topic.report_threshold"), field="reportThreshold")
        return self

    def quorum(self, electorate: int) -> int:
        return max(math.ceil(self.quorum_share * electorate), self.quorum_count)

    def closes_at(self, opens_at: datetime) -> datetime:
        return opens_at + timedelta(hours=self.window_hours)


@dataclass(frozen=True)
class Decision:
    adopted: bool
    reason: Message  # stored language-neutral (``messages.encode``), shown in the reader's
    quorum: int


def decide(tally: Tally, electorate: int, feasible: bool | None, policy: VotePolicy) -> Decision:
    """Adopted only when feasible, quorate and carried by the majority; else why not."""
    quorum = policy.quorum(electorate)
    reasons: list[Message] = []
    if feasible is not True:
        reasons.append(
            msg("topic.reason_infeasible")
            if feasible is False
            else msg("topic.reason_no_investigation")
        )
    if tally.cast < quorum or tally.cast == 0:
        reasons.append(
            msg("topic.reason_no_quorum", cast=tally.cast, electorate=electorate, quorum=quorum)
        )
    decided = tally.for_ + tally.against
    if decided == 0 or tally.for_ / decided <= policy.majority_share:
        reasons.append(msg("topic.reason_no_majority", for_=tally.for_, against=tally.against))
    if reasons:
        return Decision(False, joined(reasons), quorum)
    adopted = msg(
        "topic.reason_adopted", for_=tally.for_, against=tally.against, abstain=tally.abstain
    )
    return Decision(True, adopted, quorum)


@dataclass(frozen=True)
class Topic:
    """What the rules need to know of a topic."""

    state: TopicState = TopicState.DRAFT
    hidden: bool = False
    votes_cast: int = 0


_BY_STATE: dict[TopicState, frozenset[TopicAction]] = {
    TopicState.DRAFT: frozenset({TopicAction.PUBLISH, TopicAction.WITHDRAW, TopicAction.MERGE}),
    TopicState.DISCUSSION: frozenset(
        {TopicAction.OPEN_VOTING, TopicAction.WITHDRAW, TopicAction.MERGE}
    ),
    TopicState.VOTING: frozenset({TopicAction.CLOSE_VOTING, TopicAction.WITHDRAW}),
    TopicState.ADOPTED: frozenset(),
    TopicState.DECLINED: frozenset(),
    TopicState.WITHDRAWN: frozenset(),
    TopicState.MERGED: frozenset(),
}


def allowed_actions(topic: Topic) -> frozenset[TopicAction]:
    allowed = set(_BY_STATE[topic.state])
    if topic.votes_cast > 0:
        allowed.discard(TopicAction.WITHDRAW)  # a vote cast binds the topic to its outcome
    if topic.hidden:
        # A hidden topic waits for the moderators: nothing moves it on meanwhile.
        allowed -= {TopicAction.PUBLISH, TopicAction.OPEN_VOTING}
    return frozenset(allowed)


def transition(topic: Topic, action: TopicAction, decision: Decision | None = None) -> Topic:
    if action not in allowed_actions(topic):
        why = None
        if action is TopicAction.WITHDRAW and topic.votes_cast:
            why = msg("topic.why_votes_exist")
        if topic.hidden and action in (TopicAction.PUBLISH, TopicAction.OPEN_VOTING):
            why = msg("topic.why_hidden")
        raise InvalidTopicTransition(topic, action, why)
    match action:
        case TopicAction.PUBLISH:
            return replace(topic, state=TopicState.DISCUSSION)
        case TopicAction.OPEN_VOTING:
            return replace(topic, state=TopicState.VOTING)
        case TopicAction.CLOSE_VOTING:
            if decision is None:
                raise InvalidInput(msg("topic.close_needs_decision"), field="action")
            return replace(
                topic, state=TopicState.ADOPTED if decision.adopted else TopicState.DECLINED
            )
        case TopicAction.WITHDRAW:
            return replace(topic, state=TopicState.WITHDRAWN)
        case TopicAction.MERGE:
            return replace(topic, state=TopicState.MERGED)
    raise AssertionError(action)


def can_vote(state: TopicState, hidden: bool, closes_at: str | None, now: str) -> str | None:
    """Why a vote is refused now (None: it may be cast). Times are ISO strings in one zone."""
    if hidden:
        return "hidden"
    if state is not TopicState.VOTING or closes_at is None or now >= closes_at:
        return "closed"
    return None


def text(value: str, field_name: str, limit: int, required: bool = True) -> str:
    return free_text(value, field_name, max_length=limit, required=required)
