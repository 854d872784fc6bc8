"""Measurement 5: from process start to the first command answered, with an unchanged command tree.

Each store is started once to sync the command tree (as any first start does), then restarted: the
restarts are timed, from spawning the process to the answer of a /brief sent as soon as the bot is on
the gateway, and must not sync again (the double counts every bulk-overwrite PUT). The floor is the same
restart on the smallest store, so the ratio is what the store's size costs at start.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bench.harness import BotProcess, Stage, ask, fresh_copy, running_bot
from bench.report import Row, verdict

GOAL_SIZE = 1_000_000
#: The issue sets no number; a store 1,000 times larger should not make a restart much slower.
RATIO = 1.5


async def restarts(stage: Stage, template: Path, size: int, repeats: int) -> tuple[list[float], list[float], int]:
    """Seconds to connected and to the first answer for each restart, and how many syncs they made."""
    database = fresh_copy(template, f"startup-{size}.db")
    async with running_bot(stage, database):
        pass  # the first start syncs the command tree and records its hash in the store
    puts = stage.double.command_puts[stage.guild.id]
    connected, answered = [], []
    for _ in range(repeats):
        before = stage.double.identify_count
        bot = await BotProcess.start(stage, database)
        try:
            connected.append(await bot.wait_connected(stage, before) - bot.spawned_at)
            answer = await ask(stage, stage.users[0], "brief", {})
            if not answer.ok:
                raise RuntimeError(f"the restarted bot did not answer /brief; see {bot.log}")
            answered.append(time.monotonic() - bot.spawned_at)
        finally:
            await bot.stop()
    return connected, answered, stage.double.command_puts[stage.guild.id] - puts


async def run(
    stage: Stage, template: Path, size: int, floor_template: Path, floor_size: int, repeats: int
) -> list[Row]:
    """Median restart times on `template` against those on `floor_template`."""
    floor_connected, floor_answered, floor_puts = await restarts(stage, floor_template, floor_size, repeats)
    connected, answered, puts = await restarts(stage, template, size, repeats)
    value, floor = statistics.median(answered), statistics.median(floor_answered)
    applies = size == GOAL_SIZE
    note = f"median of {repeats}, floor: {floor_size:,} facts"
    return [
        Row(
            "start → on the gateway",
            size,
            statistics.median(connected),
            "s",
            statistics.median(floor_connected),
            note=note,
        ),
        Row(
            "start → first /brief answered",
            size,
            value,
            "s",
            floor,
            f"≤ {RATIO}× (ours)",
            verdict(value <= RATIO * floor, applies),
            note,
        ),
        Row(
            "command syncs on restart",
            size,
            puts + floor_puts,
            "PUT",
            goal="0 (no re-sync)",
            verdict=verdict(puts + floor_puts == 0),
        ),
    ]
