"""The /fact command group: read one fact or its history; moderators add, edit, retract and restore.

Write commands open a modal for the free text (statement and source) and take the structured parts as
options, so Discord itself offers the kinds, interests and grades. Every write checks the member again
in the modal's submit, since the command's check does not cover a modal left open for minutes.
"""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands
from pydantic import ValidationError

from bot.briefing.queries import FactQuery, HistoryQuery, build, describe, summary
from bot.briefing.service import Briefing
from bot.curation.service import Curator, FactFields
from bot.edge.app import BriefBot
from bot.edge.embeds import NO_MENTIONS, render_embeds
from bot.edge.interactions import author, name_autocomplete, report_error, send_answer, tell
from bot.edge.permissions import ensure_moderator, moderator_only
from bot.errors import explain
from bot.models import FactKind, Interest

FactId = app_commands.Range[int, 1, 2**53 - 1]
Grade = Literal["A", "B", "C", "D", "E", "F"]
WRITE_OPTIONS = {
    "kind": "What the fact is: figure, event, assessment, stake or background.",
    "reliability": "Admiralty source reliability: A completely reliable … E unreliable, F cannot be judged.",
    "credibility": "Admiralty information credibility: 1 confirmed … 5 improbable, 6 cannot be judged.",
    "actor": "The actor the fact is about.",
    "event": "The event the fact is about.",
    "place": "The place the fact is about.",
    "stakeholder": "For a stake: whose stake it is.",
    "interest": "For a stake: which interest (trade, security, citizens, …).",
    "publisher": "Who published the source (e.g. Reuters).",
    "background": "True if this comes from your own background knowledge, not a document (graded F).",
}

WRITE_AUTOCOMPLETE = {
    "actor": name_autocomplete("actor", moderators_only=True),
    "event": name_autocomplete("event", moderators_only=True),
    "place": name_autocomplete("place", moderators_only=True),
    "stakeholder": name_autocomplete("actor", moderators_only=True),
}


def _options(arguments: dict[str, Any]) -> dict[str, Any]:
    """A write command's options (its `locals()`) in FactFields' terms; None means "not given"."""
    given = {name: arguments[name] for name in WRITE_OPTIONS}
    actor = given.pop("actor")
    given["actors"] = [actor] if actor else None
    given["source_publisher"] = given.pop("publisher")
    return given


