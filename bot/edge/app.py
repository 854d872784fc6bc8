"""The Discord bot: owns its resources, loads the cogs, and syncs commands only when they changed.

Following discord.py's `advanced_startup` example, `setup_hook` opens the services (`bot.services`: the
store and everything over it; the loop is running by then) and `close` releases them. Command sync is
deliberate: the payload is hashed and compared with the last sync recorded in the store, so restarts do
not spend Discord's tight sync rate limit, and `on_ready` (which fires on every reconnect) never syncs.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import inspect
import json
import logging
import pkgutil
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket

from bot import health
from bot.briefing.service import Briefing
from bot.config import Settings
from bot.curation.service import Curator
from bot.edge.embeds import NO_MENTIONS
from bot.edge.interactions import BriefTree
from bot.pictures.painter import Painter
from bot.services import Services, open_services
from bot.store import Store
from bot.store.writes import utcnow

log = logging.getLogger(__name__)

#: The package whose modules are the bot's extensions.
COGS = "cogs"


def extensions(package: str = COGS) -> list[str]:
    """Every module of `package` that defines `setup`, by name: a cog is loaded by being there.

    As python-discord's `walk_extensions` does, each module is imported to be asked; one whose name
    starts with `_` is a helper, not an extension. The order is the names', so it is the same every run.
    """
    found = []
    for module in pkgutil.iter_modules(importlib.import_module(package).__path__, prefix=f"{package}."):
        if module.name.rpartition(".")[2].startswith("_"):
            continue
        if inspect.isfunction(getattr(importlib.import_module(module.name), "setup", None)):
            found.append(module.name)
    return sorted(found)


def command_payload(tree: app_commands.CommandTree, guild: discord.abc.Snowflake | None) -> list[dict[str, object]]:
    """The JSON Discord would receive for this scope, which is what decides whether a sync is needed."""
    return [command.to_dict(tree) for command in tree.get_commands(guild=guild)]


def payload_hash(payload: list[dict[str, object]]) -> str:
    """A stable digest of a command payload, whatever order the extensions added the commands in.

    Discord keeps no order among top-level commands, so loading the same cogs in another order (a cog
    renamed, say) is no reason to spend a sync.
    """
    commands = sorted(payload, key=lambda command: str(command["name"]))
    return hashlib.sha256(json.dumps(commands, sort_keys=True, default=str).encode()).hexdigest()


def shard_options(settings: Settings) -> dict[str, Any]:
    """discord.py's `shard_count` and `shard_ids` for this process; none when SHARD_COUNT is unset."""
    if settings.shard_count is None:
        return {}
    return {"shard_count": settings.shard_count, "shard_ids": sorted(settings.shards.ids)}


