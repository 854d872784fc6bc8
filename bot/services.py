"""The services every front end uses, built in one place from the settings and the store.

The bot, the console, both CLIs and the benchmarks take them from here, so an answer looks the same
everywhere and a setting (the default topic and stakeholder, the answer cache, the digest grace) means
the same thing in each. Nothing here knows Discord: the edge hands in a `Poster` when it wants digests
delivered.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.briefing.service import Briefing
from bot.config import ConfigError, Settings
from bot.curation.service import Curator
from bot.digests.delivery import Deliveries
from bot.digests.pacing import GLOBAL_LIMIT, Pacer
from bot.digests.posting import Poster
from bot.digests.service import DigestService
from bot.errors import NotFound
from bot.intake.feeds import Feeds
from bot.intake.fetch import Fetcher
from bot.intake.proposing import Proposer
from bot.intake.reading import Reader
from bot.intake.review import Review
from bot.pictures.painter import Painter
from bot.seeding import PacksRejected, seed_if_empty
from bot.store import Store
from bot.store.engine.base import StoreUnavailable, is_postgres, shown
from bot.store.writes import utcnow
from bot.topics.service import Topics
from bot.watches.announce import Announcer, Messenger
from bot.watches.service import WatchService

log = logging.getLogger(__name__)


@dataclass
class Intake:
    """Intake's four parts, one a responsibility (see `bot.intake`): feeds, reading, proposing, review."""

    feeds: Feeds
    reading: Reader
    proposing: Proposer
    review: Review


