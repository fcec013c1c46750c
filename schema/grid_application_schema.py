"""GraphQL of 入格申请 (issue 16): a signed-in person applies to live in a grid; the grid's
deciders (``api.domain.grid_applications``) list, approve and reject."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.domain.grid_applications import GridApplicationState
from api.records.grid_application import GridApplicationRecord
from api.services import grid_applications
from schema.connections import DEFAULT_PAGE_SIZE, INPUT, After, Connection, First, to_connection
from schema.context import Info
from schema.enums import described_enum
from schema.errors import UserError, run_mutation
from schema.node import global_id, item_id
from schema.types import OrgUnit, Person

described_enum(
    GridApplicationState,
    "GridApplicationState",
    "入格申请状态: where an application to live in a grid stands",
    {
        GridApplicationState.APPLIED: "待审核: waiting for the grid's deciders",
        GridApplicationState.APPROVED: "已通过: approved; the applicant's home is now in the grid",
        GridApplicationState.REJECTED: "已驳回: rejected, with a reason",
    },
)

APPLICATION = "GridApplication"


@strawberry.type(
    description="入格申请: a person's application to live in a grid as a resident (the "
    "applicant and the grid's deciders see it)"
)
class GridApplication:
    id: strawberry.ID = strawberry.field(description="Global id of the application")
    state: GridApplicationState = strawberry.field(description="Where it stands")
    note: str | None = strawberry.field(description="The applicant's note (address, household)")
    applied_at: str = strawberry.field(description="When it was made (ISO 8601)")
    decided_at: str | None = strawberry.field(description="When it was decided (ISO 8601)")
    reason: str | None = strawberry.field(
        description="The decider's reason (required for a rejection)"
    )
    applicant_name: str = strawberry.field(
        description="The applicant's name in full: only the applicant and the grid's deciders "
        "ever see an application"
    )
    record: strawberry.Private[GridApplicationRecord]

    @classmethod
    def of(cls, record: GridApplicationRecord) -> GridApplication:
        return cls(
            id=global_id(APPLICATION, record.id),
            state=record.state,
            note=record.note,
            applied_at=record.applied_at,
            decided_at=record.decided_at,
            reason=record.reason,
            applicant_name=record.applicant_name,
            record=record,
        )

    @strawberry.field(description="The grid applied to")
    async def grid(self, info: Info) -> OrgUnit | None:
        unit = await info.context.loaders.org_units.load(self.record.grid_id)
        return OrgUnit.of(unit) if unit else None

    @strawberry.field(
        description="The home asked for: the grid itself, or a building or household in it"
    )
    async def home_unit(self, info: Info) -> OrgUnit | None:
        unit = await info.context.loaders.org_units.load(self.record.home_unit_id)
        return OrgUnit.of(unit) if unit else None

    @strawberry.field(
        description="The applicant as a person (personal data as for any person: masked "
        "outside the scope of their current home)"
    )
    async def applicant(self, info: Info) -> Person | None:
        person = await info.context.loaders.people.load(self.record.applicant_id)
        return Person.of(person, info) if person else None


@strawberry.input(description="Apply to live in a grid (any signed-in person, for themselves)")
class ApplyToJoinGridInput:
    grid_id: strawberry.ID = strawberry.field(description="The grid (OrgUnit of kind GRID)")
    home_unit_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="A building or household inside the grid to live in; the grid itself when "
        "omitted",
    )
    note: str | None = strawberry.field(
        default=None, description="For the deciders: address, household (at most 500 characters)"
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="A retry with the same key and input returns the first application; the "
        "same key with another input is refused (IDEMPOTENCY_MISMATCH); at most 64 characters",
    )


@strawberry.input(description="Approve or reject an application (the grid's deciders)")
class DecideGridApplicationInput:
    application_id: strawberry.ID = strawberry.field(description="The application")
    approve: bool = strawberry.field(
        description="True: approve (the applicant's home moves to the grid); false: reject"
    )
    reason: str | None = strawberry.field(
        default=None, description="Why; required to reject (at most 500 characters)"
    )


@strawberry.type(description="Result of applyToJoinGrid and decideGridApplication")
class GridApplicationPayload:
    application: GridApplication | None = strawberry.field(
        default=None, description="The application, as it stands now"
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not")


@strawberry.type
class GridApplicationQuery:
    @strawberry.field(description="入格申请: the caller's own applications, newest first")
    def my_grid_applications(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[GridApplication]:
        ctx = info.context
        page = grid_applications.mine(ctx.db, ctx.actor, first, after)
        return to_connection(page, GridApplication.of, after is not None)

    @strawberry.field(
        description="入格申请 of a grid or a community, oldest first, for those who decide there "
        "(ADMIN covering it; SECRETARY or STAFF of the community; SECRETARY or GRID_WORKER of "
        "the grid)"
    )
    def grid_applications(
        self,
        info: Info,
        unit_id: Annotated[strawberry.ID, strawberry.argument(description="A grid or a community")],
        state: Annotated[
            GridApplicationState | None,
            strawberry.argument(description="Only applications in this state (all when null)"),
        ] = None,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> Connection[GridApplication]:
        ctx = info.context
        unit = item_id(unit_id, "OrgUnit", "unitId")
        page = grid_applications.queue(ctx.db, ctx.actor, unit, state, first, after)
        return to_connection(page, GridApplication.of, after is not None)


@strawberry.type
class GridApplicationMutation:
    @strawberry.mutation(
        description="入格申请: apply to live in a grid (one waiting application per person)"
    )
    def apply_to_join_grid(
        self, info: Info, input: Annotated[ApplyToJoinGridInput, INPUT]
    ) -> GridApplicationPayload:
        ctx = info.context

        def act() -> GridApplicationPayload:
            grid = item_id(input.grid_id, "OrgUnit", "gridId")
            home = (
                item_id(input.home_unit_id, "OrgUnit", "homeUnitId") if input.home_unit_id else None
            )
            record = grid_applications.apply(
                ctx.db, ctx.actor, ctx.clock, grid, home, input.note, input.idempotency_key
            )
            return GridApplicationPayload(application=GridApplication.of(record))

        return run_mutation(act, lambda errors: GridApplicationPayload(errors=errors))

    @strawberry.mutation(
        description="Approve (the applicant's home moves to the grid, in the same transaction) or "
        "reject an application; decided once (CONFLICT after)"
    )
    def decide_grid_application(
        self, info: Info, input: Annotated[DecideGridApplicationInput, INPUT]
    ) -> GridApplicationPayload:
        ctx = info.context

        def act() -> GridApplicationPayload:
            application = item_id(input.application_id, APPLICATION, "applicationId")
            record = grid_applications.decide(
                ctx.db, ctx.actor, ctx.clock, application, input.approve, input.reason
            )
            return GridApplicationPayload(application=GridApplication.of(record))

        return run_mutation(act, lambda errors: GridApplicationPayload(errors=errors))
