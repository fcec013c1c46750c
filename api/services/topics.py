"""Use cases of topics (党群议事): propose, publish, withdraw, merge, investigate, moderate,
set the vote rules. Voting lives in ``topic_votes``, discussion in ``topic_discussion``.

Each change of a topic is one transaction: the topic conditioned on the version it was read at,
an append-only log entry, notices, and day counters of the unit and its ancestors.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from api.domain import topics as rules
from api.domain.case_catalogue import check_category
from api.domain.clock import SHANGHAI, Clock, iso
from api.domain.errors import (
    Archived,
    Conflict,
    Forbidden,
    InvalidHierarchy,
    InvalidInput,
    NotFound,
)
from api.domain.ids import new_id
from api.domain.org import OrgKind, is_within, path_ids
from api.domain.roles import Permission
from api.domain.topics import TopicAction, TopicState
from api.services import org_units, topic_access
from api.services.actor import Actor
from api.store.db import Db
from api.store.topic_models import TopicItem, TopicPolicyItem, author_pk, newest_sk, policy_key
from api.store.topic_store import (
    TopicChange,
    get_topic,
    index_topic,
    insert_topic,
    load_policy,
    log_item,
    notice_item,
    save_topic,
)

TOPIC_KINDS = frozenset({OrgKind.GRID, OrgKind.COMMUNITY})
LOCATION_KINDS = frozenset(
    {OrgKind.GRID, OrgKind.BUILDING, OrgKind.PARTY_HOUSEHOLD, OrgKind.UNIT_HOUSEHOLD}
)
RETRIES = 6

T = TypeVar("T")


def retried(attempt: Callable[[], T]) -> T:
    """Run a read-decide-write attempt again when a concurrent change (a like, a vote) moved
    the topic's version under it; the last attempt's Conflict goes to the caller."""
    for tries in range(RETRIES - 1):
        try:
            return attempt()
        except Conflict:
            backoff(tries)
    return attempt()


def backoff(tries: int) -> None:
    """A short random pause before retrying a lost condition or a transaction conflict
    (simultaneous transactions on one item cancel each other), so retries spread out."""
    time.sleep(random.uniform(0, 0.01 * 2**tries))


def to_domain(topic: TopicItem) -> rules.Topic:
    cast = int(topic.votes_for or 0) + int(topic.votes_against or 0)
    cast += int(topic.votes_abstain or 0)
    return rules.Topic(TopicState(topic.state), bool(topic.hidden), cast)


def day_of(clock: Clock) -> str:
    return clock.now().astimezone(SHANGHAI).date().isoformat()


def policy_for(unit_path: str) -> rules.VotePolicy:
    return load_policy(reversed(path_ids(unit_path)))


@dataclass(frozen=True)
class ProposeInput:
    unit_id: str
    title: str
    body: str
    category: str = "OTHER"
    location_unit_id: str | None = None
    draft: bool = False


def _grid_secretary(unit_id: str) -> str | None:
    unit = org_units.get_unit(unit_id)
    if unit is None or unit.grid is None:
        return None
    secretary: str | None = unit.grid.secretary_id
    return secretary


def propose(db: Db, actor: Actor, clock: Clock, data: ProposeInput) -> TopicItem:
    """A resident (or staff) raises a topic in their grid or community; the grid's branch
    secretary and the unit are notified."""
    person_id = actor.require_login()
    title = rules.text(data.title, "title", rules.TITLE_MAX)
    body = rules.text(data.body, "body", rules.BODY_MAX)
    category = check_category(data.category)
    unit = org_units.require_unit(data.unit_id, field="unitId")
    if OrgKind(unit.kind) not in TOPIC_KINDS:
        raise InvalidHierarchy("A topic belongs to a grid or a community", field="unitId")
    if unit.archived:
        raise Archived("The unit is archived", field="unitId")
    topic_access.require_part_in(actor, unit.path)
    location = unit
    if data.location_unit_id is not None and data.location_unit_id != unit.id:
        location = org_units.require_unit(data.location_unit_id, field="locationUnitId")
    if OrgKind(location.kind) not in LOCATION_KINDS or not is_within(location.path, unit.path):
        raise InvalidHierarchy(
            "Name where it is: a grid, building or household within the topic's unit",
            field="locationUnitId",
        )
    now = clock.now()
    at = iso(now)
    topic_id = new_id()
    state = TopicState.DRAFT if data.draft else TopicState.DISCUSSION
    person = actor.person
    topic = TopicItem(
        *_key(topic_id),
        id=topic_id, title=title, body=body, category=category, state=state.value,
        hidden=False, unit_id=unit.id, unit_path=unit.path, unit_kind=unit.kind,
        location_unit_id=location.id, author_id=person_id,
        author_name=person.name if person else person_id,
        likes=0, comment_count=0, report_count=0, votes_for=0, votes_against=0,
        votes_abstain=0, electorate=0, created_at=at, updated_at=at,
        gsi3pk=author_pk(person_id), gsi3sk=newest_sk(at, topic_id),
    )  # fmt: skip
    index_topic(topic)
    change = TopicChange(log=log_item(topic_id, "PROPOSE", person_id, at, None))
    if state is TopicState.DISCUSSION:
        _announce(topic, change, clock)
    insert_topic(db, topic, change)
    return topic


def _key(topic_id: str) -> tuple[str, str]:
    from api.store.topic_models import topic_key

    return topic_key(topic_id)


def _announce(topic: TopicItem, change: TopicChange, clock: Clock) -> None:
    """A topic opened for discussion: counted as raised; the unit and the grid's party branch
    secretary hear of it."""
    at = iso(clock.now())
    message = f"新议题: {topic.title}"
    recipients = [topic.unit_id]
    secretary = _grid_secretary(topic.unit_id) if topic.unit_kind == OrgKind.GRID else None
    if secretary is not None:
        recipients.append(secretary)
    change.notices += [notice_item(r, topic, "PROPOSED", message, at) for r in recipients]
    change.counters["topics_raised"] = 1
    change.counter_orgs = path_ids(topic.unit_path)
    change.day = day_of(clock)


def act(
    db: Db, actor: Actor, clock: Clock, topic_id: str, action: TopicAction,
    reason: str = "", merge_into: str | None = None,
) -> TopicItem:  # fmt: skip
    """PUBLISH (author), WITHDRAW (author, before any vote), MERGE (guiding staff)."""
    if action not in (TopicAction.PUBLISH, TopicAction.WITHDRAW, TopicAction.MERGE):
        raise InvalidInput("Use openTopicVoting to open the vote", field="action")
    note = rules.text(reason, "reason", rules.REASON_MAX, required=action is TopicAction.MERGE)

    def attempt() -> TopicItem:
        topic = topic_access.load_for_action(actor, topic_id)
        if action is TopicAction.MERGE:
            topic_access.require_guide(actor, topic, "merge topics")
        elif actor.person_id != topic.author_id:
            raise Forbidden("Only the author may do this")
        before = to_domain(topic)
        after = rules.transition(before, action)
        target: TopicItem | None = None
        if action is TopicAction.MERGE:
            target = _merge_target(actor, topic, merge_into)
        at = iso(clock.now())
        topic.state = after.state.value
        topic.updated_at = at
        if target is not None:
            topic.merged_into = target.id
        if action is TopicAction.WITHDRAW:
            topic.duepk = None  # a vote withdrawn before any ballot: its window timer goes too
            topic.duesk = None
        index_topic(topic)
        change = TopicChange(
            log=log_item(
                topic.id,
                action.value,
                actor.person_id,
                at,
                note or None,
                target.id if target else None,
            )
        )
        if action is TopicAction.PUBLISH:
            _announce(topic, change, clock)
        save_topic(db, topic, change, "The topic changed meanwhile; reload and retry")
        return topic

    return retried(attempt)


def _merge_target(actor: Actor, topic: TopicItem, merge_into: str | None) -> TopicItem:
    if merge_into is None or merge_into == topic.id:
        raise InvalidInput("Name another topic to merge into", field="mergeIntoId")
    target = get_topic(merge_into)
    if target is None or not topic_access.guides(actor, target):
        raise NotFound("No such topic to merge into", field="mergeIntoId")
    if target.state not in (TopicState.DISCUSSION, TopicState.VOTING):
        raise InvalidInput("Merge into a topic still under discussion", field="mergeIntoId")
    return target


def record_investigation(
    db: Db, actor: Actor, clock: Clock, topic_id: str, findings: str, feasible: bool,
    on: date,
) -> TopicItem:  # fmt: skip
    """入户调研: the grid party branch's door-to-door findings; adoption needs feasible."""
    text = rules.text(findings, "findings", rules.FINDINGS_MAX)

    def attempt() -> TopicItem:
        topic = topic_access.load_for_action(actor, topic_id)
        topic_access.require_guide(actor, topic, "record investigations")
        if topic.state not in (TopicState.DISCUSSION, TopicState.VOTING):
            raise rules.InvalidTopicTransition(
                to_domain(topic), TopicAction.CLOSE_VOTING,
                "investigations are recorded during discussion or voting",
            )  # fmt: skip
        if on > clock.now().astimezone(SHANGHAI).date():
            raise InvalidInput("The investigation date is in the future", field="date")
        at = iso(clock.now())
        topic.feasible = feasible
        topic.investigation = {
            "findings": text, "feasible": feasible, "date": on.isoformat(),
            "by": actor.person_id, "at": at,
        }  # fmt: skip
        topic.updated_at = at
        note = f"{'可行' if feasible else '不可行'}: {text[:200]}"
        change = TopicChange(log=log_item(topic.id, "INVESTIGATE", actor.person_id, at, note))
        save_topic(db, topic, change, "The topic changed meanwhile; reload and retry")
        return topic

    return retried(attempt)


