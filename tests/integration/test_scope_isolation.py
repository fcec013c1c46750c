"""A role on street A can neither read nor change anything under street B — for every root
query and mutation of the schema.

Two tables drive the tests: ``READ_CASES`` (queries) and ``WRITE_CASES`` (mutations), each row
naming its root field. ``test_every_root_field_has_isolation_cases`` fails when the schema has a
root field no row covers, so a new field cannot ship without saying who may use it across
streets.

- Mutations: street A's admin, A's grid worker and an anonymous caller act on B's units, people
  and cases; each gets the expected refusal and the whole table is unchanged (compared item by
  item with a consistent scan). On a fresh world, an insider (B's admin, or the district's
  admin where both streets are involved) sends the same request, to show the rows are valid
  requests that would change something.
- Queries: each row says, per viewer (anonymous, A's admin and grid worker, B's admin and grid
  worker, B's resident), what comes back: the same public data for everyone, a refusal code,
  or masked versus full personal data.

The read-only tests share one world per module (built once), so they are cheap enough to run
over both transports (ASGI and API Gateway events through Mangum).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from pynamodb.connection import Connection

from api.app import create_app
from api.dev_issuer import DevIssuer
from api.domain.cases import Channel
from api.domain.clock import SHANGHAI, FixedClock
from api.domain.grid import GridDetails, ServiceStation, StarCriterion
from api.domain.ids import new_id, to_global_id
from api.domain.org import OrgKind
from api.domain.roles import Role
from api.records.org import OrgUnitRecord
from api.services import cases, grid_applications, org_units
from api.services.actor import Actor, Grant, load_actor
from api.settings import Settings
from api.store.db import Db
from infra.local_table import delete_table, ensure_table
from schema.schema import schema
from tests.api_client_world import as_client, isolation_clients
from tests.delivery_isolation import (
    DELIVERY_SELF_ONLY_QUERIES,
    BDelivery,
    delivery_read_rows,
    delivery_write_rows,
    seed_b_delivery,
)
from tests.export_isolation import (
    EXPORT_SELF_ONLY_QUERIES,
    export_read_rows,
    export_write_rows,
    seed_b_export,
)
from tests.graphql_client import AsgiClient, GraphQLClient, LambdaClient, Response
from tests.partner_world import IsolationPartners, isolation_partners, seed_isolation_partners
from tests.topic_isolation import (
    TOPIC_SELF_ONLY_QUERIES,
    b_voting_topic,
    topic_read_rows,
    topic_write_rows,
)
from tests.upload_isolation import upload_read_rows, upload_write_rows
from tests.world import World, build_world

_QUERY_TYPE, _MUTATION_TYPE = schema._schema.query_type, schema._schema.mutation_type
assert _QUERY_TYPE is not None and _MUTATION_TYPE is not None
ROOT_QUERIES = _QUERY_TYPE.fields
ROOT_MUTATIONS = _MUTATION_TYPE.fields

ANONYMOUS = "anonymous"
A_ADMIN, A_WORKER = "a_admin", "a_worker"
B_ADMIN, B_WORKER, B_RESIDENT = "b_admin", "b_worker", "b_resident"
DISTRICT_ADMIN = "district_admin"
VIEWERS = (ANONYMOUS, A_ADMIN, A_WORKER, B_ADMIN, B_WORKER, B_RESIDENT)
OUTSIDERS = (A_ADMIN, A_WORKER)

Problem = tuple[str, str | None]


def gid(item_id: str, type_name: str = "OrgUnit") -> str:
    return to_global_id(type_name, item_id)


# --- the world -----------------------------------------------------------------------------


@dataclass
class Extras:
    """What the two-street world lacks for these tests, all made by the district's root."""

    a_spare: OrgUnitRecord  # an empty grid in A (moved into B by a mutation row)
    b_spare: OrgUnitRecord  # an empty grid in B (archivable)
    b_movable: OrgUnitRecord  # another empty grid in B (moved into A by a mutation row)
    b_archived: OrgUnitRecord  # an archived grid in B
    b_case_id: str
    b_case_code: str
    b_case_tracking: str
    b_topic_id: str = ""  # 党群议事: a topic of B's grid, open for voting
    b_delivery: BDelivery | None = None  # B's notification, webhook subscription, delivery
    b_client_id: str = ""  # an API client scoped to street B (issue 13)
    a_client_key: str = ""  # the key of an API client scoped to street A, with every scope
    b_application_id: str = ""  # 入格申请: B's street admin applies to live in B's grid
    b_export_job_id: str = ""  # an export job of B's admin (issue 14.7)


@dataclass
class Shared:
    settings: Settings
    db: Db
    clock: FixedClock
    world: World
    extras: Extras
    tokens: dict[str, str | None]
    # The table as the last write test left it.
    snapshot: dict[tuple[str, str], dict[str, Any]]
    raw: Connection

    def person(self, viewer: str) -> str:
        w = self.world
        return {
            A_ADMIN: w.a.admin_id,
            A_WORKER: w.a.staff_id,
            B_ADMIN: w.b.admin_id,
            B_WORKER: w.b.staff_id,
            B_RESIDENT: w.b.resident_id,
            DISTRICT_ADMIN: w.district_admin_id,
        }[viewer]


def build_extras(db: Db, clock: FixedClock, world: World) -> Extras:
    district = world.district
    root = Actor(person_id="bootstrap", grants=(Grant(district.id, district.path, Role.ADMIN),))

    def grid(community: OrgUnitRecord, name: str) -> OrgUnitRecord:
        return org_units.create_unit(db, root, clock, community.id, OrgKind.GRID, name)

    a_spare = grid(world.a.community, "甲空网格")
    b_spare = grid(world.b.community, "乙备用网格")
    b_movable = grid(world.b.community, "乙空网格")
    b_archived = grid(world.b.community, "乙旧网格")
    org_units.archive_unit(db, root, clock, b_archived.id)
    org_units.update_grid(
        db,
        root,
        clock,
        world.b.grid.id,
        GridDetails(
            secretary_id=world.b.staff_id,
            station=ServiceStation("大港党群服务站", "大港路1号"),
            star_criteria=frozenset({StarCriterion.TEAM, StarCriterion.SERVICE}),
        ),
    )
    case = cases.report_case(
        db,
        load_actor(db, world.b.resident_id),
        clock,
        cases.ReportInput(
            channel=Channel.RESIDENT,
            category="ENVIRONMENT",
            description="楼道堆放杂物",
            location_unit_id=world.b.unit_household.id,
            address="大港路1号1单元",
        ),
    )
    seed_isolation_partners(db, clock, world)
    extras = Extras(
        a_spare,
        b_spare,
        b_movable,
        b_archived,
        case.id,
        case.code,
        f"{case.code}-{case.tracking_key}",
    )
    extras.b_topic_id = b_voting_topic(db, clock, world)
    extras.b_delivery = seed_b_delivery(db, clock, world)
    extras.b_client_id, extras.a_client_key = isolation_clients(db, root, clock, world)
    extras.b_application_id = grid_applications.apply(
        db, load_actor(db, world.b.admin_id), clock, world.b.grid.id, None, SEEDED_NOTE, None
    ).id
    extras.b_export_job_id = seed_b_export(db, clock, world)
    return extras


SEEDED_NOTE = "新搬来的住户"  # the note of B's seeded grid application


def new_clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI))


def raw_connection(settings: Settings) -> Connection:
    kwargs: dict[str, Any] = {"region": settings.region}
    if settings.dynamodb_host:
        kwargs["host"] = settings.dynamodb_host
    return Connection(**kwargs)


