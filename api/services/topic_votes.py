"""Votes on topics: open the window (snapshot the electorate), cast or change a vote online,
enter offline (door-to-door) ballots, and close the window when its timer fires.

One vote per person and topic: the vote item ``VOTE#<person>`` is put if absent (or changed
only from the choice it was read with), in one transaction with the atomic counters on the
topic and a check that the person is in the electorate. Offline ballots use the same key, so a
person never counts twice. The topic's update carries the window conditions (state VOTING, not
hidden, closing time still ahead), so a vote racing the close either lands before it — and the
close, conditioned on the topic's version, re-reads and counts it — or is refused.

Closing is a timer on the ``due`` index (``escalation.OTHER_TIMERS["TOPIC"]``): the topic
carries ``duepk``/``duesk`` while its window is open. The close first decides (one conditional
write freezes the tally and notifies the author and the unit), then tells the voters, then —
when adopted — opens the case. The topic keeps its timer until the last step is done, so a crash
in between is finished by the next sweep; voters' notices have fixed keys (a retry rewrites
them) and the case is created once (the topic id is its idempotency key).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from api.domain import topics as rules
from api.domain.clock import SHANGHAI, Clock, iso
from api.domain.errors import (
    AlreadyExists,
    Conflict,
    NotEligible,
    NotFound,
    TopicHidden,
    VotingClosed,
)
from api.domain.messages import decode, encode, msg
from api.domain.org import path_ids
from api.domain.topics import TopicAction, TopicState, VoteChoice, VoteOrigin
from api.records.topic import TopicRecord, VoteRecord
from api.services import topic_access
from api.services.actor import Actor
from api.services.topics import CHANGED, notice
from api.store.db import Db
from api.store.topic_store import Ballot, CaseLink, TopicChange, backoff, log_entry, retried


def open_voting(db: Db, actor: Actor, clock: Clock, topic_id: str) -> TopicRecord:
    """The guiding staff open the vote: electorate snapshot, policy frozen, timer set."""
    topic = topic_access.load_for_action(db, actor, topic_id)
    topic_access.require_guide(actor, topic, msg("action.open_votes"))
    rules.transition(topic.as_rules(), TopicAction.OPEN_VOTING)  # refuses early, before writes
    db.org_units.require(topic.unit_id, field="topicId")
    electors = db.topics.residents_under(topic.unit_id)
    db.topics.put_electors(topic.id, electors)  # idempotent: a retry writes the same snapshot
    policy = db.topics.policy_for(topic.unit_path)

    def attempt() -> TopicRecord:
        current = topic_access.load_for_action(db, actor, topic_id)
        rules.transition(current.as_rules(), TopicAction.OPEN_VOTING)
        now = clock.now()
        at = iso(now)
        closes = iso(policy.closes_at(now))
        quorum = policy.quorum(len(electors))
        changed = replace(
            current, state=TopicState.VOTING, electorate=len(electors), policy=policy,
            quorum=quorum, voting_opens_at=at, voting_closes_at=closes, updated_at=at,
            due_at=closes,
        )  # fmt: skip
        note = encode(
            msg("topic.note_voting_opened", electorate=len(electors), quorum=quorum, closes=closes)
        )
        change = TopicChange(
            changed,
            log=log_entry("OPEN_VOTING", actor.person_id, at, note),
            notices=(notice(current.author_id, changed, "VOTING_OPENED", note, at),),
        )
        return db.topics.save(change, CHANGED)

    return retried(attempt)


def cast_vote(db: Db, actor: Actor, clock: Clock, topic_id: str, choice: VoteChoice) -> VoteRecord:
    """An elector votes online, or changes their vote, until the window closes."""
    person_id = actor.require_login()
    return _vote(db, clock, topic_id, person_id, choice, VoteOrigin.ONLINE, None)


def enter_offline_ballot(
    db: Db, actor: Actor, clock: Clock, topic_id: str, person_id: str, choice: VoteChoice
) -> VoteRecord:
    """Grid staff enter a door-to-door ballot; refused if the person voted already."""
    actor.require_login()
    topic = topic_access.load_for_action(db, actor, topic_id)
    topic_access.require_guide(actor, topic, msg("action.enter_offline_ballots"))
    return _vote(db, clock, topic_id, person_id, choice, VoteOrigin.OFFLINE, actor.person_id)


def _refusal(db: Db, topic: TopicRecord | None, person_id: str, at: str) -> TopicRecord:
    """The topic if a vote may be cast now; else raise the typed reason it may not."""
    if topic is None:
        raise NotFound(topic_access.NO_SUCH_TOPIC, field="topicId")
    why = rules.can_vote(topic.state, topic.hidden, topic.voting_closes_at, at)
    if why == "hidden":
        raise TopicHidden(msg("topic.hidden"), field="topicId")
    if why == "closed":
        raise VotingClosed(msg("topic.voting_not_open", state=topic.state.value), field="topicId")
    if not db.topics.is_elector(topic.id, person_id):
        raise NotEligible(
            msg("topic.not_eligible"),
            field="topicId",
        )
    return topic


def _vote(
    db: Db, clock: Clock, topic_id: str, person_id: str, choice: VoteChoice,
    origin: VoteOrigin, entered_by: str | None,
) -> VoteRecord:  # fmt: skip
    at = iso(clock.now())
    for tries in range(6):
        topic = _refusal(db, db.topics.get(topic_id), person_id, at)
        existing = db.topics.vote(topic_id, person_id)
        if existing is not None:
            if origin is VoteOrigin.OFFLINE:
                raise AlreadyExists(msg("topic.voted_already"), field="personId")
            if existing.choice == choice:
                return existing  # the same vote again (a double tap): nothing to change
        vote = VoteRecord(
            topic_id=topic.id, person_id=person_id, choice=choice, origin=origin,
            entered_by=entered_by, changes=(existing.changes + 1) if existing else 0, at=at,
            version=existing.version if existing else 0,  # changed only from the vote read
        )  # fmt: skip
        try:
            return db.topics.cast(Ballot(topic, vote, existing.choice if existing else None))
        except Conflict:
            backoff(tries)  # a concurrent vote, or the window closed: re-read and retry
    _refusal(db, db.topics.get(topic_id), person_id, at)
    existing = db.topics.vote(topic_id, person_id)
    if existing is not None and existing.choice == choice:
        return existing
    raise Conflict(msg("topic.vote_changed"), field="topicId")


# --- closing ----------------------------------------------------------------------------


def fire_topic(db: Db, topic_id: str, now: datetime) -> bool:
    """The voting window's timer: decide (and create the case) if due; True if it acted."""
    topic = db.topics.get(topic_id)  # consistent: the index may be stale
    if topic is None or topic.due_at is None:
        return False
    if iso(now) < topic.due_at:
        return False
    acted = False
    try:
        # Three steps, each conditional and each leaving the topic due until the last is done:
        # decide, tell the voters, open the case (adopted only). A sweep that stops between two
        # steps is finished by the next one.
        if topic.state is TopicState.VOTING:
            topic = _decide(db, topic, now)
            acted = True
        decided = topic.state in (TopicState.ADOPTED, TopicState.DECLINED)
        if decided and not topic.voters_notified:
            _notify_voters(db, topic)
            topic = _reload(db, topic_id)
            acted = True
        if topic.state is TopicState.ADOPTED and topic.case_id is None:
            _open_case(db, topic, now)
            acted = True
        return acted
    except Conflict:
        return acted  # a vote or a second sweeper changed it: the next sweep re-reads


