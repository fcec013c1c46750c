"""The example operations and the clients' operation sets are checked against the schema, so an
example in the README or an operation a client ships can never drift from the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, build_schema, parse, validate

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = ROOT / "schema" / "operations"
CLIENTS = ("resident", "grid_worker", "dispatcher", "command_centre", "hotline")
FILES = sorted(OPERATIONS.rglob("*.graphql"))


@pytest.fixture(scope="module")
def sdl_schema() -> GraphQLSchema:
    # The exported SDL, which tests/test_schema.py holds equal to the code's schema.
    return build_schema((ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8"))


def test_every_client_has_an_operation_set() -> None:
    assert {p.stem for p in OPERATIONS.glob("*.graphql")} == set(CLIENTS)
    assert len(list((OPERATIONS / "examples").glob("*.graphql"))) >= 5


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(OPERATIONS)) for p in FILES])
def test_operations_are_valid_against_the_schema(path: Path, sdl_schema: GraphQLSchema) -> None:
    document = parse(path.read_text(encoding="utf-8"))
    errors = validate(sdl_schema, document)
    assert not errors, f"{path.relative_to(ROOT)}:\n" + "\n".join(
        f"  line {e.locations[0].line if e.locations else '?'}: {e.message}" for e in errors
    )
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert operations, "no operation in the file"
    # Named, so clients, logs and code generators can refer to each one.
    assert all(op.name for op in operations), "every operation needs a name"


def test_the_readme_links_to_the_operations_instead_of_repeating_them() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "```graphql" not in readme, "example operations live in schema/operations/"
    for path in FILES:
        assert str(path.relative_to(ROOT)) in readme, f"README does not link {path.name}"
