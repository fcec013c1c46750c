"""Root mutation fields of topics (党群议事): one input each, a payload with ``errors``."""

from __future__ import annotations

from datetime import date

import strawberry

from api.domain.errors import InvalidInput
from api.domain.topics import TopicAction as TopicActionModel
from api.domain.topics import VoteChoice as VoteChoiceModel
from api.domain.topics import VotePolicy
from api.services import topic_discussion, topic_votes, topics
from schema.context import Info
from schema.enums import value_of
from schema.errors import UserError, run_mutation
from schema.node import item_id
from schema.topic_types import (
    Topic,
    TopicAction,
    TopicComment,
    TopicVote,
    TopicVoteRules,
    VoteChoice,
    comment_thread,
)


@strawberry.type(description="Result of a mutation on a topic")
class TopicPayload:
    topic: Topic | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="Result of a vote")
class TopicVotePayload:
    vote: TopicVote | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="Result of a comment")
class TopicCommentPayload:
    comment: TopicComment | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="Result of a report")
class TopicReportPayload:
    hidden: bool | None = strawberry.field(
        default=None, description="Whether the reported topic or comment is hidden now"
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="Result of setting vote rules")
class TopicVoteRulesPayload:
    rules: TopicVoteRules | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="议题: raise a topic in a grid (or a community for wider topics)")
class ProposeTopicInput:
    unit_id: strawberry.ID
    title: str
    body: str
    category: str = "OTHER"
    location_unit_id: strawberry.ID | None = strawberry.field(
        default=None, description="Where (a grid, building or household); the grid by default"
    )
    draft: bool = False


@strawberry.input
class TopicActionInput:
    topic_id: strawberry.ID
    action: TopicAction
    reason: str = ""
    merge_into_id: strawberry.ID | None = None


@strawberry.input
class TopicInput:
    topic_id: strawberry.ID


@strawberry.input(description="入户调研: findings, feasible or not, date")
class TopicInvestigationInput:
    topic_id: strawberry.ID
    findings: str
    feasible: bool
    date: str


@strawberry.input
class CastTopicVoteInput:
    topic_id: strawberry.ID
    choice: VoteChoice


@strawberry.input(description="入户表决: a door-to-door ballot entered by grid staff")
class OfflineBallotInput:
    topic_id: strawberry.ID
    person_id: strawberry.ID
    choice: VoteChoice


@strawberry.input
class TopicCommentInput:
    topic_id: strawberry.ID
    body: str
    reply_to_id: strawberry.ID | None = None


@strawberry.input(description="Like the topic, or one of its comments")
class LikeTopicInput:
    topic_id: strawberry.ID
    comment_id: strawberry.ID | None = None


@strawberry.input(description="Report the topic, or one of its comments")
class ReportTopicContentInput:
    topic_id: strawberry.ID
    comment_id: strawberry.ID | None = None
    reason: str


@strawberry.input(description="Hide (with a reason) or show again the topic or a comment")
class ModerateTopicInput:
    topic_id: strawberry.ID
    comment_id: strawberry.ID | None = None
    hide: bool
    reason: str


@strawberry.input(description="A grid's vote rules: quorum, majority, window, report threshold")
class TopicVoteRulesInput:
    unit_id: strawberry.ID
    quorum_share: float = 0.5
    quorum_count: int = 0
    majority_share: float = 0.5
    window_hours: int = 72
    report_threshold: int = 3


def _topic_id(value: strawberry.ID) -> str:
    return item_id(value, "Topic", "topicId")


def _thread(value: strawberry.ID | None) -> str | None:
    return comment_thread(value) if value is not None else None


def _failed(errors: list[UserError]) -> TopicPayload:
    return TopicPayload(errors=errors)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("date must be like 2026-11-23", field="date") from None


