"""The deprecation policy (docs/API.md): a deprecation names its replacement in backticks and
the date after which it may be removed."""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)

from schema.schema import schema

REASON = re.compile(r"`[^`]+`.*\b\d{4}-\d{2}-\d{2}\b", re.S)


def deprecations(graphql_schema: GraphQLSchema) -> Iterator[tuple[str, str]]:
    for name, type_ in graphql_schema.type_map.items():
        if name.startswith("__"):
            continue
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in type_.fields.items():
                yield f"{name}.{field_name}", field.deprecation_reason or ""
                for arg_name, arg in field.args.items():
                    yield f"{name}.{field_name}({arg_name}:)", arg.deprecation_reason or ""
        elif isinstance(type_, GraphQLInputObjectType):
            for field_name, input_field in type_.fields.items():
                yield f"{name}.{field_name}", input_field.deprecation_reason or ""
        elif isinstance(type_, GraphQLEnumType):
            for value_name, value in type_.values.items():
                yield f"{name}.{value_name}", value.deprecation_reason or ""


def off_policy(graphql_schema: GraphQLSchema) -> list[str]:
    return [
        f"{coordinate}: {reason!r}"
        for coordinate, reason in deprecations(graphql_schema)
        if reason and not REASON.search(reason)
    ]


def test_every_deprecation_names_its_replacement_and_removal_date() -> None:
    assert off_policy(schema._schema) == []


def test_a_deprecation_without_replacement_or_date_is_found() -> None:
    sdl = """
    type Query {
      a: Int @deprecated(reason: "old")
      b: Int @deprecated(reason: "Use `c`. Removal after 2027-06-01.")
      c: Int
    }
    """
    assert off_policy(build_schema(sdl)) == ["Query.a: 'old'"]
