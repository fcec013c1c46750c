"""Expected failures of the domain, each with a stable machine-readable code.

Services raise these with a catalogue message (``msg("…")``, never a raw string); the GraphQL
layer renders it in the caller's language and turns the error into a ``UserError`` entry of a
mutation payload (or into a GraphQL error with ``extensions.code`` for queries). Anything else
is a bug and is masked with a request id.
"""

from __future__ import annotations

from enum import StrEnum

from api.domain.messages import Message


class ErrorCode(StrEnum):
    INVALID_ID = "INVALID_ID"
    INVALID_CURSOR = "INVALID_CURSOR"
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    CONFLICT = "CONFLICT"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    INVALID_HIERARCHY = "INVALID_HIERARCHY"
    CYCLE = "CYCLE"
    IN_USE = "IN_USE"
    ARCHIVED = "ARCHIVED"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    RATE_LIMITED = "RATE_LIMITED"  # too many anonymous lookups from one address
    IDEMPOTENCY_MISMATCH = "IDEMPOTENCY_MISMATCH"  # a reused key with a different input
    # Closing a resolved case (README "Closing"): the policy asks for a step not yet taken
    VERIFICATION_PENDING = "VERIFICATION_PENDING"  # 核查 not passed yet
    EVALUATION_PENDING = "EVALUATION_PENDING"  # the resident may still evaluate
    # Red partners and the points ledger
    PROJECT_FULL = "PROJECT_FULL"
    PROJECT_NOT_OPEN = "PROJECT_NOT_OPEN"
    ALREADY_CLAIMED = "ALREADY_CLAIMED"
    PARTNER_NOT_APPROVED = "PARTNER_NOT_APPROVED"
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"
    # 党群议事 (topics and votes)
    VOTING_CLOSED = "VOTING_CLOSED"  # 党群议事: outside the voting window
    NOT_ELIGIBLE = "NOT_ELIGIBLE"  # not in the topic's electorate snapshot
    TOPIC_HIDDEN = "TOPIC_HIDDEN"  # hidden by moderation, pending review


class DomainError(Exception):
    """An expected failure: bad input, missing permission, lost race, broken rule.

    It carries a catalogue message (``api/domain/messages.py``), rendered in the caller's
    language at the boundary; ``code`` and ``field`` stay the same in every language.
    """

    code: ErrorCode = ErrorCode.INVALID_INPUT

    def __init__(
        self, message: Message, *, field: str | None = None, code: ErrorCode | None = None
    ):
        super().__init__(str(message))  # Chinese, for logs and tracebacks
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class InvalidInput(DomainError):
    code = ErrorCode.INVALID_INPUT


class InvalidId(DomainError):
    code = ErrorCode.INVALID_ID


class InvalidCursor(DomainError):
    code = ErrorCode.INVALID_CURSOR


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class Unauthenticated(DomainError):
    code = ErrorCode.UNAUTHENTICATED


class Forbidden(DomainError):
    code = ErrorCode.FORBIDDEN


class VerificationPending(DomainError):
    code = ErrorCode.VERIFICATION_PENDING


class EvaluationPending(DomainError):
    code = ErrorCode.EVALUATION_PENDING


class IdempotencyMismatch(DomainError):
    code = ErrorCode.IDEMPOTENCY_MISMATCH


class Conflict(DomainError):
    """Someone else changed the item first (optimistic lock or condition lost)."""

    code = ErrorCode.CONFLICT


class AlreadyExists(DomainError):
    code = ErrorCode.ALREADY_EXISTS


class InvalidHierarchy(DomainError):
    code = ErrorCode.INVALID_HIERARCHY


class Cycle(DomainError):
    code = ErrorCode.CYCLE


class InUse(DomainError):
    code = ErrorCode.IN_USE


class Archived(DomainError):
    code = ErrorCode.ARCHIVED


# --- red partners and the points ledger ----------------------------------------------------


class ProjectFull(DomainError):
    """Every slot of the project's capacity is taken."""

    code = ErrorCode.PROJECT_FULL


class ProjectNotOpen(DomainError):
    """The project takes no claims (draft, in delivery, closed or cancelled)."""

    code = ErrorCode.PROJECT_NOT_OPEN


class AlreadyClaimed(DomainError):
    code = ErrorCode.ALREADY_CLAIMED


class PartnerNotApproved(DomainError):
    """The partner is not (or no longer) approved: applied, suspended or withdrawn."""

    code = ErrorCode.PARTNER_NOT_APPROVED


class InsufficientBalance(DomainError):
    code = ErrorCode.INSUFFICIENT_BALANCE


# --- topics and votes (党群议事) ---------------------------------------------------------


class VotingClosed(DomainError):
    code = ErrorCode.VOTING_CLOSED


class NotEligible(DomainError):
    code = ErrorCode.NOT_ELIGIBLE


class TopicHidden(DomainError):
    code = ErrorCode.TOPIC_HIDDEN
