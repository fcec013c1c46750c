"""What a front-end developer trips on (issue 16), each point through GraphQL over both
transports (ASGI and Lambda events): one's own data, idempotency keys, CONFLICT, supervision,
the dispatcher's inbox, the current holder, partial results, global ids, public figures,
self-service applications, the closing policy and messages in the caller's language."""

from __future__ import annotations

from api.domain.people import mask_phone
from tests.case_world import CaseApi, person_gid

RESIDENT_PHONE = "13900001002"  # street A's resident (tests/world.py)

VIEWER = "{ viewer { person { id phone } } }"


# 3. One's own data


def test_a_person_sees_their_own_phone_in_full(case_api: CaseApi) -> None:
    api, cw = case_api, case_api.cw
    viewer = api.data(VIEWER, None, cw.resident_id)
    assert viewer["person"] == {"id": person_gid(cw.resident_id), "phone": RESIDENT_PHONE}

    case = api.report()
    assert api.full(cw.resident_id, case)["reporter"]["phone"] == RESIDENT_PHONE
    # The handling chain still sees it masked.
    assert api.full(cw.grid_worker_id, case)["reporter"]["phone"] == mask_phone(RESIDENT_PHONE)
    person = api.data(
        "query($id: ID!) { person(id: $id) { phone } }",
        {"id": person_gid(cw.resident_id)},
        cw.grid_worker_id,
    )
    assert person["phone"] == mask_phone(RESIDENT_PHONE)