@pytest.fixture(scope="module")
def shared(dynamodb_host: str | None, issuer: DevIssuer) -> Iterator[Shared]:
    settings = Settings(
        stage="test",
        table_name=f"dangqun-iso-{uuid.uuid4().hex[:10]}",
        dynamodb_host=dynamodb_host,
        auth_issuer=issuer.issuer,
        auth_audience=issuer.audience,
        auth_jwks_file=str(issuer.jwks_file),
        cursor_secret="test-cursor-secret",
    )
    ensure_table(settings)
    try:
        db, clock = Db(settings), new_clock()
        world = build_world(db, clock)
        extras = build_extras(db, clock, world)
        state = Shared(settings, db, clock, world, extras, {}, {}, raw_connection(settings))
        state.snapshot = table_items(state)
        state.tokens = {ANONYMOUS: None} | {
            viewer: issuer.mint(state.person(viewer)) for viewer in (*VIEWERS[1:], DISTRICT_ADMIN)
        }
        yield state
    finally:
        delete_table(settings)


@pytest.fixture(scope="module", params=["asgi", "lambda"])
def module_client(request: pytest.FixtureRequest, shared: Shared) -> GraphQLClient:
    from mangum import Mangum

    app = create_app(shared.settings, shared.clock)
    if request.param == "asgi":
        return AsgiClient(app)
    return LambdaClient(Mangum(app, lifespan="off"))


@pytest.fixture
def iso(shared: Shared, module_client: GraphQLClient) -> tuple[Shared, GraphQLClient]:
    return shared, module_client


def table_items(state: Shared) -> dict[tuple[str, str], dict[str, Any]]:
    """Every item of the table, read consistently (a test-only scan)."""
    items: dict[tuple[str, str], dict[str, Any]] = {}
    start: dict[str, Any] | None = None
    while True:
        kwargs: dict[str, Any] = {"TableName": state.settings.table_name, "ConsistentRead": True}
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = state.raw.client.scan(**kwargs)
        for item in page["Items"]:
            items[(item["pk"]["S"], item["sk"]["S"])] = item
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def changed_keys(
    before: dict[tuple[str, str], dict[str, Any]], after: dict[tuple[str, str], dict[str, Any]]
) -> set[tuple[str, str]]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


# --- mutations -----------------------------------------------------------------------------

Succeeds = Callable[[list[Problem]], bool]


def succeeded(problems: list[Problem]) -> bool:
    return problems == []


def fails_with(code: str) -> Succeeds:
    return lambda problems: [c for c, _ in problems] == [code]


def sees_the_case(problems: list[Problem]) -> bool:
    """An insider may be refused an action (state, role), but never told the case is missing."""
    return all(code not in {"NOT_FOUND", "UNAUTHENTICATED"} for code, _ in problems)


@dataclass(frozen=True)
class WriteCase:
    field: str
    label: str
    input: Callable[[Shared], dict[str, Any]]
    # What street A's admin and grid worker get (anonymous callers get UNAUTHENTICATED).
    outsider: Problem = ("FORBIDDEN", None)
    # Who may do it, and what they get, on a fresh world (rows run in order there).
    insider: str = B_ADMIN
    insider_ok: Succeeds = succeeded
    # The mutation changes only the caller's own data (it names no target).
    self_only: bool = False

    @property
    def id(self) -> str:
        return f"{self.field}:{self.label}"


def _case(action_input: dict[str, Any] | None = None) -> Callable[[Shared], dict[str, Any]]:
    return lambda s: {"caseId": gid(s.extras.b_case_id, "Case"), **(action_input or {})}


def _case_row(field: str, action_input: dict[str, Any] | None = None) -> WriteCase:
    return WriteCase(
        field,
        "B's case",
        _case(action_input),
        outsider=("NOT_FOUND", "caseId"),
        insider_ok=sees_the_case,
    )


