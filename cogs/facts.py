"""The /fact command group: read one fact or its history; moderators add, edit, retract and restore.

Write commands open a modal for the free text (statement and source) and take the structured parts as
options, so Discord itself offers the kinds, interests and grades. Options and form inputs are declared
from the request models (`bot.curation.models`, through `bot.edge.options`) and checked again by them,
whatever the client sent. The form itself is `bot.edge.forms`, shared with the review buttons.
Every write checks the member again in the modal's submit, since the command's check does not cover a
modal left open for minutes.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.briefing.queries import FactQuery, HistoryQuery, build, describe, summary
from bot.curation.models import (
    FactAddRequest,
    FactEditRequest,
    FactFields,
    FactProposeRequest,
    RestoreRequest,
    RetractRequest,
)
from bot.edge.app import BriefBot
from bot.edge.forms import FactModal, TopicWrites
from bot.edge.interactions import author, briefing_here, name_autocomplete, send_answer, tell, topic_autocomplete
from bot.edge.options import TOPIC, TopicPick, model_command
from bot.edge.permissions import moderator_only
from bot.edge.transformers import Checked
from bot.services import Services

FactId = app_commands.Transform[int, Checked(FactQuery, "id")]
Reason = app_commands.Transform[str, Checked(RetractRequest, "reason")]

#: Anyone may propose, so the names are offered to anyone.
PROPOSE_AUTOCOMPLETE = {
    "actor": name_autocomplete("actor"),
    "event": name_autocomplete("event"),
    "place": name_autocomplete("place"),
    "stakeholder": name_autocomplete("actor"),
    "claimed_by": name_autocomplete("actor"),
    "topic": topic_autocomplete(),
}
WRITE_AUTOCOMPLETE = {
    "actor": name_autocomplete("actor", moderators_only=True),
    "event": name_autocomplete("event", moderators_only=True),
    "place": name_autocomplete("place", moderators_only=True),
    "stakeholder": name_autocomplete("actor", moderators_only=True),
    "claimed_by": name_autocomplete("actor", moderators_only=True),
}


class ProposalModal(FactModal):
    """The fact form, filled in by anyone: the fact goes to the review queue, not the store."""

    def __init__(self, cog: FactsCog, writes: TopicWrites, values: dict[str, Any], topic: str) -> None:
        super().__init__(writes, values, None, title="Propose a fact")
        self.proposing = cog.proposing
        self.topic = topic

    async def save(self, interaction: discord.Interaction[Any], fields: FactFields) -> None:
        """Queue the proposal for review, in the topic it was proposed for, and say where it went."""
        candidate = await self.proposing.propose(fields, author(interaction), interaction.channel_id, topic=self.topic)
        where = f"<#{candidate.channel_id}>" if candidate.channel_id else "the review channel"
        await tell(interaction, f"Proposed as candidate #{candidate.id}; moderators review it in {where}.")


class FactsCog(commands.GroupCog, group_name="fact", group_description="Facts in the store, with their sources."):
    """Commands about single facts."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.proposing = services.intake.proposing
        super().__init__()

    async def _writes(self, interaction: discord.Interaction[Any], topic: str | None) -> tuple[str, TopicWrites]:
        """The topic in force and its briefing and curator: a new fact goes there."""
        briefing = await briefing_here(interaction, topic)
        return briefing.topic_slug, TopicWrites(briefing, self.services.curator_for(briefing.topic_slug))

    async def _writes_of_fact(self, fact_id: int) -> TopicWrites:
        """A stored fact's own topic's briefing and curator: an edit stays in the fact's topic."""
        curator = await self.services.curator_of_fact(fact_id)
        return TopicWrites(curator.briefing, curator)

    @model_command("show", FactQuery, described=TOPIC)
    @app_commands.autocomplete(topic=topic_autocomplete())
    async def show(
        self, interaction: discord.Interaction[Any], /, topic: TopicPick | None = None, **options: Any
    ) -> None:
        """/fact show id [topic]: a fact of another topic is named, not shown."""
        q = build(FactQuery, **options)
        await send_answer(interaction, (await briefing_here(interaction, topic)).fact(q))

    @model_command("history", HistoryQuery)
    async def history(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/fact history id (whatever its topic: the record is the record)."""
        q = build(HistoryQuery, **options)
        await send_answer(interaction, (await self.services.briefing_of_fact(q.id)).history(q))

    @model_command("add", FactAddRequest, described=TOPIC)
    @app_commands.autocomplete(**WRITE_AUTOCOMPLETE, topic=topic_autocomplete())
    @moderator_only()
    async def add(
        self, interaction: discord.Interaction[Any], /, topic: TopicPick | None = None, **options: Any
    ) -> None:
        """/fact add: the structured parts now, the statement and source in a modal; to the topic in force."""
        q = build(FactAddRequest, **options)
        _, writes = await self._writes(interaction, topic)
        await interaction.response.send_modal(FactModal(writes, q.fields(), None))

    @model_command("propose", FactProposeRequest, described=TOPIC)
    @app_commands.autocomplete(**PROPOSE_AUTOCOMPLETE)
    async def propose(
        self, interaction: discord.Interaction[Any], /, topic: TopicPick | None = None, **options: Any
    ) -> None:
        """/fact propose (anyone): the /fact add form; the fact waits in the review queue for a moderator."""
        q = build(FactProposeRequest, **options)
        slug, writes = await self._writes(interaction, topic)
        await interaction.response.send_modal(ProposalModal(self, writes, q.fields(), slug))

    @model_command("edit", FactEditRequest)
    @app_commands.autocomplete(**WRITE_AUTOCOMPLETE)
    @moderator_only()
    async def edit(self, interaction: discord.Interaction[Any], /, **options: Any) -> None:
        """/fact edit: the same modal, prefilled; options given here replace the stored ones."""
        q = build(FactEditRequest, **options)
        writes = await self._writes_of_fact(q.id)
        current = FactFields.of(await writes.curator.existing(q.id)).model_dump(mode="json")
        await interaction.response.send_modal(FactModal(writes, current | q.fields(), q.id))

    @app_commands.command(name="retract", description=summary(RetractRequest))
    @app_commands.describe(**describe(RetractRequest))
    @moderator_only()
    async def retract(self, interaction: discord.Interaction[Any], id: FactId, reason: Reason) -> None:
        """/fact retract id reason."""
        await (await self.services.curator_of_fact(id)).set_status(id, True, author(interaction), reason)
        await tell(interaction, f"Fact #{id} is retracted; it stays on record and `/fact restore` brings it back.")

    @app_commands.command(name="restore", description=summary(RestoreRequest))
    @app_commands.describe(**describe(RestoreRequest))
    @moderator_only()
    async def restore(self, interaction: discord.Interaction[Any], id: FactId) -> None:
        """/fact restore id."""
        await (await self.services.curator_of_fact(id)).set_status(id, False, author(interaction))
        await tell(interaction, f"Fact #{id} is back in answers.")


async def setup(bot: BriefBot) -> None:
    """Load the /fact group."""
    await bot.add_cog(FactsCog(bot.services))
