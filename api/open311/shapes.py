"""Open311 GeoReport v2 shapes: services from the category catalogue, cases as requests."""

from __future__ import annotations

from typing import Any

from api.domain.case_catalogue import DEFAULT_CATEGORIES
from api.domain.cases import CaseState
from api.records.case import CaseRecord

LOCATION_ATTRIBUTE = "location_unit_id"
# Open311 knows open and closed; a case is closed for the requester once it is resolved.
CLOSED_STATES = frozenset(
    {CaseState.RESOLVED, CaseState.EVALUATED, CaseState.CLOSED, CaseState.ARCHIVED,
     CaseState.REJECTED}
)  # fmt: skip


def service(code: str) -> dict[str, Any]:
    return {
        "service_code": code,
        "service_name": DEFAULT_CATEGORIES[code],
        "description": f"{DEFAULT_CATEGORIES[code]}类诉求（吹哨报到）",
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": "吹哨报到",
    }


def definition(code: str) -> dict[str, Any]:
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": LOCATION_ATTRIBUTE,
                "datatype": "string",
                "required": True,
                "datatype_description": "网格、楼栋或户的编号（组织单元 id）",
                "order": 1,
                "description": "事发位置（网格/楼栋/户）",
                "values": [],
            }
        ],
    }


def status(case: CaseRecord) -> str:
    return "closed" if case.state in CLOSED_STATES else "open"


def request(case: CaseRecord) -> dict[str, Any]:
    """A case as a service request; no personal data of the reporter."""
    deadline = case.handling_deadline
    expected = deadline.due_at if deadline and deadline.due_at else None
    agency = case.name_of(case.assignee_id) if case.assignee_id else case.name_of(case.grid_id)
    return {
        "service_request_id": case.code,
        "status": status(case),
        "status_notes": case.result or case.rejection_reason,
        "service_name": DEFAULT_CATEGORIES.get(case.category or "", case.category or ""),
        "service_code": case.category,
        "description": case.description,
        "agency_responsible": agency,
        "service_notice": None,
        "requested_datetime": case.reported_at,
        "updated_datetime": case.updated_at,
        "expected_datetime": expected.isoformat() if expected else None,
        "address": case.address,
        "address_id": case.location_unit_id,
        "zipcode": None,
        "lat": case.latitude,
        "long": case.longitude,
        "media_url": None,
    }


def error(status_code: int, description: str) -> list[dict[str, Any]]:
    return [{"code": status_code, "description": description}]
