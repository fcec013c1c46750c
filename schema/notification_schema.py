"""GraphQL of delivery: the viewer's in-app notifications, delivery preferences and WeChat
consents; webhook subscriptions of systems, with their delivery log (issue 12)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Protocol, TypeVar

import strawberry

from api.domain.errors import InvalidId
from api.domain.messages import msg
from api.domain.notify import AnnouncementKind
from api.language import shown
from api.records.delivery import (
    DeliveryRecord,
    DeliveryState,
    NotificationRecord,
    WebhookSubscriptionRecord,
)
from api.services import notifications, webhooks
from schema.connections import DEFAULT_PAGE_SIZE, INPUT, Connection, Edge, PageInfo
from schema.context import Info
from schema.enums import described_enum
from schema.errors import UserError, run_mutation
from schema.node import global_id, item_id

described_enum(
    AnnouncementKind,
    "NotificationKind",
    "What a notification is about",
    {
        AnnouncementKind.CASE_AT_GRID: "派单到网格: a new case reached the grid",
        AnnouncementKind.CASE_ASSIGNED: "派单: a case reached a community, street or the centre",
        AnnouncementKind.CASE_CLAIM_REQUEST: "部门认领: a district department is asked to claim",
        AnnouncementKind.CASE_AT_TOP: "顶格调度: the district leader owns the case",
        AnnouncementKind.AT_RISK_WARNING: "临期预警: a deadline is near (80 % of the limit)",
        AnnouncementKind.SUPERVISION: "督办: a deadline was missed",
        AnnouncementKind.ESCALATED: "吹哨上报: a timer whistled the case one level up",
        AnnouncementKind.UNCLAIMED_TO_CENTRE: "无人认领: no department claimed; to the centre",
        AnnouncementKind.PAIN_POINT: "难点问题: the case entered the pain-point library",
        AnnouncementKind.NO_LEADER: "无包案领导: no district leader to own the case",
        AnnouncementKind.REPORT_ACCEPTED: "已受理: to the reporter, the report was accepted",
        AnnouncementKind.REPORT_REJECTED: "不予受理: to the reporter, the report was rejected",
        AnnouncementKind.REPORT_RESOLVED: "已办结, 请评价: to the reporter, please evaluate",
        AnnouncementKind.REPORT_CLOSED: "已结案: to the reporter, the case was closed",
        AnnouncementKind.EVALUATION_REMINDER: "评价提醒: to the reporter, the evaluation window "
        "ends soon (then the case closes as not evaluated)",
        AnnouncementKind.TOPIC_NOTICE: "党群议事: a topic was proposed, put to the vote or decided",
        AnnouncementKind.PARTNER_CLAIM: "认领: a red partner claimed a project",
        AnnouncementKind.PARTNER_CONFIRMED: "确认交付: a partner's delivery was confirmed",
    },
)
NotificationKind = AnnouncementKind
described_enum(
    DeliveryState,
    "DeliveryStatus",
    "Where a delivery stands",
    {
        DeliveryState.PENDING: "Claimed and being sent",
        DeliveryState.SENT: "The provider or receiver accepted it",
        DeliveryState.RETRY: "A transient failure: the next retry (or a replay) sends again",
        DeliveryState.FAILED: "Final: refused by the provider, no binding, bad template field",
        DeliveryState.DEAD: "Webhooks: dead-lettered after repeated failures (replay resends)",
        DeliveryState.SKIPPED: "Nothing to send on this channel (quiet hours, no consent left)",
    },
)
DeliveryStatus = DeliveryState

_NOTIFICATION = "Notification:"


def notification_gid(store_id: str) -> strawberry.ID:
    raw = (_NOTIFICATION + store_id).encode()
    return strawberry.ID(base64.urlsafe_b64encode(raw).decode().rstrip("="))


def notification_store_id(value: str) -> str:
    try:
        raw = base64.urlsafe_b64decode((value + "=" * (-len(value) % 4)).encode("ascii"))
        text = raw.decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    if not text.startswith(_NOTIFICATION) or len(value) > 400:
        raise InvalidId(msg("id.not_notification"), field="notificationId")
    return text[len(_NOTIFICATION) :]


@strawberry.type(description="One entry of the viewer's in-app notifications (站内通知)")
class Notification:
    id: strawberry.ID = strawberry.field(description="Opaque id, for markNotificationRead")
    kind: NotificationKind = strawberry.field(description="What it is about")
    title: str = strawberry.field(description="Short subject: a tracking code or a title")
    message: str = strawberry.field(description="The text (Chinese)")
    at: str = strawberry.field(description="When it was announced (ISO 8601, +08:00)")
    read: bool = strawberry.field(description="Marked read by the viewer")
    case_id: strawberry.ID | None = strawberry.field(description="The case it is about, if any")
    topic_id: strawberry.ID | None = strawberry.field(description="The topic, if any")

    @classmethod
    def of(cls, record: NotificationRecord) -> Notification:
        return cls(
            id=notification_gid(record.id),
            kind=record.kind,
            title=record.title,
            message=shown(record.message) or "",
            at=record.at,
            read=record.read,
            case_id=global_id("Case", record.case_id) if record.case_id else None,
            topic_id=global_id("Topic", record.topic_id) if record.topic_id else None,
        )


@strawberry.type(description="A system's subscription to events in an org unit's subtree")
class WebhookSubscription:
    id: strawberry.ID = strawberry.field(description="Subscription id")
    org_unit_id: strawberry.ID = strawberry.field(description="Events in this unit's subtree")
    url: str = strawberry.field(description="Where events are POSTed (https)")
    event_types: list[str] = strawberry.field(description="Event types (case.reported…; * for all)")
    failures: int = strawberry.field(description="Dead-lettered deliveries in a row")
    flagged: bool = strawberry.field(
        description="The receiver failed until deliveries were dead-lettered: look at it"
    )
    created_at: str = strawberry.field(description="When it was created")
    rotated_until: str | None = strawberry.field(
        description="The previous secret still signs until then (after a rotation)"
    )

    @classmethod
    def of(cls, record: WebhookSubscriptionRecord) -> WebhookSubscription:
        return cls(
            id=strawberry.ID(record.id),
            org_unit_id=global_id("OrgUnit", record.org_id),
            url=record.url,
            event_types=list(record.event_types),
            failures=record.failures,
            flagged=record.flagged,
            created_at=record.created_at,
            rotated_until=record.previous_until,
        )


@strawberry.type(description="One event sent (or being sent) to a subscription")
class WebhookDelivery:
    event_id: str = strawberry.field(description="The event id (X-Dangqun-Event-Id)")
    event_type: str | None = strawberry.field(description="The event type")
    status: DeliveryStatus = strawberry.field(description="Where it stands")
    attempts: int = strawberry.field(description="Attempts made so far")
    outcome: str | None = strawberry.field(description="The receiver's last answer or error")
    created_at: str = strawberry.field(description="First attempt")
    updated_at: str = strawberry.field(description="Last change")
    payload: str | None = strawberry.field(description="The exact JSON body signed and sent")

    @classmethod
    def of(cls, record: DeliveryRecord) -> WebhookDelivery:
        return cls(
            event_id=record.source_id,
            event_type=record.event_type,
            status=record.state,
            attempts=record.attempts,
            outcome=record.outcome,
            created_at=record.created_at,
            updated_at=record.updated_at,
            payload=record.payload,
        )


@strawberry.type(description="Consents left for one WeChat subscription-message template")
class WechatQuota:
    template_id: str = strawberry.field(description="The template id")
    left: int = strawberry.field(description="Messages that may still be sent (one per consent)")


R = TypeVar("R")
N = TypeVar("N")


class _Edge(Protocol):
    @property
    def cursor(self) -> str: ...

    @property
    def node(self) -> Any: ...


class _Page(Protocol):
    """What the services' pages (api.store.pagination.Page) offer."""

    @property
    def edges(self) -> Sequence[_Edge]: ...

    @property
    def has_next_page(self) -> bool: ...

    @property
    def end_cursor(self) -> str | None: ...


