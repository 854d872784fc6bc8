"""/feed and /source: reports flowing in, and the review buttons under each candidate fact.

The commands build the request models of `bot.intake.models` and call the intake service. Candidates
are posted by `DiscordReviewPoster` with three buttons, Approve, Edit and Reject, each a stateless
`DynamicItem` whose custom id carries the action and the candidate's number, so they keep working after
a restart, like the timeline's page buttons. Only moderators may press them; anyone else is told so,
privately, and nothing changes. After a decision the message says who decided what, and its buttons go.
The cog owns the feed poller: it starts with the extension (unless the bot only syncs) and stops first
when the bot closes.
"""

from __future__ import annotations

import re
from typing import Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.briefing.answer import Answer, Line
from bot.briefing.queries import build, describe, summary
from bot.curation.models import FactFields
from bot.curation.service import Curator
from bot.edge.app import BriefBot
from bot.edge.channels import Postable
from bot.edge.embeds import NO_MENTIONS, render_embeds
from bot.edge.forms import FactModal, TopicWrites
from bot.edge.growth import NameButton, with_names
from bot.edge.interactions import author, briefing_here, report_error, send_answer, tell, topic_autocomplete
from bot.edge.options import TOPIC, TopicPick, model_options
from bot.edge.permissions import ensure_moderator, may_write, moderator_only
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
)
from bot.intake.proposing import Proposer
from bot.intake.review import Review
from bot.intake.runtime import IntakeRuntime
from bot.store.intake import CandidateRecord

Grade = app_commands.Transform[str, Checked(FeedAddRequest, "reliability")]
ArticleUrl = app_commands.Transform[str, Checked(SourceAddRequest, "url")]

#: Everything a review button needs, in its custom id.
REVIEW_BUTTON = r"intake:(?P<action>approve|edit|reject):(?P<id>\d+)"
_BUTTONS = {
    "approve": ("Approve", discord.ButtonStyle.success),
    "edit": ("Edit", discord.ButtonStyle.secondary),
    "reject": ("Reject", discord.ButtonStyle.danger),
}
#: File types `/source add` reads: HTML (for its text only) and plain text.
ARTICLE_FILES = (".html", ".htm", ".xhtml", ".txt", ".text", ".md")
REFUSED = "Only moderators can decide on candidates; you can suggest facts with `/fact propose`."


def _review(interaction: discord.Interaction[Any]) -> Review:
    return cast(BriefBot, interaction.client).services.intake.review


def review_buttons(candidate_id: int) -> discord.ui.View:
    """Approve, Edit and Reject under a candidate (its new names' buttons go below: `with_names`)."""
    view = discord.ui.View(timeout=None)
    for action in _BUTTONS:
        view.add_item(ReviewButton(action, candidate_id))
    return view


class ReviewButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=REVIEW_BUTTON):
    """One decision on one candidate; its state is its custom id, so it works for as long as the message exists."""

    def __init__(self, action: str, candidate_id: int) -> None:
        label, style = _BUTTONS[action]
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=f"intake:{action}:{candidate_id}"))
        self.action = action
        self.candidate_id = candidate_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReviewButton:
        """The button a press came from, rebuilt from its custom id."""
        return cls(match["action"], int(match["id"]))

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Moderators only; anyone else is told privately and nothing changes."""
        if may_write(interaction):
            return True
        await tell(interaction, REFUSED)
        return False

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Approve, reject, or open the fact form; discord.py only logs what a dynamic item raises, so answer here."""
        try:
            review = _review(interaction)
            if self.action == "edit":
                candidate = await review.candidate(self.candidate_id)
                if candidate.status != "pending":
                    raise UserError(f"Candidate #{candidate.id} was {candidate.status} already.")
                bot = cast(BriefBot, interaction.client)
                curator = bot.services.curator_for(await bot.services.topics.slug_of(candidate.topic_id))
                await interaction.response.send_modal(CandidateModal(bot, candidate, curator))
                return
            who = author(interaction)
            if self.action == "approve":
                decided = await review.approve(self.candidate_id, who)
            else:
                decided = await review.reject(self.candidate_id, who)
            await interaction.response.edit_message(
                embeds=render_embeds(await review.answer(decided)), view=None, allowed_mentions=NO_MENTIONS
            )
        except Exception as error:
            await report_error(interaction, error)


