"""Shared fixtures. Each test area keeps its own fixtures beside it; only cross-area ones live here."""

from collections.abc import AsyncIterator

import pytest

from bot.briefing.service import Briefing
from bot.packs import parse_pack
from bot.store import Store
from bot.store.writes import apply_pack

pytest_plugins = ["tests.discord_double.plugin", "tests.postgres"]


@pytest.fixture
async def briefing() -> AsyncIterator[Briefing]:
    """The briefing service over a small in-memory crisis (tests/unit/test_briefing.py's PACK)."""
    from tests.unit.test_briefing import PACK

    store = await Store.open(":memory:")
    await apply_pack(store.db, parse_pack(PACK))
    yield Briefing(store, "crisis", "Beijing")
    await store.close()
