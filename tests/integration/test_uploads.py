"""Photos and files (issue 15) end to end, over HTTP against the real local S3-compatible server
(s3rver): a presigned POST from a plain HTTP client, then attach, then the presigned GET."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.app import create_app
from api.domain.clock import FixedClock
from api.domain.uploads import UPLOAD_PREFIX
from api.services.upload_sweep import sweep_orphan_uploads
from api.settings import Settings
from api.store.db import Db
from tests.case_world import CaseApi, CaseWorld
from tests.conftest import Tokens
from tests.graphql_client import AsgiClient
from tests.uploads_world import (
    HTML,
    JPEG,
    PDF,
    PNG,
    PROJECT_FILES,
    TOPIC_FILES,
    UploadApi,
    download,
    s3_server,
    upload_settings,
)
from tests.world import World

__all__ = ["s3_server", "upload_settings"]


@pytest.fixture
def case_api(
    upload_settings: Settings, clock: FixedClock, token: Tokens, case_world: CaseWorld
) -> CaseApi:
    return CaseApi(AsgiClient(create_app(upload_settings, clock)), token, case_world)


@pytest.fixture
def files(case_api: CaseApi) -> UploadApi:
    return UploadApi(case_api.client, case_api.mint)


def advance(clock: FixedClock, minutes: int = 10) -> None:
    clock.advance(timedelta(minutes=minutes))


def test_wall_crack_photo_from_report_to_verification(
    case_api: CaseApi, files: UploadApi, clock: FixedClock
) -> None:
    api, cw = case_api, case_api.cw
    resident, grid_worker = cw.resident_id, cw.grid_worker_id
    community = cw.community_dispatcher_id
    case = api.report(description="扬州路12号楼院北墙裂缝，墙体有倾斜，担心倒塌")

    # 上报: the resident's photo, straight to the bucket, then attached.
    photo = files.upload(resident, case["id"])
    assert (photo["purpose"], photo["kind"], photo["size"]) == ("CASE_REPORT", "JPEG", len(JPEG))
    assert (photo["contentType"], photo["public"], photo["mine"]) == ("image/jpeg", False, True)
    status, body, content_type = download(photo["url"])
    assert (status, body, content_type) == (200, JPEG, "image/jpeg")

    # The handling chain sees it; the grid worker did not upload it.
    (seen,) = files.case_files(grid_worker, case["id"]) or []
    assert (seen["id"], seen["mine"]) == (photo["id"], False)
    assert download(seen["url"])[1] == JPEG
    # Street B's resident and staff cannot see the case, hence neither its files.
    assert files.case_files(cw.world.b.resident_id, case["id"]) is None
    assert files.case_files(cw.world.b.staff_id, case["id"]) is None

    advance(clock)
    api.act("acceptCase", community, case, mode="ASSIGNED", category="HOUSING_SAFETY")
    advance(clock)
    api.act("assignCase", community, case, level="GRID")
    advance(clock)
    api.act("startCase", grid_worker, case)
    # 处置前后: the grid worker's before/after pair (a PNG and a PDF report too).
    before = files.upload(grid_worker, case["id"], purpose="RESOLUTION_BEFORE")
    after = files.upload(
        grid_worker, case["id"], PNG, purpose="RESOLUTION_AFTER", content_type="image/png"
    )
    advance(clock)
    resolved = api.act("resolveCase", grid_worker, case, result="已加固北墙并设警示")
    assert resolved["state"] == "RESOLVED"
    # 核查: the community checks the result on site, as a PDF record, then closes.
    check = files.upload(
        community, case["id"], PDF, purpose="VERIFICATION", content_type="application/pdf"
    )
    advance(clock)
    api.act("evaluateCase", resident, case, satisfaction="SATISFIED")
    advance(clock)
    assert api.act("closeCase", community, case)["state"] == "CLOSED"
    listed = files.case_files(resident, case["id"]) or []
    assert [(f["purpose"], f["kind"]) for f in listed] == [
        ("CASE_REPORT", "JPEG"),
        ("RESOLUTION_BEFORE", "JPEG"),
        ("RESOLUTION_AFTER", "PNG"),
        ("VERIFICATION", "PDF"),
    ]
    assert [download(f["url"])[1] for f in listed] == [JPEG, JPEG, PNG, PDF]
    assert [f["id"] for f in listed] == [photo["id"], before["id"], after["id"], check["id"]]

    # A resident documents the report, never the handling.
    refused = files.request(resident, case["id"], purpose="RESOLUTION_AFTER")
    assert (refused["upload"], refused["errors"][0]["code"]) == (None, "FORBIDDEN")

    # Public tracking shows nothing until staff mark a file public.
    assert files.public_files(case["trackingNumber"]) == []
    assert files.set_public(resident, after["id"])["errors"][0]["code"] == "FORBIDDEN"
    shown = files.set_public(community, after["id"])
    assert shown["errors"] == [] and shown["attachment"]["public"] is True
    (public,) = files.public_files(case["trackingNumber"])
    assert public["id"] == after["id"] and download(public["url"])[1] == PNG

    # Removal: the uploader or moderating staff; the file leaves the case, the object stays.
    assert files.remove(resident, before["id"])["errors"][0]["code"] == "FORBIDDEN"
    assert files.remove(community, before["id"], reason="")["errors"][0]["field"] == "reason"
    assert files.remove(grid_worker, before["id"]) == {"removed": True, "errors": []}
    assert [f["id"] for f in files.case_files(resident, case["id"]) or []] == [
        photo["id"],
        after["id"],
        check["id"],
    ]
    assert download(before["url"])[1] == JPEG  # kept for the archive period
    assert files.remove(grid_worker, before["id"])["errors"][0]["code"] == "NOT_FOUND"


def codes(payload: dict[str, object]) -> list[tuple[object, object]]:
    errors = payload["errors"]
    assert isinstance(errors, list)
    return [(e["code"], e["field"]) for e in errors]


def test_bad_input_is_refused_and_nothing_is_attached(
    case_api: CaseApi, files: UploadApi, clock: FixedClock
) -> None:
    cw = case_api.cw
    resident = cw.resident_id
    case = case_api.report()
    target = case["id"]

    # Refused before any upload: type, size, a case the caller cannot see, not signed in.
    assert codes(files.request(resident, target, content_type="text/html")) == [
        ("INVALID_INPUT", "contentType")
    ]
    assert codes(files.request(resident, target, size=11 * 1024 * 1024)) == [
        ("INVALID_INPUT", "size")
    ]
    assert codes(files.request(resident, target, size=0)) == [("INVALID_INPUT", "size")]
    assert codes(files.request(cw.world.b.resident_id, target)) == [("NOT_FOUND", "targetId")]
    assert codes(files.request(resident, "not-an-id")) == [("INVALID_ID", "targetId")]

    # The local server ignores the POST policy (real S3 refuses these posts with 403), so
    # attaching re-checks: a file larger than allowed...
    ticket = files.ticket(resident, target)
    too_big = JPEG + b"\x00" * ticket.max_bytes
    assert files.post(ticket, too_big) == 204
    assert codes(files.attach(resident, ticket.upload_id)) == [("INVALID_INPUT", "file")]
    # ...bytes that are not what the type claims (declared and posted as a JPEG)...
    ticket = files.ticket(resident, target)
    assert files.post(ticket, HTML) == 204
    assert codes(files.attach(resident, ticket.upload_id)) == [("INVALID_INPUT", "file")]
    # ...a PNG posted where a JPEG was declared...
    ticket = files.ticket(resident, target)
    assert files.post(ticket, PNG, "image/png") == 204
    assert codes(files.attach(resident, ticket.upload_id)) == [("INVALID_INPUT", "file")]
    # ...a key outside the caller's prefix: the upload's own key holds nothing...
    ticket = files.ticket(resident, target)
    assert files.post(ticket, JPEG, key=f"{UPLOAD_PREFIX}case_report/someone-else/x") == 204
    assert codes(files.attach(resident, ticket.upload_id)) == [("INVALID_INPUT", "uploadId")]
    # ...an expired upload...
    ticket = files.ticket(resident, target)
    assert files.post(ticket, JPEG) == 204
    advance(clock, 11)
    assert codes(files.attach(resident, ticket.upload_id)) == [("INVALID_INPUT", "uploadId")]
    # ...someone else's upload, and an unknown one.
    ticket = files.ticket(resident, target)
    assert files.post(ticket, JPEG) == 204
    assert codes(files.attach(cw.grid_worker_id, ticket.upload_id)) == [("FORBIDDEN", "uploadId")]
    for unknown in ("01ARZ3NDEKTSV4RRFFQ69G5FAV", "../../#META", "x" * 500):
        assert codes(files.attach(resident, unknown)) == [("NOT_FOUND", "uploadId")]
    assert files.case_files(resident, target) == []

    # The good one attaches once.
    assert files.attach(resident, ticket.upload_id)["errors"] == []
    assert codes(files.attach(resident, ticket.upload_id)) == [("INVALID_INPUT", "uploadId")]
    assert len(files.case_files(resident, target) or []) == 1


def test_caps_per_case_and_per_person(
    case_api: CaseApi, files: UploadApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.services import attachments

    monkeypatch.setattr(attachments, "MAX_FILES_PER_TARGET", 2)
    monkeypatch.setattr(attachments, "MAX_UPLOADS_PER_PERSON_PER_DAY", 4)
    resident = case_api.cw.resident_id
    case = case_api.report()
    files.upload(resident, case["id"])
    pending = files.ticket(resident, case["id"])  # requested while below the cap
    files.upload(resident, case["id"])
    assert codes(files.request(resident, case["id"])) == [("INVALID_INPUT", "targetId")]
    assert files.post(pending, JPEG) == 204
    assert codes(files.attach(resident, pending.upload_id)) == [("INVALID_INPUT", "uploadId")]
    # Removing one frees a place; the person's fourth request of the day is the last.
    first = (files.case_files(resident, case["id"]) or [])[0]
    assert files.remove(resident, first["id"])["errors"] == []
    files.upload(resident, case["id"])
    other = case_api.report(description="楼道灯坏了")
    assert codes(files.request(resident, other["id"])) == [("INVALID_INPUT", None)]


def test_orphan_uploads_are_swept_and_attached_files_stay(
    case_api: CaseApi, files: UploadApi, upload_settings: Settings
) -> None:
    resident = case_api.cw.resident_id
    case = case_api.report()
    attached = files.upload(resident, case["id"])
    orphan = files.ticket(resident, case["id"])
    assert files.post(orphan, JPEG) == 204
    db = Db(upload_settings)
    assert db.objects.head(orphan.key) is not None
    assert sweep_orphan_uploads(db, datetime.now(UTC)) == 0  # younger than a day
    assert sweep_orphan_uploads(db, datetime.now(UTC) + timedelta(days=2)) >= 2
    assert db.objects.head(orphan.key) is None
    assert download(attached["url"])[1] == JPEG
    # Against AWS the lifecycle rule does it: the sweep step does nothing there.
    aws = Db(Settings(table_name=upload_settings.table_name))
    assert sweep_orphan_uploads(aws, datetime.now(UTC) + timedelta(days=2)) == 0


def test_topic_investigation_records_are_for_the_units_guides_and_residents(
    upload_settings: Settings, db: Db, clock: FixedClock, token: Tokens
) -> None:
    from api.services import topics
    from api.services.actor import load_actor
    from tests.topic_world import build_topic_world, gid

    tw = build_topic_world(db, clock)
    files = UploadApi(AsgiClient(create_app(upload_settings, clock)), token)
    author = load_actor(db, tw.residents[0])
    topic = topics.propose(db, author, clock, topics.ProposeInput(tw.grid.id, "加装电梯", "老楼"))
    topic_gid = gid("Topic", topic.id)

    # 入户调研: recorded by the topic's guides only.
    assert codes(files.request(tw.residents[0], topic_gid, purpose="TOPIC_INVESTIGATION")) == [
        ("FORBIDDEN", "purpose")
    ]
    # A purpose of cases with a topic's id.
    assert codes(files.request(tw.secretary_id, topic_gid)) == [("INVALID_ID", "targetId")]
    record = files.upload(
        tw.secretary_id,
        topic_gid,
        PDF,
        purpose="TOPIC_INVESTIGATION",
        content_type="application/pdf",
    )
    ids = [f["id"] for f in files.files_of(TOPIC_FILES, tw.residents[1], topic_gid) or []]
    assert ids == [record["id"]]
    # The topic is public; its records are not, until a guide makes one public.
    assert files.files_of(TOPIC_FILES, tw.neighbour_id, topic_gid) == []
    assert files.files_of(TOPIC_FILES, None, topic_gid) == []
    assert files.set_public(tw.secretary_id, record["id"])["errors"] == []
    (shown,) = files.files_of(TOPIC_FILES, None, topic_gid) or []
    assert download(shown["url"])[1] == PDF


def test_partner_delivery_photos_by_the_claiming_partner(
    upload_settings: Settings, db: Db, clock: FixedClock, token: Tokens, world: World
) -> None:
    from api.services import partner_projects
    from api.services.actor import load_actor
    from tests.partner_world import build_partner_world, make_project
    from tests.topic_world import gid

    pw = build_partner_world(db, clock, world)
    files = UploadApi(AsgiClient(create_app(upload_settings, clock)), token)
    project = make_project(db, clock, world, "助老理发")
    project_gid = gid("PartnerProject", project.id)
    # Before the bank claims the project its representative may not report a delivery.
    assert codes(files.request(pw.representative_id, project_gid, purpose="PARTNER_DELIVERY")) == [
        ("FORBIDDEN", "purpose")
    ]
    partner_projects.claim(db, load_actor(db, pw.representative_id), clock, project.id, pw.bank.id)
    photo = files.upload(pw.representative_id, project_gid, purpose="PARTNER_DELIVERY")
    seen = files.files_of(PROJECT_FILES, pw.b_community_staff_id, project_gid) or []
    assert [f["id"] for f in seen] == [photo["id"]]
    assert download(seen[0]["url"])[1] == JPEG
    # Street A's resident sees the public project, not its delivery photos.
    assert files.files_of(PROJECT_FILES, world.a.resident_id, project_gid) == []
    assert codes(files.request(world.a.resident_id, project_gid, purpose="PARTNER_DELIVERY")) == [
        ("FORBIDDEN", "purpose")
    ]


def test_a_case_with_five_files_costs_one_query_more(case_api: CaseApi, files: UploadApi) -> None:
    from tests.requests import count_requests

    resident = case_api.cw.resident_id
    case = case_api.report()
    for _ in range(5):
        files.upload(resident, case["id"])
    files.case_files(resident, case["id"])  # warm: the caller's token and the S3 client
    with count_requests() as with_files:
        assert len(files.case_files(resident, case["id"]) or []) == 5
    with count_requests() as without:
        case_api.data("query($id: ID!) { case(id: $id) { id } }", {"id": case["id"]}, resident)
    # The case's partition and the caller: the same; the files: one Query on their partition.
    assert with_files["Query"] == without["Query"] + 1
    assert sum(with_files.values()) == sum(without.values()) + 1
