"""The stage every Discord measurement shares: the local Discord double, and the real bot in its own process.

The bot runs as `python -m bot run` does in production, in a separate process, so that its memory is
its own, its start-up is a real process start, and it does not share an event loop with the double
(which stands in for Discord, a different machine). Only its settings point it at the double.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bot
from bench.generator import STAKEHOLDER, TOPIC_SLUG
from tests.discord_double import DiscordDouble, InteractionTimeout
from tests.discord_double.world import Channel, Guild, Member

#: Where store copies and bot logs go during a run.
RUN_DIR = Path(__file__).resolve().parent / ".cache" / "run"
USERS = 50
CODE_ROOT = Path(bot.__file__).resolve().parent.parent
#: Generous: a benchmark under load must report a slow answer, not fail on the double's test timeout.
ANSWER_TIMEOUT = 60.0
#: How long a picture may take to follow its answer before the answer is taken to have none.
PICTURE_TIMEOUT = 10.0
START_TIMEOUT = 120.0


@dataclass
class Stage:
    """The double with one server, one channel and the users who type the commands."""

    double: DiscordDouble
    guild: Guild
    channel: Channel
    users: list[Member]


@contextlib.asynccontextmanager
async def stage() -> AsyncIterator[Stage]:
    """A double with a server of `USERS` members; request bodies are not schema-checked (that is the tests' job)."""
    async with DiscordDouble(check_schema=False, interaction_timeout=ANSWER_TIMEOUT) as double:
        guild = double.add_guild("bench")
        channel = guild.add_channel("briefing")
        users = [guild.add_member(f"user{i:02d}") for i in range(USERS)]
        yield Stage(double, guild, channel, users)


def fresh_copy(template: Path, name: str) -> Path:
    """A private copy of a cached store: what a bot writes (sync hashes, statistics) must not leak into later runs."""
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    target = RUN_DIR / name
    for path in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        path.unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return target


def remove_copies() -> None:
    """Delete the store copies of a run (they are large); the bots' logs stay for a look afterwards."""
    for path in RUN_DIR.glob("*.db*"):
        path.unlink()


@dataclass
class Answer:
    """One command as a user lived it: seconds from sending to seeing the answer, and how it went."""

    seconds: float
    deferred: bool
    ok: bool


async def ask(stage: Stage, user: Member, command: str, options: dict[str, Any]) -> Answer:
    """Send one slash command and wait for its answer to be shown (the reply, or the edit after a deferral)."""
    result = await stage.double.slash(stage.guild, stage.channel, user, command, options, wait=False)
    try:
        await result.final(ANSWER_TIMEOUT)
    except InteractionTimeout:
        return Answer(time.monotonic() - result.dispatched_at, deferred=False, ok=False)
    deferred = result.response_type == 5
    return Answer(time.monotonic() - result.dispatched_at, deferred=deferred, ok=not result.errors)


async def ask_picture(stage: Stage, user: Member, command: str, options: dict[str, Any]) -> Answer | None:
    """Send one command and wait for its picture to be shown; None if the answer has no picture."""
    result = await stage.double.slash(stage.guild, stage.channel, user, command, options, wait=False)
    try:
        message = await result.final(ANSWER_TIMEOUT)
    except InteractionTimeout:
        return Answer(time.monotonic() - result.dispatched_at, deferred=False, ok=False)
    deadline = time.monotonic() + PICTURE_TIMEOUT
    while not message.files:
        if time.monotonic() > deadline:
            return None
        await asyncio.sleep(0.0005)
    return Answer(time.monotonic() - result.dispatched_at, deferred=result.response_type == 5, ok=not result.errors)


class BotProcess:
    """briefbot in its own process, configured like production but for where Discord and the store are."""

    def __init__(self, process: asyncio.subprocess.Process, spawned_at: float, log: Path) -> None:
        self.process = process
        self.spawned_at = spawned_at
        self.log = log

    @classmethod
    async def start(cls, stage: Stage, database: Path, extra: dict[str, str] | None = None) -> BotProcess:
        """Spawn `python -m bot run` (`extra`: more settings); returns at once (see `wait_connected`)."""
        packs = RUN_DIR / "no-packs"
        packs.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DISCORD_TOKEN": stage.double.token,
            "DISCORD_API_BASE": stage.double.api_base,
            "DATABASE_PATH": str(database),
            "PACKS_DIR": str(packs),
            "GUILD_IDS": str(stage.guild.id),
            "DEFAULT_TOPIC": TOPIC_SLUG,
            "DEFAULT_STAKEHOLDER": STAKEHOLDER,
            "LOG_LEVEL": "INFO",
            # The bot measured is the code this process imported (a patched copy, when comparing one).
            "PYTHONPATH": os.pathsep.join(filter(None, [str(CODE_ROOT), os.environ.get("PYTHONPATH")])),
            **(extra or {}),
        }
        log = database.with_suffix(".log")
        with log.open("ab") as sink:
            spawned_at = time.monotonic()
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                cwd=RUN_DIR,  # no .env from the working tree
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=sink,
                stderr=sink,
            )
        return cls(process, spawned_at, log)

    async def wait_connected(self, stage: Stage, identifies_before: int) -> float:
        """Wait until the bot has identified on the gateway (its commands are loaded by then); return when."""
        deadline = time.monotonic() + START_TIMEOUT
        while stage.double.identify_count <= identifies_before:
            if self.process.returncode is not None:
                raise RuntimeError(f"the bot exited with {self.process.returncode}; see {self.log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the bot did not connect within {START_TIMEOUT:g}s; see {self.log}")
            await asyncio.sleep(0.005)
        return time.monotonic()

    def log_size(self) -> int:
        """Where this process's part of the (appended) log begins, or has got to."""
        return self.log.stat().st_size

    def rss_mb(self) -> float:
        """Resident set size of the bot process, in MiB, from /proc."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        return kib / 1024

    def children_rss_mb(self) -> float:
        """Resident set size of the bot's child processes (the picture worker), in MiB; 0 when there are none."""
        total = 0.0
        for tasks in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            for pid in tasks.read_text().split():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        return total / 1024

    async def stop(self) -> None:
        """Stop as a service manager would (the bot closes its store cleanly); kill it if it does not stop in time.

        SIGTERM, not SIGINT: a shell starts background jobs with SIGINT ignored, and Python then installs no
        Ctrl-C handler, so a benchmark run with `&` would wait out the timeout at every stop.
        """
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 60)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@contextlib.asynccontextmanager
async def running_bot(stage: Stage, database: Path, **settings: str) -> AsyncIterator[BotProcess]:
    """A bot connected to the double and answering (a first /ping has come back); `settings` go in its env."""
    before = stage.double.identify_count
    bot = await BotProcess.start(stage, database, settings)
    try:
        await bot.wait_connected(stage, before)
        first = await ask(stage, stage.users[0], "ping", {})
        if not first.ok:
            raise RuntimeError(f"the bot did not answer /ping; see {bot.log}")
        yield bot
    finally:
        await bot.stop()
