"""Measurement 3: digest fan-out, 1,000 subscriptions due in the same minute, under Discord's rate limits.

The subscriptions are made through the digest service (as `/digest subscribe` makes them), spread over
channels so that Discord's per-channel limit (5 messages per 5 s, which the double enforces) decides how
fast they can go, with Discord's global limit (50 requests a second, which the double enforces too) over
them. The bot's own scheduler fires them; the figure is the time from the minute they were due to the
last message posted, against the least time the limits allow: with M messages in the busiest channel and
N in all, the last can go out no sooner than max(floor((M - 1) / 5) × 5 s, floor((N - 1) / 50) × 1 s)
after the first.
Exactly once is checked message by message: every part of every run, one message per nonce.

`fanout2` runs the same fan-out through two shard processes (SHARD_COUNT=2, SHARD_IDS=0 and 1) on one
store file, half of the subscriptions in a server on each shard. The limits are the bot's, not the
process's: each process paces to its share (25 a second), so together they can do no better than the one
process, and the floor is the same.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.generator import STAKEHOLDER, TOPIC_SLUG
from bench.harness import ANSWER_TIMEOUT, BotProcess, Stage, fresh_copy, running_bot
from bench.report import Row, verdict
from bot.config import Settings
from bot.digests.models import SubscribeRequest
from bot.models import Author
from bot.services import Services
from bot.store import Store
from tests.discord_double import DEFAULT_ROUTE_LIMITS, DiscordDouble
from tests.discord_double.ratelimit import GLOBAL_LIMIT
from tests.discord_double.world import Channel

SUBSCRIPTIONS = 1_000
CHANNELS = 50
RATIO = 1.2
#: Time to make the subscriptions and start the bot before they are due.
LEAD = timedelta(seconds=30)
DONE_TIMEOUT = 900.0
_, _, PER_WINDOW, WINDOW = next(
    limit for limit in DEFAULT_ROUTE_LIMITS if limit[:2] == ("POST", r"/channels/(\d+)/messages")
)


async def subscribe(database: Path, guild_id: int, channel_ids: list[int], due: datetime, count: int) -> None:
    """`count` daily digests at `due`, round-robin over the channels, as a moderator would make them."""
    store = await Store.open(database)
    try:
        settings = Settings(_env_file=None, default_topic=TOPIC_SLUG, default_stakeholder=STAKEHOLDER)  # type: ignore[call-arg]
        service = Services.build(settings, store).digests
        author = Author(id=1, name="bench")
        for i in range(count):
            q = SubscribeRequest(
                channel=channel_ids[i % len(channel_ids)], schedule=f"daily {due:%H:%M}", timezone="UTC"
            )
            await service.subscribe(q, guild_id, author)
    finally:
        await store.close()


def finished(database: Path) -> int:
    """How many of the runs the bot has finished (posted, or given up on), from its ledger."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM digest_deliveries WHERE status <> 'sending'").fetchone()[0]
    finally:
        conn.close()


async def wait_finished(database: Path, deadline: float) -> int:
    """Poll the ledger (another process's store: nothing to await) until every run is done or `deadline`."""
    while True:
        done = finished(database)
        if done >= SUBSCRIPTIONS or time.monotonic() > deadline:
            return done
        await asyncio.sleep(0.5)