class CandidateModal(FactModal):
    """The fact form prefilled with a candidate; submitting approves the candidate as edited, in its topic."""

    def __init__(self, bot: BriefBot, candidate: CandidateRecord, curator: Curator) -> None:
        values = dict(candidate.fields)
        super().__init__(
            TopicWrites(curator.briefing, curator), values, None, title=f"Edit candidate #{candidate.id}, then approve"
        )
        self.review = bot.services.intake.review
        self.candidate_id = candidate.id

    async def save(self, interaction: discord.Interaction[Any], fields: FactFields) -> None:
        """Approve the candidate as edited, and show the decision on its review message."""
        ensure_moderator(interaction)
        decided = await self.review.approve(self.candidate_id, author(interaction), fields)
        embeds = render_embeds(await self.review.answer(decided))
        if interaction.message is not None:
            await interaction.response.edit_message(embeds=embeds, view=None, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(
                f"Saved fact #{decided.fact_id}.", embeds=embeds, ephemeral=True, allowed_mentions=NO_MENTIONS
            )


class DiscordReviewPoster:
    """Posts candidates with their buttons, and alerts, into channels; nothing posted can ping anyone."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def post_candidate(self, channel_id: int, candidate: CandidateRecord, answer: Answer) -> int:
        """The candidate's review message, with Approve, Edit and Reject."""
        channel = self.client.get_partial_messageable(channel_id)
        view = await with_names(review_buttons(candidate.id), cast(BriefBot, self.client), candidate)
        message = await channel.send(embeds=render_embeds(answer), view=view, allowed_mentions=NO_MENTIONS)
        return message.id

    async def alert(self, channel_id: int, text: str) -> None:
        """A note for moderators."""
        await self.client.get_partial_messageable(channel_id).send(text, allowed_mentions=NO_MENTIONS)


def _poll_line(outcome: PollOutcome) -> str:
    if outcome.status == "failed":
        return f"Feed #{outcome.feed_id} ({outcome.title}) failed: {outcome.error}"
    if outcome.status == "unchanged":
        return f"Feed #{outcome.feed_id} ({outcome.title}) is unchanged since the last poll (nothing new)."
    return (
        f"Feed #{outcome.feed_id} ({outcome.title}) holds {outcome.items} items: {outcome.new_items} new,"
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

    @app_commands.command(name="add", description=summary(FeedAddRequest))
    @app_commands.describe(**describe(FeedAddRequest), **TOPIC)
    @app_commands.autocomplete(topic=topic_autocomplete())
    @moderator_only()
    @model_options(FeedAddRequest)
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

    @app_commands.command(name="remove", description=summary(FeedRemoveRequest))
    @app_commands.describe(**describe(FeedRemoveRequest))
    @moderator_only()
    @model_options(FeedRemoveRequest)
    async def remove(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/feed remove id."""
        q = build(FeedRemoveRequest, **options)
        await self._set(interaction, q.id, "removed", "is no longer followed; its facts and candidates stay.")

    @app_commands.command(name="pause", description=summary(FeedPauseRequest))
    @app_commands.describe(**describe(FeedPauseRequest))
    @moderator_only()
    @model_options(FeedPauseRequest)
    async def pause(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/feed pause id."""
        q = build(FeedPauseRequest, **options)
        await self._set(interaction, q.id, "paused", f"is paused; `/feed resume id:{q.id}` polls it again.")

    @app_commands.command(name="resume", description=summary(FeedResumeRequest))
    @app_commands.describe(**describe(FeedResumeRequest))
    @moderator_only()
    @model_options(FeedResumeRequest)
    async def resume(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/feed resume id."""
        q = build(FeedResumeRequest, **options)
        await self._set(interaction, q.id, "active", "is polled again from the next round.")

    @app_commands.command(name="poll", description=summary(FeedPollRequest))
    @app_commands.describe(**describe(FeedPollRequest))
    @moderator_only()
    @model_options(FeedPollRequest)
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
            else:
                text = f"{outcome.candidates} candidate facts posted for review."
            return Answer(title=f"Read: {outcome.title}", lines=[Line(text=text)])

        await send_answer(interaction, work(), ephemeral=True)


async def setup(bot: BriefBot) -> None:
    """Load /feed and /source, start the poller, and listen for review and new-name buttons on any candidate."""
    bot.add_dynamic_items(ReviewButton, NameButton)
    await bot.add_cog(FeedsCog(bot))
    await bot.add_cog(SourcesCog(bot.services.intake.proposing))


async def teardown(bot: BriefBot) -> None:
    """Stop listening for review and new-name buttons."""
    bot.remove_dynamic_items(ReviewButton, NameButton)
