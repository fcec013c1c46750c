"""A topics page costs a constant number of DynamoDB requests whatever its length: every
relation of a topic in a list (``myVote``, ``unit``, ``tally``, the author) is read through a
per-request DataLoader (the caller's votes: one BatchGetItem, their keys being known) or comes
with the topic item itself. Both backends, both transports."""

from __future__ import annotations

from typing import Any

import pytest

from api.domain.clock import FixedClock
from api.domain.topics import VoteChoice
from api.services import topic_votes, topics
from api.services.actor import load_actor
from api.store.db import Db
from tests.conftest import Tokens
from tests.graphql_client import GraphQLClient
from tests.requests import count_requests
from tests.topic_world import TopicApi, TopicWorld, build_topic_world, gid

MANY = 30
PAGE = """query($unit: ID!, $first: Int!) {
  topics(unitId: $unit, state: VOTING, first: $first) {
    nodes {
      id title authorName isMine likes commentCount category { code } unit { name }
      tally { for against abstain cast electorate quorum }
      myVote { choice origin }
      caseProgress { code }
    }
  }
}"""


@pytest.fixture
def tw(db: Db, clock: FixedClock) -> TopicWorld:
    return build_topic_world(db, clock)


@pytest.fixture
def api(client: GraphQLClient, token: Tokens, tw: TopicWorld) -> TopicApi:
    return TopicApi(client, token, tw)


def voting_topics(db: Db, clock: FixedClock, tw: TopicWorld, voter: str) -> None:
    """``MANY`` topics open for voting; ``voter`` voted on every other one."""
    author, secretary = load_actor(db, tw.residents[0]), load_actor(db, tw.secretary_id)
    ballot = load_actor(db, voter)
    for n in range(MANY):
        data = topics.ProposeInput(tw.grid.id, f"议题{n}", "内容")
        topic = topics.propose(db, author, clock, data)
        topic_votes.open_voting(db, secretary, clock, topic.id)
        if n % 2 == 0:
            topic_votes.cast_vote(db, ballot, clock, topic.id, VoteChoice.FOR)


def page(api: TopicApi, tw: TopicWorld, first: int, as_: str | None) -> tuple[list[Any], int]:
    variables = {"unit": gid("OrgUnit", tw.grid.id), "first": first}
    api.query(PAGE, variables, as_)  # warm: the caller's token and the schema are built
    with count_requests() as counts:
        response = api.query(PAGE, variables, as_)
    assert not response.errors, response.body
    nodes: list[Any] = response.data["topics"]["nodes"]
    return nodes, sum(counts.values())


def test_a_topics_page_with_my_vote_costs_the_same_for_3_or_30_topics(
    api: TopicApi, tw: TopicWorld, db: Db, clock: FixedClock
) -> None:
    voter = tw.residents[1]
    voting_topics(db, clock, tw, voter)
    few, few_requests = page(api, tw, 3, voter)
    many, many_requests = page(api, tw, MANY, voter)
    assert (len(few), len(many)) == (3, MANY)
    assert few_requests == many_requests, (few_requests, many_requests)
    # The loaded relations are right, not just cheap: the caller's votes on every other topic.
    voted = {
        node["title"] for node in many if node["myVote"] == {"choice": "FOR", "origin": "ONLINE"}
    }
    assert voted == {f"议题{n}" for n in range(0, MANY, 2)}
    assert all(node["myVote"] is None for node in many if node["title"] not in voted)
    assert all(node["unit"] == {"name": "第一网格"} for node in many)
    assert {node["tally"]["cast"] for node in many} == {0, 1}
    signed_out, _ = page(api, tw, MANY, None)  # no caller: no vote read, no vote shown
    assert len(signed_out) == MANY and all(node["myVote"] is None for node in signed_out)
    print(f"topics page with myVote: {few_requests} requests for 3, {many_requests} for {MANY}")
