"""The query limits (depth, aliases, tokens) are enforced on every request, also when the
document comes from the parser / validation caches; and the validation cache does hit."""

from __future__ import annotations

from strawberry.extensions.validation_cache import DEFAULT_MAXSIZE as VALIDATE_MAXSIZE
from strawberry.extensions.validation_cache import _get_validate_cache

from schema.schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS, schema


def _errors(query: str) -> list[str]:
    result = schema.execute_sync(query)
    assert result.data is None, result.data
    return [error.message for error in result.errors or []]


def _nested(levels: int) -> str:
    inner = "id"
    for _ in range(levels):
        inner = f"parent {{ {inner} }}"
    return f'query Deep {{ orgUnit(id: "T3JnVW5pdDpTQg") {{ {inner} }} }}'


def test_a_too_deep_query_is_refused_every_time() -> None:
    query = _nested(MAX_DEPTH + 3)
    for _ in range(3):  # the second and third come from the caches
        errors = _errors(query)
        assert errors and "depth" in errors[0].lower()


def test_too_many_aliases_are_refused_every_time() -> None:
    aliases = " ".join(f"a{n}: __typename" for n in range(MAX_ALIASES + 1))
    query = f"{{ {aliases} }}"
    for _ in range(2):
        errors = _errors(query)
        assert errors and "aliases" in errors[0].lower()
    within = " ".join(f"a{n}: __typename" for n in range(MAX_ALIASES))
    assert schema.execute_sync(f"{{ {within} }}").errors is None


def test_too_many_tokens_are_refused_every_time() -> None:
    query = "{ " + "__typename " * MAX_TOKENS + "}"
    for _ in range(2):
        errors = _errors(query)
        assert errors and "token" in errors[0].lower()


def test_a_repeated_query_is_validated_once() -> None:
    cache = _get_validate_cache(VALIDATE_MAXSIZE)
    query = "query Repeated { __typename aliasForCache: __typename }"
    assert schema.execute_sync(query).errors is None
    hits = cache.cache_info().hits  # type: ignore[attr-defined]
    for _ in range(3):
        assert schema.execute_sync(query).errors is None
    assert cache.cache_info().hits == hits + 3  # type: ignore[attr-defined]
