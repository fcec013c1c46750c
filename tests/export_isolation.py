"""Rows of the scope-isolation tables (tests/integration/test_scope_isolation.py) for exports
(CSV, issue 14.7): a job street B's admin requested, and requests for B's street. Plain tuples
in the order of the tables' ``WriteCase`` and ``ReadCase`` fields, built there (no cycle)."""

from __future__ import annotations

from typing import Any

from api.domain.clock import Clock
from api.domain.exports import ExportKind
from api.domain.ids import to_global_id
from api.services import exports
from api.services.actor import load_actor
from api.store.db import Db

B_ADMIN = "b_admin"
# Earlier rows of the insiders' run take B's admin's role away: the district's admin may
# export B's street wherever the rows left it.
DISTRICT_ADMIN = "district_admin"
VIEWERS = ("anonymous", "a_admin", "a_worker", B_ADMIN, "b_worker", "b_resident")
EXPORT_SELF_ONLY_QUERIES = {"myExports"}


def seed_b_export(db: Db, clock: Clock, world: Any) -> str:
    """A job street B's admin requested for B's street (QUEUED: no worker runs here)."""
    day = clock.now().date()
    job = exports.request_export(
        db,
        load_actor(db, world.b.admin_id),
        clock,
        exports.ExportInput(
            kind=ExportKind.CASES, scope_id=world.b.street.id, reported_from=day, reported_to=day
        ),
    )
    return job.id


def _b_street(s: Any) -> str:
    return to_global_id("OrgUnit", s.world.b.street.id)


def export_write_rows() -> list[tuple[Any, ...]]:
    """(field, label, input, outsider, insider)"""
    return [
        (
            "requestExport", "B's cases of a day",
            lambda s: {
                "kind": "CASES", "scopeId": _b_street(s),
                "reportedFrom": "2026-11-23", "reportedTo": "2026-11-23",
            },
            ("FORBIDDEN", "scopeId"), DISTRICT_ADMIN,
        ),
        (
            "requestExport", "B's figures of a month",
            lambda s: {
                "kind": "FIGURES", "scopeId": _b_street(s), "period": "MONTH", "day": "2026-11-23",
            },
            ("FORBIDDEN", "scopeId"), DISTRICT_ADMIN,
        ),
    ]  # fmt: skip


def export_read_rows(refused: Any) -> list[tuple[Any, ...]]:
    """(field, label, document, variables, project, expect)"""
    not_found, unauthenticated = refused("NOT_FOUND"), refused("UNAUTHENTICATED")
    return [
        (
            "exportJob", "the job of B's admin: theirs alone",
            "query($id: ID!) { exportJob(id: $id) { kind scopeId } }",
            lambda s: {"id": to_global_id("ExportJob", s.extras.b_export_job_id)},
            lambda d: d["exportJob"],
            lambda s: {
                **dict.fromkeys(VIEWERS, not_found), "anonymous": unauthenticated,
                B_ADMIN: {"kind": "CASES", "scopeId": _b_street(s)},
            },
        ),
        (
            "myExports", "only the caller's own jobs",
            "{ myExports { nodes { id } } }",
            lambda s: {},
            lambda d: d["myExports"]["nodes"],
            lambda s: {
                **{viewer: [] for viewer in VIEWERS}, "anonymous": unauthenticated,
                B_ADMIN: [{"id": to_global_id("ExportJob", s.extras.b_export_job_id)}],
            },
        ),
    ]  # fmt: skip
