"""The exported SDL in schema/schema.graphql must match the code (run `make schema`)."""

from __future__ import annotations

from pathlib import Path

from strawberry.printer import print_schema

from schema.schema import schema


def test_exported_schema_is_current(project_root: Path) -> None:
    exported = (project_root / "schema" / "schema.graphql").read_text(encoding="utf-8")
    assert exported.strip() == print_schema(schema).strip(), (
        "schema/schema.graphql is stale: run `make schema` and commit it"
    )
