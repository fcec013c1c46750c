"""The grid hierarchy: kinds of org units, which kind nests under which, names and paths.

district → street → community → grid → building → party-member household → unit household.
A unit's materialised path lists the ids from the root down to itself: ``/d/s/c/g``. Scope
checks and cycle checks are prefix tests on it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from api.domain.errors import Cycle, InvalidHierarchy, InvalidInput
from api.domain.messages import msg
from api.domain.text import free_text

NAME_MAX_LENGTH = 60


class OrgKind(StrEnum):
    DISTRICT = "DISTRICT"
    STREET = "STREET"
    COMMUNITY = "COMMUNITY"
    GRID = "GRID"
    BUILDING = "BUILDING"
    PARTY_HOUSEHOLD = "PARTY_HOUSEHOLD"
    UNIT_HOUSEHOLD = "UNIT_HOUSEHOLD"
    # 区直部门: a district department (housing, gardens, police…); sits beside the streets and
    # takes cases at DISTRICT level. It has no children.
    DEPARTMENT = "DEPARTMENT"

    @property
    def depth(self) -> int:
        return 1 if self is OrgKind.DEPARTMENT else _ORDER.index(self)

    @property
    def parent_kind(self) -> OrgKind | None:
        if self is OrgKind.DEPARTMENT:
            return OrgKind.DISTRICT
        return None if self.depth == 0 else _ORDER[self.depth - 1]

    @property
    def child_kind(self) -> OrgKind | None:
        """The kind one level down the grid hierarchy (a district's is STREET)."""
        if self is OrgKind.DEPARTMENT:
            return None
        return _ORDER[self.depth + 1] if self.depth + 1 < len(_ORDER) else None


# The grid hierarchy, top down; DEPARTMENT stands outside it.
_ORDER = [kind for kind in OrgKind if kind != "DEPARTMENT"]


@dataclass(frozen=True)
class Crumb:
    """One ancestor as shown in a breadcrumb: denormalised on every unit (see store README)."""

    id: str
    kind: OrgKind
    name: str


def validate_name(raw: str, field: str = "name") -> str:
    """Normalise a display name; reject empty, over-long or control-character names."""
    name = free_text(raw, field, max_length=NAME_MAX_LENGTH, multiline=False)
    # Names are stricter than free text: no format characters either (zero-width, …).
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise InvalidInput(msg("org.name_control_chars"), field=field)
    # '#' separates parts of sort keys.
    if "#" in name:
        raise InvalidInput(msg("org.name_hash"), field=field)
    return name


def check_parent(kind: OrgKind, parent_kind: OrgKind | None) -> None:
    """A unit sits exactly one level below its parent; only a district has no parent."""
    if kind.parent_kind != parent_kind:
        expected = kind.parent_kind.value if kind.parent_kind else "no parent"
        got = parent_kind.value if parent_kind else "no parent"
        raise InvalidHierarchy(
            msg("org.wrong_parent", kind=kind.value, expected=expected, got=got), field="parentId"
        )


def child_path(parent_path: str | None, unit_id: str) -> str:
    return f"{parent_path or ''}/{unit_id}"


def path_ids(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def is_within(path: str, scope_path: str) -> bool:
    """True when ``path`` is ``scope_path`` itself or lies in its subtree."""
    return path == scope_path or path.startswith(scope_path + "/")


def check_move(unit_path: str, new_parent_path: str) -> None:
    """Refuse to move a unit under itself or under one of its descendants."""
    if is_within(new_parent_path, unit_path):
        raise Cycle(msg("org.cycle"), field="newParentId")


def rebase_path(path: str, old_prefix: str, new_prefix: str) -> str:
    """The path of a descendant after its ancestor moved from ``old_prefix`` to ``new_prefix``."""
    if not is_within(path, old_prefix):
        raise ValueError(f"{path} is not under {old_prefix}")
    return new_prefix + path[len(old_prefix) :]
