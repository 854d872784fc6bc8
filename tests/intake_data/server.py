"""A small news site on loopback for intake's tests: feeds with validators, articles, and hostile answers.

It is a real aiohttp server, so the bot's real fetcher talks HTTP to it (with FETCH_ALLOW_PRIVATE_ADDRESSES
on, since it is on 127.0.0.1). Everything served is test data.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from aiohttp import web

HERE = Path(__file__).resolve().parent
#: TEST DATA: the seed article as a web page, story in <article>, ads and teasers in <aside>.
GZERO_PAGE = (HERE / "gzero_article.html").read_text(encoding="utf-8")

RSS = "application/rss+xml"


@dataclass
class Item:
    """One feed entry pointing at a page of the site."""

    guid: str
    path: str
    title: str
    published: datetime = field(default_factory=lambda: datetime(2023, 11, 28, 12, tzinfo=UTC))


def rss(title: str, base: str, items: list[Item]) -> str:
    """An RSS 2.0 document."""
    entries = "".join(
        f"<item><title>{escape(i.title)}</title><link>{base}{i.path}</link><guid>{escape(i.guid)}</guid>"
        f"<pubDate>{format_datetime(i.published)}</pubDate><description>{escape(i.title)}</description></item>"
        for i in items
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>{base}/</link><description>test feed</description>{entries}</channel></rss>"
    )


def atom(title: str, base: str, items: list[Item]) -> str:
    """An Atom 1.0 document."""
    entries = "".join(
        f'<entry><title>{escape(i.title)}</title><link href="{base}{i.path}"/><id>{escape(i.guid)}</id>'
        f"<updated>{i.published.isoformat()}</updated></entry>"
        for i in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{escape(title)}</title>'
        f"<id>urn:test</id><updated>2023-11-28T12:00:00Z</updated>{entries}</feed>"
    )


def article(
    title: str,
    paragraphs: list[str],
    *,
    canonical: str | None = None,
    asides: list[str] = (),
    publisher: str = "Test Wire",
) -> str:
    """A test article page, `publisher` its site's name."""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    extra = "".join(f'<aside class="related"><p>{escape(a)}</p></aside>' for a in asides)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title>{link}"
        f"<meta property='og:site_name' content='{escape(publisher)}'>"
        f"<meta property='article:published_time' content='2023-12-01T08:00:00Z'></head>"
        f"<body><main><article><h1>{escape(title)}</h1>{body}</article>{extra}</main></body></html>"
    )


class NewsSite:
    """Routes registered by the tests; every request counted by path."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, str]] = {}
        self.feeds: dict[str, tuple[str, list[Item], str]] = {}
        self.hits: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.base = ""
        self.delay = 0.0

    def page(self, path: str, html: str, content_type: str = "text/html") -> str:
        """Serve a page; returns its URL."""
        self.pages[path] = (html, content_type)
        return self.base + path

    def feed(self, path: str, title: str, items: list[Item], kind: str = "rss") -> str:
        """Serve a feed with an ETag and Last-Modified; returns its URL."""
        self.feeds[path] = (title, items, kind)
        return self.base + path

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.hits[path] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if path in self.feeds:
            title, items, kind = self.feeds[path]
            body = (rss if kind == "rss" else atom)(title, self.base, items)
            etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'
            if request.headers.get("If-None-Match") == etag:
                self.not_modified[path] += 1
                return web.Response(status=304, headers={"ETag": etag})
            content_type = RSS if kind == "rss" else "application/atom+xml"
            return web.Response(
                text=body,
                content_type=content_type,
                headers={"ETag": etag, "Last-Modified": "Tue, 28 Nov 2023 12:00:00 GMT"},
            )
        if path in self.pages:
            html, content_type = self.pages[path]
            return web.Response(text=html, content_type=content_type)
        return await self.hostile(request)

    async def hostile(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path == "/broken.xml":
            return web.Response(text='<?xml version="1.0"?><rss><channel><title>Bro', content_type=RSS)
        if path == "/not-a-feed":
            return web.Response(text="<!DOCTYPE html><html><body><p>Hello</p></body></html>", content_type=RSS)
        if path == "/page-not-feed":
            return web.Response(text="<!DOCTYPE html><html><body><p>Hello</p></body></html>", content_type="text/html")
        if path == "/huge.xml":
            response = web.StreamResponse(headers={"Content-Type": RSS})
            await response.prepare(request)
            chunk = b"<!-- " + b"x" * 65_000 + b" -->"
            with contextlib.suppress(ConnectionError):
                for _ in range(160):  # about 10 MB, no Content-Length: it must be cut off while read
                    await response.write(chunk)
            return response
        if path == "/huge-declared.xml":
            return web.Response(body=b" " * (10 * 1024 * 1024), content_type=RSS)
        if path == "/loop":
            raise web.HTTPFound("/loop2")
        if path == "/loop2":
            raise web.HTTPFound("/loop")
        if path.startswith("/hop/"):
            n = int(path.rsplit("/", 1)[1])
            raise web.HTTPFound(f"/hop/{n + 1}")
        if path == "/to-ftp":
            raise web.HTTPFound("ftp://example.org/feed.xml")
        if path == "/drip":
            response = web.StreamResponse(headers={"Content-Type": RSS})
            await response.prepare(request)
            with contextlib.suppress(ConnectionError):
                await response.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
                for _ in range(600):
                    await asyncio.sleep(0.2)
                    await response.write(b" ")
            return response
        if path == "/status/500":
            return web.Response(status=500, text="oops")
        raise web.HTTPNotFound()


@contextlib.asynccontextmanager
async def news_site() -> AsyncIterator[NewsSite]:
    """The site on 127.0.0.1, on a free port, for the length of the block."""
    site = NewsSite()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", site.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    site.base = f"http://127.0.0.1:{port}"
    try:
        yield site
    finally:
        await runner.cleanup()


#: Sentences about the topic for small test articles (each names a known actor or place).
REPORTS = [
    [
        "The Arakan Army seized a junta outpost near Paletwa on 13 January 2024, residents said.",
        "Fighting in Rakhine State displaced more than 5,000 people over the weekend.",
        "A spokesman for the football league said the new season starts in March.",
    ],
    [
        "The MNDAA took control of Laukkai after the garrison surrendered on 5 January 2024.",
        "Beijing brokered a temporary ceasefire between the junta and the Three Brotherhood Alliance.",
    ],
    [
        "The TNLA said its fighters entered Hsipaw in northern Shan State.",
        "Local traders reported that cross-border trade with China remained halted.",
    ],
]
