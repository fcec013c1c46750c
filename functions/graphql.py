"""Lambda entry point for GraphQL (API Gateway HTTP API, payload v2) through Mangum.

Initialisation happens once per container, at import: settings, table binding, the ASGI app,
and everything a first request needs (api/warm.py). DataLoaders are built per request in the
context getter, never here. Logs, metrics and tracing wrap the handler (api/observability.py).
"""

from __future__ import annotations

from mangum import Mangum

from api.app import create_app
from api.observability import count_throttles, instrument_graphql
from api.settings import get_settings
from api.warm import prepare_for_requests

app = create_app(get_settings())
handler = instrument_graphql(Mangum(app, lifespan="off"))
count_throttles(app.db.connection.client)
prepare_for_requests(app.graphql)
