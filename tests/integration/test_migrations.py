"""Item-format migrations on a table seeded in the old shape (no ``fmt``): every item reaches
the current format exactly once, an interrupted run resumes from its checkpoint, a second run
changes nothing, a concurrent application write is neither lost nor undone, and the
application still reads migrated items. Run on both backends (DynamoDB Local:
``DANGQUN_TEST_BACKEND=local``)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from typer.testing import CliRunner

from api.settings import Settings
from api.store.db import Db
from api.store.item_format import CURRENT_FORMAT, FORMAT_ATTRIBUTE
from api.store.migration_steps import STEPS
from api.store.migration_steps.base import RawItem, Step
from api.store.migrations import CHECKPOINT_PK, item_format, migrate
from infra.local_table import dynamodb_client
from tests.world import World


def _items(client: Any, table: str) -> dict[tuple[str, str], RawItem]:
    items: dict[tuple[str, str], RawItem] = {}
    request: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = client.scan(**request)
        for item in page["Items"]:
            if item["pk"]["S"] != CHECKPOINT_PK:
                items[(item["pk"]["S"], item["sk"]["S"])] = item
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _age_to_the_old_shape(client: Any, table: str) -> dict[tuple[str, str], RawItem]:
    """Rewrite every item as it was before the format attribute existed."""
    old = {}
    for key, item in _items(client, table).items():
        item = {name: value for name, value in item.items() if name != FORMAT_ATTRIBUTE}
        client.put_item(TableName=table, Item=item)
        old[key] = item
    return old


@pytest.fixture
def old_table(world: World, settings: Settings) -> tuple[Any, dict[tuple[str, str], RawItem]]:
    client = dynamodb_client(settings)
    return client, _age_to_the_old_shape(client, settings.table_name)


def _all_current(client: Any, table: str) -> bool:
    return all(item_format(item) == CURRENT_FORMAT for item in _items(client, table).values())


def _version(item: RawItem) -> int | None:
    return int(item["version"]["N"]) if "version" in item else None


def test_every_item_reaches_the_current_format_once(
    old_table: tuple[Any, dict[tuple[str, str], RawItem]], settings: Settings
) -> None:
    client, old = old_table
    assert len(old) > 30
    assert all(item_format(item) == 0 for item in old.values())

    report = migrate(client, settings.table_name, page_size=7)
    assert report.done and report.migrated == len(old) and report.scanned == len(old)

    after = _items(client, settings.table_name)
    assert set(after) == set(old)
    for key, item in after.items():
        assert item_format(item) == CURRENT_FORMAT, key
        before = old[key]
        if _version(before) is not None:
            assert _version(item) == _version(before) + 1, key  # type: ignore[operator]
        # Nothing else changed.
        rest = {n: v for n, v in item.items() if n not in (FORMAT_ATTRIBUTE, "version")}
        assert rest == {n: v for n, v in before.items() if n != "version"}, key

    again = migrate(client, settings.table_name, page_size=7)
    assert again.done and again.resumed and again.pages == report.pages
    assert _items(client, settings.table_name) == after  # the second run wrote nothing
    fresh = migrate(client, settings.table_name, page_size=7, restart=True)
    assert fresh.migrated == 0 and fresh.already_current == len(old)


def test_an_interrupted_migration_resumes_from_its_checkpoint(
    old_table: tuple[Any, dict[tuple[str, str], RawItem]], settings: Settings
) -> None:
    client, old = old_table
    pages = itertools.count()
    first = migrate(client, settings.table_name, page_size=5, should_stop=lambda: next(pages) >= 3)
    assert not first.done and first.pages == 3 and first.scanned == 15
    assert first.migrated == 15

    second = migrate(client, settings.table_name, page_size=5)
    assert second.resumed and second.done
    assert second.scanned == len(old) and second.migrated == len(old)
    assert all(
        item_format(i) == CURRENT_FORMAT for i in _items(client, settings.table_name).values()
    )


def test_a_concurrent_write_is_kept_and_migrated(
    old_table: tuple[Any, dict[tuple[str, str], RawItem]], settings: Settings
) -> None:
    client, old = old_table
    victim_key = next(key for key, item in old.items() if _version(item) is not None)
    victim = old[victim_key]

    def concurrent_edit(item: RawItem) -> RawItem:
        """Runs inside the step: the application writes the victim in the meantime."""
        if (item["pk"]["S"], item["sk"]["S"]) == victim_key and "edited" not in item:
            changed = {**victim, "edited": {"BOOL": True}}
            changed["version"] = {"N": str(_version(victim) + 1)}  # type: ignore[operator]
            client.put_item(TableName=settings.table_name, Item=changed)
        return dict(item)

    steps = (Step(1, "test: an application write races the migration", concurrent_edit),)
    report = migrate(client, settings.table_name, steps=steps, page_size=10)
    assert report.done and report.retried == 1 and report.migrated == len(old)

    item = _items(client, settings.table_name)[victim_key]
    assert item["edited"] == {"BOOL": True}, "the application's write was lost"
    assert item_format(item) == CURRENT_FORMAT
    assert _version(item) == _version(victim) + 2  # type: ignore[operator]


def test_the_application_reads_migrated_items(
    old_table: tuple[Any, dict[tuple[str, str], RawItem]],
    settings: Settings,
    db: Db,
    world: World,
) -> None:
    client, _ = old_table
    migrate(client, settings.table_name)
    person = db.people.get(world.a.admin_id)
    assert person is not None and person.name


def test_the_steps_cover_every_format_up_to_the_current_one() -> None:
    assert [step.version for step in STEPS] == list(range(1, CURRENT_FORMAT + 1))


def test_the_cli_migrates_a_table(
    old_table: tuple[Any, dict[tuple[str, str], RawItem]], settings: Settings
) -> None:
    from api.cli import app

    client, old = old_table
    # moto intercepts the AWS endpoint in process; DynamoDB Local has its own.
    where = ["--endpoint", settings.dynamodb_host] if settings.dynamodb_host else ["--aws"]
    result = CliRunner().invoke(app, ["migrate", *where, "--table", settings.table_name])
    assert result.exit_code == 0, result.output
    assert all(
        item_format(i) == CURRENT_FORMAT for i in _items(client, settings.table_name).values()
    )
    assert len(old) == len(_items(client, settings.table_name))
