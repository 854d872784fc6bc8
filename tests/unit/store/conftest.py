"""Fixtures for the store's tests: a store with the small pack applied, and helpers several of them share."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.packs import Pack
from bot.store import Store
from bot.store.writes import apply_pack
from tests.unit.conftest import FIXED_NOW

OTHER_TOPIC = """
format: 1
topic: {slug: t2, title: Another crisis}
sources: {s1: {title: Other doc}}
actors:
  - {slug: junta, name: Other junta, aliases: [Tatmadaw], kind: military}
facts:
  - {key: f-other, statement: "An offensive elsewhere by the junta.", kind: event, actors: [junta],
     as_of: 2023-11-27, source: s1, reliability: B, credibility: 2}
"""


async def scalar(store: Store, sql: str, params: tuple[object, ...] = ()) -> object:
    row = await store.row(sql, params)
    return row[0] if row else None


async def write(store: Store, sql: str, params: tuple[object, ...] = ()) -> None:
    """One statement in a write transaction of its own, as a second writer would commit it."""
    async with store.db.transaction() as conn:
        await conn.execute(sql, params)


async def keys(found: list) -> list[str]:
    return [f.key for f in found]


@dataclass
class Loaded:
    """A store with the small pack applied, and ids looked up by slug."""

    store: Store
    topic_id: int

    async def actor(self, slug: str) -> int:
        found = await self.store.entity_by_slug(self.topic_id, "actor", slug)
        assert found is not None, slug
        return found

    async def place(self, slug: str) -> int:
        found = await self.store.entity_by_slug(self.topic_id, "place", slug)
        assert found is not None, slug
        return found

    async def event(self, slug: str) -> int:
        found = await self.store.entity_by_slug(self.topic_id, "event", slug)
        assert found is not None, slug
        return found

    async def fact_id(self, key: str) -> int:
        row = await self.store.row("SELECT id FROM facts WHERE topic_id = ? AND key = ?", (self.topic_id, key))
        assert row is not None, key
        return row[0]


@pytest.fixture
async def loaded(store: Store, small_pack: Pack) -> Loaded:
    await apply_pack(store.db, small_pack, now=FIXED_NOW)
    topic = await store.topic("t1")
    assert topic is not None
    return Loaded(store, topic.id)