@dataclass
class Services:
    """The store and the services over it, configured once from the settings."""

    settings: Settings
    store: Store
    briefing: Briefing
    curator: Curator
    digests: DigestService
    intake: Intake
    topics: Topics
    watches: WatchService
    #: The briefing and the curator of one topic (by slug), each made on first use.
    briefing_for: Callable[[str], Briefing]
    curator_for: Callable[[str], Curator]
    _briefings: dict[str, Briefing] = field(default_factory=dict, repr=False)
    #: Draws answers' pictures: in a worker process for the bot, in a thread elsewhere (`open_services`).
    painter: Painter = field(default_factory=Painter)
    #: Holds every post to Discord (digests and watch alerts alike) within this process's share of the limits.
    pacer: Pacer = field(default_factory=Pacer)

    @classmethod
    def build(cls, settings: Settings, store: Store, *, clock: Callable[[], datetime] = utcnow) -> Services:
        """Wire the services over an open store; `clock` lets tests and benchmarks move time.

        Each topic has its own `Briefing` (and so its own answer cache, kept until that topic changes) and its
        own `Curator`, made on first use: `briefing_for` and `curator_for`.
        """
        topics = Topics(store, settings.default_topic)
        briefings: dict[str, Briefing] = {}
        curators: dict[str, Curator] = {}

        def briefing_for(topic: str) -> Briefing:
            if topic not in briefings:
                briefings[topic] = Briefing(
                    store,
                    topic,
                    settings.default_stakeholder,
                    cache_size=settings.answer_cache,
                    version=functools.partial(topics.table.version, topic),
                    pictures=settings.pictures,
                )
            return briefings[topic]

        def curator_for(topic: str) -> Curator:
            if topic not in curators:
                curators[topic] = Curator(store, briefing_for(topic))
            return curators[topic]

        digests = DigestService(
            store,
            briefing_for=briefing_for,
            default_topic=settings.default_topic,
            timezone=settings.timezone,
            clock=clock,
        )
        reading = Reader(Fetcher(allow_private=settings.fetch_allow_private_addresses))
        review = Review(
            store,
            topics,
            curator_for,
            review_channel_id=settings.review_channel_id,
            alert_channel_id=settings.alert_channel_id,
            clock=clock,
        )
        proposing = Proposer(
            store,
            curator_for,
            reading,
            review,
            default_topic=settings.default_topic,
            review_channel_id=settings.review_channel_id,
            clock=clock,
        )
        feeds = Feeds(
            store,
            topics,
            curator_for,
            reading,
            proposing,
            review,
            poll_minutes=settings.feed_poll_minutes,
            review_channel_id=settings.review_channel_id,
            alert_channel_id=settings.alert_channel_id,
            clock=clock,
            shards=settings.shards,
        )
        intake = Intake(feeds, reading, proposing, review)
        watches = WatchService(store, briefing_for, clock=clock)
        briefing, curator = briefing_for(settings.default_topic), curator_for(settings.default_topic)
        pacer = Pacer(overall=(settings.shards.global_limit(GLOBAL_LIMIT[0]), GLOBAL_LIMIT[1]))
        return cls(
            settings,
            store,
            briefing,
            curator,
            digests,
            intake,
            topics,
            watches,
            briefing_for,
            curator_for,
            briefings,
            pacer=pacer,
        )

    async def in_force(self, topic: str | None, channel_id: int | None, guild_id: int | None) -> Briefing:
        """The briefing of the topic in force: `topic` if given, else the channel's, the server's, DEFAULT_TOPIC."""
        return self.briefing_for((await self.topics.in_force(topic, channel_id, guild_id)).slug)

    async def _topic_of_fact(self, fact_id: int) -> str:
        fact = await self.store.fact(fact_id)
        topic = await self.store.topic_by_id(fact.topic_id) if fact else None
        return topic.slug if topic else self.settings.default_topic

    async def curator_of_fact(self, fact_id: int) -> Curator:
        """The curator of the topic a fact belongs to: edits, retractions and restores go to the fact's own topic."""
        return self.curator_for(await self._topic_of_fact(fact_id))

    async def briefing_of_fact(self, fact_id: int) -> Briefing:
        """The briefing of the topic a fact belongs to (its history is cached with that topic's answers)."""
        return self.briefing_for(await self._topic_of_fact(fact_id))

    def deliveries(self, poster: Poster, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> Deliveries:
        """Digest delivery through `poster`, with the grace and alert channel the settings give."""
        return Deliveries(
            self.digests,
            poster,
            grace=timedelta(minutes=self.settings.digest_grace_minutes),
            alert_channel_id=self.settings.alert_channel_id,
            sleep=sleep,
            shards=self.settings.shards,
            pacer=self.pacer,
        )

    def announcer(
        self, messenger: Messenger, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> Announcer:
        """Watch alerts through `messenger`, batched by WATCH_BATCH_MINUTES, paced with the digests."""
        return Announcer(
            self.store,
            messenger,
            window=timedelta(minutes=self.settings.watch_batch_minutes),
            clock=self.watches.clock,
            pacer=self.pacer,
            alert_channel_id=self.settings.alert_channel_id,
            shards=self.settings.shards,
            sleep=sleep,
        )

    def answer_cache_report(self) -> str:
        """How the answer caches did, for the log at close."""
        return "; ".join(f"{b.answers.report()} for {topic}" for topic, b in self._briefings.items())

    async def close(self) -> None:
        """Close intake's HTTP client and the picture worker, then the store."""
        await self.intake.reading.fetcher.close()
        self.painter.close()
        await self.store.close()


def _described(target: Path | str) -> str:
    """A store as the start-up log names it: a SQLite file by its absolute path, a URL without its password."""
    if is_postgres(str(target)):
        return f"{shown(str(target))} (PostgreSQL)"
    return f"{target if str(target) == ':memory:' else Path(target).absolute()} (SQLite)"


async def open_store(settings: Settings, *, seed: bool = True) -> Store:
    """Open the store `DATABASE_URL` or `DATABASE_PATH` names and, unless `seed` is false, seed it on first start.

    Every front end opens the store here, so a store that cannot be opened, or a bad pack in PACKS_DIR on
    first start, is the same one line in each: a `ConfigError` naming the setting.
    """
    setting, target = settings.store_address
    try:
        store = await Store.open(target)
    except StoreUnavailable as exc:
        raise ConfigError.of(setting, str(exc)) from None
    # Said once at start, since without DATABASE_PATH the store's place depends on how briefbot was installed.
    log.info("store: %s", _described(target))
    if seed:
        try:
            await seed_if_empty(store, settings.packs_dir)
        except PacksRejected as exc:
            await store.close()
            files = " ".join(str(path) for path in exc.problems)
            raise ConfigError.of(
                "PACKS_DIR", f"{exc}; `briefbot import --dry-run {files}` lists the problems"
            ) from None
        except BaseException:
            await store.close()
            raise
    return store


async def open_services(settings: Settings, *, clock: Callable[[], datetime] = utcnow) -> Services:
    """Open the store named by the settings (seeding it on first start) and build the services over it.

    The default topic and stakeholder are checked against the store here, at start, because a wrong one
    otherwise starts without a word and fails later in every answer that uses it.
    """
    services = Services.build(settings, await open_store(settings), clock=clock)
    try:
        await _check_defaults(services)
    except BaseException:
        await services.close()
        raise
    return services


async def _check_defaults(services: Services) -> None:
    """A `ConfigError` when DEFAULT_TOPIC or DEFAULT_STAKEHOLDER names nothing the store holds.

    An empty store has nothing to check against (the console and `/brief` say to load a pack), and a
    topic without stakes has no stakeholder to name. The stakeholder is resolved as `/stakes` resolves
    it, so a name that passes here is one that answers there.
    """
    settings, store = services.settings, services.store
    topics = await store.topics()
    if not topics:
        return
    topic = next((t for t in topics if t.slug == settings.default_topic), None)
    if topic is None:
        slugs = _closest(settings.default_topic, [t.slug for t in topics])
        raise ConfigError.of("DEFAULT_TOPIC", f"the store has no topic {settings.default_topic!r}; it has {slugs}")
    named = settings.default_stakeholder
    try:
        actor_id: int | None = await services.briefing.resolve(topic, "actor", named)
    except NotFound:
        actor_id = None
    if actor_id is not None and await store.stakes(actor_id, None, 1):
        return
    stakeholders = await store.stakeholders(topic.id)
    if not stakeholders:
        return
    actor = await store.actor(actor_id) if actor_id is not None else None
    problem = f"{named!r} ({actor.name}) has no stakes" if actor else f"no actor with stakes is called {named!r}"
    names = _closest(named, [holder.name for holder in stakeholders])
    raise ConfigError.of(
        "DEFAULT_STAKEHOLDER", f"{problem} in {topic.slug!r}; those with stakes are, closest first: {names}"
    )


def _closest(text: str, choices: list[str], limit: int = 5) -> str:
    """The choices most like `text`, best first, as a readable list (the rest counted, not listed)."""
    best = [match[0] for match in process.extract(text, choices, scorer=fuzz.WRatio, limit=limit)]
    more = f" and {len(choices) - len(best)} more" if len(choices) > len(best) else ""
    return ", ".join(best) + more
