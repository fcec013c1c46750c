"""Start the S3-compatible server of the npm package ``s3rver`` on loopback.

Used by ``make dev`` (objects kept in .local/s3) and by the test suite (a temporary folder, a
free port), with the uploads bucket and its CORS rules created at start. s3rver checks the
signature and expiry of presigned GETs like S3, but ignores the policy of a presigned POST
(key, content type, length range, expiry): attaching re-checks the key, size and sniffed type
itself (api/services/attachments.py), so the same rules hold locally and in AWS.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from api.local_process import LocalProcess

ROOT = Path(__file__).resolve().parent.parent
S3RVER = ROOT / "node_modules" / ".bin" / "s3rver"
CORS_CONFIG = ROOT / "infra" / "s3_local_cors.xml"
# s3rver's built-in account: the only keys whose signatures it accepts.
ACCESS_KEY = "S3RVER"
SECRET_KEY = "S3RVER"


class S3Local(LocalProcess):
    name = "s3rver"

    def __init__(self, port: int, data_folder: Path, bucket: str) -> None:
        super().__init__(port)
        self.data_folder = data_folder
        self.bucket = bucket

    def start(self, timeout: float = 30.0) -> S3Local:
        node = shutil.which("node")
        if node is None or not S3RVER.exists():
            raise RuntimeError("s3rver not found: run `npm ci` first (Node 20)")
        self.data_folder.mkdir(parents=True, exist_ok=True)
        command = [
            str(S3RVER),
            "--directory",
            str(self.data_folder),
            "--address",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--silent",
            "--no-vhost-buckets",
            "--configure-bucket",
            self.bucket,
            str(CORS_CONFIG),
        ]
        self.launch(command, timeout)
        return self
