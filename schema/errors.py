"""Typed errors of the API.

Mutations return expected failures as ``UserError`` entries in their payload. Queries raise them
as GraphQL errors carrying ``extensions.code``. Any other exception is a bug: it is logged with
the request id and masked as "Unexpected error" with that id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from api.domain.errors import DomainError
from api.domain.errors import ErrorCode as DomainErrorCode
from api.domain.messages import msg
from api.language import current_language
from schema import enums

log = logging.getLogger("dangqun")

# The GraphQL enum ErrorCode, described value by value, is registered in schema.enums.
ErrorCode = enums.ErrorCode


@strawberry.type(
    description="An expected failure of a mutation: bad input, no permission, a lost race"
)
class UserError:
    code: DomainErrorCode = strawberry.field(description="Why it failed, stable for clients")
    field: str | None = strawberry.field(
        description="The input field at fault, as named in the input (camelCase); null when the "
        "failure is not about one field"
    )
    message: str = strawberry.field(
        description="What went wrong, to show the user: in Chinese, or in English when the "
        "request's Accept-Language prefers English"
    )


def user_error(error: DomainError) -> UserError:
    """The payload entry of an expected failure, its message in the request's language."""
    message = error.message.render(current_language())
    return UserError(code=error.code, field=error.field, message=message)


P = TypeVar("P")


def run_mutation(action: Callable[[], P], failed: Callable[[list[UserError]], P]) -> P:
    """Run a mutation body; turn expected failures into a payload carrying ``errors``."""
    try:
        return action()
    except DomainError as error:
        return failed([user_error(error)])


class ErrorHandling(SchemaExtension):
    """Give domain errors a code; mask everything unexpected behind the request id."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if not errors or result is None:
            return
        context: Any = self.execution_context.context
        request_id = getattr(context, "request_id", "unknown")
        result.errors = [self._process(error, request_id) for error in errors]

    @staticmethod
    def _process(error: GraphQLError, request_id: str) -> GraphQLError:
        original = error.original_error
        if original is None:
            return error  # validation, parsing and limit errors: safe and useful as they are
        if isinstance(original, DomainError):
            return GraphQLError(
                original.message.render(current_language()),
                nodes=error.nodes,
                path=error.path,
                extensions={"code": original.code.value, "field": original.field},
            )
        if isinstance(original, GraphQLError):
            return error
        log.error(
            "unexpected error in request %s at %s",
            request_id,
            error.path,
            exc_info=(type(original), original, original.__traceback__),
        )
        return GraphQLError(
            msg("internal.unexpected", request_id=request_id).render(current_language()),
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL", "requestId": request_id},
        )
