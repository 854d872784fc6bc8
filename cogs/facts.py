"""The /fact command group: read one fact or its history; moderators add, edit, retract and restore.

Write commands open a modal for the free text (statement and source) and take the structured parts as
options, so Discord itself offers the kinds, interests and grades. Options and form inputs are declared
from the request models (`bot.curation.models`) and checked again by them, whatever the client sent.
Every write checks the member again in the modal's submit, since the command's check does not cover a
modal left open for minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.briefing.queries import FactQuery, HistoryQuery, build, describe, summary
from bot.briefing.service import Briefing
from bot.curation.models import (
    FactAddRequest,
    FactEditRequest,
    FactFields,
    FactForm,
    FactProposeRequest,
    RestoreRequest,
    RetractRequest,
)
from bot.curation.service import Curator, capped_note
from bot.edge.app import BriefBot
from bot.edge.embeds import NO_MENTIONS, render_embeds
from bot.edge.interactions import (
    author,
    briefing_here,
    name_autocomplete,
    report_error,
    send_answer,
    tell,
    topic_autocomplete,
)
from bot.edge.permissions import ensure_moderator, moderator_only
from bot.edge.transformers import Checked, limits
from bot.models import FactKind, Interest
from bot.services import Services
from bot.topics.models import TopicOption

FactId = app_commands.Transform[int, Checked(FactQuery, "id")]
Reason = app_commands.Transform[str, Checked(RetractRequest, "reason")]
Kind = app_commands.Transform[FactKind, Checked(FactAddRequest, "kind")]
Grade = app_commands.Transform[str, Checked(FactAddRequest, "reliability")]
Credibility = app_commands.Transform[int, Checked(FactAddRequest, "credibility")]
ActorName = app_commands.Transform[str, Checked(FactAddRequest, "actor")]
EventName = app_commands.Transform[str, Checked(FactAddRequest, "event")]
PlaceName = app_commands.Transform[str, Checked(FactAddRequest, "place")]
StakeholderName = app_commands.Transform[str, Checked(FactAddRequest, "stakeholder")]
Interested = app_commands.Transform[Interest, Checked(FactAddRequest, "interest")]
Publisher = app_commands.Transform[str, Checked(FactAddRequest, "publisher")]
ClaimantText = app_commands.Transform[str, Checked(FactAddRequest, "claimant")]
ClaimedBy = app_commands.Transform[str, Checked(FactAddRequest, "claimed_by")]
TopicPick = app_commands.Transform[str, Checked(TopicOption, "topic")]
TOPIC = describe(TopicOption)
#: The form's inputs, in order; their labels, hints and lengths come from `FactForm`.
FORM_INPUTS = {
    "statement": discord.TextStyle.paragraph,
    "source_title": discord.TextStyle.short,
    "source_url": discord.TextStyle.short,
    "source_date": discord.TextStyle.short,
    "as_of": discord.TextStyle.short,
}
#: Inputs that take a day: exactly as long as YYYY-MM-DD, which the date rule checks in full.
DAYS = {"source_date", "as_of"}

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


def form_input(name: str, default: str | None) -> discord.ui.TextInput[FactModal]:
    """One input of the fact form, labelled and limited as `FactForm` declares the field."""
    field = FactForm.model_fields[name]
    low, high = (len("YYYY-MM-DD"),) * 2 if name in DAYS else limits(FactForm, name)
    return discord.ui.TextInput(
        label=field.title or name,
        placeholder=field.description,
        style=FORM_INPUTS[name],
        required=field.is_required(),
        min_length=low,
        max_length=high,
        default=default,
        custom_id=name,
    )


@dataclass(frozen=True)
class TopicWrites:
    """What the fact form needs: the briefing and the curator of the topic the fact goes to."""

    briefing: Briefing
    curator: Curator


class FactModal(discord.ui.Modal):
    """The free-text half of a fact: what it says and where it comes from.

    `save` decides what a submitted form does; subclasses (a proposal, a candidate's edit) replace it.
    """

    def __init__(
        self, cog: TopicWrites, values: dict[str, Any], fact_id: int | None, *, title: str | None = None
    ) -> None:
        super().__init__(title=title or (f"Edit fact #{fact_id}" if fact_id else "Add a fact"), timeout=900)
        self.cog = cog
        self.values = values
        self.fact_id = fact_id
        self.inputs = {name: form_input(name, values.get(name) or None) for name in FORM_INPUTS}
        for text_input in self.inputs.values():
            self.add_item(text_input)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Validate the whole fact, then `save` it."""
        typed = {name: text_input.value for name, text_input in self.inputs.items()}
        await self.save(interaction, build(FactFields, **{**self.values, **typed}))

    async def save(self, interaction: discord.Interaction[Any], fields: FactFields) -> None:
        """Save the fact in one transaction (moderators only) and show the result to the moderator."""
        ensure_moderator(interaction)
        curator = self.cog.curator
        who = author(interaction)
        if self.fact_id:
            fact_id = await curator.edit_fact(self.fact_id, fields, who)
        else:
            fact_id = await curator.add_fact(fields, who)
        answer = await self.cog.briefing.fact(FactQuery(id=fact_id))
        capped = capped_note(fields.credibility, await curator.existing(fact_id))
        await interaction.response.send_message(
            f"Saved fact #{fact_id}." + (f" {capped}" if capped else ""),
            embeds=render_embeds(answer),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    # discord.py's Modal narrows BaseView.on_error (no item argument); mypy compares with the base.
    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, /) -> None:  # type: ignore[override]
        """Same answer as for a failed command: the fix, or an apology with an error id."""
        await report_error(interaction, error)


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

    @app_commands.command(name="show", description=summary(FactQuery))
    @app_commands.describe(**describe(FactQuery), **TOPIC)
    @app_commands.autocomplete(topic=topic_autocomplete())
    async def show(self, interaction: discord.Interaction[Any], id: FactId, topic: TopicPick | None = None) -> None:
        """/fact show id [topic]: a fact of another topic is named, not shown."""
        q = build(FactQuery, id=id)
        await send_answer(interaction, (await briefing_here(interaction, topic)).fact(q))

    @app_commands.command(name="history", description=summary(HistoryQuery))
    @app_commands.describe(**describe(HistoryQuery))
    async def history(self, interaction: discord.Interaction[Any], id: FactId) -> None:
        """/fact history id (whatever its topic: the record is the record)."""
        q = build(HistoryQuery, id=id)
        await send_answer(interaction, (await self.services.briefing_of_fact(q.id)).history(q))

    @app_commands.command(name="add", description=summary(FactAddRequest))
    @app_commands.describe(**describe(FactAddRequest), **TOPIC)
    @app_commands.autocomplete(**WRITE_AUTOCOMPLETE, topic=topic_autocomplete())
    @moderator_only()
    async def add(
        self,
        interaction: discord.Interaction[Any],
        kind: Kind,
        reliability: Grade,
        credibility: Credibility,
        actor: ActorName | None = None,
        event: EventName | None = None,
        place: PlaceName | None = None,
        stakeholder: StakeholderName | None = None,
        interest: Interested | None = None,
        publisher: Publisher | None = None,
        background: bool = False,
        claimant: ClaimantText | None = None,
        claimed_by: ClaimedBy | None = None,
        topic: TopicPick | None = None,
    ) -> None:
        """/fact add: the structured parts now, the statement and source in a modal; to the topic in force."""
        q = build(
            FactAddRequest,
            kind=kind,
            reliability=reliability,
            credibility=credibility,
            actor=actor,
            event=event,
            place=place,
            stakeholder=stakeholder,
            interest=interest,
            publisher=publisher,
            background=background,
            claimant=claimant,
            claimed_by=claimed_by,
        )
        _, writes = await self._writes(interaction, topic)
        await interaction.response.send_modal(FactModal(writes, q.fields(), None))

    @app_commands.command(name="propose", description=summary(FactProposeRequest))
    @app_commands.describe(**describe(FactProposeRequest), **TOPIC)
    @app_commands.autocomplete(**PROPOSE_AUTOCOMPLETE)
    async def propose(
        self,
        interaction: discord.Interaction[Any],
        kind: Kind,
        reliability: Grade,
        credibility: Credibility,
        actor: ActorName | None = None,
        event: EventName | None = None,
        place: PlaceName | None = None,
        stakeholder: StakeholderName | None = None,
        interest: Interested | None = None,
        publisher: Publisher | None = None,
        background: bool = False,
        claimant: ClaimantText | None = None,
        claimed_by: ClaimedBy | None = None,
        topic: TopicPick | None = None,
    ) -> None:
        """/fact propose (anyone): the /fact add form; the fact waits in the review queue for a moderator."""
        q = build(
            FactProposeRequest,
            kind=kind,
            reliability=reliability,
            credibility=credibility,
            actor=actor,
            event=event,
            place=place,
            stakeholder=stakeholder,
            interest=interest,
            publisher=publisher,
            background=background,
            claimant=claimant,
            claimed_by=claimed_by,
        )
        slug, writes = await self._writes(interaction, topic)
        await interaction.response.send_modal(ProposalModal(self, writes, q.fields(), slug))

    @app_commands.command(name="edit", description=summary(FactEditRequest))
    @app_commands.describe(**describe(FactEditRequest))
    @app_commands.autocomplete(**WRITE_AUTOCOMPLETE)
    @moderator_only()
    async def edit(
        self,
        interaction: discord.Interaction[Any],
        id: FactId,
        kind: Kind | None = None,
        reliability: Grade | None = None,
        credibility: Credibility | None = None,
        actor: ActorName | None = None,
        event: EventName | None = None,
        place: PlaceName | None = None,
        stakeholder: StakeholderName | None = None,
        interest: Interested | None = None,
        publisher: Publisher | None = None,
        background: bool | None = None,
        claimant: ClaimantText | None = None,
        claimed_by: ClaimedBy | None = None,
    ) -> None:
        """/fact edit: the same modal, prefilled; options given here replace the stored ones."""
        q = build(
            FactEditRequest,
            id=id,
            kind=kind,
            reliability=reliability,
            credibility=credibility,
            actor=actor,
            event=event,
            place=place,
            stakeholder=stakeholder,
            interest=interest,
            publisher=publisher,
            background=background,
            claimant=claimant,
            claimed_by=claimed_by,
        )
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
