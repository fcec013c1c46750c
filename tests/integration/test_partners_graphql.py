"""Red partners through GraphQL, over the ASGI app and Lambda events: the whole story of a
project (needs → project → open → claims → delivery → confirmation → points → award), the
directory and the three lists, masking of contacts, and the typed refusals of bad claims."""

from __future__ import annotations

from typing import Any

import pytest

from api.domain.clock import FixedClock
from api.domain.ids import to_global_id
from api.store.db import Db
from schema.schema import schema
from tests.conftest import Tokens
from tests.graphql_client import GraphQLClient
from tests.partner_world import PartnerWorld, build_partner_world
from tests.world import World

ERRORS = "errors { code field message }"


@pytest.fixture
def pw(db: Db, clock: FixedClock, world: World) -> PartnerWorld:
    return build_partner_world(db, clock, world)


def gid(type_name: str, item_id: str) -> str:
    return to_global_id(type_name, item_id)


class Api:
    def __init__(self, client: GraphQLClient, token: Tokens) -> None:
        self.client = client
        self.token = token

    def run(self, who: str | None, query: str, **variables: Any) -> dict[str, Any]:
        response = self.client.query(query, variables, self.token(who) if who else None)
        assert response.status == 200, response.body
        assert not response.errors, response.body
        return response.data

    def mutate(self, who: str | None, field: str, input: dict[str, Any], body: str) -> Any:
        mutation_type = schema._schema.mutation_type
        assert mutation_type is not None
        input_type = mutation_type.fields[field].args["input"].type
        document = (
            f"mutation($input: {input_type}) {{ {field}(input: $input) {{ {body} {ERRORS} }} }}"
        )
        return self.run(who, document, input=input)[field]


def ok(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["errors"] == [], payload
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["errors"]]


CLAIM = "claim { partnerName status points }"
PROJECT = "project { id title state capacity claimed slotsLeft pointsPerPartner rejectReason }"


