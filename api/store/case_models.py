"""PynamoDB models of cases (吹哨报到) in the single table. Key design: api/store/README.md.

The case's ``#META`` item is the truth; handler items are its projection into inboxes and are
rewritten in the same transaction as every change of the case.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from api.store.json_attribute import JSONAttribute
from api.store.models import META, Item


class CaseItem(Item, discriminator="Case"):
    """``CASE#<id>`` / ``#META``."""

    id = UnicodeAttribute()
    code = UnicodeAttribute()
    # The random part of the public tracking number (api/domain/tracking.py).
    tracking_key = UnicodeAttribute(null=True)
    state = UnicodeAttribute()
    channel = UnicodeAttribute()
    category = UnicodeAttribute(null=True)
    mode = UnicodeAttribute(null=True)
    level = UnicodeAttribute(null=True)
    assignee_id = UnicodeAttribute(null=True)
    assignee_name = UnicodeAttribute(null=True)
    tasks = JSONAttribute(default=list)
    extension_pending = BooleanAttribute(default=False)
    park_pending = BooleanAttribute(default=False)
    rework_count = NumberAttribute(default=0)
    satisfaction = UnicodeAttribute(null=True)
    evaluation_comment = UnicodeAttribute(null=True)
    result = UnicodeAttribute(null=True)
    pain_point = BooleanAttribute(default=False)
    duplicate_of = UnicodeAttribute(null=True)
    rejection_reason = UnicodeAttribute(null=True)
    description = UnicodeAttribute()
    location_unit_id = UnicodeAttribute()
    grid_id = UnicodeAttribute()
    grid_path = UnicodeAttribute()
    address = UnicodeAttribute(null=True)
    latitude = NumberAttribute(null=True)
    longitude = NumberAttribute(null=True)
    attachments = JSONAttribute(default=list)
    anonymous = BooleanAttribute(default=False)
    reporter_id = UnicodeAttribute(null=True)
    reporter_name = UnicodeAttribute(null=True)
    reporter_phone = UnicodeAttribute(null=True)
    # Display names of every unit, department or leader that has handled the case: id → name.
    handler_names = JSONAttribute(default=dict)
    # Levels the case has been at: [{level, assignee, entered_at, left_at, due_at, met}, ...]
    levels = JSONAttribute(default=list)
    event_count = NumberAttribute(default=0)
    # The running timer of the current level (``deadlines.timers.Timer`` as JSON), or None.
    clock = JSONAttribute(null=True)
    timer_gen = NumberAttribute(default=0)
    policy_version = NumberAttribute(null=True)
    extension_hours = NumberAttribute(null=True)
    breached = BooleanAttribute(default=False)  # the current level's limit was missed
    ever_breached = BooleanAttribute(default=False)
    # When the current level's missed limit was due (set with ``breached`` by the sweeper): the
    # order of the overdue watch list (api.domain.gauges).
    overdue_since = UnicodeAttribute(null=True)
    reported_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    topic_id = UnicodeAttribute(null=True)  # 党群议事: the adopted topic this case came from
    external_system = UnicodeAttribute(null=True)  # issue 13: the ticket in another system
    external_id = UnicodeAttribute(null=True)
    # Closing (README "Closing"): what the policy asks before closing, and how it closed
    verification_pending = BooleanAttribute(default=False)
    evaluation_required = BooleanAttribute(default=False)
    closure = UnicodeAttribute(null=True)
    verification_key = UnicodeAttribute(null=True)  # ``<person>#<key>#<input hash>``
    # A copy of the timeline ([event as JSON, ...], oldest first), written in the same
    # transaction as each event item: a page of cases shows its timelines with no extra request.
    timeline = JSONAttribute(null=True)