def moderate(
    db: Db, actor: Actor, clock: Clock, topic_id: str, comment_thread: str | None, hide: bool,
    reason: str,
) -> TopicItem:  # fmt: skip
    """Hide (with a reason) or show again a topic or one of its comments; logged."""
    note = rules.text(reason, "reason", rules.REASON_MAX)
    from api.services.topic_discussion import moderate_comment

    def attempt() -> TopicItem:
        topic = topic_access.load_for_action(actor, topic_id)
        topic_access.require_guide(actor, topic, "moderate")
        at = iso(clock.now())
        if comment_thread is not None:
            moderate_comment(db, actor, topic, comment_thread, hide, note, at)
            return topic
        if bool(topic.hidden) == hide:
            raise InvalidInput(
                "The topic is hidden already" if hide else "The topic is not hidden",
                field="hide",
            )
        topic.hidden = hide
        topic.hidden_reason = note if hide else None
        if not hide:
            topic.report_count = 0  # reviewed: reports so far are settled
        topic.updated_at = at
        change = TopicChange(
            log=log_item(topic.id, "HIDE" if hide else "UNHIDE", actor.person_id, at, note)
        )
        save_topic(db, topic, change, "The topic changed meanwhile; reload and retry")
        return topic

    return retried(attempt)


def set_policy(
    db: Db, actor: Actor, clock: Clock, unit_id: str, policy: rules.VotePolicy
) -> TopicPolicyItem:
    """A grid's (community's, district's) vote rules; applies to votes opened afterwards."""
    policy.check()
    unit = org_units.require_unit(unit_id, field="unitId")
    actor.require(Permission.MANAGE_ORG, unit.path, "set topic vote rules")
    if unit.kind in (OrgKind.BUILDING, OrgKind.PARTY_HOUSEHOLD, OrgKind.UNIT_HOUSEHOLD):
        raise InvalidHierarchy("Vote rules are set on a grid or above", field="unitId")
    item = TopicPolicyItem(
        *policy_key(unit.id),
        unit_id=unit.id,
        policy=policy_json(policy),
        set_by=actor.person_id,
        set_at=iso(clock.now()),
    )
    item.update(
        actions=[
            TopicPolicyItem.type.set(TopicPolicyItem),
            TopicPolicyItem.unit_id.set(unit.id),
            TopicPolicyItem.policy.set(item.policy),
            TopicPolicyItem.set_by.set(item.set_by),
            TopicPolicyItem.set_at.set(item.set_at),
        ],
        add_version_condition=False,
    )
    return item


def policy_json(policy: rules.VotePolicy) -> dict[str, float | int]:
    return {
        "quorum_share": policy.quorum_share,
        "quorum_count": policy.quorum_count,
        "majority_share": policy.majority_share,
        "window_hours": policy.window_hours,
        "report_threshold": policy.report_threshold,
    }