WRITE_CASES: list[WriteCase] = [
    # org units
    WriteCase(
        "createOrgUnit",
        "a grid under B's community",
        lambda s: {"parentId": gid(s.world.b.community.id), "kind": "GRID", "name": "越界网格"},
    ),
    WriteCase(
        "createOrgUnit",
        "a community under B's street",
        lambda s: {"parentId": gid(s.world.b.street.id), "kind": "COMMUNITY", "name": "越界社区"},
    ),
    WriteCase(
        "createOrgUnit",
        "a household under B's building",
        lambda s: {
            "parentId": gid(s.world.b.building.id),
            "kind": "PARTY_HOUSEHOLD",
            "name": "越界中心户",
        },
    ),
    WriteCase(
        "createOrgUnit",
        "a name B's community already has (no ALREADY_EXISTS oracle)",
        lambda s: {"parentId": gid(s.world.b.community.id), "kind": "GRID", "name": "第一网格"},
        insider_ok=fails_with("ALREADY_EXISTS"),
    ),
    WriteCase(
        "renameOrgUnit",
        "B's grid",
        lambda s: {"id": gid(s.world.b.grid.id), "name": "越界改名"},
    ),
    WriteCase(
        "renameOrgUnit",
        "B's street",
        lambda s: {"id": gid(s.world.b.street.id), "name": "越界街道"},
        insider=DISTRICT_ADMIN,
    ),
    WriteCase(
        "moveOrgUnit",
        "B's grid into A's community",
        lambda s: {"id": gid(s.extras.b_movable.id), "newParentId": gid(s.world.a.community.id)},
        insider=DISTRICT_ADMIN,
    ),
    WriteCase(
        "moveOrgUnit",
        "A's grid into B's community",
        lambda s: {"id": gid(s.extras.a_spare.id), "newParentId": gid(s.world.b.community.id)},
        insider=DISTRICT_ADMIN,
    ),
    WriteCase("archiveOrgUnit", "B's empty grid", lambda s: {"id": gid(s.extras.b_spare.id)}),
    WriteCase(
        "archiveOrgUnit",
        "B's unit household (permission is checked before use)",
        lambda s: {"id": gid(s.world.b.unit_household.id)},
        insider_ok=fails_with("IN_USE"),
    ),
    WriteCase(
        "updateGridDetails",
        "B's ratings",
        lambda s: {"id": gid(s.world.b.grid.id), "starCriteria": ["TEAM", "STATION"]},
    ),
    WriteCase(
        "updateGridDetails",
        "B's secretary",
        lambda s: {"id": gid(s.world.b.grid.id), "secretaryId": gid(s.world.a.admin_id, "Person")},
    ),
    # people
    WriteCase(
        "registerPerson",
        "a resident of B's unit household",
        lambda s: {
            "name": "越界居民",
            "phone": "13900005001",
            "homeUnitId": gid(s.world.b.unit_household.id),
        },
    ),
    WriteCase(
        "registerPerson",
        "a resident of B's street",
        lambda s: {"name": "越界居民二", "homeUnitId": gid(s.world.b.street.id)},
    ),
    WriteCase(
        "registerPerson",
        "with the phone of B's resident (no ALREADY_EXISTS oracle)",
        lambda s: {
            "name": "越界居民三",
            "phone": "13900002002",
            "homeUnitId": gid(s.world.b.unit_household.id),
        },
        insider_ok=fails_with("ALREADY_EXISTS"),
    ),
    WriteCase(
        "grantRole",
        "a role on B's grid to B's resident",
        lambda s: {
            "personId": gid(s.world.b.resident_id, "Person"),
            "orgUnitId": gid(s.world.b.grid.id),
            "role": "STAFF",
        },
    ),
    WriteCase(
        "grantRole",
        "A's admin making themselves admin of B",
        lambda s: {
            "personId": gid(s.world.a.admin_id, "Person"),
            "orgUnitId": gid(s.world.b.street.id),
            "role": "ADMIN",
        },
    ),
    WriteCase(
        "grantRole",
        "A's grid worker onto B's grid",
        lambda s: {
            "personId": gid(s.world.a.staff_id, "Person"),
            "orgUnitId": gid(s.world.b.grid.id),
            "role": "GRID_WORKER",
        },
    ),
    WriteCase(
        "setPartyBadge",
        "names no one: changes only the caller",
        lambda s: {"show": True},
        self_only=True,
    ),
    WriteCase(
        "applyToJoinGrid",
        "into B's grid: anyone signed in applies for themselves",
        lambda s: {"gridId": gid(s.world.b.grid.id), "note": "越界申请"},
        self_only=True,
        insider=B_RESIDENT,
        insider_ok=fails_with("ALREADY_EXISTS"),  # B's resident lives there already
    ),
    WriteCase(
        "decideGridApplication",
        "approving an application to live in B's grid",
        lambda s: {
            "applicationId": gid(s.extras.b_application_id, "GridApplication"),
            "approve": True,
        },
        insider=B_WORKER,
    ),
    # cases
    WriteCase(
        "reportCase",
        "on patrol in B's grid",
        lambda s: {
            "channel": "GRID_PATROL",
            "category": "ENVIRONMENT",
            "description": "越界巡查",
            "locationUnitId": gid(s.world.b.grid.id),
        },
        outsider=("FORBIDDEN", "channel"),
        insider=B_WORKER,
    ),
    WriteCase(
        "reportCase",
        "as the hotline in B's grid",
        lambda s: {
            "channel": "HOTLINE",
            "category": "ENVIRONMENT",
            "description": "越界热线",
            "locationUnitId": gid(s.world.b.building.id),
        },
        outsider=("FORBIDDEN", "channel"),
    ),
    _case_row("acceptCase", {"mode": "FAST", "category": "ENVIRONMENT"}),
    _case_row("rejectCase", {"reason": "越界驳回"}),
    _case_row("assignCase", {"level": "GRID"}),
    _case_row("startCase"),
    _case_row("claimCase", {"departmentId": gid("DEPT")}),
    _case_row("resolveCaseTask", {"departmentId": gid("DEPT"), "result": "越界"}),
    _case_row("escalateCase", {"reason": "越界吹哨"}),
    _case_row("sendBackCase", {"reason": "越界回退"}),
    _case_row("pauseCase", {"reason": "越界暂停"}),
    _case_row("resumeCase"),
    _case_row("requestCaseExtension", {"hours": 24, "reason": "越界延期"}),
    _case_row("decideCaseExtension", {"approve": True}),
    _case_row("resolveCase", {"result": "越界办结"}),
    _case_row("verifyCase", {"passed": True}),
    _case_row("evaluateCase", {"satisfaction": "SATISFIED"}),
    _case_row("reopenCase", {"reason": "越界返工"}),
    _case_row("closeCase"),
    _case_row("tickOffCase"),
    _case_row("requestCasePark", {"reason": "越界挂账"}),
    _case_row("decideCasePark", {"approve": True}),
    _case_row("unparkCase"),
    _case_row("archiveCase"),
    # time limits: district-wide, so only the district's admin
    WriteCase(
        "updateTimePolicy",
        "the district's time-limit policy",
        lambda s: {
            "districtId": gid(s.world.district.id),
            "defaults": [
                {"level": level, "responseHours": 2, "resolveHours": 16}
                for level in ("GRID", "COMMUNITY", "STREET", "DISTRICT", "TOP")
            ],
        },
        insider=DISTRICT_ADMIN,
    ),
    WriteCase(
        "publishCalendarOverrides",
        "the district's calendar",
        lambda s: {
            "districtId": gid(s.world.district.id),
            "set": [{"day": "2026-12-31", "workday": False, "note": "越界放假"}],
        },
        insider=DISTRICT_ADMIN,
    ),
    # Last: revoking takes roles the insiders of earlier rows use.
    WriteCase(
        "revokeRole",
        "B's grid worker",
        lambda s: {
            "personId": gid(s.world.b.staff_id, "Person"),
            "orgUnitId": gid(s.world.b.grid.id),
            "role": "GRID_WORKER",
        },
    ),
    WriteCase(
        "revokeRole",
        "B's admin",
        lambda s: {
            "personId": gid(s.world.b.admin_id, "Person"),
            "orgUnitId": gid(s.world.b.street.id),
            "role": "ADMIN",
        },
        insider=DISTRICT_ADMIN,
    ),
    # red partners and the points ledger (after the revocations: the district's admin inside)
    WriteCase(
        "registerPartner",
        "into B's sub-directory",
        lambda s: {
            "directoryUnitId": gid(s.world.b.street.id),
            "kind": "ENTERPRISE",
            "name": "越界企业",
        },
        insider=DISTRICT_ADMIN,
    ),
    WriteCase(
        "changePartnerStatus",
        "approving B's applicant",
        lambda s: {"partnerId": gid(_bp(s).applicant_id, "Partner"), "action": "APPROVE"},
        outsider=("FORBIDDEN", "partnerId"),
        insider=DISTRICT_ADMIN,
    ),
    WriteCase(
        "addPartnerResource",
        "to B's partner",
        lambda s: {
            "partnerId": gid(_bp(s).bank_id, "Partner"),
            "category": "FINANCE",
            "description": "越界资源",
        },
        outsider=("FORBIDDEN", "partnerId"),
        insider=DISTRICT_ADMIN,
    ),
    WriteCase(
        "publishPartnerNeed",
        "in B's community",
        lambda s: {
            "unitId": gid(s.world.b.community.id),
            "category": "SAFETY",
            "title": "越界需求",
            "description": "越界",
        },
        insider=DISTRICT_ADMIN,
    ),
    WriteCase(
        "createPartnerProject",
        "from B's need",
        lambda s: {
            "unitId": gid(s.world.b.community.id),
            "title": "越界项目",
            "description": "越界",
            "needIds": [gid(_bp(s).free_need_id, "PartnerNeed")],
        },
        insider=DISTRICT_ADMIN,
    ),
    WriteCase(
        "transitionPartnerProject",
        "opening B's draft",
        lambda s: {"projectId": gid(_bp(s).draft_project_id, "PartnerProject"), "action": "OPEN"},
        insider=DISTRICT_ADMIN,
    ),
    WriteCase(
        "claimPartnerProject",
        "B's project for B's partner",
        lambda s: {
            "projectId": gid(_bp(s).open_project_id, "PartnerProject"),
            "partnerId": gid(_bp(s).bank_id, "Partner"),
        },
        outsider=("FORBIDDEN", "partnerId"),
        insider=DISTRICT_ADMIN,
    ),
    WriteCase(
        "withdrawPartnerClaim",
        "B's partner's claim",
        lambda s: {
            "projectId": gid(_bp(s).open_project_id, "PartnerProject"),
            "partnerId": gid(_bp(s).bank_id, "Partner"),
        },
        outsider=("FORBIDDEN", "partnerId"),
        insider=DISTRICT_ADMIN,
    ),
    WriteCase(
        "reportPartnerDelivery",
        "for B's partner",
        lambda s: {
            "projectId": gid(_bp(s).delivery_project_id, "PartnerProject"),
            "partnerId": gid(_bp(s).bank_id, "Partner"),
            "notes": "越界交付",
        },
        outsider=("FORBIDDEN", "partnerId"),
        insider=DISTRICT_ADMIN,
    ),
    WriteCase(
        "recordPartnerAward",
        "nominating B's partner",
        lambda s: {
            "partnerId": gid(_bp(s).bank_id, "Partner"),
            "year": 2026,
            "citation": "越界提名",
        },
        outsider=("FORBIDDEN", "partnerId"),
        insider=DISTRICT_ADMIN,
    ),
    WriteCase(
        "postPoints",
        "love-bank hours of B's resident",
        lambda s: {
            "account": "SERVICE_HOURS",
            "holderId": gid(s.world.b.resident_id, "Person"),
            "amount": 2,
            "source": "SERVICE",
            "reason": "越界记时",
            "idempotencyKey": "iso-cross-1",
        },
        outsider=("FORBIDDEN", "holderId"),
        insider=DISTRICT_ADMIN,
    ),
    *[WriteCase(*row) for row in topic_write_rows()],
    *[WriteCase(*row) for row in upload_write_rows()],
    *[WriteCase(*row) for row in export_write_rows()],
    # command centre (issue 14): recomputing counters is for district administrators only
    WriteCase(
        "recomputeCounters",
        "every counter of the table",
        lambda s: {"repair": False},
        insider=DISTRICT_ADMIN,
    ),
    *[WriteCase(*row) for row in delivery_write_rows()],
    # API clients (issue 13): registered and managed by district admins only
    WriteCase(
        "registerApiClient",
        "a client scoped to B's street",
        lambda s: {
            "name": "越界系统",
            "orgUnitId": gid(s.world.b.street.id),
            "scopes": ["cases:read"],
        },
        insider=DISTRICT_ADMIN,
    ),
    WriteCase(
        "rotateApiClientKey",
        "B's client",
        lambda s: {"clientId": s.extras.b_client_id},
        outsider=("NOT_FOUND", "clientId"),
        insider=DISTRICT_ADMIN,
    ),
    WriteCase(
        "revokeApiClient",
        "B's client",
        lambda s: {"clientId": s.extras.b_client_id},
        outsider=("NOT_FOUND", "clientId"),
        insider=DISTRICT_ADMIN,
    ),
]


