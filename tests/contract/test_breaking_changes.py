"""The guard against breaking changes: the schema in the code must stay compatible with the
newest released baseline, and every release that broke something names it in CHANGELOG.md."""

from __future__ import annotations

import warnings

import pytest
from graphql import build_schema
from strawberry.printer import print_schema

from schema.schema import schema
from tests.contract.schema_releases import (
    CHANGELOG,
    ROOT,
    breaking,
    changelog_sections,
    coordinate,
    dangerous,
    describe,
    releases,
)

HOW_TO = """
A client built against the released API would break. Either keep the old shape (add the new
field beside it and deprecate the old one with @deprecated(reason: "Use `x` instead. Removal
after <date>.")), or, once the deprecation period is over, release a new baseline in this same
commit: `make schema-release` and name each change above in CHANGELOG.md under the new version
(docs/API.md, "Breaking changes")."""


def test_the_schema_does_not_break_the_released_baseline() -> None:
    baseline = releases()[-1]
    current = build_schema(print_schema(schema))
    for change in dangerous(baseline.schema(), current):
        # Not breaking, but a client may behave differently (a new enum value, a new default).
        warnings.warn(f"{change.type.name}: {change.description}", stacklevel=1)
    changes = breaking(baseline.schema(), current)
    assert not changes, (
        f"Breaking changes against the released API {baseline.version} "
        f"({baseline.path.relative_to(ROOT)}):\n{describe(changes)}\n{HOW_TO}"
    )


def test_every_release_has_a_changelog_entry_naming_its_breaking_changes() -> None:
    sections = changelog_sections(CHANGELOG.read_text(encoding="utf-8"))
    released = releases()
    assert released, "no released baseline in schema/releases"
    for previous, release in zip([None, *released[:-1]], released, strict=True):
        assert release.version in sections, f"CHANGELOG.md has no '## {release.version}' section"
        if previous is None:
            continue
        section = sections[release.version]
        unnamed = [
            c for c in breaking(previous.schema(), release.schema()) if coordinate(c) not in section
        ]
        assert not unnamed, (
            f"CHANGELOG.md '## {release.version}' does not name these breaking changes since "
            f"{previous.version}:\n{describe(unnamed)}"
        )


# --- the guard itself, on small schemas ----------------------------------------------------

OLD = """
type Query { case(id: ID!): Case }
type Case { id: ID! code: String! state: State! }
enum State { OPEN CLOSED }
"""


@pytest.mark.parametrize(
    ("new", "named"),
    [
        (
            "type Query { case(id: ID!): Case } type Case { id: ID! state: State! }"
            " enum State { OPEN CLOSED }",
            "Case.code",
        ),
        (
            "type Query { case(id: ID!): Case } type Case { id: ID! code: String! state: State! }"
            " enum State { OPEN }",
            "State.CLOSED",
        ),
        (
            "type Query { case(id: ID!, at: String!): Case }"
            " type Case { id: ID! code: String! state: State! } enum State { OPEN CLOSED }",
            "Query.case(at:)",
        ),
        (
            "type Query { case(id: ID!): Case } type Case { id: ID! code: String state: State! }"
            " enum State { OPEN CLOSED }",
            "Case.code",
        ),
    ],
    ids=["field removed", "enum value removed", "required argument added", "nullable now"],
)
def test_a_breaking_change_is_reported_by_its_coordinate(new: str, named: str) -> None:
    changes = breaking(build_schema(OLD), build_schema(new))
    assert [coordinate(c) for c in changes] == [named]
    assert named in describe(changes)


def test_a_deprecation_or_an_addition_is_not_breaking() -> None:
    new = """
    type Query { case(id: ID!): Case  caseByCode(code: String!): Case }
    type Case { id: ID! code: String! @deprecated(reason: "Use `trackingCode`.")
                trackingCode: String! state: State! }
    enum State { OPEN CLOSED ARCHIVED }
    """
    assert breaking(build_schema(OLD), build_schema(new)) == []
    # A new enum value is dangerous: an exhaustive switch in a client meets an unknown value.
    assert [coordinate(c) for c in dangerous(build_schema(OLD), build_schema(new))] == [
        "State.ARCHIVED"
    ]


def test_changelog_sections_are_found_by_version() -> None:
    text = "# API changelog\n\n## Unreleased\n\n- x\n\n## 2026-12-01\n\n- Removed `Case.code`\n"
    sections = changelog_sections(text)
    assert set(sections) == {"Unreleased", "2026-12-01"}
    assert "Case.code" in sections["2026-12-01"]
