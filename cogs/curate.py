"""/curate actor|event|place add|edit: moderators keep the actors, events and places facts are about.

These live under /curate rather than /actor, /event and /place because Discord cannot give a command
sub-commands and also run it on its own: `/actor name:…` must stay the profile everyone uses. Each
command's options are declared and checked by its request model in `bot.curation.models`, which also
turns them into the record's changes; the curator saves them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.briefing.queries import build
from bot.curation.models import (
    ActorAddRequest,
    ActorEditRequest,
    EventAddRequest,
    EventEditRequest,
    PlaceAddRequest,
    PlaceEditRequest,
    RecordEdit,
    RecordRequest,
)
from bot.curation.service import Curator
from bot.edge.app import BriefBot
from bot.edge.interactions import author, briefing_here, name_autocomplete, tell
from bot.edge.options import model_command
from bot.edge.permissions import moderator_only


@app_commands.default_permissions(manage_guild=True)
class CurateCog(commands.GroupCog, group_name="curate", group_description="Moderators: actors, events and places."):
    """Add and edit the records facts are about."""

    actor = app_commands.Group(name="actor", description="Add or edit an actor.")
    event = app_commands.Group(name="event", description="Add or edit an event.")
    place = app_commands.Group(name="place", description="Add or edit a place.")

    def __init__(self, curator_for: Callable[[str], Curator]) -> None:
        self.curator_for = curator_for
        super().__init__()

    async def _curator(self, interaction: discord.Interaction[Any]) -> Curator:
        """The curator of the topic in force in this channel: records are added to and edited in that topic."""
        return self.curator_for((await briefing_here(interaction)).topic_slug)

    async def _add(self, interaction: discord.Interaction[Any], q: RecordRequest) -> None:
        curator = await self._curator(interaction)
        slug, name = await curator.add(q, author(interaction))
        await tell(interaction, f"Added {q.entity} **{name}** (`{slug}`) to `{curator.briefing.topic_slug}`.")

    async def _edit(self, interaction: discord.Interaction[Any], q: RecordEdit) -> None:
        curator = await self._curator(interaction)
        slug, name = await curator.edit(q, author(interaction))
        await tell(interaction, f"Saved {q.entity} **{name}** (`{slug}`); the old version is on record.")

    @model_command("add", ActorAddRequest, group=actor)
    @app_commands.autocomplete(linked_to=name_autocomplete("actor", moderators_only=True))
    @moderator_only()
    async def actor_add(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/curate actor add."""
        q = build(ActorAddRequest, **options)
        await self._add(interaction, q)

    @model_command("edit", ActorEditRequest, group=actor)
    @app_commands.autocomplete(actor=name_autocomplete("actor", moderators_only=True))
    @moderator_only()
    async def actor_edit(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/curate actor edit."""
        q = build(ActorEditRequest, **options)
        await self._edit(interaction, q)

    @model_command("add", PlaceAddRequest, group=place)
    @app_commands.autocomplete(within=name_autocomplete("place", moderators_only=True))
    @moderator_only()
    async def place_add(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/curate place add."""
        await self._add(interaction, build(PlaceAddRequest, **options))

    @model_command("edit", PlaceEditRequest, group=place)
    @app_commands.autocomplete(
        place=name_autocomplete("place", moderators_only=True), within=name_autocomplete("place", moderators_only=True)
    )
    @moderator_only()
    async def place_edit(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/curate place edit."""
        q = build(PlaceEditRequest, **options)
        await self._edit(interaction, q)

    @model_command("add", EventAddRequest, group=event)
    @app_commands.autocomplete(
        place=name_autocomplete("place", moderators_only=True), follows=name_autocomplete("event", moderators_only=True)
    )
    @moderator_only()
    async def event_add(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/curate event add."""
        q = build(EventAddRequest, **options)
        await self._add(interaction, q)

    @model_command("edit", EventEditRequest, group=event)
    @app_commands.autocomplete(
        event=name_autocomplete("event", moderators_only=True), place=name_autocomplete("place", moderators_only=True)
    )
    @moderator_only()
    async def event_edit(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/curate event edit."""
        q = build(EventEditRequest, **options)
        await self._edit(interaction, q)


async def setup(bot: BriefBot) -> None:
    """Load the /curate group."""
    await bot.add_cog(CurateCog(bot.services.curator_for))
