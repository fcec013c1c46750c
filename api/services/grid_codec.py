"""Grid details ⇄ the JSON stored on a grid's org-unit item."""

from __future__ import annotations

from typing import Any

from api.domain.grid import FiveCriterion, GridDetails, ServiceStation, StarCriterion


def grid_to_json(details: GridDetails) -> dict[str, Any]:
    station = details.station
    return {
        "secretary_id": details.secretary_id,
        "instructor_id": details.instructor_id,
        "station": None
        if station is None
        else {
            "name": station.name,
            "address": station.address,
            "opening_hours": station.opening_hours,
            "phone": station.phone,
        },
        "five_criteria": sorted(c.value for c in details.five_criteria),
        "star_criteria": sorted(c.value for c in details.star_criteria),
    }


def grid_from_json(data: dict[str, Any] | None) -> GridDetails:
    if not data:
        return GridDetails()
    station = data.get("station")
    return GridDetails(
        secretary_id=data.get("secretary_id"),
        instructor_id=data.get("instructor_id"),
        station=ServiceStation(**station) if station else None,
        five_criteria=frozenset(FiveCriterion(c) for c in data.get("five_criteria", [])),
        star_criteria=frozenset(StarCriterion(c) for c in data.get("star_criteria", [])),
    )
