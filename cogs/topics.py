"""/topic list|use|add|edit|remove: the dossiers this deployment follows, and which one a channel is about.

Anyone may list the topics; the rest is for moderators. The service (`bot.topics.service.Topics`) does the
work and puts every change on record; this only builds the request models and says what was done.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.briefing.queries import build, describe, summary
from bot.edge.app import BriefBot
from bot.edge.channels import Postable
from bot.edge.interactions import author, send_answer, tell, topic_autocomplete
from bot.edge.options import model_command
from bot.edge.permissions import moderator_only
from bot.edge.transformers import Checked
from bot.topics.models import (
    TopicAddRequest,
    TopicEditRequest,
    TopicListRequest,
    TopicRemoveRequest,
    TopicUseRequest,
)
from bot.topics.service import Topics

TheTopic = app_commands.Transform[str, Checked(TopicUseRequest, "topic")]


class TopicsCog(
    commands.GroupCog, group_name="topic", group_description="The dossiers (topics) the bot answers about."
):
    """Listing, choosing and curating topics."""

    def __init__(self, topics: Topics) -> None:
        self.topics = topics
        super().__init__()

    @app_commands.command(name="list", description=summary(TopicListRequest))
    async def list_(self, interaction: discord.Interaction[Any]) -> None:
        """/topic list (anyone)."""
        listing = self.topics.listing(interaction.channel_id, interaction.guild_id)
        await send_answer(interaction, listing, ephemeral=True)

    @app_commands.command(name="use", description=summary(TopicUseRequest))
    @app_commands.describe(**describe(TopicUseRequest))
    @app_commands.autocomplete(topic=topic_autocomplete())
    @app_commands.guild_only()
    @moderator_only()
    async def use(
        self,
        interaction: discord.Interaction[Any],
        topic: TheTopic,
        channel: Postable | None = None,
    ) -> None:
        """/topic use topic [channel]: stored, on record, kept across restarts."""
        q = build(TopicUseRequest, topic=topic, channel=channel.id if channel else None)
        await tell(interaction, await self.topics.use(q, interaction.guild_id, author(interaction)))

    @model_command("add", TopicAddRequest)
    @moderator_only()
    async def add(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/topic add slug title [summary]."""
        q = build(TopicAddRequest, **options)
        added = await self.topics.add(q, author(interaction))
        await tell(
            interaction,
            f"Added the topic **{added.title}** (`{added.slug}`). Fill it with `/pack import`, or with"
            f" `/curate` and `/fact add` after `/topic use topic:{added.slug}`.",
        )

    @model_command("edit", TopicEditRequest)
    @app_commands.autocomplete(topic=topic_autocomplete())
    @moderator_only()
    async def edit(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/topic edit topic [title] [summary] [retired]."""
        q = build(TopicEditRequest, **options)
        await tell(interaction, await self.topics.edit(q, author(interaction)))

    @model_command("remove", TopicRemoveRequest)
    @app_commands.autocomplete(topic=topic_autocomplete())
    @moderator_only()
    async def remove(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/topic remove topic: refused for a topic with facts, digests or feeds (retire it instead)."""
        q = build(TopicRemoveRequest, **options)
        await tell(interaction, await self.topics.remove(q, author(interaction)))


async def setup(bot: BriefBot) -> None:
    """Load the /topic group."""
    await bot.add_cog(TopicsCog(bot.services.topics))
