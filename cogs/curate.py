"""/curate actor|event|place add|edit: moderators keep the actors, events and places facts are about.

These live under /curate rather than /actor, /event and /place because Discord cannot give a command
sub-commands and also run it on its own: `/actor name:…` must stay the profile everyone uses.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.curation.service import Curator
from bot.edge.app import BriefBot
from bot.edge.interactions import author, name_autocomplete, tell
from bot.edge.permissions import moderator_only
from bot.models import ActorKind, DatePrecision, PlaceKind, Relation, Side
from bot.store.names import Entity

NAME = "Its canonical name."
ALIASES = "Other names and spellings, separated by commas (on edit: replaces the list; '-' clears it)."


def _aliases(text: str | None) -> list[str] | None:
    """Split a comma-separated list as typed in Discord; None when the option was not given."""
    if text is None:
        return None
    return [] if text.strip() == "-" else [a.strip() for a in text.split(",") if a.strip()]


def _given(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


@app_commands.default_permissions(manage_guild=True)
class CurateCog(commands.GroupCog, group_name="curate", group_description="Moderators: actors, events and places."):
    """Add and edit the records facts are about."""

    actor = app_commands.Group(name="actor", description="Add or edit an actor.")
    event = app_commands.Group(name="event", description="Add or edit an event.")
    place = app_commands.Group(name="place", description="Add or edit a place.")

    def __init__(self, curator: Curator) -> None:
        self.curator = curator
        super().__init__()

    async def _save(self, interaction: discord.Interaction[Any], entity: Entity, values: dict[str, Any]) -> None:
        slug = await self.curator.save(entity, values, author(interaction))
        await tell(interaction, f"Added {entity} **{values['name']}** (`{slug}`).")

    async def _edit(
        self, interaction: discord.Interaction[Any], entity: Entity, which: str, changes: dict[str, Any]
    ) -> None:
        current = await self.curator.form(entity, which)
        slug = await self.curator.save(entity, current | changes, author(interaction), slug=current["slug"])
        await tell(
            interaction, f"Saved {entity} **{(current | changes)['name']}** (`{slug}`); the old version is on record."
        )

    @actor.command(name="add", description="Add an actor (moderators).")
    @app_commands.describe(
        name=NAME,
        kind="What sort of actor.",
        side="Which side it stands on.",
        aliases=ALIASES,
        description="One line on who it is.",
        linked_to="Another actor it is linked to.",
        relation="How it is linked to that actor (default: member of).",
    )
    @app_commands.autocomplete(linked_to=name_autocomplete("actor", moderators_only=True))
    @moderator_only()
    async def actor_add(
        self,
        interaction: discord.Interaction[Any],
        name: app_commands.Range[str, 1, 100],
        kind: ActorKind,
        side: Side = Side.UNKNOWN,
        aliases: str | None = None,
        description: app_commands.Range[str, 0, 2000] = "",
        linked_to: str | None = None,
        relation: Relation = Relation.MEMBER_OF,
    ) -> None:
        """/curate actor add."""
        links = [{"actor": await self.curator.slug("actor", linked_to), "relation": relation}] if linked_to else []
        values = {"name": name, "kind": kind, "side": side, "description": description, "affiliations": links}
        await self._save(interaction, "actor", values | {"aliases": _aliases(aliases) or []})

    @actor.command(name="edit", description="Edit an actor (moderators); options left out stay as they are.")
    @app_commands.describe(
        actor="The actor to edit.",
        name="A new canonical name.",
        kind="What sort of actor.",
        side="Which side it stands on.",
        aliases=ALIASES,
        description="One line on who it is.",
    )
    @app_commands.autocomplete(actor=name_autocomplete("actor", moderators_only=True))
    @moderator_only()
    async def actor_edit(
        self,
        interaction: discord.Interaction[Any],
        actor: str,
        name: app_commands.Range[str, 1, 100] | None = None,
        kind: ActorKind | None = None,
        side: Side | None = None,
        aliases: str | None = None,
        description: app_commands.Range[str, 0, 2000] | None = None,
    ) -> None:
        """/curate actor edit."""
        changes = _given(name=name, kind=kind, side=side, aliases=_aliases(aliases), description=description)
        await self._edit(interaction, "actor", actor, changes)

    @place.command(name="add", description="Add a place (moderators).")
    @app_commands.describe(name=NAME, kind="Its scale.", within="The place it lies within.", aliases=ALIASES)
    @app_commands.autocomplete(within=name_autocomplete("place", moderators_only=True))
    @moderator_only()
    async def place_add(
        self,
        interaction: discord.Interaction[Any],
        name: app_commands.Range[str, 1, 100],
        kind: PlaceKind,
        within: str | None = None,
        aliases: str | None = None,
    ) -> None:
        """/curate place add."""
        parent = await self.curator.slug("place", within)
        values = {"name": name, "kind": kind, "parent": parent, "aliases": _aliases(aliases) or []}
        await self._save(interaction, "place", values)

    @place.command(name="edit", description="Edit a place (moderators); options left out stay as they are.")
    @app_commands.describe(
        place="The place to edit.",
        name="A new name.",
        kind="Its scale.",
        within="The place it lies within.",
        aliases=ALIASES,
    )
    @app_commands.autocomplete(
        place=name_autocomplete("place", moderators_only=True), within=name_autocomplete("place", moderators_only=True)
    )
    @moderator_only()
    async def place_edit(
        self,
        interaction: discord.Interaction[Any],
        place: str,
        name: app_commands.Range[str, 1, 100] | None = None,
        kind: PlaceKind | None = None,
        within: str | None = None,
        aliases: str | None = None,
    ) -> None:
        """/curate place edit."""
        parent = await self.curator.slug("place", within) if within else None
        changes = _given(name=name, kind=kind, parent=parent, aliases=_aliases(aliases))
        await self._edit(interaction, "place", place, changes)

    @event.command(name="add", description="Add an event (moderators).")
    @app_commands.describe(
        name=NAME,
        date="When, YYYY-MM-DD (for a month or year, its first day).",
        precision="How much of the date is known.",
        place="Where it happened.",
        actors="Who took part: names separated by commas.",
        follows="The event it followed from.",
        aliases=ALIASES,
        summary="One line on what happened.",
    )
    @app_commands.autocomplete(
        place=name_autocomplete("place", moderators_only=True), follows=name_autocomplete("event", moderators_only=True)
    )
    @moderator_only()
    async def event_add(
        self,
        interaction: discord.Interaction[Any],
        name: app_commands.Range[str, 1, 100],
        date: app_commands.Range[str, 10, 10],
        precision: DatePrecision = DatePrecision.DAY,
        place: str | None = None,
        actors: str | None = None,
        follows: str | None = None,
        aliases: str | None = None,
        summary: app_commands.Range[str, 0, 2000] = "",
    ) -> None:
        """/curate event add."""
        parts = [{"actor": await self.curator.slug("actor", a)} for a in _aliases(actors) or []]
        values = {
            "name": name,
            "date": date,
            "precision": precision,
            "place": await self.curator.slug("place", place),
            "actors": parts,
            "follows": [await self.curator.slug("event", follows)] if follows else [],
            "aliases": _aliases(aliases) or [],
            "summary": summary,
        }
        await self._save(interaction, "event", values)

    @event.command(name="edit", description="Edit an event (moderators); options left out stay as they are.")
    @app_commands.describe(
        event="The event to edit.",
        name="A new name.",
        date="When, YYYY-MM-DD.",
        precision="How much of the date is known.",
        place="Where it happened.",
        aliases=ALIASES,
        summary="One line on what happened.",
    )
    @app_commands.autocomplete(
        event=name_autocomplete("event", moderators_only=True), place=name_autocomplete("place", moderators_only=True)
    )
    @moderator_only()
    async def event_edit(
        self,
        interaction: discord.Interaction[Any],
        event: str,
        name: app_commands.Range[str, 1, 100] | None = None,
        date: app_commands.Range[str, 10, 10] | None = None,
        precision: DatePrecision | None = None,
        place: str | None = None,
        aliases: str | None = None,
        summary: app_commands.Range[str, 0, 2000] | None = None,
    ) -> None:
        """/curate event edit."""
        where = await self.curator.slug("place", place) if place else None
        changes = _given(
            name=name, date=date, precision=precision, place=where, aliases=_aliases(aliases), summary=summary
        )
        await self._edit(interaction, "event", event, changes)


async def setup(bot: BriefBot) -> None:
    """Load the /curate group."""
    await bot.add_cog(CurateCog(bot.curator))
