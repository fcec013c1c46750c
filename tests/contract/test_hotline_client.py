"""The typed hotline client in clients/hotline is what ariadne-codegen makes of the schema and
the hotline's operations today, and it works against the API: a call forwarded by 12345 walks
the loop and the citizen's callback evaluation is recorded."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.domain.clock import FixedClock
from api.settings import Settings
from api.store.db import Db
from clients.hotline import (
    CaseAction,
    CaseChannel,
    CaseState,
    EvaluateCaseInput,
    HotlineClient,
    ReportCaseInput,
    Satisfaction,
)
from tests.case_world import CaseApi, CaseWorld, build_case_world, unit_gid
from tests.conftest import Tokens
from tests.graphql_client import AsgiClient
from tests.world import World

ROOT = Path(__file__).resolve().parents[2]
CODEGEN = ROOT / "clients" / "codegen"
CHECKED_IN = ROOT / "clients" / "hotline"


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")
    fallback = Path.home() / ".local" / "bin" / "uv"
    if found:
        return found
    assert fallback.exists(), "uv is needed to run ariadne-codegen (make installs it)"
    return str(fallback)


def _toml(table: dict[str, object]) -> str:
    def value(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        assert isinstance(v, str), v
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return "[tool.ariadne-codegen]\n" + "".join(f"{k} = {value(v)}\n" for k, v in table.items())


def _files(package: Path) -> dict[str, str]:
    return {
        p.relative_to(package).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(package.rglob("*.py"))
    }


def test_the_checked_in_client_is_a_fresh_generation(tmp_path: Path) -> None:
    settings = tomllib.loads((CODEGEN / "pyproject.toml").read_text(encoding="utf-8"))
    table = dict(settings["tool"]["ariadne-codegen"])
    table["target_package_path"] = str(tmp_path)
    config = tmp_path / "codegen.toml"
    config.write_text(_toml(table), encoding="utf-8")
    result = subprocess.run(
        [
            _uv(),
            "run",
            "--project",
            str(CODEGEN),
            "--frozen",
            "ariadne-codegen",
            "--config",
            str(config),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    fresh = _files(tmp_path / table["target_package_name"])
    stale = sorted(
        name
        for name in set(fresh) | set(_files(CHECKED_IN))
        if fresh.get(name) != _files(CHECKED_IN).get(name)
    )
    assert not stale, f"clients/hotline is stale ({', '.join(stale)}): run `make hotline-client`"


@pytest.fixture
def case_world(db: Db, clock: FixedClock, world: World) -> CaseWorld:
    return build_case_world(db, clock, world)


def test_a_forwarded_call_walks_the_loop_with_the_typed_client(
    settings: Settings, clock: FixedClock, token: Tokens, case_world: CaseWorld
) -> None:
    app = create_app(settings, clock)
    operator = case_world.dispatcher_id  # district STAFF: the hotline's account
    http = TestClient(app, headers={"Authorization": f"Bearer {token(operator)}"})
    hotline = HotlineClient(url="http://testserver/graphql", http_client=http)
    call = ReportCaseInput(
        channel=CaseChannel.HOTLINE,
        category="HOUSING_SAFETY",
        description="市民来电：扬州路12号楼院北墙出现裂缝",
        locationUnitId=unit_gid(case_world.world.a.building.id),
        idempotencyKey="12345-20261123-0001",
    )

    forwarded = hotline.forward_call(call).report_case
    assert forwarded.errors == []
    assert forwarded.case is not None
    case = forwarded.case
    assert case.state is CaseState.REPORTED
    # The hotline retries after a timeout: the same case, not a second one.
    retried = hotline.forward_call(call).report_case.case
    assert retried is not None and retried.id == case.id and retried.code == case.code

    staff = CaseApi(AsgiClient(app), token, case_world)
    as_case = {"id": case.id}
    community, worker = case_world.community_dispatcher_id, case_world.grid_worker_id
    staff.act("acceptCase", community, as_case, mode="FAST", category="HOUSING_SAFETY")
    staff.act("assignCase", community, as_case, level="GRID")
    staff.act("startCase", worker, as_case)
    staff.act("resolveCase", worker, as_case, result="已加固北墙")

    by_code = hotline.case_by_code(case.code).case_by_code
    assert by_code is not None
    assert by_code.state is CaseState.RESOLVED and by_code.result == "已加固北墙"
    assert [e.action for e in by_code.timeline] == [
        CaseAction.REPORT,
        CaseAction.ACCEPT,
        CaseAction.ASSIGN,
        CaseAction.START,
        CaseAction.RESOLVE,
    ]

    callback = hotline.record_callback(
        EvaluateCaseInput(caseId=case.id, satisfaction=Satisfaction.SATISFIED, comment="满意")
    ).evaluate_case
    assert callback.errors == []
    assert callback.case is not None and callback.case.satisfaction is Satisfaction.SATISFIED

    tracked = hotline.track_case(case.code).track_case
    assert tracked is not None and tracked.state is CaseState.EVALUATED
