"""Demo topics (党群议事) in 河西街道小水清沟社区第一网格, drawn from the seed reports, one in
every state: a draft, a discussion with a party member's badge, an open vote, an adopted topic
whose case was resolved inside the grid, a declined one, a withdrawn one, a merged one and one
hidden by moderation.

They go through the real services (the voting windows opened five days ago and were closed by
the same firer the sweeper runs), so tallies, notices, logs and counters are what the API would
have written. Guarded by its own seed marker (``SEED_NAME``) in ``infra.demo_data.EXTRA_SEEDS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from api.domain.cases import Action, HandlingMode, Level
from api.domain.clock import Clock, FixedClock
from api.domain.topics import TopicAction, VoteChoice
from api.records.topic import TopicRecord
from api.services import people, topic_discussion, topic_votes, topics
from api.services.actor import load_actor
from api.services.cases import Act, Dispatch, act_on_case
from api.store.db import Db

SEED_NAME = "shibei-topics-v1"


@dataclass(frozen=True)
class Cast:
    """Who plays the demo: a grid, its community, staff and residents (all registered there)."""

    grid_id: str
    secretary: str  # the grid's party branch secretary (a party member)
    worker: str
    community_staff: str
    residents: tuple[str, ...]  # at least two


# 河西街道 is the 19th street; its first community is 小水清沟社区.
SHIBEI = Cast(
    grid_id="ST19C01G01",
    secretary="P-ST19C01G01-SECRETARY",
    worker="P-ST19C01G01-WORKER",
    community_staff="P-ST19C01-STAFF",
    residents=("P-ST19C01G01-R1", "P-ST19C01G01-R2", "P-ST19C01G01-INSTRUCTOR"),
)


def seed_topics(db: Db, clock: Clock, cast: Cast = SHIBEI) -> int:
    """Write the demo topics; return how many topics were written."""
    now = clock.now()
    past = FixedClock(now - timedelta(days=5))
    r1, r2 = cast.residents[0], cast.residents[1]
    voters = [*cast.residents, cast.secretary, cast.worker]

    def propose(
        author: str, title: str, body: str, at: Clock, category: str = "OTHER", draft: bool = False
    ) -> TopicRecord:
        data = topics.ProposeInput(cast.grid_id, title, body, category=category, draft=draft)
        return topics.propose(db, load_actor(db, author), at, data)

    def investigate(topic: TopicRecord, feasible: bool, findings: str, at: FixedClock) -> None:
        topics.record_investigation(
            db, load_actor(db, cast.secretary), at, topic.id, findings, feasible, at.now().date()
        )

    def vote(topic: TopicRecord, ballots: list[str], at: Clock) -> None:
        for person, choice in zip(voters, ballots, strict=False):
            topic_votes.cast_vote(db, load_actor(db, person), at, topic.id, VoteChoice(choice))

    people.set_party_badge(db, load_actor(db, cast.secretary), True)  # 亮身份
    written = 0
    # Adopted, and its case resolved inside the grid.
    rubbish = propose(
        r1, "地下车库入口垃圾被风吹进车库",
        "大风天小区垃圾被吹进地下车库入口，车库里又脏又有异味，希望加装挡风板并定时清扫。",
        past, category="ENVIRONMENT",
    )  # fmt: skip
    topic_discussion.comment(
        db,
        load_actor(db, cast.secretary),
        past,
        rubbish.id,
        "我是网格党支部书记，明天带党员入户听意见。",
    )
    duplicate = propose(r2, "车库门口垃圾多", "车库门口总有垃圾。", past)
    topics.act(
        db, load_actor(db, cast.worker), past, duplicate.id, TopicAction.MERGE,
        "同一问题, 合并讨论", rubbish.id,
    )  # fmt: skip
    investigate(rubbish, True, "入户走访32户，物业同意加装挡风板，费用由公共收益列支。", past)
    topic_votes.open_voting(db, load_actor(db, cast.secretary), past, rubbish.id)
    vote(rubbish, ["FOR", "FOR", "FOR", "AGAINST"], past)
    # Declined: most residents oppose.
    parking = propose(r2, "小区内增设收费停车位", "建议在楼院前划设收费停车位。", past)
    investigate(parking, True, "场地可以划线，但会占用老人活动空间。", past)
    topic_votes.open_voting(db, load_actor(db, cast.secretary), past, parking.id)
    vote(parking, ["FOR", "AGAINST", "AGAINST", "AGAINST", "ABSTAIN"], past)
    for topic in (rubbish, parking):
        topic_votes.fire_topic(db, topic.id, now)  # what the sweeper does when the window ends
    adopted = db.topics.get(rubbish.id)
    if adopted is not None and adopted.case_id:
        staff, worker = load_actor(db, cast.community_staff), load_actor(db, cast.worker)
        for actor, act in (
            (staff, Act(Action.ACCEPT, mode=HandlingMode.FAST, category="ENVIRONMENT")),
            (staff, Act(Action.ASSIGN, dispatch=Dispatch(Level.GRID))),
            (worker, Act(Action.START)),
            (worker, Act(Action.RESOLVE, note="已加装挡风板，保洁每日清扫两次")),
        ):
            act_on_case(db, actor, clock, adopted.case_id, act)
    written += 3
    # Voting now.
    green = propose(r1, "楼院绿化带改建休闲座椅", "绿化带杂草多，建议改建几处休闲座椅。", clock)
    investigate(green, True, "园林部门同意保留主要树木。", FixedClock(now))
    topic_votes.open_voting(db, load_actor(db, cast.secretary), clock, green.id)
    vote(green, ["FOR", "FOR"], clock)
    # Under discussion, with a party member's badge and likes.
    lockers = propose(r2, "小区增设快递柜", "快递经常堆在楼道口，建议增设快递柜。", clock)
    topic_discussion.comment(
        db, load_actor(db, cast.secretary), clock, lockers.id, "支持，党员志愿者可以帮助老人取件。"
    )
    for person in voters[:3]:
        topic_discussion.like(db, load_actor(db, person), clock, lockers.id, None)
    # A draft, a withdrawn topic and one hidden by moderation.
    propose(r2, "楼道加装扶手", "老人上下楼不方便。", clock, draft=True)
    dance = propose(r1, "周末广场舞时间调整", "建议晚上八点半前结束。", clock)
    topics.act(db, load_actor(db, r1), clock, dance.id, TopicAction.WITHDRAW)
    hidden = propose(r2, "某住户私搭乱建", "3单元住户姓名电话……", clock)
    topics.moderate(
        db, load_actor(db, cast.secretary), clock, hidden.id, None, True, "含他人个人信息, 待核实"
    )
    return written + 6
