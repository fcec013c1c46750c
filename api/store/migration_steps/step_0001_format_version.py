"""Format 1: every item says its format version.

Items written before the format existed have no ``fmt``; this step changes nothing else in
their shape (the runner writes ``fmt = 1``). It is the back-fill that lets the next step tell
old items from new ones.
"""

from __future__ import annotations

from api.store.migration_steps.base import RawItem, Step


def back_fill(item: RawItem) -> RawItem:
    return dict(item)


STEP = Step(1, "every item carries its format version (fmt)", back_fill)
