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


@strawberry.enum(description="State of a case in the 吹哨报到 closed loop")
class CaseState(Enum):
    REPORTED = strawberry.enum_value("REPORTED", description="信息收集: reported")
    ACCEPTED = strawberry.enum_value("ACCEPTED", description="立案: accepted")
    REJECTED = strawberry.enum_value("REJECTED", description="不予受理: rejected")
    ASSIGNED = strawberry.enum_value("ASSIGNED", description="派遣: dispatched to a level")
    IN_PROGRESS = strawberry.enum_value("IN_PROGRESS", description="处置: being handled")
    PAUSED = strawberry.enum_value("PAUSED", description="waiting on the resident")
    PARKED = strawberry.enum_value("PARKED", description="挂账: parked with approval")
    RESOLVED = strawberry.enum_value("RESOLVED", description="办结: resolved")
    EVALUATED = strawberry.enum_value("EVALUATED", description="回访评价: evaluated")
    CLOSED = strawberry.enum_value("CLOSED", description="结案: closed")
    ARCHIVED = strawberry.enum_value("ARCHIVED", description="归档: archived")


@strawberry.enum(description="Level handling a case; escalation climbs one level at a time")
class CaseLevel(Enum):
    GRID = strawberry.enum_value("GRID", description="网格")
    COMMUNITY = strawberry.enum_value("COMMUNITY", description="社区")
    STREET = strawberry.enum_value("STREET", description="街道")
    DISTRICT = strawberry.enum_value("DISTRICT", description="区直部门报到")
    TOP = strawberry.enum_value("TOP", description="顶格调度")


@strawberry.enum(description="Handling mode chosen on acceptance")
class HandlingMode(Enum):
    IMMEDIATE = strawberry.enum_value("IMMEDIATE", description="即办")
    FAST = strawberry.enum_value("FAST", description="快办")
    ASSIGNED = strawberry.enum_value("ASSIGNED", description="分办")
    JOINT = strawberry.enum_value("JOINT", description="联办")
    TOP_LEVEL = strawberry.enum_value("TOP_LEVEL", description="顶格办")


@strawberry.enum(description="How a case came in")
class CaseChannel(Enum):
    RESIDENT = strawberry.enum_value("RESIDENT", description="群众吹哨 (mini-program)")
    GRID_PATROL = strawberry.enum_value("GRID_PATROL", description="网格员巡查")
    HOTLINE = strawberry.enum_value("HOTLINE", description="12345 hotline / third party")
    TOPIC = strawberry.enum_value("TOPIC", description="议题转项目: an adopted topic")


@strawberry.enum(description="The reporter's evaluation of the result")
class Satisfaction(Enum):
    SATISFIED = strawberry.enum_value("SATISFIED", description="满意")
    BASICALLY_SATISFIED = strawberry.enum_value("BASICALLY_SATISFIED", description="基本满意")
    UNSATISFIED = strawberry.enum_value("UNSATISFIED", description="不满意")


@strawberry.enum(description="What can be done to a case")
class CaseAction(Enum):
    REPORT = strawberry.enum_value("REPORT", description="吹哨: report")
    ACCEPT = strawberry.enum_value("ACCEPT", description="受理")
    REJECT = strawberry.enum_value("REJECT", description="不予受理")
    ASSIGN = strawberry.enum_value("ASSIGN", description="派遣")
    START = strawberry.enum_value("START", description="签收")
    CLAIM = strawberry.enum_value("CLAIM", description="部门报到")
    RESOLVE_TASK = strawberry.enum_value("RESOLVE_TASK", description="部门办结")
    ESCALATE = strawberry.enum_value("ESCALATE", description="吹哨上报")
    SEND_BACK = strawberry.enum_value("SEND_BACK", description="回退")
    PAUSE = strawberry.enum_value("PAUSE", description="暂停")
    RESUME = strawberry.enum_value("RESUME", description="恢复")
    REQUEST_EXTENSION = strawberry.enum_value("REQUEST_EXTENSION", description="申请延期")
    GRANT_EXTENSION = strawberry.enum_value("GRANT_EXTENSION", description="批准延期")
    DENY_EXTENSION = strawberry.enum_value("DENY_EXTENSION", description="驳回延期")
    RESOLVE = strawberry.enum_value("RESOLVE", description="办结")
    EVALUATE = strawberry.enum_value("EVALUATE", description="评价")
    REOPEN = strawberry.enum_value("REOPEN", description="返工")
    CLOSE = strawberry.enum_value("CLOSE", description="结案")
    TICK_OFF = strawberry.enum_value("TICK_OFF", description="对单销号")
    REQUEST_PARK = strawberry.enum_value("REQUEST_PARK", description="申请挂账")
    APPROVE_PARK = strawberry.enum_value("APPROVE_PARK", description="批准挂账")
    REJECT_PARK = strawberry.enum_value("REJECT_PARK", description="驳回挂账")
    UNPARK = strawberry.enum_value("UNPARK", description="解除挂账")
    ARCHIVE = strawberry.enum_value("ARCHIVE", description="归档")
    AT_RISK_WARNING = strawberry.enum_value("AT_RISK_WARNING", description="临期预警 (timer)")
    SUPERVISION = strawberry.enum_value(
        "SUPERVISION", description="督办: a limit was missed (timer)"
    )


@strawberry.enum(description="A department's part in a case at DISTRICT level")
class TaskRole(Enum):
    LEAD = strawberry.enum_value("LEAD", description="主办")
    SUPPORT = strawberry.enum_value("SUPPORT", description="协办")


@strawberry.enum(description="Status of a department's task")
class TaskStatus(Enum):
    ASSIGNED = strawberry.enum_value("ASSIGNED", description="待报到")
    CLAIMED = strawberry.enum_value("CLAIMED", description="已报到")
    RESOLVED = strawberry.enum_value("RESOLVED", description="已办结")


@strawberry.enum(description="Which time limit a case's clock measures")
class TimerKind(Enum):
    CLAIM = strawberry.enum_value("CLAIM", description="部门报到 / 推进中心调度时限")
    RESPONSE = strawberry.enum_value("RESPONSE", description="签收时限")
    RESOLVE = strawberry.enum_value("RESOLVE", description="办结时限")
