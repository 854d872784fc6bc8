"""Resources > User: ``/users/...`` (the bot's own user, other users; DM channels belong here too)."""

from __future__ import annotations

from .routing import Ctx, DiscordError, Reply, route
from .state import DoubleState


class UsersApi(DoubleState):
    """``/users/@me`` and ``/users/{user_id}``."""

    @route("GET", "/users/@me")
    async def _get_me(self, ctx: Ctx) -> Reply:
        data = self.bot_user.payload()
        data.update({"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US", "premium_type": 0})
        return Reply(200, data)

    @route("GET", "/users/{user_id}")
    async def _get_user(self, ctx: Ctx) -> Reply:
        user_id = int(ctx.params["user_id"])
        for guild in self.guilds.values():
            if user_id in guild.members:
                return Reply(200, guild.members[user_id].user.payload())
        raise DiscordError(404, 10013, "Unknown User")