def test_a_project_from_need_to_points(
    client: GraphQLClient, token: Tokens, pw: PartnerWorld
) -> None:
    api = Api(client, token)
    w = pw.world
    staff, admin, rep = pw.b_community_staff_id, w.district_admin_id, pw.representative_id
    community = gid("OrgUnit", w.b.community.id)
    need = ok(
        api.mutate(
            staff,
            "publishPartnerNeed",
            {
                "unitId": community,
                "category": "finance",
                "title": "老年人防诈骗金融知识",
                "description": "社区老人需要防范电信诈骗的金融知识讲座",
                "quantity": 2,
            },
            "need { id category title }",
        )
    )["need"]
    assert need["category"] == "FINANCE"
    matches = api.run(
        None,
        "query($id: ID!) { matchingPartnerResources(needId: $id) { partnerName category } }",
        id=need["id"],
    )["matchingPartnerResources"]
    assert matches == [{"partnerName": "青岛银行辽宁路支行", "category": "FINANCE"}]
    project = ok(
        api.mutate(
            staff,
            "createPartnerProject",
            {
                "unitId": community,
                "title": "智慧金融家",
                "description": "银行志愿者进社区，讲解智能手机支付与防诈骗",
                "needIds": [need["id"]],
                "capacity": 2,
                "startsOn": "2026-12-01",
                "endsOn": "2026-12-31",
            },
            PROJECT,
        )
    )["project"]
    assert (project["state"], project["slotsLeft"]) == ("DRAFT", 2)
    pid = project["id"]
    bank, police = gid("Partner", pw.bank.id), gid("Partner", pw.police.id)
    # A draft takes no claims.
    refused = api.mutate(rep, "claimPartnerProject", {"projectId": pid, "partnerId": bank}, CLAIM)
    assert codes(refused) == ["PROJECT_NOT_OPEN"]
    transition = "transitionPartnerProject"
    ok(api.mutate(staff, transition, {"projectId": pid, "action": "OPEN"}, PROJECT))
    # The bank's representative claims for the bank; claiming again is refused.
    claimed = ok(
        api.mutate(rep, "claimPartnerProject", {"projectId": pid, "partnerId": bank}, CLAIM)
    )
    assert claimed["claim"]["status"] == "ACTIVE"
    again = api.mutate(rep, "claimPartnerProject", {"projectId": pid, "partnerId": bank}, CLAIM)
    assert codes(again) == ["ALREADY_CLAIMED"]
    # The representative does not act for the police station.
    foreign = api.mutate(rep, "claimPartnerProject", {"projectId": pid, "partnerId": police}, CLAIM)
    assert codes(foreign) == ["FORBIDDEN"]
    # Staff of the street's directory record the police station's claim: the last slot.
    ok(
        api.mutate(
            w.b.admin_id, "claimPartnerProject", {"projectId": pid, "partnerId": police}, CLAIM
        )
    )
    full = api.run(
        None,
        "query($id: ID!) { partnerProject(id: $id) { state slotsLeft claims { partnerName } } }",
        id=pid,
    )["partnerProject"]
    assert full["state"] == "FULLY_CLAIMED" and full["slotsLeft"] == 0
    assert sorted(c["partnerName"] for c in full["claims"]) == ["大港派出所", "青岛银行辽宁路支行"]
    # The power company (district directory) finds it full.
    power = gid("Partner", pw.power.id)
    late = api.mutate(admin, "claimPartnerProject", {"projectId": pid, "partnerId": power}, CLAIM)
    assert codes(late) == ["PROJECT_FULL"]
    # The police station withdraws; the project reopens; the power company takes the slot.
    ok(
        api.mutate(
            w.b.admin_id, "withdrawPartnerClaim", {"projectId": pid, "partnerId": police}, CLAIM
        )
    )
    ok(api.mutate(admin, "claimPartnerProject", {"projectId": pid, "partnerId": power}, CLAIM))
    started = ok(
        api.mutate(staff, transition, {"projectId": pid, "action": "START_DELIVERY"}, PROJECT)
    )
    assert started["project"]["state"] == "IN_DELIVERY"
    # Withdrawing after delivery started is refused.
    late_withdraw = api.mutate(
        rep, "withdrawPartnerClaim", {"projectId": pid, "partnerId": bank}, CLAIM
    )
    assert codes(late_withdraw) == ["PROJECT_NOT_OPEN"]
    for who, partner in ((rep, bank), (admin, power)):
        ok(
            api.mutate(
                who,
                "reportPartnerDelivery",
                {
                    "projectId": pid,
                    "partnerId": partner,
                    "notes": "讲座两场，120位老人参加",
                    "attachmentKeys": ["delivery/photo-1.jpg"],
                },
                CLAIM,
            )
        )
    # Rejected with a reason, redone, then confirmed: points once, even when retried.
    rejected = ok(
        api.mutate(
            staff,
            transition,
            {"projectId": pid, "action": "REJECT", "reason": "缺少签到表"},
            PROJECT,
        )
    )["project"]
    assert (rejected["state"], rejected["rejectReason"]) == ("REJECTED", "缺少签到表")
    ok(api.mutate(staff, transition, {"projectId": pid, "action": "REDO"}, PROJECT))
    for who, partner in ((rep, bank), (admin, power)):
        ok(
            api.mutate(
                who,
                "reportPartnerDelivery",
                {"projectId": pid, "partnerId": partner, "notes": "补交签到表"},
                CLAIM,
            )
        )
    for _ in range(2):
        confirmed = ok(
            api.mutate(staff, transition, {"projectId": pid, "action": "CONFIRM"}, PROJECT)
        )
        assert confirmed["project"]["state"] == "CONFIRMED"
    points = confirmed["project"]["pointsPerPartner"]
    statement = api.run(
        rep,
        "query($h: ID!) { pointsStatement(account: PARTNER_POINTS, holderId: $h)"
        " { balance earned entries { nodes { amount source reason } } } }",
        h=bank,
    )["pointsStatement"]
    assert statement["balance"] == points and statement["earned"] == points
    assert [e["source"] for e in statement["entries"]["nodes"]] == ["DELIVERY"]
    ok(api.mutate(staff, transition, {"projectId": pid, "action": "CLOSE"}, PROJECT))
    # 红色创新奖: the street nominates, the district awards (points once).
    nominate = {"partnerId": bank, "year": 2026, "citation": "智慧金融家项目"}
    ok(api.mutate(w.b.admin_id, "recordPartnerAward", nominate, "award { stage }"))
    refused_award = api.mutate(
        w.b.admin_id, "recordPartnerAward", {**nominate, "award": True}, "award { stage }"
    )
    assert codes(refused_award) == ["FORBIDDEN"]
    for _ in range(2):
        awarded = ok(
            api.mutate(admin, "recordPartnerAward", {**nominate, "award": True}, "award { stage }")
        )
        assert awarded["award"]["stage"] == "AWARDED"
    board = api.run(
        None,
        "query($u: ID!) { pointsLeaderboard(unitId: $u, account: PARTNER_POINTS)"
        " { holderName balance } }",
        u=gid("OrgUnit", w.b.street.id),
    )["pointsLeaderboard"]
    assert board[0] == {"holderName": "青岛银行辽宁路支行", "balance": points + 200}
    history = api.run(
        None,
        "query($p: ID!) { partnerClaims(partnerId: $p) { nodes { projectTitle status points } } }",
        p=police,
    )["partnerClaims"]["nodes"]
    assert history == [{"projectTitle": "智慧金融家", "status": "WITHDRAWN", "points": None}]


