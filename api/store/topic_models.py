"""PynamoDB models of topics and votes (党群议事). Key design: api/store/README.md, "Topics".

One partition per topic holds the topic, its comments (threads sort together), likes, reports,
the electorate snapshot, the votes and the moderation log: the topic page, its first comments,
its tally and the caller's vote come back from one Query.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from api.store.json_attribute import JSONAttribute
from api.store.models import META, Item


class TopicItem(Item, discriminator="Topic"):
    """``TOPIC#<id>`` / ``#META``; gsi1 newest by state, gsi2 most liked by state, gsi3 the
    author's topics; ``due`` while the voting window is open (and until the case is linked)."""

    id = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    category = UnicodeAttribute()
    state = UnicodeAttribute()
    hidden = BooleanAttribute(default=False)
    hidden_reason = UnicodeAttribute(null=True)
    unit_id = UnicodeAttribute()
    unit_path = UnicodeAttribute()
    unit_kind = UnicodeAttribute()
    location_unit_id = UnicodeAttribute()
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute()
    likes = NumberAttribute(default=0)
    comment_count = NumberAttribute(default=0)
    report_count = NumberAttribute(default=0)
    votes_for = NumberAttribute(default=0)
    votes_against = NumberAttribute(default=0)
    votes_abstain = NumberAttribute(default=0)
    electorate = NumberAttribute(default=0)
    policy = JSONAttribute(null=True)  # the VotePolicy in force, frozen when voting opens
    voting_opens_at = UnicodeAttribute(null=True)
    voting_closes_at = UnicodeAttribute(null=True)
    feasible = BooleanAttribute(null=True)
    investigation = JSONAttribute(null=True)  # {findings, feasible, date, by}
    decision_reason = UnicodeAttribute(null=True)
    quorum = NumberAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)  # when the window's close decided (notice keys)
    # The voters have been told the result: until then the topic stays in the due index, so a
    # sweep that stopped after the decision is finished by the next one.
    voters_notified = BooleanAttribute(default=False)
    merged_into = UnicodeAttribute(null=True)
    case_id = UnicodeAttribute(null=True)
    case_code = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class TopicCommentItem(Item, discriminator="TopicComment"):
    """``TOPIC#<id>`` / ``COMMENT#<thread>`` with thread ``<at>#<id>`` for a comment and
    ``<parent thread>#R#<at>#<id>`` for a reply: replies sort right after their comment."""

    id = UnicodeAttribute()
    topic_id = UnicodeAttribute()
    parent_id = UnicodeAttribute(null=True)
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute()
    party_badge = BooleanAttribute(default=False)  # 亮身份: shown, never weighted
    body = UnicodeAttribute()
    likes = NumberAttribute(default=0)
    report_count = NumberAttribute(default=0)
    hidden = BooleanAttribute(default=False)
    hidden_reason = UnicodeAttribute(null=True)
    at = UnicodeAttribute()


class TopicMarkItem(Item, discriminator="TopicMark"):
    """``TOPIC#<id>`` / ``LIKE#<target>#<person>`` or ``REPORT#<target>#<person>``: one like
    (or report) per person and target (``TOPIC`` or a comment id), put if absent."""

    person_id = UnicodeAttribute()
    target = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    at = UnicodeAttribute()


class ElectorItem(Item, discriminator="Elector"):
    """``TOPIC#<id>`` / ``ELECTOR#<person>``: the electorate, snapshotted when voting opens."""

    person_id = UnicodeAttribute()


class VoteItem(Item, discriminator="TopicVote"):
    """``TOPIC#<id>`` / ``VOTE#<person>``: one per person, online or offline alike; gsi3
    ``VOTER#<person>`` lists the topics a person voted on."""

    topic_id = UnicodeAttribute()
    person_id = UnicodeAttribute()
    choice = UnicodeAttribute()
    origin = UnicodeAttribute()
    entered_by = UnicodeAttribute(null=True)
    changes = NumberAttribute(default=0)
    at = UnicodeAttribute()


class TopicLogItem(Item, discriminator="TopicLog"):
    """``TOPIC#<id>`` / ``LOG#<at>#<id>``: state changes, investigation and moderation,
    append-only (put if absent). Keyed by time, not by a sequence on the topic, so a log entry
    (an automatic hide of a comment) needs no write to the topic item."""

    action = UnicodeAttribute()
    actor_id = UnicodeAttribute(null=True)
    target = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    at = UnicodeAttribute()


class TopicPolicyItem(Item, discriminator="TopicPolicy"):
    """``TOPICPOLICY#<unit>`` / ``#META``: a grid's (or community's, or district's) vote rules."""

    unit_id = UnicodeAttribute()
    policy = JSONAttribute()
    set_by = UnicodeAttribute(null=True)
    set_at = UnicodeAttribute()


class TopicNoticeItem(Item, discriminator="TopicNotice"):
    """``TNOTICE#<person or unit>`` / ``<at>#<topic>#<kind>``: notifications of topics."""

    recipient_id = UnicodeAttribute()
    topic_id = UnicodeAttribute()
    title = UnicodeAttribute()
    kind = UnicodeAttribute()
    message = UnicodeAttribute()
    at = UnicodeAttribute()


def topic_pk(topic_id: str) -> str:
    return f"TOPIC#{topic_id}"


def topic_key(topic_id: str) -> tuple[str, str]:
    return topic_pk(topic_id), META


def comment_sk(thread: str) -> str:
    return f"COMMENT#{thread}"


def like_sk(target: str, person_id: str) -> str:
    return f"LIKE#{target}#{person_id}"


def report_sk(target: str, person_id: str) -> str:
    return f"REPORT#{target}#{person_id}"


def elector_sk(person_id: str) -> str:
    return f"ELECTOR#{person_id}"


def vote_sk(person_id: str) -> str:
    return f"VOTE#{person_id}"


def log_sk(at: str, entry_id: str) -> str:
    return f"LOG#{at}#{entry_id}"


def policy_key(unit_id: str) -> tuple[str, str]:
    return f"TOPICPOLICY#{unit_id}", META


def by_state_pk(unit_id: str, state: str) -> str:
    return f"TOPICS#{unit_id}#{state}"


def newest_sk(created_at: str, topic_id: str) -> str:
    return f"{created_at}#{topic_id}"


def support_sk(likes: int, topic_id: str) -> str:
    return f"{likes:09d}#{topic_id}"


def author_pk(person_id: str) -> str:
    return f"AUTHOR#{person_id}"


def voter_pk(person_id: str) -> str:
    return f"VOTER#{person_id}"


def notice_pk(recipient_id: str) -> str:
    return f"TNOTICE#{recipient_id}"


def notice_key(recipient_id: str, at: str, topic_id: str, kind: str) -> tuple[str, str]:
    return notice_pk(recipient_id), f"{at}#{topic_id}#{kind}"


TOPIC_TARGET = "TOPIC"
