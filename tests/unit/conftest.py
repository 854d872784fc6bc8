"""Fixtures for the unit tests: fixture packs, and stores opened in memory (or on disk where WAL matters)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.packs import Pack, read_pack
from bot.store import Store
from bot.store.writes import apply_pack

PACKS = Path(__file__).parent / "packs"
FIXED_NOW = datetime(2024, 2, 1, 12, 0, tzinfo=UTC)


def marker_lines(path: Path) -> dict[str, int]:
    """Map each `# E: <location>` marker in a fixture pack to its 1-based line number."""
    found: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if "# E: " in line:
            location = line.split("# E: ", 1)[1].strip()
            assert location not in found, f"marker {location} appears twice in {path.name}"
            found[location] = number
    return found


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
def small_pack() -> Pack:
    return read_pack(PACKS / "small.yaml")


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    opened = await Store.open(":memory:")
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def loaded(store: Store, small_pack: Pack) -> Loaded:
    await apply_pack(store.db, small_pack, now=FIXED_NOW)
    topic = await store.topic("t1")
    assert topic is not None
    return Loaded(store, topic.id)
