"""The README's examples run as written against the `make dev` demo data (issue 16, "Done
when"): each operation of `schema/operations/examples/cases.graphql` (the walk-through as the
resident, the community dispatcher, the grid worker, the governance centre and the department)
and `hierarchy.graphql`, sent as the demo user its comment names, in file order, over both
transports — no GraphQL error, no payload error, data where the example expects it.

The data is the `make dev` seed itself (``infra.demo_data.build_demo`` + ``seed_cases``),
restricted to the district, its departments, the demo street 辽宁路街道 (ST01) and its first
community 无棣路社区 (ST01C01), where every example points: the rest would only make the test
slower. `<id>` and
`<trackingNumber>` are filled in from the first mutation's answer, as the file's first line
tells a reader to do."""

from __future__ import annotations

import functools
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse, print_ast

from api.domain.clock import FixedClock
from api.store.db import Db
from api.store.models import Item
from infra.demo_cases import seed_cases
from infra.demo_data import DemoPeople, build_demo
from infra.demo_data import _seed_closing_policy as seed_closing_policy
from tests.conftest import Tokens
from tests.graphql_client import GraphQLClient

OPERATIONS = Path(__file__).resolve().parents[2] / "schema" / "operations"
EXAMPLES = OPERATIONS / "examples"
# Everything of other streets, and of the other communities of ST01.
ELSEWHERE = re.compile(r"ST(?!01)\d\d|ST01C(?!01)\d\d")
DEMO = DemoPeople()

# Who sends each example: the demo user its comment names (None: not signed in).
CASE_WALK: dict[str, str | None] = {
    "ReportWallCrack": DEMO.resident,
    "TrackCase": None,
    "AcceptCase": DEMO.community_staff,
    "AssignToGrid": DEMO.community_staff,
    "StartCase": DEMO.grid_worker,
    "EscalateCase": DEMO.grid_worker,
    "CommunityStartsCase": DEMO.community_staff,
    "CommunityEscalatesCase": DEMO.community_staff,
    "StreetStartsCase": DEMO.street_admin,
    "StreetEscalatesCase": DEMO.street_admin,
    "AssignToDepartment": DEMO.dispatcher,
    "ClaimCase": DEMO.housing_staff,
    "ResolveTask": DEMO.housing_staff,
    "VerifyCase": DEMO.dispatcher,
    "EvaluateCase": DEMO.resident,
    "CaseWithTimeline": DEMO.dispatcher,
    "DispatcherIntake": DEMO.community_staff,
    "CaseHolder": DEMO.dispatcher,
    "GridInbox": DEMO.grid_worker,
    "StreetCases": DEMO.street_admin,
    "MyCases": DEMO.resident,
    "DistrictCaseStats": None,
}
HIERARCHY: dict[str, str | None] = {
    "StreetCommunities": None,
    "GridPage": DEMO.grid_worker,
    "SearchGrids": DEMO.grid_worker,
    "WhoAmI": DEMO.grid_worker,
    "CreateBuilding": DEMO.street_admin,
}


@functools.cache
def demo_items(now: datetime) -> list[Item]:
    """The seed's items of the district, departments, ST01 and ST01C01 (built once)."""
    return [
        item for item in build_demo(FixedClock(now)) if not ELSEWHERE.search(str(item.serialize()))
    ]


@pytest.fixture
def demo_units(db: Db, clock: FixedClock) -> Db:
    """The `make dev` seed's units, people and roles on the test's table."""
    items = demo_items(clock.now())
    for start in range(0, len(items), 250):
        db.org_units.write_seed(items[start : start + 250])
    return db


@pytest.fixture
def demo(demo_units: Db, clock: FixedClock) -> Db:
    """… its demo cases, walked through the services, then its closing policy (核查 required,
    README "Closing"), as `make dev` does."""
    seed_cases(demo_units, clock)
    seed_closing_policy(demo_units, clock)
    return demo_units


