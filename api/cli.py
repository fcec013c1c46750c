"""Developer command line: ``python -m api.cli dev | seed | mint-token | create-table``.

``dev`` is what ``make dev`` runs: DynamoDB Local (data kept in .local/dynamodb), s3rver with
the uploads bucket (.local/s3), the table, the demo district, the local token issuer, and the
GraphQL server with GraphiQL — all stopped on Ctrl-C.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.dev_issuer import DevIssuer
from api.dev_receiver import LocalReceiver
from api.domain.clock import SystemClock
from api.dynamodb_local import port_open
from api.settings import Settings
from infra.demo_data import DemoPeople

if TYPE_CHECKING:
    from api.s3_local import S3Local
    from api.store.db import Db

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
DYNAMODB_PORT = 8001
S3_PORT = 8002  # s3rver: the uploads bucket (issue 15)
LOCAL_BUCKET = "dangqun-local-uploads"
HTTP_PORT = 8000
RECEIVER_PORT = 8025  # what WeChat, SMS and webhooks would have received (api/dev_receiver.py)
SWEEP_SECONDS = 5.0

app = typer.Typer(help="dangqun developer commands", no_args_is_help=True)
console = Console()


def local_settings(dynamodb_port: int = DYNAMODB_PORT, s3_port: int = S3_PORT) -> Settings:
    from api.s3_local import ACCESS_KEY, SECRET_KEY

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
        # GraphiQL needs introspection; hints help while writing queries. Off in real stages.
        introspection=True,
        suggestions=True,
        cors_origins=("http://127.0.0.1:3000", "http://localhost:3000"),
        cursor_secret="local-cursor-secret",
        uploads_bucket=LOCAL_BUCKET,
        s3_endpoint=f"http://127.0.0.1:{s3_port}",
        s3_access_key=ACCESS_KEY,
        s3_secret_key=SECRET_KEY,
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
    _seed_history(db)
    return written


def _seed_history(db: Db) -> None:
    """The command centre's figures: the demo district's last 90 days of cases, generated once
    through the services (infra/demo_history.py)."""
    from infra.demo_history import DEMO_DAYS, SEED_NAME, seed_history

    if db.org_units.seeded(SEED_NAME):
        return
    with Progress(
        TextColumn(f"generating {DEMO_DAYS} days of cases (command centre figures)"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("history", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        seed_history(db, SystemClock().now(), progress=advance)
    _seed_civic(db)


def _seed_civic(db: Db) -> None:
    """The same 90 days of topics (党群议事) and red-partner projects, once, through the
    services (infra/demo_civic.py), so their figures on the dashboard are not empty."""
    from infra.demo_civic import SEED_NAME, seed_civic

    if db.org_units.seeded(SEED_NAME):
        return
    with console.status("generating 90 days of topics and partner projects"):
        history = seed_civic(db, SystemClock().now())
    if history is not None:
        console.print(
            f"civic history: {len(history.topic_ids)} topics, {len(history.project_ids)} projects"
        )


@app.command("dev")
def dev(port: int = HTTP_PORT, dynamodb_port: int = DYNAMODB_PORT, s3_port: int = S3_PORT) -> None:
    """Run DynamoDB Local, seed the demo district and serve GraphQL with GraphiQL."""
    import uvicorn

    from api.app import create_app
    from api.dashboard import with_dashboard
    from api.dynamodb_local import DynamoDBLocal, port_open

    if port_open(dynamodb_port):
        raise typer.BadParameter(f"port {dynamodb_port} is taken: is another `make dev` running?")
    server = DynamoDBLocal(dynamodb_port, LOCAL / "dynamodb").start()
    console.print(f"DynamoDB Local on {server.endpoint} (data in .local/dynamodb)")
    s3 = _start_s3(s3_port)
    try:
        settings = local_settings(dynamodb_port, s3_port)
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
        exporter = _start_exports(settings, stop)
        try:
            app = with_dashboard(create_app(settings))
            uvicorn.run(app, host="127.0.0.1", port=port, log_level="info")
        finally:
            stop.set()
            sweeper.join(timeout=10)
            delivery.join(timeout=10)
            exporter.join(timeout=10)
            receiver.stop()
    finally:
        s3.stop()
        server.stop()
        console.print("stopped DynamoDB Local and s3rver")


def _start_s3(s3_port: int) -> S3Local:
    """The S3-compatible server of photos and files, with the bucket and its CORS rules."""
    from api.s3_local import S3Local

    if port_open(s3_port):
        raise typer.BadParameter(f"port {s3_port} is taken: is another `make dev` running?")
    s3 = S3Local(s3_port, LOCAL / "s3", LOCAL_BUCKET).start()
    console.print(f"S3 (s3rver) on {s3.endpoint}, bucket {LOCAL_BUCKET} (data in .local/s3)")
    return s3


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


def _start_exports(settings: Settings, stop: threading.Event) -> threading.Thread:
    """The stream → export worker path of AWS (the ``exports`` function), locally."""
    from api.dev_exports import export_forever

    thread = threading.Thread(
        target=export_forever, args=(settings, stop, console.print), daemon=True
    )
    thread.start()
    console.print(
        f"exports (CSV) run from the table's stream; files in .local/s3/{LOCAL_BUCKET}/exports/"
    )
    return thread


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
    console.print(
        "Command centre (市北区 this year, as the governance centre; 时段 switches the period):"
    )
    console.print(f"  [bold]{dashboard_url(issuer, demo, port)}[/]", soft_wrap=True)
    console.rule()


def dashboard_url(issuer: DevIssuer, demo: DemoPeople, port: int) -> str:
    """The demo district's command centre with a dispatcher's token (the page's query string:
    dashboard/dashboard.js)."""
    from api.domain.ids import to_global_id
    from infra.demo_data import DISTRICT_ID

    unit = to_global_id("OrgUnit", DISTRICT_ID)
    token = issuer.mint(demo.dispatcher)
    return f"http://127.0.0.1:{port}/dashboard/?unit={unit}&period=YEAR&token={token}"


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
    from api.services.deadlines.sweep import sweep
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
    """What the EventBridge schedule does in AWS, every few seconds locally (and what the
    bucket's lifecycle rule does: orphan uploads)."""
    from api.services.deadlines.sweep import sweep
    from api.services.upload_sweep import sweep_orphan_uploads
    from api.store.db import Db

    db = Db(settings)
    while not stop.wait(every_seconds):
        try:
            report = sweep(db, SystemClock().now())
            sweep_orphan_uploads(db, SystemClock().now())
            if report.fired:
                console.print(f"[yellow]timer sweep: {report.fired} case(s) warned or escalated[/]")
        except Exception as error:  # keep the dev server alive; the next sweep retries
            console.print(f"[red]timer sweep failed: {error}[/]")


# Which table an administrative command works on: the local one by default.
ENDPOINT_OPTION: str = typer.Option("", help="DynamoDB endpoint (default: the local one's port)")
AWS_OPTION: bool = typer.Option(
    False, "--aws", help="The region's AWS endpoint, credentials from the environment"
)
REGION_OPTION: str = typer.Option("", help="AWS region (with --aws)")
TABLE_OPTION: str = typer.Option("", help="Table name (default: the local table)")


def _table_settings(
    dynamodb_port: int, endpoint: str, aws: bool, region: str, table: str
) -> Settings:
    settings = local_settings(dynamodb_port)
    if endpoint or aws:
        settings = dataclasses.replace(settings, dynamodb_host=None if aws else endpoint)
    if region:
        settings = dataclasses.replace(settings, region=region)
    if table:
        settings = dataclasses.replace(settings, table_name=table)
    return settings


@app.command("recompute-counters")
def recompute_counters_command(
    repair: bool = typer.Option(False, help="Rewrite drifting counters to the recomputed values"),
    adopt_unjournaled: bool = typer.Option(
        False, help="Once, first: take topic and partner counters from before 2026-12-02 as is"
    ),
    dynamodb_port: int = DYNAMODB_PORT,
    endpoint: str = ENDPOINT_OPTION,
    aws: bool = AWS_OPTION,
    region: str = REGION_OPTION,
    table: str = TABLE_OPTION,
) -> None:
    """Recompute every counter from the immutable case events and the topic and partner
    journal, and list the drifts (a district's table: run it here with --aws, beyond the API's
    time limit)."""
    from api.services import counter_truth
    from api.store.db import Db

    db = Db(_table_settings(dynamodb_port, endpoint, aws, region, table))
    if adopt_unjournaled:
        adopted = counter_truth.adopt_unjournaled(db)
        done = "adopted before" if adopted is None else f"{adopted} day items journalled"
        console.print(f"unjournaled topic and partner counters: {done}")
    result = counter_truth.recompute(db, repair)
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


@app.command("migrate")
def migrate_command(
    dynamodb_port: int = DYNAMODB_PORT,
    endpoint: str = ENDPOINT_OPTION,
    aws: bool = AWS_OPTION,
    region: str = REGION_OPTION,
    table: str = TABLE_OPTION,
    page_size: int = 100,
    restart: bool = typer.Option(False, help="Scan from the start, ignoring the checkpoint"),
) -> None:
    """Bring every item to the current item format (resumable; a second run is a no-op)."""
    from api.store.migrations import migrate
    from infra.local_table import dynamodb_client

    settings = _table_settings(dynamodb_port, endpoint, aws, region, table)
    report = migrate(
        dynamodb_client(settings), settings.table_name, page_size=page_size, restart=restart
    )
    console.print(report.as_dict())


@app.command("mint-token")
def mint_token(person_id: str, hours: int = 12) -> None:
    """Mint a token of the local issuer for a person: a raw id (e.g. P-ST01-ADMIN) or the
    global id the API shows (Person.id)."""
    from api.domain.ids import accept_id

    print(local_issuer().mint(accept_id(person_id, "Person"), ttl_seconds=hours * 3600))


@app.command("register-operations")
def register_operations(paths: list[str]) -> None:
    """Allow-list a front-end's operations (``.graphql`` files, one operation document each)
    on the stage of the environment (``DANGQUN_*``); prints the hash of each."""
    from pathlib import Path

    from api.domain.clock import SystemClock
    from api.persisted_queries import register
    from api.store.db import Db

    db = Db(Settings.from_env())
    for path in paths:
        sha = register(db, SystemClock(), Path(path).read_text(encoding="utf-8"))
        print(f"{sha}  {path}")


if __name__ == "__main__":
    app()
