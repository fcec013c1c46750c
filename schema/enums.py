"""The domain's enums, exposed to GraphQL as they are, with a description per type and value.

The domain (``api.domain``) knows nothing of GraphQL, so the descriptions live here: each
domain enum is registered with ``strawberry.enum`` under its public GraphQL name, then every
value of Strawberry's definition gets its description from the tables below (Chinese term first,
from the glossary, then English). A domain enum that gains a member without a description here
fails at import, naming the member, so GraphiQL never shows an undocumented value.

The exported names (``OrgUnitKind``, ``CaseLevel``…) are aliases of the domain classes, kept so
that resolvers and inputs can annotate with the public names.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry
from strawberry.types.enum import has_enum_definition

from api.domain.cases import (
    CaseState,
    Channel,
    Closure,
    HandlingMode,
    Level,
    Satisfaction,
    TaskRole,
)
from api.domain.cases import TaskStatus as DomainTaskStatus
from api.domain.deadlines.timers import TimerKind as DomainTimerKind
from api.domain.errors import ErrorCode as DomainErrorCode
from api.domain.grid import FiveCriterion as DomainFiveCriterion
from api.domain.grid import StarCriterion as DomainStarCriterion
from api.domain.org import OrgKind
from api.domain.roles import Role as DomainRole
from api.domain.timeline_actions import TimelineAction

__all__ = [
    "CaseAction",
    "CaseChannel",
    "CaseClosure",
    "CaseLevel",
    "CaseState",
    "ErrorCode",
    "FiveCriterion",
    "HandlingMode",
    "OrgUnitKind",
    "Role",
    "Satisfaction",
    "StarCriterion",
    "TaskRole",
    "TaskStatus",
    "TimerKind",
    "described_enum",
    "value_of",
]

E = TypeVar("E", bound=Enum)


def described_enum(
    enum: type[E],
    name: str,
    description: str,
    values: Mapping[E, str],
    deprecated: Mapping[E, str] | None = None,
) -> type[E]:
    """Register ``enum`` with Strawberry as ``name``, with a description on every value.

    ``deprecated`` maps a value to its deprecation reason, which names the replacement and the
    removal date (docs/API.md, "Deprecation policy").
    """
    missing = [member.name for member in enum if member not in values]
    if missing:
        raise ValueError(f"GraphQL enum {name}: no description for {', '.join(missing)}")
    registered: object = enum
    if not has_enum_definition(registered):
        strawberry.enum(enum)
    assert has_enum_definition(registered)
    # In place: a type decorated before this call (Strawberry registers a bare Enum it meets in
    # an annotation) holds this very definition object, and must see the descriptions too.
    definition = registered.__strawberry_definition__
    definition.name = name
    definition.description = description
    for value in definition.values:
        member = enum(value.value)
        value.description = values[member]
        value.deprecation_reason = (deprecated or {}).get(member)
    return enum


def value_of(member: Enum) -> str:
    """The wire value of a GraphQL enum member, to build the matching domain enum."""
    return str(member.value)


described_enum(
    OrgKind,
    "OrgUnitKind",
    "组织层级: kind of org unit in the grid hierarchy (district → street → community → grid → "
    "building → households); departments sit beside the streets",
    {
        OrgKind.DISTRICT: "区 / 区委: the district, top of the hierarchy",
        OrgKind.STREET: "街道 / 街道党工委: a street (subdistrict)",
        OrgKind.COMMUNITY: "社区 / 社区党委: a community",
        OrgKind.GRID: "网格 / 网格党支部: a grid, the basic governance cell",
        OrgKind.BUILDING: "楼院 / 楼院党小组: a building compound",
        OrgKind.PARTY_HOUSEHOLD: "党员中心户: a party member's home acting as contact point",
        OrgKind.UNIT_HOUSEHOLD: "单元中心户: the contact point of one stairwell unit",
        OrgKind.DEPARTMENT: "区直部门: a district department; takes cases at DISTRICT level, "
        "has no children",
    },
)
OrgUnitKind = OrgKind

described_enum(
    DomainRole,
    "Role",
    "角色: a role a person holds on an org unit; its scope is the unit's subtree",
    {
        DomainRole.ADMIN: "管理员: administrator, manages units and people in scope",
        DomainRole.SECRETARY: "党组织书记: party organisation secretary",
        DomainRole.INSTRUCTOR: "网格党建指导员: grid instructor, a cadre guiding a grid",
        DomainRole.GRID_WORKER: "网格员: grid worker, patrols and reports in a grid",
        DomainRole.STAFF: "工作人员: staff of a street or community (dispatcher)",
        DomainRole.DEPARTMENT_STAFF: "区直部门工作人员: staff of a district department",
        DomainRole.LEADER: "领导: a district leader; owns top-level cases (包案)",
    },
)
Role = DomainRole

described_enum(
    DomainFiveCriterion,
    "FiveCriterion",
    "五子达标: five-criteria acceptance, the checklist a grid party branch must meet",
    {
        DomainFiveCriterion.PILLAR: "立柱子: a strong branch secretary and team",
        DomainFiveCriterion.MINDSET: "换脑子: trained in service-oriented governance",
        DomainFiveCriterion.PLATFORM: "搭台子: a working service station",
        DomainFiveCriterion.RESOURCES: "蓄池子: a pool of volunteers, partners and funds",
        DomainFiveCriterion.YARDSTICK: "把尺子: rules and evaluation in place",
    },
)
FiveCriterion = DomainFiveCriterion

described_enum(
    DomainStarCriterion,
    "StarCriterion",
    "六个好星级网格: star grid rating, one star per criterion met",
    {
        DomainStarCriterion.ORGANISATION: "组织建设好: good party organisation",
        DomainStarCriterion.TEAM: "队伍建设好: good team",
        DomainStarCriterion.STATION: "阵地建设好: good service station",
        DomainStarCriterion.SERVICE: "服务群众好: good service to residents",
        DomainStarCriterion.GOVERNANCE: "治理成效好: good governance results",
        DomainStarCriterion.REPUTATION: "群众口碑好: good reputation among residents",
    },
)
StarCriterion = DomainStarCriterion

described_enum(
    CaseState,
    "CaseState",
    "案件状态: state of a case in the 吹哨报到 (whistle and report) closed loop",
    {
        CaseState.REPORTED: "信息收集: reported, waiting for acceptance",
        CaseState.ACCEPTED: "立案: accepted, waiting for dispatch",
        CaseState.REJECTED: "不予受理: rejected (duplicate, out of scope…)",
        CaseState.ASSIGNED: "派遣: dispatched to a level and unit, waiting to be signed for",
        CaseState.IN_PROGRESS: "处置: being handled",
        CaseState.PAUSED: "暂停: waiting on the resident; the clock stops",
        CaseState.PARKED: "挂账: parked as long-term unsolvable, with approval",
        CaseState.RESOLVED: "办结: handling done, waiting for the resident's evaluation",
        CaseState.EVALUATED: "回访评价: evaluated by the resident",
        CaseState.CLOSED: "结案: closed",
        CaseState.ARCHIVED: "归档: archived",
    },
)

described_enum(
    Level,
    "CaseLevel",
    "处置层级: level handling a case; escalation (吹哨上报) climbs one level at a time",
    {
        Level.GRID: "网格: the grid",
        Level.COMMUNITY: "社区: the community",
        Level.STREET: "街道: the street",
        Level.DISTRICT: "区直部门报到: district departments claim it (部门报到), coordinated by "
        "the governance centre (推进中心)",
        Level.TOP: "顶格调度: top-level coordination, owned by a district leader (包案)",
    },
)
CaseLevel = Level

described_enum(
    HandlingMode,
    "HandlingMode",
    "办理方式: handling mode chosen on acceptance; with category and level it selects the "
    "time limits",
    {
        HandlingMode.IMMEDIATE: "即办: handled on the spot",
        HandlingMode.FAST: "快办: fast track, short limits",
        HandlingMode.ASSIGNED: "分办: assigned to one unit or department",
        HandlingMode.JOINT: "联办: joint handling, a lead department (主办) with supporting ones "
        "(协办)",
        HandlingMode.TOP_LEVEL: "顶格办: top-level handling by a district leader",
    },
)

described_enum(
    Channel,
    "CaseChannel",
    "来源渠道: how a case came in",
    {
        Channel.RESIDENT: "群众吹哨: reported by a resident in the mini-program",
        Channel.GRID_PATROL: "网格员巡查: found by a grid worker on patrol",
        Channel.HOTLINE: "12345: the city hotline or another third-party system",
        Channel.TOPIC: "议题转项目: an adopted topic (党群议事) became a case",
    },
)
CaseChannel = Channel

described_enum(
    Satisfaction,
    "Satisfaction",
    "满意度: the reporter's evaluation (回访评价) of the result",
    {
        Satisfaction.SATISFIED: "满意: satisfied",
        Satisfaction.BASICALLY_SATISFIED: "基本满意: basically satisfied",
        Satisfaction.UNSATISFIED: "不满意: unsatisfied; the dispatcher may reopen (返工)",
    },
)

described_enum(
    Closure,
    "CaseClosure",
    "结案方式: how a case was closed",
    {
        Closure.EVALUATED: "评价后结案: closed after the reporter's evaluation",
        Closure.NOT_EVALUATED: "未评价结案: the evaluation window ended without an evaluation; "
        "closed by the system",
        Closure.BY_STAFF: "直接结案: closed (or ticked off) by staff without an evaluation",
    },
)
CaseClosure = Closure

described_enum(
    TimelineAction,
    "CaseAction",
    "案件操作: what can be done to a case, and what a timeline event records",
    {
        TimelineAction.REPORT: "吹哨: reported (the first timeline event)",
        TimelineAction.ACCEPT: "受理 / 立案: accept into the system",
        TimelineAction.REJECT: "不予受理: reject",
        TimelineAction.ASSIGN: "派遣: dispatch to a level and unit (or departments at DISTRICT)",
        TimelineAction.START: "签收: the assigned unit signs for the case",
        TimelineAction.CLAIM: "部门报到: a department claims its task",
        TimelineAction.RESOLVE_TASK: "部门办结: a department resolves its task",
        TimelineAction.ESCALATE: "吹哨上报: whistle the case up one level",
        TimelineAction.SEND_BACK: "回退: send back to the dispatcher (wrong dispatch)",
        TimelineAction.PAUSE: "暂停: pause while waiting on the resident",
        TimelineAction.RESUME: "恢复: resume a paused case",
        TimelineAction.REQUEST_EXTENSION: "申请延期: request a deadline extension",
        TimelineAction.GRANT_EXTENSION: "批准延期: grant the extension",
        TimelineAction.DENY_EXTENSION: "驳回延期: deny the extension",
        TimelineAction.RESOLVE: "办结: handling done",
        TimelineAction.VERIFY: "核查通过: a dispatcher checked the result and passed it",
        TimelineAction.VERIFY_FAILED: "核查不通过: the check failed; back to the same holder "
        "(返工)",
        TimelineAction.EVALUATE: "评价: the resident evaluates the result",
        TimelineAction.REOPEN: "返工 / 重办: reopen after an unsatisfied evaluation",
        TimelineAction.CLOSE: "结案: close",
        TimelineAction.TICK_OFF: "对单销号: tick-off, the owning leader closes a TOP case",
        TimelineAction.REQUEST_PARK: "申请挂账: request to park as long-term unsolvable",
        TimelineAction.APPROVE_PARK: "批准挂账: approve parking",
        TimelineAction.REJECT_PARK: "驳回挂账: reject parking",
        TimelineAction.UNPARK: "解除挂账: resume a parked case",
        TimelineAction.ARCHIVE: "归档: archive a closed or rejected case",
        TimelineAction.AT_RISK_WARNING: "临期预警: at-risk warning before a deadline (timer)",
        TimelineAction.SUPERVISION: "督办: supervision, a limit was missed (timer)",
        TimelineAction.EVALUATION_REMINDER: "评价提醒: the reporter is reminded to evaluate "
        "before the evaluation window ends (timer)",
    },
)
CaseAction = TimelineAction

described_enum(
    TaskRole,
    "TaskRole",
    "部门角色: a department's part in a case at DISTRICT level",
    {
        TaskRole.LEAD: "主办: lead department; its limits are the case's clock",
        TaskRole.SUPPORT: "协办: supporting department, with a clock of its own",
    },
)

described_enum(
    DomainTaskStatus,
    "TaskStatus",
    "任务状态: status of a department's task",
    {
        DomainTaskStatus.ASSIGNED: "待报到: assigned, not claimed yet",
        DomainTaskStatus.CLAIMED: "已报到: claimed by the department",
        DomainTaskStatus.RESOLVED: "已办结: resolved by the department",
    },
)
TaskStatus = DomainTaskStatus

described_enum(
    DomainTimerKind,
    "TimerKind",
    "时限类型: which time limit a case's clock measures",
    {
        DomainTimerKind.CLAIM: "报到时限: at DISTRICT, departments claim (部门报到) or the "
        "governance centre (推进中心) dispatches",
        DomainTimerKind.RESPONSE: "签收时限: response limit, the unit signs for the case",
        DomainTimerKind.RESOLVE: "办结时限: resolve limit, handling must be done",
        DomainTimerKind.EVALUATION: "评价期: a resolved case waits for the reporter's "
        "evaluation; at its end the case closes as not evaluated",
    },
)
TimerKind = DomainTimerKind

ErrorCode = described_enum(
    DomainErrorCode,
    "ErrorCode",
    "错误代码: why an operation failed (UserError.code, or extensions.code of a GraphQL error)",
    {
        DomainErrorCode.INVALID_ID: "无效标识: a global id that does not decode or names "
        "another type",
        DomainErrorCode.INVALID_CURSOR: "无效游标: a pagination cursor that was not issued "
        "for this list, or was altered",
        DomainErrorCode.INVALID_INPUT: "输入无效: a value breaks a rule (length, format, range); "
        "`field` names it",
        DomainErrorCode.NOT_FOUND: "不存在: the object does not exist or is not visible to you",
        DomainErrorCode.UNAUTHENTICATED: "未登录: the operation needs a signed-in caller",
        DomainErrorCode.FORBIDDEN: "无权限: the caller's roles do not cover the object",
        DomainErrorCode.CONFLICT: "冲突: someone else changed the object at the same moment; "
        "read it again and retry",
        DomainErrorCode.ALREADY_EXISTS: "已存在: a unique value (name, phone, vote…) is taken",
        DomainErrorCode.INVALID_HIERARCHY: "层级无效: this kind of unit cannot sit under that "
        "parent",
        DomainErrorCode.CYCLE: "循环: a unit cannot move under itself or its descendants",
        DomainErrorCode.IN_USE: "使用中: the object still has children or open work",
        DomainErrorCode.ARCHIVED: "已归档: the object is archived and read-only",
        DomainErrorCode.INVALID_TRANSITION: "状态不允许: the current state does not allow this "
        "action; the message names the state and the allowed actions",
        DomainErrorCode.VERIFICATION_PENDING: "待核查: the policy asks for 核查 (verification) "
        "of the result before it is evaluated or the case is closed",
        DomainErrorCode.EVALUATION_PENDING: "待评价: the policy asks for the resident's "
        "evaluation, or the end of the evaluation window, before the case is closed",
        DomainErrorCode.IDEMPOTENCY_MISMATCH: "幂等键冲突: the idempotency key was used "
        "before with a different input; use a new key for a new request",
        DomainErrorCode.PROJECT_FULL: "名额已满: the partner project has no slot left",
        DomainErrorCode.PROJECT_NOT_OPEN: "项目未开放: the partner project is not open for claims",
        DomainErrorCode.ALREADY_CLAIMED: "已认领: this partner already claimed the project",
        DomainErrorCode.PARTNER_NOT_APPROVED: "合伙人未通过审核: the partner is not approved "
        "in a directory that reaches the project",
        DomainErrorCode.INSUFFICIENT_BALANCE: "余额不足: the points account would be overdrawn",
        DomainErrorCode.VOTING_CLOSED: "投票已结束: outside the topic's voting window",
        DomainErrorCode.NOT_ELIGIBLE: "无投票资格: not in the topic's electorate snapshot",
        DomainErrorCode.TOPIC_HIDDEN: "已屏蔽: hidden by moderation, pending review",
        DomainErrorCode.RATE_LIMITED: "查询过于频繁: too many anonymous lookups from one address "
        "this minute; try again later",
    },
)
