"""Per-request DataLoaders of cases: every read a case field makes goes through one, so a page
of N cases costs a constant number of DynamoDB requests (BatchGetItem of up to 100 keys)."""

from __future__ import annotations

from functools import cached_property

from strawberry.dataloader import DataLoader

from api.records.case import CaseRecord, TaskDeadlineRecord
from api.store.db import Db

TaskKey = tuple[str, str]  # (case id, department id)


class CaseLoaders:
    def __init__(self, db: Db) -> None:
        self.db = db

    @cached_property
    def task_deadlines(self) -> DataLoader[TaskKey, TaskDeadlineRecord | None]:
        """Supporting departments' deadlines, keyed by what the case record already names."""

        async def load(keys: list[TaskKey]) -> list[TaskDeadlineRecord | None]:
            found = self.db.cases.task_deadlines(keys)
            return [found.get(key) for key in keys]

        return DataLoader(load_fn=load)

    @cached_property
    def cases(self) -> DataLoader[str, CaseRecord | None]:
        """Cases by id, with their timelines (a topic's case progress, 党群议事)."""

        async def load(ids: list[str]) -> list[CaseRecord | None]:
            found = self.db.cases.get_many(ids)
            return [found.get(case_id) for case_id in ids]

        return DataLoader(load_fn=load)
