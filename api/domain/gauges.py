"""Gauges (仪表: the state now, not a period) of the open cases a unit holds, and the watch lists
(overdue now, at-risk now) of the command centre. Pure rules: no DynamoDB, no GraphQL; the
README ("Gauges") defines each one.

A case contributes to the gauges of the units that hold it now (its *holders*): the unit at its
level and that unit's ancestors — the community's intake (with its street and district) before
dispatch, the grid / community / street at those levels, the district at DISTRICT and TOP — and,
at DISTRICT, every department with an unfinished task. A change of the case moves its
contributions: the store ``ADD``s ``after − before`` in the same transaction as the change, so a
gauge equals the sum over the open cases, whatever moved them (a transition or a timer firing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from api.domain.cases import CaseState, Level, Task, TaskStatus
from api.domain.clock import iso
from api.domain.deadlines.timers import Timer

INTAKE = "INTAKE"  # the level of a case not yet dispatched (the community's intake)

# Not open: nothing more is done on the case (结案, 不予受理, 归档).
DONE_STATES = frozenset({CaseState.CLOSED, CaseState.REJECTED, CaseState.ARCHIVED})
# States in which a missed limit still means "overdue now" (handling is not finished).
HANDLING_STATES = frozenset({CaseState.ASSIGNED, CaseState.IN_PROGRESS, CaseState.PAUSED})
# States in which a clock runs (timers.ACTIVE_STATES): only there is a case "at risk".
RUNNING_STATES = frozenset({CaseState.ASSIGNED, CaseState.IN_PROGRESS})

OPEN = "open"
OVERDUE = "overdue"
AT_RISK = "at_risk"
LEVELS = (INTAKE, *(level.value for level in Level))
STATES = tuple(s.value for s in CaseState if s not in DONE_STATES)


def level_gauge(level: str) -> str:
    return f"level_{level}"


def state_gauge(state: str) -> str:
    return f"state_{state}"


GAUGE_NAMES = (
    OPEN,
    OVERDUE,
    AT_RISK,
    *(level_gauge(level) for level in LEVELS),
    *(state_gauge(state) for state in STATES),
)


class WatchKind(StrEnum):
    OVERDUE = "OVERDUE"  # 超时: the current level's limit was missed
    AT_RISK = "AT_RISK"  # 临期: past the at-risk fraction of the current limit, not yet missed


class TimingLight(StrEnum):
    """红黄绿灯 of a unit now, from its gauges: red if any case it holds is overdue, amber if any
    is at risk, else green."""

    GREEN = "GREEN"
    AMBER = "AMBER"
    RED = "RED"


def timing_light(overdue: int, at_risk: int) -> TimingLight:
    if overdue > 0:
        return TimingLight.RED
    return TimingLight.AMBER if at_risk > 0 else TimingLight.GREEN


@dataclass(frozen=True, slots=True)
class Held:
    """What a case contributes now: nothing when it is not open (``units`` empty)."""

    units: tuple[str, ...]  # holders: unit and ancestors, then departments
    level: str
    state: str
    watch: WatchKind | None
    due_at: str | None  # the watch list's order: the missed or the coming limit

    def gauges(self) -> dict[str, dict[str, int]]:
        """Per holder, the gauges this case adds 1 to."""
        names = [OPEN, level_gauge(self.level), state_gauge(self.state)]
        if self.watch is WatchKind.OVERDUE:
            names.append(OVERDUE)
        elif self.watch is WatchKind.AT_RISK:
            names.append(AT_RISK)
        return {unit: dict.fromkeys(names, 1) for unit in self.units}


NOT_HELD = Held((), INTAKE, CaseState.CLOSED.value, None, None)


def held(
    *,
    state: CaseState,
    level: Level | None,
    path_ids: list[str],
    tasks: Iterable[Task],
    deadline: Timer | None,
    breached: bool,
    overdue_since: str,
) -> Held:
    """The contribution of a case (``path_ids``: district, street, community, grid);
    ``overdue_since`` orders it on the overdue list while ``breached``."""
    if state in DONE_STATES:
        return NOT_HELD
    depth = {None: 3, Level.GRID: 4, Level.COMMUNITY: 3, Level.STREET: 2}.get(level, 1)
    units = list(path_ids[:depth])
    if level is Level.DISTRICT:
        units += [t.department_id for t in tasks if t.status is not TaskStatus.RESOLVED]
    watch: WatchKind | None = None
    due_at: str | None = None
    if breached and state in HANDLING_STATES:
        watch = WatchKind.OVERDUE
        due_at = overdue_since
    elif (
        state in RUNNING_STATES
        and deadline is not None
        and deadline.warned
        and deadline.due_at is not None
    ):
        watch, due_at = WatchKind.AT_RISK, iso(deadline.due_at)
    return Held(
        tuple(dict.fromkeys(units)), level.value if level else INTAKE, state.value, watch, due_at
    )


def gauge_delta(before: Held, after: Held) -> dict[str, dict[str, int]]:
    """Per unit, the non-zero ``after − before`` of each gauge."""
    delta: dict[str, dict[str, int]] = {}
    for sign, side in ((-1, before), (1, after)):
        for unit, gauges in side.gauges().items():
            for name, n in gauges.items():
                unit_delta = delta.setdefault(unit, {})
                unit_delta[name] = unit_delta.get(name, 0) + sign * n
    return {
        unit: {name: n for name, n in gauges.items() if n}
        for unit, gauges in delta.items()
        if any(gauges.values())
    }


def watch_keys(held_: Held) -> set[tuple[WatchKind, str, str]]:
    """The watch-list entries of a contribution: (list, unit, due) for each holder."""
    if held_.watch is None or held_.due_at is None:
        return set()
    return {(held_.watch, unit, held_.due_at) for unit in held_.units}


@dataclass(frozen=True, slots=True)
class Gauges:
    """A unit's gauges now (summed contributions of the open cases it holds)."""

    open: int
    overdue: int
    at_risk: int
    by_level: Mapping[str, int]
    by_state: Mapping[str, int]

    @property
    def light(self) -> TimingLight:
        return timing_light(self.overdue, self.at_risk)

    @classmethod
    def of(cls, values: Mapping[str, int]) -> Gauges:
        return cls(
            open=int(values.get(OPEN, 0)),
            overdue=int(values.get(OVERDUE, 0)),
            at_risk=int(values.get(AT_RISK, 0)),
            by_level={level: int(values.get(level_gauge(level), 0)) for level in LEVELS},
            by_state={state: int(values.get(state_gauge(state), 0)) for state in STATES},
        )
