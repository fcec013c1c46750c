"""Which root fields an API client may call, by scope (issue 13). Deny by default: a field not
listed here is refused to every client before execution, whatever permissions its scopes give
inside services (those still apply: a client reads only in its unit's subtree)."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension

from api.domain.messages import msg
from api.language import current_language
from api.records.client import ClientScope

ANY_CLIENT = frozenset(
    {"__typename", "__schema", "__type", "node", "orgUnit", "districts", "searchOrgUnits",
     "trackCase"}
)  # fmt: skip
ROOT_FIELDS: dict[ClientScope, frozenset[str]] = {
    ClientScope.CASES_REPORT: frozenset({"reportCase"}),
    ClientScope.CASES_READ: frozenset(
        {"case", "caseByCode", "cases", "caseNotices", "caseByExternalRef"}
    ),
    ClientScope.CASES_EVALUATE: frozenset({"evaluateCase"}),
    ClientScope.TOPICS_READ: frozenset({"topic", "topics", "topicStats", "topicNotices"}),
    ClientScope.PARTNERS_READ: frozenset(
        {
            "partner",
            "partners",
            "communityPartnerLists",
            "partnerProject",
            "openPartnerProjects",
            "partnerAwards",
            "pointsLeaderboard",
        }
    ),
    ClientScope.WEBHOOKS_MANAGE: frozenset(
        {
            "webhookSubscriptions",
            "webhookDeliveries",
            "subscribeWebhook",
            "rotateWebhookSecret",
            "replayWebhookDelivery",
        }
    ),
}


def allowed_fields(scopes: frozenset[str]) -> frozenset[str]:
    allowed = set(ANY_CLIENT)
    for scope in ClientScope:
        if scope.value in scopes:
            allowed |= ROOT_FIELDS[scope]
    return frozenset(allowed)


def _root_fields(
    selection_set: SelectionSetNode, fragments: dict[str, SelectionSetNode]
) -> Iterator[str]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            spread = fragments.get(selection.name.value)
            if spread is not None:
                yield from _root_fields(spread, fragments)


class ClientScopeGate(SchemaExtension):
    """Refuse, before validation and execution, an operation whose root fields the calling
    client's scopes do not cover (a GraphQL error with code FORBIDDEN; nothing runs)."""

    def on_validate(self) -> Iterator[None]:
        # Listed after the validation cache (which sets its result unconditionally): a refused
        # field replaces whatever validation said, so a client learns nothing of fields its
        # scopes do not open; nothing executes either way.
        ctx = self.execution_context
        scopes = getattr(ctx.context, "client_scopes", None)
        if scopes is not None and ctx.graphql_document is not None:
            refused = sorted(set(self._called(ctx.operation_name)) - allowed_fields(scopes))
            if refused:
                ctx.pre_execution_errors = [
                    GraphQLError(
                        msg("graphql.client_fields", fields=", ".join(refused)).render(
                            current_language()
                        ),
                        extensions={"code": "FORBIDDEN"},
                    )
                ]
        yield

    def _called(self, operation_name: str | None) -> Iterator[str]:
        document = self.execution_context.graphql_document
        assert document is not None
        fragments = {
            d.name.value: d.selection_set
            for d in document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            if operation_name and (
                definition.name is None or definition.name.value != operation_name
            ):
                continue
            yield from _root_fields(definition.selection_set, fragments)
