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

from datetime import datetime

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

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
from api.domain.org import path_ids
from api.domain.topics import TopicAction, TopicState, VoteChoice, VoteOrigin
from api.services import org_units, topic_access
from api.services.actor import Actor
from api.services.topics import backoff, policy_for, policy_json, retried, to_domain
from api.store.case_models import due_pk, due_shard, due_sk
from api.store.db import Db
from api.store.models import PersonItem, residents_pk
from api.store.topic_models import (
    ElectorItem,
    TopicItem,
    VoteItem,
    elector_sk,
    topic_pk,
    vote_sk,
    voter_pk,
)
from api.store.topic_store import (
    VOTE_COUNTERS,
    TopicChange,
    get_topic,
    get_vote,
    index_topic,
    is_elector,
    log_item,
    notice_item,
    put_electors,
    save_notices,
    save_topic,
    tally_of,
    voter_ids,
    write_change,
)

MAX_UNITS = 2000  # units walked for the electorate of one topic


def electorate_of(unit_id: str) -> list[str]:
    """Residents registered anywhere in the unit's subtree (breadth first over children)."""
    from api.store.models import OrgUnitItem, children_pk

    people: list[str] = []
    queue, seen = [unit_id], 0
    while queue and seen < MAX_UNITS:
        current = queue.pop(0)
        seen += 1
        for person in PersonItem.by_parent.query(residents_pk(current)):
            people.append(str(person.id))  # type: ignore[attr-defined]
        for child in OrgUnitItem.by_parent.query(children_pk(current)):
            queue.append(str(child.id))  # type: ignore[attr-defined]
    return sorted(set(people))


def open_voting(db: Db, actor: Actor, clock: Clock, topic_id: str) -> TopicItem:
    """The guiding staff open the vote: electorate snapshot, policy frozen, timer set."""
    topic = topic_access.load_for_action(actor, topic_id)
    topic_access.require_guide(actor, topic, "open votes")
    rules.transition(to_domain(topic), TopicAction.OPEN_VOTING)  # refuses early, before writes
    org_units.require_unit(topic.unit_id, field="topicId")
    electors = electorate_of(topic.unit_id)
    put_electors(topic.id, electors)  # idempotent: a retry writes the same snapshot
    policy = policy_for(topic.unit_path)

    def attempt() -> TopicItem:
        current = topic_access.load_for_action(actor, topic_id)
        rules.transition(to_domain(current), TopicAction.OPEN_VOTING)
        now = clock.now()
        at = iso(now)
        closes = iso(policy.closes_at(now))
        current.state = TopicState.VOTING.value
        current.electorate = len(electors)
        current.policy = policy_json(policy)
        current.quorum = policy.quorum(len(electors))
        current.voting_opens_at = at
        current.voting_closes_at = closes
        current.updated_at = at
        current.duepk = due_pk(due_shard(current.id))
        current.duesk = due_sk(closes, f"TOPIC#{current.id}")
        index_topic(current)
        note = f"electorate {len(electors)}, quorum {current.quorum}, closes {closes}"
        change = TopicChange(
            log=log_item(current.id, "OPEN_VOTING", actor.person_id, at, note),
            notices=[notice_item(current.author_id, current, "VOTING_OPENED", note, at)],
        )
        save_topic(db, current, change, "The topic changed meanwhile; reload and retry")
        return current

    return retried(attempt)


def cast_vote(db: Db, actor: Actor, clock: Clock, topic_id: str, choice: VoteChoice) -> VoteItem:
    """An elector votes online, or changes their vote, until the window closes."""
    person_id = actor.require_login()
    return _vote(db, clock, topic_id, person_id, choice, VoteOrigin.ONLINE, None)


def enter_offline_ballot(
    db: Db, actor: Actor, clock: Clock, topic_id: str, person_id: str, choice: VoteChoice
) -> VoteItem:
    """Grid staff enter a door-to-door ballot; refused if the person voted already."""
    actor.require_login()
    topic = topic_access.load_for_action(actor, topic_id)
    topic_access.require_guide(actor, topic, "enter offline ballots")
    return _vote(db, clock, topic_id, person_id, choice, VoteOrigin.OFFLINE, actor.person_id)


