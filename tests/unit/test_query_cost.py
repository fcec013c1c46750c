"""The query cost of schema/query_guard.py on the README's examples and on hand-made shapes."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import FieldNode, OperationDefinitionNode, parse

from schema.query_guard import CostEstimate, QueryPolicy
from schema.schema import schema

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
EXAMPLES = sorted((ROOT / "schema" / "operations" / "examples").glob("*.graphql"))


def _cost(document_text: str, variables: dict[str, object] | None = None) -> int:
    document = parse(document_text)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return CostEstimate(schema._schema, document, variables or {}, operation).cost


def _readme_costs() -> list[tuple[str, int]]:
    """The cost of every example operation (the files the README points to, and any example
    still written in the README itself)."""
    costs = []
    texts = [path.read_text(encoding="utf-8") for path in EXAMPLES]
    texts += re.findall(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    for text in texts:
        document = parse(text)
        for operation in document.definitions:
            if not isinstance(operation, OperationDefinitionNode):
                continue
            root = operation.selection_set.selections[0]
            assert isinstance(root, FieldNode)
            name = root.name.value
            costs.append((name, CostEstimate(schema._schema, document, {}, operation).cost))
    return costs


def test_every_readme_example_fits_the_anonymous_budget() -> None:
    costs = _readme_costs()
    assert len(costs) > 40
    budget = QueryPolicy().anonymous_cost_budget
    assert all(cost <= budget for _, cost in costs), costs


def test_readme_cost_table_matches_the_examples() -> None:
    costs = dict(_readme_costs())
    documented = {
        "districts": 694,
        "orgUnit": 46,
        "searchOrgUnits": 81,
        "viewer": 4,
        "topic": 67,
        "caseInbox": 41,
        "partners": 41,
        "openPartnerProjects": 21,
        "communityPartnerLists": 4,
        "trackCase": 2,
        "caseStats": 1,
    }
    assert {name: costs[name] for name in documented} == documented
    readme = README.read_text(encoding="utf-8")
    for cost in documented.values():
        assert f"| {cost}" in readme


def test_connections_multiply_and_scalars_are_free() -> None:
    assert _cost("{ viewer { person { name phone } } }") == 2
    assert _cost("{ districts(first: 3) { nodes { name } } }") == 1 + 3 * 1
    assert _cost("{ districts { nodes { name } } }") == 1 + 20 * 1  # the default page
    nested = "{ districts(first: 2) { nodes { children(first: 5) { nodes { name } } } } }"
    assert _cost(nested) == 1 + 2 * (1 + (1 + 5 * 1))
    variable = "query($n: Int! = 7) { districts(first: $n) { nodes { name } } }"
    assert _cost(variable) == 8
    assert _cost(variable, {"n": 50}) == 51


def test_fragments_count_once_per_spread_and_are_computed_once() -> None:
    # 2^40 spreads in total: computed in linear time, cost counted in full
    fragments = "\n".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40)
    )
    document = "{ ...F0 }\n" + fragments + "\nfragment F40 on Query { viewer { person { name } } }"
    assert _cost(document) == 2 * 2**40


def test_aliases_add_up() -> None:
    one = _cost("{ districts(first: 100) { nodes { name } } }")
    many = "{ " + " ".join(f"a{i}: districts(first: 100) {{ nodes {{ name }} }}" for i in range(30))
    assert _cost(many + " }") == 30 * one
