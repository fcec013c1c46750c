"""GraphQL of external references and hotline callers (issue 13)."""

from __future__ import annotations

import strawberry

from api.records.case import CallerContact, ExternalRef


@strawberry.type(name="ExternalRef", description="A case's ticket in another system (外部工单)")
class ExternalRefType:
    system: str = strawberry.field(description="The system, e.g. 12345")
    id: str = strawberry.field(description="The ticket id in that system")

    @classmethod
    def of(cls, ref: ExternalRef | None) -> ExternalRefType | None:
        return None if ref is None else cls(system=ref.system, id=ref.id)


@strawberry.input(description="A system's ticket: unique per system; a retry returns the case")
class ExternalRefInput:
    system: str = strawberry.field(description="The system, e.g. 12345 (1-32 of A-Z a-z 0-9 ._-)")
    id: str = strawberry.field(description="The ticket id in that system")

    def to_record(self) -> ExternalRef:
        return ExternalRef(self.system, self.id)


@strawberry.input(description="Who called the hotline (来电人): the reporter's contact, masked")
class CallerInput:
    name: str = strawberry.field(description="The caller's name")
    phone: str = strawberry.field(description="The caller's mainland mobile number")

    def to_record(self) -> CallerContact:
        return CallerContact(self.name, self.phone)
