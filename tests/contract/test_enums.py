"""The GraphQL enums are the domain's enums, each value described (Chinese term + English)."""

from __future__ import annotations

from enum import StrEnum

import pytest
import strawberry
from graphql import GraphQLEnumType
from strawberry.types.enum import StrawberryEnumDefinition

from api.domain.cases import Action
from api.domain.timeline_actions import TimelineAction
from schema import enums
from schema.schema import schema


def test_timeline_actions_are_every_case_action_plus_report_and_timer_steps() -> None:
    # …and the steps no one takes by hand: the report, the timers' steps, a failed 核查
    extra = {"REPORT", "AT_RISK_WARNING", "SUPERVISION", "EVALUATION_REMINDER", "VERIFY_FAILED"}
    assert {a.value for a in TimelineAction} == {a.value for a in Action} | extra
    # Same order as Action, so the exported enum reads like the loop.
    assert [a.value for a in TimelineAction if a.value not in extra] == [a.value for a in Action]


@pytest.mark.parametrize("name", [n for n in enums.__all__ if n[0].isupper()])
def test_every_value_of_a_domain_enum_is_described(name: str) -> None:
    graphql_type = schema._schema.type_map[name]
    assert isinstance(graphql_type, GraphQLEnumType)
    assert graphql_type.description
    for value_name, value in graphql_type.values.items():
        assert value.description, f"{name}.{value_name} has no description"
    # The enum behind the GraphQL type is the domain's own class, not a copy.
    definition = schema.get_type_by_name(name)
    assert isinstance(definition, StrawberryEnumDefinition)
    assert definition.wrapped_cls is getattr(enums, name)
    assert definition.wrapped_cls.__module__.startswith("api.domain.")


def test_a_member_without_a_description_is_refused_at_registration() -> None:
    class Colour(StrEnum):
        RED = "RED"
        BLUE = "BLUE"

    with pytest.raises(ValueError, match="Colour: no description for BLUE"):
        enums.described_enum(Colour, "Colour", "颜色", {Colour.RED: "红"})


class Shade(StrEnum):
    RED = "RED"
    CRIMSON = "CRIMSON"


@strawberry.type
class ShadeQuery:
    shade: Shade = Shade.RED


def test_a_deprecated_value_carries_its_reason_into_the_schema() -> None:
    reason = "Use `RED`. Removal after 2027-06-01."
    enums.described_enum(
        Shade, "Shade", "颜色", {Shade.RED: "红", Shade.CRIMSON: "深红"}, {Shade.CRIMSON: reason}
    )
    sdl = str(strawberry.Schema(query=ShadeQuery))
    assert f'CRIMSON @deprecated(reason: "{reason}")' in sdl
    assert '"""红"""\n  RED\n' in sdl