def _refusal(topic: TopicItem | None, person_id: str, at: str) -> None:
    """Raise the typed reason a vote cannot be cast now (nothing raised: it may be cast)."""
    if topic is None:
        raise NotFound(topic_access.NO_SUCH_TOPIC, field="topicId")
    why = rules.can_vote(TopicState(topic.state), bool(topic.hidden), topic.voting_closes_at, at)
    if why == "hidden":
        raise TopicHidden("The topic is hidden pending moderation", field="topicId")
    if why == "closed":
        raise VotingClosed(
            f"Voting is not open on this topic (state {topic.state})", field="topicId"
        )
    if not is_elector(topic.id, person_id):
        raise NotEligible(
            "Only residents registered in the topic's unit when voting opened may vote",
            field="topicId",
        )


def _vote(
    db: Db, clock: Clock, topic_id: str, person_id: str, choice: VoteChoice,
    origin: VoteOrigin, entered_by: str | None,
) -> VoteItem:  # fmt: skip
    at = iso(clock.now())
    for tries in range(6):
        topic = get_topic(topic_id)
        _refusal(topic, person_id, at)
        assert topic is not None
        existing = get_vote(topic_id, person_id)
        if existing is not None:
            if origin is VoteOrigin.OFFLINE:
                raise AlreadyExists("This person has voted already", field="personId")
            if existing.choice == choice.value:
                return existing  # the same vote again (a double tap): nothing to change
        try:
            return _write_vote(db, topic, existing, person_id, choice, origin, entered_by, at)
        except Conflict:
            backoff(tries)  # a concurrent vote, or the window closed: re-read and retry
    topic = get_topic(topic_id)
    _refusal(topic, person_id, at)
    existing = get_vote(topic_id, person_id)
    if existing is not None and existing.choice == choice.value:
        return existing
    raise Conflict("Your vote changed at the same moment; reload and retry", field="topicId")


def _write_vote(
    db: Db, topic: TopicItem, existing: VoteItem | None, person_id: str, choice: VoteChoice,
    origin: VoteOrigin, entered_by: str | None, at: str,
) -> VoteItem:  # fmt: skip
    pk = topic_pk(topic.id)
    vote = VoteItem(
        pk, vote_sk(person_id), topic_id=topic.id, person_id=person_id, choice=choice.value,
        origin=origin.value, entered_by=entered_by, at=at,
        changes=(int(existing.changes or 0) + 1) if existing else 0,
        gsi3pk=voter_pk(person_id), gsi3sk=f"{at}#{topic.id}",
    )  # fmt: skip
    if existing is not None:
        vote.version = existing.version  # changed only from the vote just read
    window: Condition = (
        (TopicItem.state == TopicState.VOTING.value)
        & (TopicItem.hidden == False)  # noqa: E712
        & (TopicItem.voting_closes_at > at)
    )
    actions: list[Action] = [VOTE_COUNTERS[choice].add(1)]
    if existing is None:
        vote_condition: Condition = VoteItem.sk.does_not_exist()
    else:
        old = VoteChoice(existing.choice)
        actions.append(VOTE_COUNTERS[old].add(-1))
        vote_condition = VoteItem.choice == existing.choice
    with db.transaction("The vote or the topic changed meanwhile") as tx:
        tx.condition_check(
            ElectorItem, pk, elector_sk(person_id), condition=ElectorItem.sk.exists()
        )
        tx.save(vote, condition=vote_condition)  # and the version it was read at, if any
        # Atomic counters; the window conditions ride on the same update.
        tx.update(topic, actions=actions, condition=window, add_version_condition=False)
    return vote


# --- closing ----------------------------------------------------------------------------


