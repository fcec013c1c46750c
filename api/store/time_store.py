"""Time policy versions and the working calendar's overrides. Key design in ``README.md``.

A policy version is put once (if absent) and never changed; the highest version is in force.
A calendar change (days set and removed) is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pynamodb.exceptions import DoesNotExist

from api.domain.deadlines.policy import TimePolicy
from api.domain.messages import msg
from api.records.time import CalendarOverrideRecord
from api.store.case_models import (
    CalendarOverrideItem,
    TimePolicyItem,
    calendar_key,
    policy_key,
)
from api.store.repository import Repository, bound
from api.store.time_codec import policy_from_json, policy_to_json


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """The next version of a district's policy (``policy.version`` is its number)."""

    district_id: str
    policy: TimePolicy
    created_by: str | None
    created_at: str


@dataclass(frozen=True, slots=True)
class CalendarChange:
    district_id: str
    set_days: tuple[CalendarOverrideRecord, ...]
    remove_days: tuple[date, ...]


def override_record(item: CalendarOverrideItem) -> CalendarOverrideRecord:
    return CalendarOverrideRecord(
        day=date.fromisoformat(item.day),
        workday=bool(item.workday),
        note=item.note,
        set_by=item.set_by,
        set_at=item.set_at,
    )


class TimeStore(Repository):
    """Reads return domain values and frozen records; each change is one unit of work."""

    @bound
    def latest_policy(self, district_id: str) -> TimePolicy | None:
        """The highest stored version (one consistent Query, newest first, limit 1)."""
        for item in TimePolicyItem.query(
            f"POLICY#{district_id}",
            TimePolicyItem.sk.startswith("V#"),
            scan_index_forward=False,
            limit=1,
            consistent_read=True,
        ):
            return policy_from_json(item.policy)
        return None

    @bound
    def overrides(self, district_id: str) -> list[CalendarOverrideRecord]:
        """Every override of a district, by day."""
        return [
            override_record(item)
            for item in CalendarOverrideItem.query(f"CALENDAR#{district_id}", consistent_read=True)
        ]

    def save_policy(self, change: PolicyVersion) -> None:
        """Put the version if absent: of two admins saving at once one wins (``Conflict``)."""
        pk, sk = policy_key(change.district_id, change.policy.version)
        item = TimePolicyItem(
            pk,
            sk,
            version_number=change.policy.version,
            policy=policy_to_json(change.policy),
            created_by=change.created_by,
            created_at=change.created_at,
        )
        with self.db.transaction(msg("conflict.policy_version")) as tx:
            tx.save(item, condition=TimePolicyItem.sk.does_not_exist())

    @bound
    def publish(self, change: CalendarChange) -> None:
        """Upsert the days set, delete the days removed (each conditioned on the version read)."""
        removed = []
        for day in change.remove_days:
            pk, sk = calendar_key(change.district_id, day.isoformat())
            try:
                removed.append(CalendarOverrideItem.get(pk, sk, consistent_read=True))
            except DoesNotExist:
                continue
        with self.db.transaction(msg("conflict.calendar")) as tx:
            for override in change.set_days:
                pk, sk = calendar_key(change.district_id, override.day.isoformat())
                tx.update(
                    CalendarOverrideItem(pk, sk),
                    actions=[
                        CalendarOverrideItem.type.set(CalendarOverrideItem),
                        CalendarOverrideItem.day.set(override.day.isoformat()),
                        CalendarOverrideItem.workday.set(override.workday),
                        CalendarOverrideItem.note.set(override.note)
                        if override.note
                        else CalendarOverrideItem.note.remove(),
                        CalendarOverrideItem.set_by.set(override.set_by or ""),
                        CalendarOverrideItem.set_at.set(override.set_at),
                    ],
                    add_version_condition=False,
                )
            for existing in removed:
                tx.delete(existing)
