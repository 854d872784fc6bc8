"""The /fact command group: reading one fact in full (moderators' writes join this group later)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import BriefBot
from bot.briefing.queries import FactQuery, build, describe, summary
from bot.briefing.service import Briefing
from bot.interactions import send_answer


class FactsCog(commands.GroupCog, group_name="fact", group_description="Facts in the store, with their sources."):
    """Commands about single facts."""

    def __init__(self, briefing: Briefing) -> None:
        self.briefing = briefing
        super().__init__()

    @app_commands.command(name="show", description=summary(FactQuery))
    @app_commands.describe(**describe(FactQuery))
    async def show(self, interaction: discord.Interaction[Any], id: app_commands.Range[int, 1, 2**53 - 1]) -> None:
        """/fact show id."""
        await send_answer(interaction, self.briefing.fact(build(FactQuery, id=id)))


async def setup(bot: BriefBot) -> None:
    """Load the /fact group."""
    await bot.add_cog(FactsCog(bot.briefing))
