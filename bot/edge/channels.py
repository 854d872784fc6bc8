"""The channel option every command that names a place to post in uses: /digest, /feed add, /topic use."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.app_commands import AppCommandChannel, AppCommandThread

#: Where the bot posts: text and announcement channels and every kind of thread.
POSTABLE = [
    discord.ChannelType.text,
    discord.ChannelType.news,
    discord.ChannelType.public_thread,
    discord.ChannelType.private_thread,
    discord.ChannelType.news_thread,
]

Target = AppCommandChannel | AppCommandThread


class PostableChannel(app_commands.Transformer):
    """A channel option offering only text and announcement channels and threads, taken as Discord sends it.

    The resolved channel is used as is, without the cache, so a thread the bot has not seen is accepted.
    """

    @property
    def type(self) -> discord.AppCommandOptionType:
        """Discord's channel option type."""
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        """Where a digest can be posted."""
        return POSTABLE

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> Target:
        """The channel as resolved in the interaction."""
        channel: Target = value
        return channel


#: A channel option, typed for the callback.
Postable = app_commands.Transform[Target, PostableChannel]
