"""Records of topics and votes (党群议事): the topic, its comments, votes, log and notices."""

from __future__ import annotations

from dataclasses import dataclass

from api.domain import topics as rules
from api.domain.org import OrgKind
from api.domain.topics import Tally, TopicState, VoteChoice, VoteOrigin, VotePolicy


@dataclass(frozen=True, slots=True)
class Investigation:
    """入户调研: the grid party branch's door-to-door findings."""

    findings: str
    feasible: bool
    date: str  # the day of the visit, yyyy-mm-dd
    by: str | None
    at: str | None


@dataclass(frozen=True, slots=True)
class TopicRecord:
    id: str
    title: str
    body: str
    category: str
    state: TopicState
    hidden: bool
    hidden_reason: str | None
    unit_id: str
    unit_path: str
    unit_kind: OrgKind
    location_unit_id: str
    author_id: str
    author_name: str
    likes: int
    comment_count: int
    report_count: int
    tally: Tally  # atomic counters of the votes cast
    electorate: int  # residents entitled to vote, snapshotted when voting opened
    policy: VotePolicy | None  # the rules in force, frozen when voting opened
    voting_opens_at: str | None
    voting_closes_at: str | None
    feasible: bool | None
    investigation: Investigation | None
    decision_reason: str | None
    quorum: int | None
    decided_at: str | None  # when the window's close decided (the voters' notice keys)
    voters_notified: bool
    merged_into: str | None
    case_id: str | None
    case_code: str | None
    due_at: str | None  # when the sweeper fires the topic's timer (voting window, follow-up)
    created_at: str
    updated_at: str
    version: int  # 0: not stored yet

    def as_rules(self) -> rules.Topic:
        """What the state machine needs to know of the topic."""
        return rules.Topic(self.state, self.hidden, self.tally.cast)


@dataclass(frozen=True, slots=True)
class CommentRecord:
    """A comment or a one-level reply; ``thread`` (its id) sorts replies after their comment."""

    thread: str
    topic_id: str
    parent_id: str | None
    author_id: str
    author_name: str
    party_badge: bool  # 亮身份: shown, never weighted
    body: str
    likes: int
    report_count: int
    hidden: bool
    hidden_reason: str | None
    at: str

    @property
    def parent_thread(self) -> str | None:
        return self.thread.split("#R#")[0] if self.parent_id is not None else None


@dataclass(frozen=True, slots=True)
class VoteRecord:
    topic_id: str
    person_id: str
    choice: VoteChoice
    origin: VoteOrigin
    entered_by: str | None
    changes: int
    at: str
    version: int  # 0: not stored yet


@dataclass(frozen=True, slots=True)
class TopicLogRecord:
    """State changes, investigation and moderation, append-only."""

    action: str
    actor_id: str | None
    target: str | None  # TOPIC, a comment's thread, or a merge target
    note: str | None
    at: str


@dataclass(frozen=True, slots=True)
class TopicNoticeRecord:
    recipient_id: str  # a person or an org unit
    topic_id: str
    title: str
    kind: str
    message: str
    at: str


@dataclass(frozen=True, slots=True)
class TopicPolicyRecord:
    unit_id: str
    policy: VotePolicy
    set_by: str | None
    set_at: str


@dataclass(frozen=True, slots=True)
class TopicDayTotals:
    """Topic counters of a unit's subtree summed over days."""

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
