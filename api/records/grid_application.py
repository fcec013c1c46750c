"""Record of an application to live in a grid (入格申请)."""

from __future__ import annotations

from dataclasses import dataclass

from api.domain.grid_applications import GridApplicationState


@dataclass(frozen=True, slots=True)
class GridApplicationRecord:
    id: str
    applicant_id: str
    applicant_name: str
    grid_id: str
    grid_path: str
    grid_name: str
    community_id: str | None
    home_unit_id: str  # the grid itself, or a building / household inside it
    home_unit_name: str
    note: str | None
    state: GridApplicationState
    applied_at: str
    decided_at: str | None
    decided_by: str | None
    reason: str | None
    version: int
