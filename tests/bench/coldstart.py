"""Cold start the way Lambda runs it, next to a hello-world handler: ``make bench``.

Lambda imports the handler from a read-only copy of the deployment package: no bytecode cache
can be written, so a module without a shipped ``.pyc`` is compiled from source on every cold
start. This bench reproduces that on this machine:

- the runtime dependencies (uv.lock's ``[project]`` dependencies, what the layer holds) are
  installed for *this* interpreter in ``build/bench-runtime`` (the layer itself is for arm64);
- two copies of the application + dependencies are made in a temporary folder: one with
  sources only, one compiled like the package (``compileall --invalidation-mode
  unchecked-hash``, by this interpreter since it is the one that runs them); both are then made
  read-only;
- each measurement is a fresh process (``python -S``, only the copy on ``PYTHONPATH``,
  ``PYTHONDONTWRITEBYTECODE=1``), importing the handler module and then serving one request
  through the Lambda entry point (an HTTP API v2 event) against DynamoDB Local on loopback;
- the variants are run alternately, and medians are printed, with ratios (absolute times move
  with the load of this shared machine; ratios much less).

The baseline is ``tests/bench/hello_handler.py``: Strawberry + Mangum + PynamoDB, one field
reading one item.
"""

from __future__ import annotations

import compileall
import json
import os
import py_compile
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "build" / "bench-runtime"
APPLICATION = ("api", "schema", "functions")
HELLO = Path(__file__).with_name("hello_handler.py")
RUNS = int(os.environ.get("BENCH_RUNS", "9"))
WARM_REQUESTS = 1000
TABLE = "dangqun-bench-cold"
UNIT_ID = "SB"


def install_runtime() -> Path:
    """The locked runtime dependencies, installed for this interpreter (reused when the lock
    has not changed)."""
    target = RUNTIME / "python"
    marker = RUNTIME / "uv.lock"
    lock = (ROOT / "uv.lock").read_bytes()
    if marker.is_file() and marker.read_bytes() == lock and target.is_dir():
        return target
    uv = os.environ.get("UV") or shutil.which("uv") or str(Path.home() / ".local/bin/uv")
    RUNTIME.mkdir(parents=True, exist_ok=True)
    requirements = RUNTIME / "requirements.txt"
    subprocess.run(
        [
            uv,
            "export",
            "--quiet",
            "--frozen",
            "--no-dev",
            "--no-emit-project",
            "--no-hashes",
            "-o",
            str(requirements),
        ],
        cwd=ROOT,
        check=True,
    )
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            sys.executable,
            "--target",
            str(target),
            "--link-mode",
            "copy",
            "-r",
            str(requirements),
        ],
        cwd=ROOT,
        check=True,
    )
    marker.write_bytes(lock)
    return target


def _no_bytecode(directory: str, names: list[str]) -> set[str]:
    return {name for name in names if name == "__pycache__" or name.endswith(".pyc")}


def make_copy(base: Path, runtime: Path, *, bytecode: bool) -> Path:
    """A read-only copy of what Lambda would see: the function zip's content + the layer's."""
    copy = base / ("with-bytecode" if bytecode else "source-only")
    for package in APPLICATION:
        shutil.copytree(ROOT / package, copy / package, ignore=_no_bytecode)
    shutil.copy(HELLO, copy / HELLO.name)
    shutil.copytree(runtime, copy / "python", ignore=_no_bytecode)
    if bytecode:
        compileall.compile_dir(
            copy,
            quiet=1,
            workers=0,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
    for folder, directories, files in os.walk(copy):
        for name in files + directories:
            path = Path(folder, name)
            path.chmod(path.stat().st_mode & ~0o222)
    copy.chmod(0o555)
    return copy


def _make_writable(base: Path) -> None:
    for folder, directories, _files in os.walk(base):
        Path(folder).chmod(0o755)
        for name in directories:
            Path(folder, name).chmod(0o755)


def api_event(body: dict[str, Any], authorization: str | None = None) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event for POST /graphql."""
    headers = {"content-type": "application/json", "host": "bench.example"}
    if authorization:
        headers["authorization"] = authorization
    return {
        "version": "2.0",
        "routeKey": "POST /graphql",
        "rawPath": "/graphql",
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "bench",
            "domainName": "bench.example",
            "http": {
                "method": "POST",
                "path": "/graphql",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "bench",
            },
            "requestId": "bench-request",
            "routeKey": "POST /graphql",
            "stage": "$default",
            "time": "01/Dec/2026:00:00:00 +0000",
            "timeEpoch": 1796083200000,
        },
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


# Runs in the fresh process: import, one request, figures as JSON on stdout.
CHILD = """
import json, resource, sys, time, types
started = time.perf_counter()
import {module} as entry
imported = time.perf_counter()
rss_init = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
context = types.SimpleNamespace(
    aws_request_id="bench-request", function_name="bench", memory_limit_in_mb=1024,
    invoked_function_arn="arn:aws:lambda:ap-northeast-1:000000000000:function:bench",
)
event = json.loads(sys.argv[1])
repeat = int(sys.argv[2])
response = entry.handler(event, context)
served = time.perf_counter()
body = json.loads(response["body"])
assert response["statusCode"] == 200 and not body.get("errors"), response
for _ in range(repeat):
    entry.handler(event, context)
rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"import": imported - started, "first": served - started,
                  "rss_init": rss_init, "rss_after": rss_after}}))
