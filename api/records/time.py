"""Records of the time-limit policy (时限) and the working calendar's overrides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class CalendarOverrideRecord:
    """A day a district declared a workday or a holiday (a late State Council notice)."""

    day: date
    workday: bool
    note: str | None
    set_by: str | None
    set_at: str
