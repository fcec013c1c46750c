"""GraphQL types of topics and votes (党群议事)."""

from __future__ import annotations

import base64
import binascii
from enum import Enum

import strawberry

from api.domain.errors import InvalidId
from api.domain.people import mask_name
from api.domain.roles import Permission
from api.services import topic_access
from api.services.topic_queries import TopicStats as TopicStatsModel
from api.store.case_store import read_partition
from api.store.pagination import Page
from api.store.topic_models import TopicCommentItem, TopicItem, TopicNoticeItem, VoteItem
from schema.attachment_types import topic_files_field
from schema.case_types import CaseCategory, PublicCaseTracking, category_of, public_tracking
from schema.connections import Connection, to_connection
from schema.context import Info
from schema.node import Node, global_id
from schema.types import OrgUnit


@strawberry.enum(description="State of a topic (党群议事)")
class TopicState(Enum):
    DRAFT = strawberry.enum_value("DRAFT", description="草稿")
    DISCUSSION = strawberry.enum_value("DISCUSSION", description="议事讨论")
    VOTING = strawberry.enum_value("VOTING", description="表决中")
    ADOPTED = strawberry.enum_value("ADOPTED", description="通过立项: a case was opened")
    DECLINED = strawberry.enum_value("DECLINED", description="未通过")
    WITHDRAWN = strawberry.enum_value("WITHDRAWN", description="撤回")
    MERGED = strawberry.enum_value("MERGED", description="合并到其他议题")


@strawberry.enum(description="What the author or the guiding staff do with a topic")
class TopicAction(Enum):
    PUBLISH = strawberry.enum_value("PUBLISH", description="发布: a draft opens for discussion")
    WITHDRAW = strawberry.enum_value("WITHDRAW", description="撤回: only before any vote")
    MERGE = strawberry.enum_value("MERGE", description="合并: into another topic")


@strawberry.enum(description="A vote on a topic")
class VoteChoice(Enum):
    FOR = strawberry.enum_value("FOR", description="赞成")
    AGAINST = strawberry.enum_value("AGAINST", description="反对")
    ABSTAIN = strawberry.enum_value("ABSTAIN", description="弃权")


@strawberry.enum(description="Where a vote was cast")
class VoteOrigin(Enum):
    ONLINE = strawberry.enum_value("ONLINE", description="线上")
    OFFLINE = strawberry.enum_value("OFFLINE", description="入户表决: entered by grid staff")


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
        raise InvalidId("Not a comment id", field=field) from None


@strawberry.type(description="Votes so far (atomic counters) and what the vote needs")
class TopicTally:
    for_: int = strawberry.field(name="for")
    against: int
    abstain: int
    cast: int
    electorate: int = strawberry.field(description="Residents entitled to vote (snapshot)")
    quorum: int | None = strawberry.field(description="Votes needed for a valid vote")


@strawberry.type(description="入户调研: the grid party branch's investigation")
class TopicInvestigation:
    findings: str
    feasible: bool
    date: str


@strawberry.type(description="The caller's vote")
class TopicVote:
    item: strawberry.Private[VoteItem]

    @strawberry.field
    def choice(self) -> VoteChoice:
        return VoteChoice(self.item.choice)

    @strawberry.field
    def origin(self) -> VoteOrigin:
        return VoteOrigin(self.item.origin)

    @strawberry.field
    def at(self) -> str:
        return self.item.at


@strawberry.type(description="A comment (or a one-level reply) on a topic")
class TopicComment:
    item: strawberry.Private[TopicCommentItem]
    moderator: strawberry.Private[bool] = False

    @strawberry.field(description="Opaque id, for replies, likes, reports and moderation")
    def id(self) -> strawberry.ID:
        return comment_gid(self.item.id)

    @strawberry.field
    def reply_to_id(self) -> strawberry.ID | None:
        if self.item.parent_id is None:
            return None
        return comment_gid(self.item.id.split("#R#")[0])

    @strawberry.field(description="The body; null while hidden by moderation")
    def body(self) -> str | None:
        return None if self.item.hidden and not self.moderator else self.item.body

    @strawberry.field(description="Author's name, masked (张**)")
    def author_name(self) -> str:
        return mask_name(self.item.author_name)

    @strawberry.field(description="亮身份: a party member who chose to show it; no extra weight")
    def party_badge(self) -> bool:
        return bool(self.item.party_badge)

    @strawberry.field
    def likes(self) -> int:
        return int(self.item.likes or 0)

    @strawberry.field
    def hidden(self) -> bool:
        return bool(self.item.hidden)

    @strawberry.field
    def at(self) -> str:
        return self.item.at


