"""Benchmarks of topics (党群议事) that print figures: ``make bench``.

1. DynamoDB requests to show a topic with its first page of comments, its tally and the
   caller's vote (goal <= 2, not counting the one Query that loads a signed-in caller's person
   and grants, as for cases), counted at PynamoDB's API-call choke point, on moto.
2. Time to cast a vote (first votes of distinct voters, then changes of vote), median and p90,
   on DynamoDB Local when it can start here, and on moto.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from tests.requests import count_requests

if TYPE_CHECKING:
    from api.domain.clock import FixedClock
    from api.store.db import Db
    from tests.topic_world import TopicWorld

TOPIC_QUERY = """
query($id: ID!) { topic(id: $id, commentsFirst: 20) {
  title state likes commentCount tally { for against abstain cast electorate quorum }
  myVote { choice origin }
  comments(first: 20) { edges { node { id body authorName partyBadge likes } }
    pageInfo { hasNextPage endCursor } } } }
"""
VOTERS = 40


@contextmanager
def backend(name: str) -> Iterator[str | None]:
    """A fresh table on moto, or on a DynamoDB Local started for the run."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-northeast-1")
    if name == "moto":
        from moto import mock_aws

        with mock_aws():
            yield None
        return
    from api.dynamodb_local import DynamoDBLocal, free_port

    server = DynamoDBLocal(free_port()).start()
    try:
        yield server.endpoint
    finally:
        server.stop()


def _world(host: str | None, table: str) -> tuple[Db, FixedClock, TopicWorld, list[str]]:
    from api.domain.clock import SHANGHAI, FixedClock
    from api.domain.org import OrgKind
    from api.services import org_units, people
    from api.services.actor import load_actor
    from api.settings import Settings
    from api.store.db import Db
    from infra.local_table import ensure_table
    from tests.topic_world import build_topic_world

    settings = Settings(table_name=table, dynamodb_host=host)
    ensure_table(settings)
    db = Db(settings)
    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))
    tw = build_topic_world(db, clock)
    admin = load_actor(db, tw.admin_id)
    building = org_units.create_unit(db, admin, clock, tw.grid.id, OrgKind.BUILDING, "7号楼院")
    voters = [
        people.register_person(db, admin, clock, f"居民{n}", None, building.id, False).id
        for n in range(VOTERS)
    ]
    return db, clock, tw, voters


def bench_topic_page() -> None:
    from api.domain.ids import to_global_id
    from api.domain.topics import VoteChoice
    from api.services import topic_discussion, topic_votes, topics
    from api.services.actor import load_actor
    from schema.context import Context
    from schema.schema import schema

    with backend("moto") as host:
        db, clock, tw, _ = _world(host, "dangqun-bench-topics")
        author = load_actor(db, tw.residents[0])
        topic = topics.propose(
            db, author, clock, topics.ProposeInput(tw.grid.id, "车库挡风板", "加装挡风板")
        )
        for n in range(30):
            topic_discussion.comment(
                db, load_actor(db, tw.residents[n % 6]), clock, topic.id, f"意见{n}"
            )
        topic_votes.open_voting(db, load_actor(db, tw.secretary_id), clock, topic.id)
        topic_votes.cast_vote(db, author, clock, topic.id, VoteChoice.FOR)
        print("== DynamoDB requests for a topic page (moto)")
        variables = {"id": to_global_id("Topic", topic.id)}
        for label, subject in (("anonymous", None), ("signed in (a voter)", tw.residents[0])):
            context = Context(db=db, clock=clock, request_id="bench", subject=subject)
            with count_requests() as counts:
                result = asyncio.run(schema.execute(TOPIC_QUERY, variables, context_value=context))
            assert result.errors is None, result.errors
            data = result.data or {}
            assert len(data["topic"]["comments"]["edges"]) == 20
            total = sum(counts.values())
            caller = 1 if subject else 0
            print(
                f"   topic + 20 comments + tally + my vote, {label:20}: {total - caller}"
                f" (+{caller} caller) {dict(counts)}  goal <= 2"
            )


