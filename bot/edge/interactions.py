"""Discord-side plumbing every cog shares: answering on time, once, and failing politely.

Cogs stay thin because the rules live here: answers never ping anyone, a slow answer defers before
Discord's 3-second deadline, a second response is never attempted (follow-ups after the first), and
every failure is either a message the user can act on or a logged bug with an error id.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import discord
from discord import app_commands

from bot.briefing.answer import Answer
from bot.briefing.service import Briefing
from bot.edge.embeds import NO_MENTIONS, render_embeds
from bot.edge.permissions import may_write
from bot.edge.pictures import add_picture_later, picture_embeds, ready_picture
from bot.edge.transformers import BadOption
from bot.errors import NotFound, UserError
from bot.models import Author
from bot.services import Services
from bot.store.names import Entity
from bot.text import clean_line
from bot.topics.models import EVERY_TOPIC

log = logging.getLogger(__name__)

DEFER_AFTER = 1.5


async def send_answer(
    interaction: discord.Interaction[Any],
    work: Awaitable[Answer],
    *,
    ephemeral: bool = False,
    view: Callable[[Answer], discord.ui.View | None] | None = None,
) -> Answer:
    """Reply with an answer; defer first if it is not ready well inside Discord's 3-second deadline.

    `view` builds the buttons from the finished answer (a pager needs to know how many pages there are).
    """
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
    if not done:
        await interaction.response.defer(thinking=True, ephemeral=ephemeral)
    answer = await task
    # A picture already drawn goes with the text; one still to draw is added once ready (`bot.edge.pictures`).
    picture = ready_picture(interaction.client, answer)
    embeds = picture_embeds(answer) if picture else render_embeds(answer)
    files = [picture] if picture else []
    buttons = view(answer) if view else None
    if interaction.response.is_done():
        await interaction.edit_original_response(
            embeds=embeds, attachments=files, view=buttons, allowed_mentions=NO_MENTIONS
        )
    elif buttons is not None:
        await interaction.response.send_message(
            embeds=embeds, files=files, view=buttons, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )
    else:
        await interaction.response.send_message(
            embeds=embeds, files=files, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )
    if answer.chart is not None and picture is None:
        await add_picture_later(interaction, answer)
    return answer


async def tell(interaction: discord.Interaction[Any], message: str) -> None:
    """An ephemeral note to the user, as a first response or as a follow-up, never a second response."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(message, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        log.warning("could not tell user %s: %s", interaction.user.id, message, exc_info=True)


def user_message(error: BaseException) -> str | None:
    """What to tell the user for an error they can fix, or None for a bug."""
    original = getattr(error, "original", None) or error.__cause__ or error
    if isinstance(original, NotFound) and original.names is not None:
        options = ", ".join(f"**{name}**" for name in original.names)
        advice = f"Did you mean: {options}?" if options else "Start typing and pick one of the suggestions."
        return f"⚠️ {original} {advice}"
    if isinstance(original, UserError | BadOption):
        return f"⚠️ {original}"
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"⚠️ Slow down: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.CheckFailure):
        return f"⛔ {error}" if str(error) else "⛔ You cannot use this command here."
    if isinstance(error, app_commands.TransformerError):
        return f"⚠️ `{str(clean_line(str(error.value)))[:100]}` is not valid here: {original}"
    return None


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Answer a failed interaction: the fix for user errors, an apology with an id for bugs."""
    message = user_message(error)
    if message is None:
        error_id = secrets.token_hex(4)
        command = interaction.command.qualified_name if interaction.command else None
        data: dict[str, Any] = dict(interaction.data or {})
        log.error(
            "interaction failed [error id %s] command=%s options=%s custom_id=%s user=%s guild=%s channel=%s",
            error_id,
            command,
            data.get("options"),
            data.get("custom_id"),
            interaction.user.id,
            interaction.guild_id,
            interaction.channel_id,
            exc_info=getattr(error, "original", error),
        )
        message = f"Sorry, something went wrong on our side (error id `{error_id}`). It has been logged."
    await tell(interaction, message)


class BriefTree(app_commands.CommandTree):
    """The one place slash-command errors are answered."""

    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        """Send the user one ephemeral message, whatever failed."""
        await report_error(interaction, error)


def author(interaction: discord.Interaction[Any]) -> Author:
    """Who is behind an interaction, as the change record keeps it."""
    return Author(id=interaction.user.id, name=str(interaction.user)[:100])


async def briefing_here(interaction: discord.Interaction[Any], topic: str | None = None) -> Briefing:
    """The briefing of the topic in force here: `topic`, else the channel's, the server's, DEFAULT_TOPIC."""
    services: Services = interaction.client.services
    return await services.in_force(topic, interaction.channel_id, interaction.guild_id)


def _typed_topic(interaction: discord.Interaction[Any]) -> str | None:
    """The `topic` option as typed so far in the command being completed (None when not given)."""
    typed = getattr(interaction.namespace, "topic", None)
    return typed if isinstance(typed, str) and typed.strip() and typed.strip() != EVERY_TOPIC else None


def name_autocomplete(
    entity: Entity, *, moderators_only: bool = False
) -> Callable[[discord.Interaction[Any], str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]:
    """An autocomplete callback over actor, place or event names, of the topic in force (the `topic` option first).

    It never raises: discord.py would swallow the error and the user would see an empty list. For write
    commands it offers nothing to non-moderators, because command checks do not run for autocomplete.
    """

    async def complete(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        if moderators_only and not may_write(interaction):
            return []
        try:
            briefing = await briefing_here(interaction, _typed_topic(interaction))
            choices = await briefing.suggest(entity, current[:100])
        except UserError:
            return []  # a topic still being typed, or one that is not loaded: nothing to offer yet
        except Exception:
            log.exception("autocomplete for %s failed on %r", entity, current)
            return []
        return [app_commands.Choice(name=label, value=value) for label, value in choices[:25]]

    return complete


def topic_autocomplete(
    *, everything: bool = False
) -> Callable[[discord.Interaction[Any], str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]:
    """An autocomplete callback over topics that are not retired (and `all`, for `/search`); it never raises."""

    async def complete(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        try:
            services: Services = interaction.client.services
            choices = await services.topics.suggest(current[:100], everything=everything)
        except Exception:
            log.exception("autocomplete for topics failed on %r", current)
            return []
        return [app_commands.Choice(name=label, value=value) for label, value in choices[:25]]

    return complete
