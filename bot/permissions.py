"""Who may write: decided here once, for commands, autocomplete, buttons and modals alike.

Discord's `default_member_permissions` only hides commands in the client; a server admin can override it
and a crafted request ignores it. So every write checks the member itself against these rules.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import discord
from discord import app_commands


class NotModerator(app_commands.CheckFailure):
    """The member may not curate facts here; the message says who may."""


def is_moderator(
    user: discord.abc.User, guild_id: int | None, moderator_roles: Collection[int], allowed_guilds: Collection[int]
) -> bool:
    """A member with Manage Server, or with a moderator role, in a guild the bot serves."""
    if guild_id is None or not isinstance(user, discord.Member):
        return False
    if allowed_guilds and guild_id not in allowed_guilds:
        return False
    if user.guild_permissions.manage_guild:
        return True
    return any(role.id in moderator_roles for role in user.roles)


def may_write(interaction: discord.Interaction[Any]) -> bool:
    """Whether the member behind this interaction is a moderator under the bot's settings."""
    settings = interaction.client.settings  # type: ignore[attr-defined]
    return is_moderator(interaction.user, interaction.guild_id, settings.moderator_role_ids, settings.guild_ids)


def ensure_moderator(interaction: discord.Interaction[Any]) -> None:
    """Raise `NotModerator` unless the interaction's member may write (modals and buttons call this too)."""
    if not may_write(interaction):
        raise NotModerator(
            "Only moderators can do this: members with Manage Server or a moderator role, in a server the bot serves."
        )


def moderator_only() -> Any:
    """An app-command check for write commands (autocomplete runs no checks: call `ensure_moderator`)."""

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        ensure_moderator(interaction)
        return True

    return app_commands.check(predicate)
