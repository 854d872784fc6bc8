"""Measurement 4: the bot's resident memory after start and over 10,000 mixed commands.

RSS is read from /proc for the bot's own process, once after start and after every tenth of the run.
The first tenth warms up what is meant to stay (SQLite's page cache, discord.py's message cache, lazily
built objects), so growth is judged from there to the end: a steady service must not keep growing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bench.harness import Answer, BotProcess, Stage, ask, fresh_copy, running_bot
from bench.report import Row, verdict
from bench.workload import Workload

GOAL_SIZE = 100_000
LIMIT_MIB = 120.0
#: Allowed growth from the end of the warm-up tenth to the end of the run: page-level noise, not a trend.
GROWTH_MIB = 2.0
CONCURRENCY = 10


async def _traffic(stage: Stage, workload: Workload, commands: int) -> list[Answer]:
    """`commands` mixed commands from `CONCURRENCY` users, each sending the next when answered."""

    async def user(index: int, count: int) -> list[Answer]:
        answers = []
        for _ in range(count):
            command = workload.mixed()
            answers.append(await ask(stage, stage.users[index], command, workload.options(command)))
        return answers

    shares = [commands // CONCURRENCY + (i < commands % CONCURRENCY) for i in range(CONCURRENCY)]
    batches = await asyncio.gather(*(user(i, n) for i, n in enumerate(shares)))
    return [a for batch in batches for a in batch]


async def checkpoints(stage: Stage, bot: BotProcess, workload: Workload, commands: int) -> tuple[list[float], int]:
    """RSS after each tenth of the run, and how many commands failed."""
    rss, failed = [], 0
    for _ in range(10):
        answers = await _traffic(stage, workload, commands // 10)
        failed += sum(not a.ok for a in answers)
        rss.append(bot.rss_mb())
    return rss, failed


async def run(stage: Stage, template: Path, size: int, commands: int, floor: float | None) -> list[Row]:
    """RSS after start and after `commands` mixed commands, against the RSS after start on the smallest store."""
    workload = Workload.from_store(template)
    async with running_bot(stage, fresh_copy(template, f"memory-{size}.db")) as bot:
        after_start = bot.rss_mb()
        rss, failed = await checkpoints(stage, bot, workload, commands)
        worker = bot.children_rss_mb()
    applies = size == GOAL_SIZE
    growth = rss[-1] - rss[0]
    note = f"{failed} failed" if failed else ""
    done = f"{commands:,}"
    return [
        Row(
            "RSS after start",
            size,
            after_start,
            "MiB",
            floor,
            f"< {LIMIT_MIB:g} MiB",
            verdict(after_start < LIMIT_MIB, applies),
        ),
        Row(
            f"RSS after {done} mixed commands",
            size,
            rss[-1],
            "MiB",
            floor,
            f"< {LIMIT_MIB:g} MiB",
            verdict(rss[-1] < LIMIT_MIB and not failed, applies),
            note,
        ),
        Row(
            f"RSS growth, command {commands // 10:,} → {done}",
            size,
            growth,
            "MiB",
            goal=f"≤ {GROWTH_MIB:g} MiB",
            verdict=verdict(growth <= GROWTH_MIB),
            note=f"peak {max(rss):.1f} MiB; by tenths: " + " ".join(f"{r:.0f}" for r in rss),
        ),
        Row(
            "RSS of the picture worker (matplotlib, a child process) after the run",
            size,
            worker,
            "MiB",
            note="not in the bot's RSS above; the bot and its worker together: " + f"{rss[-1] + worker:.1f} MiB",
        ),
    ]
