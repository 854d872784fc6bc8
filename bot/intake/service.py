"""Intake: feeds and articles in, candidate facts out, and the moderators' decisions on them.

The flow, end to end:

1. A feed is polled (`poll`, or a whole `round` on the scheduler) with its ETag and Last-Modified, so an
   unchanged feed costs one 304. Feeds are polled at most `concurrency` at a time; a feed that fails is
   backed off (twice the interval per failure in a row, at most six hours), its error kept for
   `/feed list`, and moderators are told in ALERT_CHANNEL_ID once it has failed for a day. Nothing a
   feed answers can stop the round: every failure ends as that feed's error.
2. Each item not seen before (by guid or link, from any feed, ever) has its article fetched and its
   main text and metadata extracted; an article seen before under another link (same canonical URL or
   same text) is recorded and left at that. An article that cannot be fetched falls back to the
   item's own summary.
3. The text's sentences that name a known actor, place or event, or the topic's own terms, become
   candidates: the fact form's fields filled in (statement, what it names, the day it states or the
   article's, the source, the feed's reliability and credibility 3), plus the stored fact it nearly
   duplicates, if any. A sentence proposed once, whatever became of it, is never proposed again.
4. `deliver` posts each candidate through the edge's `ReviewPoster`; a moderator approves (the fact is
   written by the `Curator`, the one write path, with the item on record), edits first, or rejects.

Nothing here knows Discord: the edge hands in a `ReviewPoster`.
"""

from __future__ import annotations

import asyncio
import html
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, Protocol

from pydantic import ValidationError

from bot.briefing.answer import Answer, Citation, Line, Section, format_day, moment
from bot.briefing.queries import build
from bot.briefing.service import grade_meaning
from bot.curation.models import FactFields
from bot.curation.service import Curator, capped_note
from bot.errors import NotFound, UserError
from bot.intake.fetch import FEED_TYPES, HTML_TYPES, TEXT_TYPES, Fetcher, FetchError, describe
from bot.intake.languages import candidate_language, skipped_because
from bot.intake.models import FeedAddRequest, SourceAddRequest
from bot.intake.parse import Article, ParsedFeed, ParseError, extract_html, extract_text, parse_feed
from bot.intake.sentences import Gazetteer, Sentence, candidates, sentence_key
from bot.models import PARTY_CREDIBILITY, Author, SourceKind, capped_credibility, claimed_by, is_party, latest_day
from bot.shards import Shards
from bot.store import Store
from bot.store.intake import CandidateRecord, FeedRecord, IntakeStore
from bot.store.records import SourceRecord, TopicRecord
from bot.store.writes import utcnow

log = logging.getLogger(__name__)

#: New items read from one feed per poll; the rest wait for the next poll.
MAX_NEW_ITEMS = 25
#: Feeds polled at once in a round.
CONCURRENCY = 10
#: Documents parsed at once, off the event loop.
PARSERS = 2
MAX_BACKOFF = timedelta(hours=6)
ALERT_AFTER = timedelta(days=1)
#: How long the topic's names are reused before they are read again.
GAZETTEER_TTL = timedelta(seconds=60)
_TAGS = re.compile(r"<[^>]+>")


class ReviewPoster(Protocol):
    """Where candidates are shown to moderators: the edge posts them with their buttons."""

    async def post_candidate(self, channel_id: int, candidate: CandidateRecord, answer: Answer) -> int:
        """Post one candidate's review message; returns its message id."""
        ...

    async def alert(self, channel_id: int, text: str) -> None:
        """Tell moderators something needs them."""
        ...


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


@dataclass
class ArticleOutcome:
    """What reading one article did."""

    title: str
    status: Literal["proposed", "duplicate", "empty", "skipped"]
    candidates: int
    url: str | None
    #: Why nothing was proposed, for a report that was skipped.
    detail: str | None = None


