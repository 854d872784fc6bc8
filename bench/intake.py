"""Measurement 6: one poll round over 500 feeds, most of them unchanged, against the concurrency limit's floor.

A news site in its own process (so its work is not counted as the poller's) serves 500 feeds on
loopback, each answer held back `LATENCY` seconds as a distant server would be. The service polls them
`concurrency` at a time, so no round can take less than ceil(500 / concurrency) × LATENCY: that is the
floor. Rounds, in the order a running bot meets them:

1. first poll: every feed answers in full (two items already seen, so no article is fetched), and the
   poller keeps each feed's ETag;
2. most unchanged: 490 feeds answer 304 Not Modified; 10 have one new item each, whose article is
   fetched, extracted and turned into candidates;
3. all unchanged: 500 × 304, the steady state.

The poller's memory (this process's RSS, with the store and the fetcher) is read before the first round
and after each, to show that a round leaves nothing behind. After the mixed round, its candidates are
delivered to a poster that only counts: review messages per article (issue 21: goal 1, where each article
was a message per candidate).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import multiprocessing
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

from bench.report import Row, verdict
from bot.config import Settings
from bot.intake.review import ReviewPage
from bot.packs import read_pack
from bot.services import Services
from bot.store import Store
from bot.store.writes import apply_pack

FEEDS = 500
CHANGED = 10
LATENCY = 0.05
CONCURRENCY = 10
RATIO = 1.5
SEED = Path(__file__).resolve().parents[1] / "bot" / "seed_packs" / "operation-1027.yaml"
ARTICLE = (
    "<!DOCTYPE html><html><head><title>Report {n}</title></head><body><article><h1>Report {n}</h1>"
    "<p>The Arakan Army said on 3 January 2024 that its fighters had taken outpost {n} in Rakhine State.</p>"
    "<p>The junta denied losing outpost {n} and said its forces were regrouping near Sittwe.</p>"
    "<p>Local traders said the road to the border crossing {n} was closed for a third day.</p>"
    "</article></body></html>"
)


def _feed(n: int, changed: bool) -> str:
    items = [(f"urn:bench:{n}:{k}", f"/seen/{n}/{k}.html") for k in range(2)]
    if changed:
        items.insert(0, (f"urn:bench:{n}:new", f"/article/{n}.html"))
    entries = "".join(
        f"<item><title>t</title><link>{{base}}{link}</link><guid>{guid}</guid></item>" for guid, link in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>{entries}</channel></rss>'


def _serve(port_out: multiprocessing.Queue, stop: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    """The site: /feed/N (with ETags; after /switch, the first CHANGED feeds gain an item), /article/N."""
    from aiohttp import web

    state = {"changed": False}

    async def handle(request: web.Request) -> web.Response:
        await asyncio.sleep(LATENCY)
        parts = request.path.strip("/").split("/")
        if parts[0] == "switch":
            state["changed"] = True
            return web.Response(text="ok")
        if parts[0] == "article":
            n = int(parts[1].split(".")[0])
            return web.Response(text=ARTICLE.format(n=n), content_type="text/html")
        n = int(parts[1])
        body = _feed(n, state["changed"] and n < CHANGED).replace("{base}", f"http://{request.host}")
        etag = '"' + hashlib.sha1(body.encode()).hexdigest()[:12] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(text=body, content_type="application/rss+xml", headers={"ETag": etag})

    async def main() -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port_out.put(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.to_thread(stop.wait)
        await runner.cleanup()

    asyncio.run(main())


@contextlib.asynccontextmanager
async def news_site() -> AsyncIterator[str]:
    """The site in its own process; yields its base URL."""
    context = multiprocessing.get_context("spawn")
    ports = context.Queue()
    stop = context.Event()
    process = context.Process(target=_serve, args=(ports, stop), daemon=True)
    process.start()
    try:
        port = await asyncio.to_thread(ports.get, True, 30)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        await asyncio.to_thread(process.join, 10)
        if process.is_alive():
            process.kill()


class CountingPoster:
    """Takes review messages as a channel would, instantly, and counts them and the candidates they show."""

    def __init__(self) -> None:
        self.messages = 0
        self.candidates = 0

    async def post_review(self, channel_id: int, page: ReviewPage, nonce: str) -> int:
        self.messages += 1
        self.candidates += len(page.shown)
        return self.messages

    async def alert(self, channel_id: int, text: str) -> None:
        raise AssertionError(f"no alert expected: {text}")


def rss_mib() -> float:
    """This process's resident memory."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


