"""The world of the case (吹哨报到) tests: the shared two-street world plus the district's
handling chain — two departments with their staff, the governance centre's dispatcher
(推进中心), a district leader and a community dispatcher in street A — and a small GraphQL
driver that speaks as any of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from api.domain.clock import Clock
from api.domain.ids import to_global_id
from api.domain.org import OrgKind
from api.domain.roles import Role
from api.records.case import CaseEventRecord, CaseRecord
from api.records.org import OrgUnitRecord
from api.services import org_units, people
from api.services.actor import Actor, Grant
from api.store.db import Db
from tests.graphql_client import GraphQLClient, Response
from tests.world import World


@dataclass
class CaseWorld:
    world: World
    housing: OrgUnitRecord  # 区住房和城乡建设局
    gardens: OrgUnitRecord  # 区园林和林业局
    housing_staff_id: str  # DEPARTMENT_STAFF on housing
    gardens_staff_id: str  # DEPARTMENT_STAFF on gardens
    dispatcher_id: str  # STAFF on the district: the governance centre (推进中心)
    leader_id: str  # LEADER on the district (包案领导)
    community_dispatcher_id: str  # STAFF on street A's community

    @property
    def district(self) -> OrgUnitRecord:
        return self.world.district

    @property
    def resident_id(self) -> str:
        """Street A's resident: the reporter of most stories."""
        return self.world.a.resident_id

    @property
    def grid_worker_id(self) -> str:
        return self.world.a.staff_id

    @property
    def street_admin_id(self) -> str:
        return self.world.a.admin_id


def build_case_world(db: Db, clock: Clock, world: World) -> CaseWorld:
    district = world.district
    root = Actor(person_id="bootstrap", grants=(Grant(district.id, district.path, Role.ADMIN),))

    def person(name: str, phone: str, home: OrgUnitRecord, role: Role, on: OrgUnitRecord) -> str:
        registered = people.register_person(db, root, clock, name, phone, home.id, True)
        people.grant_role(db, root, clock, registered.id, on.id, role)
        return registered.id

    housing = org_units.create_unit(
        db, root, clock, district.id, OrgKind.DEPARTMENT, "区住房和城乡建设局"
    )
    gardens = org_units.create_unit(
        db, root, clock, district.id, OrgKind.DEPARTMENT, "区园林和林业局"
    )
    community = world.a.community
    return CaseWorld(
        world=world,
        housing=housing,
        gardens=gardens,
        housing_staff_id=person(
            "住建局办事员", "13910000001", housing, Role.DEPARTMENT_STAFF, housing
        ),
        gardens_staff_id=person(
            "园林局办事员", "13910000002", gardens, Role.DEPARTMENT_STAFF, gardens
        ),
        dispatcher_id=person("推进中心调度员", "13910000003", district, Role.STAFF, district),
        leader_id=person("包案区领导", "13910000004", district, Role.LEADER, district),
        community_dispatcher_id=person(
            "社区调度员", "13910000005", community, Role.STAFF, community
        ),
    )


# --- GraphQL driver --------------------------------------------------------------------------


def unit_gid(unit_id: str) -> str:
    return to_global_id("OrgUnit", unit_id)


def case_gid(case_id: str) -> str:
    return to_global_id("Case", case_id)


def person_gid(person_id: str) -> str:
    return to_global_id("Person", person_id)


ERRORS = "errors { code field message }"
# What mutations return: the case's own item only (no further reads).
LIGHT_FIELDS = """
id code trackingNumber state channel category { code name } mode level assigneeName
tasks { departmentId departmentName role status result }
description address latitude longitude attachments { key contentType } anonymous
reporterMaskedName reworkCount satisfaction evaluationComment result painPoint
extensionPending parkPending rejectionReason duplicateOfId allowedActions reportedAt updatedAt
levels { level assigneeName enteredAt leftAt dueAt met }
"""
# Everything, with the reporter, the places and the timeline.
CASE_FIELDS = f"""{LIGHT_FIELDS}
reporter {{ name phone person {{ id name }} }}
location {{ id name kind }} grid {{ id name }}
timeline {{ seq action fromState toState at level actorRole note actor {{ id name }} }}
"""