def _bp(s: Shared) -> IsolationPartners:
    return isolation_partners(s.settings.table_name)


def mutation_document(field_name: str) -> str:
    """Every argument of the field is a variable of the same name (most take one ``input``)."""
    args = ROOT_MUTATIONS[field_name].args
    declared = ", ".join(f"${name}: {arg.type}" for name, arg in args.items())
    passed = ", ".join(f"{name}: ${name}" for name in args)
    call = f"{field_name}({passed})" if args else field_name
    header = f"mutation({declared})" if args else "mutation"
    return f"{header} {{ {call} {{ errors {{ code field message }} }} }}"


def send(
    client: GraphQLClient, row: WriteCase, variables: dict[str, Any], token: str | None
) -> list[dict[str, Any]]:
    if "input" in ROOT_MUTATIONS[row.field].args:
        variables = {"input": variables}
    response = client.query(mutation_document(row.field), variables, token)
    assert response.status == 200, response.body
    assert not response.errors, response.body
    errors: list[dict[str, Any]] = response.data[row.field]["errors"]
    return errors


def as_problems(errors: list[dict[str, Any]]) -> list[Problem]:
    return [(error["code"], error["field"]) for error in errors]


@pytest.fixture(scope="module")
def asgi_client(shared: Shared) -> GraphQLClient:
    return AsgiClient(create_app(shared.settings, shared.clock))


@pytest.mark.parametrize("row", WRITE_CASES, ids=lambda row: row.id)
def test_street_a_cannot_change_anything_under_street_b(
    shared: Shared, asgi_client: GraphQLClient, row: WriteCase
) -> None:
    """Over the ASGI app only: who may write is decided below the transport, and the read
    matrix already runs over both. One consistent scan per row, compared item by item with
    the table as the previous row left it."""
    variables = row.input(shared)
    for caller in (A_ADMIN, A_WORKER, ANONYMOUS):
        errors = send(asgi_client, row, variables, shared.tokens[caller])
        if caller == ANONYMOUS:
            assert as_problems(errors) == [("UNAUTHENTICATED", None)], errors
        elif not row.self_only:
            assert as_problems(errors) == [row.outsider], (caller, errors)
        if row.outsider == ("NOT_FOUND", "caseId"):
            # The refusal says no more than it would for a case that does not exist at all.
            missing = {**variables, "caseId": gid(new_id(), "Case")}
            assert send(asgi_client, row, missing, shared.tokens[caller]) == errors, caller
    after = table_items(shared)
    changed = changed_keys(shared.snapshot, after)
    shared.snapshot = after
    if row.self_only:
        # It names no one: only the callers' own items (their person, delivery contact and
        # WeChat consents, keyed by their person id) may have changed.
        callers = [shared.person(caller) for caller in OUTSIDERS]
        own = {(f"{kind}#{p}", "#META") for kind in ("USER", "CONTACT") for p in callers}
        own |= {(f"USER#{p}", "GRIDAPP#OPEN") for p in callers}  # their own 入格申请
        quotas = {f"QUOTA#{p}" for p in callers}
        applications = {
            key for key in changed
            if key[0].startswith("GRIDAPP#") and after[key]["applicant_id"]["S"] in callers
        }  # fmt: skip
        assert {key for key in changed if key[0] not in quotas} - applications <= own, changed
    else:
        assert changed == set(), changed


def test_insiders_can_send_every_mutation_row(
    settings: Settings, db: Db, clock: FixedClock, issuer: DevIssuer
) -> None:
    """The rows are real requests: on a fresh world, in table order, the insider of each gets
    through, or is refused for a reason other than scope."""
    world = build_world(db, clock)
    extras = build_extras(db, clock, world)
    state = Shared(settings, db, clock, world, extras, {}, {}, raw_connection(settings))
    client = AsgiClient(create_app(settings, clock))
    for row in WRITE_CASES:
        token = issuer.mint(state.person(row.insider))
        problems = as_problems(send(client, row, row.input(state), token))
        assert row.insider_ok(problems), (row.id, problems)


# --- queries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refused:
    code: str


UNAUTHENTICATED = Refused("UNAUTHENTICATED")
FORBIDDEN = Refused("FORBIDDEN")
NOT_FOUND = Refused("NOT_FOUND")


def everyone(value: Any) -> dict[str, Any]:
    return dict.fromkeys(VIEWERS, value)


def per_viewer(default: Any, **overrides: Any) -> dict[str, Any]:
    return {viewer: overrides.get(viewer, default) for viewer in VIEWERS}


@dataclass(frozen=True)
class ReadCase:
    field: str
    label: str
    document: str
    variables: Callable[[Shared], dict[str, Any]]
    project: Callable[[dict[str, Any]], Any]
    expect: Callable[[Shared], dict[str, Any]]

    @property
    def id(self) -> str:
        return f"{self.field}:{self.label}"


def _nodes(connection: dict[str, Any], key: str = "name") -> list[Any]:
    return [node[key] for node in connection["nodes"]]


def _b_grid(s: Shared) -> dict[str, Any]:
    return {"id": gid(s.world.b.grid.id)}


PUBLIC_GRID = {
    "name": "第一网格",
    "kind": "GRID",
    "archived": False,
    "ancestors": [{"name": "市北区"}, {"name": "大港街道"}, {"name": "青海路社区"}],
    "parent": {"name": "青海路社区"},
    "children": {"nodes": [{"name": "12号楼院"}]},
    "grid": {
        "serviceStation": {"name": "大港党群服务站", "address": "大港路1号"},
        "stars": 2,
        "starCriteria": ["TEAM", "SERVICE"],
        "fiveCriteriaMet": False,
    },
}
PUBLIC_GRID_FIELDS = """
name kind archived ancestors { name } parent { name } children { nodes { name } }
grid { serviceStation { name address } stars starCriteria fiveCriteriaMet }
"""
PERSON_FIELDS = "name phone isPartyMember partyBadge roles { role } homeUnit { name }"


def masked_person(masked_name: str) -> dict[str, Any]:
    return {
        "name": masked_name,
        "phone": None,
        "isPartyMember": None,
        "partyBadge": False,
        "roles": [],
        "homeUnit": None,
    }


B_RESIDENT_FULL = {
    "name": "乙居民",
    "phone": "139****2002",
    "isPartyMember": False,
    "partyBadge": False,
    "roles": [],
    "homeUnit": {"name": "1单元"},
}
B_RESIDENT_MASKED = masked_person("乙**")
B_WORKER_FULL = {
    "name": "乙网格员",
    "phone": "139****2001",
    "isPartyMember": False,
    "partyBadge": False,
    "roles": [{"role": "GRID_WORKER"}],
    "homeUnit": {"name": "第一网格"},
}
B_WORKER_MASKED = masked_person("乙***")
# One's own data is shown in full (issue 16.3).
B_RESIDENT_OWN = B_RESIDENT_FULL | {"phone": "13900002002"}
B_WORKER_OWN = B_WORKER_FULL | {"phone": "13900002001"}


def _case_view(s: Shared, phone: str = "139****2002") -> dict[str, Any]:
    return {
        "code": s.extras.b_case_code,
        "description": "楼道堆放杂物",
        "address": "大港路1号1单元",
        "reporter": {"name": "乙居民", "phone": phone},
    }


CASE_FIELDS = "code description address reporter { name phone }"

