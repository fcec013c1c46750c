"""Root query fields of topics (党群议事)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.domain.topics import TopicState as TopicStateModel
from api.services import topic_queries
from schema.case_queries import _date
from schema.connections import DEFAULT_PAGE_SIZE, Connection, to_connection
from schema.context import Info
from schema.enums import value_of
from schema.node import item_id
from schema.topic_types import (
    Topic,
    TopicNotice,
    TopicOrder,
    TopicState,
    TopicStats,
    load_topic,
    topic_connection,
)

__all__ = ["TopicQuery", "load_topic"]

PAGE_SIZE = "Page size (at most 100)"
CURSOR = "Cursor to go on from (endCursor of the previous page)"


def _unit_id(value: strawberry.ID) -> str:
    return item_id(value, "OrgUnit", "unitId")


@strawberry.type
class TopicQuery:
    @strawberry.field(
        description="A topic with its first comments, tally and the caller's vote (hidden ones "
        "only to their author and the moderators)"
    )
    def topic(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The topic's global id")],
        comments_first: Annotated[
            int, strawberry.argument(description="Comments read with the topic")
        ] = 20,
    ) -> Topic | None:
        return load_topic(info, item_id(id, "Topic"), comments_first)

    @strawberry.field(
        description="Topics of a grid or community in one state (hidden ones and others' "
        "drafts only for the staff guiding topics there)"
    )
    def topics(
        self,
        info: Info,
        unit_id: Annotated[strawberry.ID, strawberry.argument(description="A grid or a community")],
        state: Annotated[TopicState, strawberry.argument(description="The state listed")],
        order: Annotated[
            TopicOrder, strawberry.argument(description="Newest or most liked first")
        ] = TopicOrder.NEWEST,
        first: Annotated[int, strawberry.argument(description=PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, strawberry.argument(description=CURSOR)] = None,
    ) -> Connection[Topic]:
        page = topic_queries.unit_topics(
            info.context.db,
            info.context.actor,
            _unit_id(unit_id),
            TopicStateModel(value_of(state)),
            order is TopicOrder.MOST_LIKED,
            first,
            after,
        )
        return topic_connection(page, after is not None)

    @strawberry.field(description="Topics the caller proposed, newest first")
    def my_topics(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description=PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, strawberry.argument(description=CURSOR)] = None,
    ) -> Connection[Topic]:
        page = topic_queries.my_topics(info.context.db, info.context.actor, first, after)
        return topic_connection(page, after is not None)

    @strawberry.field(
        description="Topics raised, adopted, adoption rate and share solved inside the grid "
        "(public figures)"
    )
    def topic_stats(
        self,
        info: Info,
        unit_id: Annotated[
            strawberry.ID, strawberry.argument(description="The unit (its subtree)")
        ],
        start: Annotated[str, strawberry.argument(description="First day (yyyy-mm-dd)")],
        end: Annotated[str, strawberry.argument(description="Last day (yyyy-mm-dd)")],
    ) -> TopicStats:
        unit = _unit_id(unit_id)
        start_day, end_day = _date(start, "start"), _date(end, "end")
        assert start_day is not None and end_day is not None
        totals = topic_queries.stats(info.context.db, info.context.actor, unit, start_day, end_day)
        return TopicStats.of(totals)

    @strawberry.field(
        description="Topic notices for the caller, or for a unit whose topics the caller guides"
    )
    def topic_notices(
        self,
        info: Info,
        unit_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="A unit the caller guides (null: the caller's own)"),
        ] = None,
        first: Annotated[int, strawberry.argument(description=PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, strawberry.argument(description=CURSOR)] = None,
    ) -> Connection[TopicNotice]:
        unit = _unit_id(unit_id) if unit_id is not None else None
        page = topic_queries.notices(info.context.db, info.context.actor, unit, first, after)
        return to_connection(page, TopicNotice.of, after is not None)