# Mutation name → its input type.
MUTATIONS: dict[str, str] = {
    "reportCase": "ReportCaseInput",
    "acceptCase": "AcceptCaseInput",
    "rejectCase": "RejectCaseInput",
    "assignCase": "AssignCaseInput",
    "startCase": "CaseActionInput",
    "claimCase": "CaseDepartmentInput",
    "resolveCaseTask": "ResolveCaseTaskInput",
    "escalateCase": "EscalateCaseInput",
    "sendBackCase": "CaseReasonInput",
    "pauseCase": "CaseReasonInput",
    "resumeCase": "CaseActionInput",
    "requestCaseExtension": "RequestExtensionInput",
    "decideCaseExtension": "CaseDecisionInput",
    "resolveCase": "ResolveCaseInput",
    "verifyCase": "VerifyCaseInput",
    "evaluateCase": "EvaluateCaseInput",
    "reopenCase": "CaseReasonInput",
    "closeCase": "CaseActionInput",
    "tickOffCase": "CaseActionInput",
    "requestCasePark": "CaseReasonInput",
    "decideCasePark": "CaseDecisionInput",
    "unparkCase": "CaseActionInput",
    "archiveCase": "CaseActionInput",
}

CASE = f"query($id: ID!) {{ case(id: $id) {{ {CASE_FIELDS} }} }}"
CASE_BY_CODE = f"query($code: String!) {{ caseByCode(code: $code) {{ {CASE_FIELDS} }} }}"
TRACK = """
query($code: String!) {
  trackCase(code: $code) {
    code state category { code name } level reportedAt updatedAt
    timeline { action fromState toState level at }
  }
}"""
INBOX_ENTRY = "caseId code state category { code } summary level role taskStatus assigneeName"
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
INBOX = f"""
query($unit: ID!, $state: CaseState, $first: Int! = 20, $after: String) {{
  caseInbox(unitId: $unit, state: $state, first: $first, after: $after) {{
    edges {{ cursor node {{ {INBOX_ENTRY} }} }} {PAGE_INFO}
  }}
}}"""
OWNED = f"""
query($state: CaseState) {{
  myOwnedCases(state: $state) {{ nodes {{ {INBOX_ENTRY} }} }}
}}"""
CASES = f"""
query($scope: ID!, $state: CaseState, $category: String, $mode: HandlingMode,
      $level: CaseLevel, $from: String, $to: String, $first: Int! = 20, $after: String) {{
  cases(scopeId: $scope, state: $state, category: $category, mode: $mode, level: $level,
        reportedFrom: $from, reportedTo: $to, first: $first, after: $after) {{
    edges {{ cursor node {{ id code state category {{ code }} mode level reportedAt
      reporter {{ name }} }} }}
    {PAGE_INFO}
  }}
}}"""
MY_CASES = f"""
query($first: Int! = 20, $after: String) {{
  myCases(first: $first, after: $after) {{
    nodes {{ id code state description reporter {{ name }} }} {PAGE_INFO}
  }}
}}"""
STATS = """
query($unit: ID!, $start: String!, $end: String!) {
  caseStats(unitId: $unit, start: $start, end: $end) {
    day reported accepted resolved closed resolvedOnTime resolvedInGrid satisfied reopened
  }
}"""

COUNTER_NAMES = (
    "reported",
    "accepted",
    "resolved",
    "closed",
    "resolvedOnTime",
    "resolvedInGrid",
    "satisfied",
    "reopened",
)


def zero_counters(**counts: int) -> dict[str, int]:
    """A day's counters (GraphQL names): zero except those given (snake_case names)."""
    camel = {re.sub(r"_(.)", lambda m: m.group(1).upper(), k): v for k, v in counts.items()}
    assert set(camel) <= set(COUNTER_NAMES), camel
    return {name: camel.get(name, 0) for name in COUNTER_NAMES}


