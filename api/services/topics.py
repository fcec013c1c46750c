"""Use cases of topics (党群议事): propose, publish, withdraw, merge, investigate, moderate,
set the vote rules. Voting lives in ``topic_votes``, discussion in ``topic_discussion``.

Each change of a topic is one unit of work (``TopicChange``): the topic conditioned on the
version it was read at, an append-only log entry, notices, and day counters of the unit and its
ancestors. A change that lost its condition to a concurrent one (a like, a vote) is re-read and
decided again (``retried``, next to the store that raises the conflict).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from api.domain import topics as rules
from api.domain.case_catalogue import check_category
from api.domain.clock import SHANGHAI, Clock, iso
from api.domain.errors import Archived, Forbidden, InvalidHierarchy, InvalidInput, NotFound
from api.domain.ids import new_id
from api.domain.messages import encode, msg
from api.domain.org import OrgKind, is_within, path_ids
from api.domain.roles import Permission
from api.domain.topics import Tally, TopicAction, TopicState
from api.records.topic import Investigation, TopicNoticeRecord, TopicPolicyRecord, TopicRecord
from api.services import topic_access
from api.services.actor import Actor
from api.store.db import Db
from api.store.topic_store import TopicChange, log_entry, retried

TOPIC_KINDS = frozenset({OrgKind.GRID, OrgKind.COMMUNITY})
LOCATION_KINDS = frozenset(
    {OrgKind.GRID, OrgKind.BUILDING, OrgKind.PARTY_HOUSEHOLD, OrgKind.UNIT_HOUSEHOLD}
)
CHANGED = msg("conflict.topic_reload")


def day_of(clock: Clock) -> str:
    return clock.now().astimezone(SHANGHAI).date().isoformat()


def notice(
    recipient: str, topic: TopicRecord, kind: str, message: str, at: str
) -> TopicNoticeRecord:
    return TopicNoticeRecord(
        recipient_id=recipient, topic_id=topic.id, title=topic.title, kind=kind,
        message=message, at=at,
    )  # fmt: skip


@dataclass(frozen=True)
class ProposeInput:
    unit_id: str
    title: str
    body: str
    category: str = "OTHER"
    location_unit_id: str | None = None
    draft: bool = False


def propose(db: Db, actor: Actor, clock: Clock, data: ProposeInput) -> TopicRecord:
    """A resident (or staff) raises a topic in their grid or community; the grid's branch
    secretary and the unit are notified."""
    person_id = actor.require_login()
    title = rules.text(data.title, "title", rules.TITLE_MAX)
    body = rules.text(data.body, "body", rules.BODY_MAX)
    category = check_category(data.category)
    unit = db.org_units.require(data.unit_id, field="unitId")
    if unit.kind not in TOPIC_KINDS:
        raise InvalidHierarchy(msg("topic.unit_level_one"), field="unitId")
    if unit.archived:
        raise Archived(msg("org.unit_archived"), field="unitId")
    topic_access.require_part_in(actor, unit.path)
    location = unit
    if data.location_unit_id is not None and data.location_unit_id != unit.id:
        location = db.org_units.require(data.location_unit_id, field="locationUnitId")
    if location.kind not in LOCATION_KINDS or not is_within(location.path, unit.path):
        raise InvalidHierarchy(
            msg("topic.place_within_unit"),
            field="locationUnitId",
        )
    at = iso(clock.now())
    state = TopicState.DRAFT if data.draft else TopicState.DISCUSSION
    person = actor.person
    topic = TopicRecord(
        id=new_id(), title=title, body=body, category=category, state=state, hidden=False,
        hidden_reason=None, unit_id=unit.id, unit_path=unit.path, unit_kind=unit.kind,
        location_unit_id=location.id, author_id=person_id,
        author_name=person.name if person else person_id, likes=0, comment_count=0,
        report_count=0, tally=Tally(), electorate=0, policy=None, voting_opens_at=None,
        voting_closes_at=None, feasible=None, investigation=None, decision_reason=None,
        quorum=None, decided_at=None, voters_notified=False, merged_into=None, case_id=None,
        case_code=None, due_at=None, created_at=at, updated_at=at, version=0,
    )  # fmt: skip
    change = TopicChange(topic, log=log_entry("PROPOSE", person_id, at, None))
    if state is TopicState.DISCUSSION:
        change = _announced(db, change, clock)
    return db.topics.save(change, msg("topic.exists_already"))


def _announced(db: Db, change: TopicChange, clock: Clock) -> TopicChange:
    """A topic opened for discussion: counted as raised; the unit and the grid's party branch
    secretary hear of it."""
    topic = change.topic
    at = iso(clock.now())
    message = encode(msg("topic.notice_proposed", title=topic.title))
    recipients = [topic.unit_id]
    if topic.unit_kind == OrgKind.GRID:
        grid = db.org_units.get(topic.unit_id)
        secretary = grid.grid.secretary_id if grid is not None and grid.grid else None
        if secretary is not None:
            recipients.append(secretary)
    return replace(
        change,
        notices=change.notices
        + tuple(notice(r, topic, "PROPOSED", message, at) for r in recipients),
        counters={"topics_raised": 1},
        counter_orgs=tuple(path_ids(topic.unit_path)),
        day=day_of(clock),
    )


def act(
    db: Db, actor: Actor, clock: Clock, topic_id: str, action: TopicAction,
    reason: str = "", merge_into: str | None = None,
) -> TopicRecord:  # fmt: skip
    """PUBLISH (author), WITHDRAW (author, before any vote), MERGE (guiding staff)."""
    if action not in (TopicAction.PUBLISH, TopicAction.WITHDRAW, TopicAction.MERGE):
        raise InvalidInput(msg("topic.use_open_voting"), field="action")
    note = rules.text(reason, "reason", rules.REASON_MAX, required=action is TopicAction.MERGE)

    def attempt() -> TopicRecord:
        topic = topic_access.load_for_action(db, actor, topic_id)
        if action is TopicAction.MERGE:
            topic_access.require_guide(actor, topic, msg("action.merge_topics"))
        elif actor.person_id != topic.author_id:
            raise Forbidden(msg("topic.author_only"))
        after = rules.transition(topic.as_rules(), action)
        target: TopicRecord | None = None
        if action is TopicAction.MERGE:
            target = _merge_target(db, actor, topic, merge_into)
        at = iso(clock.now())
        changed = replace(
            topic,
            state=after.state,
            updated_at=at,
            merged_into=target.id if target is not None else topic.merged_into,
            # a vote withdrawn before any ballot: its window timer goes too
            due_at=None if action is TopicAction.WITHDRAW else topic.due_at,
        )
        change = TopicChange(
            changed,
            log=log_entry(action.value, actor.person_id, at, note or None,
                          target.id if target else None),
        )  # fmt: skip
        if action is TopicAction.PUBLISH:
            change = _announced(db, change, clock)
        return db.topics.save(change, CHANGED)

    return retried(attempt)


def _merge_target(db: Db, actor: Actor, topic: TopicRecord, merge_into: str | None) -> TopicRecord:
    if merge_into is None or merge_into == topic.id:
        raise InvalidInput(msg("topic.merge_target_needed"), field="mergeIntoId")
    target = db.topics.get(merge_into)
    if target is None or not topic_access.guides(actor, target):
        raise NotFound(msg("topic.merge_target_missing"), field="mergeIntoId")
    if target.state not in (TopicState.DISCUSSION, TopicState.VOTING):
        raise InvalidInput(msg("topic.merge_target_state"), field="mergeIntoId")
    return target


def record_investigation(
    db: Db, actor: Actor, clock: Clock, topic_id: str, findings: str, feasible: bool,
    on: date,
) -> TopicRecord:  # fmt: skip
    """入户调研: the grid party branch's door-to-door findings; adoption needs feasible."""
    text = rules.text(findings, "findings", rules.FINDINGS_MAX)

    def attempt() -> TopicRecord:
        topic = topic_access.load_for_action(db, actor, topic_id)
        topic_access.require_guide(actor, topic, msg("action.record_investigations"))
        if topic.state not in (TopicState.DISCUSSION, TopicState.VOTING):
            raise rules.InvalidTopicTransition(
                topic.as_rules(), TopicAction.CLOSE_VOTING,
                msg("topic.why_investigation_time"),
            )  # fmt: skip
        if on > clock.now().astimezone(SHANGHAI).date():
            raise InvalidInput(msg("topic.investigation_future"), field="date")
        at = iso(clock.now())
        found = Investigation(text, feasible, on.isoformat(), actor.person_id, at)
        changed = replace(topic, feasible=feasible, investigation=found, updated_at=at)
        finding = text[:200]
        note = encode(
            msg("topic.note_feasible", text=finding)
            if feasible
            else msg("topic.note_infeasible", text=finding)
        )
        log = log_entry("INVESTIGATE", actor.person_id, at, note)
        return db.topics.save(TopicChange(changed, log=log), CHANGED)

    return retried(attempt)


