"""The local server serves the command-centre page at ``/dashboard`` (static files, no build
step) and GraphQL everywhere else. The page's behaviour in a real browser:
tests/e2e/test_dashboard_browser.py."""

from __future__ import annotations

from starlette.testclient import TestClient

from api.app import create_app
from api.dashboard import with_dashboard
from api.settings import Settings


def test_dashboard_page_and_graphql_share_the_server(settings: Settings) -> None:
    client = TestClient(with_dashboard(create_app(settings)))
    page = client.get("/dashboard/")
    assert page.status_code == 200 and "指挥中心" in page.text
    script = client.get("/dashboard/dashboard.js")
    assert script.status_code == 200 and "unitRanking" in script.text
    assert client.get("/dashboard/missing.js").status_code == 404
    answer = client.post("/graphql", json={"query": "{ __typename }"})
    assert answer.status_code == 200 and answer.json()["data"] == {"__typename": "Query"}