LIST_QUERY = """query($unit: ID!, $first: Int!) {
  topics(unitId: $unit, state: VOTING, first: $first) {
    nodes { title authorName isMine unit { name } tally { cast quorum } myVote { choice } }
  }
}"""


def bench_topics_list() -> None:
    """Requests for a topics page with myVote, unit and tally: constant in the page length."""
    from api.domain.ids import to_global_id
    from api.domain.topics import VoteChoice
    from api.services import topic_votes, topics
    from api.services.actor import load_actor
    from schema.context import Context
    from schema.schema import schema

    with backend("moto") as host:
        db, clock, tw, _ = _world(host, "dangqun-bench-topic-list")
        author, voter = load_actor(db, tw.residents[0]), load_actor(db, tw.residents[1])
        secretary = load_actor(db, tw.secretary_id)
        for n in range(50):
            topic = topics.propose(
                db, author, clock, topics.ProposeInput(tw.grid.id, f"议题{n}", "内容")
            )
            topic_votes.open_voting(db, secretary, clock, topic.id)
            topic_votes.cast_vote(db, voter, clock, topic.id, VoteChoice.FOR)
        print("== DynamoDB requests for a topics page with myVote, unit, tally (moto)")
        for first in (3, 10, 50):
            variables = {"unit": to_global_id("OrgUnit", tw.grid.id), "first": first}
            context = Context(db=db, clock=clock, request_id="bench", subject=tw.residents[1])
            started = time.perf_counter()
            with count_requests() as counts:
                result = asyncio.run(schema.execute(LIST_QUERY, variables, context_value=context))
            elapsed = (time.perf_counter() - started) * 1000
            assert result.errors is None, result.errors
            print(f"   first: {first:3}: {sum(counts.values())} requests {dict(counts)}, "
                  f"{elapsed:6.1f} ms  goal: constant in first")  # fmt: skip


def bench_vote_time(name: str) -> None:
    from api.domain.topics import VoteChoice
    from api.services import topic_votes, topics
    from api.services.actor import load_actor

    with backend(name) as host:
        db, clock, tw, voters = _world(host, "dangqun-bench-votes")
        topic = topics.propose(
            db, load_actor(db, tw.residents[0]), clock,
            topics.ProposeInput(tw.grid.id, "车库挡风板", "加装挡风板"),
        )  # fmt: skip
        topic_votes.open_voting(db, load_actor(db, tw.secretary_id), clock, topic.id)
        actors = [load_actor(db, v) for v in voters]
        topic_votes.cast_vote(db, actors[0], clock, topic.id, VoteChoice.ABSTAIN)  # warm up
        firsts, changes = [], []
        for actor in actors[1:]:
            started = time.perf_counter()
            topic_votes.cast_vote(db, actor, clock, topic.id, VoteChoice.FOR)
            firsts.append(time.perf_counter() - started)
        for actor in actors[1:]:
            started = time.perf_counter()
            topic_votes.cast_vote(db, actor, clock, topic.id, VoteChoice.AGAINST)
            changes.append(time.perf_counter() - started)
        print(f"== time to cast a vote ({name}, {len(firsts)} voters, service call)")
        for label, samples in (("first vote", firsts), ("change of vote", changes)):
            ordered = sorted(samples)
            p90 = ordered[int(len(ordered) * 0.9) - 1]
            print(
                f"   {label:15}: median {statistics.median(samples) * 1000:6.1f} ms,"
                f" p90 {p90 * 1000:6.1f} ms"
            )
        print("   (reads: topic, elector, vote; one TransactWriteItems: elector, vote, counters)")


def main() -> None:
    bench_topic_page()
    bench_topics_list()
    bench_vote_time("moto")
    try:
        bench_vote_time("dynamodb-local")
    except (OSError, RuntimeError) as error:
        print(f"== time to cast a vote (dynamodb-local): not run here ({error})")


if __name__ == "__main__":
    main()
