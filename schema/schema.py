"""The GraphQL schema: root types and the extensions every request goes through."""

from __future__ import annotations

import strawberry
import strawberry.tools
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from schema.case_mutations import CaseMutation
from schema.case_queries import CaseQuery
from schema.case_types import Case
from schema.counter_truth_schema import CounterTruthMutation
from schema.errors import ErrorHandling
from schema.figures_schema import FiguresQuery
from schema.mutations import Mutation as OrgMutation
from schema.notification_schema import NotificationMutation, NotificationQuery
from schema.partner_mutations import PartnerMutation
from schema.partner_queries import PartnerQuery
from schema.partner_types import Partner, PartnerNeed, PartnerProject
from schema.queries import Query as OrgQuery
from schema.time_schema import TimeMutation, TimeQuery
from schema.topic_mutations import TopicMutation
from schema.topic_queries import TopicQuery
from schema.topic_types import Topic
from schema.types import OrgUnit, Person

Query = strawberry.tools.merge_types(
    "Query",
    (OrgQuery, CaseQuery, TimeQuery, PartnerQuery, TopicQuery, NotificationQuery, FiguresQuery),
)
Mutation = strawberry.tools.merge_types(
    "Mutation",
    (
        OrgMutation,
        CaseMutation,
        TimeMutation,
        PartnerMutation,
        TopicMutation,
        NotificationMutation,
        CounterTruthMutation,
    ),
)
# merge_types takes no description; the root types get theirs on their definitions.
Query.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Reads: the grid hierarchy, people, cases (吹哨报到), time limits, topics (党群议事) and "
    "red partners (红色合伙人); each field says who may see what"
)
Mutation.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Changes: each takes one `input` (or plain arguments) and returns a payload whose "
    "`errors` list the expected failures (code, field, message); a refused change writes nothing"
)

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 3000

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=[OrgUnit, Person, Case, Partner, PartnerNeed, PartnerProject, Topic],
    # Classes or factories, never instances: an instance would share state across requests.
    extensions=[
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        ErrorHandling,
    ],
)
