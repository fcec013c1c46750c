"""Red-partner figures (issue 14 point 1) through GraphQL: claims, delivery reports and points
granted show on ``unitFigures`` of the project's community, its street and the district for a
day and a month, counted in the events' own transactions; the award's points on the partner's
directory (the street) and above only; the request budget of ``unitFigures`` is unchanged."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from api.domain.clock import FixedClock, iso
from api.domain.ids import to_global_id
from api.services.cases import day_of
from api.services.counter_truth import recompute
from api.store.db import Db
from tests.conftest import Tokens
from tests.graphql_client import GraphQLClient
from tests.partner_world import PartnerWorld, build_partner_world, make_project
from tests.requests import count_requests
from tests.world import World

FIGURES = """
query($unit: ID!, $period: FiguresPeriod!, $day: String!) {
  unitFigures(unitId: $unit, period: $period, day: $day) {
    partnerClaims partnerDeliveries pointsGranted
  }
}"""
ERRORS = "errors { code field message }"


@pytest.fixture
def pw(db: Db, clock: FixedClock, world: World) -> PartnerWorld:
    return build_partner_world(db, clock, world)


def gid(type_name: str, item_id: str) -> str:
    return to_global_id(type_name, item_id)


class Api:
    def __init__(self, client: GraphQLClient, token: Tokens, admin: str) -> None:
        self.client, self.token, self.admin = client, token, admin

    def run(self, who: str, query: str, **variables: Any) -> dict[str, Any]:
        response = self.client.query(query, variables, self.token(who))
        assert response.status == 200, response.body
        assert not response.errors, response.body
        return response.data

    def mutate(self, who: str, field: str, input_type: str, input: dict[str, Any]) -> None:
        document = f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ {ERRORS} }} }}"
        payload = self.run(who, document, input=input)[field]
        assert payload["errors"] == [], payload

    def figures(self, unit_id: str, period: str, day: str) -> dict[str, int]:
        variables = {"unit": gid("OrgUnit", unit_id), "period": period, "day": day}
        return dict(self.run(self.admin, FIGURES, **variables)["unitFigures"])

    def budget(self, unit_id: str, period: str, day: str) -> Counter[str]:
        with count_requests() as counts:
            self.figures(unit_id, period, day)
        return counts


def test_claims_deliveries_and_points_granted_per_unit(
    db: Db, clock: FixedClock, client: GraphQLClient, token: Tokens, pw: PartnerWorld
) -> None:
    w = pw.world
    api = Api(client, token, w.district_admin_id)
    day = day_of(iso(clock.now()))
    district, street, community = w.district.id, w.b.street.id, w.b.community.id
    budgets_before = [api.budget(district, period, day) for period in ("DAY", "MONTH")]
    zero = {"partnerClaims": 0, "partnerDeliveries": 0, "pointsGranted": 0}
    assert api.figures(community, "DAY", day) == zero

    project = make_project(db, clock, w, "智慧金融家", capacity=2)
    pid = gid("PartnerProject", project.id)
    staff, admin, rep = pw.b_community_staff_id, w.district_admin_id, pw.representative_id
    bank, police, power = (gid("Partner", p.id) for p in (pw.bank, pw.police, pw.power))
    claim, transition = "claimPartnerProject", "transitionPartnerProject"
    claim_input, transition_input = "PartnerClaimInput", "TransitionPartnerProjectInput"
    api.mutate(rep, claim, claim_input, {"projectId": pid, "partnerId": bank})
    api.mutate(w.b.admin_id, claim, claim_input, {"projectId": pid, "partnerId": police})
    # A withdrawn claim stays counted; the power company's claim of the freed slot counts too.
    api.mutate(
        w.b.admin_id, "withdrawPartnerClaim", "PartnerClaimInput",
        {"projectId": pid, "partnerId": police},
    )  # fmt: skip
    api.mutate(admin, claim, claim_input, {"projectId": pid, "partnerId": power})
    api.mutate(staff, transition, transition_input, {"projectId": pid, "action": "START_DELIVERY"})
    for who, partner in ((rep, bank), (admin, power)):
        api.mutate(
            who, "reportPartnerDelivery", "ReportPartnerDeliveryInput",
            {"projectId": pid, "partnerId": partner, "notes": "讲座两场"},
        )  # fmt: skip
    # Confirmed twice: the retry grants nothing more, so counts nothing more.
    for _ in range(2):
        api.mutate(staff, transition, transition_input, {"projectId": pid, "action": "CONFIRM"})
    points = 2 * project.points_per_partner
    in_community = {"partnerClaims": 3, "partnerDeliveries": 2, "pointsGranted": points}
    for unit_id in (district, street, community):
        for period in ("DAY", "MONTH"):
            assert api.figures(unit_id, period, day) == in_community, (unit_id, period)
    assert api.figures(w.a.street.id, "MONTH", day) == zero

    # 红色创新奖 of the bank (B's sub-directory): its points count on the street and the
    # district, not on the project's community; awarding again grants (and counts) nothing.
    nominate = {"partnerId": bank, "year": 2026, "citation": "智慧金融家项目"}
    award_input = "RecordPartnerAwardInput"
    api.mutate(w.b.admin_id, "recordPartnerAward", award_input, nominate)
    for _ in range(2):
        api.mutate(admin, "recordPartnerAward", award_input, {**nominate, "award": True})
    awarded = {**in_community, "pointsGranted": points + 200}
    for unit_id, want in ((district, awarded), (street, awarded), (community, in_community)):
        for period in ("DAY", "MONTH"):
            assert api.figures(unit_id, period, day) == want, (unit_id, period)

    # Same requests as before any partner event: one Query of the caller, the unit (GetItem),
    # then the day items (Query) or the month roll-up (BatchGetItem).
    budgets_after = [api.budget(district, period, day) for period in ("DAY", "MONTH")]
    assert (
        budgets_after
        == budgets_before
        == [
            Counter({"GetItem": 1, "Query": 2}),
            Counter({"GetItem": 1, "Query": 1, "BatchGetItem": 1}),
        ]
    )
    # The partner counters are not recomputed from the record (README): the day items they
    # wrote show no drift of the case counters, and a repair leaves them as they are.
    assert recompute(db).drifts == ()
    recompute(db, repair=True)
    assert api.figures(district, "MONTH", day) == awarded