class CaseEventItem(Item, discriminator="CaseEvent"):
    """``CASE#<id>`` / ``EVT#<seq>``: the timeline, append-only (put if absent, never updated)."""

    case_id = UnicodeAttribute()
    seq = NumberAttribute()
    action = UnicodeAttribute()
    from_state = UnicodeAttribute(null=True)
    to_state = UnicodeAttribute()
    actor_id = UnicodeAttribute(null=True)
    actor_role = UnicodeAttribute(null=True)
    at = UnicodeAttribute()
    note = UnicodeAttribute(null=True)
    level = UnicodeAttribute(null=True)
    assignee_id = UnicodeAttribute(null=True)
    # What this event added to the counters, per unit (JSON {unit: {counter: n}}); written in
    # the same transaction as the counters, the record the recompute sums (issue 14).
    counted = UnicodeAttribute(null=True)


class CaseHandlerItem(Item, discriminator="CaseHandler"):
    """``CASE#<id>`` / ``HANDLER#<assignee>``: a unit, department or leader handling the case.

    While active it sits in the assignee's inbox (gsi1 ``INBOX#<assignee>`` /
    ``<state>#<due>#<reported_at>#<case>``); once the case moves on it leaves the index.
    """

    case_id = UnicodeAttribute()
    code = UnicodeAttribute()
    assignee_id = UnicodeAttribute()
    assignee_name = UnicodeAttribute()
    role = UnicodeAttribute()  # UNIT, LEADER, LEAD, SUPPORT
    task_status = UnicodeAttribute(null=True)
    state = UnicodeAttribute()
    category = UnicodeAttribute(null=True)
    summary = UnicodeAttribute()
    level = UnicodeAttribute()
    reported_at = UnicodeAttribute()
    due_at = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)


class CaseCodeItem(Item, discriminator="CaseCode"):
    """``CODE#<tracking code>`` / ``#META``: lookup by tracking code."""

    case_id = UnicodeAttribute()


class IdempotencyItem(Item, discriminator="Idempotency"):
    """``IDEM#<caller>#<key>`` / ``#META``: a retried report returns the same case."""

    case_id = UnicodeAttribute()
    input_hash = UnicodeAttribute(null=True)  # the report's input, to refuse a reused key


class SequenceItem(Item, discriminator="Sequence"):
    """``SEQ#<name>`` / ``#META``: an atomic counter (tracking codes per district and year)."""

    value = NumberAttribute(default=0)


class DailyStatsItem(Item, discriminator="DailyStats"):
    """``STATS#<org>`` / ``DAY#<yyyy-mm-dd>``: case counters of a unit's subtree for one day."""

    org_id = UnicodeAttribute()
    day = UnicodeAttribute()
    reported = NumberAttribute(null=True)
    accepted = NumberAttribute(null=True)
    resolved = NumberAttribute(null=True)
    closed = NumberAttribute(null=True)
    resolved_on_time = NumberAttribute(null=True)
    resolved_in_grid = NumberAttribute(null=True)
    satisfied = NumberAttribute(null=True)
    reopened = NumberAttribute(null=True)
    # command-centre figures (issue 14; README "Figures")
    resolved_at_street_or_below = NumberAttribute(null=True)
    evaluated = NumberAttribute(null=True)
    assigned = NumberAttribute(null=True)  # departments: tasks received
    handling_natural_minutes = NumberAttribute(null=True)
    handling_working_minutes = NumberAttribute(null=True)
    # closing: 核查 passed / failed, closed at the end of the evaluation window
    verified = NumberAttribute(null=True)
    verification_failed = NumberAttribute(null=True)
    closed_not_evaluated = NumberAttribute(null=True)
    # 党群议事 (topics): raised, decided, and their cases resolved (inside the grid)
    topics_raised = NumberAttribute(null=True)
    topics_adopted = NumberAttribute(null=True)
    topics_declined = NumberAttribute(null=True)
    topic_cases_resolved = NumberAttribute(null=True)
    topic_cases_resolved_in_grid = NumberAttribute(null=True)
    # red partners (api.services.partner_counters): claims, delivery reports, points granted
    partner_claims = NumberAttribute(null=True)
    partner_deliveries = NumberAttribute(null=True)
    points_granted = NumberAttribute(null=True)
    # cases reported per category (``cat_<code>``, one per code of DEFAULT_CATEGORIES; issue 14)
    cat_HOUSING_SAFETY = NumberAttribute(null=True)
    cat_ENVIRONMENT = NumberAttribute(null=True)
    cat_PROPERTY_MANAGEMENT = NumberAttribute(null=True)
    cat_ROADS = NumberAttribute(null=True)
    cat_GREENERY = NumberAttribute(null=True)
    cat_PUBLIC_ORDER = NumberAttribute(null=True)
    cat_NEIGHBOUR_DISPUTE = NumberAttribute(null=True)
    cat_PARKING = NumberAttribute(null=True)
    cat_UTILITIES = NumberAttribute(null=True)
    cat_ELDERLY_CARE = NumberAttribute(null=True)
    cat_OTHER = NumberAttribute(null=True)


