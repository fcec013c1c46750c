"""Stream records → announcements (for people) and system events (for webhooks).

The table's stream carries both images of every change. The delivery function is subscribed
with a filter (``STREAM_TYPES``, in ``serverless.yml``) so it only sees the item types below;
this module turns one such record into what it announces, reading nothing else:

- ``Notice`` (timers' outbox) and ``TopicNotice`` items: one announcement each, as written;
- ``Case`` (``#META``) changes: a new case at the grid, a case reaching a unit or leader, and
  the states a reporter cares about; plus the case's system event, numbered by its event count
  so receivers can order a case's events;
- ``Topic`` decisions and ``PartnerClaim`` changes: events (and the partner's notices);
- ``Delivery`` items set to ``REPLAY`` by the replay mutation: sent again (see
  ``replay_of``).
"""

from __future__ import annotations

from typing import Any

from api.domain.cases import CaseState, Level
from api.domain.deadlines.timers import NoticeKind
from api.domain.messages import encode, msg
from api.domain.notify import AnnouncementKind
from api.domain.org import path_ids
from api.records.delivery import Announcement, Decoded, DeliveryRecord, SystemEvent
from api.store import case_models, delivery_models, partner_models, topic_models
from api.store.delivery_codec import delivery_record
from api.store.models import Item

# Item types the delivery function is subscribed to (the stream's event filter).
STREAM_TYPES = ("Notice", "TopicNotice", "Case", "Topic", "PartnerClaim")
# … and ``Delivery`` items modified into state REPLAY.

_NOTICE_KINDS = {
    NoticeKind.AT_RISK_WARNING: AnnouncementKind.AT_RISK_WARNING,
    NoticeKind.SUPERVISION: AnnouncementKind.SUPERVISION,
    NoticeKind.ESCALATED: AnnouncementKind.ESCALATED,
    NoticeKind.UNCLAIMED_TO_CENTRE: AnnouncementKind.UNCLAIMED_TO_CENTRE,
    NoticeKind.PAIN_POINT: AnnouncementKind.PAIN_POINT,
    NoticeKind.NO_LEADER: AnnouncementKind.NO_LEADER,
    NoticeKind.EVALUATION_REMINDER: AnnouncementKind.EVALUATION_REMINDER,
}
# Messages are stored language-neutral (``messages.encode``): the inbox shows them in the
# reader's language, SMS and WeChat send them in Chinese.
_REPORTER_KINDS = {
    CaseState.ACCEPTED: (AnnouncementKind.REPORT_ACCEPTED, msg("announce.report_accepted")),
    CaseState.REJECTED: (AnnouncementKind.REPORT_REJECTED, msg("announce.report_rejected")),
    CaseState.RESOLVED: (AnnouncementKind.REPORT_RESOLVED, msg("announce.report_resolved")),
    CaseState.CLOSED: (AnnouncementKind.REPORT_CLOSED, msg("announce.report_closed")),
}
_DECIDED = {"ADOPTED", "DECLINED"}


def announces(record: dict[str, Any]) -> bool:
    """The event source mapping's filter (serverless.yml), for local stream readers."""
    if record.get("eventName") not in ("INSERT", "MODIFY"):
        return False
    new = record.get("dynamodb", {}).get("NewImage") or {}
    kind = new.get("type", {}).get("S")
    if kind == "Delivery":
        return bool(record["eventName"] == "MODIFY" and new.get("state", {}).get("S") == "REPLAY")
    return kind in STREAM_TYPES


class UndecodableRecord(ValueError):
    """A stream record this function cannot read (a poison record)."""


def image(record: dict[str, Any], which: str) -> Item | None:
    raw = record.get("dynamodb", {}).get(which)
    if not raw:
        return None
    try:
        return Item.from_raw_data(raw)
    except Exception as exc:  # unknown discriminator, wrong attribute type…
        raise UndecodableRecord(f"{which} of {record.get('eventID')}: {exc}") from exc


def decode(record: dict[str, Any]) -> Decoded:
    """What one stream record announces; ``UndecodableRecord`` when it cannot be read."""
    if record.get("eventName") not in ("INSERT", "MODIFY"):
        return Decoded()
    new = image(record, "NewImage")
    old = image(record, "OldImage")
    if isinstance(new, case_models.NoticeItem):
        return Decoded(announcements=(_timer_notice(new),))
    if isinstance(new, topic_models.TopicNoticeItem):
        return Decoded(announcements=(_topic_notice(new),))
    if isinstance(new, case_models.CaseItem):
        return _case_change(new, old if isinstance(old, case_models.CaseItem) else None)
    if isinstance(new, topic_models.TopicItem):
        return _topic_change(new, old if isinstance(old, topic_models.TopicItem) else None)
    if isinstance(new, partner_models.ClaimItem):
        return _claim_change(new, old if isinstance(old, partner_models.ClaimItem) else None)
    return Decoded()


def replay_of(record: dict[str, Any]) -> DeliveryRecord | None:
    """A webhook delivery an admin asked to send again (state set to REPLAY)."""
    new = image(record, "NewImage")
    if isinstance(new, delivery_models.DeliveryItem) and new.state == "REPLAY":
        return delivery_record(new)
    return None


def _timer_notice(item: case_models.NoticeItem) -> Announcement:
    return Announcement(
        id=f"notice:{item.pk}|{item.sk}",
        kind=_NOTICE_KINDS.get(NoticeKind(item.kind), AnnouncementKind.ESCALATED),
        target_id=item.recipient_id,
        title=item.code,
        message=item.message,
        at=item.at,
        case_id=item.case_id,
        level=item.level,
    )


