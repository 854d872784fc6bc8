"""Proposing: an article's on-topic sentences into candidates, and facts proposed through the fact form.

A sentence proposed once, whatever became of it, is never proposed again (its key is kept per topic), and
an article read before under another link (same canonical URL or same text) is recorded and left at that.

A dossier accepts reports in English unless its pack lists more languages (`topic.languages`). A report in a
language it does not accept is recorded as skipped, with the reason, rather than proposed as if it were
English: its sentences would be matched against English names and graded like English copy. In an accepted
language other than English, each candidate carries its language, and its review message says so plainly.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import ValidationError

from bot.curation.models import FactFields
from bot.curation.service import Curator
from bot.errors import UserError
from bot.intake.fetch import describe
from bot.intake.language import detect_language
from bot.intake.models import SourceAddRequest
from bot.intake.parse import Article
from bot.intake.reading import Reader
from bot.intake.review import Review
from bot.intake.sentences import MAX_SENTENCES, Gazetteer, Sentence, candidates, sentence_key, split_sentences
from bot.models import Author, latest_day
from bot.render.intake import skipped_because
from bot.store import Store
from bot.store.intake import CandidateRecord, IntakeStore

log = logging.getLogger(__name__)

#: How long the topic's names are reused before they are read again.
GAZETTEER_TTL = timedelta(seconds=60)


@dataclass
class ArticleOutcome:
    """What reading one article did."""

    title: str
    status: Literal["proposed", "duplicate", "empty", "skipped"]
    candidates: int
    url: str | None
    #: Why nothing was proposed, for a report that was skipped.
    detail: str | None = None


class Proposer:
    """Articles and proposals into candidates, each handed to review."""

    def __init__(
        self,
        store: Store,
        curator_for: Callable[[str], Curator],
        reader: Reader,
        review: Review,
        *,
        default_topic: str,
        review_channel_id: int | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.intake = IntakeStore(store.db)
        self.curator_for = curator_for
        self.reader = reader
        self.review = review
        self.default_topic = default_topic
        self.review_channel_id = review_channel_id
        self.clock = clock
        self._gazetteers: dict[str, tuple[datetime, int, Gazetteer]] = {}

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
                article = await self.reader.read_url(q.url)
            else:
                assert file is not None
                article = await self.reader.read_file(*file)
        except UserError:
            raise
        except Exception as exc:
            raise UserError(f"Could not read that article: {describe(exc)}.") from None
        outcome = await self.article(
            article,
            topic=topic or self.default_topic,
            feed_id=None,
            guid=None,
            url=q.url,
            reliability=q.reliability,
            channel_id=channel,
        )
        await self.review.deliver()
        return outcome

    async def article(
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
        latest = latest_day(self.clock())
        published = article.published if article.published and article.published <= latest else None
        # Off the loop: the first report that is not plainly English loads the detector's model (seconds).
        language = await asyncio.to_thread(detect_language, article.text, article.language)
        skipped = skipped_because(language, record.languages, record.slug)
        if skipped is not None:
            await self.intake.add_item(**item, status="skipped", detail=skipped)  # type: ignore[arg-type]
            return ArticleOutcome(article.title, "skipped", 0, article.canonical_url or url, skipped)
        found: list[dict[str, Any]] = []
        proposals: dict[str, dict[str, Any]] = {}
        gazetteer = await self.topic_gazetteer(topic)
        adoption = self.review.adoption
        sentences = split_sentences(article.text)[:MAX_SENTENCES]
        growth = await adoption.propose(record, sentences, gazetteer, published or latest)
        for sentence in candidates(article.text, gazetteer, latest, published=published, language=language):
            try:
                day = (sentence.stated_day, sentence.day_precision) if sentence.stated_day else None
                proposal = adoption.for_sentence(growth, sentence.text, day)
                fields = adoption.fields_with(self._fields(sentence, article, url, reliability), proposal)
            except ValidationError as exc:
                log.info("sentence left out: %s", exc.errors()[0]["msg"])
                continue
            key = sentence_key(record.id, fields.statement)
            if await self.intake.known_sentence(record.id, key):
                continue
            proposals[key] = proposal
            duplicate = await curator.near_duplicate(fields.statement)
            found.append(
                {
                    "topic_id": record.id,
                    "sentence_key": key,
                    "fields": fields.model_dump(mode="json"),
                    "links": [{"entity": k.entity, "slug": k.slug, "name": k.name} for k in sentence.names],
                    "duplicate_of": duplicate.id if duplicate else None,
                    "channel_id": channel_id,
                    "language": sentence.language,
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
        await adoption.save(record.id, proposals)
        return ArticleOutcome(
            article.title, "proposed" if created else "empty", len(created), article.canonical_url or url
        )

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
        await self.review.deliver()
        return await self.review.candidate(candidate_id)

    async def _side_of(self, topic_id: int, slug: str | None) -> str | None:
        """The side of the known actor `slug`, if any: whether the candidate it claims is a party's."""
        actor_id = await self.store.entity_by_slug(topic_id, "actor", slug) if slug else None
        actor = await self.store.actor(actor_id) if actor_id else None
        return actor.side if actor else None

    async def topic_gazetteer(self, slug: str | None = None) -> Gazetteer:
        """A topic's names and terms, read again after `GAZETTEER_TTL` or when a report's name was added here."""
        now = self.clock()
        slug = slug or self.default_topic
        generation = self.review.adoption.generation.get(slug, 0)
        known = self._gazetteers.get(slug)
        if known is None or now - known[0] > GAZETTEER_TTL or known[1] != generation:
            topic = await self.curator_for(slug).briefing.topic()
            title_parts = re.split(r"[()]", topic.title)
            terms = [part.strip() for part in title_parts if part.strip()] + [topic.slug.replace("-", " ")]
            gazetteer = Gazetteer.build(await self.intake.known_names(topic.id), terms)
            known = self._gazetteers[slug] = (now, generation, gazetteer)
        return known[2]

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
