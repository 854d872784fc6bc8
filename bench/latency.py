"""Measurement 1: command latency through the real discord.py client and the Discord double.

Each sample is the time from the double sending INTERACTION_CREATE to the answer being shown (the
callback, or the edit that resolves a deferral). Commands are measured in interleaved blocks, every
command once per block in a shuffled order, so that a noisy neighbour slows all of them alike and the
ratio to /ping (a command that does no work) stays meaningful.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bench.generator import topic_slug
from bench.harness import USERS, Answer, Stage, ask, ask_picture, fresh_copy, running_bot
from bench.report import Row, percentile, verdict
from bench.workload import MEASURED, TopicalWorkload, Workload

#: The store size the issue sets the latency goals at.
GOAL_SIZE = 100_000
P50_GOAL = 1.3
P99_GOAL = 3.0
#: /timeline with its chart against the same answers without one (issue: pictures), at p50.
PICTURE_GOAL = 3.0
#: Timelines asked of each bot in the with/without comparison, and pictures waited for.
COMPARED = 200
PICTURES = 40
#: Commands each user sends back to back per block, so that 50 users keep 50 commands in flight.
ROUNDS_PER_BLOCK = 2


@dataclass
class Samples:
    """Answers per command at one concurrency."""

    answers: dict[str, list[Answer]] = field(default_factory=dict)

    def seconds(self, command: str) -> list[float]:
        return [a.seconds for a in self.answers.get(command, []) if a.ok]

    def add(self, command: str, answers: list[Answer]) -> None:
        self.answers.setdefault(command, []).extend(answers)


async def _user(
    stage: Stage, workload: Workload | TopicalWorkload, user: int, command: str, rounds: int
) -> list[Answer]:
    return [await ask(stage, stage.users[user], command, workload.options(command)) for _ in range(rounds)]


async def measure(stage: Stage, workload: Workload | TopicalWorkload, users: int, per_command: int) -> Samples:
    """At least `per_command` answers for /ping and each measured command, with `users` users at once."""
    commands = ["ping", *MEASURED]
    rounds = ROUNDS_PER_BLOCK if users > 1 else 10
    blocks = math.ceil(per_command / (users * rounds))
    order = random.Random(users)
    samples = Samples()
    for _ in range(blocks):
        order.shuffle(commands)
        for command in commands:
            batches = await asyncio.gather(*(_user(stage, workload, u, command, rounds) for u in range(users)))
            samples.add(command, [a for batch in batches for a in batch])
    return samples


def rows(size: int, users: int, samples: Samples, topics: int = 1, cache: bool = True) -> list[Row]:
    """p50 and p99 of each command against /ping's, at one concurrency; the goals apply with the answer cache on."""
    who = "1 user" if users == 1 else f"{users} users"
    who += f", {topics} topics" if topics > 1 else ""
    who += "" if cache else ", answer cache off"
    applies = size == GOAL_SIZE and cache
    floor = samples.seconds("ping")
    floor50, floor99 = percentile(floor, 50) * 1000, percentile(floor, 99) * 1000
    out = [
        Row(f"/ping p50, {who}", size, floor50, "ms", note="floor"),
        Row(f"/ping p99, {who}", size, floor99, "ms", note="floor"),
    ]
    for command in MEASURED:
        answers = samples.answers[command]
        seconds = samples.seconds(command)
        deferred = sum(a.deferred for a in answers)
        failed = sum(not a.ok for a in answers)
        note = ", ".join(
            part for part in (f"{deferred} deferred" if deferred else "", f"{failed} failed" if failed else "") if part
        )
        p50, p99 = percentile(seconds, 50) * 1000, percentile(seconds, 99) * 1000
        out.append(Row(f"/{command} p50, {who}", size, p50, "ms", floor50, f"≤ {P50_GOAL}×", "", note))
        out.append(Row(f"/{command} p99, {who}", size, p99, "ms", floor99, f"≤ {P99_GOAL}×", "", note))
    for row in out:
        if row.floor is not None and row.ratio is not None:
            limit = P50_GOAL if " p50" in row.figure else P99_GOAL
            row.verdict = verdict(row.ratio <= limit and "failed" not in row.note, applies)
    return out


