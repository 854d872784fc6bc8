"""Slash commands that answer questions: /brief, /actor, /event, /timeline, /stakes, /search.

Each command parses its options into a query model, asks the `Briefing` service, and renders the
answer; nothing here knows SQL or how an answer is composed.
"""

from __future__ import annotations

import contextlib
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import BriefBot
from bot.briefing.answer import Answer
from bot.briefing.queries import (
    ActorQuery,
    BriefQuery,
    EventQuery,
    SearchQuery,
    StakesQuery,
    TimelineQuery,
    build,
    describe,
    summary,
)
from bot.briefing.service import Briefing
from bot.interactions import name_autocomplete, report_error, send_answer, tell
from bot.render import NO_MENTIONS, render_embeds

PAGER_TIMEOUT = 600.0


class TimelinePager(discord.ui.View):
    """Earlier/later buttons for a long timeline; only the person who asked can turn the pages."""

    def __init__(self, briefing: Briefing, query: TimelineQuery, owner: discord.Interaction[Any], pages: int) -> None:
        super().__init__(timeout=PAGER_TIMEOUT)
        self.briefing = briefing
        self.query = query
        self.owner = owner
        self.page = 1
        self.pages = pages
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.earlier.disabled = self.page <= 1
        self.later.disabled = self.page >= self.pages

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Refuse other people's presses politely: they can run their own /timeline."""
        if interaction.user.id == self.owner.user.id:
            return True
        await tell(interaction, "Only the person who asked can turn these pages; run `/timeline` yourself.")
        return False

    async def _turn(self, interaction: discord.Interaction[Any], step: int) -> None:
        answer = await self.briefing.timeline(self.query, self.page + step)
        self.page, self.pages = answer.page, answer.pages
        self._update_buttons()
        await interaction.response.edit_message(embeds=render_embeds(answer), view=self)

    @discord.ui.button(label="Earlier", emoji="◀️", style=discord.ButtonStyle.secondary)
    async def earlier(self, interaction: discord.Interaction[Any], _: discord.ui.Button[TimelinePager]) -> None:
        """Show the previous page."""
        await self._turn(interaction, -1)

    @discord.ui.button(label="Later", emoji="▶️", style=discord.ButtonStyle.secondary)
    async def later(self, interaction: discord.Interaction[Any], _: discord.ui.Button[TimelinePager]) -> None:
        """Show the next page."""
        await self._turn(interaction, +1)

    async def on_timeout(self) -> None:
        """Grey the buttons out, so nobody presses a pager that no longer listens."""
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        with contextlib.suppress(discord.HTTPException):
            await self.owner.edit_original_response(view=self, allowed_mentions=NO_MENTIONS)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        """Same answer as for a failed command."""
        await report_error(interaction, error)


class BriefingCog(commands.Cog, name="Briefing"):
    """Questions about the crisis, answered from the fact store."""

    def __init__(self, briefing: Briefing) -> None:
        self.briefing = briefing

    @app_commands.command(name="brief", description=summary(BriefQuery))
    @app_commands.describe(**describe(BriefQuery))
    async def brief(self, interaction: discord.Interaction[Any], as_of: str | None = None) -> None:
        """/brief [as_of]."""
        query = build(BriefQuery, as_of=as_of)
        await send_answer(interaction, self.briefing.brief(query))

    @app_commands.command(name="actor", description=summary(ActorQuery))
    @app_commands.describe(**describe(ActorQuery))
    @app_commands.autocomplete(name=name_autocomplete("actor"))
    async def actor(self, interaction: discord.Interaction[Any], name: str, as_of: str | None = None) -> None:
        """/actor name [as_of]."""
        query = build(ActorQuery, name=name, as_of=as_of)
        await send_answer(interaction, self.briefing.actor(query))

    @app_commands.command(name="event", description=summary(EventQuery))
    @app_commands.describe(**describe(EventQuery))
    @app_commands.autocomplete(name=name_autocomplete("event"))
    async def event(self, interaction: discord.Interaction[Any], name: str) -> None:
        """/event name."""
        query = build(EventQuery, name=name)
        await send_answer(interaction, self.briefing.event(query))

    @app_commands.command(name="timeline", description=summary(TimelineQuery))
    @app_commands.describe(**describe(TimelineQuery))
    @app_commands.autocomplete(actor=name_autocomplete("actor"), region=name_autocomplete("place"))
    async def timeline(
        self,
        interaction: discord.Interaction[Any],
        actor: str | None = None,
        region: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> None:
        """/timeline [actor] [region] [since] [until], paged with buttons."""
        query = build(TimelineQuery, actor=actor, region=region, since=since, until=until)

        def pager(answer: Answer) -> TimelinePager | None:
            return TimelinePager(self.briefing, query, interaction, answer.pages) if answer.pages > 1 else None

        await send_answer(interaction, self.briefing.timeline(query), view=pager)

    @app_commands.command(name="stakes", description=summary(StakesQuery))
    @app_commands.describe(**describe(StakesQuery))
    @app_commands.autocomplete(stakeholder=name_autocomplete("actor"))
    async def stakes(
        self, interaction: discord.Interaction[Any], stakeholder: str | None = None, as_of: str | None = None
    ) -> None:
        """/stakes [stakeholder] [as_of]."""
        query = build(StakesQuery, stakeholder=stakeholder, as_of=as_of)
        await send_answer(interaction, self.briefing.stakes(query))

    @app_commands.command(name="search", description=summary(SearchQuery))
    @app_commands.describe(**describe(SearchQuery))
    async def search(self, interaction: discord.Interaction[Any], query: str) -> None:
        """/search query."""
        await send_answer(interaction, self.briefing.search(build(SearchQuery, query=query)))


async def setup(bot: BriefBot) -> None:
    """Load the briefing commands."""
    await bot.add_cog(BriefingCog(bot.briefing))
