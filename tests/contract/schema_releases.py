"""Released baselines of the SDL and the breaking-change guard (see docs/API.md).

``schema/releases/<YYYY-MM-DD>.graphql`` holds the SDL of every released API, never edited after
its release; the newest is the baseline the current schema must stay compatible with. Releasing
a breaking change means adding a new file, and CHANGELOG.md's section for that release must name
every breaking change it makes (by schema coordinate, e.g. ``Case.foo``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    BreakingChange,
    DangerousChange,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
)

ROOT = Path(__file__).resolve().parents[2]
RELEASES = ROOT / "schema" / "releases"
CHANGELOG = ROOT / "CHANGELOG.md"

_NAME = r"[_A-Za-z][_0-9A-Za-z]*"
_COORDINATE = re.compile(rf"@?{_NAME}(?:\.{_NAME})?(?:\({_NAME}:\))?")


@dataclass(frozen=True)
class Release:
    version: str
    path: Path

    def schema(self) -> GraphQLSchema:
        return build_schema(self.path.read_text(encoding="utf-8"))


def releases() -> list[Release]:
    """Every released SDL, oldest first (versions are dates, so names sort in order)."""
    return [Release(p.stem, p) for p in sorted(RELEASES.glob("*.graphql"))]


def breaking(old: GraphQLSchema, new: GraphQLSchema) -> list[BreakingChange]:
    return find_breaking_changes(old, new)


def dangerous(old: GraphQLSchema, new: GraphQLSchema) -> list[DangerousChange]:
    return find_dangerous_changes(old, new)


def coordinate(change: BreakingChange | DangerousChange) -> str:
    """The schema element a change is about: the first coordinate of its description
    (``Field Case.foo was removed.`` → ``Case.foo``), else its first name (a type)."""
    tokens: list[str] = _COORDINATE.findall(change.description)
    qualified = [t for t in tokens if "." in t or "(" in t or t.startswith("@")]
    return qualified[0] if qualified else tokens[0]


def changelog_sections(text: str) -> dict[str, str]:
    """CHANGELOG.md's ``## <version>`` sections by version."""
    parts = re.split(r"^## +", text, flags=re.M)[1:]
    sections: dict[str, str] = {}
    for part in parts:
        heading, _, body = part.partition("\n")
        version = heading.split()[0] if heading.split() else ""
        sections[version] = body
    return sections


def describe(changes: list[BreakingChange]) -> str:
    return "\n".join(f"  - {c.type.name}: {c.description}" for c in changes)
