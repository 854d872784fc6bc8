"""The real briefbot, started as `briefbot run` starts it, against the local Discord double.

One double and one bot per test module (starting them is the slow part); tests that need a clean bot or a
restart use `running_bot` themselves. Only settings differ from production: the token is the double's,
`DISCORD_API_BASE` points discord.py at it, and the database lives in a temporary folder.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest_asyncio

from bot.config import Settings
from bot.edge.app import BriefBot
from tests.discord_double import DiscordDouble, run_client
from tests.discord_double.world import Channel, Guild, Member

ROOT = Path(__file__).resolve().parents[2]
SEED_PACKS = ROOT / "bot" / "seed_packs"


@dataclass
class World:
    """The server the tests act in."""

    guild: Guild
    channel: Channel
    member: Member
    other: Member
    moderator: Member
    database: Path


def bot_settings(double: DiscordDouble, world: World, **overrides: object) -> Settings:
    """Production settings but for where Discord and the database are."""
    values: dict[str, object] = {
        "discord_token": double.token,
        "discord_api_base": double.api_base,
        "database_path": world.database,
        "packs_dir": SEED_PACKS,
        "guild_ids": [world.guild.id],
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def embed_text(embeds: list[dict]) -> str:
    parts = []
    for embed in embeds:
        parts += [embed.get("title", ""), embed.get("description", "")]
        for field in embed.get("fields", []):
            parts += [field["name"], field["value"]]
        parts.append(embed.get("footer", {}).get("text", ""))
    return "\n".join(parts)


@contextlib.asynccontextmanager
async def running_bot(double: DiscordDouble, settings: Settings, **options: Any) -> AsyncIterator[BriefBot]:
    """Start a BriefBot the way `briefbot run` does (`start(token)`) and stop it on exit."""
    async with run_client(double, BriefBot(settings, **options), until="guilds") as bot:
        yield bot


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(discord_double_server: DiscordDouble, tmp_path_factory) -> World:
    guild = discord_double_server.add_guild("ops")
    mods = guild.add_role("mods", discord.Permissions(manage_guild=True))
    return World(
        guild=guild,
        channel=guild.add_channel("briefing"),
        member=guild.add_member("alice"),
        other=guild.add_member("bob"),
        moderator=guild.add_member("mona", roles=[mods]),
        database=tmp_path_factory.mktemp("store") / "briefbot.db",
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def briefbot(discord_double_server: DiscordDouble, world: World) -> AsyncIterator[BriefBot]:
    async with running_bot(discord_double_server, bot_settings(discord_double_server, world)) as bot:
        yield bot
