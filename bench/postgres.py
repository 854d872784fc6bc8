"""Measurement `postgres`: the read commands and /search's store query on PostgreSQL, SQLite as the floor.

The PostgreSQL store is the cached SQLite store copied with `briefbot store copy` (`bot.store.copy`) into a
server of its own (pgserver), kept in the cache beside the SQLite file and keyed like it, so only the
first run copies. Each run works on a copy of it (`CREATE DATABASE … TEMPLATE`), as `fresh_copy` does for
SQLite: what a bot writes must not leak into later runs.

Commands go through the same path as `latency` (the real bot in its own process, the Discord double), one
bot on each backend with the answer cache off, so that every answer is read from the store; /search's
store query is timed directly, alternating between the backends per query. The same questions are asked
of both, and each SQLite figure is the floor of its PostgreSQL one, measured in the same run.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pgserver
from pgserver.postgres_server import PostgresServer

from bench import latency
from bench.generator import CACHE_DIR, TOPIC_SLUG, code_version, schema_version
from bench.harness import Stage, fresh_copy, running_bot
from bench.report import Row, percentile
from bench.search import LIMIT
from bench.workload import MEASURED, Workload
from bot.store import Store
from bot.store.copy import copy_store
from bot.store.engine import open_database
from bot.store.engine.postgres import FIRST_MIGRATION

#: The cached store's database in the server; each run uses a copy of it.
CACHED = "briefbot"
RUN = "briefbot_run"
#: Left in the server's folder once the copy is complete; without it the copy is made again.
DONE = "copied"
#: Answers per command at one user, on each backend: fewer than `latency`'s, as some PostgreSQL answers
#: take a second or more (every answer is read from the store) and the run must fit in minutes.
SAMPLES = 40


def folder(size: int) -> Path:
    """The server's data folder, keyed like the SQLite store it is copied from (generator and schemas)."""
    schemas = f"s{schema_version()}-p{schema_version('migrations_pg', FIRST_MIGRATION)}"
    return CACHE_DIR / f"pg-g{code_version()}-{schemas}-{size}"


@contextlib.asynccontextmanager
async def server(size: int, template: Path) -> AsyncIterator[str]:
    """A PostgreSQL server holding a fresh copy of the cached store of `size` facts: the copy's URL."""
    data = folder(size)
    data.mkdir(parents=True, exist_ok=True)
    running = await asyncio.to_thread(pgserver.get_server, data, cleanup_mode="stop")
    try:
        if not (data / DONE).exists():
            await build(running, size, template)
            (data / DONE).touch()
        await _recreate(running.get_uri(), RUN, template=CACHED)
        yield running.get_uri(RUN)
    finally:
        await asyncio.to_thread(running.cleanup)


async def build(running: PostgresServer, size: int, template: Path) -> None:
    """Copy the SQLite store into a new database with the store's copy command, saying how long it took.

    VACUUM ANALYZE afterwards, as an operator would after a bulk load: the planner has no statistics for
    the new tables until autovacuum gets to them, and index-only scans need the visibility map.
    """
    await _recreate(running.get_uri(), CACHED)
    url = running.get_uri(CACHED)
    source = await open_database(fresh_copy(template, f"pg-source-{size}.db"))
    target = await open_database(url)
    start = time.monotonic()
    try:
        await copy_store(source, target, lambda table, rows: None)
    finally:
        await target.close()
        await source.close()
    seconds = time.monotonic() - start
    print(f"copied {size:,} facts to PostgreSQL in {seconds:.0f} s", file=sys.stderr)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def _recreate(uri: str, name: str, template: str | None = None) -> None:
    conn = await asyncpg.connect(uri)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name}")
        await conn.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    finally:
        await conn.close()


async def run(stage: Stage, template: Path, size: int, repeats: int) -> list[Row]:
    """The read commands and `Store.search` on PostgreSQL beside SQLite, at every size asked for.

    Unlike `latency`, commands are timed at a million facts too: the issue asks how PostgreSQL holds up
    there, and each command is asked `SAMPLES` times with the answer cache off, so the run stays short.
    """
    async with server(size, template) as url:
        sqlite = fresh_copy(template, f"postgres-floor-{size}.db")
        answers = {}
        for backend, settings in (("SQLite", {}), ("PostgreSQL", {"DATABASE_URL": url})):
            async with running_bot(stage, sqlite, ANSWER_CACHE="0", **settings):
                workload = Workload.from_store(template)  # seeded: both bots are asked the same questions
                await latency.measure(stage, workload, 1, 10)  # warm-up, as `latency` does
                answers[backend] = await latency.measure(stage, workload, 1, SAMPLES)
        searched = await search_timings(template, sqlite, url, repeats)
    out = []
    for command in ["ping", *MEASURED]:
        for p in (50, 99):
            floor = percentile(answers["SQLite"].seconds(command), p) * 1000
            value = percentile(answers["PostgreSQL"].seconds(command), p) * 1000
            note = "floor: the same on SQLite, same run" if command != "ping" else "no store: the two bots' own floor"
            figure = f"/{command} p{p} on PostgreSQL, 1 user, answer cache off"
            out.append(Row(figure, size, value, "ms", floor, note=note))
    for p in (50, 99):
        floor, value = (percentile(searched[b], p) * 1000 for b in ("SQLite", "PostgreSQL"))
        note = f"{len(searched['SQLite'])} searches; floor: the same on SQLite"
        out.append(Row(f"Store.search p{p} on PostgreSQL", size, value, "ms", floor, note=note))
    return out


async def search_timings(template: Path, sqlite: Path, url: str, repeats: int) -> dict[str, list[float]]:
    """Seconds per `Store.search` on each backend, the same questions alternating between them."""
    queries = Workload.from_store(template).queries
    stores = {"SQLite": await Store.open(sqlite), "PostgreSQL": await Store.open(url)}
    try:
        topics = {name: await store.topic(TOPIC_SLUG) for name, store in stores.items()}
        found: dict[str, list[float]] = {name: [] for name in stores}
        for repeat in range(repeats + 1):  # the first round warms the caches, as a running bot's would be
            for query in queries:
                for name, store in stores.items():
                    topic = topics[name]
                    assert topic is not None
                    start = time.perf_counter()
                    await store.search(topic.id, query, None, LIMIT)
                    if repeat:
                        found[name].append(time.perf_counter() - start)
        return found
    finally:
        for store in stores.values():
            await store.close()
