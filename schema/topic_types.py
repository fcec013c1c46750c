"""GraphQL types of topics and votes (党群议事), built from records (``api.records.topic``)."""

from __future__ import annotations

import base64
import binascii
from enum import Enum
from typing import Annotated

import strawberry

from api.domain.errors import InvalidId
from api.domain.messages import msg
from api.domain.people import mask_name
from api.domain.roles import Permission
from api.domain.topics import TopicState as DomainTopicState
from api.domain.topics import VoteChoice as DomainVoteChoice
from api.domain.topics import VoteOrigin as DomainVoteOrigin
from api.language import shown
from api.records.topic import (
    CommentRecord,
    TopicDayTotals,
    TopicLogRecord,
    TopicNoticeRecord,
    TopicRecord,
    VoteRecord,
)
from api.services import topic_access, topic_queries
from api.services.topic_queries import CommentPage, TopicPage
from schema.attachment_types import topic_files_field
from schema.case_types import CaseCategory, PublicCaseTracking, category_of
from schema.connections import Connection, to_connection
from schema.context import Info
from schema.enums import described_enum
from schema.node import Node, global_id, node_loader
from schema.types import OrgUnit

described_enum(
    DomainTopicState,
    "TopicState",
    "State of a topic (党群议事)",
    {
        DomainTopicState.DRAFT: "草稿",
        DomainTopicState.DISCUSSION: "议事讨论",
        DomainTopicState.VOTING: "表决中",
        DomainTopicState.ADOPTED: "通过立项: a case was opened",
        DomainTopicState.DECLINED: "未通过",
        DomainTopicState.WITHDRAWN: "撤回",
        DomainTopicState.MERGED: "合并到其他议题",
    },
)
TopicState = DomainTopicState


@strawberry.enum(description="What the author or the guiding staff do with a topic")
class TopicAction(Enum):
    PUBLISH = strawberry.enum_value("PUBLISH", description="发布: a draft opens for discussion")
    WITHDRAW = strawberry.enum_value("WITHDRAW", description="撤回: only before any vote")
    MERGE = strawberry.enum_value("MERGE", description="合并: into another topic")


described_enum(
    DomainVoteChoice,
    "VoteChoice",
    "A vote on a topic",
    {
        DomainVoteChoice.FOR: "赞成",
        DomainVoteChoice.AGAINST: "反对",
        DomainVoteChoice.ABSTAIN: "弃权",
    },
)
VoteChoice = DomainVoteChoice


described_enum(
    DomainVoteOrigin,
    "VoteOrigin",
    "Where a vote was cast",
    {
        DomainVoteOrigin.ONLINE: "线上",
        DomainVoteOrigin.OFFLINE: "入户表决: entered by grid staff",
    },
)
VoteOrigin = DomainVoteOrigin


@strawberry.enum(description="Order of a topic list")
class TopicOrder(Enum):
    NEWEST = strawberry.enum_value("NEWEST", description="最新")
    MOST_LIKED = strawberry.enum_value("MOST_LIKED", description="最受支持")


def comment_gid(thread: str) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(thread.encode()).decode().rstrip("="))


def comment_thread(value: str, field: str = "commentId") -> str:
    try:
        raw = base64.urlsafe_b64decode((value + "=" * (-len(value) % 4)).encode("ascii"))
        return raw.decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidId(msg("id.not_comment"), field=field) from None


@strawberry.type(description="Votes so far (atomic counters) and what the vote needs")
class TopicTally:
    for_: int = strawberry.field(name="for", description="Votes for (赞成)")
    against: int = strawberry.field(description="Votes against (反对)")
    abstain: int = strawberry.field(description="Abstentions (弃权): count to the quorum only")
    cast: int = strawberry.field(description="Votes cast, abstentions included")
    electorate: int = strawberry.field(description="Residents entitled to vote (snapshot)")
    quorum: int | None = strawberry.field(description="Votes needed for a valid vote")

    @classmethod
    def of(cls, topic: TopicRecord) -> TopicTally:
        tally = topic.tally
        return cls(
            for_=tally.for_, against=tally.against, abstain=tally.abstain, cast=tally.cast,
            electorate=topic.electorate, quorum=topic.quorum,
        )  # fmt: skip