def _topic_notice(item: topic_models.TopicNoticeItem) -> Announcement:
    return Announcement(
        id=f"tnotice:{item.pk}|{item.sk}",
        kind=AnnouncementKind.TOPIC_NOTICE,
        target_id=item.recipient_id,
        title=item.title,
        message=item.message,
        at=item.at,
        topic_id=item.topic_id,
    )


def _case_change(new: case_models.CaseItem, old: case_models.CaseItem | None) -> Decoded:
    state = CaseState(new.state)
    moved = old is None or old.state != new.state or old.assignee_id != new.assignee_id
    if not moved:
        return Decoded()  # a clock, an extension request… nothing anyone is told of
    seq = int(new.event_count)
    source = f"case:{new.id}:{seq}"
    ids = path_ids(new.grid_path)
    announcements: list[Announcement] = []

    def announce(kind: AnnouncementKind, target: str, message: str) -> None:
        announcements.append(
            Announcement(
                id=f"{source}:{kind.value}",
                kind=kind,
                target_id=target,
                title=new.code,
                message=message,
                at=new.updated_at,
                case_id=new.id,
                level=new.level,
                state=new.state,
            )
        )

    summary = _summary(new.description)
    if old is None and state is CaseState.REPORTED:
        announce(
            AnnouncementKind.CASE_AT_GRID,
            new.grid_id,
            encode(msg("announce.case_reported", summary=summary)),
        )
    elif new.assignee_id and (old is None or old.assignee_id != new.assignee_id):
        announce(*_reached(new, ids), encode(msg("announce.case_assigned", summary=summary)))
    if state in _REPORTER_KINDS and new.reporter_id and (old is None or old.state != new.state):
        kind, what = _REPORTER_KINDS[state]
        announce(
            kind, new.reporter_id, encode(msg("announce.to_reporter", what=what, code=new.code))
        )
    return Decoded(announcements=tuple(announcements), events=(_case_event(new, old, seq),))


def _reached(case: case_models.CaseItem, ids: list[str]) -> tuple[AnnouncementKind, str]:
    assignee = str(case.assignee_id)
    level = Level(case.level) if case.level else None
    if level is Level.TOP:
        return AnnouncementKind.CASE_AT_TOP, assignee
    if level is Level.GRID:
        return AnnouncementKind.CASE_AT_GRID, assignee
    if level is Level.DISTRICT and ids and assignee != ids[0]:
        return AnnouncementKind.CASE_CLAIM_REQUEST, assignee  # a district department
    return AnnouncementKind.CASE_ASSIGNED, assignee


def _case_event(
    new: case_models.CaseItem, old: case_models.CaseItem | None, seq: int
) -> SystemEvent:
    if old is None:
        kind = "reported"
    elif old.state == new.state and old.level != new.level:
        kind = "escalated"
    elif old.state == new.state:
        kind = "assigned"
    else:
        kind = new.state.lower()
    return SystemEvent(
        id=f"case:{new.id}:{seq}",
        type=f"case.{kind}",
        at=new.updated_at,
        scope_path=new.grid_path,
        subject_id=new.id,
        sequence=seq,
        # What a receiver needs to follow a case; no reporter's data (outside any scope).
        data={
            "caseId": new.id,
            "trackingCode": new.code,
            "state": new.state,
            "previousState": old.state if old else None,
            "level": new.level,
            "unitId": new.assignee_id,
            "gridId": new.grid_id,
            "category": new.category,
            "reportedAt": new.reported_at,
        },
    )


def _topic_change(new: topic_models.TopicItem, old: topic_models.TopicItem | None) -> Decoded:
    if new.state not in _DECIDED or (old is not None and old.state == new.state):
        return Decoded()
    event = SystemEvent(
        id=f"topic:{new.id}:{new.state}",
        type="topic.decided",
        at=new.decided_at or new.updated_at,
        scope_path=new.unit_path,
        subject_id=new.id,
        sequence=1,
        data={"topicId": new.id, "title": new.title, "state": new.state, "unitId": new.unit_id},
    )
    return Decoded(events=(event,))


def _claim_change(new: partner_models.ClaimItem, old: partner_models.ClaimItem | None) -> Decoded:
    if old is not None and old.status == new.status:
        return Decoded()
    source = f"claim:{new.project_id}:{new.partner_id}:{new.status}"
    announcements: list[Announcement] = []
    if new.status == "ACTIVE":
        announcements.append(
            Announcement(
                id=f"{source}:claim",
                kind=AnnouncementKind.PARTNER_CLAIM,
                target_id=new.community_id,
                title=new.project_title,
                message=encode(
                    msg(
                        "announce.partner_claimed",
                        partner=new.partner_name,
                        project=new.project_title,
                    )
                ),
                at=new.claimed_at,
            )
        )
    elif new.status == "DELIVERED" and new.claimed_by:
        announcements.append(
            Announcement(
                id=f"{source}:confirmed",
                kind=AnnouncementKind.PARTNER_CONFIRMED,
                target_id=new.claimed_by,
                title=new.project_title,
                message=encode(msg("announce.delivery_recorded", project=new.project_title)),
                at=new.delivered_at or new.claimed_at,
            )
        )
    event_type = {"ACTIVE": "project.claimed", "DELIVERED": "project.delivered"}.get(
        new.status, "project.withdrawn"
    )
    event = SystemEvent(
        id=source,
        type=event_type,
        at=new.delivered_at or new.withdrawn_at or new.claimed_at,
        scope_path="",  # the community's path is read by the delivery service
        subject_id=new.community_id,
        sequence=1,
        data={
            "projectId": new.project_id,
            "partnerId": new.partner_id,
            "status": new.status,
            "communityId": new.community_id,
        },
    )
    return Decoded(announcements=tuple(announcements), events=(event,))


def _summary(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
