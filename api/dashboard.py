"""The local server's routes beside GraphQL: the command-centre page at ``/dashboard`` (static
files from ``dashboard/``, no build step; deployable as they are to any static host), every
other path to the GraphQL app."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard"


def with_dashboard(graphql: ASGIApp) -> Starlette:
    return Starlette(
        routes=[
            Mount("/dashboard", app=StaticFiles(directory=DASHBOARD, html=True)),
            Mount("/", app=graphql),
        ]
    )
