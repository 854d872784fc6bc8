"""Feeds: following, polling (one feed, or a round of the due ones), backing off and alerting.

A feed is polled with its ETag and Last-Modified, so an unchanged feed costs one 304. A round polls at
most `concurrency` feeds at once; a feed that fails is backed off (twice the interval per failure in a
row, at most `MAX_BACKOFF`), its error kept for `/feed list`, and moderators are told in ALERT_CHANNEL_ID
once it has failed for `ALERT_AFTER`. Nothing a feed answers can stop the round: every failure ends as
that feed's error. The new items of a poll are read (`Reader`) and proposed (`Proposer`); the round then
has review post what waits.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.briefing.answer import Answer
from bot.curation.service import Curator
from bot.errors import NotFound, UserError
from bot.intake.fetch import FEED_TYPES, TEXT_TYPES, describe
from bot.intake.models import FeedAddRequest
from bot.intake.parse import ParsedFeed, parse_feed
from bot.intake.proposing import Proposer
from bot.intake.reading import Reader, expected
from bot.intake.review import Review
from bot.models import Author
from bot.render.intake import feed_listing, poll_minutes
from bot.shards import Shards
from bot.store import Store
from bot.store.intake import FeedRecord, IntakeStore
from bot.topics.service import Topics

log = logging.getLogger(__name__)

#: New items read from one feed per poll; the rest wait for the next poll.
MAX_NEW_ITEMS = 25
#: Feeds polled at once in a round.
CONCURRENCY = 10
MAX_BACKOFF = timedelta(hours=6)
ALERT_AFTER = timedelta(days=1)


@dataclass
class PollOutcome:
    """What one poll of one feed did."""

    feed_id: int
    title: str
    status: Literal["new", "unchanged", "failed"]
    items: int = 0
    new_items: int = 0
    candidates: int = 0
    error: str | None = None
    #: New items not proposed because of their language (each recorded as skipped, with the reason).
    skipped: int = 0


class Feeds:
    """The feeds followed, and their polling."""

    def __init__(
        self,
        store: Store,
        topics: Topics,
        curator_for: Callable[[str], Curator],
        reader: Reader,
        proposer: Proposer,
        review: Review,
        *,
        poll_minutes: int = 15,
        review_channel_id: int | None = None,
        alert_channel_id: int | None = None,
        concurrency: int = CONCURRENCY,
        clock: Callable[[], datetime],
        shards: Shards | None = None,
    ) -> None:
        self.intake = IntakeStore(store.db)
        self.topics = topics
        self.curator_for = curator_for
        self.reader = reader
        self.proposer = proposer
        self.review = review
        self.poll_interval = timedelta(minutes=poll_minutes)
        self.review_channel_id = review_channel_id
        self.alert_channel_id = alert_channel_id
        self.concurrency = concurrency
        self.clock = clock
        #: With several processes: the servers whose feeds this one polls.
        self.shards = shards or Shards()
        self._locks: dict[int, asyncio.Lock] = {}

    async def add_feed(
        self, q: FeedAddRequest, guild_id: int | None, who: Author, *, topic: str | None = None
    ) -> tuple[FeedRecord, PollOutcome]:
        """Follow a feed for a topic (default: DEFAULT_TOPIC) after reading it once, then propose what it holds.

        A URL that is no feed is refused.
        """
        record = await self.curator_for(topic or self.topics.default_topic).briefing.topic()
        if q.channel is None and self.review_channel_id is None:
            raise UserError("Name a `channel` for its candidates, or set REVIEW_CHANNEL_ID.")
        existing = await self.intake.feed_by_url(q.url)
        if existing is not None and existing.status != "removed":
            raise UserError(f"Feed #{existing.id} already follows this URL ({existing.title}).")
        try:
            fetched = await self.reader.fetcher.get(q.url, FEED_TYPES | TEXT_TYPES)
            parsed = await self.reader.parse(parse_feed, fetched.body, fetched.url)
        except Exception as exc:
            raise UserError(f"That URL gives no feed: {describe(exc)}.") from None
        feed_id = await self.intake.add_feed(
            url=q.url,
            title=parsed.title,
            reliability=q.reliability,
            channel_id=q.channel,
            guild_id=guild_id,
            author_id=who.id,
            author_name=who.name,
            at=self.clock(),
            topic_id=record.id,
        )
        await self.intake.poll_ok(
            feed_id,
            at=self.clock(),
            title=parsed.title,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            items_now=parsed.total,
        )
        feed = await self._feed(feed_id)
        async with self._lock(feed_id):
            outcome = await self._items(feed, parsed)
        await self.review.deliver()
        return await self._feed(feed_id), outcome

    async def feeds(self) -> list[FeedRecord]:
        """The feeds followed (active and paused)."""
        return await self.intake.feeds()

    async def listing(self, feeds: list[FeedRecord]) -> Answer:
        """The feeds as `/feed list` shows them, each with its topic."""
        return feed_listing([(feed, await self.topics.slug_of(feed.topic_id)) for feed in feeds], self.poll_interval)

    @property
    def minutes(self) -> int:
        """The poll interval in whole minutes, as people are told it."""
        return poll_minutes(self.poll_interval)

    async def _feed(self, feed_id: int) -> FeedRecord:
        feed = await self.intake.feed(feed_id)
        if feed is None or feed.status == "removed":
            raise NotFound(f"There is no feed #{feed_id}; `/feed list` shows them.")
        return feed

    async def set_status(self, feed_id: int, status: Literal["active", "paused", "removed"]) -> FeedRecord:
        """Pause, resume or remove a feed."""
        feed = await self._feed(feed_id)
        if feed.status == status:
            raise UserError(f"Feed #{feed_id} is already {status}.")
        await self.intake.set_feed_status(feed_id, status)
        return feed

    def _lock(self, feed_id: int) -> asyncio.Lock:
        return self._locks.setdefault(feed_id, asyncio.Lock())

    async def poll(self, feed_id: int) -> PollOutcome:
        """Poll one feed now, conditionally; a failure is recorded on the feed, never raised."""
        feed = await self._feed(feed_id)
        async with self._lock(feed_id):
            feed = await self._feed(feed_id)
            try:
                fetched = await self.reader.fetcher.get(
                    feed.url, FEED_TYPES | TEXT_TYPES, etag=feed.etag, last_modified=feed.last_modified
                )
                if fetched.not_modified:
                    await self.intake.poll_ok(
                        feed.id, at=self.clock(), title=None, etag=fetched.etag, last_modified=None, items_now=None
                    )
                    return PollOutcome(feed.id, feed.title, "unchanged", items=feed.items_now)
                parsed = await self.reader.parse(parse_feed, fetched.body, fetched.url)
                outcome = await self._items(feed, parsed)
            except Exception as exc:
                if not isinstance(exc, UserError):
                    log.info("feed #%s failed: %s", feed.id, describe(exc), exc_info=not expected(exc))
                error = describe(exc)
                await self._failed(feed, error)
                return PollOutcome(feed.id, feed.title, "failed", items=feed.items_now, error=error)
            await self.intake.poll_ok(
                feed.id,
                at=self.clock(),
                title=parsed.title,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                items_now=parsed.total,
            )
            return outcome

    async def _failed(self, feed: FeedRecord, error: str) -> None:
        now = self.clock()
        steps = min(feed.failures + 1, 10)
        delay = min(self.poll_interval * (2**steps), MAX_BACKOFF)
        await self.intake.poll_failed(feed.id, at=now, error=error, next_poll_at=now + delay)

    async def round(self, *, ignore_backoff: bool = False) -> list[PollOutcome]:
        """Poll every due active feed of this process's servers, `concurrency` at a time; then post what waits.

        What waits: candidates for review (in the channels this process reaches) and alerts.
        """
        now = self.clock()
        due = [
            f
            for f in await self.intake.feeds(statuses=("active",))
            if self.shards.owns(f.guild_id) and (ignore_backoff or f.next_poll_at is None or f.next_poll_at <= now)
        ]
        gate = asyncio.Semaphore(self.concurrency)

        async def one(feed: FeedRecord) -> PollOutcome:
            async with gate:
                return await self.poll(feed.id)

        outcomes = list(await asyncio.gather(*(one(f) for f in due)))
        await self.review.deliver()
        await self.alerts()
        return outcomes

    async def alerts(self) -> int:
        """Tell moderators of each feed failing for a day, once until it works again; returns how many."""
        poster = self.review.poster
        if poster is None or self.alert_channel_id is None:
            return 0
        told = 0
        now = self.clock()
        for feed in await self.intake.feeds(statuses=("active",)):
            if (
                not self.shards.owns(feed.guild_id)
                or feed.alerted
                or feed.failing_since is None
                or now - feed.failing_since < ALERT_AFTER
            ):
                continue
            hours = int((now - feed.failing_since).total_seconds() // 3600)
            text = (
                f"⚠️ Feed #{feed.id} ({feed.title}) has failed for {hours} hours: {feed.last_error}."
                f" It is retried every few hours; `/feed pause id:{feed.id}` or `/feed remove id:{feed.id}` stops it."
            )
            try:
                await poster.alert(self.alert_channel_id, text[:1900])
            except Exception:
                log.warning("could not alert about feed #%s", feed.id, exc_info=True)
                continue
            await self.intake.mark_alerted(feed.id)
            told += 1
        return told

    async def _items(self, feed: FeedRecord, parsed: ParsedFeed) -> PollOutcome:
        new = 0
        proposed = 0
        skipped = 0
        for item in parsed.items:
            if new >= MAX_NEW_ITEMS:
                break
            if await self.intake.seen_item(item.guid, item.link):
                continue
            new += 1
            try:
                article = await self.reader.article_of(item.link, item.title, item.summary, feed.title, item.published)
                outcome = await self.proposer.article(
                    article,
                    topic=await self.topics.slug_of(feed.topic_id),
                    feed_id=feed.id,
                    guid=item.guid,
                    url=item.link,
                    reliability=feed.reliability,
                    channel_id=feed.channel_id,
                )
                proposed += outcome.candidates
                skipped += outcome.status == "skipped"
            except Exception as exc:
                log.info("feed #%s: item %s failed: %s", feed.id, item.link, describe(exc), exc_info=not expected(exc))
                await self.intake.add_item(
                    feed_id=feed.id,
                    guid=item.guid,
                    url=item.link,
                    canonical_url=None,
                    text_hash=None,
                    title=item.title or "untitled",
                    publisher=feed.title,
                    published=item.published.isoformat() if item.published else None,
                    status="failed",
                    detail=describe(exc),
                    at=self.clock(),
                )
        return PollOutcome(
            feed.id, parsed.title, "new", items=parsed.total, new_items=new, candidates=proposed, skipped=skipped
        )
