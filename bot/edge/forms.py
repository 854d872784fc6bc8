"""The fact form: the modal /fact add and /fact edit open, and that /fact propose and a candidate's Edit reuse.

It lives at the edge, not in a cog, because cogs/facts.py and the review message (bot/edge/review.py) both
open it, and an extension that imports another cannot be loaded, reloaded or tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord

from bot.briefing.queries import FactQuery, build
from bot.briefing.service import Briefing
from bot.curation.models import FactFields, FactForm
from bot.curation.service import Curator, capped_note
from bot.edge.embeds import NO_MENTIONS, render_embeds
from bot.edge.interactions import author, report_error
from bot.edge.permissions import ensure_moderator
from bot.edge.transformers import limits

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
