"""PynamoDB models of export jobs (issue 14.7). Key design: api/store/README.md, "Exports".

A person's jobs and their idempotency keys share one partition (``EXPORTS#<person>``): the
person's list is one Query (job ids sort by time), a job is read only in its requester's
partition (another person's id is simply not there), and a job is created with its key in
one transaction.
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from api.store.json_attribute import JSONAttribute
from api.store.models import Item

JOB_SK_PREFIX = "JOB#"
KEY_SK_PREFIX = "KEY#"


class ExportJobItem(Item, discriminator="ExportJob"):
    """``EXPORTS#<person>`` / ``JOB#<id>``: the request, the state and the run's checkpoint."""

    id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    request = JSONAttribute()
    input_hash = UnicodeAttribute()
    idempotency_key = UnicodeAttribute(null=True)
    state = UnicodeAttribute()
    created_at = UnicodeAttribute()
    started_at = UnicodeAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    row_count = NumberAttribute(null=True)
    failure = UnicodeAttribute(null=True)
    key = UnicodeAttribute()
    upload_id = UnicodeAttribute(null=True)
    parts = JSONAttribute(default=list)
    rows = NumberAttribute(default=0)
    cursor = UnicodeAttribute(null=True)
    done = BooleanAttribute(default=False)


class ExportKeyItem(Item, discriminator="ExportKey"):
    """``EXPORTS#<person>`` / ``KEY#<idempotency key>``: the job a key created, and the hash of
    the input it was for."""

    job_id = UnicodeAttribute()
    input_hash = UnicodeAttribute()


def exports_pk(owner_id: str) -> str:
    return f"EXPORTS#{owner_id}"


def job_key(owner_id: str, job_id: str) -> tuple[str, str]:
    return exports_pk(owner_id), f"{JOB_SK_PREFIX}{job_id}"


def idempotency_key(owner_id: str, key: str) -> tuple[str, str]:
    return exports_pk(owner_id), f"{KEY_SK_PREFIX}{key}"
