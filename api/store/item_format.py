"""The item format: every item carries the version of the shape it was written in.

``fmt`` (a number) says which migration steps (api/store/migration_steps) an item has been
through. Items written by the application get the current format; items older than the
attribute have none (format 0). ``python -m api.cli migrate`` (or the ``migrate`` function on
AWS) brings every item to ``CURRENT_FORMAT``.

Raise CURRENT_FORMAT together with a new step in api/store/migration_steps.
"""

from __future__ import annotations

FORMAT_ATTRIBUTE = "fmt"
CURRENT_FORMAT = 1
