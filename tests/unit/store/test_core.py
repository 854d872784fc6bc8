"""The store itself (bot.store.store, bot.store.reads): meta, and reads on a file on disk."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from bot.packs import Pack
from bot.store import Store
from bot.store.engine import sqlite
from bot.store.writes import apply_pack
from tests.unit.conftest import FIXED_NOW
from tests.unit.store.conftest import scalar


async def test_meta_round_trip(store: Store) -> None:
    assert await store.get_meta("tree") is None
    await store.set_meta("tree", "abc")
    await store.set_meta("tree", "def")
    assert await store.get_meta("tree") == "def"


async def test_ping_and_close_on_file(tmp_path) -> None:
    store = await Store.open(tmp_path / "s.db")
    assert await store.ping() == 1
    await store.close()
    reopened = await Store.open(tmp_path / "s.db")
    assert await reopened.topics() == []
    await reopened.close()


async def test_reads_on_a_file_see_each_commit_and_cannot_write(tmp_path, small_pack: Pack) -> None:
    store = await Store.open(tmp_path / "s.db")
    try:
        assert await store.topics() == []
        await apply_pack(store.db, small_pack, now=FIXED_NOW)
        assert [t.slug for t in await store.topics()] == ["t1"]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await store.rows("DELETE FROM facts")
        assert int(await scalar(store, "SELECT count(*) FROM facts")) == 8  # type: ignore[arg-type]
    finally:
        await store.close()


async def test_a_slow_read_on_the_event_loop_is_logged(tmp_path, monkeypatch, caplog) -> None:
    store = await Store.open(tmp_path / "s.db")
    try:
        monkeypatch.setattr(sqlite, "SLOW_READ_SECONDS", 0.0)
        with caplog.at_level(logging.WARNING, logger="bot.store.engine.sqlite"):
            await store.ping()
        assert "slow read on the event loop" in caplog.text
        assert "SELECT 1" in caplog.text
    finally:
        await store.close()
