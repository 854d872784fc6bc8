"""Fixtures for the unit tests: fixture packs, and stores opened in memory (or on disk where WAL matters)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.packs import Pack, read_pack
from bot.store import Store

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


@pytest.fixture
def small_pack() -> Pack:
    return read_pack(PACKS / "small.yaml")


@pytest.fixture
async def store(store_target: str) -> AsyncIterator[Store]:
    """A migrated, empty store: in SQLite's memory, and again on PostgreSQL (`tests.postgres`)."""
    opened = await Store.open(store_target)
    try:
        yield opened
    finally:
        await opened.close()
