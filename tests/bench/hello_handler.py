"""The baseline of the cold-start bench: a hello-world Strawberry + Mangum + PynamoDB handler
with one field reading one item, written the plain way. ``tests/bench/coldstart.py`` copies it
next to the handler under test and times both under the same conditions.

Reads the table and endpoint from the same DANGQUN_* variables as the real handler.
"""

from __future__ import annotations

import os

import strawberry
from mangum import Mangum
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model
from strawberry.asgi import GraphQL


class Unit(Model):
    class Meta:
        table_name = os.environ["DANGQUN_TABLE_NAME"]
        region = os.environ.get("DANGQUN_REGION", "ap-northeast-1")
        host = os.environ.get("DANGQUN_DYNAMODB_HOST")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute(null=True)


@strawberry.type
class Query:
    @strawberry.field
    def unit_name(self, id: str) -> str | None:
        return Unit.get(f"ORG#{id}", "#META").name


handler = Mangum(GraphQL(strawberry.Schema(query=Query)), lifespan="off")