def allowed_seconds(per_channel: Counter[int]) -> float:
    """The least time the limits allow from the first message to the last: the busiest channel's, or the global."""
    busiest = max(((count - 1) // PER_WINDOW) * WINDOW for count in per_channel.values())
    per_second, second = GLOBAL_LIMIT
    return max(busiest, ((per_channel.total() - 1) // per_second) * second)


async def run(stage: Stage, template: Path, size: int) -> list[Row]:
    """Fan out `SUBSCRIPTIONS` digests due at the same minute and judge time and exactly-once delivery."""
    channels = [stage.guild.add_channel(f"digest-{i:02d}") for i in range(CHANNELS)]
    database = fresh_copy(template, f"fanout-{size}.db")
    due = _due()
    await subscribe(database, stage.guild.id, [c.id for c in channels], due, SUBSCRIPTIONS)
    stage.double.enforce_limits()
    try:
        async with running_bot(stage, database):
            done = await _wait(database, due)
    finally:
        stage.double.enforce_limits(False)
    return judge(stage.double, channels, done, due, size, "")


async def run_sharded(template: Path, size: int) -> list[Row]:
    """The same fan-out through two shard processes on one store file, in a double presenting two shards."""
    async with DiscordDouble(shard_count=2, check_schema=False, interaction_timeout=ANSWER_TIMEOUT) as double:
        stages, channels = [], []
        for shard in (0, 1):
            guild = double.add_guild(f"bench-{shard}", shard=shard)
            theirs = [guild.add_channel(f"digest-{i:02d}") for i in range(CHANNELS // 2)]
            stages.append(Stage(double, guild, theirs[0], []))
            channels += theirs
        database = fresh_copy(template, f"fanout2-{size}.db")
        due = _due()
        for st in stages:
            ids = [c.id for c in channels if c.guild is st.guild]
            await subscribe(database, st.guild.id, ids, due, SUBSCRIPTIONS // 2)
        double.enforce_limits()
        before = double.identify_count
        processes = [
            await BotProcess.start(st, database, {"SHARD_COUNT": "2", "SHARD_IDS": str(shard)})
            for shard, st in enumerate(stages)
        ]
        try:
            for process, st in zip(processes, stages, strict=True):
                await process.wait_connected(st, before + 1)  # until both have identified
            done = await _wait(database, due)
        finally:
            await asyncio.gather(*(process.stop() for process in processes))
        return judge(double, channels, done, due, size, ", two processes")


def _due() -> datetime:
    """The first whole minute after `LEAD`: time to subscribe and start the bot before the runs are due."""
    return (datetime.now(UTC) + LEAD + timedelta(minutes=1)).replace(second=0, microsecond=0)


async def _wait(database: Path, due: datetime) -> int:
    return await wait_finished(database, time.monotonic() + (due - datetime.now(UTC)).total_seconds() + DONE_TIMEOUT)


def judge(double: DiscordDouble, channels: list[Channel], done: int, due: datetime, size: int, how: str) -> list[Row]:
    """Time from due to the last message against what the limits allow, and exactly-once, message by message."""
    posted = [m for c in channels for m in double.messages(c) if m.source == "channel"]
    nonces = Counter(str(m.data.get("nonce")) for m in posted)
    runs = {nonce.rsplit("-", 1)[0] for nonce in nonces}
    twice = sum(n - 1 for n in nonces.values() if n > 1)
    stamps = sorted(datetime.fromisoformat(m.data["timestamp"]) for m in posted) or [due]
    seconds = (stamps[-1] - due).total_seconds()
    allowed = allowed_seconds(Counter(m.channel_id for m in posted)) if posted else float("nan")
    once = done == SUBSCRIPTIONS and len(runs) == SUBSCRIPTIONS and twice == 0
    first = (stamps[0] - due).total_seconds()
    note = f"{len(posted)} messages in {CHANNELS} channels, the first {first:.1f} s after due"
    return [
        Row(
            f"digest fan-out{how}: due → last message",
            size,
            seconds,
            "s",
            allowed,
            f"≤ {RATIO}× the limit",
            verdict(seconds <= RATIO * allowed and once),
            note + "; floor: what the limits allow",
        ),
        Row(
            f"digest runs delivered exactly once{how}",
            size,
            float(len(runs)),
            "runs",
            goal=f"{SUBSCRIPTIONS:,}, none twice",
            verdict=verdict(once),
            note=f"{done} finished in the ledger, {twice} duplicate messages",
        ),
    ]
