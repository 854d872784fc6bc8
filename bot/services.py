"""The services every front end uses, built in one place from the settings and the store.

The bot, the console, both CLIs and the benchmarks take them from here, so an answer looks the same
everywhere and a setting (the default topic and stakeholder, the answer cache, the digest grace) means
the same thing in each. Nothing here knows Discord: the edge hands in a `Poster` when it wants digests
delivered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.briefing.service import Briefing
from bot.config import Settings
from bot.curation.service import Curator
from bot.digests.delivery import Deliveries, Poster
from bot.digests.service import DigestService
from bot.intake.fetch import Fetcher
from bot.intake.service import IntakeService
from bot.seeding import open_store
from bot.store import Store
from bot.store.writes import utcnow


@dataclass
class Services:
    """The store and the services over it, configured once from the settings."""

    settings: Settings
    store: Store
    briefing: Briefing
    curator: Curator
    digests: DigestService
    intake: IntakeService
    _briefings: dict[str, Briefing] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, settings: Settings, store: Store, *, clock: Callable[[], datetime] = utcnow) -> Services:
        """Wire the services over an open store; `clock` lets tests and benchmarks move time."""
        briefing = Briefing(
            store, settings.default_topic, settings.default_stakeholder, cache_size=settings.answer_cache
        )
        briefings = {settings.default_topic: briefing}

        def briefing_for(topic: str) -> Briefing:
            if topic not in briefings:
                briefings[topic] = Briefing(
                    store, topic, settings.default_stakeholder, cache_size=settings.answer_cache
                )
            return briefings[topic]

        digests = DigestService(
            store,
            briefing_for=briefing_for,
            default_topic=settings.default_topic,
            timezone=settings.timezone,
            clock=clock,
        )
        curator = Curator(store, briefing)
        intake = IntakeService(
            store,
            curator,
            briefing,
            Fetcher(allow_private=settings.fetch_allow_private_addresses),
            poll_minutes=settings.feed_poll_minutes,
            review_channel_id=settings.review_channel_id,
            alert_channel_id=settings.alert_channel_id,
            clock=clock,
        )
        return cls(settings, store, briefing, curator, digests, intake, briefings)

    def deliveries(self, poster: Poster, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> Deliveries:
        """Digest delivery through `poster`, with the grace and alert channel the settings give."""
        return Deliveries(
            self.digests,
            poster,
            grace=timedelta(minutes=self.settings.digest_grace_minutes),
            alert_channel_id=self.settings.alert_channel_id,
            sleep=sleep,
        )

    def answer_cache_report(self) -> str:
        """How the answer caches did, for the log at close."""
        return "; ".join(f"{b.answers.report()} for {topic}" for topic, b in self._briefings.items())

    async def close(self) -> None:
        """Close intake's HTTP client, then the store."""
        await self.intake.fetcher.close()
        await self.store.close()


async def open_services(settings: Settings, *, clock: Callable[[], datetime] = utcnow) -> Services:
    """Open the store named by the settings (seeding it on first start) and build the services over it."""
    store = await open_store(settings.database_path, settings.packs_dir)
    return Services.build(settings, store, clock=clock)