def operations(path: Path) -> list[tuple[str, str]]:
    """Each named operation of a file, with the fragments it spreads, as one document."""
    document = parse(path.read_text(encoding="utf-8"))
    fragments = {
        d.name.value: print_ast(d)
        for d in document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    found = []
    for d in document.definitions:
        if isinstance(d, OperationDefinitionNode) and d.name is not None:
            text = print_ast(d)
            used = [f for name, f in fragments.items() if f"...{name}" in text]
            found.append((d.name.value, "\n".join([text, *used])))
    return found


def run(
    client: GraphQLClient,
    token: Tokens,
    name: str,
    text: str,
    as_: str | None,
    variables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    response = client.query(text, variables, token(as_) if as_ else None)
    assert response.status == 200 and not response.errors, (name, response.body)
    (value,) = response.data.values()
    assert value, (name, response.body)  # every example expects data
    if isinstance(value, dict) and "errors" in value:
        assert value["errors"] == [], (name, response.body)  # a payload: no typed error
    return response.data


def test_the_case_walk_through_runs_as_written(
    demo: Db, client: GraphQLClient, token: Tokens
) -> None:
    walk = operations(EXAMPLES / "cases.graphql")
    assert [name for name, _ in walk] == list(CASE_WALK)
    filled: dict[str, str] = {}
    for name, text in walk:
        for placeholder, value in filled.items():
            text = text.replace(placeholder, value)
        data = run(client, token, name, text, CASE_WALK[name])
        if name == "ReportWallCrack":
            case = data["reportCase"]["case"]
            filled = {"<id>": case["id"], "<trackingNumber>": case["trackingNumber"]}
        if name in ("DispatcherIntake", "GridInbox", "StreetCases", "MyCases"):
            listed = next(iter(data.values()))
            assert listed["edges"], (name, data)  # the demo cases are there to be listed
    # The walk ends with the resident's evaluation of the case the example reported.
    final = run(
        client, token, "final", f'{{ case(id: "{filled["<id>"]}") {{ state }} }}', DEMO.resident
    )
    assert final["case"]["state"] == "EVALUATED"

    # Then each client's own reads (schema/operations/<client>.graphql), with the demo's ids.
    case_id, tracking = filled["<id>"], filled["<trackingNumber>"]
    for path, name, as_, variables, listed in client_reads(case_id, tracking):
        texts = dict(operations(OPERATIONS / path))
        data = run(client, token, name, texts[name], as_, variables)
        if listed:
            assert next(iter(data.values()))["nodes"], (name, data)


GRID, COMMUNITY = "T3JnVW5pdDpTVDAxQzAxRzAx", "T3JnVW5pdDpTVDAxQzAx"  # ST01C01G01, ST01C01


def client_reads(
    case_id: str, tracking: str
) -> list[tuple[str, str, str | None, dict[str, Any], bool]]:
    """(file, operation, as whom, variables, a non-empty list expected)."""
    return [
        ("resident.graphql", "Me", DEMO.resident, {}, False),
        ("resident.graphql", "MyCases", DEMO.resident, {}, True),
        ("resident.graphql", "MyCase", DEMO.resident, {"id": case_id}, False),
        ("resident.graphql", "TrackByCode", None, {"code": tracking}, False),
        ("resident.graphql", "MyTopics", DEMO.resident, {}, False),
        ("grid_worker.graphql", "MyGrid", DEMO.grid_worker, {"id": GRID}, False),
        ("grid_worker.graphql", "GridInbox", DEMO.grid_worker, {"unitId": GRID}, True),
        ("grid_worker.graphql", "GridNotices", DEMO.grid_worker, {"unitId": GRID}, False),
        ("dispatcher.graphql", "Inbox", DEMO.community_staff, {"unitId": COMMUNITY}, True),
        ("dispatcher.graphql", "SearchCases", DEMO.community_staff, {"scopeId": COMMUNITY}, True),
        ("dispatcher.graphql", "CaseFile", DEMO.dispatcher, {"id": case_id}, False),
    ]


def test_the_hierarchy_examples_run_as_written(
    demo_units: Db, client: GraphQLClient, token: Tokens
) -> None:
    examples = operations(EXAMPLES / "hierarchy.graphql")
    assert [name for name, _ in examples] == list(HIERARCHY)
    for name, text in examples:
        run(client, token, name, text, HIERARCHY[name])
