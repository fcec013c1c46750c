"""The signed-in person's in-app notifications, delivery preferences and WeChat consents."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from api.channels.wechat import TEMPLATES
from api.domain.errors import InvalidInput, NotFound
from api.domain.messages import msg
from api.domain.notify import Preferences, QuietHours
from api.records.delivery import ContactRecord, NotificationRecord
from api.services.actor import Actor
from api.store.db import Db
from api.store.pagination import Page

TEMPLATE_IDS = frozenset(template.template_id for template in TEMPLATES.values())
MAX_CONSENTS = 100  # one prompt adds one; a runaway client should not bank thousands


def notifications(
    db: Db, actor: Actor, first: int, after: str | None, unread_only: bool
) -> Page[NotificationRecord]:
    return db.deliveries.notifications(actor.require_login(), first, after, unread_only)


def unread_count(db: Db, actor: Actor) -> int:
    return db.deliveries.unread_count(actor.require_login())


def mark_read(db: Db, actor: Actor, notification_id: str) -> NotificationRecord:
    person_id = actor.require_login()
    notification = db.deliveries.get_notification(person_id, notification_id)
    if notification is None:
        raise NotFound(msg("notification.not_found"), field="notificationId")
    return db.deliveries.mark_read(notification)


def mark_all_read(db: Db, actor: Actor) -> int:
    return db.deliveries.mark_all_read(actor.require_login())


def record_wechat_consent(db: Db, actor: Actor, template_ids: list[str]) -> dict[str, int]:
    """The mini-program reports the templates a person accepted in ``wx.requestSubscribeMessage``:
    each acceptance allows one message of that template."""
    person_id = actor.require_login()
    unknown = sorted(set(template_ids) - TEMPLATE_IDS)
    if not template_ids or unknown:
        raise InvalidInput(
            msg("notification.unknown_templates", value=", ".join(unknown) or "(none)"),
            field="templateIds",
        )
    left: dict[str, int] = {}
    for template_id in template_ids:
        if db.deliveries.quota(person_id, template_id) >= MAX_CONSENTS:
            raise InvalidInput(msg("notification.too_many_consents"), field="templateIds")
    for template_id in template_ids:
        left[template_id] = db.deliveries.add_quota(person_id, template_id, 1)
    return left


def set_preferences(
    db: Db,
    actor: Actor,
    wechat: bool,
    sms: bool,
    quiet_start: str | None,
    quiet_end: str | None,
    wechat_openid: str | None,
) -> ContactRecord:
    person_id = actor.require_login()
    quiet = _quiet(quiet_start, quiet_end)
    if wechat_openid is not None and not (0 < len(wechat_openid) <= 64):
        raise InvalidInput(msg("notification.openid"), field="wechatOpenid")
    current = db.deliveries.contacts([person_id]).get(person_id)
    base = current or ContactRecord(person_id, Preferences(), None)
    contact = replace(
        base,
        preferences=Preferences(wechat=wechat, sms=sms, quiet=quiet),
        wechat_openid=wechat_openid if wechat_openid is not None else base.wechat_openid,
    )
    return db.deliveries.save_contact(contact)


def _quiet(start: str | None, end: str | None) -> QuietHours | None:
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise InvalidInput(msg("notification.quiet_both"), field="quietStart")
    try:
        return QuietHours(time.fromisoformat(start), time.fromisoformat(end))
    except ValueError as exc:
        raise InvalidInput(msg("notification.quiet_format"), field="quietStart") from exc
