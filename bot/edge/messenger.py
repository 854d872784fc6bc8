"""Where watch alerts meet discord.py: posting (as digests post), opening DMs, and asking who is a member.

Discord's failures become the announcer's terms (`bot.watches.announce`): a DM to a member who does not
accept them (403, code 50007) is `DmClosed`; opening DMs too fast (403, code 40003) is `DmRefused`; a 429,
5xx or timeout is `Transient`. Everything else a post can meet is the digests' mapping (`bot.edge.poster`).
"""

from __future__ import annotations

import aiohttp
import discord

from bot.briefing.answer import Answer
from bot.digests.posting import Transient, Undeliverable
from bot.edge.poster import DiscordPoster
from bot.watches.announce import DmClosed, DmRefused

#: Discord's JSON error codes for direct messages.
CANNOT_MESSAGE_USER = 50007
OPENING_DMS_TOO_FAST = 40003


def _transient(exc: Exception) -> Transient | None:
    """A failure that asking again may fix, in the announcer's terms; None for any other."""
    if isinstance(exc, discord.RateLimited):
        return Transient(str(exc), exc.retry_after)
    if isinstance(exc, discord.HTTPException) and (exc.status == 429 or exc.status >= 500):
        return Transient(f"{exc.status} {exc.text}")
    if isinstance(exc, TimeoutError | aiohttp.ClientError | OSError):
        return Transient(f"no answer from Discord: {exc!r}")
    return None


class DiscordMessenger:
    """Tells watchers through a discord.py client."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client
        self.poster = DiscordPoster(client)

    async def post(self, channel_id: int, answer: Answer, nonce: str) -> int:
        """Post with the nonce; a DM the member does not accept is `DmClosed`."""
        try:
            return await self.poster.post(channel_id, answer, nonce)
        except Undeliverable as exc:
            cause = exc.__cause__
            if isinstance(cause, discord.Forbidden) and cause.code == CANNOT_MESSAGE_USER:
                raise DmClosed(cause.text or "Cannot send messages to this user") from cause
            raise

    async def open_dm(self, user_id: int) -> int:
        """`POST /users/@me/channels`: the DM channel with a user (Discord returns the same one each time)."""
        try:
            data = await self.client.http.start_private_message(user_id)
        except discord.Forbidden as exc:
            if exc.code == OPENING_DMS_TOO_FAST:
                raise DmRefused(exc.text) from exc
            raise DmClosed(exc.text or "Cannot send messages to this user") from exc
        except Exception as exc:
            if (transient := _transient(exc)) is not None:
                raise transient from exc
            raise
        return int(data["id"])

    async def is_member(self, guild_id: int, user_id: int) -> bool:
        """`GET /guilds/{guild}/members/{user}`: gone (Unknown Member, or the bot left the server) is False."""
        try:
            await self.client.http.get_member(guild_id, user_id)
        except discord.NotFound:
            return False
        except Exception as exc:
            if (transient := _transient(exc)) is not None:
                raise transient from exc
            raise
        return True
