"""Demo red partners (红色合伙人) of the demo district, from the seed reports.

- The district directory (名录) and 大港街道's sub-directory (子库), plus a few applicants and
  suspended or withdrawn partners in other streets.
- The meeting at 青海路社区: 30 partners claim its 120 projects (电亮微行动 by the power
  company, 智慧金融家 by the bank, 警情大家知 by the police station, …).
- Projects walked to every state (draft, open, fully claimed, in delivery, delivered,
  confirmed, rejected, closed, cancelled), points granted on confirmation, a 红色创新奖
  nomination and award, and love-bank hours (爱心银行) and party points (积分) of grid people.

Everything goes through the real services, so counters, indexes and ledgers are what the API
would have written. Written once, guarded by its own seed marker (see ``EXTRA_SEEDS``).
"""

from __future__ import annotations

from api.domain.clock import Clock
from api.domain.ledger import AccountKind, EntrySource, Posting
from api.domain.partners import Contact, PartnerAction, PartnerKind, ProjectAction
from api.records.partner import PartnerRecord, ProjectRecord
from api.services import ledger, partner_projects, partners
from api.services.actor import load_actor
from api.store.db import Db

SEED_NAME = "shibei-partners-v1"
DISTRICT = "SB"
DAGANG = "ST08"  # 大港街道
QINGHAI = "ST08C01"  # 青海路社区
ADMIN = "P-SB-ADMIN"
MEETING_PROJECTS = 120

# (name, kind, resource category, what it offers)
DISTRICT_PARTNERS = [
    ("国网青岛供电公司配电运检室", "ENTERPRISE", "ELECTRICITY", "楼道照明与用电安全检修"),
    ("青岛银行辽宁路支行", "ENTERPRISE", "FINANCE", "金融知识与防诈骗讲座"),
    ("中国移动青岛分公司", "ENTERPRISE", "TELECOM", "老年人智能手机教学"),
    ("青岛啤酒股份有限公司", "ENTERPRISE", "CULTURE", "工业旅游与文化活动"),
    ("海尔智家服务中心", "ENTERPRISE", "REPAIR", "家电免费检修"),
    ("青岛市市立医院", "ENTERPRISE", "HEALTH", "义诊与健康讲座"),
    ("青岛大学志愿者协会", "SOCIAL_ORGANISATION", "EDUCATION", "青少年课业辅导"),
    ("市北区律师协会", "SOCIAL_ORGANISATION", "LEGAL", "法律咨询"),
    ("青岛市红十字会", "SOCIAL_ORGANISATION", "HEALTH", "应急救护培训"),
    ("青岛公交集团", "ENTERPRISE", "TRANSPORT", "出行线路优化"),
    ("青岛水务集团", "ENTERPRISE", "WATER", "管网检修与节水宣传"),
    ("新华书店市北分店", "ENTERPRISE", "CULTURE", "社区阅读角"),
    ("青岛燃气集团", "ENTERPRISE", "SAFETY", "燃气安全入户检查"),
    ("顺丰速运市北营业部", "ENTERPRISE", "LOGISTICS", "独居老人代购代送"),
    ("市北区社会工作者协会", "SOCIAL_ORGANISATION", "ELDERLY", "助老服务"),
]
DAGANG_PARTNERS = [
    ("大港派出所", "SOCIAL_ORGANISATION", "SAFETY", "警情通报与防范宣传"),
    ("大港社区卫生服务中心", "SOCIAL_ORGANISATION", "HEALTH", "慢病随访"),
    ("港务局职工志愿队", "SOCIAL_ORGANISATION", "ELDERLY", "助老陪护"),
    ("青海路便民超市", "ENTERPRISE", "RETAIL", "爱心折扣"),
    ("大港物业服务公司", "ENTERPRISE", "REPAIR", "楼院维修"),
    ("老舍故居纪念馆", "SOCIAL_ORGANISATION", "CULTURE", "红色教育讲解"),
    ("大港小学", "SOCIAL_ORGANISATION", "EDUCATION", "四点半课堂"),
    ("百年理发店", "INDIVIDUAL", "ELDERLY", "老人免费理发"),
    ("青海路家政服务社", "ENTERPRISE", "ELDERLY", "居家保洁"),
    ("港城爱心车队", "SOCIAL_ORGANISATION", "TRANSPORT", "就医接送"),
    ("大港书画协会", "SOCIAL_ORGANISATION", "CULTURE", "书画进社区"),
    ("海港餐饮有限公司", "ENTERPRISE", "FOOD", "长者食堂"),
    ("大港药房", "ENTERPRISE", "HEALTH", "用药咨询"),
    ("青岛港消防志愿队", "SOCIAL_ORGANISATION", "SAFETY", "消防演练"),
    ("大港街道商会", "SOCIAL_ORGANISATION", "FINANCE", "就业帮扶"),
]
# Projects named in the seed reports first, then themes of 党建民生项目.
NAMED_PROJECTS = [
    ("电亮微行动", "ELECTRICITY"),
    ("智慧金融家", "FINANCE"),
    ("警情大家知", "SAFETY"),
]
THEMES = [
    ("楼道灯维修", "ELECTRICITY"), ("防诈骗讲座", "FINANCE"), ("智能手机课堂", "TELECOM"),
    ("家电义修", "REPAIR"), ("健康义诊", "HEALTH"), ("法律咨询日", "LEGAL"),
    ("四点半课堂", "EDUCATION"), ("长者助餐", "FOOD"), ("助老陪护", "ELDERLY"),
    ("燃气安全检查", "SAFETY"), ("红色文化讲堂", "CULTURE"), ("就医接送", "TRANSPORT"),
]  # fmt: skip
CLAIMER_OF_NAMED = {"电亮微行动": 0, "智慧金融家": 1, "警情大家知": 15}  # indexes into the 30