@strawberry.type
class TopicMutation:
    @strawberry.mutation(description="议题: propose a topic; the grid secretary is notified")
    def propose_topic(self, info: Info, input: ProposeTopicInput) -> TopicPayload:
        ctx = info.context

        def act() -> TopicPayload:
            data = topics.ProposeInput(
                unit_id=item_id(input.unit_id, "OrgUnit", "unitId"),
                title=input.title,
                body=input.body,
                category=input.category,
                location_unit_id=item_id(input.location_unit_id, "OrgUnit", "locationUnitId")
                if input.location_unit_id
                else None,
                draft=input.draft,
            )
            return TopicPayload(topic=Topic.of(topics.propose(ctx.db, ctx.actor, ctx.clock, data)))

        return run_mutation(act, _failed)

    @strawberry.mutation(description="Publish a draft, withdraw (no votes yet), or merge")
    def act_on_topic(self, info: Info, input: TopicActionInput) -> TopicPayload:
        ctx = info.context

        def act() -> TopicPayload:
            topic = topics.act(
                ctx.db,
                ctx.actor,
                ctx.clock,
                _topic_id(input.topic_id),
                TopicActionModel(value_of(input.action)),
                input.reason,
                item_id(input.merge_into_id, "Topic", "mergeIntoId")
                if input.merge_into_id
                else None,
            )
            return TopicPayload(topic=Topic.of(topic))

        return run_mutation(act, _failed)

    @strawberry.mutation(description="表决: open the vote (electorate snapshot, timer set)")
    def open_topic_voting(self, info: Info, input: TopicInput) -> TopicPayload:
        ctx = info.context

        def act() -> TopicPayload:
            topic = topic_votes.open_voting(ctx.db, ctx.actor, ctx.clock, _topic_id(input.topic_id))
            return TopicPayload(topic=Topic.of(topic))

        return run_mutation(act, _failed)

    @strawberry.mutation(description="入户调研: record the grid party branch's investigation")
    def record_topic_investigation(
        self, info: Info, input: TopicInvestigationInput
    ) -> TopicPayload:
        ctx = info.context

        def act() -> TopicPayload:
            topic = topics.record_investigation(
                ctx.db,
                ctx.actor,
                ctx.clock,
                _topic_id(input.topic_id),
                input.findings,
                input.feasible,
                _date(input.date),
            )
            return TopicPayload(topic=Topic.of(topic))

        return run_mutation(act, _failed)

    @strawberry.mutation(description="Vote (or change one's vote) until the window closes")
    def cast_topic_vote(self, info: Info, input: CastTopicVoteInput) -> TopicVotePayload:
        ctx = info.context

        def act() -> TopicVotePayload:
            vote = topic_votes.cast_vote(
                ctx.db,
                ctx.actor,
                ctx.clock,
                _topic_id(input.topic_id),
                VoteChoiceModel(value_of(input.choice)),
            )
            return TopicVotePayload(vote=TopicVote(item=vote))

        return run_mutation(act, lambda errors: TopicVotePayload(errors=errors))

    @strawberry.mutation(description="入户表决: grid staff enter a door-to-door ballot")
    def enter_offline_ballot(self, info: Info, input: OfflineBallotInput) -> TopicVotePayload:
        ctx = info.context

        def act() -> TopicVotePayload:
            vote = topic_votes.enter_offline_ballot(
                ctx.db,
                ctx.actor,
                ctx.clock,
                _topic_id(input.topic_id),
                item_id(input.person_id, "Person", "personId"),
                VoteChoiceModel(value_of(input.choice)),
            )
            return TopicVotePayload(vote=TopicVote(item=vote))

        return run_mutation(act, lambda errors: TopicVotePayload(errors=errors))

    @strawberry.mutation(description="Comment on a topic, or reply to a comment (one level)")
    def comment_on_topic(self, info: Info, input: TopicCommentInput) -> TopicCommentPayload:
        ctx = info.context

        def act() -> TopicCommentPayload:
            item = topic_discussion.comment(
                ctx.db,
                ctx.actor,
                ctx.clock,
                _topic_id(input.topic_id),
                input.body,
                comment_thread(input.reply_to_id, "replyToId") if input.reply_to_id else None,
            )
            return TopicCommentPayload(comment=TopicComment(item=item))

        return run_mutation(act, lambda errors: TopicCommentPayload(errors=errors))

    @strawberry.mutation(description="Like a topic or a comment (once per person)")
    def like_topic(self, info: Info, input: LikeTopicInput) -> TopicPayload:
        ctx = info.context

        def act() -> TopicPayload:
            topic = topic_discussion.like(
                ctx.db, ctx.actor, ctx.clock, _topic_id(input.topic_id), _thread(input.comment_id)
            )
            return TopicPayload(topic=Topic.of(topic))

        return run_mutation(act, _failed)

    @strawberry.mutation(description="Report a topic or a comment; hidden after enough reports")
    def report_topic_content(
        self, info: Info, input: ReportTopicContentInput
    ) -> TopicReportPayload:
        ctx = info.context

        def act() -> TopicReportPayload:
            hidden = topic_discussion.report(
                ctx.db,
                ctx.actor,
                ctx.clock,
                _topic_id(input.topic_id),
                _thread(input.comment_id),
                input.reason,
            )
            return TopicReportPayload(hidden=hidden)

        return run_mutation(act, lambda errors: TopicReportPayload(errors=errors))

    @strawberry.mutation(description="Moderators hide or show again a topic or a comment")
    def moderate_topic(self, info: Info, input: ModerateTopicInput) -> TopicPayload:
        ctx = info.context

        def act() -> TopicPayload:
            topic = topics.moderate(
                ctx.db,
                ctx.actor,
                ctx.clock,
                _topic_id(input.topic_id),
                _thread(input.comment_id),
                input.hide,
                input.reason,
            )
            return TopicPayload(topic=Topic.of(topic))

        return run_mutation(act, _failed)

    @strawberry.mutation(description="Set a grid's (or wider unit's) topic vote rules")
    def set_topic_vote_rules(self, info: Info, input: TopicVoteRulesInput) -> TopicVoteRulesPayload:
        ctx = info.context

        def act() -> TopicVoteRulesPayload:
            policy = VotePolicy(
                quorum_share=input.quorum_share,
                quorum_count=input.quorum_count,
                majority_share=input.majority_share,
                window_hours=input.window_hours,
                report_threshold=input.report_threshold,
            )
            topics.set_policy(
                ctx.db, ctx.actor, ctx.clock, item_id(input.unit_id, "OrgUnit", "unitId"), policy
            )
            return TopicVoteRulesPayload(
                rules=TopicVoteRules(
                    quorum_share=policy.quorum_share,
                    quorum_count=policy.quorum_count,
                    majority_share=policy.majority_share,
                    window_hours=policy.window_hours,
                    report_threshold=policy.report_threshold,
                )
            )

        return run_mutation(act, lambda errors: TopicVoteRulesPayload(errors=errors))