@strawberry.type(description="An entry of a topic's log: state changes, investigation, moderation")
class TopicLogEntry:
    action: str
    at: str
    note: str | None
    target: str | None = strawberry.field(description="TOPIC, a comment id, or a merge target")


@strawberry.type(description="A topic (党群议事): residents propose, the grid votes")
class Topic(Node):
    item: strawberry.Private[TopicItem]
    first_comments: strawberry.Private[Page[TopicCommentItem] | None] = None
    my_vote_item: strawberry.Private[VoteItem | None] = None
    vote_loaded: strawberry.Private[bool] = False

    @classmethod
    def of(
        cls,
        item: TopicItem,
        comments: Page[TopicCommentItem] | None = None,
        vote: VoteItem | None = None,
        vote_loaded: bool = False,
    ) -> Topic:
        return cls(
            id=global_id("Topic", item.id),
            item=item,
            first_comments=comments,
            my_vote_item=vote,
            vote_loaded=vote_loaded,
        )

    files = topic_files_field

    @strawberry.field
    def title(self) -> str:
        return self.item.title

    @strawberry.field
    def body(self) -> str:
        return self.item.body

    @strawberry.field
    def category(self) -> CaseCategory | None:
        return category_of(self.item.category)

    @strawberry.field
    def state(self) -> TopicState:
        return TopicState(self.item.state)

    @strawberry.field(description="Hidden by moderation (pending review)")
    def hidden(self) -> bool:
        return bool(self.item.hidden)

    @strawberry.field
    def hidden_reason(self) -> str | None:
        return self.item.hidden_reason

    @strawberry.field(description="The grid or community the topic belongs to")
    async def unit(self, info: Info) -> OrgUnit | None:
        unit = await info.context.loaders.org_units.load(self.item.unit_id)
        return OrgUnit.of(unit) if unit else None

    @strawberry.field(description="Author's name: full for the author and staff in scope")
    def author_name(self, info: Info) -> str:
        actor = info.context.actor
        if actor.person_id == self.item.author_id or actor.can(
            Permission.READ_PEOPLE, self.item.unit_path
        ):
            return self.item.author_name
        return mask_name(self.item.author_name)

    @strawberry.field
    def is_mine(self, info: Info) -> bool:
        return info.context.actor.person_id == self.item.author_id

    @strawberry.field
    def likes(self) -> int:
        return int(self.item.likes or 0)

    @strawberry.field
    def comment_count(self) -> int:
        return int(self.item.comment_count or 0)

    @strawberry.field
    def tally(self) -> TopicTally:
        f, a, ab = (
            int(self.item.votes_for or 0),
            int(self.item.votes_against or 0),
            int(self.item.votes_abstain or 0),
        )
        return TopicTally(
            for_=f,
            against=a,
            abstain=ab,
            cast=f + a + ab,
            electorate=int(self.item.electorate or 0),
            quorum=int(self.item.quorum) if self.item.quorum is not None else None,
        )

    @strawberry.field
    def voting_opens_at(self) -> str | None:
        return self.item.voting_opens_at

    @strawberry.field
    def voting_closes_at(self) -> str | None:
        return self.item.voting_closes_at

    @strawberry.field
    def investigation(self) -> TopicInvestigation | None:
        data = self.item.investigation
        if not data:
            return None
        return TopicInvestigation(
            findings=data["findings"], feasible=bool(data["feasible"]), date=data["date"]
        )

    @strawberry.field(description="Why the vote passed or failed")
    def decision_reason(self) -> str | None:
        return self.item.decision_reason

    @strawberry.field
    def merged_into_id(self) -> strawberry.ID | None:
        return global_id("Topic", self.item.merged_into) if self.item.merged_into else None

    @strawberry.field(description="The case an adopted topic became (id for the handling chain)")
    def case_id(self) -> strawberry.ID | None:
        return global_id("Case", self.item.case_id) if self.item.case_id else None

    @strawberry.field
    def case_code(self) -> str | None:
        return self.item.case_code

    @strawberry.field(description="The case's progress, public view (voters follow it here)")
    def case_progress(self) -> PublicCaseTracking | None:
        if not self.item.case_id:
            return None
        partition = read_partition(self.item.case_id)
        return public_tracking(partition.case, partition.events) if partition else None

    @strawberry.field(description="The caller's vote (null when none or signed out)")
    def my_vote(self, info: Info) -> TopicVote | None:
        if self.vote_loaded:
            return TopicVote(item=self.my_vote_item) if self.my_vote_item else None
        from api.store.topic_store import get_vote

        person_id = info.context.actor.person_id
        vote = get_vote(self.item.id, person_id, consistent=False) if person_id else None
        return TopicVote(item=vote) if vote else None

    @strawberry.field(description="Comments in thread order (replies after their comment)")
    def comments(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[TopicComment]:
        moderator = topic_access.guides(info.context.actor, self.item)
        page = self.first_comments
        # The page read with the topic serves when it is exactly what was asked for.
        reusable = page is not None and (
            len(page.edges) == first or (not page.has_next_page and len(page.edges) <= first)
        )
        if page is None or after is not None or not reusable:
            from api.services.topic_queries import comments

            page = comments(info.context.db, self.item, first, after)
        return to_connection(
            page, lambda item: TopicComment(item=item, moderator=moderator), after is not None
        )

    @strawberry.field(description="The log, oldest first: for the author and the moderators")
    def log(self, info: Info) -> list[TopicLogEntry] | None:
        actor = info.context.actor
        if actor.person_id != self.item.author_id and not topic_access.guides(actor, self.item):
            return None
        from api.services.topic_queries import topic_log

        return [
            TopicLogEntry(
                action=entry.action,
                at=entry.at,
                note=entry.note,
                target=comment_gid(entry.target) if entry.target and "#" in entry.target
                else entry.target,
            )
            for entry in topic_log(self.item.id)
        ]  # fmt: skip

    @strawberry.field
    def created_at(self) -> str:
        return self.item.created_at

    @strawberry.field
    def updated_at(self) -> str:
        return self.item.updated_at


@strawberry.type(description="A notification about a topic")
class TopicNotice:
    item: strawberry.Private[TopicNoticeItem]

    @strawberry.field
    def topic_id(self) -> strawberry.ID:
        return global_id("Topic", self.item.topic_id)

    @strawberry.field
    def title(self) -> str:
        return self.item.title

    @strawberry.field
    def kind(self) -> str:
        return self.item.kind

    @strawberry.field
    def message(self) -> str:
        return self.item.message

    @strawberry.field
    def at(self) -> str:
        return self.item.at


@strawberry.type(description="Topic figures of a unit's subtree over a range of days")
class TopicStats:
    raised: int
    adopted: int
    declined: int
    cases_resolved: int
    cases_resolved_in_grid: int
    adoption_rate: float | None = strawberry.field(description="adopted / (adopted + declined)")
    solved_in_grid_share: float | None = strawberry.field(
        description="Share of resolved topic cases solved at grid level (网格内解决率)"
    )

    @classmethod
    def of(cls, data: TopicStatsModel) -> TopicStats:
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
    quorum_share: float
    quorum_count: int
    majority_share: float
    window_hours: int
    report_threshold: int


def topic_connection(page: Page[TopicItem], forward: bool) -> Connection[Topic]:
    return to_connection(page, Topic.of, forward)
