"""The demo topics (infra/demo_topics.py) cover every state, on a grid of the test world
playing the demo grid's cast; and the demo seed registers them under their own marker."""

from __future__ import annotations

from api.domain.clock import FixedClock
from api.domain.topics import TopicState
from api.services.actor import load_actor
from api.services.topic_queries import unit_topics
from api.store.case_store import get_case
from api.store.db import Db
from infra import demo_data
from infra.demo_topics import SEED_NAME, Cast, seed_topics
from tests.topic_world import build_topic_world


def test_the_demo_has_topics_in_every_state(db: Db, clock: FixedClock) -> None:
    tw = build_topic_world(db, clock)
    cast = Cast(tw.grid.id, tw.secretary_id, tw.worker_id, tw.community_staff_id,
                tuple(tw.residents[:3]))  # fmt: skip
    assert seed_topics(db, clock, cast) == 9
    moderator = load_actor(db, tw.secretary_id)
    titles: dict[str, list[str]] = {}
    for state in TopicState:
        page = unit_topics(db, moderator, tw.grid.id, state, False, 20, None)
        titles[state.value] = [edge.node.title for edge in page.edges]
    assert all(titles[state.value] for state in TopicState), titles
    assert titles["ADOPTED"] == ["地下车库入口垃圾被风吹进车库"]
    assert titles["DECLINED"] == ["小区内增设收费停车位"]
    adopted = unit_topics(db, moderator, tw.grid.id, TopicState.ADOPTED, False, 1, None).edges[0]
    case = get_case(adopted.node.case_id or "")
    assert case is not None and (case.state, case.level, case.channel) == (
        "RESOLVED", "GRID", "TOPIC"
    )  # fmt: skip
    hidden = [e.node for e in unit_topics(db, moderator, tw.grid.id, TopicState.DISCUSSION, False,
                                          20, None).edges if e.node.hidden]  # fmt: skip
    assert [h.title for h in hidden] == ["某住户私搭乱建"]
    assert (SEED_NAME, demo_data._seed_topics) in demo_data.EXTRA_SEEDS
