"""The world of the topic (党群议事) tests, named after the seeds: 市北区 → 河西街道 →
小水清沟社区 → 第一网格 (with a building and households) and 第二网格 next door; the grid's
party branch secretary, a grid worker, community staff, six residents of the first grid (one a
party member) and a neighbour in the second grid. Plus a GraphQL driver speaking as any of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from api.domain.clock import Clock
from api.domain.grid import GridDetails
from api.domain.ids import to_global_id
from api.domain.org import OrgKind
from api.domain.roles import Role
from api.records.org import OrgUnitRecord
from api.services import org_units, people
from api.services.actor import Actor, Grant
from api.store.db import Db
from tests.graphql_client import GraphQLClient, Response
from tests.world import bootstrap_district


@dataclass
class TopicWorld:
    district: OrgUnitRecord
    street: OrgUnitRecord  # 河西街道
    community: OrgUnitRecord  # 小水清沟社区
    grid: OrgUnitRecord  # 第一网格
    building: OrgUnitRecord
    household: OrgUnitRecord
    other_grid: OrgUnitRecord  # 第二网格
    secretary_id: str  # 网格党支部书记 (SECRETARY on the grid)
    worker_id: str  # 网格员
    community_staff_id: str  # 社区工作人员 (STAFF: accepts and dispatches cases)
    admin_id: str  # district admin
    residents: list[str]  # six residents of the first grid; residents[1] is a party member
    neighbour_id: str  # a resident of the second grid


def build_topic_world(db: Db, clock: Clock) -> TopicWorld:
    district = bootstrap_district(db, "市北区", "SB", clock)
    root = Actor(person_id="bootstrap", grants=(Grant(district.id, district.path, Role.ADMIN),))

    def unit(parent: OrgUnitRecord, kind: OrgKind, name: str) -> OrgUnitRecord:
        return org_units.create_unit(db, root, clock, parent.id, kind, name)

    street = unit(district, OrgKind.STREET, "河西街道")
    community = unit(street, OrgKind.COMMUNITY, "小水清沟社区")
    grid = unit(community, OrgKind.GRID, "第一网格")
    building = unit(grid, OrgKind.BUILDING, "5号楼院")
    party_household = unit(building, OrgKind.PARTY_HOUSEHOLD, "1单元党员中心户")
    household = unit(party_household, OrgKind.UNIT_HOUSEHOLD, "1单元")
    other_grid = unit(community, OrgKind.GRID, "第二网格")
    phone = iter(range(13800000001, 13800000100))

    def person(name: str, home: OrgUnitRecord, party: bool = False) -> str:
        return people.register_person(db, root, clock, name, str(next(phone)), home.id, party).id

    def staff(name: str, home: OrgUnitRecord, role: Role, on: OrgUnitRecord) -> str:
        person_id = person(name, home, True)
        people.grant_role(db, root, clock, person_id, on.id, role)
        return person_id

    admin = staff("区管理员", district, Role.ADMIN, district)
    secretary = staff("王书记", grid, Role.SECRETARY, grid)
    org_units.update_grid(db, root, clock, grid.id, GridDetails(secretary_id=secretary))
    worker = staff("李网格员", grid, Role.GRID_WORKER, grid)
    community_staff = staff("社区工作人员", community, Role.STAFF, community)
    names = ["张大爷", "刘阿姨", "陈先生", "赵女士", "孙师傅", "周奶奶"]
    homes = [household, household, building, building, grid, household]
    residents = [
        person(name, home, party=(i == 1))
        for i, (name, home) in enumerate(zip(names, homes, strict=True))
    ]
    neighbour = person("邻居吴", other_grid)
    return TopicWorld(
        district, street, community, grid, building, household, other_grid, secretary,
        worker, community_staff, admin, residents, neighbour,
    )  # fmt: skip


def gid(type_name: str, item_id: str) -> str:
    return to_global_id(type_name, item_id)


ERRORS = "errors { code field message }"
TOPIC_FIELDS = """
id title body state hidden hiddenReason authorName isMine likes commentCount category { code }
unit { name } tally { for against abstain cast electorate quorum }
votingOpensAt votingClosesAt investigation { findings feasible date }
decisionReason mergedIntoId caseId caseCode
"""
TOPIC = f"""
query($id: ID!, $first: Int! = 20) {{
  topic(id: $id, commentsFirst: $first) {{
    {TOPIC_FIELDS}
    myVote {{ choice origin }}
    comments(first: $first) {{
      edges {{ cursor node {{ id replyToId body authorName partyBadge likes hidden }} }}
      pageInfo {{ hasNextPage endCursor }}
    }}
    caseProgress {{ code state level timeline {{ action toState }} }}
  }}
}}"""


@dataclass
class TopicApi:
    """Speaks GraphQL as any person of the world (``None``: not signed in)."""

    client: GraphQLClient
    mint: Callable[[str], str]
    tw: TopicWorld
    _tokens: dict[str, str] = field(default_factory=dict)

    def query(self, query: str, variables: dict[str, Any] | None, as_: str | None) -> Response:
        token = None
        if as_ is not None:
            token = self._tokens.setdefault(as_, self.mint(as_))
        response = self.client.query(query, variables, token)
        assert response.status == 200, response.body
        return response

    def mutate(
        self, name: str, input_type: str, data: dict[str, Any], as_: str | None, fields: str = ""
    ) -> dict[str, Any]:
        document = (
            f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {fields} {ERRORS} }} }}"
        )
        response = self.query(document, {"input": data}, as_)
        assert not response.errors, response.body
        result: dict[str, Any] = response.data[name]
        return result

    def ok(
        self, name: str, input_type: str, data: dict[str, Any], as_: str | None, fields: str
    ) -> dict[str, Any]:
        result = self.mutate(name, input_type, data, as_, fields)
        assert result["errors"] == [], result
        return result

    def refused(
        self, name: str, input_type: str, data: dict[str, Any], as_: str | None
    ) -> list[str]:
        result = self.mutate(name, input_type, data, as_)
        assert result["errors"], result
        return [error["code"] for error in result["errors"]]

    def topic(self, topic_gid: str, as_: str | None, first: int = 20) -> dict[str, Any]:
        response = self.query(TOPIC, {"id": topic_gid, "first": first}, as_)
        assert not response.errors, response.body
        data: dict[str, Any] = response.data["topic"]
        return data

    def propose(self, as_: str, title: str, body: str, **extra: Any) -> str:
        data = {"unitId": gid("OrgUnit", self.tw.grid.id), "title": title, "body": body, **extra}
        result = self.ok("proposeTopic", "ProposeTopicInput", data, as_, "topic { id state }")
        topic_id: str = result["topic"]["id"]
        return topic_id

    def vote(self, as_: str, topic_gid: str, choice: str) -> dict[str, Any]:
        return self.mutate(
            "castTopicVote", "CastTopicVoteInput", {"topicId": topic_gid, "choice": choice}, as_,
            "vote { choice origin }",
        )  # fmt: skip