def fire_topic(db: Db, topic_id: str, now: datetime) -> bool:
    """The voting window's timer: decide (and create the case) if due; True if it acted."""
    topic = get_topic(topic_id)  # consistent: the index may be stale
    if topic is None or topic.duesk is None:
        return False
    fire_at = topic.duesk.rsplit("#", 2)[0]
    if iso(now) < fire_at:
        return False
    acted = False
    try:
        # Three steps, each conditional and each leaving the topic due until the last is done:
        # decide, tell the voters, open the case (adopted only). A sweep that stops between two
        # steps is finished by the next one.
        if topic.state == TopicState.VOTING.value:
            _decide(db, topic, now)
            topic = _reload(topic_id)
            acted = True
        decided = topic.state in (TopicState.ADOPTED.value, TopicState.DECLINED.value)
        if decided and not topic.voters_notified:
            _notify_voters(topic)
            topic = _reload(topic_id)
            acted = True
        if topic.state == TopicState.ADOPTED.value and topic.case_id is None:
            _open_case(db, topic, now)
            acted = True
        return acted
    except Conflict:
        return acted  # a vote or a second sweeper changed it: the next sweep re-reads


def _reload(topic_id: str) -> TopicItem:
    topic = get_topic(topic_id)
    assert topic is not None  # topics are never deleted
    return topic


def _result_notice(topic: TopicItem) -> tuple[str, str]:
    """The kind and message of the decision's notices."""
    adopted = topic.state == TopicState.ADOPTED.value
    kind = "ADOPTED" if adopted else "DECLINED"
    return kind, f"{'议题通过, 立项办理' if adopted else '议题未通过'}: {topic.decision_reason}"


def _notify_voters(topic: TopicItem) -> None:
    """Every voter but the author hears of the result. The notices' keys are fixed by the
    decision (recipient, decision time, topic, kind), so a retried step rewrites the same
    items instead of adding any; then the topic records it, and leaves the due index unless
    its case is still to open."""
    kind, message = _result_notice(topic)
    at = topic.decided_at or topic.updated_at
    recipients = [p for p in voter_ids(topic.id) if p != topic.author_id]
    save_notices([notice_item(p, topic, kind, message, at) for p in recipients])
    actions: list[Action] = [TopicItem.voters_notified.set(True)]
    if not (topic.state == TopicState.ADOPTED.value and topic.case_id is None):
        actions += [TopicItem.duepk.remove(), TopicItem.duesk.remove()]
    try:
        topic.update(
            actions=actions,
            condition=(TopicItem.voters_notified == False)  # noqa: E712
            | TopicItem.voters_notified.does_not_exist(),
            add_version_condition=False,
        )
    except UpdateError as error:
        raise Conflict("The voters were notified by another sweep") from error


def _decide(db: Db, topic: TopicItem, now: datetime) -> None:
    at = iso(now)
    policy = rules.VotePolicy(**(topic.policy or {}))
    tally = tally_of(topic)
    decision = rules.decide(tally, int(topic.electorate or 0), topic.feasible, policy)
    after = rules.transition(to_domain(topic), TopicAction.CLOSE_VOTING, decision)
    topic.state = after.state.value
    topic.decision_reason = decision.reason
    topic.quorum = decision.quorum
    topic.updated_at = at
    topic.decided_at = at
    topic.voters_notified = False
    index_topic(topic)
    kind, message = _result_notice(topic)
    day = now.astimezone(SHANGHAI).date().isoformat()
    change = TopicChange(
        log=log_item(topic.id, f"CLOSE_{kind}", None, at, decision.reason),
        notices=[
            notice_item(topic.author_id, topic, kind, message, at),
            notice_item(topic.unit_id, topic, kind, message, at),
        ],
        counters={"topics_adopted" if decision.adopted else "topics_declined": 1},
        counter_orgs=path_ids(topic.unit_path),
        day=day,
    )
    save_topic(db, topic, change, "The topic changed while closing")


def _open_case(db: Db, topic: TopicItem, now: datetime) -> None:
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
    at = iso(now)
    with db.transaction("The topic was linked to its case already") as tx:
        tx.update(
            topic,
            actions=[
                TopicItem.case_id.set(case.id),
                TopicItem.case_code.set(case.code),
                TopicItem.updated_at.set(at),
                TopicItem.duepk.remove(),
                TopicItem.duesk.remove(),
            ],
            condition=TopicItem.case_id.does_not_exist(),
            add_version_condition=False,
        )
        write_change(tx, TopicChange(log=log_item(topic.id, "CASE_OPENED", None, at, case.code)))