def _page(page: _Page, convert: Callable[[Any], N]) -> Connection[N]:
    edges = [Edge(cursor=e.cursor, node=convert(e.node)) for e in page.edges]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=False,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=page.end_cursor,
        ),
    )


@strawberry.type
class NotificationQuery:
    @strawberry.field(description="The viewer's in-app notifications, newest first (signed in)")
    def notifications(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description="Page size")] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, strawberry.argument(description="Cursor")] = None,
        unread_only: Annotated[bool, strawberry.argument(description="Only unread ones")] = False,
    ) -> Connection[Notification]:
        ctx = info.context
        page = notifications.notifications(ctx.db, ctx.actor, first, after, unread_only)
        return _page(page, Notification.of)

    @strawberry.field(description="How many of the viewer's notifications are unread")
    def unread_notification_count(self, info: Info) -> int:
        return notifications.unread_count(info.context.db, info.context.actor)

    @strawberry.field(description="Webhook subscriptions in a unit's subtree (its admins)")
    def webhook_subscriptions(
        self,
        info: Info,
        org_unit_id: Annotated[strawberry.ID, strawberry.argument(description="The unit")],
    ) -> list[WebhookSubscription]:
        unit = item_id(org_unit_id, "OrgUnit", "orgUnitId")
        found = webhooks.subscriptions(info.context.db, info.context.actor, unit)
        return [WebhookSubscription.of(s) for s in found]

    @strawberry.field(description="The delivery log of a subscription, newest first (admins)")
    def webhook_deliveries(
        self,
        info: Info,
        subscription_id: Annotated[strawberry.ID, strawberry.argument(description="Which")],
        first: Annotated[int, strawberry.argument(description="Page size")] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, strawberry.argument(description="Cursor")] = None,
    ) -> Connection[WebhookDelivery]:
        ctx = info.context
        page = webhooks.delivery_log(ctx.db, ctx.actor, str(subscription_id), first, after)
        return _page(page, WebhookDelivery.of)


