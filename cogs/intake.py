"""/feed and /source: reports flowing in, reviewed on one message per article read.

The commands build the request models of `bot.intake.models` and call the intake services; the review
message, its controls and its poster are `bot.edge.review`'s. The cog owns the feed poller: it starts with
the extension (unless the bot only syncs) and stops first when the bot closes.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.briefing.answer import Answer, Line
from bot.briefing.queries import build, describe, summary
from bot.edge.app import BriefBot
from bot.edge.channels import Postable
from bot.edge.interactions import author, briefing_here, send_answer, tell, topic_autocomplete
from bot.edge.options import TOPIC, TopicPick, model_command, model_options
from bot.edge.permissions import moderator_only
from bot.edge.review import (
    DiscordReviewPoster,
    NameMenu,
    ReviewAll,
    ReviewButton,
    ReviewPageButton,
    ReviewPick,
    review_of,
)
from bot.edge.transformers import Checked
from bot.errors import UserError
from bot.intake.feeds import Feeds, PollOutcome
from bot.intake.fetch import MAX_BYTES
from bot.intake.models import (
    FeedAddRequest,
    FeedListRequest,
    FeedPauseRequest,
    FeedPollRequest,
    FeedRemoveRequest,
    FeedResumeRequest,
    SourceAddRequest,
    SplitRequest,
)
from bot.intake.proposing import Proposer
from bot.intake.runtime import IntakeRuntime

Grade = app_commands.Transform[str, Checked(FeedAddRequest, "reliability")]
ArticleUrl = app_commands.Transform[str, Checked(SourceAddRequest, "url")]

#: File types `/source add` reads: HTML (for its text only) and plain text.
ARTICLE_FILES = (".html", ".htm", ".xhtml", ".txt", ".text", ".md")


def _poll_line(outcome: PollOutcome) -> str:
    if outcome.status == "failed":
        return f"Feed #{outcome.feed_id} ({outcome.title}) failed: {outcome.error}"
    if outcome.status == "unchanged":
        return f"Feed #{outcome.feed_id} ({outcome.title}) is unchanged since the last poll (nothing new)."
    skipped = f" ({outcome.skipped} skipped: in a language the topic does not accept)" if outcome.skipped else ""
    return (
        f"Feed #{outcome.feed_id} ({outcome.title}) holds {outcome.items} items: {outcome.new_items} new{skipped},"
        f" {outcome.candidates} candidate facts posted for review."
    )


@app_commands.guild_only()
class FeedsCog(
    commands.GroupCog, name="Feeds", group_name="feed", group_description="News feeds read into candidate facts."
):
    """The /feed group, and the poller behind it."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        self.feeds: Feeds = bot.services.intake.feeds
        self.runtime = IntakeRuntime(self.feeds, DiscordReviewPoster(bot))
        if not bot.settings.shards.everything:
            # Candidates are posted by the process whose shards hold the channel: the one that can see it.
            self.feeds.review.reaches = lambda channel_id: bot.get_channel(channel_id) is not None
        super().__init__()

    async def cog_load(self) -> None:
        """Start the poller, unless the bot only syncs commands."""
        if not self.bot.sync_only:
            await self.runtime.start(ready=self.bot.wait_until_ready)

    async def cog_unload(self) -> None:
        """Stop the poller before the store closes."""
        await self.runtime.stop()

    @model_command("add", FeedAddRequest, described=TOPIC)
    @app_commands.autocomplete(topic=topic_autocomplete())
    @moderator_only()
    async def add(
        self,
        interaction: discord.Interaction[Any],
        /,
        channel: Postable | None = None,
        topic: TopicPick | None = None,
        **options: Any,
    ) -> None:
        """/feed add url [reliability] [channel] [topic]: read it once, follow it, propose what it holds."""
        q = build(FeedAddRequest, **options, channel=channel.id if channel else None)
        slug = (await briefing_here(interaction, topic)).topic_slug

        async def work() -> Answer:
            feed, outcome = await self.feeds.add_feed(q, interaction.guild_id, author(interaction), topic=slug)
            where = f"<#{feed.channel_id}>" if feed.channel_id else f"<#{self.feeds.review_channel_id}>"
            return Answer(
                title=f"Following feed #{feed.id}: {feed.title}",
                lines=[
                    Line(text=f"Its candidates are about the topic `{slug}`."),
                    Line(text=f"It holds {feed.items_now} items now; grade {feed.reliability} for its facts."),
                    Line(
                        text=f"{outcome.candidates} candidate facts from {outcome.new_items} items posted to {where}."
                    ),
                    Line(text=f"Polled every {self.feeds.minutes} minutes; `/feed poll id:{feed.id}` polls now."),
                ],
            )

        await send_answer(interaction, work(), ephemeral=True)

    @app_commands.command(name="list", description=summary(FeedListRequest))
    async def list_(self, interaction: discord.Interaction[Any]) -> None:
        """/feed list: anyone may see what is followed and how it is doing."""

        async def work() -> Answer:
            return await self.feeds.listing(await self.feeds.feeds())

        await send_answer(interaction, work(), ephemeral=True)

    async def _set(self, interaction: discord.Interaction[Any], feed_id: int, status: Any, said: str) -> None:
        feed = await self.feeds.set_status(feed_id, status)
        await tell(interaction, f"Feed #{feed.id} ({feed.title}) {said}")

    @model_command("remove", FeedRemoveRequest)
    @moderator_only()
    async def remove(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/feed remove id."""
        q = build(FeedRemoveRequest, **options)
        await self._set(interaction, q.id, "removed", "is no longer followed; its facts and candidates stay.")

    @model_command("pause", FeedPauseRequest)
    @moderator_only()
    async def pause(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/feed pause id."""
        q = build(FeedPauseRequest, **options)
        await self._set(interaction, q.id, "paused", f"is paused; `/feed resume id:{q.id}` polls it again.")

    @model_command("resume", FeedResumeRequest)
    @moderator_only()
    async def resume(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/feed resume id."""
        q = build(FeedResumeRequest, **options)
        await self._set(interaction, q.id, "active", "is polled again from the next round.")

    @model_command("poll", FeedPollRequest)
    @moderator_only()
    async def poll(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/feed poll id: now, instead of at the next round."""
        q = build(FeedPollRequest, **options)

        async def work() -> Answer:
            outcome = await self.feeds.poll(q.id)
            await self.feeds.review.deliver()
            return Answer(title=f"Feed #{q.id} polled", lines=[Line(text=_poll_line(outcome))])

        await send_answer(interaction, work(), ephemeral=True)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class SourcesCog(
    commands.GroupCog, name="Sources", group_name="source", group_description="Articles read into candidate facts."
):
    """The /source group."""

    def __init__(self, proposing: Proposer) -> None:
        self.proposing = proposing
        super().__init__()

    @app_commands.command(name="add", description=summary(SourceAddRequest))
    @app_commands.describe(
        file="The article as an HTML or text file (for paywalled or offline material).",
        **describe(SourceAddRequest),
        **TOPIC,
    )
    @app_commands.autocomplete(topic=topic_autocomplete())
    @moderator_only()
    async def add(
        self,
        interaction: discord.Interaction[Any],
        url: ArticleUrl | None = None,
        file: discord.Attachment | None = None,
        reliability: Grade = "C",
        topic: TopicPick | None = None,
    ) -> None:
        """/source add [url] [file] [reliability] [topic]: candidates about the topic in force, posted for review."""
        q = build(SourceAddRequest, url=url, reliability=reliability)
        slug = (await briefing_here(interaction, topic)).topic_slug
        if file is not None:
            if file.size > MAX_BYTES:
                raise UserError(f"`file`: {file.size // 1024} KiB is more than the {MAX_BYTES // 1024} KiB read.")
            if not file.filename.lower().endswith(ARTICLE_FILES):
                raise UserError("`file`: give the article as an .html or .txt file.")

        async def work() -> Answer:
            data = (file.filename, await file.read()) if file is not None else None
            outcome = await self.proposing.add_source(q, file=data, channel_id=interaction.channel_id, topic=slug)
            if outcome.status == "duplicate":
                text = "That article was read before (same address or same text); nothing new to propose."
            elif outcome.status == "skipped":
                text = f"Nothing proposed: {outcome.detail}."
            else:
                text = f"{outcome.candidates} candidate facts posted for review."
            return Answer(title=f"Read: {outcome.title}", lines=[Line(text=text)])

        await send_answer(interaction, work(), ephemeral=True)

    @app_commands.command(name="split", description=summary(SplitRequest))
    @app_commands.describe(**describe(SplitRequest))
    @moderator_only()
    @model_options(SplitRequest)
    async def split(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/source split candidate report: the report is posted for review as a candidate of its own."""
        q = build(SplitRequest, **options)
        split = await review_of(interaction).split(q.candidate, q.report, author(interaction))
        await tell(interaction, f"Report {q.report} of candidate #{q.candidate} is candidate #{split.id} now.")


async def setup(bot: BriefBot) -> None:
    """Load /feed and /source, start the poller, and listen for review controls on any message ever posted."""
    bot.add_dynamic_items(ReviewButton, ReviewPick, ReviewAll, ReviewPageButton, NameMenu)
    await bot.add_cog(FeedsCog(bot))
    await bot.add_cog(SourcesCog(bot.services.intake.proposing))


async def teardown(bot: BriefBot) -> None:
    """Stop listening for review controls."""
    bot.remove_dynamic_items(ReviewButton, ReviewPick, ReviewAll, ReviewPageButton, NameMenu)
