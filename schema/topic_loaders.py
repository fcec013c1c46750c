"""Per-request DataLoaders of topics: a list page of N topics costs a constant number of
requests for every relation of a topic (``myVote``: one BatchGetItem of the caller's votes,
their keys ``TOPIC#<id>`` / ``VOTE#<person>`` being known)."""

from __future__ import annotations

from collections.abc import Callable

from strawberry.dataloader import DataLoader

from api.records.topic import VoteRecord
from api.services import topic_queries
from api.services.actor import Actor
from api.services.topic_queries import CaseProgress
from api.store.db import Db


class TopicLoaders:
    """Built per request (a loader caches for one request only)."""

    def __init__(self, db: Db, actor: Callable[[], Actor]) -> None:
        self._db = db
        self._actor = actor
        self.my_votes: DataLoader[str, VoteRecord | None] = DataLoader(load_fn=self._my_votes)
        self.case_progress: DataLoader[str, CaseProgress | None] = DataLoader(
            load_fn=self._case_progress
        )

    async def _my_votes(self, topic_ids: list[str]) -> list[VoteRecord | None]:
        found = topic_queries.my_votes(self._db, self._actor(), topic_ids)
        return [found.get(topic_id) for topic_id in topic_ids]

    async def _case_progress(self, case_ids: list[str]) -> list[CaseProgress | None]:
        # One Query per case: a case's timeline is a partition of its own (adopted topics
        # only carry a case; their lists are short).
        return [topic_queries.case_progress(self._db, case_id) for case_id in case_ids]
