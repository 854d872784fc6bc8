"""/digest: scheduled digests.

The commands parse options into the models of `bot.digests.models`, call the digest service and render
its answers; posting goes through `bot.edge.poster`. The cog owns the scheduler's life: it starts with
the extension (from `setup_hook`) and stops when the bot closes, before the store does. A bot started
only to sync commands loads the cog for its commands but starts no scheduler, so a sync never posts.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.briefing.answer import Answer
from bot.briefing.queries import build, describe, summary
from bot.digests.delivery import outcome_answer
from bot.digests.models import (
    ListRequest,
    MilestoneRequest,
    PauseRequest,
    PreviewRequest,
    RemoveRequest,
    ResumeRequest,
    SendRequest,
    SubscribeRequest,
)
from bot.digests.runtime import DigestRuntime
from bot.digests.schedules import zone_suggestions
from bot.edge.app import BriefBot
from bot.edge.channels import Postable, Target
from bot.edge.embeds import NO_MENTIONS, render_embeds
from bot.edge.interactions import name_autocomplete, send_answer, topic_autocomplete
from bot.edge.options import model_command
from bot.edge.permissions import moderator_only
from bot.edge.pictures import painter_of, picture_embeds, picture_file
from bot.edge.poster import DiscordPoster
from bot.errors import UserError
from bot.models import Author


def _author(interaction: discord.Interaction[Any]) -> Author:
    return Author(id=interaction.user.id, name=interaction.user.display_name[:100])


def _guild(interaction: discord.Interaction[Any]) -> int:
    if interaction.guild_id is None:
        raise UserError("Digests belong to a server: use this command in one.")
    return interaction.guild_id


def _check_postable(interaction: discord.Interaction[Any], channel: Target) -> None:
    """Refuse a channel the bot cannot post in, when the cache can tell; the first run checks the rest.

    Read Message History is asked for too: after a crash it is how the bot sees whether a part it sent
    reached the channel, and without it such a run waits for a moderator instead of finishing by itself.
    """
    guild = interaction.guild
    target = guild.get_channel_or_thread(channel.id) if guild else None
    if guild is None or target is None:
        return
    perms = target.permissions_for(guild.me)
    send = perms.send_messages_in_threads if isinstance(target, discord.Thread) else perms.send_messages
    missing = [
        name
        for name, ok in (
            ("View Channel", perms.view_channel),
            ("Send Messages", send),
            ("Embed Links", perms.embed_links),
            ("Read Message History", perms.read_message_history),
        )
        if not ok
    ]
    if missing:
        raise UserError(f"I cannot post digests in {target.mention}: I need {', '.join(missing)} there.")


async def zone_autocomplete(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    """IANA zones containing what was typed."""
    return [app_commands.Choice(name=z, value=z) for z in zone_suggestions(current[:64])]


@app_commands.guild_only()
class DigestsCog(
    commands.GroupCog,
    name="Digests",
    group_name="digest",
    group_description="Digests posted to channels on a schedule.",
):
    """The /digest group, and the scheduler behind it."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        self.deliveries = bot.services.deliveries(DiscordPoster(bot, bot.services.painter), sleep=bot.digest_sleep)
        self.service = self.deliveries.service
        self.runtime = DigestRuntime(self.deliveries)
        self.topics = bot.services.topics
        super().__init__()

    async def cog_load(self) -> None:
        """Start the scheduler (jobs from the store, then a catch-up of runs missed while down), unless syncing."""
        if not self.bot.sync_only:
            await self.runtime.start(ready=self.bot.wait_until_ready)

    async def cog_unload(self) -> None:
        """Stop the scheduler before the store closes."""
        await self.runtime.stop()

    @model_command("subscribe", SubscribeRequest)
    @app_commands.autocomplete(timezone=zone_autocomplete, topic=topic_autocomplete())
    @moderator_only()
    async def subscribe(self, interaction: discord.Interaction[Any], /, channel: Postable, **options: Any) -> None:
        """/digest subscribe channel schedule timezone [topic] [quiet]; the topic defaults to that channel's."""
        slug = (await self.topics.in_force(options["topic"], channel.id, interaction.guild_id)).slug
        q = build(SubscribeRequest, **{**options, "channel": channel.id, "topic": slug})
        _check_postable(interaction, channel)
        await send_answer(interaction, self.service.subscribe(q, _guild(interaction), _author(interaction)))

    @model_command("milestone", MilestoneRequest)
    @app_commands.autocomplete(event=name_autocomplete("event"), topic=topic_autocomplete())
    @moderator_only()
    async def milestone(self, interaction: discord.Interaction[Any], /, channel: Postable, **options: Any) -> None:
        """/digest milestone event after channel [time] [topic]."""
        slug = (await self.topics.in_force(options["topic"], interaction.channel_id, interaction.guild_id)).slug
        q = build(MilestoneRequest, **{**options, "channel": channel.id, "topic": slug})
        _check_postable(interaction, channel)
        await send_answer(interaction, self.service.milestone(q, _guild(interaction), _author(interaction)))

    @app_commands.command(name="list", description=summary(ListRequest))
    @app_commands.describe(**describe(ListRequest))
    async def list_(
        self,
        interaction: discord.Interaction[Any],
        channel: Postable | None = None,
    ) -> None:
        """/digest list [channel]."""
        q = build(ListRequest, channel=channel.id if channel else None)
        await send_answer(interaction, self.service.listing(q, _guild(interaction)))

    @model_command("pause", PauseRequest)
    @moderator_only()
    async def pause(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/digest pause id."""
        q = build(PauseRequest, **options)
        await send_answer(interaction, self.service.pause(q.id, _guild(interaction), _author(interaction)))

    @model_command("resume", ResumeRequest)
    @moderator_only()
    async def resume(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/digest resume id."""
        q = build(ResumeRequest, **options)
        await send_answer(interaction, self.service.resume(q.id, _guild(interaction)))

    @model_command("remove", RemoveRequest)
    @moderator_only()
    async def remove(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/digest remove id."""
        q = build(RemoveRequest, **options)
        await send_answer(interaction, self.service.remove(q.id, _guild(interaction)))

    @model_command("send", SendRequest)
    @moderator_only()
    async def send(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/digest send id: posts now, through the same ledger as scheduled runs."""
        q = build(SendRequest, **options)

        async def work() -> Answer:
            return outcome_answer(await self.deliveries.send_now(q.id, _guild(interaction)))

        await send_answer(interaction, work())

    @model_command("preview", PreviewRequest)
    @app_commands.autocomplete(event=name_autocomplete("event"), topic=topic_autocomplete())
    async def preview(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/digest preview [id | event + after] [as_of] [topic], shown only to whoever asked, every part of it."""
        where = (interaction.channel_id, interaction.guild_id)
        here = await self.topics.in_force(options["topic"], *where) if options["event"] else None
        q = build(PreviewRequest, **{**options, "topic": here.slug if here else None})
        await _send_parts(interaction, self.service.preview(q, _guild(interaction)))


async def _send_parts(interaction: discord.Interaction[Any], work: Awaitable[list[Answer]]) -> None:
    """Ephemeral follow-ups, one per part: a digest longer than a message is shown whole, not cut."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    painter = painter_of(interaction.client)
    for part in await work:
        png = await painter.png(part.chart, queue=True) if part.chart and painter else None
        if part.chart is not None and png is not None:  # the picture the digest would post with this part
            await interaction.followup.send(
                embeds=picture_embeds(part),
                file=picture_file(part.chart, png),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            continue
        await interaction.followup.send(embeds=render_embeds(part), ephemeral=True, allowed_mentions=NO_MENTIONS)


async def setup(bot: BriefBot) -> None:
    """Load the /digest group and start its scheduler."""
    await bot.add_cog(DigestsCog(bot))
