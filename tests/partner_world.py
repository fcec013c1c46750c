"""The world of the red-partner tests: the shared two-street world (A 辽宁路街道 / 无棣路社区,
B 大港街道 / 青海路社区) plus partners in the district directory and in B's sub-directory,
a representative of one of them, and helpers that publish needs and projects in B's community.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api.domain.clock import Clock
from api.domain.partners import Contact, PartnerAction, PartnerKind, ProjectAction
from api.domain.roles import Role
from api.records.org import OrgUnitRecord
from api.records.partner import PartnerRecord, ProjectRecord
from api.services import partner_projects, partners, people
from api.services.actor import Actor, Grant
from api.store.db import Db
from tests.world import World


def root_actor(world: World) -> Actor:
    district = world.district
    return Actor(person_id="bootstrap", grants=(Grant(district.id, district.path, Role.ADMIN),))


@dataclass
class PartnerWorld:
    world: World
    power: PartnerRecord  # district directory: 国网青岛供电公司
    bank: PartnerRecord  # B's sub-directory: 青岛银行
    police: PartnerRecord  # B's sub-directory: 大港派出所
    a_partner: PartnerRecord  # A's sub-directory
    representative_id: str  # acts for the bank
    b_community_staff_id: str  # STAFF on 青海路社区: publishes needs and projects
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def b(self) -> OrgUnitRecord:
        return self.world.b.community


def make_partner(
    db: Db,
    clock: Clock,
    world: World,
    directory: OrgUnitRecord,
    name: str,
    kind: PartnerKind = PartnerKind.ENTERPRISE,
    approve: bool = True,
    representatives: tuple[str, ...] = (),
    category: str | None = None,
) -> PartnerRecord:
    root = root_actor(world)
    partner = partners.register_partner(
        db,
        root,
        clock,
        partners.PartnerInput(
            directory_unit_id=directory.id,
            kind=kind,
            name=name,
            contacts=(Contact("王经理", "13812345678", "联络人"),),
            representative_ids=representatives,
        ),
    )
    if category is not None:
        partners.add_resource(
            db,
            root,
            clock,
            partners.ResourceInput(partner.id, category, f"{name}的志愿服务", 10, "周末"),
        )
    if approve:
        partner = partners.change_status(db, root, clock, partner.id, PartnerAction.APPROVE, "")
    return partner


def make_project(
    db: Db,
    clock: Clock,
    world: World,
    title: str,
    capacity: int = 1,
    unit: OrgUnitRecord | None = None,
    category: str = "SERVICE",
    open_it: bool = True,
) -> ProjectRecord:
    root = root_actor(world)
    unit = unit or world.b.community
    need = partner_projects.publish_need(
        db,
        root,
        clock,
        partner_projects.NeedInput(unit.id, category, f"{title}需求", f"居民需要{title}"),
    )
    project = partner_projects.create_project(
        db,
        root,
        clock,
        partner_projects.ProjectInput(
            unit_id=unit.id,
            title=title,
            description=f"{title}: 党建民生项目",
            need_ids=(need.id,),
            capacity=capacity,
        ),
    )
    if open_it:
        project = partner_projects.transition(db, root, clock, project.id, ProjectAction.OPEN)
    return project


def build_partner_world(db: Db, clock: Clock, world: World) -> PartnerWorld:
    root = root_actor(world)
    representative = people.register_person(
        db, root, clock, "银行联络员", "13920000001", world.b.unit_household.id, True
    )
    staff = people.register_person(
        db, root, clock, "青海路社区干事", "13920000002", world.b.community.id, True
    )
    people.grant_role(db, root, clock, staff.id, world.b.community.id, Role.STAFF)
    power = make_partner(
        db, clock, world, world.district, "国网青岛供电公司", category="ELECTRICITY"
    )
    bank = make_partner(
        db,
        clock,
        world,
        world.b.street,
        "青岛银行辽宁路支行",
        representatives=(representative.id,),
        category="FINANCE",
    )
    police = make_partner(
        db,
        clock,
        world,
        world.b.street,
        "大港派出所",
        PartnerKind.SOCIAL_ORGANISATION,
        category="SAFETY",
    )
    a_partner = make_partner(db, clock, world, world.a.street, "无棣路便民超市", category="RETAIL")
    return PartnerWorld(world, power, bank, police, a_partner, representative.id, staff.id)


# --- the street-B partner data of the scope-isolation tests -----------------------------------


@dataclass(frozen=True)
class IsolationPartners:
    """What tests/integration/test_scope_isolation.py needs under street B."""

    bank_id: str  # approved, B's sub-directory; B's resident represents it
    applicant_id: str  # applied, B's sub-directory
    free_need_id: str  # a FINANCE need of B's community in no project yet
    draft_project_id: str
    open_project_id: str  # capacity 1, no claims
    delivery_project_id: str  # in delivery, claimed by the bank


_ISOLATION: dict[str, IsolationPartners] = {}


def seed_isolation_partners(db: Db, clock: Clock, world: World) -> None:
    """Partner data under street B, written with the district's root; no new people (the
    isolation tests pin the residents of B). Found again by table name."""

    from api.domain.ledger import AccountKind, EntrySource, Posting
    from api.services import ledger

    root = root_actor(world)
    bank = make_partner(
        db,
        clock,
        world,
        world.b.street,
        "青岛银行辽宁路支行",
        representatives=(world.b.resident_id,),
        category="FINANCE",
    )
    applicant = make_partner(db, clock, world, world.b.street, "乙申请企业", approve=False)
    free_need = partner_projects.publish_need(
        db,
        root,
        clock,
        partner_projects.NeedInput(world.b.community.id, "FINANCE", "乙金融需求", "防诈骗讲座"),
    )
    draft = make_project(db, clock, world, "乙草稿项目", capacity=2, open_it=False)
    opened = make_project(db, clock, world, "乙认领项目", capacity=1)
    delivery = make_project(db, clock, world, "乙实施项目", capacity=1)
    partner_projects.claim(db, root, clock, delivery.id, bank.id)
    partner_projects.transition(db, root, clock, delivery.id, ProjectAction.START_DELIVERY)
    ledger.post(
        db,
        root,
        clock,
        Posting(
            AccountKind.SERVICE_HOURS,
            world.b.resident_id,
            4,
            EntrySource.SERVICE,
            "助老志愿服务",
            "iso-hours-1",
        ),
    )
    _ISOLATION[db.settings.table_name] = IsolationPartners(
        bank.id, applicant.id, free_need.id, draft.id, opened.id, delivery.id
    )


def isolation_partners(table_name: str) -> IsolationPartners:
    return _ISOLATION[table_name]
