"""The admin mutation that recomputes every counter from the immutable case events and the
topic and partner journal (``api.services.counter_truth``; the CLI does the same:
``recompute-counters``)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.services import counter_truth
from schema.context import Info
from schema.errors import UserError, run_mutation
from schema.mutations import ERRORS


@strawberry.input(description="What the recompute does with drifting counters")
class RecomputeCountersInput:
    repair: bool = strawberry.field(
        description="Rewrite drifting counters to the recomputed values (false: only report)",
        default=False,
    )


@strawberry.type(description="A counter that differs from its recomputation")
class CounterDrift:
    unit_id: str = strawberry.field(description="Id of the unit (or department)")
    period: str = strawberry.field(
        description="YYYY-MM-DD (day item), YYYY-MM (month roll-up), GAUGES (a gauge now) or "
        "WATCH (a watch-list entry; `counter` is `<list>#<due>#<case id>`, values 1 or 0)"
    )
    counter: str = strawberry.field(description="The counter's name, e.g. resolved")
    stored: int = strawberry.field(description="The value stored")
    recomputed: int = strawberry.field(
        description="The value the case events and the journal say (gauges and watch lists: "
        "the cases now)"
    )


@strawberry.type(description="Result of recomputing the counters")
class RecomputeCountersPayload:
    events: int = strawberry.field(
        description="Case events and topic or partner events that counted something", default=0
    )
    items: int = strawberry.field(
        description="Day items, month roll-ups, gauge items and watch entries compared", default=0
    )
    drifts: list[CounterDrift] = strawberry.field(
        description="Counters that differed (at most 100 shown)", default_factory=list
    )
    drift_count: int = strawberry.field(description="How many counters differed", default=0)
    repaired: int = strawberry.field(description="Items rewritten", default=0)
    errors: list[UserError] = strawberry.field(description=ERRORS, default_factory=list)


@strawberry.type
class CounterTruthMutation:
    @strawberry.mutation(
        description="Recompute every counter from the immutable case events and the topic "
        "and partner journal; district administrators (MANAGE_ORG on a district) only"
    )
    def recompute_counters(
        self,
        info: Info,
        input: Annotated[RecomputeCountersInput, strawberry.argument(description="Options")],
    ) -> RecomputeCountersPayload:
        ctx = info.context

        def act() -> RecomputeCountersPayload:
            result = counter_truth.recompute_as(ctx.db, ctx.actor, input.repair)
            return RecomputeCountersPayload(
                events=result.events, items=result.items, drift_count=len(result.drifts),
                repaired=result.repaired,
                drifts=[
                    CounterDrift(unit_id=d.org_id, period=d.period, counter=d.counter,
                                 stored=d.stored, recomputed=d.recomputed)
                    for d in result.drifts[:100]
                ],
            )  # fmt: skip

        return run_mutation(act, lambda errors: RecomputeCountersPayload(errors=errors))
