"""Deliveries (exactly-once claims), in-app inboxes, contacts and WeChat consent quotas."""

from __future__ import annotations

from dataclasses import dataclass, replace

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from api.records.delivery import (
    ContactRecord,
    DeliveryRecord,
    DeliveryState,
    NotificationRecord,
)
from api.store.delivery_codec import contact_record, delivery_record, notification_record
from api.store.delivery_models import (
    UNREAD_SK,
    ContactItem,
    DeliveryItem,
    InboxItem,
    QuotaItem,
    UnreadItem,
    contact_key,
    delivery_key,
    inbox_pk,
    inbox_sk,
    quota_key,
    webhook_log_pk,
)
from api.store.pagination import Page, query_page
from api.store.repository import Repository, bound

# States in which a delivery is done: a redelivered stream record sends nothing.
SETTLED = frozenset(
    {DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.SKIPPED, DeliveryState.DEAD}
)


@dataclass(frozen=True, slots=True)
class Claim:
    """The unit of work that reserves one (source, channel, recipient) before sending."""

    source_id: str
    channel: str
    recipient: str
    at: str
    lease_until: str  # a PENDING claim older than this was cut off: it may be retaken
    event_type: str | None = None
    payload: str | None = None
    log_owner: str | None = None  # webhook subscription id: the delivery joins its log


class InFlight(RuntimeError):
    """Another invocation holds the claim (its lease has not run out): try again later."""


@dataclass(frozen=True, slots=True)
class Settlement:
    """The outcome of one attempt, conditioned on the claim's version."""

    record: DeliveryRecord
    state: DeliveryState
    outcome: str | None
    at: str
    attempts: int


class DeliveryStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""

    # --- exactly-once claims -----------------------------------------------------------------

    @bound
    def claim(self, claim: Claim) -> DeliveryRecord | None:
        """Reserve the delivery: a new record (put if absent), or one left to retry.

        None when it is settled already (a redelivered record: nothing to send). Raises
        ``InFlight`` when another invocation is sending it right now.
        """
        pk, sk = delivery_key(claim.source_id, claim.channel, claim.recipient)
        item = DeliveryItem(
            pk,
            sk,
            source_id=claim.source_id,
            channel=claim.channel,
            recipient=claim.recipient,
            state=DeliveryState.PENDING.value,
            attempts=0,
            lease_until=claim.lease_until,
            event_type=claim.event_type,
            payload=claim.payload,
            created_at=claim.at,
            updated_at=claim.at,
        )
        if claim.log_owner:
            item.gsi1pk = webhook_log_pk(claim.log_owner)
            item.gsi1sk = f"{claim.at}#{claim.source_id}"
        try:
            item.save(condition=DeliveryItem.pk.does_not_exist())
            return delivery_record(item)
        except PutError as exc:
            if not _lost_condition(exc):
                raise
        existing = DeliveryItem.get(pk, sk, consistent_read=True)
        state = existing.state
        if state in SETTLED:
            return None
        if state == DeliveryState.PENDING.value and (existing.lease_until or "") > claim.at:
            raise InFlight(f"{claim.source_id} {claim.channel} {claim.recipient}")
        existing.state = DeliveryState.PENDING.value
        existing.lease_until = claim.lease_until
        existing.updated_at = claim.at
        try:
            existing.save()  # conditioned on the version read: one retaker wins
        except PutError as exc:
            if _lost_condition(exc):
                raise InFlight(claim.source_id) from exc
            raise
        return delivery_record(existing)

    @bound
    def settle(self, settlement: Settlement) -> DeliveryRecord:
        """One UpdateItem, conditioned on the claim's version (no read: the claim is ours)."""
        record = settlement.record
        pk, sk = delivery_key(record.source_id, record.channel.value, record.recipient)
        item = DeliveryItem(pk, sk)
        item.version = record.version  # the update is conditioned on it and bumps it
        item.update(
            actions=[
                DeliveryItem.state.set(settlement.state.value),
                DeliveryItem.outcome.set(settlement.outcome or ""),
                DeliveryItem.attempts.set(settlement.attempts),
                DeliveryItem.updated_at.set(settlement.at),
                DeliveryItem.lease_until.remove(),
            ]
        )
        return delivery_record(item)

    @bound
    def get(self, source_id: str, channel: str, recipient: str) -> DeliveryRecord | None:
        pk, sk = delivery_key(source_id, channel, recipient)
        try:
            return delivery_record(DeliveryItem.get(pk, sk, consistent_read=True))
        except DoesNotExist:
            return None

    @bound
    def of_source(self, source_id: str) -> list[DeliveryRecord]:
        pk, _ = delivery_key(source_id, "", "")
        return [delivery_record(item) for item in DeliveryItem.query(pk, consistent_read=True)]

    @bound
    def request_replay(self, record: DeliveryRecord, at: str) -> bool:
        """Mark a delivery REPLAY (the stream sends it again); False when it changed since."""
        pk, sk = delivery_key(record.source_id, record.channel.value, record.recipient)
        item = DeliveryItem.get(pk, sk, consistent_read=True)
        if int(item.version or 0) != record.version:
            return False
        item.state = "REPLAY"
        item.updated_at = at
        item.save()
        return True

    @bound
    def webhook_log(
        self, subscription_id: str, first: int, after: str | None
    ) -> Page[DeliveryRecord]:
        return query_page(
            DeliveryItem,
            self.db.codec,
            webhook_log_pk(subscription_id),
            index="gsi1",
            first=first,
            after=after,
            scan_forward=False,
        ).map(delivery_record)

    # --- in-app inbox ------------------------------------------------------------------------

    @bound
    def add_notification(self, notification: NotificationRecord, source_id: str) -> bool:
        """Put the entry unless present and count it unread, in one transaction."""
        pk = inbox_pk(notification.person_id)
        item = InboxItem(
            pk,
            inbox_sk(notification.at, source_id),
            id=source_id,
            person_id=notification.person_id,
            kind=notification.kind.value,
            title=notification.title,
            message=notification.message,
            at=notification.at,
            read=False,
            case_id=notification.case_id,
            topic_id=notification.topic_id,
        )
        try:
            with TransactWrite(connection=self.db.connection) as transaction:
                transaction.save(item, condition=InboxItem.pk.does_not_exist())
                transaction.update(
                    UnreadItem(pk, UNREAD_SK),
                    actions=[UnreadItem.unread.add(1), UnreadItem.type.set(UnreadItem)],
                    add_version_condition=False,
                )
        except TransactWriteError as exc:
            if _cancelled_on_condition(exc):
                return False
            raise
        return True

    @bound
    def notifications(
        self, person_id: str, first: int, after: str | None, unread_only: bool = False
    ) -> Page[NotificationRecord]:
        return query_page(
            InboxItem,
            self.db.codec,
            inbox_pk(person_id),
            range_key_condition=InboxItem.sk.startswith("N#"),
            filter_condition=(InboxItem.read == False) if unread_only else None,  # noqa: E712
            first=first,
            after=after,
            scan_forward=False,
        ).map(notification_record)

    @bound
    def unread_count(self, person_id: str) -> int:
        try:
            item = UnreadItem.get(inbox_pk(person_id), UNREAD_SK, consistent_read=True)
        except DoesNotExist:
            return 0
        return max(0, int(item.unread or 0))

    @bound
    def get_notification(self, person_id: str, notification_id: str) -> NotificationRecord | None:
        if not notification_id.startswith("N#"):
            return None
        try:
            item = InboxItem.get(inbox_pk(person_id), notification_id, consistent_read=True)
        except DoesNotExist:
            return None
        return notification_record(item)

    @bound
    def mark_read(self, notification: NotificationRecord) -> NotificationRecord:
        """Read once: the entry flips and the count drops in one transaction (a second mark is
        a no-op, so the count never goes below the truth)."""
        if notification.read:
            return notification
        pk = inbox_pk(notification.person_id)
        try:
            with TransactWrite(connection=self.db.connection) as transaction:
                _mark(transaction, pk, notification.id)
                transaction.update(
                    UnreadItem(pk, UNREAD_SK),
                    actions=[UnreadItem.unread.add(-1), UnreadItem.type.set(UnreadItem)],
                    add_version_condition=False,
                )
        except TransactWriteError as exc:
            if not _cancelled_on_condition(exc):
                raise
        return replace(notification, read=True)

    @bound
    def mark_all_read(self, person_id: str) -> int:
        """Every unread entry, in transactions of up to 99 entries plus the count."""
        pk = inbox_pk(person_id)
        unread = [
            item.sk
            for item in InboxItem.query(
                pk,
                InboxItem.sk.startswith("N#"),
                filter_condition=InboxItem.read == False,  # noqa: E712
                consistent_read=True,
            )
        ]
        marked = 0
        for start in range(0, len(unread), 99):
            chunk = unread[start : start + 99]
            try:
                with TransactWrite(connection=self.db.connection) as transaction:
                    for sk in chunk:
                        _mark(transaction, pk, sk)
                    transaction.update(
                        UnreadItem(pk, UNREAD_SK),
                        actions=[
                            UnreadItem.unread.add(-len(chunk)),
                            UnreadItem.type.set(UnreadItem),
                        ],
                        add_version_condition=False,
                    )
                marked += len(chunk)
            except TransactWriteError as exc:
                if not _cancelled_on_condition(exc):
                    raise
                # one was read meanwhile: mark the rest one by one
                for sk in chunk:
                    record = self.get_notification(person_id, sk)
                    if record is not None and not record.read:
                        self.mark_read(record)
                        marked += 1
        return marked

    # --- contacts and WeChat consent ---------------------------------------------------------

    @bound
    def contacts(self, person_ids: list[str]) -> dict[str, ContactRecord]:
        keys = [contact_key(person_id) for person_id in dict.fromkeys(person_ids)]
        return {item.person_id: contact_record(item) for item in ContactItem.batch_get(keys)}

    @bound
    def save_contact(self, contact: ContactRecord) -> ContactRecord:
        pk, sk = contact_key(contact.person_id)
        quiet = contact.preferences.quiet
        item = ContactItem(
            pk,
            sk,
            person_id=contact.person_id,
            wechat=contact.preferences.wechat,
            sms=contact.preferences.sms,
            quiet_start=quiet.start.isoformat("minutes") if quiet else None,
            quiet_end=quiet.end.isoformat("minutes") if quiet else None,
            wechat_openid=contact.wechat_openid,
        )
        if contact.version:
            item.version = contact.version  # conditioned on the version read
        item.save()
        return contact_record(item)

    @bound
    def add_quota(self, person_id: str, template_id: str, count: int) -> int:
        pk, sk = quota_key(person_id, template_id)
        item = QuotaItem(pk, sk, person_id=person_id, template_id=template_id)
        item.update(
            actions=[
                QuotaItem.left.add(count),
                QuotaItem.person_id.set(person_id),
                QuotaItem.template_id.set(template_id),
                QuotaItem.type.set(QuotaItem),  # an update writes no discriminator by itself
            ],
            add_version_condition=False,
        )
        return int(item.left or 0)

    @bound
    def quota(self, person_id: str, template_id: str) -> int:
        pk, sk = quota_key(person_id, template_id)
        try:
            return int(QuotaItem.get(pk, sk, consistent_read=True).left or 0)
        except DoesNotExist:
            return 0

    @bound
    def use_quota(self, person_id: str, template_id: str) -> bool:
        """Take one consent if any is left (conditional decrement)."""
        pk, sk = quota_key(person_id, template_id)
        try:
            QuotaItem(pk, sk).update(
                actions=[QuotaItem.left.add(-1)],
                condition=QuotaItem.left > 0,
                add_version_condition=False,
            )
        except UpdateError as exc:
            if _lost_condition(exc):
                return False
            raise
        return True

    @bound
    def clear_quota(self, person_id: str, template_id: str) -> None:
        """WeChat says there is none (43101): trust it over our count."""
        pk, sk = quota_key(person_id, template_id)
        QuotaItem(pk, sk).update(
            actions=[
                QuotaItem.left.set(0),
                QuotaItem.person_id.set(person_id),
                QuotaItem.template_id.set(template_id),
                QuotaItem.type.set(QuotaItem),
            ],
            add_version_condition=False,
        )


def _mark(transaction: TransactWrite, pk: str, sk: str) -> None:
    transaction.update(
        InboxItem(pk, sk),
        actions=[InboxItem.read.set(True)],
        condition=InboxItem.read == False,  # noqa: E712
        add_version_condition=False,
    )


def _lost_condition(exc: Exception) -> bool:
    cause = getattr(exc, "cause_response_code", None)
    return cause == "ConditionalCheckFailedException"


def _cancelled_on_condition(exc: TransactWriteError) -> bool:
    reasons = [getattr(r, "code", None) for r in (exc.cancellation_reasons or []) if r]
    return "ConditionalCheckFailed" in reasons
