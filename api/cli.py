"""Developer command line: ``python -m api.cli dev | seed | mint-token | create-table``.

``dev`` is what ``make dev`` runs: DynamoDB Local (data kept in .local/dynamodb), the table, the
demo district, the local token issuer, and the GraphQL server with GraphiQL — all stopped on
Ctrl-C.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.dev_issuer import DevIssuer
from api.dev_receiver import LocalReceiver
from api.domain.clock import SystemClock
from api.settings import Settings
from infra.demo_data import DemoPeople

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
DYNAMODB_PORT = 8001
HTTP_PORT = 8000
RECEIVER_PORT = 8025  # what WeChat, SMS and webhooks would have received (api/dev_receiver.py)
SWEEP_SECONDS = 5.0

app = typer.Typer(help="dangqun developer commands", no_args_is_help=True)
console = Console()


def local_settings(dynamodb_port: int = DYNAMODB_PORT) -> Settings:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    issuer = local_issuer()
    return Settings(
        stage="local",
        table_name="dangqun-local",
        dynamodb_host=f"http://127.0.0.1:{dynamodb_port}",
        auth_issuer=issuer.issuer,
        auth_audience=issuer.audience,
        auth_jwks_file=str(issuer.jwks_file),
        graphiql=True,
        cursor_secret="local-cursor-secret",
    )


def local_issuer() -> DevIssuer:
    return DevIssuer(LOCAL / "issuer", issuer="dangqun-local", audience="dangqun")


def seed(settings: Settings) -> int:
    from api.store.db import Db
    from infra.demo_data import seed_demo
    from infra.local_table import ensure_table

    db = Db(settings)
    if ensure_table(settings):
        console.print(f"created table [bold]{settings.table_name}[/]")
    with Progress(
        TextColumn("seeding the demo district (市北区)"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("seed", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        written = seed_demo(db, SystemClock(), advance)
    if written == 0:
        console.print("demo district already seeded: reusing it")
    return written


@app.command("dev")
def dev(port: int = HTTP_PORT, dynamodb_port: int = DYNAMODB_PORT) -> None:
    """Run DynamoDB Local, seed the demo district and serve GraphQL with GraphiQL."""
    import uvicorn

    from api.app import create_app
    from api.dashboard import with_dashboard
    from api.dynamodb_local import DynamoDBLocal, port_open

    if port_open(dynamodb_port):
        raise typer.BadParameter(f"port {dynamodb_port} is taken: is another `make dev` running?")
    server = DynamoDBLocal(dynamodb_port, LOCAL / "dynamodb").start()
    console.print(f"DynamoDB Local on {server.endpoint} (data in .local/dynamodb)")
    try:
        settings = local_settings(dynamodb_port)
        issuer = local_issuer()
        issuer.ensure_keys()
        seed(settings)
        _print_tokens(issuer, DemoPeople(), port)
        stop = threading.Event()
        sweeper = threading.Thread(
            target=_sweep_forever, args=(settings, SWEEP_SECONDS, stop), daemon=True
        )
        sweeper.start()
        console.print(
            f"timer sweep every {SWEEP_SECONDS:.0f} s (EventBridge does it each minute in AWS)"
        )
        receiver, delivery = _start_delivery(settings, stop)
        try:
            console.print(
                f"command centre: http://127.0.0.1:{port}/dashboard/?unit=<district global id>"
                "&token=<a dispatcher's token above>"
            )
            app = with_dashboard(create_app(settings))
            uvicorn.run(app, host="127.0.0.1", port=port, log_level="info")
        finally:
            stop.set()
            sweeper.join(timeout=10)
            delivery.join(timeout=10)
            receiver.stop()
    finally:
        server.stop()
        console.print("stopped DynamoDB Local")


def _start_delivery(
    settings: Settings, stop: threading.Event
) -> tuple[LocalReceiver, threading.Thread]:
    """The stream → delivery path of AWS, locally: providers answered by a local receiver."""
    from api.dev_stream import deliver_forever, wired

    receiver = LocalReceiver(RECEIVER_PORT, log=True).start()
    thread = threading.Thread(
        target=deliver_forever,
        args=(wired(settings, receiver), stop, console.print),
        daemon=True,
    )
    thread.start()
    console.print(
        f"delivery from the table's stream; what would be sent: {receiver.url}/ "
        "(webhooks may target it: /hooks/<name>)"
    )
    return receiver, thread


def _print_tokens(issuer: DevIssuer, demo: DemoPeople, port: int) -> None:
    console.rule("dangqun is ready")
    console.print(f"GraphiQL: [bold]http://127.0.0.1:{port}/graphql[/]")
    console.print("Demo tokens (12 h; header  Authorization: Bearer <token>):")
    for label, person_id in (
        ("district admin (区委组织部)", demo.district_admin),
        ("governance centre dispatcher (推进中心)", demo.dispatcher),
        ("street admin (辽宁路街道)", demo.street_admin),
        ("community staff (无棣路社区)", demo.community_staff),
        ("grid worker (无棣路社区 第1网格)", demo.grid_worker),
        ("housing department (区住建局)", demo.housing_staff),
        ("district leader (区委书记)", demo.leader),
        ("resident", demo.resident),
    ):
        console.print(f"  [bold]{label}[/] {person_id}:")
        console.print(f"    {issuer.mint(person_id)}", soft_wrap=True)
    console.print("More: uv run python -m api.cli mint-token <person id>")
    console.rule()


@app.command("sweep")
def sweep_command(
    at: str = typer.Option(
        "", help="ISO time to sweep at (default: now), e.g. 2026-12-01T09:00+08:00"
    ),
    dynamodb_port: int = DYNAMODB_PORT,
) -> None:
    """Run one timer sweep against the local table, at a given time."""
    from datetime import datetime

    from api.domain.clock import SHANGHAI
    from api.services.escalation import sweep
    from api.store.db import Db

    when = datetime.fromisoformat(at) if at else SystemClock().now()
    if when.tzinfo is None:
        when = when.replace(tzinfo=SHANGHAI)
    report = sweep(Db(local_settings(dynamodb_port)), when)
    console.print(
        f"sweep at {when.isoformat()}: {report.fired} fired, {report.skipped} skipped, "
        f"{report.items_read} items read over {report.shards} shards"
    )


def _sweep_forever(settings: Settings, every_seconds: float, stop: threading.Event) -> None:
    """What the EventBridge schedule does in AWS, every few seconds locally."""
    from api.services.escalation import sweep
    from api.store.db import Db

    db = Db(settings)
    while not stop.wait(every_seconds):
        try:
            report = sweep(db, SystemClock().now())
            if report.fired:
                console.print(f"[yellow]timer sweep: {report.fired} case(s) warned or escalated[/]")
        except Exception as error:  # keep the dev server alive; the next sweep retries
            console.print(f"[red]timer sweep failed: {error}[/]")


@app.command("recompute-counters")
def recompute_counters_command(
    repair: bool = typer.Option(False, help="Rewrite drifting counters to the recomputed values"),
    dynamodb_port: int = DYNAMODB_PORT,
) -> None:
    """Recompute every case counter from the immutable case events and list the drifts."""
    from api.services.counter_truth import recompute
    from api.store.db import Db

    result = recompute(Db(local_settings(dynamodb_port)), repair)
    for drift in result.drifts[:50]:
        console.print(
            f"{drift.org_id} {drift.period} {drift.counter}: "
            f"stored {drift.stored}, recomputed {drift.recomputed}"
        )
    console.print(
        f"{result.events} events, {result.items} counter items, {len(result.drifts)} drifts, "
        f"{result.repaired} items repaired"
    )


@app.command("seed")
def seed_command(dynamodb_port: int = DYNAMODB_PORT) -> None:
    """Create the table and seed the demo district on a running DynamoDB Local."""
    seed(local_settings(dynamodb_port))


@app.command("mint-token")
def mint_token(person_id: str, hours: int = 12) -> None:
    """Mint a token of the local issuer for a person id (e.g. P-ST01-ADMIN)."""
    print(local_issuer().mint(person_id, ttl_seconds=hours * 3600))


if __name__ == "__main__":
    app()