class CountedItem(Item, discriminator="Counted"):
    """``COUNTED#<id>`` / ``#META``: what one topic or red-partner event added to the counters,
    per unit (JSON {unit: {counter: n}}), put in the same transaction as the ``ADD``s and never
    changed: the record the recompute sums for counters that no case event carries (a case
    event keeps its own ``counted``)."""

    day = UnicodeAttribute()  # the Shanghai day counted on (yyyy-mm-dd)
    counted = UnicodeAttribute()


class GaugeItem(Item, discriminator="Gauges"):
    """``STATS#<org>`` / ``GAUGES``: the gauges now of the open cases a unit holds (issue 14,
    api.domain.gauges; one attribute per name of ``GAUGE_NAMES``, ``ADD``ed ±1)."""

    org_id = UnicodeAttribute()
    open = NumberAttribute(null=True)
    overdue = NumberAttribute(null=True)
    at_risk = NumberAttribute(null=True)
    level_INTAKE = NumberAttribute(null=True)
    level_GRID = NumberAttribute(null=True)
    level_COMMUNITY = NumberAttribute(null=True)
    level_STREET = NumberAttribute(null=True)
    level_DISTRICT = NumberAttribute(null=True)
    level_TOP = NumberAttribute(null=True)
    state_REPORTED = NumberAttribute(null=True)
    state_ACCEPTED = NumberAttribute(null=True)
    state_ASSIGNED = NumberAttribute(null=True)
    state_IN_PROGRESS = NumberAttribute(null=True)
    state_PAUSED = NumberAttribute(null=True)
    state_PARKED = NumberAttribute(null=True)
    state_RESOLVED = NumberAttribute(null=True)
    state_EVALUATED = NumberAttribute(null=True)


class WatchItem(Item, discriminator="Watch"):
    """``WATCH#<org>#<OVERDUE|AT_RISK>`` / ``<due_at>#<case>``: a case on a unit's overdue or
    at-risk list (the unit and each ancestor holding it), soonest due first; put and deleted in
    the case's own transactions."""

    org_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    case_id = UnicodeAttribute()
    code = UnicodeAttribute()
    category = UnicodeAttribute(null=True)
    state = UnicodeAttribute()
    level = UnicodeAttribute()
    holder_id = UnicodeAttribute(null=True)
    holder_name = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute()


def gauge_key(org_id: str) -> tuple[str, str]:
    return stats_pk(org_id), "GAUGES"


def watch_pk(org_id: str, kind: str) -> str:
    return f"WATCH#{org_id}#{kind}"


def watch_key(org_id: str, kind: str, due_at: str, case_id: str) -> tuple[str, str]:
    return watch_pk(org_id, kind), f"{due_at}#{case_id}"


def case_key(case_id: str) -> tuple[str, str]:
    return f"CASE#{case_id}", META


def case_pk(case_id: str) -> str:
    return f"CASE#{case_id}"


def event_sk(seq: int) -> str:
    return f"EVT#{seq:06d}"


def handler_sk(assignee_id: str) -> str:
    return f"HANDLER#{assignee_id}"


def code_key(code: str) -> tuple[str, str]:
    return f"CODE#{code}", META


def idempotency_key(caller: str, key: str) -> tuple[str, str]:
    return f"IDEM#{caller}#{key}", META


def sequence_key(name: str) -> tuple[str, str]:
    return f"SEQ#{name}", META


def stats_pk(org_id: str) -> str:
    return f"STATS#{org_id}"


def stats_key(org_id: str, day: str) -> tuple[str, str]:
    return stats_pk(org_id), f"DAY#{day}"


