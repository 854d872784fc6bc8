"""Who may write, as a rule over plain ids: the one decision every write path asks for.

The rule lives in the domain so that it can be read and tested without Discord; `bot.edge.permissions`
only turns a member into the ids this needs.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable


def is_moderator(
    guild_id: int | None,
    *,
    manages_guild: bool,
    role_ids: Iterable[int],
    moderator_roles: Collection[int],
    allowed_guilds: Collection[int],
) -> bool:
    """A member with Manage Server, or with a moderator role, in a guild the bot serves."""
    if guild_id is None:
        return False
    if allowed_guilds and guild_id not in allowed_guilds:
        return False
    return manages_guild or any(role in moderator_roles for role in role_ids)