READ_CASES: list[ReadCase] = [
    # orgUnit
    ReadCase(
        "orgUnit",
        "public fields of B's grid",
        f"query($id: ID!) {{ orgUnit(id: $id) {{ {PUBLIC_GRID_FIELDS} }} }}",
        _b_grid,
        lambda d: d["orgUnit"],
        lambda s: everyone(PUBLIC_GRID),
    ),
    ReadCase(
        "orgUnit",
        "role grants on B's grid",
        "query($id: ID!) { orgUnit(id: $id) { roleGrants { nodes { role person { name } } } } }",
        _b_grid,
        lambda d: d["orgUnit"]["roleGrants"]["nodes"],
        lambda s: per_viewer(
            FORBIDDEN,
            anonymous=UNAUTHENTICATED,
            b_admin=[{"role": "GRID_WORKER", "person": {"name": "乙网格员"}}],
            b_worker=[{"role": "GRID_WORKER", "person": {"name": "乙网格员"}}],
        ),
    ),
    ReadCase(
        "orgUnit",
        "residents of B's unit household",
        "query($id: ID!) { orgUnit(id: $id) { residents { nodes { name phone } } } }",
        lambda s: {"id": gid(s.world.b.unit_household.id)},
        lambda d: d["orgUnit"]["residents"]["nodes"],
        lambda s: per_viewer(
            FORBIDDEN,
            anonymous=UNAUTHENTICATED,
            b_admin=[{"name": "乙居民", "phone": "139****2002"}],
            b_worker=[{"name": "乙居民", "phone": "139****2002"}],
        ),
    ),
    ReadCase(
        "orgUnit",
        "archived children of B's community",
        "query($id: ID!) { orgUnit(id: $id) { children(archived: true) { nodes { name } } } }",
        lambda s: {"id": gid(s.world.b.community.id)},
        lambda d: _nodes(d["orgUnit"]["children"]),
        lambda s: per_viewer(FORBIDDEN, anonymous=UNAUTHENTICATED, b_admin=["乙旧网格"]),
    ),
    ReadCase(
        "orgUnit",
        "active children of B's community",
        "query($id: ID!) { orgUnit(id: $id) { children { nodes { name } } } }",
        lambda s: {"id": gid(s.world.b.community.id)},
        lambda d: _nodes(d["orgUnit"]["children"]),
        lambda s: everyone(["乙备用网格", "乙空网格", "第一网格"]),
    ),
    ReadCase(
        "orgUnit",
        "B's archived grid",
        "query($id: ID!) { orgUnit(id: $id) { name archived } }",
        lambda s: {"id": gid(s.extras.b_archived.id)},
        lambda d: d["orgUnit"],
        lambda s: per_viewer(None, b_admin={"name": "乙旧网格", "archived": True}),
    ),
    ReadCase(
        "orgUnit",
        "the secretary of B's grid",
        f"query($id: ID!) {{ orgUnit(id: $id) {{ grid {{ partyBranchSecretary {{ {PERSON_FIELDS} }}"
        " } } }",
        _b_grid,
        lambda d: d["orgUnit"]["grid"]["partyBranchSecretary"],
        lambda s: per_viewer(B_WORKER_MASKED, b_admin=B_WORKER_FULL, b_worker=B_WORKER_OWN),
    ),
    ReadCase(
        "orgUnit",
        "whether the caller may manage B's grid",
        "query($id: ID!) { orgUnit(id: $id) { viewerCanManage } }",
        _b_grid,
        lambda d: d["orgUnit"]["viewerCanManage"],
        lambda s: per_viewer(False, b_admin=True),
    ),
    # node
    ReadCase(
        "node",
        "B's grid",
        "query($id: ID!) { node(id: $id) { __typename ... on OrgUnit { name kind } } }",
        _b_grid,
        lambda d: d["node"],
        lambda s: everyone({"__typename": "OrgUnit", "name": "第一网格", "kind": "GRID"}),
    ),
    ReadCase(
        "node",
        "B's archived grid",
        "query($id: ID!) { node(id: $id) { ... on OrgUnit { name } } }",
        lambda s: {"id": gid(s.extras.b_archived.id)},
        lambda d: d["node"],
        lambda s: per_viewer(None, b_admin={"name": "乙旧网格"}),
    ),
    ReadCase(
        "node",
        "B's resident",
        f"query($id: ID!) {{ node(id: $id) {{ ... on Person {{ {PERSON_FIELDS} }} }} }}",
        lambda s: {"id": gid(s.world.b.resident_id, "Person")},
        lambda d: d["node"],
        lambda s: per_viewer(
            B_RESIDENT_MASKED,
            b_admin=B_RESIDENT_FULL,
            b_worker=B_RESIDENT_FULL,
            b_resident=B_RESIDENT_OWN,
        ),
    ),
    ReadCase(
        "node",
        "B's case",
        f"query($id: ID!) {{ node(id: $id) {{ ... on Case {{ {CASE_FIELDS} }} }} }}",
        lambda s: {"id": gid(s.extras.b_case_id, "Case")},
        lambda d: d["node"],
        lambda s: per_viewer(
            None,
            b_admin=_case_view(s),
            b_worker=_case_view(s),
            b_resident=_case_view(s, "13900002002"),
        ),
    ),
    # person
    ReadCase(
        "person",
        "B's resident",
        f"query($id: ID!) {{ person(id: $id) {{ {PERSON_FIELDS} }} }}",
        lambda s: {"id": gid(s.world.b.resident_id, "Person")},
        lambda d: d["person"],
        lambda s: per_viewer(
            B_RESIDENT_MASKED,
            b_admin=B_RESIDENT_FULL,
            b_worker=B_RESIDENT_FULL,
            b_resident=B_RESIDENT_OWN,
        ),
    ),
    ReadCase(
        "person",
        "B's admin (a party member, home on B's street)",
        f"query($id: ID!) {{ person(id: $id) {{ {PERSON_FIELDS} }} }}",
        lambda s: {"id": gid(s.world.b.admin_id, "Person")},
        lambda d: d["person"],
        lambda s: per_viewer(
            masked_person("乙*****"),
            b_admin={
                "name": "乙街道管理员",
                "phone": "13900002000",  # their own data, in full
                "isPartyMember": True,
                "partyBadge": False,
                "roles": [{"role": "ADMIN"}],
                "homeUnit": {"name": "大港街道"},
            },
        ),
    ),
    # districts
    ReadCase(
        "districts",
        "the public tree",
        "{ districts { nodes { name kind children { nodes { name kind } } } } }",
        lambda s: {},
        lambda d: d["districts"]["nodes"],
        lambda s: everyone(
            [
                {
                    "name": "市北区",
                    "kind": "DISTRICT",
                    "children": {
                        "nodes": [
                            {"name": "大港街道", "kind": "STREET"},
                            {"name": "辽宁路街道", "kind": "STREET"},
                        ]
                    },
                }
            ]
        ),
    ),
    ReadCase(
        "districts",
        "B street's role grants reached through the tree",
        "{ districts { nodes { children(first: 1) { nodes { name roleGrants { nodes { role } } } }"
        " } } }",
        lambda s: {},
        lambda d: d["districts"]["nodes"][0]["children"]["nodes"],
        lambda s: per_viewer(
            FORBIDDEN,
            anonymous=UNAUTHENTICATED,
            b_admin=[{"name": "大港街道", "roleGrants": {"nodes": [{"role": "ADMIN"}]}}],
        ),
    ),
    # searchOrgUnits
    ReadCase(
        "searchOrgUnits",
        "grids of B's street",
        "query($s: ID!) { searchOrgUnits(scopeId: $s, kind: GRID) { nodes { name } } }",
        lambda s: {"s": gid(s.world.b.street.id)},
        lambda d: _nodes(d["searchOrgUnits"]),
        lambda s: everyone(["乙备用网格", "乙空网格", "第一网格"]),
    ),
    ReadCase(
        "searchOrgUnits",
        "residents reached through a search of B's street",
        "query($s: ID!) { searchOrgUnits(scopeId: $s, kind: UNIT_HOUSEHOLD) {"
        " nodes { name residents { nodes { name } } } } }",
        lambda s: {"s": gid(s.world.b.street.id)},
        lambda d: d["searchOrgUnits"]["nodes"],
        lambda s: per_viewer(
            FORBIDDEN,
            anonymous=UNAUTHENTICATED,
            b_admin=[{"name": "1单元", "residents": {"nodes": [{"name": "乙居民"}]}}],
            b_worker=[{"name": "1单元", "residents": {"nodes": [{"name": "乙居民"}]}}],
        ),
    ),
    # viewer
    ReadCase(
        "viewer",
        "only the caller",
        "{ viewer { person { name } roles { role orgUnit { name } } } }",
        lambda s: {},
        lambda d: d["viewer"],
        lambda s: {
            ANONYMOUS: None,
            A_ADMIN: {
                "person": {"name": "甲街道管理员"},
                "roles": [{"role": "ADMIN", "orgUnit": {"name": "辽宁路街道"}}],
            },
            A_WORKER: {
                "person": {"name": "甲网格员"},
                "roles": [{"role": "GRID_WORKER", "orgUnit": {"name": "第一网格"}}],
            },
            B_ADMIN: {
                "person": {"name": "乙街道管理员"},
                "roles": [{"role": "ADMIN", "orgUnit": {"name": "大港街道"}}],
            },
            B_WORKER: {
                "person": {"name": "乙网格员"},
                "roles": [{"role": "GRID_WORKER", "orgUnit": {"name": "第一网格"}}],
            },
            B_RESIDENT: {"person": {"name": "乙居民"}, "roles": []},
        },
    ),
    # case, caseByCode, trackCase
    ReadCase(
        "case",
        "B's case",
        f"query($id: ID!) {{ case(id: $id) {{ {CASE_FIELDS} }} }}",
        lambda s: {"id": gid(s.extras.b_case_id, "Case")},
        lambda d: d["case"],
        lambda s: per_viewer(
            None,
            b_admin=_case_view(s),
            b_worker=_case_view(s),
            b_resident=_case_view(s, "13900002002"),
        ),
    ),
    ReadCase(
        "caseByCode",
        "B's case",
        f"query($code: String!) {{ caseByCode(code: $code) {{ {CASE_FIELDS} }} }}",
        lambda s: {"code": s.extras.b_case_code},
        lambda d: d["caseByCode"],
        lambda s: per_viewer(
            None,
            b_admin=_case_view(s),
            b_worker=_case_view(s),
            b_resident=_case_view(s, "13900002002"),
        ),
    ),
    ReadCase(
        "trackCase",
        "B's case, publicly: status and timeline only",
        "query($code: String!) { trackCase(code: $code) {"
        " code state category { code } level timeline { action toState } } }",
        lambda s: {"code": s.extras.b_case_tracking},
        lambda d: d["trackCase"],
        lambda s: everyone(
            {
                "code": s.extras.b_case_code,
                "state": "REPORTED",
                "category": {"code": "ENVIRONMENT"},
                "level": None,
                "timeline": [{"action": "REPORT", "toState": "REPORTED"}],
            }
        ),
    ),
    # case lists
    ReadCase(
        "caseInbox",
        "B community's intake inbox (new reports wait there: issue 16.1)",
        "query($id: ID!) { caseInbox(unitId: $id) { nodes { code summary } } }",
        lambda s: {"id": gid(s.world.b.community.id)},
        lambda d: [n["code"] for n in d["caseInbox"]["nodes"]],
        lambda s: per_viewer(
            FORBIDDEN,
            anonymous=UNAUTHENTICATED,
            b_admin=[s.extras.b_case_code],
        ),
    ),
    ReadCase(
        "cases",
        "cases of B's street",
        "query($id: ID!) { cases(scopeId: $id) { nodes { code reporter { name } } } }",
        lambda s: {"id": gid(s.world.b.street.id)},
        lambda d: d["cases"]["nodes"],
        lambda s: per_viewer(
            FORBIDDEN,
            anonymous=UNAUTHENTICATED,
            b_admin=[{"code": s.extras.b_case_code, "reporter": {"name": "乙居民"}}],
        ),
    ),
    ReadCase(
        "cases",
        "cases of B's grid",
        "query($id: ID!) { cases(scopeId: $id) { nodes { code } } }",
        _b_grid,
        lambda d: [n["code"] for n in d["cases"]["nodes"]],
        lambda s: per_viewer(
            FORBIDDEN,
            anonymous=UNAUTHENTICATED,
            b_admin=[s.extras.b_case_code],
            b_worker=[s.extras.b_case_code],
        ),
    ),
    ReadCase(
        "cases",
        "cases of the whole district",
        "query($id: ID!) { cases(scopeId: $id) { nodes { code } } }",
        lambda s: {"id": gid(s.world.district.id)},
        lambda d: [n["code"] for n in d["cases"]["nodes"]],
        lambda s: per_viewer(FORBIDDEN, anonymous=UNAUTHENTICATED),
    ),
    ReadCase(
        "myCases",
        "only the caller's own reports",
        "{ myCases { nodes { code } } }",
        lambda s: {},
        lambda d: [n["code"] for n in d["myCases"]["nodes"]],
        lambda s: per_viewer([], anonymous=UNAUTHENTICATED, b_resident=[s.extras.b_case_code]),
    ),
    ReadCase(
        "myOwnedCases",
        "only the caller's own (包案)",
        "{ myOwnedCases { nodes { code } } }",
        lambda s: {},
        lambda d: [n["code"] for n in d["myOwnedCases"]["nodes"]],
        lambda s: per_viewer([], anonymous=UNAUTHENTICATED),
    ),
    ReadCase(
        "myGridApplications",
        "only the caller's own 入格申请",
        "{ myGridApplications { nodes { note state grid { name } } } }",
        lambda s: {},
        lambda d: [n for n in d["myGridApplications"]["nodes"] if n["note"] == SEEDED_NOTE],
        lambda s: per_viewer(
            [],
            anonymous=UNAUTHENTICATED,
            b_admin=[{"note": SEEDED_NOTE, "state": "APPLIED", "grid": {"name": "第一网格"}}],
        ),
    ),
    ReadCase(
        "gridApplications",
        "B grid's 入格申请, for its deciders",
        "query($id: ID!) { gridApplications(unitId: $id, state: APPLIED) {"
        " nodes { note applicantName } } }",
        _b_grid,
        lambda d: [n for n in d["gridApplications"]["nodes"] if n["note"] == SEEDED_NOTE],
        lambda s: per_viewer(
            FORBIDDEN,
            anonymous=UNAUTHENTICATED,
            b_admin=[{"note": SEEDED_NOTE, "applicantName": "乙街道管理员"}],
            b_worker=[{"note": SEEDED_NOTE, "applicantName": "乙街道管理员"}],
        ),
    ),
    ReadCase(
        "caseNotices",
        "B grid's notices",
        "query($id: ID!) { caseNotices(unitId: $id) { nodes { code message } } }",
        _b_grid,
        lambda d: d["caseNotices"]["nodes"],
        lambda s: per_viewer(FORBIDDEN, anonymous=UNAUTHENTICATED, b_admin=[], b_worker=[]),
    ),
    ReadCase(
        "timePolicy",
        "the district's time limits are public",
        "query($id: ID!) { timePolicy(districtId: $id) { version } }",
        lambda s: {"id": gid(s.world.district.id)},
        lambda d: d["timePolicy"],
        lambda s: everyone({"version": 1}),
    ),
    ReadCase(
        "calendarOverrides",
        "the district's calendar overrides are public",
        "query($id: ID!) { calendarOverrides(districtId: $id) { day } }",
        lambda s: {"id": gid(s.world.district.id)},
        lambda d: d["calendarOverrides"],
        lambda s: everyone([]),
    ),
    ReadCase(
        "caseStats",
        "the whole district's counters",
        'query($id: ID!) { caseStats(unitId: $id, start: "2026-11-23", end: "2026-11-23")'
        " { day reported } }",
        lambda s: {"id": gid(s.world.district.id)},
        lambda d: d["caseStats"],
        # Public aggregate figures for any unit (issue 16.11).
        lambda s: everyone([{"day": "2026-11-23", "reported": 1}]),
    ),
    ReadCase(
        "caseStats",
        "B street's counters",
        'query($id: ID!) { caseStats(unitId: $id, start: "2026-11-23", end: "2026-11-23")'
        " { day reported } }",
        lambda s: {"id": gid(s.world.b.street.id)},
        lambda d: d["caseStats"],
        lambda s: everyone([{"day": "2026-11-23", "reported": 1}]),
    ),
    # red partners: public directory and lists; contacts and statements only in scope
    ReadCase(
        "partner",
        "B's partner with its contacts",
        "query($id: ID!) { partner(id: $id) { name status contacts { name phone } } }",
        lambda s: {"id": gid(_bp(s).bank_id, "Partner")},
        lambda d: d["partner"],
        lambda s: per_viewer(
            _BANK | {"contacts": [{"name": "王**", "phone": "138****5678"}]},
            b_admin=_BANK | {"contacts": [{"name": "王经理", "phone": "13812345678"}]},
            b_resident=_BANK | {"contacts": [{"name": "王经理", "phone": "13812345678"}]},
        ),
    ),
    ReadCase(
        "partners",
        "B's sub-directory",
        "query($id: ID!) { partners(directoryUnitId: $id) { nodes { name status } } }",
        lambda s: {"id": gid(s.world.b.street.id)},
        lambda d: d["partners"]["nodes"],
        lambda s: everyone(
            [
                {"name": "乙申请企业", "status": "APPLIED"},
                {"name": "青岛银行辽宁路支行", "status": "APPROVED"},
            ]
        ),
    ),
    ReadCase(
        "communityPartnerLists",
        "B's community's three lists",
        "query($id: ID!) { communityPartnerLists(communityId: $id) { resources { partnerName }"
        " needs { title } projects { title state } } }",
        lambda s: {"id": gid(s.world.b.community.id)},
        lambda d: {
            "resources": d["communityPartnerLists"]["resources"],
            "needs": sorted(n["title"] for n in d["communityPartnerLists"]["needs"]),
            "projects": sorted(
                (p["title"], p["state"]) for p in d["communityPartnerLists"]["projects"]
            ),
        },
        lambda s: everyone(
            {
                "resources": [{"partnerName": "青岛银行辽宁路支行"}],
                "needs": ["乙实施项目需求", "乙草稿项目需求", "乙认领项目需求", "乙金融需求"],
                "projects": [
                    ("乙实施项目", "IN_DELIVERY"),
                    ("乙草稿项目", "DRAFT"),
                    ("乙认领项目", "OPEN"),
                ],
            }
        ),
    ),
    ReadCase(
        "partnerProject",
        "B's open project",
        "query($id: ID!) { partnerProject(id: $id) { title state slotsLeft claims { status } } }",
        lambda s: {"id": gid(_bp(s).open_project_id, "PartnerProject")},
        lambda d: d["partnerProject"],
        lambda s: everyone({"title": "乙认领项目", "state": "OPEN", "slotsLeft": 1, "claims": []}),
    ),
    ReadCase(
        "openPartnerProjects",
        "open projects near B's grid",
        "query($id: ID!) { openPartnerProjects(gridId: $id) { nodes { title } } }",
        _b_grid,
        lambda d: _nodes(d["openPartnerProjects"], "title"),
        lambda s: everyone(["乙认领项目"]),
    ),
    ReadCase(
        "partnerClaims",
        "B's partner's claims",
        "query($id: ID!) { partnerClaims(partnerId: $id) { nodes { projectTitle status } } }",
        lambda s: {"id": gid(_bp(s).bank_id, "Partner")},
        lambda d: d["partnerClaims"]["nodes"],
        lambda s: everyone([{"projectTitle": "乙实施项目", "status": "ACTIVE"}]),
    ),
    ReadCase(
        "matchingPartnerResources",
        "partners for B's need",
        "query($id: ID!) { matchingPartnerResources(needId: $id) { partnerName category } }",
        lambda s: {"id": gid(_bp(s).free_need_id, "PartnerNeed")},
        lambda d: d["matchingPartnerResources"],
        lambda s: everyone([{"partnerName": "青岛银行辽宁路支行", "category": "FINANCE"}]),
    ),
    ReadCase(
        "partnerAwards",
        "the district's awards of the year",
        "query($id: ID!) { partnerAwards(districtId: $id, year: 2026) { partnerName } }",
        lambda s: {"id": gid(s.world.district.id)},
        lambda d: d["partnerAwards"],
        lambda s: everyone([]),
    ),
    ReadCase(
        "pointsStatement",
        "love-bank hours of B's resident",
        "query($id: ID!) { pointsStatement(account: SERVICE_HOURS, holderId: $id)"
        " { balance entries { nodes { amount reason } } } }",
        lambda s: {"id": gid(s.world.b.resident_id, "Person")},
        lambda d: d["pointsStatement"],
        lambda s: per_viewer(
            FORBIDDEN,
            anonymous=UNAUTHENTICATED,
            b_admin=_HOURS,
            b_worker=_HOURS,
            b_resident=_HOURS,
        ),
    ),
    ReadCase(
        "pointsLeaderboard",
        "B street's love-bank leaderboard",
        "query($id: ID!) { pointsLeaderboard(unitId: $id, account: SERVICE_HOURS)"
        " { holderName balance } }",
        lambda s: {"id": gid(s.world.b.street.id)},
        lambda d: d["pointsLeaderboard"],
        lambda s: per_viewer(
            [{"holderName": "乙**", "balance": 4}],
            b_admin=[{"holderName": "乙居民", "balance": 4}],
        ),
    ),
    *[ReadCase(*row) for row in topic_read_rows(Refused)],
    *[ReadCase(*row) for row in upload_read_rows()],
    *[ReadCase(*row) for row in export_read_rows(Refused)],
    # command centre figures (issue 14): READ_CASES in the unit's scope
    ReadCase(
        "unitFigures",
        "B street's figures of a day",
        'query($id: ID!) { unitFigures(unitId: $id, period: DAY, day: "2026-11-23") { received } }',
        lambda s: {"id": gid(s.world.b.street.id)},
        lambda d: d["unitFigures"],
        lambda s: per_viewer(FORBIDDEN, anonymous=UNAUTHENTICATED, b_admin={"received": 1}),
    ),
    ReadCase(
        "unitTrend",
        "B street's figures of one day",
        'query($id: ID!) { unitTrend(unitId: $id, period: DAY, day: "2026-11-23", count: 1)'
        " { received } }",
        lambda s: {"id": gid(s.world.b.street.id)},
        lambda d: d["unitTrend"],
        lambda s: per_viewer(FORBIDDEN, anonymous=UNAUTHENTICATED, b_admin=[{"received": 1}]),
    ),
    ReadCase(
        "unitRanking",
        "B street's children ranked",
        'query($id: ID!) { unitRanking(unitId: $id, period: DAY, day: "2026-11-23")'
        " { __typename } }",
        lambda s: {"id": gid(s.world.b.street.id)},
        lambda d: d["unitRanking"],
        lambda s: per_viewer(
            FORBIDDEN, anonymous=UNAUTHENTICATED, b_admin={"__typename": "UnitRanking"}
        ),
    ),
    # gauges and watch lists (issue 14): READ_CASES in the unit's scope
    ReadCase(
        "unitGauges",
        "B street's gauges now",
        "query($id: ID!) { unitGauges(unitId: $id) { __typename } }",
        lambda s: {"id": gid(s.world.b.street.id)},
        lambda d: d["unitGauges"],
        lambda s: per_viewer(
            FORBIDDEN, anonymous=UNAUTHENTICATED, b_admin={"__typename": "UnitGauges"}
        ),
    ),
    ReadCase(
        "unitWatchList",
        "B street's overdue list",
        "query($id: ID!) { unitWatchList(unitId: $id, kind: OVERDUE) { __typename } }",
        lambda s: {"id": gid(s.world.b.street.id)},
        lambda d: d["unitWatchList"],
        lambda s: per_viewer(
            FORBIDDEN, anonymous=UNAUTHENTICATED, b_admin={"__typename": "WatchEntryConnection"}
        ),
    ),
    *[ReadCase(*row) for row in delivery_read_rows(Refused)],
    ReadCase(
        "apiClients",
        "B street's API clients",
        "query($id: ID!) { apiClients(orgUnitId: $id) { name scopes } }",
        lambda s: {"id": gid(s.world.b.street.id)},
        lambda d: d["apiClients"],
        lambda s: per_viewer(
            FORBIDDEN,
            anonymous=UNAUTHENTICATED,
            b_admin=[{"name": "乙街道 12345", "scopes": ["cases:read", "cases:report"]}],
        ),
    ),
    # Who sees a ticket's case across streets: tests/integration/test_api_clients.py (a case
    # of B's here would change every other row's expected lists).
    ReadCase(
        "caseByExternalRef",
        "a ticket no system sent",
        'query { caseByExternalRef(system: "12345", id: "ISO-B-1") { code } }',
        lambda s: {},
        lambda d: d["caseByExternalRef"],
        lambda s: everyone(None),
    ),
]