def inbox_pk(assignee_id: str) -> str:
    return f"INBOX#{assignee_id}"


def inbox_sk(state: str, due_at: str | None, reported_at: str, case_id: str) -> str:
    return f"{state}#{due_at or '9999'}#{reported_at}#{case_id}"


def reporter_pk(person_id: str) -> str:
    return f"REPORTER#{person_id}"


def street_cases_pk(street_id: str) -> str:
    return f"CASES#{street_id}"


def district_cases_pk(district_id: str) -> str:
    return f"CASES#{district_id}"


def time_sk(at: str, case_id: str) -> str:
    return f"{at}#{case_id}"


class FiredItem(Item, discriminator="Fired"):
    """``CASE#<id>`` / ``FIRED#<event id>``: a timer firing applied once (put if absent)."""

    at = UnicodeAttribute()
    due_at = UnicodeAttribute(null=True)
    lateness_seconds = NumberAttribute()


class NoticeItem(Item, discriminator="Notice"):
    """``NOTICE#<unit or leader>`` / ``<at>#<case>#<kind>``: the outbox of warnings, supervision
    notices and escalations for a unit (delivery to webhooks comes later)."""

    recipient_id = UnicodeAttribute()
    case_id = UnicodeAttribute()
    code = UnicodeAttribute()
    kind = UnicodeAttribute()
    level = UnicodeAttribute()
    message = UnicodeAttribute()
    at = UnicodeAttribute()


class TaskClockItem(Item, discriminator="TaskClock"):
    """``TASKCLOCK#<case>#<department>`` / ``#META``: a supporting department's timer on a joint
    case (``domain.deadlines.department_timers``), in the due index while it runs. A partition
    of its own, so the sweeper's keys-only index entry names it."""

    case_id = UnicodeAttribute()
    department_id = UnicodeAttribute()
    clock = JSONAttribute(null=True)  # api.domain.deadlines.timers.Timer as JSON; None once stopped
    breached = BooleanAttribute(default=False)  # the running cycle's clock breached
    ever_breached = BooleanAttribute(default=False)
    updated_at = UnicodeAttribute()


def task_clock_key(case_id: str, department_id: str) -> tuple[str, str]:
    return f"TASKCLOCK#{case_id}#{department_id}", META


DUE_SHARDS = 8


def due_shard(case_id: str) -> int:
    """A stable shard (not Python's salted hash): spreads the due index over partitions."""
    return sum(case_id.encode()) % DUE_SHARDS


def due_pk(shard: int) -> str:
    return f"DUE#{shard}"


def due_sk(fire_at: str, case_id: str) -> str:
    return f"{fire_at}#{case_id}"


def fired_sk(event_id: str) -> str:
    return f"FIRED#{event_id}"


def notice_pk(recipient_id: str) -> str:
    return f"NOTICE#{recipient_id}"


def notice_key(recipient_id: str, at: str, case_id: str, kind: str) -> tuple[str, str]:
    return notice_pk(recipient_id), f"{at}#{case_id}#{kind}"


class TimePolicyItem(Item, discriminator="TimePolicy"):
    """``POLICY#<district>`` / ``V#<version:06d>``: one version of the time-limit policy,
    written once (put if absent) and never changed; the highest version is in force."""

    version_number = NumberAttribute()
    policy = JSONAttribute()
    created_by = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


class CalendarOverrideItem(Item, discriminator="CalendarOverride"):
    """``CALENDAR#<district>`` / ``DAY#<yyyy-mm-dd>``: an admin's override of one day
    (a late State Council notice): a workday or a holiday."""

    day = UnicodeAttribute()
    workday = BooleanAttribute()
    note = UnicodeAttribute(null=True)
    set_by = UnicodeAttribute(null=True)
    set_at = UnicodeAttribute()


def policy_key(district_id: str, version: int) -> tuple[str, str]:
    return f"POLICY#{district_id}", f"V#{version:06d}"


def calendar_key(district_id: str, day: str) -> tuple[str, str]:
    return f"CALENDAR#{district_id}", f"DAY#{day}"