class FactModal(discord.ui.Modal):
    """The free-text half of a fact: what it says and where it comes from."""

    statement: discord.ui.TextInput[FactModal] = discord.ui.TextInput(
        label="Statement", style=discord.TextStyle.paragraph, max_length=1000, custom_id="statement"
    )
    source_title: discord.ui.TextInput[FactModal] = discord.ui.TextInput(
        label="Source title", max_length=300, custom_id="source_title"
    )
    source_url: discord.ui.TextInput[FactModal] = discord.ui.TextInput(
        label="Source URL (empty if there is none)", required=False, max_length=2000, custom_id="source_url"
    )
    source_date: discord.ui.TextInput[FactModal] = discord.ui.TextInput(
        label="Source date, YYYY-MM-DD (empty if unknown)",
        required=False,
        min_length=10,
        max_length=10,
        custom_id="source_date",
    )
    as_of: discord.ui.TextInput[FactModal] = discord.ui.TextInput(
        label="True as of, YYYY-MM-DD", min_length=10, max_length=10, custom_id="as_of"
    )

    def __init__(self, cog: FactsCog, values: dict[str, Any], fact_id: int | None) -> None:
        super().__init__(title=f"Edit fact #{fact_id}" if fact_id else "Add a fact", timeout=900)
        self.cog = cog
        self.values = values
        self.fact_id = fact_id
        for name in ("statement", "source_title", "source_url", "source_date", "as_of"):
            getattr(self, name).default = values.get(name) or None

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Validate the whole fact, save it in one transaction, and show the result to the moderator."""
        ensure_moderator(interaction)
        typed = {name: getattr(self, name).value.strip() or None for name in ("source_url", "source_date")}
        typed |= {name: getattr(self, name).value for name in ("statement", "source_title", "as_of")}
        try:
            fields = FactFields(**{**self.values, **typed})
        except ValidationError as exc:
            raise explain(exc) from None
        curator = self.cog.curator
        who = author(interaction)
        if self.fact_id:
            fact_id = await curator.edit_fact(self.fact_id, fields, who)
        else:
            fact_id = await curator.add_fact(fields, who)
        answer = await self.cog.briefing.fact(FactQuery(id=fact_id))
        await interaction.response.send_message(
            f"Saved fact #{fact_id}.", embeds=render_embeds(answer), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    # discord.py's Modal narrows BaseView.on_error (no item argument); mypy compares with the base.
    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, /) -> None:  # type: ignore[override]
        """Same answer as for a failed command: the fix, or an apology with an error id."""
        await report_error(interaction, error)


class FactsCog(commands.GroupCog, group_name="fact", group_description="Facts in the store, with their sources."):
    """Commands about single facts."""

    def __init__(self, briefing: Briefing, curator: Curator) -> None:
        self.briefing = briefing
        self.curator = curator
        super().__init__()

    @app_commands.command(name="show", description=summary(FactQuery))
    @app_commands.describe(**describe(FactQuery))
    async def show(self, interaction: discord.Interaction[Any], id: FactId) -> None:
        """/fact show id."""
        await send_answer(interaction, self.briefing.fact(build(FactQuery, id=id)))

    @app_commands.command(name="history", description=summary(HistoryQuery))
    @app_commands.describe(**describe(HistoryQuery))
    async def history(self, interaction: discord.Interaction[Any], id: FactId) -> None:
        """/fact history id."""
        await send_answer(interaction, self.briefing.history(build(HistoryQuery, id=id)))

    @app_commands.command(name="add", description="Add a fact (moderators): options here, text in the form.")
    @app_commands.describe(**WRITE_OPTIONS)
    @app_commands.autocomplete(**WRITE_AUTOCOMPLETE)
    @moderator_only()
    async def add(
        self,
        interaction: discord.Interaction[Any],
        kind: FactKind,
        reliability: Grade,
        credibility: app_commands.Range[int, 1, 6],
        actor: str | None = None,
        event: str | None = None,
        place: str | None = None,
        stakeholder: str | None = None,
        interest: Interest | None = None,
        publisher: str | None = None,
        background: bool = False,
    ) -> None:
        """/fact add: the structured parts now, the statement and source in a modal."""
        given = _options(locals())
        values = {k: v for k, v in given.items() if v is not None}
        await interaction.response.send_modal(FactModal(self, values, None))

    @app_commands.command(name="edit", description="Edit a fact (moderators): saves a new revision, keeps the old.")
    @app_commands.describe(id="The fact's number, as shown after # in answers.", **WRITE_OPTIONS)
    @app_commands.autocomplete(**WRITE_AUTOCOMPLETE)
    @moderator_only()
    async def edit(
        self,
        interaction: discord.Interaction[Any],
        id: FactId,
        kind: FactKind | None = None,
        reliability: Grade | None = None,
        credibility: app_commands.Range[int, 1, 6] | None = None,
        actor: str | None = None,
        event: str | None = None,
        place: str | None = None,
        stakeholder: str | None = None,
        interest: Interest | None = None,
        publisher: str | None = None,
        background: bool | None = None,
    ) -> None:
        """/fact edit: the same modal, prefilled; options given here replace the stored ones."""
        current = FactFields.of(await self.curator.existing(id)).model_dump()
        given = _options(locals())
        values = current | {k: v for k, v in given.items() if v is not None}
        await interaction.response.send_modal(FactModal(self, values, id))

    @app_commands.command(name="retract", description="Retract a fact (moderators): it leaves every answer.")
    @app_commands.describe(id="The fact's number.", reason="Why: kept on record with the fact.")
    @moderator_only()
    async def retract(
        self, interaction: discord.Interaction[Any], id: FactId, reason: app_commands.Range[str, 1, 500]
    ) -> None:
        """/fact retract id reason."""
        await self.curator.set_status(id, True, author(interaction), reason)
        await tell(interaction, f"Fact #{id} is retracted; it stays on record and `/fact restore` brings it back.")

    @app_commands.command(name="restore", description="Bring a retracted fact back into answers (moderators).")
    @app_commands.describe(id="The fact's number.")
    @moderator_only()
    async def restore(self, interaction: discord.Interaction[Any], id: FactId) -> None:
        """/fact restore id."""
        await self.curator.set_status(id, False, author(interaction))
        await tell(interaction, f"Fact #{id} is back in answers.")


async def setup(bot: BriefBot) -> None:
    """Load the /fact group."""
    await bot.add_cog(FactsCog(bot.briefing, bot.curator))
