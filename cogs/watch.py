"""/watch add|list|remove|resume: be told when a reviewed fact about something lands.

The commands build the request models of `bot.watches.models`, call the watch service and render its
answers, always ephemerally: nobody sees another member's watches. The cog owns the announcer's life (it
starts with the extension and stops before the store closes; a bot started only to sync starts none), and
tells a member whose DM watches were paused why, after the next command they use.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.briefing.queries import build, describe, summary
from bot.edge.app import BriefBot
from bot.edge.channels import Postable
from bot.edge.embeds import NO_MENTIONS
from bot.edge.interactions import briefing_here, send_answer, topic_autocomplete
from bot.edge.messenger import DiscordMessenger
from bot.edge.options import model_command
from bot.edge.permissions import may_write
from bot.edge.transformers import Checked
from bot.errors import UserError
from bot.watches.models import WatchAddRequest, WatchListRequest, WatchRemoveRequest, WatchResumeRequest
from bot.watches.runtime import WatchRuntime

log = logging.getLogger(__name__)

What = app_commands.Transform[str, Checked(WatchAddRequest, "what")]
Watched = app_commands.Transform[str, Checked(WatchAddRequest, "name")]
TopicSlug = app_commands.Transform[str, Checked(WatchAddRequest, "topic")]


def _guild(interaction: discord.Interaction[Any]) -> int:
    if interaction.guild_id is None:
        raise UserError("Watches belong to a server: use this command in one.")
    return interaction.guild_id


async def name_for_what(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    """Names of the kind chosen in `what`, of the topic in force; nothing for words. Never raises."""
    what = getattr(interaction.namespace, "what", None)
    if what not in ("actor", "place", "event"):
        return []
    try:
        topic = getattr(interaction.namespace, "topic", None)
        briefing = await briefing_here(interaction, topic if isinstance(topic, str) and topic.strip() else None)
        choices = await briefing.suggest(what, current[:100])
    except Exception:
        log.debug("watch autocomplete found nothing for %r", current, exc_info=True)
        return []
    return [app_commands.Choice(name=label, value=value) for label, value in choices[:25]]


@app_commands.guild_only()
class WatchCog(
    commands.GroupCog,
    name="Watch",
    group_name="watch",
    group_description="Be told when a reviewed fact about an actor, a place, an event or words lands.",
):
    """The /watch group, and the announcer behind it."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        self.service = bot.services.watches
        self.announcer = bot.services.announcer(DiscordMessenger(bot), sleep=bot.digest_sleep)
        self.runtime = WatchRuntime(self.announcer)
        super().__init__()

    async def cog_load(self) -> None:
        """Start announcing once connected, unless the bot only syncs commands."""
        if not self.bot.sync_only:
            await self.runtime.start(ready=self.bot.wait_until_ready)

    async def cog_unload(self) -> None:
        """Stop announcing before the store closes."""
        await self.runtime.stop()

    @commands.Cog.listener()
    async def on_app_command_completion(self, interaction: discord.Interaction[Any], _: Any) -> None:
        """After any command, tell a member once why their DM watches are paused (their DMs are closed)."""
        if interaction.guild_id is None:
            return
        try:
            notice = await self.service.notice(interaction.guild_id, interaction.user.id)
            if notice is not None:
                await interaction.followup.send(notice, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except Exception:
            log.warning("could not tell member %s about paused watches", interaction.user.id, exc_info=True)

    @app_commands.command(name="add", description=summary(WatchAddRequest))
    @app_commands.describe(**describe(WatchAddRequest))
    @app_commands.autocomplete(name=name_for_what, topic=topic_autocomplete())
    async def add(
        self,
        interaction: discord.Interaction[Any],
        what: What,
        name: Watched,
        topic: TopicSlug | None = None,
        channel: Postable | None = None,
    ) -> None:
        """/watch add what name [topic] [channel]: in DMs by default; a channel for moderators."""
        guild_id = _guild(interaction)
        slug = (await self.bot.services.topics.in_force(topic, interaction.channel_id, guild_id)).slug
        q = build(WatchAddRequest, what=what, name=name, topic=slug, channel=channel.id if channel else None)
        work = self.service.add(q, slug, guild_id, interaction.user.id, moderator=may_write(interaction))
        await send_answer(interaction, work, ephemeral=True)

    @app_commands.command(name="list", description=summary(WatchListRequest))
    async def list_(self, interaction: discord.Interaction[Any]) -> None:
        """/watch list: only the member's own watches (and, for moderators, the server's counts)."""
        work = self.service.listing(_guild(interaction), interaction.user.id, moderator=may_write(interaction))
        await send_answer(interaction, work, ephemeral=True)

    @model_command("remove", WatchRemoveRequest)
    async def remove(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/watch remove id."""
        q = build(WatchRemoveRequest, **options)
        await send_answer(
            interaction, self.service.remove(q.id, _guild(interaction), interaction.user.id), ephemeral=True
        )

    @app_commands.command(name="resume", description=summary(WatchResumeRequest))
    async def resume(self, interaction: discord.Interaction[Any]) -> None:
        """/watch resume: the member's DM watches paused because their DMs were closed."""
        await send_answer(interaction, self.service.resume(_guild(interaction), interaction.user.id), ephemeral=True)


async def setup(bot: BriefBot) -> None:
    """Load the /watch group and start its announcer."""
    await bot.add_cog(WatchCog(bot))