def _partner(
    db: Db, clock: Clock, directory: str, spec: tuple[str, str, str, str], index: int
) -> PartnerRecord:
    name, kind, category, offer = spec
    admin = load_actor(db, ADMIN)
    partner = partners.register_partner(
        db,
        admin,
        clock,
        partners.PartnerInput(
            directory_unit_id=directory,
            kind=PartnerKind(kind),
            name=name,
            description=offer,
            contacts=(Contact(f"联络员{index:02d}", f"1385321{index:04d}", "党建联络员"),),
        ),
    )
    partners.add_resource(
        db, admin, clock, partners.ResourceInput(partner.id, category, offer, 10, "每周")
    )
    return partners.change_status(db, admin, clock, partner.id, PartnerAction.APPROVE, "")


def _project(
    db: Db, clock: Clock, title: str, category: str, capacity: int = 1, unit: str = QINGHAI
) -> ProjectRecord:
    admin = load_actor(db, ADMIN)
    need = partner_projects.publish_need(
        db,
        admin,
        clock,
        partner_projects.NeedInput(unit, category, f"{title}需求", f"居民提出: 需要{title}"),
    )
    return partner_projects.create_project(
        db,
        admin,
        clock,
        partner_projects.ProjectInput(
            unit_id=unit,
            title=title,
            description=f"{title}: 青海路社区党建民生项目",
            need_ids=(need.id,),
            capacity=capacity,
        ),
    )