async def _round(services: Services) -> tuple[float, int, int]:
    started = time.perf_counter()
    outcomes = await services.intake.feeds.round(ignore_backoff=True)
    took = time.perf_counter() - started
    failed = sum(o.status == "failed" for o in outcomes)
    return took, failed, sum(o.candidates for o in outcomes)


async def run() -> list[Row]:
    """The three rounds, their floors, and memory."""
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(Path(folder) / "intake.db")
        await apply_pack(store.db, read_pack(SEED))
        settings = Settings(_env_file=None, fetch_allow_private_addresses=True, review_channel_id=1)  # type: ignore[call-arg]
        services = Services.build(settings, store)
        services.intake.feeds.concurrency = CONCURRENCY
        services.intake.reading.fetcher.connections = CONCURRENCY * 2
        try:
            async with news_site() as base:
                now = datetime.now(UTC)
                for n in range(FEEDS):
                    await services.intake.feeds.intake.add_feed(
                        url=f"{base}/feed/{n}",
                        title=f"Feed {n}",
                        reliability="C",
                        channel_id=None,
                        guild_id=None,
                        author_id=None,
                        author_name="bench",
                        at=now,
                    )
                # The items already in each feed were read long ago.
                for n in range(FEEDS):
                    for k in range(2):
                        await services.intake.feeds.intake.add_item(
                            feed_id=n + 1,
                            guid=f"urn:bench:{n}:{k}",
                            url=None,
                            canonical_url=None,
                            text_hash=None,
                            title="t",
                            publisher=None,
                            published=None,
                            status="empty",
                            detail=None,
                            at=now,
                        )
                before = rss_mib()
                first, failed_first, _ = await _round(services)
                after_first = rss_mib()
                await services.intake.reading.fetcher.get(f"{base}/switch", {"text/plain"})
                mixed, failed_mixed, fresh = await _round(services)
                after_mixed = rss_mib()
                counting = services.intake.review.poster = CountingPoster()
                await services.intake.review.deliver()
                services.intake.review.poster = None
                steady, failed_steady, _ = await _round(services)
                after_steady = rss_mib()
        finally:
            await services.close()
    floor = math.ceil(FEEDS / CONCURRENCY) * LATENCY
    # The changed feeds' articles are one more request each, in the busiest slots at worst.
    mixed_floor = floor + LATENCY
    note = f"{FEEDS} feeds, {CONCURRENCY} at a time, {LATENCY * 1000:.0f} ms per answer"
    return [
        Row(
            f"poll round, first poll, all 200 ({note})",
            None,
            first,
            "s",
            floor,
            f"≤ {RATIO}× the floor",
            verdict(first <= RATIO * floor and not failed_first),
            f"{failed_first} failed" if failed_first else "",
        ),
        Row(
            f"poll round, {FEEDS - CHANGED} × 304 + {CHANGED} new items ({fresh} candidates)",
            None,
            mixed,
            "s",
            mixed_floor,
            f"≤ {RATIO}× the floor",
            verdict(mixed <= RATIO * mixed_floor and not failed_mixed),
        ),
        Row(
            f"poll round, all {FEEDS} unchanged (304)",
            None,
            steady,
            "s",
            floor,
            f"≤ {RATIO}× the floor",
            verdict(steady <= RATIO * floor and not failed_steady),
        ),
        Row(
            f"review messages per article ({CHANGED} new articles, {counting.candidates} candidates shown)",
            None,
            counting.messages / CHANGED,
            "messages",
            None,
            "1",
            verdict(counting.messages == CHANGED and counting.candidates == fresh),
        ),
        Row("poller RSS before the first round", None, before, "MiB"),
        Row("poller RSS after the first round", None, after_first, "MiB", before),
        Row("poller RSS after the mixed round (parsers loaded)", None, after_mixed, "MiB", before),
        Row(
            "poller RSS after the steady round",
            None,
            after_steady,
            "MiB",
            after_mixed,
            "≤ 2 MiB growth",
            verdict(after_steady - after_mixed <= 2.0),
        ),
    ]