_BANK: dict[str, Any] = {"name": "青岛银行辽宁路支行", "status": "APPROVED"}
_HOURS: dict[str, Any] = {
    "balance": 4,
    "entries": {"nodes": [{"amount": 4, "reason": "助老志愿服务"}]},
}


def check_read(response: Response, case: ReadCase, expected: Any) -> None:
    assert response.status == 200, response.body
    if isinstance(expected, Refused):
        assert response.error_codes == [expected.code], response.body
        # The refused part of the answer is absent: no partial data leaks past the error.
        assert "乙居民" not in str(response.body.get("data")), response.body
        _refused_field_is_null_at_its_own_path(response)
        return
    assert not response.errors, response.body
    assert case.project(response.data) == expected, response.body


def _refused_field_is_null_at_its_own_path(response: Response) -> None:
    """README "API conventions": a field the caller may not see is null with its error at its
    own path; what holds it (the org unit, the list entry) is still there."""
    for error in response.errors:
        path = error.get("path") or []
        if len(path) < 2:
            continue  # a root field: there is no parent to keep
        parent: Any = response.data
        for step in path[:-1]:
            assert parent is not None, (path, response.body)
            parent = parent[step]
        assert parent is not None, (path, response.body)
        assert parent[path[-1]] is None, (path, response.body)


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("case", READ_CASES, ids=lambda case: case.id)
def test_street_b_data_is_refused_or_masked_outside_b(
    iso: tuple[Shared, GraphQLClient], case: ReadCase, viewer: str
) -> None:
    state, client = iso
    expected = case.expect(state)
    assert set(expected) == set(VIEWERS), case.id
    response = client.query(case.document, case.variables(state), state.tokens[viewer])
    check_read(response, case, expected[viewer])


