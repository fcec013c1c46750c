"""Lambda entry point for GraphQL (API Gateway HTTP API, payload v2) through Mangum.

Initialisation happens once per container, at import: settings, table binding, the ASGI app,
and everything a first request needs (api/warm.py). DataLoaders are built per request in the
context getter, never here.
"""

from __future__ import annotations

from mangum import Mangum

from api.app import create_app
from api.settings import get_settings
from api.warm import prepare_for_requests

app = create_app(get_settings())
handler = Mangum(app, lifespan="off")
prepare_for_requests(app)