class IntakeService:
    """Feeds, articles and proposals into candidates; candidates into facts when a moderator says so."""

    def __init__(
        self,
        store: Store,
        curator_for: Callable[[str], Curator],
        default_topic: str,
        fetcher: Fetcher,
        *,
        poll_minutes: int = 15,
        review_channel_id: int | None = None,
        alert_channel_id: int | None = None,
        concurrency: int = CONCURRENCY,
        clock: Callable[[], datetime] = utcnow,
        shards: Shards | None = None,
    ) -> None:
        self.store = store
        self.intake = IntakeStore(store.db)
        self.curator_for = curator_for
        self.default_topic = default_topic
        self.fetcher = fetcher
        self.poll_interval = timedelta(minutes=poll_minutes)
        self.review_channel_id = review_channel_id
        self.alert_channel_id = alert_channel_id
        self.concurrency = concurrency
        self.clock = clock
        self.poster: ReviewPoster | None = None
        #: With several processes: the servers whose feeds this one polls, and whether it can post in a
        #: channel (its shards' servers'); the edge sets the second from its gateway cache.
        self.shards = shards or Shards()
        self.reaches: Callable[[int], bool] = lambda _channel_id: True
        self._locks: dict[int, asyncio.Lock] = {}
        self._delivering = asyncio.Lock()
        self._parsers = asyncio.Semaphore(PARSERS)
        self._gazetteers: dict[str, tuple[datetime, Gazetteer]] = {}

    @property
    def curator(self) -> Curator:
        """The curator of DEFAULT_TOPIC."""
        return self.curator_for(self.default_topic)

    async def topic_slug(self, topic_id: int | None) -> str:
        """The slug of a feed's or a candidate's topic (a feed from before topics: DEFAULT_TOPIC)."""
        topic = await self.store.topic_by_id(topic_id) if topic_id is not None else None
        return topic.slug if topic else self.default_topic

    # Feeds ------------------------------------------------------------------------------------------------

    async def add_feed(
        self, q: FeedAddRequest, guild_id: int | None, who: Author, *, topic: str | None = None
    ) -> tuple[FeedRecord, PollOutcome]:
        """Follow a feed for a topic (default: DEFAULT_TOPIC) after reading it once, then propose what it holds.

        A URL that is no feed is refused.
        """
        record = await self.curator_for(topic or self.default_topic).briefing.topic()
        if q.channel is None and self.review_channel_id is None:
            raise UserError("Name a `channel` for its candidates, or set REVIEW_CHANNEL_ID.")
        existing = await self.intake.feed_by_url(q.url)
        if existing is not None and existing.status != "removed":
            raise UserError(f"Feed #{existing.id} already follows this URL ({existing.title}).")
        try:
            fetched = await self.fetcher.get(q.url, FEED_TYPES | TEXT_TYPES)
            parsed = await self._parse(parse_feed, fetched.body, fetched.url)
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
        await self.deliver()
        return await self._feed(feed_id), outcome

    async def feeds(self) -> list[FeedRecord]:
        """The feeds followed (active and paused)."""
        return await self.intake.feeds()

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
                fetched = await self.fetcher.get(
                    feed.url, FEED_TYPES | TEXT_TYPES, etag=feed.etag, last_modified=feed.last_modified
                )
                if fetched.not_modified:
                    await self.intake.poll_ok(
                        feed.id, at=self.clock(), title=None, etag=fetched.etag, last_modified=None, items_now=None
                    )
                    return PollOutcome(feed.id, feed.title, "unchanged", items=feed.items_now)
                parsed = await self._parse(parse_feed, fetched.body, fetched.url)
                outcome = await self._items(feed, parsed)
            except Exception as exc:
                if not isinstance(exc, UserError):
                    log.info("feed #%s failed: %s", feed.id, describe(exc), exc_info=not _expected(exc))
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
        await self.deliver()
        await self.alerts()
        return outcomes

    async def alerts(self) -> int:
        """Tell moderators of each feed failing for a day, once until it works again; returns how many."""
        if self.poster is None or self.alert_channel_id is None:
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
                await self.poster.alert(self.alert_channel_id, text[:1900])
            except Exception:
                log.warning("could not alert about feed #%s", feed.id, exc_info=True)
                continue
            await self.intake.mark_alerted(feed.id)
            told += 1
        return told

    # Items and articles -----------------------------------------------------------------------------------

    async def _parse(self, parser: Callable[[bytes, str], ParsedFeed], body: bytes, url: str) -> ParsedFeed:
        async with self._parsers:
            return await asyncio.to_thread(parser, body, url)

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
                article = await self._article_of(item.link, item.title, item.summary, feed.title, item.published)
                outcome = await self._propose(
                    article,
                    topic=await self.topic_slug(feed.topic_id),
                    feed_id=feed.id,
                    guid=item.guid,
                    url=item.link,
                    reliability=feed.reliability,
                    channel_id=feed.channel_id,
                )
                proposed += outcome.candidates
                skipped += outcome.status == "skipped"
            except Exception as exc:
                log.info("feed #%s: item %s failed: %s", feed.id, item.link, describe(exc), exc_info=not _expected(exc))
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

    async def _article_of(
        self, link: str | None, title: str, summary: str, publisher: str, published: date | None
    ) -> Article:
        """The item's article, fetched and extracted; its summary in the feed when the article cannot be had."""
        problem: Exception | None = None
        if link:
            try:
                return await self.read_url(link)
            except Exception as exc:
                problem = exc
        text = html.unescape(_TAGS.sub(" ", summary))
        if not text.strip():
            raise problem or UserError("the item has neither a link nor a summary")
        return Article(
            title=title or publisher, publisher=publisher, published=published, canonical_url=None, text=text
        )

    async def read_url(self, url: str) -> Article:
        """An article at a URL: HTML read for its text, or plain text."""
        fetched = await self.fetcher.get(url, HTML_TYPES | TEXT_TYPES)
        async with self._parsers:
            if fetched.content_type in HTML_TYPES:
                article = await asyncio.to_thread(extract_html, fetched.body, fetched.url)
            else:
                text = fetched.body.decode(fetched.charset or "utf-8", errors="replace")
                article = await asyncio.to_thread(extract_text, text, fetched.url)
        if article.canonical_url is None:
            article = Article(article.title, article.publisher, article.published, fetched.url, article.text)
        return article

    async def read_file(self, name: str, data: bytes) -> Article:
        """An article given as a file: HTML by its name or its first bytes, otherwise plain text."""
        head = data[:1024].lstrip().lower()
        is_html = name.lower().endswith((".html", ".htm", ".xhtml")) or head.startswith((b"<!doctype html", b"<html"))
        async with self._parsers:
            if is_html:
                return await asyncio.to_thread(extract_html, data, None)
            return await asyncio.to_thread(extract_text, data, name)

    async def _side_of(self, topic_id: int, slug: str | None) -> str | None:
        """The side of the known actor `slug`, if any: whether the candidate it claims is a party's."""
        actor_id = await self.store.entity_by_slug(topic_id, "actor", slug) if slug else None
        actor = await self.store.actor(actor_id) if actor_id else None
        return actor.side if actor else None

    async def topic_gazetteer(self, slug: str | None = None) -> Gazetteer:
        """A topic's names and terms, read again after `GAZETTEER_TTL` (curators add names as they go)."""
        now = self.clock()
        slug = slug or self.default_topic
        known = self._gazetteers.get(slug)
        if known is None or now - known[0] > GAZETTEER_TTL:
            topic = await self.curator_for(slug).briefing.topic()
            title_parts = re.split(r"[()]", topic.title)
            terms = [part.strip() for part in title_parts if part.strip()] + [topic.slug.replace("-", " ")]
            known = self._gazetteers[slug] = (now, Gazetteer.build(await self.intake.known_names(topic.id), terms))
        return known[1]

    def _fields(self, sentence: Sentence, article: Article, url: str | None, reliability: str) -> FactFields:
        latest = latest_day(self.clock())
        published = article.published if article.published and article.published <= latest else None
        values: dict[str, object] = {
            "statement": sentence.text,
            "kind": sentence.kind,
            "actors": sentence.actors,
            "place": sentence.place,
            "event": sentence.event,
            "as_of": sentence.stated_day or published or self.clock().date(),
            "source_title": article.title[:300],
            "source_publisher": (article.publisher or "")[:200] or None,
            "source_url": article.canonical_url or url,
            "source_date": published,
            "reliability": reliability,
            "credibility": 3,
            "claimant": sentence.claimant,
            "claimant_actor": next((k.slug for k in sentence.claimant_names if k.entity == "actor"), None),
        }
        try:
            return FactFields.model_validate(values)
        except ValidationError:
            # A source URL the fact model refuses is dropped rather than losing the sentence.
            return FactFields.model_validate({**values, "source_url": None})

    async def _propose(
        self,
        article: Article,
        *,
        topic: str,
        feed_id: int | None,
        guid: str | None,
        url: str | None,
        reliability: str,
        channel_id: int | None,
    ) -> ArticleOutcome:
        """Record an article as read and its on-topic sentences as candidates (none if it was read before)."""
        item = {
            "feed_id": feed_id,
            "guid": guid,
            "url": url,
            "canonical_url": article.canonical_url,
            "text_hash": article.text_hash,
            "title": article.title,
            "publisher": article.publisher,
            "published": article.published.isoformat() if article.published else None,
            "at": self.clock(),
        }
        if await self.intake.seen_article(article.canonical_url, article.text_hash):
            await self.intake.add_item(**item, status="duplicate", detail="read before under another link")  # type: ignore[arg-type]
            return ArticleOutcome(article.title, "duplicate", 0, article.canonical_url or url)
        curator = self.curator_for(topic)
        record = await curator.briefing.topic()
        skipped = skipped_because(article.language, record.languages, record.slug)
        if skipped is not None:
            await self.intake.add_item(**item, status="skipped", detail=skipped)  # type: ignore[arg-type]
            return ArticleOutcome(article.title, "skipped", 0, article.canonical_url or url, skipped)
        found = []
        for sentence in candidates(article.text, await self.topic_gazetteer(topic), latest_day(self.clock())):
            try:
                fields = self._fields(sentence, article, url, reliability)
            except ValidationError as exc:
                log.info("sentence left out: %s", exc.errors()[0]["msg"])
                continue
            key = sentence_key(record.id, fields.statement)
            if await self.intake.known_sentence(record.id, key):
                continue
            duplicate = await curator.near_duplicate(fields.statement)
            found.append(
                {
                    "topic_id": record.id,
                    "sentence_key": key,
                    "fields": fields.model_dump(mode="json"),
                    "links": [{"entity": k.entity, "slug": k.slug, "name": k.name} for k in sentence.names],
                    "duplicate_of": duplicate.id if duplicate else None,
                    "channel_id": channel_id,
                    # The report's language, unless the sentence was told apart as another one.
                    "language": article.language if sentence.language == "en" else sentence.language,
                    "day_note": sentence.day_note,
                    "claimant_side": await self._side_of(record.id, fields.claimant_actor),
                }
            )
        _, created = await self.intake.add_item(
            **item,  # type: ignore[arg-type]
            status="proposed" if found else "empty",
            detail=None,
            candidates=found,
        )
        return ArticleOutcome(
            article.title, "proposed" if created else "empty", len(created), article.canonical_url or url
        )

    async def add_source(
        self,
        q: SourceAddRequest,
        *,
        file: tuple[str, bytes] | None,
        channel_id: int | None,
        topic: str | None = None,
    ) -> ArticleOutcome:
        """One article, by URL or as a file, into candidates about a topic (default: DEFAULT_TOPIC) for review."""
        if (q.url is None) == (file is None):
            raise UserError("Give either a `url` or a `file` (an HTML or text copy of the article), not both.")
        channel = self.review_channel_id or channel_id
        try:
            if q.url is not None:
                if await self.intake.seen_item(None, q.url):
                    raise UserError("That article was read before; its sentences were proposed then.")
                article = await self.read_url(q.url)
            else:
                assert file is not None
                article = await self.read_file(*file)
        except UserError:
            raise
        except Exception as exc:
            raise UserError(f"Could not read that article: {describe(exc)}.") from None
        outcome = await self._propose(
            article,
            topic=topic or self.default_topic,
            feed_id=None,
            guid=None,
            url=q.url,
            reliability=q.reliability,
            channel_id=channel,
        )
        await self.deliver()
        return outcome

    async def propose(
        self, fields: FactFields, who: Author, channel_id: int | None, *, topic: str | None = None
    ) -> CandidateRecord:
        """A fact proposed by anyone, through the fact form: it waits for a moderator like a feed's candidate."""
        curator = self.curator_for(topic or self.default_topic)
        record = await curator.briefing.topic()
        # Names resolved now, so a proposer hears at once of a name the store does not know.
        actors = [await curator.slug("actor", name) for name in fields.actors]
        resolved = {
            "actors": [a for a in actors if a],
            "event": await curator.slug("event", fields.event),
            "place": await curator.slug("place", fields.place),
            "stakeholder": await curator.slug("actor", fields.stakeholder),
            "claimant_actor": await curator.slug("actor", fields.claimant_actor),
        }
        fields = fields.model_copy(update=resolved)
        key = sentence_key(record.id, fields.statement)
        duplicate = await curator.near_duplicate(fields.statement)
        candidate_id = await self.intake.add_candidate(
            at=self.clock(),
            topic_id=record.id,
            sentence_key=key,
            fields=fields.model_dump(mode="json"),
            links=[],
            duplicate_of=duplicate.id if duplicate else None,
            channel_id=self.review_channel_id or channel_id,
            proposed_by=who.id,
            proposed_by_name=who.name,
            claimant_side=await self._side_of(record.id, fields.claimant_actor),
        )
        if candidate_id is None:
            raise UserError("That statement was proposed before; moderators have it already.")
        await self.deliver()
        return await self.candidate(candidate_id)

    # Review -----------------------------------------------------------------------------------------------

    async def candidate(self, candidate_id: int) -> CandidateRecord:
        """A candidate, or `NotFound`."""
        found = await self.intake.candidate(candidate_id)
        if found is None:
            raise NotFound(f"There is no candidate #{candidate_id}.")
        return found

    async def deliver(self) -> int:
        """Post every candidate not yet posted for review; those that cannot be posted wait for the next round."""
        if self.poster is None:
            return 0
        async with self._delivering:  # a round and a command delivering at once would both post each one
            return await self._deliver(self.poster)

    async def _deliver(self, poster: ReviewPoster) -> int:
        posted = 0
        for candidate in await self.intake.unposted():
            channel = candidate.channel_id or self.review_channel_id
            if channel is None or not self.reaches(channel):
                continue
            try:
                message_id = await poster.post_candidate(channel, candidate, await self.review(candidate))
            except Exception:
                log.warning("could not post candidate #%s to channel %s", candidate.id, channel, exc_info=True)
                continue
            await self.intake.posted(candidate.id, channel, message_id)
            posted += 1
        return posted

    async def approve(self, candidate_id: int, who: Author, fields: FactFields | None = None) -> CandidateRecord:
        """Write the candidate (or the moderator's edit of it) as a fact through the one write path, on record."""
        candidate = await self._claim(candidate_id)
        try:
            wanted = fields or build(FactFields, **candidate.fields)
            origin = f"from {candidate.item_url}" if candidate.item_url else f"proposed by {candidate.proposed_by_name}"
            reason = f"approved candidate #{candidate.id} ({origin})"
            curator = self.curator_for(await self.topic_slug(candidate.topic_id))
            fact_id = await curator.add_fact(wanted, who, reason=reason[:500])
        except BaseException:
            await self.intake.release(candidate_id)
            raise
        await self.intake.decide(
            candidate_id, "approved", author_id=who.id, author_name=who.name, at=self.clock(), fact_id=fact_id
        )
        return await self.candidate(candidate_id)

    async def reject(self, candidate_id: int, who: Author) -> CandidateRecord:
        """Write nothing, but remember: the same sentence is never proposed again."""
        await self._claim(candidate_id)
        await self.intake.decide(
            candidate_id, "rejected", author_id=who.id, author_name=who.name, at=self.clock(), fact_id=None
        )
        return await self.candidate(candidate_id)

    async def _claim(self, candidate_id: int) -> CandidateRecord:
        candidate = await self.candidate(candidate_id)
        if not await self.intake.claim(candidate_id):
            decided = await self.candidate(candidate_id)
            who = f" by {decided.decided_by_name}" if decided.decided_by_name else ""
            raise UserError(f"Candidate #{candidate_id} was {decided.status}{who} already.")
        return candidate

    async def review(self, candidate: CandidateRecord) -> Answer:
        """A candidate as moderators see it: the sentence, what it links to, its source and grade, the decision."""
        side = candidate.claimant_side
        fields = {**candidate.fields, "credibility": capped_credibility(int(candidate.fields["credibility"]), side)}
        grade = f"{fields['reliability']}{fields['credibility']}"
        source = SourceRecord(
            id=0,
            title=fields["source_title"],
            publisher=fields.get("source_publisher"),
            url=fields.get("source_url"),
            published=date.fromisoformat(fields["source_date"]) if fields.get("source_date") else None,
            kind=SourceKind.BACKGROUND if fields.get("background") else SourceKind.DOCUMENT,
            note=None,
        )
        linked = _linked(candidate)
        sections = [
            Section(title="Linked to", lines=[Line(text=linked or "nothing known: link it with Edit")]),
            Section(title="Kind", lines=[Line(text=str(fields["kind"]))], inline=True),
            Section(title="As of", lines=[Line(text=_as_of(fields["as_of"], candidate.day_note))], inline=True),
            Section(title="Grade", lines=[Line(text=grade_meaning(fields["reliability"], int(fields["credibility"])))]),
            *_claim_sections(fields.get("claimant"), side, candidate.language),
        ]
        if candidate.duplicate_of:
            sections.append(
                Section(
                    title="Nearly duplicates",
                    lines=[
                        Line(text=f"fact #{candidate.duplicate_of}: approving it is refused; edit that one instead")
                    ],
                )
            )
        origin = f"proposed by {candidate.proposed_by_name}" if candidate.proposed_by_name else "from a feed or article"
        sections.append(Section(title="Origin", lines=[Line(text=origin)]))
        topic = await self.store.topic_by_id(candidate.topic_id)
        sections.append(Section(title="Topic", lines=[Line(text=topic_label(topic, candidate.topic_id))], inline=True))
        if candidate.status in ("approved", "rejected") and candidate.decided_at:
            verdict = (
                f"✅ Approved by {candidate.decided_by_name} as fact #{candidate.fact_id}"
                if candidate.status == "approved"
                else f"❌ Rejected by {candidate.decided_by_name}; it will not be proposed again"
            )
            decision = [Line(text=f"{verdict}, {moment(candidate.decided_at)}")]
            stored = await self.store.fact(candidate.fact_id) if candidate.fact_id else None
            if stored and (capped := capped_note(int(candidate.fields["credibility"]), stored)):
                decision.append(Line(text=capped))
            sections.append(Section(title="Decision", lines=decision))
        citation = Citation(
            number=1, source=source, grades=[grade], fact_ids=[candidate.fact_id] if candidate.fact_id else []
        )
        return Answer(
            title=f"Candidate #{candidate.id}"
            + {"approved": " (approved)", "rejected": " (rejected)"}.get(candidate.status, ""),
            lines=[Line(text=str(fields["statement"]), cites=[1])],
            sections=sections,
            citations=[citation],
            footer="Approve writes it as a fact; Edit opens the fact form first; Reject remembers the sentence.",
        )

    # Listing ----------------------------------------------------------------------------------------------

    async def listing(self, feeds: list[FeedRecord]) -> Answer:
        """The feeds followed: number, title, topic, state, grade, channel, last poll, last error."""
        if not feeds:
            return Answer(title="Feeds", lines=[Line(text="No feed is followed. Moderators: `/feed add url`.")])
        lines = []
        for feed in feeds[:40]:
            state = "⏸️ paused" if feed.status == "paused" else ("⚠️ failing" if feed.failures else "✅ ok")
            where = f"<#{feed.channel_id}>" if feed.channel_id else "the review channel"
            polled = f"polled {moment(feed.last_polled_at)}" if feed.last_polled_at else "not polled yet"
            topic = await self.topic_slug(feed.topic_id)
            text = (
                f"**#{feed.id} {feed.title}** · topic `{topic}` · {state} · grade {feed.reliability}"
                f" · {feed.items_now} items · "
                f"to {where} · {polled}\n<{feed.url}>"
            )
            if feed.last_error and feed.failures:
                since = f" since {moment(feed.failing_since)}" if feed.failing_since else ""
                text += f"\nLast error ({feed.failures} in a row{since}): {feed.last_error}"
            lines.append(Line(text=text))
        more = f"; {len(feeds) - 40} more not shown" if len(feeds) > 40 else ""
        return Answer(title=f"Feeds ({len(feeds)})", lines=lines, footer=f"Polled every {self.minutes} minutes{more}.")

    @property
    def minutes(self) -> int:
        """The poll interval in whole minutes, as people are told it."""
        return math.ceil(self.poll_interval.total_seconds() / 60)


