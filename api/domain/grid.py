"""Grid details: service station, five-criteria acceptance (五子达标), star rating (六个好)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from api.domain.text import free_text


class FiveCriterion(StrEnum):
    """五子达标 — the checklist a grid party branch must meet."""

    PILLAR = "PILLAR"  # 立柱子: a strong branch secretary and team
    MINDSET = "MINDSET"  # 换脑子: trained in service-oriented governance
    PLATFORM = "PLATFORM"  # 搭台子: a working service station
    RESOURCES = "RESOURCES"  # 蓄池子: a pool of volunteers, partners and funds
    YARDSTICK = "YARDSTICK"  # 把尺子: rules and evaluation in place


class StarCriterion(StrEnum):
    """六个好星级网格 — one star for each criterion met."""

    ORGANISATION = "ORGANISATION"  # 组织建设好
    TEAM = "TEAM"  # 队伍建设好
    STATION = "STATION"  # 阵地建设好
    SERVICE = "SERVICE"  # 服务群众好
    GOVERNANCE = "GOVERNANCE"  # 治理成效好
    REPUTATION = "REPUTATION"  # 群众口碑好


@dataclass(frozen=True)
class ServiceStation:
    name: str
    address: str
    opening_hours: str = ""
    phone: str = ""

    def __post_init__(self) -> None:
        for name, limit in (("name", 60), ("address", 200), ("opening_hours", 60), ("phone", 30)):
            value = free_text(
                getattr(self, name),
                f"serviceStation.{name}",
                max_length=limit,
                required=False,
                multiline=False,
            )
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class GridDetails:
    secretary_id: str | None = None
    instructor_id: str | None = None
    station: ServiceStation | None = None
    five_criteria: frozenset[FiveCriterion] = field(default_factory=frozenset)
    star_criteria: frozenset[StarCriterion] = field(default_factory=frozenset)

    @property
    def five_criteria_met(self) -> bool:
        return self.five_criteria == frozenset(FiveCriterion)

    @property
    def stars(self) -> int:
        return len(self.star_criteria)
