"""Rows of the scope-isolation tables (tests/integration/test_scope_isolation.py) for topics
(党群议事), and the topic of street B's grid they act on. Rows are plain tuples in the order
of the tables' ``WriteCase`` and ``ReadCase`` fields, built there (no import cycle)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.domain.clock import Clock
from api.domain.ids import to_global_id
from api.domain.roles import Role
from api.services import topic_votes, topics
from api.services.actor import Actor, Grant, load_actor
from api.store.db import Db

ANONYMOUS, A_ADMIN, A_WORKER = "anonymous", "a_admin", "a_worker"
B_ADMIN, B_WORKER, B_RESIDENT = "b_admin", "b_worker", "b_resident"
DISTRICT_ADMIN = "district_admin"
VIEWERS = (ANONYMOUS, A_ADMIN, A_WORKER, B_ADMIN, B_WORKER, B_RESIDENT)
TITLE = "大港路车棚漏雨"
TOPIC_SELF_ONLY_QUERIES = {"myTopics"}

Problem = tuple[str, str | None]


def b_voting_topic(db: Db, clock: Clock, world: Any) -> str:
    """B's resident raises a topic in B's grid; the district admin opens the vote."""
    district = world.district
    root = Actor(person_id="bootstrap", grants=(Grant(district.id, district.path, Role.ADMIN),))
    topic = topics.propose(
        db,
        load_actor(db, world.b.resident_id),
        clock,
        topics.ProposeInput(world.b.grid.id, TITLE, "雨天车棚漏水，电动车受潮"),
    )
    topic_votes.open_voting(db, root, clock, topic.id)
    return topic.id


def _gid(item_id: str, type_name: str = "OrgUnit") -> str:
    return to_global_id(type_name, item_id)


def _topic(extra: dict[str, Any] | None = None) -> Callable[[Any], dict[str, Any]]:
    return lambda s: {"topicId": _gid(s.extras.b_topic_id, "Topic"), **(extra or {})}


def _ok(problems: list[Problem]) -> bool:
    return problems == []


def _in_scope(problems: list[Problem]) -> bool:
    """The insider may be refused for the topic's state, never for scope."""
    return all(code not in {"NOT_FOUND", "UNAUTHENTICATED", "FORBIDDEN"} for code, _ in problems)


FORBIDDEN: Problem = ("FORBIDDEN", None)


def topic_write_rows() -> list[tuple[Any, ...]]:
    """(field, label, input, outsider, insider, insider_ok)"""
    return [
        (
            "proposeTopic", "a topic in B's grid",
            lambda s: {"unitId": _gid(s.world.b.grid.id), "title": "越界议题", "body": "越界"},
            FORBIDDEN, B_RESIDENT, _ok,
        ),
        ("commentOnTopic", "B's topic", _topic({"body": "越界评论"}), FORBIDDEN, B_RESIDENT, _ok),
        ("likeTopic", "B's topic", _topic(), FORBIDDEN, B_RESIDENT, _ok),
        (
            "reportTopicContent", "B's topic", _topic({"reason": "越界举报"}), FORBIDDEN,
            B_RESIDENT, _ok,
        ),
        (
            "recordTopicInvestigation", "B's topic",
            _topic({"findings": "越界调研", "feasible": True, "date": "2026-11-23"}),
            FORBIDDEN, DISTRICT_ADMIN, _ok,
        ),
        ("openTopicVoting", "B's topic", _topic(), FORBIDDEN, DISTRICT_ADMIN, _in_scope),
        (
            "castTopicVote", "B's topic", _topic({"choice": "AGAINST"}),
            ("NOT_ELIGIBLE", "topicId"), B_RESIDENT, _ok,
        ),
        (
            "enterOfflineBallot", "B's topic",
            lambda s: {
                "topicId": _gid(s.extras.b_topic_id, "Topic"),
                "personId": _gid(s.world.b.staff_id, "Person"),
                "choice": "FOR",
            },
            FORBIDDEN, DISTRICT_ADMIN, _ok,
        ),
        (
            "actOnTopic", "withdraw B's topic", _topic({"action": "WITHDRAW"}), FORBIDDEN,
            B_RESIDENT, _in_scope,
        ),
        (
            "moderateTopic", "hide B's topic", _topic({"hide": True, "reason": "越界隐藏"}),
            FORBIDDEN, DISTRICT_ADMIN, _ok,
        ),
        (
            "setTopicVoteRules", "B's grid",
            lambda s: {"unitId": _gid(s.world.b.grid.id), "quorumShare": 0.1},
            FORBIDDEN, DISTRICT_ADMIN, _ok,
        ),
    ]  # fmt: skip


def _per_viewer(default: Any, **overrides: Any) -> Callable[[Any], dict[str, Any]]:
    return lambda s: {viewer: overrides.get(viewer, default) for viewer in VIEWERS}


def topic_read_rows(refused: Callable[[str], Any]) -> list[tuple[Any, ...]]:
    """(field, label, document, variables, project, expect)"""
    unauthenticated, forbidden = refused("UNAUTHENTICATED"), refused("FORBIDDEN")
    b_topic = lambda s: {"id": _gid(s.extras.b_topic_id, "Topic")}  # noqa: E731
    b_grid = lambda s: {"id": _gid(s.world.b.grid.id)}  # noqa: E731
    return [
        (
            "topic", "B's topic is public",
            "query($id: ID!) { topic(id: $id) { title state authorName } }",
            b_topic, lambda d: d["topic"],
            _per_viewer(
                {"title": TITLE, "state": "VOTING", "authorName": "乙**"},
                b_admin={"title": TITLE, "state": "VOTING", "authorName": "乙居民"},
                b_worker={"title": TITLE, "state": "VOTING", "authorName": "乙居民"},
                b_resident={"title": TITLE, "state": "VOTING", "authorName": "乙居民"},
            ),
        ),
        (
            "topics", "topics of B's grid are public",
            "query($id: ID!) { topics(unitId: $id, state: VOTING) { nodes { title } } }",
            b_grid, lambda d: [n["title"] for n in d["topics"]["nodes"]],
            _per_viewer([TITLE]),
        ),
        (
            "myTopics", "only the caller's own topics",
            "{ myTopics { nodes { title } } }",
            lambda s: {}, lambda d: [n["title"] for n in d["myTopics"]["nodes"]],
            _per_viewer([], anonymous=unauthenticated, b_resident=[TITLE]),
        ),
        (
            "topicStats", "topic figures are public",
            'query($id: ID!) { topicStats(unitId: $id, start: "2026-11-23", end: "2026-11-23")'
            " { raised adopted } }",
            lambda s: {"id": _gid(s.world.b.street.id)}, lambda d: d["topicStats"],
            _per_viewer({"raised": 1, "adopted": 0}),
        ),
        (
            "topicNotices", "B grid's topic notices",
            "query($id: ID!) { topicNotices(unitId: $id) { nodes { kind } } }",
            b_grid, lambda d: [n["kind"] for n in d["topicNotices"]["nodes"]],
            _per_viewer(
                forbidden, anonymous=unauthenticated, b_admin=["PROPOSED"],
                b_worker=["PROPOSED"],
            ),
        ),
    ]  # fmt: skip