def _reload(db: Db, topic_id: str) -> TopicRecord:
    topic = db.topics.get(topic_id)
    assert topic is not None  # topics are never deleted
    return topic


def _result_notice(topic: TopicRecord) -> tuple[str, str]:
    """The kind and message of the decision's notices (stored language-neutral)."""
    adopted = topic.state is TopicState.ADOPTED
    kind = "ADOPTED" if adopted else "DECLINED"
    stored = topic.decision_reason or ""
    reason = decode(stored) or stored  # a reason stored as plain text by an older release
    if adopted:
        return kind, encode(msg("topic.notice_adopted", reason=reason))
    return kind, encode(msg("topic.notice_declined", reason=reason))


def _notify_voters(db: Db, topic: TopicRecord) -> None:
    """Every voter but the author hears of the result. The notices' keys are fixed by the
    decision (recipient, decision time, topic, kind), so a retried step rewrites the same
    items instead of adding any; then the topic records it, and leaves the due index unless
    its case is still to open."""
    kind, message = _result_notice(topic)
    at = topic.decided_at or topic.updated_at
    recipients = [p for p in db.topics.voter_ids(topic.id) if p != topic.author_id]
    db.topics.put_notices([notice(p, topic, kind, message, at) for p in recipients])
    case_to_open = topic.state is TopicState.ADOPTED and topic.case_id is None
    db.topics.mark_voters_notified(topic, leave_due=case_to_open)


def _decide(db: Db, topic: TopicRecord, now: datetime) -> TopicRecord:
    at = iso(now)
    policy = topic.policy or rules.VotePolicy()
    decision = rules.decide(topic.tally, topic.electorate, topic.feasible, policy)
    after = rules.transition(topic.as_rules(), TopicAction.CLOSE_VOTING, decision)
    decided = replace(
        topic, state=after.state, decision_reason=encode(decision.reason), quorum=decision.quorum,
        updated_at=at, decided_at=at, voters_notified=False,
    )  # fmt: skip
    kind, message = _result_notice(decided)
    change = TopicChange(
        decided,
        log=log_entry(f"CLOSE_{kind}", None, at, encode(decision.reason)),
        notices=(
            notice(topic.author_id, decided, kind, message, at),
            notice(topic.unit_id, decided, kind, message, at),
        ),
        counters={"topics_adopted" if decision.adopted else "topics_declined": 1},
        counter_orgs=tuple(path_ids(topic.unit_path)),
        day=now.astimezone(SHANGHAI).date().isoformat(),
    )
    return db.topics.save(change, msg("conflict.topic_closing"))


def _open_case(db: Db, topic: TopicRecord, now: datetime) -> None:
    from api.domain.clock import FixedClock
    from api.services.cases import open_case_from_topic

    case = open_case_from_topic(
        db,
        FixedClock(now),
        topic_id=topic.id,
        author_id=topic.author_id,
        location_unit_id=topic.location_unit_id,
        category=topic.category,
        description=f"【党群议事】{topic.title}\n{topic.body}"[:2000],
    )
    log = log_entry("CASE_OPENED", None, iso(now), case.code)
    db.topics.link_case(CaseLink(topic.id, case.id, case.code, log), topic)