"""


@dataclass(frozen=True)
class Variant:
    label: str
    module: str
    copy: Path
    event: dict[str, Any]


def run_child(variant: Variant, env: dict[str, str], repeat: int = 0) -> dict[str, float]:
    environment = {
        **env,
        "PYTHONPATH": f"{variant.copy}{os.pathsep}{variant.copy / 'python'}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    out = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            CHILD.format(module=variant.module),
            json.dumps(variant.event),
            str(repeat),
        ],
        cwd=variant.copy,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def child_env(endpoint: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_REGION="ap-northeast-1",
        DANGQUN_TABLE_NAME=TABLE,
        DANGQUN_DYNAMODB_HOST=endpoint,
        DANGQUN_STAGE="bench",
    )
    return env


@contextmanager
def dynamodb_local_table() -> Iterator[str]:
    """DynamoDB Local on a free loopback port with the table and one district unit."""
    from api.dynamodb_local import DynamoDBLocal, free_port
    from api.settings import Settings
    from api.store.db import Db
    from infra.local_table import ensure_table
    from tests.world import bootstrap_district

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    server = DynamoDBLocal(free_port()).start()
    try:
        settings = Settings(stage="bench", table_name=TABLE, dynamodb_host=server.endpoint)
        ensure_table(settings)
        from api.domain.clock import SystemClock

        bootstrap_district(Db(settings), "市北区", UNIT_ID, SystemClock())
        yield server.endpoint
    finally:
        server.stop()


def _ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def bench_cold_start() -> None:
    from api.domain.ids import to_global_id

    runtime = install_runtime()
    unit = to_global_id("OrgUnit", UNIT_ID)
    handler_event = api_event({"query": f'{{ orgUnit(id: "{unit}") {{ name }} }}'})
    hello_event = api_event({"query": f'{{ unitName(id: "{UNIT_ID}") }}'})
    base = Path(tempfile.mkdtemp(prefix="dangqun-cold-"))
    try:
        source_only = make_copy(base, runtime, bytecode=False)
        compiled = make_copy(base, runtime, bytecode=True)
        variants = [
            Variant("handler, sources only", "functions.graphql", source_only, handler_event),
            Variant("handler, with .pyc", "functions.graphql", compiled, handler_event),
            Variant("hello world, sources only", "hello_handler", source_only, hello_event),
            Variant("hello world, with .pyc", "hello_handler", compiled, hello_event),
        ]
        with dynamodb_local_table() as endpoint:
            env = child_env(endpoint)
            for variant in variants:  # one unmeasured run each: page cache, DynamoDB Local JIT
                run_child(variant, env)
            figures: dict[str, list[dict[str, float]]] = {v.label: [] for v in variants}
            for _ in range(RUNS):
                for variant in variants:
                    figures[variant.label].append(run_child(variant, env))
            memory = run_child(variants[1], env, repeat=WARM_REQUESTS)
    finally:
        _make_writable(base)
        shutil.rmtree(base, ignore_errors=True)

    def median(label: str, key: str) -> float:
        return _ms([run[key] for run in figures[label]])

    print(
        f"== cold start the Lambda way (read-only copies, no bytecode cache, DynamoDB Local; "
        f"median of {RUNS} alternated fresh processes, {sys.version.split()[0]})"
    )
    print(f"   {'':28} {'import':>9} {'import + first request':>24}")
    for variant in variants:
        print(
            f"   {variant.label:28} {median(variant.label, 'import'):7.0f} ms"
            f" {median(variant.label, 'first'):21.0f} ms"
        )
    for key, what in (("import", "import"), ("first", "import + first request")):
        ratio = median("handler, with .pyc", key) / median("hello world, with .pyc", key)
        lever = median("handler, sources only", key) / median("handler, with .pyc", key)
        print(
            f"   {what:24}: handler / hello world (both .pyc) {ratio:5.2f}x (goal <= 1.3x);"
            f" sources only / .pyc {lever:5.2f}x"
        )
    print(
        f"   memory (max RSS) of the handler: {memory['rss_init'] / 1024:.0f} MB after init, "
        f"{memory['rss_after'] / 1024:.0f} MB after {WARM_REQUESTS + 1} requests"
    )


if __name__ == "__main__":
    bench_cold_start()
