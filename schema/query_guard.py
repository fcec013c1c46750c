"""Checks of a parsed operation before it runs: one operation per request, no introspection
unless the stage allows it, no "Did you mean …" hints unless allowed, and a query cost budget.

The cost is an upper bound of the resolver work, computed from the document alone (README,
"Limits"): every field of an object type costs 1 each time it is resolved; a connection field
(one with a ``first`` argument) multiplies the cost of everything under it by its page size —
the literal, the variable's value, or the argument's default. Scalars cost nothing (they are
read from the item already loaded). The walk is linear in the document: a fragment's cost is
computed once, whatever the number of its spreads.

One extension class, built once (a factory-free class in the schema's list); it adds no
validation rule, so Strawberry's validation cache is unaffected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
)
from graphql.pyutils import Undefined
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError

from api.domain.messages import msg
from api.language import current_language

PAGE_ARGUMENTS = ("first", "last")
# A page size above this is refused by pagination anyway; capping keeps the arithmetic small.
PAGE_CAP = 1_000_000
DEFAULT_PAGE_SIZE = 20
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


@dataclass(frozen=True)
class QueryPolicy:
    """What the stage allows: read from the settings by the app, carried by the context."""

    cost_budget: int = 20_000
    anonymous_cost_budget: int = 2_000
    introspection: bool = False
    suggestions: bool = False

    def budget(self, anonymous: bool) -> int:
        return self.anonymous_cost_budget if anonymous else self.cost_budget


class AmbiguousOperation(CannotGetOperationTypeError):
    """Several operations and no ``operationName``: the view answers 400 with this reason."""

    def as_http_error_reason(self) -> str:
        return msg("graphql.ambiguous_operation").render(current_language())


class QueryGuard(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        yield
        context = self.execution_context
        document = context.graphql_document
        # The provided name: ExecutionContext.operation_name falls back to the first operation's.
        if document is None or context._provided_operation_name is not None:
            return
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) > 1:
            raise AmbiguousOperation(None)

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        policy: QueryPolicy = getattr(context.context, "query_policy", None) or QueryPolicy()
        if document is not None and context.result is None:
            error = _refusal(
                context.schema._schema,
                document,
                context.operation_name,
                context.variables or {},
                policy,
                anonymous=getattr(context.context, "subject", None) is None,
            )
            if error is not None:
                context.result = ExecutionResult(data=None, errors=[error])
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        policy = getattr(context.context, "query_policy", None) or QueryPolicy()
        result = context.result
        errors = getattr(result, "errors", None)
        if policy.suggestions or not errors or result is None:
            return
        result.errors = [_without_suggestions(error) for error in errors]


def _without_suggestions(error: GraphQLError) -> GraphQLError:
    message = _SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return GraphQLError(
        message,
        nodes=error.nodes,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )


def _refusal(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    policy: QueryPolicy,
    anonymous: bool,
) -> GraphQLError | None:
    operation = _operation(document, operation_name)
    if operation is None:
        return None
    estimate = CostEstimate(schema, document, variables, operation)
    if estimate.introspects and not policy.introspection:
        return GraphQLError(
            msg("graphql.introspection_disabled").render(current_language()),
            extensions={"code": "INTROSPECTION_DISABLED"},
        )
    budget = policy.budget(anonymous)
    if estimate.cost > budget:
        return GraphQLError(
            msg("graphql.too_costly", cost=estimate.cost, budget=budget).render(current_language()),
            extensions={"code": "QUERY_TOO_COSTLY", "cost": estimate.cost, "budget": budget},
        )
    return None


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name is not None and definition.name.value == name)
        ):
            return definition
    return None


class CostEstimate:
    """The cost of one operation of a validated document (see the module docstring)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any],
        operation: OperationDefinitionNode,
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.defaults = {
            definition.variable.name.value: definition.default_value
            for definition in operation.variable_definitions or ()
        }
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._fragment_costs: dict[str, int] = {}
        self.introspects = False
        root = schema.get_root_type(operation.operation)
        self.cost = 0 if root is None else self._selection(operation.selection_set, root)

    def _selection(self, selection_set: SelectionSetNode, parent: Any) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                type_ = self.schema.get_type(condition.name.value) if condition else parent
                total += self._selection(selection.selection_set, type_ or parent)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection.name.value)
        return total

    def _fragment(self, name: str) -> int:
        if name not in self._fragment_costs:
            self._fragment_costs[name] = 0  # a cycle (refused by validation) adds nothing
            fragment = self.fragments.get(name)
            if fragment is not None:
                type_ = self.schema.get_type(fragment.type_condition.name.value)
                self._fragment_costs[name] = self._selection(fragment.selection_set, type_)
        return self._fragment_costs[name]

    def _field(self, node: FieldNode, parent: Any) -> int:
        name = node.name.value
        if name in ("__schema", "__type"):
            self.introspects = True
            return 0
        fields = getattr(parent, "fields", None) or {}
        definition = fields.get(name)
        if definition is None or is_leaf_type(get_named_type(definition.type)):
            return 0
        under = 0
        if node.selection_set is not None:
            under = self._selection(node.selection_set, get_named_type(definition.type))
        page = self._page_size(node, definition)
        return 1 + page * under

    def _page_size(self, node: FieldNode, definition: Any) -> int:
        for argument_name in PAGE_ARGUMENTS:
            if argument_name not in definition.args:
                continue
            value: Any = Undefined
            for argument in node.arguments or ():
                if argument.name.value == argument_name:
                    value = self._value(argument.value)
            if value is Undefined or value is None:
                default = definition.args[argument_name].default_value
                value = DEFAULT_PAGE_SIZE if default in (Undefined, None) else default
            if isinstance(value, int):
                return max(1, min(value, PAGE_CAP))
            return DEFAULT_PAGE_SIZE
        return 1

    def _value(self, node: Any) -> Any:
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, VariableNode):
            name = node.name.value
            if name in self.variables:
                return self.variables[name]
            default = self.defaults.get(name)
            return int(default.value) if isinstance(default, IntValueNode) else Undefined
        return Undefined
