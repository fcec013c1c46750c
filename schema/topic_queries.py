"""Root query fields of topics (党群议事)."""

from __future__ import annotations

import strawberry

from api.domain.topics import TopicState as TopicStateModel
from api.services import org_units, topic_queries
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
    topic_connection,
)


def load_topic(info: Info, topic_id: str, comments_first: int = 20) -> Topic | None:
    view = topic_queries.topic_page(info.context.db, info.context.actor, topic_id, comments_first)
    if view is None:
        return None
    return Topic.of(view.topic, view.comments, view.my_vote, vote_loaded=True)


@strawberry.type
class TopicQuery:
    @strawberry.field(
        description="A topic with its first comments, tally and the caller's vote (hidden ones "
        "only to their author and the moderators)"
    )
    def topic(self, info: Info, id: strawberry.ID, comments_first: int = 20) -> Topic | None:
        return load_topic(info, item_id(id, "Topic"), comments_first)

    @strawberry.field(description="Topics of a grid or community in one state")
    def topics(
        self,
        info: Info,
        unit_id: strawberry.ID,
        state: TopicState,
        order: TopicOrder = TopicOrder.NEWEST,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[Topic]:
        unit = org_units.require_unit(
            item_id(unit_id, "OrgUnit", "unitId"), field="unitId", consistent=False
        )
        page = topic_queries.unit_topics(
            info.context.db,
            info.context.actor,
            unit,
            TopicStateModel(value_of(state)),
            order is TopicOrder.MOST_LIKED,
            first,
            after,
        )
        return topic_connection(page, after is not None)

    @strawberry.field(description="Topics the caller proposed, newest first")
    def my_topics(
        self, info: Info, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[Topic]:
        page = topic_queries.my_topics(info.context.db, info.context.actor, first, after)
        return topic_connection(page, after is not None)

    @strawberry.field(
        description="Topics raised, adopted, adoption rate and share solved inside the grid"
    )
    def topic_stats(self, info: Info, unit_id: strawberry.ID, start: str, end: str) -> TopicStats:
        unit = org_units.require_unit(
            item_id(unit_id, "OrgUnit", "unitId"), field="unitId", consistent=False
        )
        start_day, end_day = _date(start, "start"), _date(end, "end")
        assert start_day is not None and end_day is not None
        return TopicStats.of(topic_queries.stats(info.context.actor, unit, start_day, end_day))

    @strawberry.field(description="Topic notices for the caller, or a unit its staff guide")
    def topic_notices(
        self,
        info: Info,
        unit_id: strawberry.ID | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[TopicNotice]:
        actor = info.context.actor
        unit = None
        if unit_id is not None:
            unit = org_units.require_unit(
                item_id(unit_id, "OrgUnit", "unitId"), field="unitId", consistent=False
            )
        recipient = unit.id if unit else actor.require_login()
        page = topic_queries.notices(info.context.db, actor, recipient, unit, first, after)
        return to_connection(page, lambda item: TopicNotice(item=item), after is not None)