@dataclass
class CaseApi:
    """Speaks GraphQL as any person of the world (``None``: not signed in)."""

    client: GraphQLClient
    mint: Callable[[str], str]
    cw: CaseWorld
    _tokens: dict[str, str] = field(default_factory=dict)

    def token(self, person_id: str | None) -> str | None:
        if person_id is None:
            return None
        if person_id not in self._tokens:
            self._tokens[person_id] = self.mint(person_id)
        return self._tokens[person_id]

    def query(self, query: str, variables: dict[str, Any] | None, as_: str | None) -> Response:
        response = self.client.query(query, variables, self.token(as_))
        assert response.status == 200, response.body
        return response

    def data(self, query: str, variables: dict[str, Any] | None, as_: str | None) -> Any:
        """The single root field of a successful query."""
        response = self.query(query, variables, as_)
        assert not response.errors, response.body
        (value,) = response.data.values()
        return value

    def query_error(
        self, query: str, variables: dict[str, Any] | None, as_: str | None
    ) -> tuple[str | None, str | None]:
        """The code and field of the single GraphQL error of a refused query."""
        response = self.query(query, variables, as_)
        assert len(response.errors) == 1, response.body
        extensions = response.errors[0].get("extensions") or {}
        return extensions.get("code"), extensions.get("field")

    # mutations

    def mutate(self, name: str, as_: str | None, **values: Any) -> dict[str, Any]:
        """Run one case mutation; the payload (``case`` and ``errors``)."""
        document = (
            f"mutation($input: {MUTATIONS[name]}!) {{ {name}(input: $input) "
            f"{{ case {{ {LIGHT_FIELDS} }} {ERRORS} }} }}"
        )
        result: dict[str, Any] = self.data(document, {"input": values}, as_)
        return result

    def ok(self, name: str, as_: str | None, **values: Any) -> dict[str, Any]:
        result = self.mutate(name, as_, **values)
        assert result["errors"] == [], result["errors"]
        case: dict[str, Any] = result["case"]
        return case

    def refused(self, name: str, as_: str | None, **values: Any) -> dict[str, Any]:
        """The single error of a refused mutation (which returns no case)."""
        result = self.mutate(name, as_, **values)
        assert result["case"] is None, result
        assert len(result["errors"]) == 1, result["errors"]
        error: dict[str, Any] = result["errors"][0]
        return error

    def act(
        self, name: str, as_: str | None, case: dict[str, Any], **values: Any
    ) -> dict[str, Any]:
        """Apply a transition to a case (by its GraphQL dict); the case after it."""
        return self.ok(name, as_, caseId=case["id"], **values)

    def report(
        self,
        as_: str | None = None,
        location_id: str | None = None,
        *,
        description: str = "扬州路12号楼院北墙出现裂缝",
        category: str = "HOUSING_SAFETY",
        channel: str = "RESIDENT",
        **extra: Any,
    ) -> dict[str, Any]:
        """Street A's resident reports at street A's building unless told otherwise."""
        return self.ok(
            "reportCase",
            self.cw.resident_id if as_ is None else as_,
            channel=channel,
            category=category,
            description=description,
            locationUnitId=unit_gid(location_id or self.cw.world.a.building.id),
            **extra,
        )

    def report_input(self, **overrides: Any) -> dict[str, Any]:
        """A valid report input for street A's building, with overrides."""
        values: dict[str, Any] = {
            "channel": "RESIDENT",
            "category": "HOUSING_SAFETY",
            "description": "楼道灯坏了",
            "locationUnitId": unit_gid(self.cw.world.a.building.id),
        }
        values.update(overrides)
        return values

    # queries

    def case(self, as_: str | None, case_id: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.data(CASE, {"id": case_id}, as_)
        return found

    def full(self, as_: str | None, case: dict[str, Any]) -> dict[str, Any]:
        """The case (by its GraphQL dict) with reporter, places and timeline, as ``as_`` sees it."""
        found = self.case(as_, case["id"])
        assert found is not None
        return found

    def stats(self, as_: str, unit_id: str, day: str) -> dict[str, int]:
        """One unit's counters for one day (all zero when nothing happened)."""
        rows = self.data(STATS, {"unit": unit_gid(unit_id), "start": day, "end": day}, as_)
        if not rows:
            return zero_counters()
        (row,) = rows
        assert row["day"] == day
        return {name: row[name] for name in COUNTER_NAMES}

    def my_cases(self, as_: str) -> list[dict[str, Any]]:
        nodes: list[dict[str, Any]] = self.data(MY_CASES, {"first": 100}, as_)["nodes"]
        return nodes

    def inbox(
        self, as_: str, unit_id: str, state: str | None = None, first: int = 20
    ) -> list[dict[str, Any]]:
        connection = self.data(
            INBOX, {"unit": unit_gid(unit_id), "state": state, "first": first}, as_
        )
        return [edge["node"] for edge in connection["edges"]]


def timeline_steps(case: dict[str, Any]) -> list[tuple[str, str | None, str, str | None]]:
    """(action, from, to, actor role) of each event, after checking seq is 1..n."""
    events = case["timeline"]
    assert [event["seq"] for event in events] == list(range(1, len(events) + 1))
    return [(e["action"], e["fromState"], e["toState"], e["actorRole"]) for e in events]


def whole_timeline(db: Db, case_id: str) -> tuple[CaseRecord, tuple[CaseEventRecord, ...]]:
    """The case and its timeline after checking it is whole: seq 1..n, the count on the case,
    and the copy on the case item equal to the append-only event items."""
    from api.store.case_codec import event_record
    from api.store.case_models import CaseEventItem, case_pk

    case = db.cases.get(case_id, consistent=True)
    assert case is not None
    with db.bound():
        items = CaseEventItem.query(
            case_pk(case_id), CaseEventItem.sk.startswith("EVT#"), consistent_read=True
        )
        assert tuple(event_record(item) for item in items) == case.timeline
    seqs = [event.seq for event in case.timeline]
    assert seqs == list(range(1, len(seqs) + 1)), seqs
    assert case.event_count == len(seqs)
    return case, case.timeline
