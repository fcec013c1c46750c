"""Discussion of a topic: comments threaded one level, likes (one per person and target),
reports by users (a target is hidden automatically after the policy's number of reports,
pending review), and the moderators' hide/show of a comment.

A party member who opted in (亮身份) has the badge shown on their comments; it carries no
weight anywhere (a like or a vote counts the same).
"""

from __future__ import annotations

from typing import Any

from pynamodb.expressions.update import Action

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
from api.domain.topics import TopicState
from api.services import topic_access
from api.services.actor import Actor
from api.services.topics import policy_for, retried
from api.store.db import Db
from api.store.topic_models import (
    TOPIC_TARGET,
    TopicCommentItem,
    TopicItem,
    TopicMarkItem,
    comment_sk,
    like_sk,
    report_sk,
    support_sk,
    topic_pk,
)
from api.store.topic_store import get_comment, get_topic, log_item, mark_exists

DISCUSSABLE = frozenset({TopicState.DRAFT, TopicState.DISCUSSION, TopicState.VOTING})
THREAD_MAX = 200  # characters of a thread key a client may send back


def _open_topic(actor: Actor, topic_id: str) -> TopicItem:
    topic = topic_access.load_for_action(actor, topic_id)
    topic_access.require_visible(topic)
    topic_access.require_part(actor, topic)
    return topic


def _check_thread(thread: str) -> str:
    if not thread or len(thread) > THREAD_MAX or "COMMENT#" in thread:
        raise InvalidInput("Not a comment of this topic", field="commentId")
    return thread


def comment(
    db: Db, actor: Actor, clock: Clock, topic_id: str, body: str, reply_to: str | None = None
) -> TopicCommentItem:
    """A comment on the topic, or a reply to a top-level comment (one level only)."""
    text = rules.text(body, "body", rules.COMMENT_MAX)
    topic = _open_topic(actor, topic_id)
    if TopicState(topic.state) not in DISCUSSABLE:
        raise DomainError(
            f"Discussion is closed: the topic is {topic.state}",
            field="topicId",
            code=ErrorCode.INVALID_TRANSITION,
        )
    at = iso(clock.now())
    comment_id = new_id()
    thread = f"{at}#{comment_id}"
    parent_id: str | None = None
    if reply_to is not None:
        parent = get_comment(topic.id, _check_thread(reply_to))
        if parent is None:
            raise NotFound("No such comment to reply to", field="replyToId")
        if parent.parent_id is not None:
            raise InvalidInput(
                "Replies are one level deep: reply to the comment", field="replyToId"
            )
        if parent.hidden:
            raise InvalidInput("The comment is hidden", field="replyToId")
        parent_id = parent.id
        thread = f"{reply_to}#R#{at}#{comment_id}"
    person = actor.person
    badge = bool(person is not None and person.is_party_member and person.party_badge)
    item = TopicCommentItem(
        topic_pk(topic.id), comment_sk(thread),
        id=thread, topic_id=topic.id, parent_id=parent_id,
        author_id=actor.person_id, author_name=person.name if person else "",
        party_badge=badge, body=text, likes=0, report_count=0, hidden=False, at=at,
    )  # fmt: skip
    with db.transaction("The topic changed meanwhile") as tx:
        tx.save(item, condition=TopicCommentItem.sk.does_not_exist())
        tx.update(
            topic,
            actions=[TopicItem.comment_count.add(1)],
            condition=TopicItem.hidden == False,  # noqa: E712
            add_version_condition=False,
        )
    return item


