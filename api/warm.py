"""Build at init what a first request would otherwise build, then freeze the heap.

Lambda runs module scope in the init phase (and SnapStart snapshots right after it): every
lazy cost left for the first request lands on a user's latency. Measured on the first request
before this existed: the JWT library and its keys ~85 ms, the botocore client ~96 ms, and a
full garbage collection of the ~87 000 objects left by the imports (40-65 ms) in one of the
first requests.
"""

from __future__ import annotations

import gc
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api.app import DangqunGraphQL

WARM_QUERY = "query Warm { __typename }"


def prepare_for_requests(app: DangqunGraphQL) -> None:
    app.verifier.warm()
    _ = app.db.connection.client  # botocore session, endpoint resolution, service model
    # Strawberry's executor, extensions and caches on a query that reads nothing.
    result = app.schema.execute_sync(WARM_QUERY)
    if result.errors:
        raise RuntimeError(f"the schema cannot answer {WARM_QUERY!r}: {result.errors}")
    register_snapstart_hooks()
    freeze_heap()


def register_snapstart_hooks() -> None:
    """With SnapStart, many environments resume from one snapshot of this init: reseed what
    the snapshot would make identical in all of them. The init opens no DynamoDB connection
    (nothing stale to drop) and the cold-start flag is still unset in the snapshot. The
    ``snapshot_restore_py`` module exists only in the Lambda runtime."""
    try:
        from snapshot_restore_py import register_after_restore  # type: ignore[import-not-found]
    except ImportError:
        return
    register_after_restore(random.seed)


def freeze_heap() -> None:
    """Move every object alive now (modules, classes, the schema) to the permanent
    generation, so later collections stop scanning them, and turn the collector back on
    (functions/*.py turn it off while importing). No full collection first: it would cost
    70-100 ms of init for the little cyclic garbage the imports leave."""
    gc.freeze()
    gc.enable()
