"""Resources > Channel: looking a channel up, the bot's permissions in it, typing."""

from __future__ import annotations

from ..world import VIEW_CHANNEL, Channel
from .routing import Ctx, DiscordError, Reply, route
from .state import DoubleState


class ChannelsApi(DoubleState):
    """``/channels/{channel_id}`` and ``/channels/{channel_id}/typing``."""

    def _channel_by_id(self, channel_id: str) -> Channel:
        for guild in self.guilds.values():
            if (channel := guild.channels.get(int(channel_id))) is not None:
                return channel
        raise DiscordError(404, 10003, "Unknown Channel")

    def _bot_may(self, channel: Channel, needed: int) -> None:
        permissions = channel.guild.permissions_for(channel.guild.me, channel)
        if not permissions & VIEW_CHANNEL:
            raise DiscordError(403, 50001, "Missing Access")
        if permissions & needed != needed:
            raise DiscordError(403, 50013, "Missing Permissions")

    @route("GET", "/channels/{channel_id}")
    async def _get_channel(self, ctx: Ctx) -> Reply:
        channel = self._channel_by_id(ctx.params["channel_id"])
        self._bot_may(channel, VIEW_CHANNEL)
        return Reply(200, channel.payload())

    @route("POST", "/channels/{channel_id}/typing")
    async def _typing(self, ctx: Ctx) -> Reply:
        self._channel_by_id(ctx.params["channel_id"])
        return Reply(204)