@strawberry.type(description="入户调研: the grid party branch's investigation")
class TopicInvestigation:
    findings: str = strawberry.field(description="What the door-to-door visits found")
    feasible: bool = strawberry.field(description="Found feasible (adoption requires it)")
    date: str = strawberry.field(description="Day of the investigation (yyyy-mm-dd)")


@strawberry.type(description="A vote on a topic: the caller's own")
class TopicVote:
    choice: VoteChoice = strawberry.field(description="For, against or abstain")
    origin: VoteOrigin = strawberry.field(description="Online, or entered by grid staff")
    at: str = strawberry.field(description="When it was cast (or last changed)")

    @classmethod
    def of(cls, vote: VoteRecord) -> TopicVote:
        return cls(
            choice=VoteChoice(vote.choice.value), origin=VoteOrigin(vote.origin.value), at=vote.at
        )


@strawberry.type(description="A comment (or a one-level reply) on a topic")
class TopicComment:
    id: strawberry.ID = strawberry.field(
        description="Opaque id, for replies, likes, reports and moderation"
    )
    reply_to_id: strawberry.ID | None = strawberry.field(
        description="The comment this one replies to (null: a top-level comment)"
    )
    body: str | None = strawberry.field(
        description="The body; null while hidden by moderation (the moderators still see it)"
    )
    author_name: str = strawberry.field(description="Author's name, masked (张**)")
    party_badge: bool = strawberry.field(
        description="亮身份: a party member who chose to show it; no extra weight"
    )
    likes: int = strawberry.field(description="Likes (点赞), one per person")
    hidden: bool = strawberry.field(description="Hidden by moderation or by reports")
    at: str = strawberry.field(description="When it was written")

    @classmethod
    def of(cls, comment: CommentRecord, moderator: bool = False) -> TopicComment:
        parent = comment.parent_thread
        return cls(
            id=comment_gid(comment.thread),
            reply_to_id=comment_gid(parent) if parent is not None else None,
            body=None if comment.hidden and not moderator else comment.body,
            author_name=mask_name(comment.author_name),
            party_badge=comment.party_badge,
            likes=comment.likes,
            hidden=comment.hidden,
            at=comment.at,
        )


@strawberry.type(description="An entry of a topic's log: state changes, investigation, moderation")
class TopicLogEntry:
    action: str = strawberry.field(description="PROPOSE, PUBLISH, OPEN_VOTING, HIDE, …")
    at: str = strawberry.field(description="When it happened")
    note: str | None = strawberry.field(description="Reason or summary")
    target: str | None = strawberry.field(description="TOPIC, a comment id, or a merge target")

    @classmethod
    def of(cls, entry: TopicLogRecord) -> TopicLogEntry:
        target = entry.target
        return cls(
            action=entry.action,
            at=entry.at,
            note=shown(entry.note),
            target=comment_gid(target) if target and "#" in target else target,
        )


