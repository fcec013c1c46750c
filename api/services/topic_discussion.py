"""Discussion of a topic: comments threaded one level, likes (one per person and target),
reports by users (a target is hidden automatically after the policy's number of reports,
pending review), and the moderators' hide/show of a comment.

A party member who opted in (亮身份) has the badge shown on their comments; it carries no
weight anywhere (a like or a vote counts the same).
"""

from __future__ import annotations

from api.domain import topics as rules
from api.domain.clock import Clock, iso
from api.domain.errors import (
    AlreadyExists,
    Conflict,
    DomainError,
    ErrorCode,
    InvalidInput,
    NotFound,
)
from api.domain.ids import new_id
from api.domain.messages import msg
from api.domain.topics import TopicState
from api.records.topic import CommentRecord, TopicRecord
from api.services import topic_access
from api.services.actor import Actor
from api.store.db import Db
from api.store.topic_store import (
    CommentModeration,
    Mark,
    NewComment,
    Report,
    log_entry,
    retried,
)

DISCUSSABLE = frozenset({TopicState.DRAFT, TopicState.DISCUSSION, TopicState.VOTING})
THREAD_MAX = 200  # characters of a thread key a client may send back


def _open_topic(db: Db, actor: Actor, topic_id: str) -> TopicRecord:
    topic = topic_access.load_for_action(db, actor, topic_id)
    topic_access.require_visible(topic)
    topic_access.require_part(actor, topic)
    return topic


def _check_thread(thread: str) -> str:
    if not thread or len(thread) > THREAD_MAX or "COMMENT#" in thread:
        raise InvalidInput(msg("topic.comment_other_topic"), field="commentId")
    return thread


def comment(
    db: Db, actor: Actor, clock: Clock, topic_id: str, body: str, reply_to: str | None = None
) -> CommentRecord:
    """A comment on the topic, or a reply to a top-level comment (one level only)."""
    text = rules.text(body, "body", rules.COMMENT_MAX)
    topic = _open_topic(db, actor, topic_id)
    if topic.state not in DISCUSSABLE:
        raise DomainError(
            msg("topic.discussion_closed", state=topic.state.value),
            field="topicId",
            code=ErrorCode.INVALID_TRANSITION,
        )
    at = iso(clock.now())
    comment_id = new_id()
    thread = f"{at}#{comment_id}"
    parent_id: str | None = None
    if reply_to is not None:
        parent = db.topics.comment(topic.id, _check_thread(reply_to))
        if parent is None:
            raise NotFound(msg("topic.reply_target_missing"), field="replyToId")
        if parent.parent_id is not None:
            raise InvalidInput(msg("topic.reply_depth"), field="replyToId")
        if parent.hidden:
            raise InvalidInput(msg("topic.comment_hidden"), field="replyToId")
        parent_id = parent.thread
        thread = f"{reply_to}#R#{at}#{comment_id}"
    person = actor.person
    badge = bool(person is not None and person.is_party_member and person.party_badge)
    record = CommentRecord(
        thread=thread, topic_id=topic.id, parent_id=parent_id,
        author_id=actor.person_id or "", author_name=person.name if person else "",
        party_badge=badge, body=text, likes=0, report_count=0, hidden=False,
        hidden_reason=None, at=at,
    )  # fmt: skip
    return db.topics.add_comment(NewComment(topic, record))


def like(db: Db, actor: Actor, clock: Clock, topic_id: str, thread: str | None) -> TopicRecord:
    """One like per person on the topic or a comment; the topic's support order follows."""
    person_id = actor.require_login()
    if thread is not None:
        _check_thread(thread)
    field = "commentId" if thread else None

    def attempt() -> TopicRecord:
        topic = _open_topic(db, actor, topic_id)
        if db.topics.has_liked(topic.id, thread, person_id):
            raise AlreadyExists(msg("topic.liked_already"), field=field)
        if thread is not None:
            _require_comment(db, topic.id, thread)
        try:
            db.topics.add_like(Mark(topic, person_id, thread, iso(clock.now())))
        except Conflict:
            # Diagnose: the same person's like landed first (a double tap), or the topic moved.
            if db.topics.has_liked(topic.id, thread, person_id):
                raise AlreadyExists(msg("topic.liked_already"), field=field) from None
            raise
        fresh = db.topics.get(topic.id) or topic
        if thread is None:
            db.topics.resort(fresh)
        return fresh

    return retried(attempt)


def _require_comment(db: Db, topic_id: str, thread: str) -> CommentRecord:
    found = db.topics.comment(topic_id, thread)
    if found is None:
        raise NotFound(msg("topic.comment_not_found"), field="commentId")
    return found


def report(
    db: Db, actor: Actor, clock: Clock, topic_id: str, thread: str | None, reason: str
) -> bool:
    """A user reports the topic or a comment; returns whether the target is hidden now."""
    person_id = actor.require_login()
    note = rules.text(reason, "reason", rules.REASON_MAX)
    if thread is not None:
        _check_thread(thread)

    def attempt() -> bool:
        topic = topic_access.load_for_action(db, actor, topic_id)
        topic_access.require_part(actor, topic)
        if db.topics.has_reported(topic.id, thread, person_id):
            raise AlreadyExists(
                msg("topic.reported_already"), field="commentId" if thread else None
            )
        threshold = db.topics.policy_for(topic.unit_path)
        at = iso(clock.now())
        subject: TopicRecord | CommentRecord = (
            topic if thread is None else _require_comment(db, topic.id, thread)
        )
        count = subject.report_count + 1
        hide = count >= threshold.report_threshold and not subject.hidden
        mark = Mark(topic, person_id, thread, at, reason=note)
        target = mark.target
        db.topics.add_report(
            Report(
                mark, subject.report_count, hide,
                f"{count} reports: hidden pending review" if hide else None,
                log_entry("AUTO_HIDE", None, at, note, target) if hide else None,
            )
        )  # fmt: skip
        return bool(hide or subject.hidden)

    return retried(attempt)


def moderate_comment(
    db: Db, actor: Actor, topic: TopicRecord, thread: str, hide: bool, note: str, at: str
) -> CommentRecord:
    item = _require_comment(db, topic.id, _check_thread(thread))
    if item.hidden == hide:
        already = msg("topic.comment_hidden_already") if hide else msg("topic.comment_not_hidden")
        raise InvalidInput(already, field="hide")
    log = log_entry("HIDE" if hide else "UNHIDE", actor.person_id, at, note, thread)
    return db.topics.moderate_comment(CommentModeration(topic.id, thread, hide, note, log))