@strawberry.type(description="Result of markNotificationRead")
class MarkNotificationReadPayload:
    notification: Notification | None = strawberry.field(default=None, description="It, read")
    unread_count: int | None = strawberry.field(default=None, description="Unread left")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not")


@strawberry.type(description="Result of markAllNotificationsRead")
class MarkAllNotificationsReadPayload:
    marked: int = strawberry.field(default=0, description="How many were unread")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not")


@strawberry.type(description="Result of recordWechatSubscription")
class RecordWechatSubscriptionPayload:
    quotas: list[WechatQuota] = strawberry.field(default_factory=list, description="Left now")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not")


@strawberry.input(description="The viewer's delivery preferences")
class NotificationPreferencesInput:
    wechat: bool = strawberry.field(default=True, description="Receive WeChat messages")
    sms: bool = strawberry.field(default=True, description="Receive SMS (staff: 督办, 吹哨)")
    quiet_start: str | None = strawberry.field(
        default=None, description="Quiet hours start, HH:MM (督办 still arrives)"
    )
    quiet_end: str | None = strawberry.field(default=None, description="Quiet hours end, HH:MM")
    wechat_openid: str | None = strawberry.field(
        default=None, description="The mini-program's openid of the viewer (binding)"
    )


@strawberry.type(description="Result of setNotificationPreferences")
class SetNotificationPreferencesPayload:
    ok: bool = strawberry.field(default=False, description="Saved")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not")


@strawberry.input(description="Subscribe a system to events")
class SubscribeWebhookInput:
    org_unit_id: strawberry.ID = strawberry.field(description="Events in this unit's subtree")
    url: str = strawberry.field(description="https URL that receives POSTs")
    event_types: list[str] = strawberry.field(description="Event types (case.reported…; * for all)")


