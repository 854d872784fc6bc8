"""/about and /ping: what the bot is and whether it is alive."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.briefing.queries import AboutQuery, summary
from bot.edge.app import BriefBot
from bot.edge.embeds import NO_MENTIONS
from bot.edge.interactions import send_answer, topic_autocomplete
from bot.edge.options import TopicPick


class MetaCog(commands.Cog, name="Meta"):
    """Commands about the bot itself."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot

    @app_commands.command(name="about", description=summary(AboutQuery))
    @app_commands.describe(topic="Only this dossier: a topic's slug or title (default: every topic).")
    @app_commands.autocomplete(topic=topic_autocomplete())
    async def about(self, interaction: discord.Interaction[Any], topic: TopicPick | None = None) -> None:
        """/about [topic]."""
        only = (await self.bot.services.topics.named(topic)).slug if topic else None
        await send_answer(interaction, self.bot.briefing.about(AboutQuery(), self.bot.latency, only=only))

    @app_commands.command(name="ping", description="Check that the bot answers (for gateway latency, see /about).")
    async def ping(self, interaction: discord.Interaction[Any]) -> None:
        """/ping does no work on purpose: it is the floor the benchmarks compare every command with."""
        await interaction.response.send_message("pong", ephemeral=True, allowed_mentions=NO_MENTIONS)


async def setup(bot: BriefBot) -> None:
    """Load the meta commands."""
    await bot.add_cog(MetaCog(bot))
