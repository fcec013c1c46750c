"""Who may do what with a topic.

- Topics are public: anyone may read a topic that is not hidden, its comments and its tally.
- Residents registered in the topic's unit (home unit within it) and staff guiding topics there
  (GUIDE_TOPICS on the unit: grid secretary, instructor, grid worker, community staff, admins)
  take part: propose, comment, like, report.
- Staff guiding topics there open votes, record investigations, enter offline ballots, merge
  and moderate; the author withdraws.
- Votes: only the electorate snapshotted when voting opened.
"""

from __future__ import annotations

from api.domain.errors import Forbidden, NotFound, TopicHidden
from api.domain.messages import Message, msg
from api.domain.org import is_within
from api.domain.roles import Permission
from api.domain.topics import TopicState
from api.records.topic import TopicRecord
from api.services.actor import Actor
from api.store.db import Db

NO_SUCH_TOPIC = msg("topic.not_found")


def is_resident(actor: Actor, unit_path: str) -> bool:
    home = actor.person.home_path if actor.person is not None else None
    return home is not None and is_within(home, unit_path)


def guides(actor: Actor, topic: TopicRecord) -> bool:
    return actor.can(Permission.GUIDE_TOPICS, topic.unit_path)


def takes_part(actor: Actor, unit_path: str) -> bool:
    return is_resident(actor, unit_path) or actor.can(Permission.GUIDE_TOPICS, unit_path)


def can_see(actor: Actor, topic: TopicRecord) -> bool:
    """Drafts (not yet published) and hidden topics are visible to their author and to the
    unit's guides (moderators) only."""
    if not topic.hidden and topic.state is not TopicState.DRAFT:
        return True
    return actor.person_id == topic.author_id or guides(actor, topic)


def load_for_reading(
    db: Db, actor: Actor, topic_id: str, consistent: bool = False
) -> TopicRecord | None:
    topic = db.topics.get(topic_id, consistent=consistent)
    if topic is None or not can_see(actor, topic):
        return None
    return topic


def load_for_action(db: Db, actor: Actor, topic_id: str) -> TopicRecord:
    """The topic, read consistently, for a signed-in caller; hidden topics refuse all but
    moderation."""
    actor.require_login()
    topic = db.topics.get(topic_id)
    if topic is None:
        raise NotFound(NO_SUCH_TOPIC, field="topicId")
    return topic


def require_visible(topic: TopicRecord) -> None:
    if topic.hidden:
        raise TopicHidden(msg("topic.hidden"), field="topicId")


def require_part(actor: Actor, topic: TopicRecord) -> None:
    if not takes_part(actor, topic.unit_path):
        raise Forbidden(msg("topic.unit_members_only"))


def require_guide(actor: Actor, topic: TopicRecord, what: Message) -> None:
    if not guides(actor, topic):
        raise Forbidden(msg("topic.staff_only", what=what))


def require_part_in(actor: Actor, unit_path: str) -> None:
    if not takes_part(actor, unit_path):
        raise Forbidden(msg("topic.unit_members_only_any"))