def test_directory_lists_and_contacts(
    client: GraphQLClient, token: Tokens, pw: PartnerWorld
) -> None:
    api = Api(client, token)
    w = pw.world
    street = gid("OrgUnit", w.b.street.id)
    directory = api.run(
        None,
        "query($u: ID!) { partners(directoryUnitId: $u, status: APPROVED) { nodes { name kind"
        " directoryLevel categories contacts { name phone } } } }",
        u=street,
    )["partners"]["nodes"]
    assert [p["name"] for p in directory] == ["大港派出所", "青岛银行辽宁路支行"]
    assert directory[0]["contacts"] == [{"name": "王**", "phone": "138****5678"}]
    assert directory[0]["directoryLevel"] == "STREET"
    finance = api.run(
        None,
        'query($u: ID!) { partners(directoryUnitId: $u, category: "FINANCE") { nodes { name } } }',
        u=street,
    )["partners"]["nodes"]
    assert finance == [{"name": "青岛银行辽宁路支行"}]
    district = api.run(
        None,
        "query($u: ID!) { partners(directoryUnitId: $u) { nodes { name directoryLevel } } }",
        u=gid("OrgUnit", w.district.id),
    )["partners"]["nodes"]
    assert district == [{"name": "国网青岛供电公司", "directoryLevel": "DISTRICT"}]
    everyone_in_district = api.run(
        None,
        "query($u: ID!) { partners(directoryUnitId: $u, includeStreets: true, kind: ENTERPRISE)"
        " { nodes { name } } }",
        u=gid("OrgUnit", w.district.id),
    )["partners"]["nodes"]
    # Every enterprise of the district, whichever directory; the police station is not one.
    assert sorted(p["name"] for p in everyone_in_district) == sorted(
        ["国网青岛供电公司", "无棣路便民超市", "青岛银行辽宁路支行"]
    )
    # The street's admin manages the sub-directory: contacts in full.
    managed = api.run(
        w.b.admin_id,
        "query($id: ID!) { partner(id: $id) { contacts { name phone } } }",
        id=gid("Partner", pw.police.id),
    )["partner"]
    assert managed["contacts"] == [{"name": "王经理", "phone": "13812345678"}]
    # Street A's admin does not.
    outside = api.run(
        w.a.admin_id,
        "query($id: ID!) { partner(id: $id) { contacts { phone } } }",
        id=gid("Partner", pw.police.id),
    )["partner"]
    assert outside["contacts"] == [{"phone": "138****5678"}]
    lists = api.run(
        None,
        "query($c: ID!) { communityPartnerLists(communityId: $c) { resources { partnerName }"
        " needs { title } projects { title state } } }",
        c=gid("OrgUnit", w.b.community.id),
    )["communityPartnerLists"]
    # Resources: the street's sub-directory and the district directory; not street A's.
    assert sorted(r["partnerName"] for r in lists["resources"]) == [
        "国网青岛供电公司",
        "大港派出所",
        "青岛银行辽宁路支行",
    ]
    assert lists["needs"] == [] and lists["projects"] == []
