"""Notices (outbox) of cases and deadlines: ``NOTICE#<unit or leader>`` / ``<at>#<case>#<kind>``.
They are written in the transaction of the case change that raises them (``CaseChange``)."""

from __future__ import annotations

from api.records.case import NoticeRecord
from api.store.case_codec import notice_record
from api.store.case_models import NoticeItem, notice_pk
from api.store.pagination import Page, query_page
from api.store.repository import Repository, bound


class NoticeStore(Repository):
    """Reads return frozen records (api.records)."""

    @bound
    def for_recipient(self, recipient_id: str, first: int, after: str | None) -> Page[NoticeRecord]:
        """A unit's (or a leader's) notices, newest first."""
        return query_page(
            NoticeItem, self.db.codec, notice_pk(recipient_id), first=first, after=after,
            scan_forward=False,
        ).map(notice_record)  # fmt: skip