def seed_partners(db: Db, clock: Clock, meeting_projects: int = MEETING_PROJECTS) -> int:
    """Write the demo partner data; return roughly how many items were written.

    ``meeting_projects`` is 120 in the demo; tests on moto (slow transactions) pass fewer."""
    admin = load_actor(db, ADMIN)
    team = [_partner(db, clock, DISTRICT, spec, i) for i, spec in enumerate(DISTRICT_PARTNERS)]
    team += [_partner(db, clock, DAGANG, spec, 15 + i) for i, spec in enumerate(DAGANG_PARTNERS)]
    written = len(team) * 2
    # Statuses other than approved, in other streets' sub-directories.
    partners.register_partner(
        db,
        admin,
        clock,
        partners.PartnerInput("ST01", PartnerKind.ENTERPRISE, "辽宁路新申请企业", "便民服务"),
    )
    for street, name, action in (
        ("ST06", "辽源路暂停合作社", PartnerAction.SUSPEND),
        ("ST19", "河西退出服务社", PartnerAction.WITHDRAW),
    ):
        other = _partner(db, clock, street, (name, "ENTERPRISE", "SERVICE", "便民服务"), 90)
        partners.change_status(db, admin, clock, other.id, action, "协议到期未续")
    written += 5
    # The meeting: 120 projects of 青海路社区, opened, each claimed by one of 30 partners.
    titles = [*NAMED_PROJECTS]
    while len(titles) < meeting_projects:
        theme, category = THEMES[len(titles) % len(THEMES)]
        titles.append((f"{theme}({len(titles) + 1})", category))
    meeting: dict[str, ProjectRecord] = {}
    for index, (title, category) in enumerate(titles):
        project = _project(db, clock, title, category)
        partner_projects.transition(db, admin, clock, project.id, ProjectAction.OPEN)
        claimer = CLAIMER_OF_NAMED.get(title, index % len(team))
        partner_projects.claim(db, admin, clock, project.id, team[claimer].id)
        meeting[title] = project
        written += 4
    # Walk some of them on: in delivery, delivered, confirmed + closed, rejected, confirmed.
    delivery = ProjectAction.START_DELIVERY
    for title in ("电亮微行动", "智慧金融家", "警情大家知", titles[3][0], titles[4][0]):
        partner_projects.transition(db, admin, clock, meeting[title].id, delivery)
    for title, claimer in (
        ("电亮微行动", 0),
        ("警情大家知", 15),
        (titles[3][0], 3),
        (titles[4][0], 4),
    ):
        partner_projects.report_delivery(
            db,
            admin,
            clock,
            meeting[title].id,
            team[claimer].id,
            "已完成: 楼道感应灯更换与入户检查",
            [f"demo/{meeting[title].id}/photo-1.jpg"],
        )
    for title, actions in (
        ("电亮微行动", (ProjectAction.CONFIRM, ProjectAction.CLOSE)),
        (titles[3][0], (ProjectAction.CONFIRM,)),
        (titles[4][0], (ProjectAction.REJECT,)),
    ):
        for step in actions:
            reason = "缺少居民签字确认" if step is ProjectAction.REJECT else ""
            partner_projects.transition(db, admin, clock, meeting[title].id, step, reason)
    # Beyond the meeting: a draft, an open shared project, a cancelled one.
    _project(db, clock, "楼院微更新设计", "REPAIR", capacity=3)
    shared = _project(db, clock, "社区长者食堂", "FOOD", capacity=3)
    partner_projects.transition(db, admin, clock, shared.id, ProjectAction.OPEN)
    partner_projects.claim(db, admin, clock, shared.id, team[26].id)
    cancelled = _project(db, clock, "夏季纳凉晚会", "CULTURE", capacity=2)
    partner_projects.transition(db, admin, clock, cancelled.id, ProjectAction.CANCEL)
    written += 12
    # 红色创新奖 of the year: two nominations, one award (with its points).
    year = clock.now().year
    partner_projects.record_award(db, admin, clock, team[0].id, year, "电亮微行动", False)
    partner_projects.record_award(db, admin, clock, team[15].id, year, "警情大家知", False)
    partner_projects.record_award(db, admin, clock, team[0].id, year, "电亮微行动", True)
    # 爱心银行 hours and 党员积分 of people of 青海路社区's first grid.
    worker, secretary = f"P-{QINGHAI}G01-WORKER", f"P-{QINGHAI}G01-SECRETARY"
    for holder, account, amount, source, reason, key in (
        (worker, AccountKind.SERVICE_HOURS, 6, EntrySource.SERVICE, "助老陪护", "demo-h1"),
        (worker, AccountKind.SERVICE_HOURS, -2, EntrySource.EXCHANGE, "兑换理发", "demo-h2"),
        (secretary, AccountKind.PARTY_POINTS, 20, EntrySource.STUDY, "学习强国", "demo-p1"),
        (secretary, AccountKind.PARTY_POINTS, 10, EntrySource.SERVICE, "网格巡查", "demo-p2"),
    ):
        ledger.post(db, admin, clock, Posting(account, holder, amount, source, reason, key))
        written += 3
    return written