@strawberry.type(description="A topic (党群议事): residents propose, the grid votes")
class Topic(Node):
    title: str = strawberry.field(description="Title (at most 80 characters)")
    body: str = strawberry.field(description="What is proposed")
    category: CaseCategory | None = strawberry.field(
        description="Category, as for cases (an adopted topic's case keeps it)"
    )
    state: TopicState = strawberry.field(description="Where the topic stands (议事 → 表决 → 立项)")
    hidden: bool = strawberry.field(description="Hidden by moderation (pending review)")
    hidden_reason: str | None = strawberry.field(description="Why it is hidden")
    likes: int = strawberry.field(description="Likes (支持), one per person")
    comment_count: int = strawberry.field(description="Comments and replies")
    tally: TopicTally = strawberry.field(description="The vote so far (表决)")
    voting_opens_at: str | None = strawberry.field(description="When voting opened")
    voting_closes_at: str | None = strawberry.field(description="When the voting window closes")
    investigation: TopicInvestigation | None = strawberry.field(
        description="入户调研: the grid party branch's findings"
    )
    decision_reason: str | None = strawberry.field(description="Why the vote passed or failed")
    merged_into_id: strawberry.ID | None = strawberry.field(
        description="The topic this one was merged into"
    )
    case_id: strawberry.ID | None = strawberry.field(
        description="The case an adopted topic became (id for the handling chain)"
    )
    case_code: str | None = strawberry.field(description="The case's code, for residents")
    created_at: str = strawberry.field(description="When it was proposed")
    updated_at: str = strawberry.field(description="Last change")
    record: strawberry.Private[TopicRecord]
    first_comments: strawberry.Private[CommentPage | None] = None
    # The topic page reads the caller's vote with the topic: ``vote_loaded`` says it did.
    my_vote_record: strawberry.Private[VoteRecord | None] = None
    vote_loaded: strawberry.Private[bool] = False

    @classmethod
    def of(
        cls,
        topic: TopicRecord,
        comments: CommentPage | None = None,
        vote: VoteRecord | None = None,
        vote_loaded: bool = False,
    ) -> Topic:
        found = topic.investigation
        return cls(
            id=global_id("Topic", topic.id),
            title=topic.title,
            body=topic.body,
            category=category_of(topic.category),
            state=TopicState(topic.state.value),
            hidden=topic.hidden,
            hidden_reason=topic.hidden_reason,
            likes=topic.likes,
            comment_count=topic.comment_count,
            tally=TopicTally.of(topic),
            voting_opens_at=topic.voting_opens_at,
            voting_closes_at=topic.voting_closes_at,
            investigation=TopicInvestigation(
                findings=found.findings, feasible=found.feasible, date=found.date
            )
            if found is not None
            else None,
            decision_reason=shown(topic.decision_reason),
            merged_into_id=global_id("Topic", topic.merged_into) if topic.merged_into else None,
            case_id=global_id("Case", topic.case_id) if topic.case_id else None,
            case_code=topic.case_code,
            created_at=topic.created_at,
            updated_at=topic.updated_at,
            record=topic,
            first_comments=comments,
            my_vote_record=vote,
            vote_loaded=vote_loaded,
        )

    files = topic_files_field

    @strawberry.field(description="The grid or community the topic belongs to")
    async def unit(self, info: Info) -> OrgUnit | None:
        unit = await info.context.loaders.org_units.load(self.record.unit_id)
        return OrgUnit.of(unit) if unit else None

    @strawberry.field(
        description="Author's name: in full for the author and staff who may read people "
        "in the topic's unit, masked (张**) for everyone else"
    )
    def author_name(self, info: Info) -> str:
        actor = info.context.actor
        topic = self.record
        if actor.person_id == topic.author_id or actor.can(Permission.READ_PEOPLE, topic.unit_path):
            return topic.author_name
        return mask_name(topic.author_name)

    @strawberry.field(description="The caller proposed this topic")
    def is_mine(self, info: Info) -> bool:
        return info.context.actor.person_id == self.record.author_id

    @strawberry.field(description="The case's progress, public view (voters follow it here)")
    async def case_progress(self, info: Info) -> PublicCaseTracking | None:
        if not self.record.case_id:
            return None
        case = await info.context.case_loaders.cases.load(self.record.case_id)
        return PublicCaseTracking.of(case) if case else None

    @strawberry.field(description="The caller's vote (null when none or signed out)")
    async def my_vote(self, info: Info) -> TopicVote | None:
        vote = self.my_vote_record
        if not self.vote_loaded:
            vote = await info.context.topic_loaders.my_votes.load(self.record.id)
        return TopicVote.of(vote) if vote else None

    @strawberry.field(description="Comments in thread order (replies after their comment)")
    def comments(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description="Page size")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor to go on from")
        ] = None,
    ) -> Connection[TopicComment]:
        moderator = topic_access.guides(info.context.actor, self.record)
        page = self.first_comments
        # The page read with the topic serves when it is exactly what was asked for.
        reusable = page is not None and (
            len(page.edges) == first or (not page.has_next_page and len(page.edges) <= first)
        )
        if page is None or after is not None or not reusable:
            page = topic_queries.comments(info.context.db, self.record.id, first, after)
        return to_connection(
            page, lambda comment: TopicComment.of(comment, moderator), after is not None
        )

    @strawberry.field(description="The log, oldest first: for the author and the moderators")
    def log(self, info: Info) -> list[TopicLogEntry] | None:
        actor = info.context.actor
        topic = self.record
        if actor.person_id != topic.author_id and not topic_access.guides(actor, topic):
            return None
        return [
            TopicLogEntry.of(entry) for entry in topic_queries.topic_log(info.context.db, topic.id)
        ]


