"""A local server process on loopback (DynamoDB Local, s3rver) started for `make dev` and the
tests: one way to start it, wait for its port and stop it, whatever the server."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class LocalProcess:
    """A server listening on ``127.0.0.1:port`` once started."""

    name = "server"

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def launch(self, command: list[str], timeout: float, cwd: Path | None = None) -> None:
        """Start ``command`` and wait until the port answers; its stderr is the error if the
        process exits first (a busy port, a missing runtime)."""
        self.process = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"{self.name} exited early: {error}")
            if port_open(self.port):
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not start in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
