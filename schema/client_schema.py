"""GraphQL of API clients (issue 13): district admins register, rotate and revoke the keys of
third-party systems (12345 hotline, city governance platform)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.records.case import ExternalRef
from api.records.client import ApiClientRecord
from api.services import api_clients, case_queries, external_refs
from schema.case_types import Case
from schema.connections import INPUT
from schema.context import Info
from schema.errors import UserError, run_mutation
from schema.node import global_id, item_id


@strawberry.type(description="A third-party system calling the API with a key (接入系统)")
class ApiClient:
    id: strawberry.ID = strawberry.field(description="Client id (also the middle of its key)")
    name: str = strawberry.field(description="Display name, e.g. 12345 热线")
    org_unit_id: strawberry.ID = strawberry.field(
        description="The client reads and writes only in this unit's subtree"
    )
    scopes: list[str] = strawberry.field(
        description="Scopes: cases:report, cases:read, cases:evaluate, topics:read, partners:read, "
        "webhooks:manage"
    )
    rate_per_minute: int = strawberry.field(description="Requests allowed per minute")
    revoked_at: str | None = strawberry.field(description="When the key stopped working")
    last_used_at: str | None = strawberry.field(
        description="Last authenticated request (to the minute)"
    )
    rotated_until: str | None = strawberry.field(
        description="The previous key still works until then (after a rotation)"
    )
    created_at: str = strawberry.field(description="When it was registered")

    @classmethod
    def of(cls, record: ApiClientRecord) -> ApiClient:
        return cls(
            id=strawberry.ID(record.id),
            name=record.name,
            org_unit_id=global_id("OrgUnit", record.org_id),
            scopes=[s.value for s in record.scopes],
            rate_per_minute=record.rate_per_minute,
            revoked_at=record.revoked_at,
            last_used_at=record.last_used_at,
            rotated_until=record.previous_until,
            created_at=record.created_at,
        )


@strawberry.input(description="Register a third-party system (district admins)")
class RegisterApiClientInput:
    name: str = strawberry.field(description="What the system is, e.g. 12345 热线")
    org_unit_id: strawberry.ID = strawberry.field(
        description="Its scope: it sees and writes only in this unit's subtree"
    )
    scopes: list[str] = strawberry.field(description="What it may do (see ApiClient.scopes)")
    rate_per_minute: int | None = strawberry.field(
        default=None, description="Requests allowed per minute (default 120)"
    )


@strawberry.input(description="Which API client")
class ApiClientInput:
    client_id: strawberry.ID = strawberry.field(description="The client's id")


@strawberry.type(description="A client with its key in clear: shown only here, store it now")
class ApiClientKeyPayload:
    client: ApiClient | None = strawberry.field(default=None, description="The client")
    key: str | None = strawberry.field(
        default=None, description="Send as the X-Api-Key header; only its hash is kept"
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not")


@strawberry.type(description="Result of revokeApiClient")
class RevokeApiClientPayload:
    client: ApiClient | None = strawberry.field(default=None, description="The revoked client")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not")


@strawberry.type
class ClientQuery:
    @strawberry.field(description="API clients registered in a unit's subtree (its admins)")
    def api_clients(
        self,
        info: Info,
        org_unit_id: Annotated[strawberry.ID, strawberry.argument(description="The unit")],
    ) -> list[ApiClient]:
        unit = item_id(org_unit_id, "OrgUnit", "orgUnitId")
        found = api_clients.clients_within(info.context.db, info.context.actor, unit)
        return [ApiClient.of(c) for c in found]

    @strawberry.field(
        description="The case of a system's ticket (外部工单), if the caller may read it"
    )
    def case_by_external_ref(
        self,
        info: Info,
        system: Annotated[str, strawberry.argument(description="The system, e.g. 12345")],
        id: Annotated[str, strawberry.argument(description="The ticket id in that system")],
    ) -> Case | None:
        ctx = info.context
        case_id = external_refs.case_id_of(ctx.db, ExternalRef(system, id))
        found = (
            None if case_id is None else case_queries.case_with_timeline(ctx.db, ctx.actor, case_id)
        )
        return Case.of(found) if found else None


@strawberry.type
class ClientMutation:
    @strawberry.mutation(description="Register a system and issue its key (district admins)")
    def register_api_client(
        self, info: Info, input: Annotated[RegisterApiClientInput, INPUT]
    ) -> ApiClientKeyPayload:
        ctx = info.context

        def act() -> ApiClientKeyPayload:
            unit = item_id(input.org_unit_id, "OrgUnit", "orgUnitId")
            issued = api_clients.register(
                ctx.db, ctx.actor, ctx.clock, name=input.name, org_id=unit,
                scopes=list(input.scopes), rate_per_minute=input.rate_per_minute,
            )  # fmt: skip
            return ApiClientKeyPayload(client=ApiClient.of(issued.client), key=issued.key)

        return run_mutation(act, lambda errors: ApiClientKeyPayload(errors=errors))

    @strawberry.mutation(
        description="Issue a new key; the previous one keeps working for 24 hours (admins)"
    )
    def rotate_api_client_key(
        self,
        info: Info,
        input: Annotated[ApiClientInput, INPUT],
    ) -> ApiClientKeyPayload:
        ctx = info.context

        def act() -> ApiClientKeyPayload:
            issued = api_clients.rotate_key(ctx.db, ctx.actor, ctx.clock, str(input.client_id))
            return ApiClientKeyPayload(client=ApiClient.of(issued.client), key=issued.key)

        return run_mutation(act, lambda errors: ApiClientKeyPayload(errors=errors))

    @strawberry.mutation(description="Stop a client's keys at once (admins)")
    def revoke_api_client(
        self,
        info: Info,
        input: Annotated[ApiClientInput, INPUT],
    ) -> RevokeApiClientPayload:
        ctx = info.context

        def act() -> RevokeApiClientPayload:
            record = api_clients.revoke(ctx.db, ctx.actor, ctx.clock, str(input.client_id))
            return RevokeApiClientPayload(client=ApiClient.of(record))

        return run_mutation(act, lambda errors: RevokeApiClientPayload(errors=errors))
