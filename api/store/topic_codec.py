"""Topic, comment, vote, log, notice and policy items ⇄ records (and the JSON they carry)."""

from __future__ import annotations

from typing import Any

from api.domain.org import OrgKind
from api.domain.topics import Tally, TopicState, VoteChoice, VoteOrigin, VotePolicy
from api.records.topic import (
    CommentRecord,
    Investigation,
    TopicLogRecord,
    TopicNoticeRecord,
    TopicPolicyRecord,
    TopicRecord,
    VoteRecord,
)
from api.store.case_models import due_pk, due_shard, due_sk
from api.store.topic_models import (
    TopicCommentItem,
    TopicItem,
    TopicLogItem,
    TopicNoticeItem,
    TopicPolicyItem,
    VoteItem,
    author_pk,
    by_state_pk,
    comment_sk,
    newest_sk,
    notice_key,
    support_sk,
    topic_key,
    topic_pk,
    vote_sk,
    voter_pk,
)

DUE_PREFIX = "TOPIC#"  # the sweeper dispatches due entries by this prefix (escalation)


def policy_to_json(policy: VotePolicy) -> dict[str, float | int]:
    return {
        "quorum_share": policy.quorum_share,
        "quorum_count": policy.quorum_count,
        "majority_share": policy.majority_share,
        "window_hours": policy.window_hours,
        "report_threshold": policy.report_threshold,
    }


def policy_from_json(data: dict[str, Any] | None) -> VotePolicy:
    return VotePolicy(**(data or {}))


def investigation_to_json(found: Investigation) -> dict[str, Any]:
    return {
        "findings": found.findings, "feasible": found.feasible, "date": found.date,
        "by": found.by, "at": found.at,
    }  # fmt: skip


def investigation_from_json(data: dict[str, Any] | None) -> Investigation | None:
    if not data:
        return None
    return Investigation(
        findings=data["findings"], feasible=bool(data["feasible"]), date=data["date"],
        by=data.get("by"), at=data.get("at"),
    )  # fmt: skip


def _due_at(item: TopicItem) -> str | None:
    return item.duesk.rsplit("#", 2)[0] if item.duesk else None


def topic_record(item: TopicItem) -> TopicRecord:
    return TopicRecord(
        id=item.id, title=item.title, body=item.body, category=item.category,
        state=TopicState(item.state), hidden=bool(item.hidden), hidden_reason=item.hidden_reason,
        unit_id=item.unit_id, unit_path=item.unit_path, unit_kind=OrgKind(item.unit_kind),
        location_unit_id=item.location_unit_id, author_id=item.author_id,
        author_name=item.author_name, likes=int(item.likes or 0),
        comment_count=int(item.comment_count or 0), report_count=int(item.report_count or 0),
        tally=Tally(
            int(item.votes_for or 0), int(item.votes_against or 0), int(item.votes_abstain or 0)
        ),
        electorate=int(item.electorate or 0),
        policy=policy_from_json(item.policy) if item.policy is not None else None,
        voting_opens_at=item.voting_opens_at, voting_closes_at=item.voting_closes_at,
        feasible=item.feasible, investigation=investigation_from_json(item.investigation),
        decision_reason=item.decision_reason,
        quorum=int(item.quorum) if item.quorum is not None else None,
        decided_at=item.decided_at, voters_notified=bool(item.voters_notified),
        merged_into=item.merged_into, case_id=item.case_id, case_code=item.case_code,
        due_at=_due_at(item), created_at=item.created_at, updated_at=item.updated_at,
        version=int(item.version or 0),
    )  # fmt: skip


