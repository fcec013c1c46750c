"""Orphan uploads: objects left under ``uploads/`` past a day were never attached (attaching
copies them under ``files/``). In AWS the bucket's lifecycle rule expires them; the local
S3-compatible server has no lifecycle, so the local sweep (``make dev``) removes them."""

from __future__ import annotations

from datetime import datetime, timedelta

from api.domain.uploads import ORPHAN_AGE_SECONDS, UPLOAD_PREFIX
from api.store.db import Db


def sweep_orphan_uploads(db: Db, now: datetime) -> int:
    """Delete what the lifecycle rule would have expired; returns how many objects.

    A no-op against AWS (no local endpoint): the lifecycle rule does it there, and the
    functions' role may not list or delete under ``uploads/``.
    """
    if db.settings.s3_endpoint is None:
        return 0
    removed = 0
    for key in list(
        db.objects.older_than(UPLOAD_PREFIX, now - timedelta(seconds=ORPHAN_AGE_SECONDS))
    ):
        db.objects.delete(key)
        removed += 1
    return removed
