"""Seeding on first start, when several processes start together on one empty store (SQLite file or PostgreSQL)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot.config import Settings
from bot.seeding import load_pack_files
from bot.services import open_store
from bot.store import Store
from tests.unit.conftest import PACKS


@pytest.fixture
def settings(store_target: str, tmp_path: Path) -> Settings:
    """Settings naming one new store (a SQLite file, not memory, so that several openers share it)."""
    packs = tmp_path / "packs"
    packs.mkdir()
    shutil.copy(PACKS / "small.yaml", packs / "small.yaml")
    where: dict[str, str | Path] = (
        {"database_path": tmp_path / "shared.db"} if store_target == ":memory:" else {"database_url": store_target}
    )
    return Settings(_env_file=None, packs_dir=packs, **where)  # type: ignore[call-arg]


async def count(store: Store, sql: str) -> int:
    row = await store.row(sql)
    assert row is not None
    return int(row[0])


async def assert_loaded_once(store: Store) -> None:
    facts = await count(store, "SELECT count(*) FROM facts")
    assert facts > 0
    assert await count(store, "SELECT count(DISTINCT key) FROM facts") == facts
    assert await count(store, "SELECT count(*) FROM topics") == 1
    assert await count(store, "SELECT count(*) FROM changes WHERE entity = 'fact' AND action = 'add'") == facts


async def test_processes_starting_together_on_an_empty_store_migrate_and_seed_it_once(settings):
    stores = await asyncio.gather(*(open_store(settings) for _ in range(3)))
    try:
        await assert_loaded_once(stores[0])
    finally:
        await asyncio.gather(*(s.close() for s in stores))


async def test_of_processes_that_all_found_the_store_empty_the_store_lets_one_load_the_packs(settings):
    # Past the first look, which every process may pass before any has written: the write transaction decides.
    stores = await asyncio.gather(*(open_store(settings, seed=False) for _ in range(3)))
    try:
        paths = sorted(settings.packs_dir.glob("*.yaml"))
        loaded = await asyncio.gather(*(load_pack_files(s, paths, into_empty=True) for s in stores))
        assert sorted(bool(changes) for changes in loaded) == [False, False, True]
        await assert_loaded_once(stores[0])
    finally:
        await asyncio.gather(*(s.close() for s in stores))
