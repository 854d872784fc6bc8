"""`python -m bench`: generate the stores (cached), run the measurements, print the table.

    python3 dev.py bench                      # everything (about 6 min the first time)
    python3 dev.py bench --quick              # 1k and 100k facts, fewer samples (about a minute)
    python3 dev.py bench --only search --sizes 1000000
    python3 dev.py bench --markdown           # the table as Markdown, for bench/results/
    python3 dev.py bench --only relevance     # /search's ranking: the seed pack's questions
    python3 dev.py bench --only intake-quality   # what the intake corpus's reports become (tuned / held out)
    python3 dev.py bench --only latency,topics --sizes 100000   # the same store shared out over 20 topics

Each measurement runs at the sizes the issue names, among those given with --sizes: latency at every
size up to 100,000 facts (`topics`: at the largest of those, shared out over 20 topics), search and
start-up at the largest (start-up against the smallest as its floor), memory and `postgres` (PostgreSQL
beside SQLite, its store copied once into a cached server) at 100,000 facts and above.
Goals are judged at the sizes the issue sets them for; other sizes are shown for comparison ("info").
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import discord

from bench import fanout, intake, intake_quality, latency, memory, postgres, relevance, search, startup, watch
from bench.generator import CACHE_DIR, cached_store
from bench.harness import USERS, remove_copies, stage
from bench.relevance import planted
from bench.report import Row, save, table

MEASUREMENTS = (
    "latency", "topics", "search", "postgres", "fanout", "fanout2", "memory", "startup", "relevance", "intake",
    "watch",
    "intake-quality",
)  # fmt: skip
#: `topics`: latency at `latency.GOAL_SIZE` facts shared out over this many topics (its own cached store).
TOPICS = 20
#: Measurements that need no generated store but the largest (relevance plants its answers in a copy of it).
STORELESS = {"relevance", "intake-quality"}


@dataclass(frozen=True)
class Plan:
    """How much of each measurement to run."""

    sizes: list[int]
    only: set[str]
    latency_samples: dict[int, int]
    search_repeats: int
    memory_commands: int
    startup_repeats: int


def _plan(argv: list[str] | None) -> tuple[Plan, bool]:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help="store sizes in facts, comma-separated (default 1000,100000,1000000)")
    parser.add_argument("--quick", action="store_true", help="1k and 100k facts, fewer samples: a smoke run")
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(MEASUREMENTS)}")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args(argv)
    default_sizes = "1000,100000" if args.quick else "1000,100000,1000000"
    sizes = sorted({int(s.replace("_", "")) for s in (args.sizes or default_sizes).split(",")})
    only = set(args.only.split(",")) if args.only else set(MEASUREMENTS)
    if unknown := only - set(MEASUREMENTS):
        parser.error(f"unknown measurement(s): {', '.join(sorted(unknown))}")
    if args.quick:
        plan = Plan(sizes, only, {1: 50, USERS: 100}, 1, 2_000, 1)
    else:
        plan = Plan(sizes, only, {1: 200, USERS: 500}, 3, 10_000, 3)
    return plan, args.markdown


def machine() -> dict[str, object]:
    """What the figures were measured on, for the results file."""
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as info:
        cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    with open("/proc/meminfo") as info:
        ram = int(info.readline().split()[1]) / 1024 / 1024
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(ram),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "discord.py": discord.__version__,
    }


def stores(sizes: list[int]) -> dict[int, Path]:
    """The generated stores, built on first use and then taken from the cache."""
    found = {}
    for size in sizes:
        start = time.monotonic()
        print(f"store with {size:,} facts …", end=" ", file=sys.stderr, flush=True)
        found[size], built = cached_store(size)
        print(f"built in {time.monotonic() - start:.0f} s" if built else "cached", file=sys.stderr)
    return found


async def measure(plan: Plan, templates: dict[int, Path]) -> list[Row]:
    """Every selected measurement, in one double, one after the other (never two at once)."""
    sizes, only = plan.sizes, plan.only
    smallest, largest = sizes[0], sizes[-1]
    rows: list[Row] = []
    rss_after_start: dict[int, float] = {}
    if "relevance" in only:
        print("relevance on the seed pack …", file=sys.stderr)
        found = await relevance.measure_seed()
        rows += relevance.seed_rows(found)
        if misses := relevance.report_misses(found):
            print(f"questions not answered first:\n{misses}", file=sys.stderr)
        if largest in templates:
            print(f"relevance at {largest:,} facts: planting answers in a copy …", file=sys.stderr)
            rows += await planted.run(templates[largest], largest)
    if "intake-quality" in only:
        print("intake quality over the corpus in tests/intake_corpus/ …", file=sys.stderr)
        rows += intake_quality.run()
    if not only - STORELESS:
        return rows
    async with stage() as st:
        settle()
        if "latency" in only:
            for size in [s for s in sizes if s <= latency.GOAL_SIZE]:
                print(f"latency at {size:,} facts …", file=sys.stderr)
                found, rss_after_start[size] = await latency.run(st, templates[size], size, plan.latency_samples)
                rows += found
                settle()
        if "topics" in only:
            size = max([s for s in sizes if s <= latency.GOAL_SIZE] or [smallest])
            start = time.monotonic()
            print(f"store with {size:,} facts over {TOPICS} topics …", end=" ", file=sys.stderr, flush=True)
            # Off the loop: building runs the migrations with a loop of its own.
            template, built = await asyncio.to_thread(cached_store, size, topics=TOPICS)
            print(f"built in {time.monotonic() - start:.0f} s" if built else "cached", file=sys.stderr)
            print(f"latency at {size:,} facts over {TOPICS} topics …", file=sys.stderr)
            found, _ = await latency.run(st, template, size, plan.latency_samples, topics=TOPICS)
            rows += found
            settle()
        if "search" in only:
            print(f"search at {largest:,} facts …", file=sys.stderr)
            rows += await search.run(templates[largest], largest, plan.search_repeats)
        if "postgres" in only:
            for size in [s for s in sizes if s >= latency.GOAL_SIZE] or [largest]:
                print(f"PostgreSQL beside SQLite at {size:,} facts …", file=sys.stderr)
                rows += await postgres.run(st, templates[size], size, plan.search_repeats)
                settle()
        if "fanout" in only:
            size = max([s for s in sizes if s <= latency.GOAL_SIZE] or [smallest])
            print(f"digest fan-out at {size:,} facts (waits for the next whole minute) …", file=sys.stderr)
            rows += await fanout.run(st, templates[size], size)
        if "fanout2" in only:
            size = max([s for s in sizes if s <= latency.GOAL_SIZE] or [smallest])
            print(f"digest fan-out with two shard processes at {size:,} facts …", file=sys.stderr)
            rows += await fanout.run_sharded(templates[size], size)
        if "memory" in only:
            for size in [s for s in sizes if s >= memory.GOAL_SIZE] or [largest]:
                print(f"memory at {size:,} facts …", file=sys.stderr)
                rows += await memory.run(st, templates[size], size, plan.memory_commands, rss_after_start.get(smallest))
        if "watch" in only:
            print(
                f"watch lists: {watch.WATCHES:,} watches, {watch.FACTS:,} approvals at {smallest:,} facts …",
                file=sys.stderr,
            )
            rows += await watch.run(templates[smallest], smallest)
        if "intake" in only:
            print(f"intake: one poll round over {intake.FEEDS} feeds …", file=sys.stderr)
            rows += await intake.run()
        if "startup" in only and largest != smallest:
            print(f"start-up at {largest:,} facts against {smallest:,} …", file=sys.stderr)
            rows += await startup.run(
                st, templates[largest], largest, templates[smallest], smallest, plan.startup_repeats
            )
    return rows


def settle() -> None:
    """Collect the double's garbage now and exempt what survives from later collections.

    The double keeps every message of the run; left to itself, its collector walks them all again and
    again, and its pauses (up to a quarter of a second) showed up in the bot's p99 as if they were the bot's.
    """
    gc.collect()
    gc.freeze()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the table; the exit status is 0 even when goals are missed."""
    plan, markdown = _plan(argv)
    context = machine()
    # Intake brings its own store and site, and its quality its own corpus: neither builds the large stores.
    needed = plan.only - {"intake", "intake-quality"}
    templates = stores(plan.sizes if needed - STORELESS else plan.sizes[-1:]) if needed else {}
    started = time.monotonic()
    try:
        rows = asyncio.run(measure(plan, templates))
    finally:
        remove_copies()
    context["minutes"] = round((time.monotonic() - started) / 60, 1)
    save(rows, CACHE_DIR / "last-run.json", context)
    print(", ".join(f"{k}: {v}" for k, v in context.items()))
    print(table(rows, markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
