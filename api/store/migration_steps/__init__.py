"""Migration steps, one module per format version, in order.

A step is a pure function from a raw item (DynamoDB attribute values, as ``Scan`` returns it)
of the previous format to the same item in its own format. It must be idempotent: an item the
application changed with a partial update (UpdateItem does not touch ``fmt``) may already
have the new shape and still say its old format, and a step may meet it again.
The runner (api/store/migrations.py) stamps ``fmt`` and bumps ``version``.
"""

from __future__ import annotations

from api.store.item_format import CURRENT_FORMAT
from api.store.migration_steps import step_0001_format_version
from api.store.migration_steps.base import Step

STEPS: tuple[Step, ...] = (step_0001_format_version.STEP,)

assert [step.version for step in STEPS] == list(range(1, CURRENT_FORMAT + 1)), (
    "one step per format version, in order, up to CURRENT_FORMAT"
)