async def run(
    stage: Stage, template: Path, size: int, per_command: dict[int, int], topics: int = 1
) -> tuple[list[Row], float]:
    """Latency at 1 and 50 users on a bot serving a copy of `template`; also returns the RSS after start.

    With several `topics` (a store from `cached_store(size, topics=…)`), each question is about a topic drawn
    at random (`TopicalWorkload`). A second bot, its answer cache off, is then asked the same questions by one
    user: what an answer costs to make, which the figures above mix with answers given again in the share
    the cache row reports.
    """
    database = fresh_copy(template, f"latency-{size}" + (f"-t{topics}" if topics > 1 else "") + ".db")
    out: list[Row] = []
    async with running_bot(stage, database) as bot:
        log_from = bot.log_size()
        rss_after_start = bot.rss_mb()
        workload = _workload(template, topics)
        await measure(stage, workload, 1, 20)  # warm-up: imports, caches, the first page reads
        for users in (1, USERS):
            out += rows(size, users, await measure(stage, workload, users, per_command[users]), topics)
    out.append(cache_row(size, bot.log, log_from, topics))
    async with running_bot(stage, database, ANSWER_CACHE="0"):
        workload = _workload(template, topics)
        await measure(stage, workload, 1, 20)
        out += rows(size, 1, await measure(stage, workload, 1, per_command[1]), topics, cache=False)
    if topics == 1:
        out += await pictures(stage, template, size)
    return out, rss_after_start


def _workload(template: Path, topics: int) -> Workload | TopicalWorkload:
    """The seeded users of a store: the same questions in the same order each time."""
    if topics > 1:
        return TopicalWorkload(template, {i + 1: topic_slug(i) for i in range(topics)})
    return Workload.from_store(template)


async def _timelines(stage: Stage, template: Path, size: int, pictures: bool) -> tuple[list[float], list[float]]:
    """The same /timeline questions on a fresh bot with pictures on or off; then, on, seconds to each picture."""
    workload = Workload.from_store(template)  # seeded: both bots are asked the same questions in the same order
    settings = {} if pictures else {"PICTURES": "false"}
    answered: list[float] = []
    drawn: list[float] = []
    async with running_bot(stage, fresh_copy(template, f"pictures-{size}-{pictures}.db"), **settings):
        for _ in range(20):
            await ask(stage, stage.users[0], "ping", {})
        for _ in range(COMPARED):
            answer = await ask(stage, stage.users[0], "timeline", workload.options("timeline"))
            if answer.ok:
                answered.append(answer.seconds)
        if pictures:
            for _ in range(PICTURES):  # 90-day windows: weekly charts, a new picture each
                since = workload._day()
                options = {"since": since.isoformat(), "until": (since + timedelta(days=90)).isoformat()}
                shown = await ask_picture(stage, stage.users[0], "timeline", options)
                if shown is not None and shown.ok:
                    drawn.append(shown.seconds)
    return answered, drawn


async def pictures(stage: Stage, template: Path, size: int) -> list[Row]:
    """/timeline with its chart against the same answers without one (PICTURES=false), and time to the picture."""
    with_chart, drawn = await _timelines(stage, template, size, True)
    without, _ = await _timelines(stage, template, size, False)
    base50 = percentile(without, 50) * 1000
    p50, p99 = percentile(with_chart, 50) * 1000, percentile(with_chart, 99) * 1000
    return [
        Row("/timeline p50 without pictures, 1 user (floor)", size, base50, "ms", note=f"{len(without)} asked"),
        Row(
            "/timeline p50 with its chart, 1 user",
            size,
            p50,
            "ms",
            base50,
            f"≤ {PICTURE_GOAL:g}×",
            verdict(p50 <= PICTURE_GOAL * base50, size == GOAL_SIZE),
            "text first; the picture follows by an edit unless already drawn",
        ),
        Row("/timeline p99 with its chart, 1 user", size, p99, "ms", percentile(without, 99) * 1000),
        Row(
            "/timeline picture shown p50 (a new 90-day chart each)",
            size,
            percentile(drawn, 50) * 1000 if drawn else math.nan,
            "ms",
            note=f"{len(drawn)} of {PICTURES} drawn; the first starts the drawing worker",
        ),
        Row("/timeline picture shown p99", size, percentile(drawn, 99) * 1000 if drawn else math.nan, "ms"),
    ]


def cache_row(size: int, log: Path, start: int, topics: int = 1) -> Row:
    """How many answers came from the answer cache: the figures above mix hits and misses in this share.

    Read from this run's part of the bot's log (logs are appended to across runs), as the bot logs it when
    it closes; a bot that had to be killed logged nothing, and the row says so rather than show a stale share.
    """
    with log.open("rb") as text:
        text.seek(start)
        found = re.findall(r"answer cache: (\d+) hits, (\d+) misses", text.read().decode(errors="replace"))
    # One cache per topic, each reported: they add up.
    last = [tuple(map(int, pair)) for pair in found[-topics:]] if found else []
    hits, misses = sum(h for h, _ in last), sum(m for _, m in last)
    share = 100 * hits / (hits + misses) if hits + misses else math.nan
    figure = "answers given from the answer cache" + (f" ({topics} topics)" if topics > 1 else "")
    return Row(figure, size, round(share), "%", note=f"{hits} hits, {misses} misses")
