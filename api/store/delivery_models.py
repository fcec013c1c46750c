"""PynamoDB models of delivery (issue 12): delivery records, in-app inboxes, contacts,
webhook subscriptions. Key design: api/store/README.md, section "Delivery"."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from api.store.models import META, Item


class DeliveryItem(Item, discriminator="Delivery"):
    """``DELIVERY#<source id>`` / ``<channel>#<recipient>``: one delivery, put if absent (the
    exactly-once claim); gsi1 ``WHLOG#<subscription>`` / ``<created_at>#<source>`` for
    webhook deliveries (the delivery log)."""

    source_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    recipient = UnicodeAttribute()
    state = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    outcome = UnicodeAttribute(null=True)
    lease_until = UnicodeAttribute(null=True)  # a PENDING claim older than this is retaken
    event_type = UnicodeAttribute(null=True)
    payload = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class InboxItem(Item, discriminator="Inbox"):
    """``INBOX_N#<person>`` / ``<at>#<id>``: one in-app notification, newest last."""

    id = UnicodeAttribute()
    person_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    message = UnicodeAttribute()
    at = UnicodeAttribute()
    read = BooleanAttribute(default=False)
    case_id = UnicodeAttribute(null=True)
    topic_id = UnicodeAttribute(null=True)


class UnreadItem(Item, discriminator="Unread"):
    """``INBOX_N#<person>`` / ``#UNREAD``: the unread count, kept with every write."""

    unread = NumberAttribute(default=0)


class ContactItem(Item, discriminator="Contact"):
    """``CONTACT#<person>`` / ``#META``: channels, quiet hours and the WeChat openid. Not in the
    person's partition: queries of that partition would meet a type they do not import."""

    person_id = UnicodeAttribute()
    wechat = BooleanAttribute(default=True)
    sms = BooleanAttribute(default=True)
    quiet_start = UnicodeAttribute(null=True)  # "22:00"
    quiet_end = UnicodeAttribute(null=True)
    wechat_openid = UnicodeAttribute(null=True)
    quotas = JSONAttribute(default=dict)  # template id → one-shot consents left


class WebhookItem(Item, discriminator="Webhook"):
    """``WEBHOOK#<id>`` / ``#META``; gsi1 ``WEBHOOKS`` / ``<org path>#<id>`` (every active
    subscription, read by the delivery function and filtered by scope)."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    org_path = UnicodeAttribute()
    url = UnicodeAttribute()
    event_types = JSONAttribute(default=list)
    secret = UnicodeAttribute()
    previous_secret = UnicodeAttribute(null=True)
    previous_until = UnicodeAttribute(null=True)
    failures = NumberAttribute(default=0)
    flagged = BooleanAttribute(default=False)
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()


def delivery_key(source_id: str, channel: str, recipient: str) -> tuple[str, str]:
    return f"DELIVERY#{source_id}", f"{channel}#{recipient}"


def inbox_pk(person_id: str) -> str:
    return f"INBOX_N#{person_id}"


UNREAD_SK = "#UNREAD"


def contact_key(person_id: str) -> tuple[str, str]:
    return f"CONTACT#{person_id}", META


def webhook_key(subscription_id: str) -> tuple[str, str]:
    return f"WEBHOOK#{subscription_id}", META


WEBHOOKS_PK = "WEBHOOKS"


def webhook_log_pk(subscription_id: str) -> str:
    return f"WHLOG#{subscription_id}"


class QuotaItem(Item, discriminator="WechatQuota"):
    """``QUOTA#<person>`` / ``<template id>``: one-shot 订阅消息 consents left (each accepted
    prompt in the mini-program adds one; each message sent uses one)."""

    person_id = UnicodeAttribute()
    template_id = UnicodeAttribute()
    left = NumberAttribute(default=0)


def quota_key(person_id: str, template_id: str) -> tuple[str, str]:
    return f"QUOTA#{person_id}", template_id


def inbox_sk(at: str, source_id: str) -> str:
    return f"N#{at}#{source_id}"
