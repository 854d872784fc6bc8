"""/pack import and /pack export: whole topics as reviewable YAML files (moderators)."""

from __future__ import annotations

import io
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.briefing.queries import build
from bot.curation.export import export_pack
from bot.curation.models import PackExportRequest, PackImportRequest
from bot.curation.service import Curator, import_report, problems_report
from bot.edge.app import BriefBot
from bot.edge.embeds import NO_MENTIONS, render_embeds
from bot.edge.interactions import author, briefing_here, topic_autocomplete
from bot.edge.options import model_command
from bot.edge.permissions import moderator_only
from bot.errors import UserError
from bot.packs import MAX_PACK_BYTES, PackError


@app_commands.default_permissions(manage_guild=True)
class PacksCog(commands.GroupCog, group_name="pack", group_description="Moderators: topics as YAML packs."):
    """Import and export packs."""

    def __init__(self, curator: Curator, default_topic: str, upload_limit: int) -> None:
        self.curator = curator
        self.default_topic = default_topic
        self.upload_limit = upload_limit
        super().__init__()

    @model_command(
        "import", PackImportRequest, described={"file": "The pack: a YAML file in the format of bot/seed_packs."}
    )
    @moderator_only()
    async def import_(self, interaction: discord.Interaction[Any], /, file: discord.Attachment, **options: Any) -> None:
        """/pack import file [dry_run]: the report is ephemeral, the changes on record."""
        q = build(PackImportRequest, **options)
        if file.size > MAX_PACK_BYTES:
            raise UserError(
                f"`file`: {file.size // 1024} KiB is more than the {MAX_PACK_BYTES // 1024} KiB a pack may be."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        raw = await file.read()
        try:
            answer = import_report(
                await self.curator.import_pack(raw, author(interaction), dry_run=q.dry_run), dry_run=q.dry_run
            )
        except PackError as exc:
            answer = problems_report(exc)
        await interaction.followup.send(embeds=render_embeds(answer), ephemeral=True, allowed_mentions=NO_MENTIONS)

    @model_command("export", PackExportRequest)
    @app_commands.autocomplete(topic=topic_autocomplete())
    @moderator_only()
    async def export(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/pack export [topic]: sent as an ephemeral attachment."""
        q = build(PackExportRequest, **options)
        await interaction.response.defer(ephemeral=True, thinking=True)
        slug = (await briefing_here(interaction, q.topic)).topic_slug
        data = (await export_pack(self.curator.store, slug)).encode("utf-8")
        if len(data) > self.upload_limit:
            raise UserError(
                f"The export is {len(data) // 1024} KiB, over Discord's upload limit: run `briefbot export`."
            )
        file = discord.File(io.BytesIO(data), filename=f"{slug}.yaml")
        await interaction.followup.send(f"`{slug}` as a pack.", file=file, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def setup(bot: BriefBot) -> None:
    """Load the /pack group."""
    await bot.add_cog(PacksCog(bot.curator, bot.settings.default_topic, upload_limit=8 * 1024 * 1024))
