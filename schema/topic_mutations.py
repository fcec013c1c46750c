"""Root mutation fields of topics (党群议事): one input each, a payload with ``errors``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from api.domain.errors import InvalidInput
from api.domain.messages import msg
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

INPUT = "What to do, and to what"
ERRORS = "Why the mutation was refused (empty when it succeeded; nothing was written)"
TOPIC_ID = "The topic's global id"
COMMENT_ID = "A comment of the topic (null: the topic itself)"


@strawberry.type(description="Result of a mutation on a topic")
class TopicPayload:
    topic: Topic | None = strawberry.field(default=None, description="The topic as it is now")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="Result of a vote")
class TopicVotePayload:
    vote: TopicVote | None = strawberry.field(default=None, description="The vote as stored")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="Result of a comment")
class TopicCommentPayload:
    comment: TopicComment | None = strawberry.field(default=None, description="The comment")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="Result of a report")
class TopicReportPayload:
    hidden: bool | None = strawberry.field(
        default=None, description="Whether the reported topic or comment is hidden now"
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="Result of setting vote rules")
class TopicVoteRulesPayload:
    rules: TopicVoteRules | None = strawberry.field(default=None, description="The rules set")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="议题: raise a topic in a grid (or a community for wider topics)")
class ProposeTopicInput:
    unit_id: strawberry.ID = strawberry.field(description="The grid or community")
    title: str = strawberry.field(description="Title (at most 80 characters)")
    body: str = strawberry.field(description="What is proposed (at most 4000 characters)")
    category: str = strawberry.field(default="OTHER", description="A case category code")
    location_unit_id: strawberry.ID | None = strawberry.field(
        default=None, description="Where (a grid, building or household); the grid by default"
    )
    draft: bool = strawberry.field(
        default=False, description="Keep it as a draft (草稿), seen by the author only"
    )


@strawberry.input(description="Publish a draft, withdraw (no votes yet), or merge")
class TopicActionInput:
    topic_id: strawberry.ID = strawberry.field(description=TOPIC_ID)
    action: TopicAction = strawberry.field(description="What to do")
    reason: str = strawberry.field(default="", description="Why (required to merge)")
    merge_into_id: strawberry.ID | None = strawberry.field(
        default=None, description="MERGE: the topic to merge into"
    )


@strawberry.input(description="A topic to act on")
class TopicInput:
    topic_id: strawberry.ID = strawberry.field(description=TOPIC_ID)


@strawberry.input(description="入户调研: findings, feasible or not, date")
class TopicInvestigationInput:
    topic_id: strawberry.ID = strawberry.field(description=TOPIC_ID)
    findings: str = strawberry.field(description="What the door-to-door visits found")
    feasible: bool = strawberry.field(description="Feasible (adoption requires it)")
    date: str = strawberry.field(description="Day of the investigation (yyyy-mm-dd)")


@strawberry.input(description="The caller's vote")
class CastTopicVoteInput:
    topic_id: strawberry.ID = strawberry.field(description=TOPIC_ID)
    choice: VoteChoice = strawberry.field(description="For, against or abstain")


@strawberry.input(description="入户表决: a door-to-door ballot entered by grid staff")
class OfflineBallotInput:
    topic_id: strawberry.ID = strawberry.field(description=TOPIC_ID)
    person_id: strawberry.ID = strawberry.field(description="The resident who voted")
    choice: VoteChoice = strawberry.field(description="For, against or abstain")


@strawberry.input(description="A comment on a topic, or a reply to a comment")
class TopicCommentInput:
    topic_id: strawberry.ID = strawberry.field(description=TOPIC_ID)
    body: str = strawberry.field(description="The comment (at most 1000 characters)")
    reply_to_id: strawberry.ID | None = strawberry.field(
        default=None, description="The top-level comment replied to (replies are one level)"
    )


@strawberry.input(description="Like the topic, or one of its comments")
class LikeTopicInput:
    topic_id: strawberry.ID = strawberry.field(description=TOPIC_ID)
    comment_id: strawberry.ID | None = strawberry.field(default=None, description=COMMENT_ID)


@strawberry.input(description="Report the topic, or one of its comments")
class ReportTopicContentInput:
    topic_id: strawberry.ID = strawberry.field(description=TOPIC_ID)
    comment_id: strawberry.ID | None = strawberry.field(default=None, description=COMMENT_ID)
    reason: str = strawberry.field(description="What is wrong with it")


@strawberry.input(description="Hide (with a reason) or show again the topic or a comment")
class ModerateTopicInput:
    topic_id: strawberry.ID = strawberry.field(description=TOPIC_ID)
    comment_id: strawberry.ID | None = strawberry.field(default=None, description=COMMENT_ID)
    hide: bool = strawberry.field(description="Hide (true) or show again (false)")
    reason: str = strawberry.field(description="Why (logged)")


@strawberry.input(description="A grid's vote rules: quorum, majority, window, report threshold")
class TopicVoteRulesInput:
    unit_id: strawberry.ID = strawberry.field(description="A grid or a unit above it")
    quorum_share: float = strawberry.field(
        default=0.5, description="Share of the electorate that must vote (参与率)"
    )
    quorum_count: int = strawberry.field(default=0, description="And at least this many votes")
    majority_share: float = strawberry.field(
        default=0.5, description="for / (for + against) must exceed this (多数通过)"
    )
    window_hours: int = strawberry.field(default=72, description="Hours the vote stays open")
    report_threshold: int = strawberry.field(
        default=3, description="Reports that hide a topic or comment pending review"
    )


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
        raise InvalidInput(msg("input.date_plain"), field="date") from None


@strawberry.type
class TopicMutation:
    @strawberry.mutation(description="议题: propose a topic; the grid secretary is notified")
    def propose_topic(
        self,
        info: Info,
        input: Annotated[ProposeTopicInput, strawberry.argument(description=INPUT)],
    ) -> TopicPayload:
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
    def act_on_topic(
        self, info: Info, input: Annotated[TopicActionInput, strawberry.argument(description=INPUT)]
    ) -> TopicPayload:
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
    def open_topic_voting(
        self, info: Info, input: Annotated[TopicInput, strawberry.argument(description=INPUT)]
    ) -> TopicPayload:
        ctx = info.context

        def act() -> TopicPayload:
            topic = topic_votes.open_voting(ctx.db, ctx.actor, ctx.clock, _topic_id(input.topic_id))
            return TopicPayload(topic=Topic.of(topic))

        return run_mutation(act, _failed)

    @strawberry.mutation(description="入户调研: record the grid party branch's investigation")
    def record_topic_investigation(
        self,
        info: Info,
        input: Annotated[TopicInvestigationInput, strawberry.argument(description=INPUT)],
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
    def cast_topic_vote(
        self,
        info: Info,
        input: Annotated[CastTopicVoteInput, strawberry.argument(description=INPUT)],
    ) -> TopicVotePayload:
        ctx = info.context

        def act() -> TopicVotePayload:
            vote = topic_votes.cast_vote(
                ctx.db,
                ctx.actor,
                ctx.clock,
                _topic_id(input.topic_id),
                VoteChoiceModel(value_of(input.choice)),
            )
            return TopicVotePayload(vote=TopicVote.of(vote))

        return run_mutation(act, lambda errors: TopicVotePayload(errors=errors))

    @strawberry.mutation(description="入户表决: grid staff enter a door-to-door ballot")
    def enter_offline_ballot(
        self,
        info: Info,
        input: Annotated[OfflineBallotInput, strawberry.argument(description=INPUT)],
    ) -> TopicVotePayload:
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
            return TopicVotePayload(vote=TopicVote.of(vote))

        return run_mutation(act, lambda errors: TopicVotePayload(errors=errors))

    @strawberry.mutation(description="Comment on a topic, or reply to a comment (one level)")
    def comment_on_topic(
        self,
        info: Info,
        input: Annotated[TopicCommentInput, strawberry.argument(description=INPUT)],
    ) -> TopicCommentPayload:
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
            return TopicCommentPayload(comment=TopicComment.of(item))

        return run_mutation(act, lambda errors: TopicCommentPayload(errors=errors))

    @strawberry.mutation(description="Like a topic or a comment (once per person)")
    def like_topic(
        self, info: Info, input: Annotated[LikeTopicInput, strawberry.argument(description=INPUT)]
    ) -> TopicPayload:
        ctx = info.context

        def act() -> TopicPayload:
            topic = topic_discussion.like(
                ctx.db, ctx.actor, ctx.clock, _topic_id(input.topic_id), _thread(input.comment_id)
            )
            return TopicPayload(topic=Topic.of(topic))

        return run_mutation(act, _failed)

    @strawberry.mutation(description="Report a topic or a comment; hidden after enough reports")
    def report_topic_content(
        self,
        info: Info,
        input: Annotated[ReportTopicContentInput, strawberry.argument(description=INPUT)],
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
    def moderate_topic(
        self,
        info: Info,
        input: Annotated[ModerateTopicInput, strawberry.argument(description=INPUT)],
    ) -> TopicPayload:
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
    def set_topic_vote_rules(
        self,
        info: Info,
        input: Annotated[TopicVoteRulesInput, strawberry.argument(description=INPUT)],
    ) -> TopicVoteRulesPayload:
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
