"""Start, restart and sync: the command tree is sent to Discord only when it changed or when asked."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from asyncio.subprocess import PIPE, STDOUT
from datetime import UTC, datetime, timedelta

import discord
import pytest

from bot.config import ConfigError
from bot.digests.models import SubscribeRequest
from bot.edge.run import run_bot
from bot.models import Author
from bot.services import open_services
from tests.discord_double import DiscordDouble
from tests.e2e.conftest import SEED_PACKS, World, bot_settings, embed_text, running_bot

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_restart_on_the_same_database_does_not_resync(discord_double: DiscordDouble, world: World):
    settings = bot_settings(discord_double, world)
    async with running_bot(discord_double, settings) as bot:
        facts = (await bot.store.counts((await bot.store.topic("operation-1027")).id))["facts_active"]
    assert discord_double.command_puts[world.guild.id] == 1
    async with running_bot(discord_double, settings) as bot:
        result = await discord_double.slash(world.guild, world.channel, world.member, "ping")
        assert result.text == "pong"
        again = (await bot.store.counts((await bot.store.topic("operation-1027")).id))["facts_active"]
    assert discord_double.command_puts[world.guild.id] == 1, "an unchanged tree was synced again"
    assert again == facts, "the seed pack was loaded twice"


async def test_the_bot_asks_the_gateway_for_guild_events_only(discord_double: DiscordDouble, world: World):
    # Message events would echo every answer the bot posts back to it, to be parsed and cached for nothing.
    async with running_bot(discord_double, bot_settings(discord_double, world)):
        assert discord_double.session_intents == discord.Intents(guilds=True).value


async def test_timeline_buttons_turn_pages_after_a_restart(discord_double: DiscordDouble, world: World, tmp_path):
    settings = bot_settings(discord_double, world, database_path=tmp_path / "pages.db")
    async with running_bot(discord_double, settings):
        asked = await discord_double.slash(world.guild, world.channel, world.member, "timeline")
        message = await asked.final()
        assert "Page 1/2" in embed_text(asked.embeds)
    async with running_bot(discord_double, settings):
        _, later = message.custom_ids
        turned = await discord_double.press(world.guild, world.channel, world.member, message, later)
        assert "Page 2/2" in embed_text(turned.embeds)


async def test_briefbot_sync_forces_a_sync(discord_double: DiscordDouble, world: World):
    before = discord_double.command_puts[world.guild.id]
    await run_bot(bot_settings(discord_double, world), sync_only=True)
    assert discord_double.command_puts[world.guild.id] == before + 1


async def test_briefbot_sync_posts_no_digest_that_a_start_would(discord_double: DiscordDouble, world: World, tmp_path):
    settings = bot_settings(discord_double, world, database_path=tmp_path / "sync.db")
    channel = world.guild.add_channel("sync-digests")
    now = datetime.now(UTC)
    services = await open_services(settings, clock=lambda: now - timedelta(days=1))
    try:
        due = now - timedelta(minutes=5)  # missed while down, well inside the grace: a start catches it up
        q = SubscribeRequest(channel=channel.id, schedule=f"daily {due:%H:%M}", timezone="UTC")
        await services.digests.subscribe(q, world.guild.id, Author(id=1, name="mona"))
    finally:
        await services.close()

    def posted() -> int:
        return len([m for m in discord_double.messages(channel, include_ephemeral=False) if m.source == "channel"])

    await run_bot(settings, sync_only=True)
    await asyncio.sleep(0.2)
    assert posted() == 0, "a sync posted a digest"
    async with running_bot(discord_double, settings) as bot:
        await bot.get_cog("Digests").runtime.catch_up
    assert posted() == 1, "the control failed: a start should have caught the digest up"


async def test_without_guild_ids_commands_sync_globally(discord_double: DiscordDouble, world: World, tmp_path):
    settings = bot_settings(discord_double, world, guild_ids=[], database_path=tmp_path / "global.db")
    async with running_bot(discord_double, settings):
        pass
    assert discord_double.command_puts[None] == 1
    assert {c["name"] for c in discord_double.commands()} >= {"brief", "actor", "fact"}


async def test_a_rejected_token_is_one_line_not_a_traceback(discord_double: DiscordDouble, world: World, tmp_path):
    env = {
        **os.environ,
        "DISCORD_TOKEN": "not-a-real-token",
        "DISCORD_API_BASE": discord_double.api_base,
        "DATABASE_PATH": str(tmp_path / "refused.db"),
        "PACKS_DIR": str(SEED_PACKS),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path, stdout=PIPE, stderr=PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert out == b""
    text = err.decode()
    assert "Traceback" not in text and "voice" not in text, text
    assert text.strip().splitlines()[-1] == (
        "error: bad configuration: DISCORD_TOKEN: Discord refused it;"
        " reset the token in the Developer Portal (Bot → Reset Token)"
    )


async def test_sigterm_closes_the_bot_and_its_store_as_ctrl_c_does(
    discord_double: DiscordDouble, world: World, tmp_path
):
    database = tmp_path / "terminated.db"
    env = {
        **os.environ,
        "DISCORD_TOKEN": discord_double.token,
        "DISCORD_API_BASE": discord_double.api_base,
        "DATABASE_PATH": str(database),
        "PACKS_DIR": str(SEED_PACKS),
        "GUILD_IDS": str(world.guild.id),
    }
    identified = discord_double.identify_count
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path, stdout=PIPE, stderr=STDOUT
    )
    try:
        async with asyncio.timeout(60):
            while discord_double.identify_count == identified:
                assert process.returncode is None, (await process.stdout.read()).decode()
                await asyncio.sleep(0.05)
        assert (await discord_double.slash(world.guild, world.channel, world.member, "ping")).text == "pong"
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, output.decode()
    # The store was closed, not cut off: its write-ahead log was checkpointed into the file and removed.
    assert f"{database.name}-wal" not in os.listdir(tmp_path)


async def test_a_default_topic_the_store_lacks_stops_the_bot_at_start(
    discord_double: DiscordDouble, world: World, tmp_path
):
    settings = bot_settings(discord_double, world, default_topic="nope", database_path=tmp_path / "topic.db")
    with pytest.raises(ConfigError, match=r"^bad configuration: DEFAULT_TOPIC: the store has no topic 'nope'"):
        await run_bot(settings)