class BriefBot(commands.AutoShardedBot):
    """briefbot's client: slash commands only, no privileged intents, nothing it posts can ping.

    Always auto-sharded: with SHARD_COUNT unset it runs as many shards as Discord recommends (one, for all
    but large bots) in this one process, as a plain Bot would; with SHARD_COUNT and SHARD_IDS it runs those
    shards of that many, and the settings' `shards` decide which servers' digests and feeds it serves.
    """

    services: Services

    def __init__(
        self,
        settings: Settings,
        *,
        force_sync: bool = False,
        sync_only: bool = False,
        clock: Callable[[], datetime] = utcnow,
        digest_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """`sync_only` loads the commands to sync them and starts nothing that acts (no digest scheduler).

        `clock` and `digest_sleep` are the time the digest service and its retries see: tests move them.
        """
        super().__init__(
            command_prefix=commands.when_mentioned,
            # Interactions arrive whatever the intents; guilds alone keeps the channel cache that digest
            # targets are checked against. Without message events, each answer the bot posts is not sent
            # back to it as MESSAGE_CREATE, parsed and cached: a third of a command's gateway work.
            intents=discord.Intents(guilds=True),
            max_messages=None,
            tree_cls=BriefTree,
            allowed_mentions=NO_MENTIONS,
            help_command=None,
            **shard_options(settings),
        )
        self.settings = settings
        self.force_sync = force_sync or sync_only
        self.sync_only = sync_only
        self.clock = clock
        self.digest_sleep = digest_sleep
        self._closing: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        if settings.discord_api_base:
            discord.http.Route.BASE = settings.discord_api_base

    async def setup_hook(self) -> None:
        """Open the store, seed it on first start, load the cogs, then sync if the commands changed."""
        if self.settings.discord_api_base:
            # With SHARD_COUNT set, discord.py dials its default gateway without asking /gateway/bot; a
            # replacement API must name its own gateway.
            _, url, _ = await self.http.get_bot_gateway()
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        self.services = await open_services(self.settings, clock=self.clock)
        # Pictures are drawn in a worker process, so that matplotlib's memory and CPU stay out of the bot's.
        self.services.painter = Painter(where="process")
        for extension in extensions():
            await self.load_extension(extension)
        await self.sync_commands(force=self.force_sync)
        if self.settings.heartbeat_file is not None and not self.sync_only:
            self._heartbeat = asyncio.create_task(self._beat(self.settings.heartbeat_file), name="heartbeat")

    def connected(self) -> bool:
        """Whether every shard this process runs is connected and the bot is ready."""
        return self.is_ready() and not self.is_closed() and all(not s.is_closed() for s in self.shards.values())

    async def _beat(self, path: Path) -> None:
        """Rewrite the heartbeat file every few seconds until closed (`briefbot health` reads it)."""
        while True:
            beat = health.Beat.now(self.settings.shards.describe(), connected=self.connected())
            try:
                await asyncio.to_thread(health.write, path, beat)
            except OSError:
                log.warning("cannot write the heartbeat file %s", path, exc_info=True)
            await asyncio.sleep(1.0 if not beat.connected else health.BEAT_SECONDS)

    @property
    def store(self) -> Store:
        """The fact store the services read and write."""
        return self.services.store

    @property
    def briefing(self) -> Briefing:
        """Answers about the default topic."""
        return self.services.briefing

    @property
    def curator(self) -> Curator:
        """The one write path for moderators."""
        return self.services.curator

    async def sync_commands(self, *, force: bool = False) -> list[str]:
        """Sync each scope whose payload differs from the last one synced; return the scopes synced."""
        guilds = [discord.Object(id=g) for g in self.settings.guild_ids]
        for server in guilds:
            self.tree.copy_global_to(guild=server)
        synced = []
        scopes: list[discord.Object | None] = [*guilds] or [None]
        for guild in scopes:
            scope = f"guild:{guild.id}" if guild else "global"
            key = f"command-sync:{self.application_id}:{scope}"
            digest = payload_hash(command_payload(self.tree, guild))
            if not force and await self.store.get_meta(key) == digest:
                log.info("commands unchanged for %s; not syncing", scope)
                continue
            await self.tree.sync(guild=guild)
            await self.store.set_meta(key, digest)
            synced.append(scope)
            log.info("synced commands to %s", scope)
        return synced

    async def close(self) -> None:
        """Disconnect, then close the store so no write is cut off; callers at once all wait for the end.

        discord.py lets a second caller return as soon as the gateway is closed, so a SIGTERM's close and
        the `async with` exit racing each other would let the process end with the store half-closed.
        """
        if self._closing is None:
            self._closing = asyncio.get_running_loop().create_task(self._close_everything())
        await asyncio.shield(self._closing)

    async def __aexit__(self, *exc: object) -> None:
        """Wait for the whole close, not only discord.py's part of one another caller began."""
        await self.close()

    async def _close_everything(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        await super().close()
        services = getattr(self, "services", None)
        if services is not None:
            log.info(services.answer_cache_report())
            log.info(services.painter.report())
            await services.close()
