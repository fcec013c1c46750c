"""What every timer firing writes besides its transition: the exactly-once marker and the
notices of the outbox."""

from __future__ import annotations

from datetime import datetime

from api.domain.clock import iso
from api.store.case_models import CaseItem, FiredItem, NoticeItem, fired_sk, notice_key


def fired_marker(case: CaseItem, event_id: str, now: datetime, due: datetime | None) -> FiredItem:
    """``FIRED#<event id>`` under the case, saved only if absent; records the lateness."""
    return FiredItem(
        case.pk,
        fired_sk(event_id),
        at=iso(now),
        due_at=iso(due) if due else None,
        lateness_seconds=(now - due).total_seconds() if due else 0,
    )


def notice(
    case: CaseItem, recipient_id: str, kind: str, level: str, message: str, at: str
) -> NoticeItem:
    pk, sk = notice_key(recipient_id, at, case.id, kind)
    return NoticeItem(
        pk,
        sk,
        recipient_id=recipient_id,
        case_id=case.id,
        code=case.code,
        kind=kind,
        level=level,
        message=message,
        at=at,
    )