def moderate(
    db: Db, actor: Actor, clock: Clock, topic_id: str, comment_thread: str | None, hide: bool,
    reason: str,
) -> TopicRecord:  # fmt: skip
    """Hide (with a reason) or show again a topic or one of its comments; logged."""
    note = rules.text(reason, "reason", rules.REASON_MAX)
    from api.services.topic_discussion import moderate_comment

    def attempt() -> TopicRecord:
        topic = topic_access.load_for_action(db, actor, topic_id)
        topic_access.require_guide(actor, topic, msg("action.moderate"))
        at = iso(clock.now())
        if comment_thread is not None:
            moderate_comment(db, actor, topic, comment_thread, hide, note, at)
            return topic
        if topic.hidden == hide:
            already = msg("topic.hidden_already") if hide else msg("topic.not_hidden")
            raise InvalidInput(already, field="hide")
        changed = replace(
            topic,
            hidden=hide,
            hidden_reason=note if hide else None,
            # reviewed: reports so far are settled
            report_count=topic.report_count if hide else 0,
            updated_at=at,
        )
        log = log_entry("HIDE" if hide else "UNHIDE", actor.person_id, at, note)
        return db.topics.save(TopicChange(changed, log=log), CHANGED)

    return retried(attempt)


def set_policy(
    db: Db, actor: Actor, clock: Clock, unit_id: str, policy: rules.VotePolicy
) -> TopicPolicyRecord:
    """A grid's (community's, district's) vote rules; applies to votes opened afterwards."""
    policy.check()
    unit = db.org_units.require(unit_id, field="unitId")
    actor.require(Permission.MANAGE_ORG, unit.path, msg("action.set_vote_rules"))
    if unit.kind in (OrgKind.BUILDING, OrgKind.PARTY_HOUSEHOLD, OrgKind.UNIT_HOUSEHOLD):
        raise InvalidHierarchy(msg("topic.vote_rules_level"), field="unitId")
    record = TopicPolicyRecord(unit.id, policy, actor.person_id, iso(clock.now()))
    return db.topics.set_policy(record)