@strawberry.type(description="A subscription with its signing secret (shown only here)")
class WebhookSecretPayload:
    subscription: WebhookSubscription | None = strawberry.field(default=None, description="It")
    secret: str | None = strawberry.field(
        default=None, description="HMAC-SHA256 key of X-Dangqun-Signature; store it now"
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not")


@strawberry.type(description="Result of replayWebhookDelivery")
class ReplayWebhookDeliveryPayload:
    delivery: WebhookDelivery | None = strawberry.field(default=None, description="Queued")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not")


@strawberry.type
class NotificationMutation:
    @strawberry.mutation(description="Mark one of the viewer's notifications read")
    def mark_notification_read(
        self,
        info: Info,
        notification_id: Annotated[strawberry.ID, strawberry.argument(description="Which")],
    ) -> MarkNotificationReadPayload:
        ctx = info.context

        def act() -> MarkNotificationReadPayload:
            store_id = notification_store_id(str(notification_id))
            record = notifications.mark_read(ctx.db, ctx.actor, store_id)
            count = notifications.unread_count(ctx.db, ctx.actor)
            return MarkNotificationReadPayload(
                notification=Notification.of(record), unread_count=count
            )

        return run_mutation(act, lambda errors: MarkNotificationReadPayload(errors=errors))

    @strawberry.mutation(description="Mark all of the viewer's notifications read")
    def mark_all_notifications_read(self, info: Info) -> MarkAllNotificationsReadPayload:
        ctx = info.context

        def act() -> MarkAllNotificationsReadPayload:
            marked = notifications.mark_all_read(ctx.db, ctx.actor)
            return MarkAllNotificationsReadPayload(marked=marked)

        return run_mutation(act, lambda errors: MarkAllNotificationsReadPayload(errors=errors))

    @strawberry.mutation(
        description="The mini-program reports templates the viewer accepted (订阅消息 consent)"
    )
    def record_wechat_subscription(
        self,
        info: Info,
        template_ids: Annotated[list[str], strawberry.argument(description="Accepted ones")],
    ) -> RecordWechatSubscriptionPayload:
        ctx = info.context

        def act() -> RecordWechatSubscriptionPayload:
            left = notifications.record_wechat_consent(ctx.db, ctx.actor, template_ids)
            quotas = [WechatQuota(template_id=t, left=n) for t, n in sorted(left.items())]
            return RecordWechatSubscriptionPayload(quotas=quotas)

        return run_mutation(act, lambda errors: RecordWechatSubscriptionPayload(errors=errors))

    @strawberry.mutation(description="Set the viewer's channels, quiet hours and WeChat binding")
    def set_notification_preferences(
        self, info: Info, input: Annotated[NotificationPreferencesInput, INPUT]
    ) -> SetNotificationPreferencesPayload:
        ctx = info.context

        def act() -> SetNotificationPreferencesPayload:
            notifications.set_preferences(
                ctx.db,
                ctx.actor,
                input.wechat,
                input.sms,
                input.quiet_start,
                input.quiet_end,
                input.wechat_openid,
            )
            return SetNotificationPreferencesPayload(ok=True)

        return run_mutation(act, lambda errors: SetNotificationPreferencesPayload(errors=errors))

    @strawberry.mutation(description="Subscribe a system to events in a unit's subtree (admins)")
    def subscribe_webhook(
        self, info: Info, input: Annotated[SubscribeWebhookInput, INPUT]
    ) -> WebhookSecretPayload:
        ctx = info.context

        def act() -> WebhookSecretPayload:
            unit = item_id(input.org_unit_id, "OrgUnit", "orgUnitId")
            record = webhooks.subscribe(
                ctx.db, ctx.actor, ctx.clock, unit, input.url, list(input.event_types)
            )
            return WebhookSecretPayload(
                subscription=WebhookSubscription.of(record), secret=record.secret
            )

        return run_mutation(act, lambda errors: WebhookSecretPayload(errors=errors))

    @strawberry.mutation(
        description="A new signing secret; the previous one keeps signing for 24 hours (admins)"
    )
    def rotate_webhook_secret(
        self,
        info: Info,
        subscription_id: Annotated[strawberry.ID, strawberry.argument(description="Which")],
    ) -> WebhookSecretPayload:
        ctx = info.context

        def act() -> WebhookSecretPayload:
            record = webhooks.rotate_secret(ctx.db, ctx.actor, ctx.clock, str(subscription_id))
            return WebhookSecretPayload(
                subscription=WebhookSubscription.of(record), secret=record.secret
            )

        return run_mutation(act, lambda errors: WebhookSecretPayload(errors=errors))

    @strawberry.mutation(description="Send a delivery again (same event id), e.g. a dead letter")
    def replay_webhook_delivery(
        self,
        info: Info,
        subscription_id: Annotated[strawberry.ID, strawberry.argument(description="Which")],
        event_id: Annotated[str, strawberry.argument(description="The delivery's event id")],
    ) -> ReplayWebhookDeliveryPayload:
        ctx = info.context

        def act() -> ReplayWebhookDeliveryPayload:
            record = webhooks.replay(ctx.db, ctx.actor, ctx.clock, str(subscription_id), event_id)
            return ReplayWebhookDeliveryPayload(delivery=WebhookDelivery.of(record))

        return run_mutation(act, lambda errors: ReplayWebhookDeliveryPayload(errors=errors))