def topic_item(topic: TopicRecord) -> TopicItem:
    """The whole item, with its list-index keys pointing at its state, support and author, and
    its due entry while a timer runs; carries the version it was read at (lock)."""
    item = TopicItem(
        *topic_key(topic.id),
        id=topic.id, title=topic.title, body=topic.body, category=topic.category,
        state=topic.state.value, hidden=topic.hidden, hidden_reason=topic.hidden_reason,
        unit_id=topic.unit_id, unit_path=topic.unit_path, unit_kind=topic.unit_kind.value,
        location_unit_id=topic.location_unit_id, author_id=topic.author_id,
        author_name=topic.author_name, likes=topic.likes, comment_count=topic.comment_count,
        report_count=topic.report_count, votes_for=topic.tally.for_,
        votes_against=topic.tally.against, votes_abstain=topic.tally.abstain,
        electorate=topic.electorate,
        policy=policy_to_json(topic.policy) if topic.policy is not None else None,
        voting_opens_at=topic.voting_opens_at, voting_closes_at=topic.voting_closes_at,
        feasible=topic.feasible,
        investigation=investigation_to_json(topic.investigation)
        if topic.investigation is not None else None,
        decision_reason=topic.decision_reason, quorum=topic.quorum, decided_at=topic.decided_at,
        voters_notified=topic.voters_notified, merged_into=topic.merged_into,
        case_id=topic.case_id, case_code=topic.case_code, created_at=topic.created_at,
        updated_at=topic.updated_at,
        gsi1pk=by_state_pk(topic.unit_id, topic.state.value),
        gsi1sk=newest_sk(topic.created_at, topic.id),
        gsi2pk=by_state_pk(topic.unit_id, topic.state.value),
        gsi2sk=support_sk(topic.likes, topic.id),
        gsi3pk=author_pk(topic.author_id), gsi3sk=newest_sk(topic.created_at, topic.id),
    )  # fmt: skip
    if topic.due_at is not None:
        item.duepk = due_pk(due_shard(topic.id))
        item.duesk = due_sk(topic.due_at, f"{DUE_PREFIX}{topic.id}")
    if topic.version:
        item.version = topic.version
    return item


def topic_ref(topic: TopicRecord) -> TopicItem:
    """The topic's key and the version it was read at: for updates that add to counters (an
    update of a bare key would set the version to 1)."""
    item = TopicItem(*topic_key(topic.id))
    if topic.version:
        item.version = topic.version
    return item


def comment_record(item: TopicCommentItem) -> CommentRecord:
    return CommentRecord(
        thread=item.id, topic_id=item.topic_id, parent_id=item.parent_id,
        author_id=item.author_id, author_name=item.author_name,
        party_badge=bool(item.party_badge), body=item.body, likes=int(item.likes or 0),
        report_count=int(item.report_count or 0), hidden=bool(item.hidden),
        hidden_reason=item.hidden_reason, at=item.at,
    )  # fmt: skip


def comment_item(comment: CommentRecord) -> TopicCommentItem:
    return TopicCommentItem(
        topic_pk(comment.topic_id), comment_sk(comment.thread),
        id=comment.thread, topic_id=comment.topic_id, parent_id=comment.parent_id,
        author_id=comment.author_id, author_name=comment.author_name,
        party_badge=comment.party_badge, body=comment.body, likes=comment.likes,
        report_count=comment.report_count, hidden=comment.hidden,
        hidden_reason=comment.hidden_reason, at=comment.at,
    )  # fmt: skip


def vote_record(item: VoteItem) -> VoteRecord:
    return VoteRecord(
        topic_id=item.topic_id, person_id=item.person_id, choice=VoteChoice(item.choice),
        origin=VoteOrigin(item.origin), entered_by=item.entered_by,
        changes=int(item.changes or 0), at=item.at, version=int(item.version or 0),
    )  # fmt: skip


def vote_item(vote: VoteRecord) -> VoteItem:
    item = VoteItem(
        topic_pk(vote.topic_id), vote_sk(vote.person_id),
        topic_id=vote.topic_id, person_id=vote.person_id, choice=vote.choice.value,
        origin=vote.origin.value, entered_by=vote.entered_by, changes=vote.changes, at=vote.at,
        gsi3pk=voter_pk(vote.person_id), gsi3sk=f"{vote.at}#{vote.topic_id}",
    )  # fmt: skip
    if vote.version:
        item.version = vote.version
    return item


def log_record(item: TopicLogItem) -> TopicLogRecord:
    return TopicLogRecord(
        action=item.action, actor_id=item.actor_id, target=item.target, note=item.note,
        at=item.at,
    )  # fmt: skip


def notice_record(item: TopicNoticeItem) -> TopicNoticeRecord:
    return TopicNoticeRecord(
        recipient_id=item.recipient_id, topic_id=item.topic_id, title=item.title,
        kind=item.kind, message=item.message, at=item.at,
    )  # fmt: skip


def notice_item(notice: TopicNoticeRecord) -> TopicNoticeItem:
    pk, sk = notice_key(notice.recipient_id, notice.at, notice.topic_id, notice.kind)
    return TopicNoticeItem(
        pk, sk, recipient_id=notice.recipient_id, topic_id=notice.topic_id, title=notice.title,
        kind=notice.kind, message=notice.message, at=notice.at,
    )  # fmt: skip


def policy_record(item: TopicPolicyItem) -> TopicPolicyRecord:
    return TopicPolicyRecord(
        unit_id=item.unit_id, policy=policy_from_json(item.policy), set_by=item.set_by,
        set_at=item.set_at,
    )  # fmt: skip
