"""Demo cases for the demo district, drawn from the seed reports, in every state of the loop.

They go through the real services (report, then transitions), so timelines, inboxes and
counters are exactly what the API would have written. Idempotency keys make a re-run after an
interrupted seed return the same cases; a case already past its report is not walked again.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.domain.cases import Action, Channel, HandlingMode, Level, Satisfaction
from api.domain.clock import Clock
from api.services.actor import load_actor
from api.services.cases import Act, Dispatch, ReportInput, act_on_case, report_case
from api.store.db import Db

BUILDING = "ST01C01G01B1"

R1, R2 = "P-ST01C01G01-R1", "P-ST01C01G01-R2"  # residents of the demo grid
WORKER = "P-ST01C01G01-WORKER"
COMMUNITY_STAFF = "P-ST01C01-STAFF"
STREET_ADMIN = "P-ST01-ADMIN"
CENTRE = "P-SB-CENTRE"
LEADER = "P-SB-LEADER"
HOUSING, GARDENS = "DEPT-HOUSING", "DEPT-GARDENS"
HOUSING_STAFF, GARDENS_STAFF = "P-DEPT-HOUSING-STAFF", "P-DEPT-GARDENS-STAFF"


@dataclass(frozen=True)
class Step:
    actor: str
    act: Act


def _accept(mode: HandlingMode, category: str) -> Step:
    return Step(COMMUNITY_STAFF, Act(Action.ACCEPT, mode=mode, category=category))


ASSIGN_GRID = Step(COMMUNITY_STAFF, Act(Action.ASSIGN, dispatch=Dispatch(Level.GRID)))
START_GRID = Step(WORKER, Act(Action.START))

STORIES: list[tuple[str, str, str, list[Step]]] = [
    ("demo-reported", "ENVIRONMENT", "小区地下车库入口垃圾被风吹进车库,无人清理", []),
    (
        "demo-accepted",
        "PARKING",
        "楼下消防通道长期被私家车占用",
        [_accept(HandlingMode.FAST, "PARKING")],
    ),
    (
        "demo-grid",
        "PROPERTY_MANAGEMENT",
        "3号楼楼道灯不亮,老人夜里上下楼不方便",
        [_accept(HandlingMode.IMMEDIATE, "PROPERTY_MANAGEMENT"), ASSIGN_GRID, START_GRID],
    ),
    (
        "demo-wall-crack",
        "HOUSING_SAFETY",
        "扬州路12号楼院北墙出现裂缝,居民担心安全",
        [
            _accept(HandlingMode.ASSIGNED, "HOUSING_SAFETY"),
            ASSIGN_GRID,
            START_GRID,
            Step(WORKER, Act(Action.ESCALATE, note="网格无力解决,向社区吹哨")),
            Step(COMMUNITY_STAFF, Act(Action.START)),
            Step(COMMUNITY_STAFF, Act(Action.ESCALATE, note="需要街道协调")),
            Step(STREET_ADMIN, Act(Action.START)),
            Step(STREET_ADMIN, Act(Action.ESCALATE, note="街道吹哨,请区住建局报到")),
            Step(
                CENTRE,
                Act(Action.ASSIGN, dispatch=Dispatch(Level.DISTRICT, lead_department_id=HOUSING)),
            ),
            Step(HOUSING_STAFF, Act(Action.CLAIM, department_id=HOUSING)),
        ],
    ),
    (
        "demo-joint",
        "GREENERY",
        "楼院大树倒伏压住围墙,需要修剪并修复围墙",
        [
            _accept(HandlingMode.JOINT, "GREENERY"),
            Step(
                CENTRE,
                Act(
                    Action.ASSIGN,
                    dispatch=Dispatch(
                        Level.DISTRICT,
                        lead_department_id=GARDENS,
                        supporting_department_ids=(HOUSING,),
                    ),
                ),
            ),
            Step(GARDENS_STAFF, Act(Action.CLAIM, department_id=GARDENS)),
            Step(HOUSING_STAFF, Act(Action.CLAIM, department_id=HOUSING)),
            Step(
                GARDENS_STAFF,
                Act(Action.RESOLVE_TASK, department_id=GARDENS, note="已修剪清运倒伏树木"),
            ),
        ],
    ),
    (
        "demo-top",
        "UTILITIES",
        "老旧小区冬季供暖不热,多次反映未解决",
        [
            _accept(HandlingMode.TOP_LEVEL, "UTILITIES"),
            Step(CENTRE, Act(Action.ASSIGN, dispatch=Dispatch(Level.TOP, leader_id=LEADER))),
        ],
    ),
    (
        "demo-resolved",
        "ENVIRONMENT",
        "楼道堆放杂物,存在消防隐患",
        [
            _accept(HandlingMode.IMMEDIATE, "ENVIRONMENT"),
            ASSIGN_GRID,
            START_GRID,
            Step(WORKER, Act(Action.RESOLVE, note="已联系物业清理楼道杂物")),
        ],
    ),
    (
        "demo-closed",
        "NEIGHBOUR_DISPUTE",
        "楼上漏水到楼下,邻里协商不成",
        [
            _accept(HandlingMode.FAST, "NEIGHBOUR_DISPUTE"),
            ASSIGN_GRID,
            START_GRID,
            Step(WORKER, Act(Action.RESOLVE, note="网格员上门调解,楼上已修复防水")),
            Step(
                R1,
                Act(Action.EVALUATE, satisfaction=Satisfaction.SATISFIED, note="及时解决,很满意"),
            ),
            Step(COMMUNITY_STAFF, Act(Action.CLOSE)),
        ],
    ),
    (
        "demo-rework",
        "ROADS",
        "小区路面坑洼,雨天积水",
        [
            _accept(HandlingMode.FAST, "ROADS"),
            ASSIGN_GRID,
            START_GRID,
            Step(WORKER, Act(Action.RESOLVE, note="已临时填补")),
            Step(
                R1,
                Act(
                    Action.EVALUATE,
                    satisfaction=Satisfaction.UNSATISFIED,
                    note="只是临时填补,下雨又积水",
                ),
            ),
            Step(COMMUNITY_STAFF, Act(Action.REOPEN, note="居民不满意,返工彻底修复")),
        ],
    ),
    (
        "demo-paused",
        "ELDERLY_CARE",
        "独居老人需要助餐服务",
        [
            _accept(HandlingMode.FAST, "ELDERLY_CARE"),
            ASSIGN_GRID,
            START_GRID,
            Step(WORKER, Act(Action.PAUSE, note="等待老人家属确认用餐时间")),
        ],
    ),
]


def seed_cases(db: Db, clock: Clock) -> int:
    """Report and walk the demo cases; return how many were walked now."""
    reporter = load_actor(db, R1)
    walked = 0
    ids: dict[str, str] = {}
    for key, category, description, steps in STORIES:
        report = ReportInput(
            Channel.RESIDENT, category, description, BUILDING, idempotency_key=f"{key}-v3"
        )
        case = report_case(db, reporter, clock, report)
        ids[key] = case.id
        if case.state != "REPORTED" or not steps:
            continue  # nothing to walk, or walked by an earlier, interrupted seed
        for step in steps:
            case = act_on_case(db, load_actor(db, step.actor), clock, case.id, step.act)
        walked += 1
    duplicate = report_case(
        db,
        load_actor(db, R2),
        clock,
        ReportInput(
            Channel.RESIDENT,
            "HOUSING_SAFETY",
            "12号楼北墙有裂缝",
            BUILDING,
            idempotency_key="demo-duplicate-v3",
        ),
    )
    if duplicate.state == "REPORTED":
        reject = Act(Action.REJECT, note="与已受理案件重复", duplicate_of=ids["demo-wall-crack"])
        act_on_case(db, load_actor(db, COMMUNITY_STAFF), clock, duplicate.id, reject)
    return walked