SELF_ONLY_QUERIES = {"viewer", "myCases", "myOwnedCases", "myGridApplications"}
SELF_ONLY_QUERIES |= TOPIC_SELF_ONLY_QUERIES | DELIVERY_SELF_ONLY_QUERIES
SELF_ONLY_QUERIES |= EXPORT_SELF_ONLY_QUERIES


def test_the_table_gives_outsiders_what_it_gives_anonymous_callers(shared: Shared) -> None:
    """A check of the rows themselves: street A's staff are outsiders to B, so each row must
    expect for them what it expects for an anonymous caller — but FORBIDDEN where anonymous
    callers are asked to sign in, and the caller's own data in self-only queries."""
    for case in READ_CASES:
        if case.field in SELF_ONLY_QUERIES:
            continue
        expected = case.expect(shared)
        anonymous = expected[ANONYMOUS]
        for outsider in OUTSIDERS:
            if anonymous == UNAUTHENTICATED:
                # NOT_FOUND where naming the thing would tell an outsider it exists
                assert expected[outsider] in (FORBIDDEN, NOT_FOUND), (case.id, outsider)
            else:
                assert expected[outsider] == anonymous, (case.id, outsider)


# --- moves re-home cases ------------------------------------------------------------------


def test_cases_follow_their_grid_to_its_new_street(
    settings: Settings, db: Db, clock: FixedClock, world: World, issuer: DevIssuer
) -> None:
    case = cases.report_case(
        db,
        load_actor(db, world.a.resident_id),
        clock,
        cases.ReportInput(
            channel=Channel.RESIDENT,
            category="ENVIRONMENT",
            description="楼道堆放杂物",
            location_unit_id=world.a.unit_household.id,
        ),
    )
    district_admin = load_actor(db, world.district_admin_id)
    org_units.rename_unit(db, district_admin, clock, world.a.grid.id, "第九网格")
    org_units.move_unit(db, district_admin, clock, world.a.grid.id, world.b.community.id)
    client = AsgiClient(create_app(settings, clock))
    query = "query($id: ID!) { case(id: $id) { code } }"
    variables = {"id": gid(case.id, "Case")}
    old_street = client.query(query, variables, issuer.mint(world.a.admin_id))
    new_street = client.query(query, variables, issuer.mint(world.b.admin_id))
    assert new_street.data["case"] == {"code": case.code}
    assert old_street.data["case"] is None


