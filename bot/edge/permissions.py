"""Who may write, asked of Discord's objects: for commands, autocomplete, buttons and modals alike.

The rule itself is `bot.permissions.is_moderator`; this is its Discord half. Discord's
`default_member_permissions` only hides commands in the client; a server admin can override it and a
crafted request ignores it. So every write checks the member itself against the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.permissions import is_moderator

T = TypeVar("T")


class NotModerator(app_commands.CheckFailure):
    """The member may not curate facts here; the message says who may."""


def may_write(interaction: discord.Interaction[Any]) -> bool:
    """Whether the member behind this interaction is a moderator under the bot's settings."""
    settings = interaction.client.settings
    member = interaction.user
    if not isinstance(member, discord.Member):
        return False
    return is_moderator(
        interaction.guild_id,
        manages_guild=member.guild_permissions.manage_guild,
        role_ids=(role.id for role in member.roles),
        moderator_roles=settings.moderator_role_ids,
        allowed_guilds=settings.guild_ids,
    )


def ensure_moderator(interaction: discord.Interaction[Any]) -> None:
    """Raise `NotModerator` unless the interaction's member may write (modals and buttons call this too)."""
    if not may_write(interaction):
        raise NotModerator(
            "Only moderators can do this: members with Manage Server or a moderator role, in a server the bot serves."
        )


def moderator_only() -> Callable[[T], T]:
    """An app-command check for write commands (autocomplete runs no checks: call `ensure_moderator`)."""

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        ensure_moderator(interaction)
        return True

    return app_commands.check(predicate)
