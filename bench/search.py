"""Measurement 2: `Store.search` against bare FTS5 queries on the same table, in the same connection.

The bare queries are the floor: the same MATCH expressions (`Store.search_expressions` builds them
beforehand, outside the timing) tried in the same order with the same newest-first LIMIT, returning only
rowids. The difference is what the store adds: turning the question into expressions (alias look-ups),
joining facts, filtering by topic, status and date, and hydrating eight records. Both run on the
store's search connection, as the bot's queries do, alternating per query.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.generator import TOPIC_SLUG
from bench.harness import fresh_copy
from bench.report import Row, percentile, verdict
from bench.workload import Workload
from bot.store import Store

GOAL_SIZE = 1_000_000
P99_MS = 15.0
RATIO = 1.5
LIMIT = 8  # what /search shows
BARE = "SELECT rowid FROM facts_fts WHERE facts_fts MATCH ? ORDER BY rowid LIMIT ?"  # newest first: rowid = -id


async def bare(store: Store, expressions: list[str]) -> int:
    """The floor for one question: its expressions in turn, rowids only, until `LIMIT` are found."""
    found: set[int] = set()
    for expression in expressions:
        found.update(r[0] for r in await store.db.searcher.execute_fetchall(BARE, (expression, LIMIT)))
        if len(found) >= LIMIT:
            break
    return len(found)


async def timings(store: Store, topic_id: int, queries: list[str], repeats: int) -> tuple[list[float], list[float]]:
    """Seconds per call for the store's search and for the bare queries, `repeats` times over every query."""
    expressions = {q: await store.search_expressions(topic_id, q) for q in queries}
    searched: list[float] = []
    floor: list[float] = []
    for _ in range(repeats):
        for query in queries:
            start = time.perf_counter()
            await bare(store, expressions[query])
            floor.append(time.perf_counter() - start)
            start = time.perf_counter()
            await store.search(topic_id, query, None, LIMIT)
            searched.append(time.perf_counter() - start)
    return searched, floor


async def run(template: Path, size: int, repeats: int) -> list[Row]:
    """p50 and p99 of /search's store query against the bare FTS5 query."""
    queries = Workload.from_store(template).queries
    store = await Store.open(fresh_copy(template, f"search-{size}.db"))
    try:
        topic = await store.topic(TOPIC_SLUG)
        assert topic is not None
        await timings(store, topic.id, queries, 1)  # warm the page cache, as a running bot's would be
        searched, floor = await timings(store, topic.id, queries, repeats)
    finally:
        await store.close()
    applies = size == GOAL_SIZE
    p50, p99 = percentile(searched, 50) * 1000, percentile(searched, 99) * 1000
    floor50, floor99 = percentile(floor, 50) * 1000, percentile(floor, 99) * 1000
    note = f"{len(queries)} queries × {repeats}"
    return [
        Row("bare FTS5 query p50", size, floor50, "ms", note="floor"),
        Row("bare FTS5 query p99", size, floor99, "ms", note="floor"),
        Row("Store.search p50", size, p50, "ms", floor50, "", "info", note),
        Row(
            "Store.search p99",
            size,
            p99,
            "ms",
            floor99,
            f"< {P99_MS:g} ms and ≤ {RATIO}×",
            verdict(p99 < P99_MS and p99 <= RATIO * floor99, applies),
            note,
        ),
    ]