@node_loader("Topic")
async def load_topic_node(info: Info, raw_id: str) -> Topic | None:
    """``node(id:)`` of a topic: as the ``topic`` field (its first comments, the caller's vote)."""
    return load_topic(info, raw_id)


def load_topic(info: Info, topic_id: str, comments_first: int = 20) -> Topic | None:
    context = info.context
    view = topic_queries.topic_page(context.db, context.actor, topic_id, comments_first)
    if view is None:
        return None
    return Topic.of(view.topic, view.comments, view.my_vote, vote_loaded=True)


@strawberry.type(description="A notification about a topic")
class TopicNotice:
    topic_id: strawberry.ID = strawberry.field(description="The topic it is about")
    title: str = strawberry.field(description="The topic's title")
    kind: str = strawberry.field(description="PROPOSED, VOTING_OPENED, ADOPTED or DECLINED")
    message: str = strawberry.field(description="What happened")
    at: str = strawberry.field(description="When")

    @classmethod
    def of(cls, notice: TopicNoticeRecord) -> TopicNotice:
        return cls(
            topic_id=global_id("Topic", notice.topic_id), title=notice.title, kind=notice.kind,
            message=shown(notice.message) or "", at=notice.at,
        )  # fmt: skip


@strawberry.type(description="Topic figures of a unit's subtree over a range of days")
class TopicStats:
    raised: int = strawberry.field(description="Topics opened for discussion")
    adopted: int = strawberry.field(description="Topics adopted (通过立项)")
    declined: int = strawberry.field(description="Topics declined (未通过)")
    cases_resolved: int = strawberry.field(description="Cases from topics resolved")
    cases_resolved_in_grid: int = strawberry.field(description="Of those, resolved at grid level")
    adoption_rate: float | None = strawberry.field(
        description="Adoption rate: adopted / (adopted + declined); null before any decision"
    )
    solved_in_grid_share: float | None = strawberry.field(
        description="Share of resolved topic cases solved at grid level (网格内解决率)"
    )

    @classmethod
    def of(cls, data: TopicDayTotals) -> TopicStats:
        return cls(
            raised=data.raised,
            adopted=data.adopted,
            declined=data.declined,
            cases_resolved=data.cases_resolved,
            cases_resolved_in_grid=data.cases_resolved_in_grid,
            adoption_rate=data.adoption_rate,
            solved_in_grid_share=data.solved_in_grid_share,
        )


@strawberry.type(description="A grid's rules for topic votes")
class TopicVoteRules:
    quorum_share: float = strawberry.field(
        description="Share of the electorate that must vote (参与率)"
    )
    quorum_count: int = strawberry.field(description="And at least this many votes")
    majority_share: float = strawberry.field(
        description="Majority (多数通过): for / (for + against) must exceed this share"
    )
    window_hours: int = strawberry.field(description="Hours the vote stays open")
    report_threshold: int = strawberry.field(
        description="Reports that hide a topic or comment pending review"
    )


def topic_connection(page: TopicPage, forward: bool) -> Connection[Topic]:
    return to_connection(page, Topic.of, forward)