def _as_of(day: str, note: str | None) -> str:
    """The day a candidate reports, and why it is the article's own date when the sentence's could not be known."""
    shown = format_day(date.fromisoformat(day))
    return f"{shown} ({note})" if note else shown


def _claim_sections(claimant: str | None, side: str | None, language: str) -> list[Section]:
    """Who claims a candidate (and whether a party, which caps its grade) and its language when not English."""
    sections = []
    if claimant:
        party = f": approved, it is graded {PARTY_CREDIBILITY} (possibly true) at best" if is_party(side) else ""
        sections.append(Section(title="Claimant", lines=[Line(text=f"{claimed_by(claimant, side)}{party}")]))
    if shown := candidate_language(language):
        sections.append(Section(title="Language", lines=[Line(text=shown)], inline=True))
    return sections


def topic_label(topic: TopicRecord | None, topic_id: int) -> str:
    """A topic as moderators see it on a candidate."""
    return f"{topic.title} (`{topic.slug}`)" if topic else f"topic #{topic_id} (gone)"


def _linked(candidate: CandidateRecord) -> str:
    """What a candidate is about, by kind: names from the sentence, or the proposal's own fields."""
    groups: dict[str, list[str]] = {}
    for link in candidate.links:
        groups.setdefault(link["entity"], []).append(link["name"])
    if not candidate.links:
        fields = candidate.fields
        if fields.get("actors"):
            groups["actor"] = list(fields["actors"])
        for entity in ("place", "event", "stakeholder"):
            if fields.get(entity):
                groups.setdefault(entity, []).append(str(fields[entity]))
    labels = {"actor": "actors", "place": "places", "event": "events", "stakeholder": "stakeholder"}
    return "; ".join(f"{labels.get(kind, kind)}: {', '.join(names)}" for kind, names in groups.items())


def _expected(exc: BaseException) -> bool:
    """Failures that are the outside world's doing, logged without a traceback."""
    return isinstance(exc, FetchError | ParseError | UserError)
