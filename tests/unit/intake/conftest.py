"""Intake's fixtures: the seed topic in memory, a news site on loopback, services with a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.briefing.answer import Answer
from bot.config import Settings
from bot.digests.posting import Undeliverable
from bot.intake.review import ReviewPage
from bot.packs import read_pack
from bot.services import Services
from bot.store import Store
from bot.store.intake import CandidateRecord
from bot.store.writes import apply_pack
from tests.intake_data.server import NewsSite, news_site

SEED = Path(__file__).resolve().parents[3] / "bot" / "seed_packs" / "operation-1027.yaml"
REVIEW = 111
ALERTS = 222


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2024, 2, 1, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class FakePoster:
    """Records the review messages that would be posted (and each candidate they show), and the alerts.

    A channel in `broken` refuses posts as a deleted or forbidden one does.
    """

    posted: list[tuple[int, CandidateRecord, Answer]] = field(default_factory=list)
    messages: list[tuple[int, ReviewPage, str]] = field(default_factory=list)
    alerts: list[tuple[int, str]] = field(default_factory=list)
    broken: set[int] = field(default_factory=set)

    async def post_review(self, channel_id: int, page: ReviewPage, nonce: str) -> int:
        if channel_id in self.broken:
            raise Undeliverable(f"<#{channel_id}> no longer exists, or the bot cannot see it")
        self.messages.append((channel_id, page, nonce))
        self.posted += [(channel_id, candidate, page.answer) for _, candidate in page.shown]
        return 10_000 + page.review_id

    async def alert(self, channel_id: int, text: str) -> None:
        self.alerts.append((channel_id, text))

    def statements(self) -> list[str]:
        return [c.fields["statement"] for _, c, _ in self.posted]


@pytest.fixture
async def site() -> AsyncIterator[NewsSite]:
    async with news_site() as running:
        yield running


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def services(clock: Clock, store_target: str) -> AsyncIterator[Services]:
    store = await Store.open(store_target)
    await apply_pack(store.db, read_pack(SEED))
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, fetch_allow_private_addresses=True, review_channel_id=REVIEW, alert_channel_id=ALERTS
    )
    built = Services.build(settings, store, clock=clock)
    built.intake.reading.fetcher.timeout = 1.5
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
def poster(services: Services) -> FakePoster:
    fake = FakePoster()
    services.intake.review.poster = fake
    return fake