# --- coverage ------------------------------------------------------------------------------


def test_every_root_field_has_isolation_cases() -> None:
    """A new query or mutation must come with rows saying who may use it across streets."""
    queries, mutations = set(ROOT_QUERIES), set(ROOT_MUTATIONS)
    read_fields = {case.field for case in READ_CASES}
    write_fields = {row.field for row in WRITE_CASES}
    assert sorted(queries - read_fields) == [], "queries without isolation rows"
    assert sorted(mutations - write_fields) == [], "mutations without isolation rows"
    assert sorted(read_fields - queries) == [], "rows for queries that no longer exist"
    assert sorted(write_fields - mutations) == [], "rows for mutations that no longer exist"
    assert schema._schema.subscription_type is None, "subscriptions need isolation rows too"
    assert len({case.id for case in READ_CASES}) == len(READ_CASES)
    assert len({row.id for row in WRITE_CASES}) == len(WRITE_CASES)


# --- API clients (issue 13) ---------------------------------------------------------------


@pytest.mark.parametrize("case", READ_CASES, ids=lambda case: case.id)
def test_a_client_of_street_a_reads_of_b_no_more_than_a_outsider(
    iso: tuple[Shared, GraphQLClient], case: ReadCase
) -> None:
    """A client scoped to street A with every scope: each read row gives it what it gives A's
    admin, or FORBIDDEN (a root field no scope opens, or a permission no scope gives)."""
    state, client = iso
    response = as_client(client, state.extras.a_client_key, case.document, case.variables(state))
    assert response.status == 200, response.body
    assert "乙居民" not in str(response.body), response.body
    if response.error_codes == ["FORBIDDEN"]:
        return
    if case.field in SELF_ONLY_QUERIES:
        assert not response.errors, response.body
        return
    check_read(response, case, case.expect(state)[A_ADMIN])


def test_a_client_of_street_a_changes_nothing_under_street_b(
    shared: Shared, asgi_client: GraphQLClient
) -> None:
    """Every mutation row, sent by street A's client: refused (before it runs, or with the
    row's error) and the table unchanged but for the client's own rate window and last use."""
    before = table_items(shared)
    for row in WRITE_CASES:
        variables = row.input(shared)
        if "input" in ROOT_MUTATIONS[row.field].args:
            variables = {"input": variables}
        response = as_client(
            asgi_client, shared.extras.a_client_key, mutation_document(row.field), variables
        )
        assert response.status == 200, (row.id, response.body)
        if response.errors:
            assert response.error_codes == ["FORBIDDEN"], (row.id, response.body)
        else:
            assert response.data[row.field]["errors"], row.id
    changed = changed_keys(before, table_items(shared))
    assert {key for key in changed if not key[0].startswith(("RATE#", "APICLIENT#"))} == set()
