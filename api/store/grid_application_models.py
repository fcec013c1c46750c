"""PynamoDB models of applications to live in a grid (入格申请). Key design in ``README.md``."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from api.store.models import META, Item


class GridApplicationItem(Item, discriminator="GridApplication"):
    """``GRIDAPP#<id>`` / ``#META``; gsi1 ``GRIDAPPS#USER#<applicant>`` / ``<applied at>#<id>``
    (the applicant's own, newest first); gsi2 ``GRIDAPPS#<grid>`` and gsi3
    ``GRIDAPPS#<community>`` / ``<state>#<applied at>#<id>`` (the deciders' queues, oldest
    first, by state)."""

    id = UnicodeAttribute()
    applicant_id = UnicodeAttribute()
    applicant_name = UnicodeAttribute()
    grid_id = UnicodeAttribute()
    grid_path = UnicodeAttribute()
    grid_name = UnicodeAttribute()
    community_id = UnicodeAttribute(null=True)
    home_unit_id = UnicodeAttribute()
    home_unit_name = UnicodeAttribute()
    note = UnicodeAttribute(null=True)
    state = UnicodeAttribute()
    applied_at = UnicodeAttribute()
    decided_at = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)


class OpenGridApplicationItem(Item, discriminator="OpenGridApplication"):
    """``USER#<person>`` / ``GRIDAPP#OPEN``: present while the person has an application
    waiting — one open application per person, by a conditional put."""

    application_id = UnicodeAttribute()


class GridApplicationKeyItem(Item, discriminator="GridApplicationKey"):
    """``USER#<person>`` / ``GRIDAPP#KEY#<idempotency key>``: the application a key made and
    the hash of the input it was made with."""

    application_id = UnicodeAttribute()
    input_hash = UnicodeAttribute()


def application_key(application_id: str) -> tuple[str, str]:
    return f"GRIDAPP#{application_id}", META


def open_key(person_id: str) -> tuple[str, str]:
    return f"USER#{person_id}", "GRIDAPP#OPEN"


def idempotency_key(person_id: str, key: str) -> tuple[str, str]:
    return f"USER#{person_id}", f"GRIDAPP#KEY#{key}"


def applicant_pk(person_id: str) -> str:
    return f"GRIDAPPS#USER#{person_id}"


def queue_pk(unit_id: str) -> str:
    return f"GRIDAPPS#{unit_id}"
