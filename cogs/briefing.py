"""Slash commands that answer questions: /brief, /actor, /event, /timeline, /stakes, /search.

Each option is declared and checked by its query model's field (`Checked`); each command builds the
query model, asks the `Briefing` service and renders the answer. Nothing here knows SQL or how an
answer is composed.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, cast

import discord
from discord import app_commands
from discord.ext import commands

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
)
from bot.briefing.service import Briefing, TimelineFilter
from bot.edge.app import BriefBot
from bot.edge.embeds import NO_MENTIONS, render_embeds
from bot.edge.interactions import (
    briefing_here,
    name_autocomplete,
    report_error,
    send_answer,
    tell,
    topic_autocomplete,
)
from bot.edge.options import TOPIC, TopicPick, model_command
from bot.edge.pictures import add_picture_later, picture_embeds, ready_picture
from bot.edge.transformers import Checked
from bot.topics.models import EVERY_TOPIC, SearchTopicOption

SearchTopic = app_commands.Transform[str, Checked(SearchTopicOption, "topic")]
#: Every read command's `topic` option's autocomplete.
ANY_TOPIC = topic_autocomplete()

#: Everything a page button needs, in its custom id (at most 79 of Discord's 100 characters).
PAGE_BUTTON = (
    r"timeline:(?P<owner>\d+):(?P<page>\d+):(?P<actor>\d*):(?P<place>\d*)"
    r":(?P<since>\d{4}-\d{2}-\d{2})?:(?P<until>\d{4}-\d{2}-\d{2})?"
    # The topic's id; buttons posted before there were several topics have none and page DEFAULT_TOPIC.
    r"(?::t(?P<topic>\d+))?"
)


class TimelinePageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=PAGE_BUTTON):
    """A button that turns a timeline to one page; only the person who asked may press it.

    The asker, the page and the resolved filters travel in the custom id, so the bot keeps nothing per
    timeline and the buttons keep working for as long as the message exists, across restarts. (A View per
    message held its interaction and a timer for ten minutes, and then the buttons went dead.)
    """

    def __init__(
        self,
        owner_id: int,
        filters: TimelineFilter,
        page: int,
        *,
        label: str,
        disabled: bool,
        topic_id: int | None = None,
    ) -> None:
        fields = [owner_id, page, filters.actor_id, filters.place_id, filters.since, filters.until]
        custom_id = "timeline:" + ":".join("" if v is None else str(v) for v in fields)
        custom_id += f":t{topic_id}" if topic_id is not None else ""
        emoji = "◀️" if label == "Earlier" else "▶️"
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=label, emoji=emoji, style=discord.ButtonStyle.secondary, disabled=disabled, custom_id=custom_id
        )
        super().__init__(button)
        self.owner_id = owner_id
        self.filters = filters
        self.page = page
        self.topic_id = topic_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> TimelinePageButton:
        """The button a press came from, rebuilt from its custom id."""
        filters = TimelineFilter(
            actor_id=int(match["actor"]) if match["actor"] else None,
            place_id=int(match["place"]) if match["place"] else None,
            since=date.fromisoformat(match["since"]) if match["since"] else None,
            until=date.fromisoformat(match["until"]) if match["until"] else None,
        )
        pressed = item if isinstance(item, discord.ui.Button) else None
        label = (pressed.label if pressed else None) or "Later"
        disabled = pressed.disabled if pressed else False
        topic_id = int(match["topic"]) if match["topic"] else None
        return cls(int(match["owner"]), filters, int(match["page"]), label=label, disabled=disabled, topic_id=topic_id)

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Refuse other people's presses politely: they can run their own /timeline."""
        if interaction.user.id == self.owner_id:
            return True
        await tell(interaction, "Only the person who asked can turn these pages; run `/timeline` yourself.")
        return False

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the page; discord.py only logs what a dynamic item raises, so failures are answered here."""
        try:
            services = cast(BriefBot, interaction.client).services
            topic = await services.store.topic_by_id(self.topic_id) if self.topic_id is not None else None
            briefing = services.briefing_for(topic.slug) if topic else services.briefing
            answer = await briefing.timeline_page(self.filters, self.page)
            view = page_buttons(self.owner_id, self.filters, answer, self.topic_id)
            # Every page carries the same chart (of all the pages' events): sent again when drawn, else added.
            picture = ready_picture(interaction.client, answer)
            embeds = picture_embeds(answer) if picture else render_embeds(answer)
            await interaction.response.edit_message(
                embeds=embeds, attachments=[picture] if picture else [], view=view, allowed_mentions=NO_MENTIONS
            )
            if answer.chart is not None and picture is None:
                await add_picture_later(interaction, answer)
        except Exception as error:
            await report_error(interaction, error)


def page_buttons(
    owner_id: int, filters: TimelineFilter, answer: Answer, topic_id: int | None = None
) -> discord.ui.View | None:
    """Earlier and Later buttons under a timeline that has more than one page."""
    if answer.pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    earlier, later = answer.page <= 1, answer.page >= answer.pages
    view.add_item(
        TimelinePageButton(owner_id, filters, answer.page - 1, label="Earlier", disabled=earlier, topic_id=topic_id)
    )
    view.add_item(
        TimelinePageButton(owner_id, filters, answer.page + 1, label="Later", disabled=later, topic_id=topic_id)
    )
    return view


class BriefingCog(commands.Cog, name="Briefing"):
    """Questions about the crisis, answered from the fact store."""

    def __init__(self, briefing: Briefing) -> None:
        self.briefing = briefing

    @model_command("brief", BriefQuery, described=TOPIC)
    @app_commands.autocomplete(topic=ANY_TOPIC)
    async def brief(
        self, interaction: discord.Interaction[Any], /, topic: TopicPick | None = None, **options: Any
    ) -> None:
        """/brief [as_of] [topic]."""
        query = build(BriefQuery, **options)
        await send_answer(interaction, (await briefing_here(interaction, topic)).brief(query))

    @model_command("actor", ActorQuery, described=TOPIC)
    @app_commands.autocomplete(name=name_autocomplete("actor"), topic=ANY_TOPIC)
    async def actor(
        self, interaction: discord.Interaction[Any], /, topic: TopicPick | None = None, **options: Any
    ) -> None:
        """/actor name [as_of] [topic]."""
        query = build(ActorQuery, **options)
        await send_answer(interaction, (await briefing_here(interaction, topic)).actor(query))

    @model_command("event", EventQuery, described=TOPIC)
    @app_commands.autocomplete(name=name_autocomplete("event"), topic=ANY_TOPIC)
    async def event(
        self, interaction: discord.Interaction[Any], /, topic: TopicPick | None = None, **options: Any
    ) -> None:
        """/event name [topic]."""
        query = build(EventQuery, **options)
        await send_answer(interaction, (await briefing_here(interaction, topic)).event(query))

    @model_command("timeline", TimelineQuery, described=TOPIC)
    @app_commands.autocomplete(actor=name_autocomplete("actor"), region=name_autocomplete("place"), topic=ANY_TOPIC)
    async def timeline(
        self, interaction: discord.Interaction[Any], /, topic: TopicPick | None = None, **options: Any
    ) -> None:
        """/timeline [actor] [region] [since] [until] [topic], paged with buttons."""
        query = build(TimelineQuery, **options)
        briefing = await briefing_here(interaction, topic)
        filters = await briefing.timeline_filter(query)
        topic_id = (await briefing.topic()).id
        await send_answer(
            interaction,
            briefing.timeline_page(filters),
            view=lambda answer: page_buttons(interaction.user.id, filters, answer, topic_id),
        )

    @model_command("stakes", StakesQuery, described=TOPIC)
    @app_commands.autocomplete(stakeholder=name_autocomplete("actor"), topic=ANY_TOPIC)
    async def stakes(
        self, interaction: discord.Interaction[Any], /, topic: TopicPick | None = None, **options: Any
    ) -> None:
        """/stakes [stakeholder] [as_of] [topic]."""
        query = build(StakesQuery, **options)
        await send_answer(interaction, (await briefing_here(interaction, topic)).stakes(query))

    @model_command("search", SearchQuery, described=describe(SearchTopicOption))
    @app_commands.autocomplete(topic=topic_autocomplete(everything=True))
    async def search(
        self, interaction: discord.Interaction[Any], /, topic: SearchTopic | None = None, **options: Any
    ) -> None:
        """/search query [topic], where `topic:all` searches every topic."""
        q = build(SearchQuery, **options)
        if topic is not None and topic.strip().lower() == EVERY_TOPIC:
            services = cast(BriefBot, interaction.client).services
            await send_answer(interaction, services.topics.search_everywhere(q.query))
            return
        await send_answer(interaction, (await briefing_here(interaction, topic)).search(q))


async def setup(bot: BriefBot) -> None:
    """Load the briefing commands, and listen for page buttons on any timeline ever posted."""
    bot.add_dynamic_items(TimelinePageButton)
    await bot.add_cog(BriefingCog(bot.briefing))


async def teardown(bot: BriefBot) -> None:
    """Stop listening for page buttons."""
    bot.remove_dynamic_items(TimelinePageButton)