def like(db: Db, actor: Actor, clock: Clock, topic_id: str, thread: str | None) -> TopicItem:
    """One like per person on the topic or a comment; the topic's support order follows."""
    person_id = actor.require_login()
    target = TOPIC_TARGET if thread is None else _check_thread(thread)
    mark_key = like_sk(target, person_id)

    def attempt() -> TopicItem:
        topic = _open_topic(actor, topic_id)
        if mark_exists(topic.id, mark_key):
            raise AlreadyExists("You like this already", field="commentId" if thread else None)
        mark = TopicMarkItem(
            topic_pk(topic.id), mark_key, person_id=person_id, target=target,
            at=iso(clock.now()),
        )  # fmt: skip
        try:
            with db.transaction("The topic changed meanwhile") as tx:
                tx.save(mark, condition=TopicMarkItem.sk.does_not_exist())
                if thread is None:
                    tx.update(
                        topic,
                        actions=[TopicItem.likes.add(1)],
                        condition=TopicItem.hidden == False,  # noqa: E712
                        add_version_condition=False,
                    )
                else:
                    _require_comment(topic.id, target)
                    tx.update(
                        TopicCommentItem(topic_pk(topic.id), comment_sk(target)),
                        actions=[TopicCommentItem.likes.add(1)],
                        condition=TopicCommentItem.sk.exists(),
                        add_version_condition=False,
                    )
        except Conflict:
            if mark_exists(topic.id, mark_key):
                raise AlreadyExists(
                    "You like this already", field="commentId" if thread else None
                ) from None
            raise
        fresh = get_topic(topic.id) or topic
        if thread is None:
            _resort(fresh)
        return fresh

    return retried(attempt)


def _resort(topic: TopicItem) -> None:
    """Move the topic to its place in the most-liked order. Conditioned on the count just
    read: of simultaneous likes, the last one's re-sort is the one that lands."""
    likes = int(topic.likes or 0)
    try:
        topic.update(
            actions=[TopicItem.gsi2sk.set(support_sk(likes, topic.id))],
            condition=TopicItem.likes == likes,
            add_version_condition=False,
        )
    except Exception as error:
        from pynamodb.exceptions import UpdateError

        if not isinstance(error, UpdateError):
            raise


def _require_comment(topic_id: str, thread: str) -> TopicCommentItem:
    found = get_comment(topic_id, thread)
    if found is None:
        raise NotFound("No such comment", field="commentId")
    return found


def report(
    db: Db, actor: Actor, clock: Clock, topic_id: str, thread: str | None, reason: str
) -> bool:
    """A user reports the topic or a comment; returns whether the target is hidden now."""
    person_id = actor.require_login()
    note = rules.text(reason, "reason", rules.REASON_MAX)
    target = TOPIC_TARGET if thread is None else _check_thread(thread)
    mark_key = report_sk(target, person_id)

    def attempt() -> bool:
        topic = topic_access.load_for_action(actor, topic_id)
        topic_access.require_part(actor, topic)
        if mark_exists(topic.id, mark_key):
            raise AlreadyExists("You reported this already", field="commentId" if thread else None)
        threshold = policy_for(topic.unit_path).report_threshold
        at = iso(clock.now())
        subject: Any = topic if thread is None else _require_comment(topic.id, target)
        model: Any = TopicItem if thread is None else TopicCommentItem
        count = int(subject.report_count or 0) + 1
        hide = count >= threshold and not subject.hidden
        actions = [model.report_count.set(count)]
        if hide:
            actions += [
                model.hidden.set(True),
                model.hidden_reason.set(f"{count} reports: hidden pending review"),
            ]
        mark = TopicMarkItem(
            topic_pk(topic.id), mark_key, person_id=person_id, target=target, reason=note, at=at
        )
        with db.transaction("The topic changed meanwhile") as tx:
            tx.save(mark, condition=TopicMarkItem.sk.does_not_exist())
            tx.update(
                subject,
                actions=actions,
                condition=model.report_count == int(subject.report_count or 0),
                add_version_condition=False,
            )
            if hide:
                tx.save(log_item(topic.id, "AUTO_HIDE", None, at, note, target))
        return bool(hide or subject.hidden)

    return retried(attempt)


def moderate_comment(
    db: Db, actor: Actor, topic: TopicItem, thread: str, hide: bool, note: str, at: str
) -> TopicCommentItem:
    item = _require_comment(topic.id, _check_thread(thread))
    if bool(item.hidden) == hide:
        raise InvalidInput(
            "The comment is hidden already" if hide else "The comment is not hidden", field="hide"
        )
    actions: list[Action] = [
        TopicCommentItem.hidden.set(hide),
        TopicCommentItem.hidden_reason.set(note)
        if hide
        else TopicCommentItem.hidden_reason.remove(),
    ]
    if not hide:
        actions.append(TopicCommentItem.report_count.set(0))
    with db.transaction("The comment changed meanwhile") as tx:
        tx.update(item, actions=actions, add_version_condition=False)
        tx.save(log_item(topic.id, "HIDE" if hide else "UNHIDE", actor.person_id, at, note, thread))
    return item
