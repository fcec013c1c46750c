"""GraphQL enums with the domain's Chinese terms as descriptions (values match api.domain)."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Kind of org unit in the grid hierarchy")
class OrgUnitKind(Enum):
    DISTRICT = strawberry.enum_value("DISTRICT", description="区")
    STREET = strawberry.enum_value("STREET", description="街道")
    COMMUNITY = strawberry.enum_value("COMMUNITY", description="社区")
    GRID = strawberry.enum_value("GRID", description="网格")
    BUILDING = strawberry.enum_value("BUILDING", description="楼院")
    PARTY_HOUSEHOLD = strawberry.enum_value("PARTY_HOUSEHOLD", description="党员中心户")
    UNIT_HOUSEHOLD = strawberry.enum_value("UNIT_HOUSEHOLD", description="单元中心户")
    DEPARTMENT = strawberry.enum_value("DEPARTMENT", description="区直部门")


@strawberry.enum(
    description="A role a person holds on an org unit; its scope is the unit's subtree"
)
class Role(Enum):
    ADMIN = strawberry.enum_value("ADMIN", description="管理员: manages units and people")
    SECRETARY = strawberry.enum_value("SECRETARY", description="党组织书记")
    INSTRUCTOR = strawberry.enum_value("INSTRUCTOR", description="网格党建指导员")
    GRID_WORKER = strawberry.enum_value("GRID_WORKER", description="网格员")
    STAFF = strawberry.enum_value("STAFF", description="工作人员")
    DEPARTMENT_STAFF = strawberry.enum_value("DEPARTMENT_STAFF", description="区直部门工作人员")
    LEADER = strawberry.enum_value("LEADER", description="领导")


@strawberry.enum(description="五子达标: the five criteria a grid party branch must meet")
class FiveCriterion(Enum):
    PILLAR = strawberry.enum_value("PILLAR", description="立柱子")
    MINDSET = strawberry.enum_value("MINDSET", description="换脑子")
    PLATFORM = strawberry.enum_value("PLATFORM", description="搭台子")
    RESOURCES = strawberry.enum_value("RESOURCES", description="蓄池子")
    YARDSTICK = strawberry.enum_value("YARDSTICK", description="把尺子")


@strawberry.enum(description="六个好星级网格: one star per criterion met")
class StarCriterion(Enum):
    ORGANISATION = strawberry.enum_value("ORGANISATION", description="组织建设好")
    TEAM = strawberry.enum_value("TEAM", description="队伍建设好")
    STATION = strawberry.enum_value("STATION", description="阵地建设好")
    SERVICE = strawberry.enum_value("SERVICE", description="服务群众好")
    GOVERNANCE = strawberry.enum_value("GOVERNANCE", description="治理成效好")
    REPUTATION = strawberry.enum_value("REPUTATION", description="群众口碑好")


def value_of(member: Enum) -> str:
    """The wire value of a GraphQL enum member, to build the matching domain enum."""
    return str(member.value)
