"""Reading: a feed's document parsed, an article fetched and its main text and metadata extracted.

Parsing and extraction run in threads, at most `PARSERS` at once, so a long page never stalls the event
loop and a round of many feeds does not take every core.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import re
from collections.abc import Callable
from datetime import date

from bot.errors import UserError
from bot.intake.fetch import HTML_TYPES, TEXT_TYPES, Fetcher, FetchError
from bot.intake.parse import Article, ParsedFeed, ParseError, extract_html, extract_text

#: Documents parsed at once, off the event loop.
PARSERS = 2
_TAGS = re.compile(r"<[^>]+>")


class Reader:
    """Turns what the fetcher brings back into feeds and articles."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self._parsers = asyncio.Semaphore(PARSERS)

    async def parse(self, parser: Callable[[bytes, str], ParsedFeed], body: bytes, url: str) -> ParsedFeed:
        """A feed's document parsed in a thread."""
        async with self._parsers:
            return await asyncio.to_thread(parser, body, url)

    async def article_of(
        self, link: str | None, title: str, summary: str, publisher: str, published: date | None
    ) -> Article:
        """A feed item's article, fetched and extracted; its summary in the feed when the article cannot be had."""
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
            article = dataclasses.replace(article, canonical_url=fetched.url)
        return article

    async def read_file(self, name: str, data: bytes) -> Article:
        """An article given as a file: HTML by its name or its first bytes, otherwise plain text."""
        head = data[:1024].lstrip().lower()
        is_html = name.lower().endswith((".html", ".htm", ".xhtml")) or head.startswith((b"<!doctype html", b"<html"))
        async with self._parsers:
            if is_html:
                return await asyncio.to_thread(extract_html, data, None)
            return await asyncio.to_thread(extract_text, data, name)


def expected(exc: BaseException) -> bool:
    """Failures that are the outside world's doing, logged without a traceback."""
    return isinstance(exc, FetchError | ParseError | UserError)
