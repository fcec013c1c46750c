"""The GraphQL schema: root types and the extensions every request goes through."""

from __future__ import annotations

import strawberry
import strawberry.tools
from graphql import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule

from schema.attachment_types import AttachmentMutation, AttachmentQuery
from schema.case_mutations import CaseMutation
from schema.case_queries import CaseQuery
from schema.case_types import Case
from schema.client_gate import ClientScopeGate
from schema.client_schema import ClientMutation, ClientQuery
from schema.counter_truth_schema import CounterTruthMutation
from schema.errors import ErrorHandling
from schema.export_schema import ExportJob, ExportMutation, ExportQuery
from schema.figures_schema import FiguresQuery
from schema.gauges_schema import GaugesQuery
from schema.grid_application_schema import GridApplicationMutation, GridApplicationQuery
from schema.mutations import Mutation as OrgMutation
from schema.notification_schema import NotificationMutation, NotificationQuery
from schema.partner_mutations import PartnerMutation
from schema.partner_queries import PartnerQuery
from schema.partner_types import Partner, PartnerNeed, PartnerProject
from schema.queries import Query as OrgQuery
from schema.query_guard import QueryGuard
from schema.time_schema import TimeMutation, TimeQuery
from schema.topic_mutations import TopicMutation
from schema.topic_queries import TopicQuery
from schema.topic_types import Topic
from schema.types import OrgUnit, Person

Query = strawberry.tools.merge_types(
    "Query",
    (
        OrgQuery,
        CaseQuery,
        TimeQuery,
        PartnerQuery,
        TopicQuery,
        NotificationQuery,
        AttachmentQuery,
        ClientQuery,
        FiguresQuery,
        GridApplicationQuery,
        GaugesQuery,
        ExportQuery,
    ),
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
        AttachmentMutation,
        ClientMutation,
        CounterTruthMutation,
        GridApplicationMutation,
        ExportMutation,
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

# The limit rules are built once. QueryDepthLimiter / MaxAliasesLimiter as factories make a new
# rule class per request, and ValidationCache is keyed by the rule classes: it would never hit
# and every request would validate its document again (13-25 % of a single-entity read).
LIMIT_RULES: list[type[ASTValidationRule]] = [
    max_depth_rule(MAX_DEPTH, None),
    max_aliases_rule(MAX_ALIASES),
]

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=[OrgUnit, Person, Case, Partner, PartnerNeed, PartnerProject, Topic, ExportJob],
    # Classes or factories, never instances: an instance would share state across requests.
    extensions=[
        # The token limit is a parse option: it comes before the parser cache (bounded LRU,
        # keyed by query text and options), the rules before the validation cache.
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        ParserCache,
        QueryGuard,
        lambda: AddValidationRules(LIMIT_RULES),
        ValidationCache,
        ErrorHandling,
        ClientScopeGate,
    ],
)
