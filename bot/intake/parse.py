"""Feeds and articles turned into plain data: feedparser for feeds, trafilatura for articles.

Both parsers are synchronous and can take a while on a large or hostile document, so the service runs
them with `asyncio.to_thread`, one document at a time per worker, on bodies the fetcher already bounded
(5 MiB). Both are imported on first use, so a bot that reads no feed pays nothing for them at start.
HTML is only ever read for its text: nothing of it is kept or shown but the extracted words.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.intake.language import declared_language
from bot.models import normalise
from bot.text import clean_line, clean_paragraph

#: Items read from one feed document; a feed holding more is read newest first up to this many.
MAX_ITEMS = 200
#: Characters of article text kept for sentence splitting.
MAX_TEXT = 200_000
#: In a plain-text copy, a line like these starts what follows the story (teasers, advertisements).
_AFTER_STORY = re.compile(
    r"^\s*(more from\b|related( stories| articles| coverage)?\s*:?\s*$|recommended\b|read (more|next)\b|"
    r"advertisement\s*$|sponsored\b|you may also like|most popular\b|trending\b)",
    re.IGNORECASE,
)


class ParseError(Exception):
    """A document that is not what it should be; the message says what it is instead."""


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed: how to recognise it again, and where its article is."""

    guid: str | None
    link: str | None
    title: str
    published: date | None
    summary: str


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's title and its items, newest first as the feed lists them."""

    title: str
    items: list[FeedItem] = field(default_factory=list)
    total: int = 0


@dataclass(frozen=True)
class Article:
    """An article's main text and what is known about it."""

    title: str
    publisher: str | None
    published: date | None
    canonical_url: str | None
    text: str
    #: The language the page declares for itself (`<html lang>`, Content-Language), ISO 639-1; None when it
    #: declares none. `bot.intake.language.detect_language` weighs it against the text.
    language: str | None = None

    @property
    def text_hash(self) -> str:
        """The same words in any markup, case or spacing hash alike: one story is proposed once."""
        return hashlib.sha256(normalise(self.text).encode()).hexdigest()


def _line(value: object, limit: int) -> str:
    text = clean_line(value) if isinstance(value, str) else ""
    return str(text)[:limit]


def _day(parsed: Any) -> date | None:
    if not parsed:
        return None
    try:
        return date(parsed[0], parsed[1], parsed[2])
    except (TypeError, ValueError, IndexError):
        return None


def parse_feed(body: bytes, url: str) -> ParsedFeed:
    """An RSS or Atom document's title and items; anything else (HTML, broken XML, nothing) is a `ParseError`."""
    import feedparser  # imported when first needed: it costs the bot's start-up a tenth of a second

    parsed = feedparser.parse(body, response_headers={"content-location": url}, sanitize_html=True)
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    if not version:
        head = body[:512].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
            raise ParseError("this is an HTML page, not an RSS or Atom feed")
        problem = parsed.get("bozo_exception")
        reason = f" ({str(problem)[:120]})" if problem else ""
        raise ParseError(f"this is not an RSS or Atom feed{reason}")
    if parsed.get("bozo") and not entries and not parsed.feed.get("title"):
        raise ParseError(f"the feed is broken XML ({str(parsed.get('bozo_exception'))[:120]})")
    items = []
    for entry in entries[:MAX_ITEMS]:
        link = entry.get("link")
        items.append(
            FeedItem(
                guid=_line(entry.get("id"), 500) or None,
                link=_line(link, 2000) or None,
                title=_line(entry.get("title"), 300),
                published=_day(entry.get("published_parsed") or entry.get("updated_parsed")),
                summary=str(clean_paragraph(entry.get("summary") or ""))[:5000],
            )
        )
    title = _line(parsed.feed.get("title"), 200) or url[:200]
    return ParsedFeed(title=title, items=items, total=len(entries))


def _iso_day(text: object) -> date | None:
    if not isinstance(text, str):
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def extract_html(body: bytes | str, url: str | None) -> Article:
    """The main text of an HTML article and its metadata; navigation, asides and teasers stay out.

    trafilatura keeps the article's own paragraphs and drops `<aside>`, navigation, footers and blocks
    marked as related or sponsored; `favor_precision` leans towards leaving a doubtful block out.
    """
    import trafilatura  # imported when first needed, like feedparser

    document = trafilatura.bare_extraction(
        body,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        favor_precision=True,
    )
    if document is None:
        raise ParseError("no article text could be found on the page")
    values: dict[str, Any] = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    title = _line(values.get("title"), 300)
    text = str(values.get("text") or "")
    lines = [line for line in text.splitlines() if line.strip() and _line(line, 300) != title]
    if not lines:
        raise ParseError("no article text could be found on the page")
    canonical = values.get("url")
    return Article(
        title=title or (url or "untitled")[:300],
        publisher=_line(values.get("sitename"), 200) or None,
        published=_iso_day(values.get("date")),
        canonical_url=canonical
        if isinstance(canonical, str) and canonical.startswith(("http://", "https://"))
        else None,
        text="\n".join(lines)[:MAX_TEXT],
        language=declared_language(body),
    )


def extract_text(body: bytes | str, name: str) -> Article:
    """A plain-text copy of an article: its first line is the title, and the story ends where teasers begin."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ParseError("the file is empty")
    title, rest = _line(lines[0], 300), lines[1:]
    story = []
    for line in rest:
        if _AFTER_STORY.match(line):
            break
        story.append(line)
    if not story:
        raise ParseError("the file has a title but no text")
    return Article(
        title=title or name, publisher=None, published=None, canonical_url=None, text="\n".join(story)[:MAX_TEXT]
    )
