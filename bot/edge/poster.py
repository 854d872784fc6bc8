"""Where a digest meets discord.py: posting parts to channels and finding them there, with or without a gateway.

`DiscordPoster` posts a part as embeds with the ledger's nonce (discord.py sends it with `enforce_nonce`),
looks a part up in the channel's history by the marker in its footer, and turns Discord's failures into
the ledger's terms, so `bot.digests.delivery` decides what a failure means without knowing Discord.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime

import aiohttp
import discord

from bot.briefing.answer import Answer
from bot.digests.delivery import Outcome
from bot.digests.posting import DeliveryError, PostedThenDeleted, Transient, Undeliverable
from bot.edge.embeds import NO_MENTIONS, render_embeds
from bot.edge.pictures import picture_embeds, picture_file
from bot.pictures.painter import Painter
from bot.services import Services

# Discord's JSON error codes that decide what a failed request means.
UNKNOWN_MESSAGE = 10008
THREAD_ARCHIVED = 50083
# How many messages after a part was first sent are read to find it. It was created within minutes of
# then, so it is among the first few unless the channel was very busy; past this, it is not guessed at.
SEARCH_LIMIT = 500


@contextlib.contextmanager
def discord_failures(channel_id: int, refused: str) -> Iterator[None]:
    """Discord's failures as the ledger's: `refused` says what the bot may not do in the channel."""
    try:
        yield
    except discord.Forbidden as exc:
        raise Undeliverable(
            f"the bot may not {refused} in <#{channel_id}> ({exc.text or 'Missing Permissions'})"
        ) from exc
    except discord.NotFound as exc:
        if exc.code == UNKNOWN_MESSAGE:
            raise PostedThenDeleted(str(exc)) from exc
        raise Undeliverable(f"<#{channel_id}> no longer exists, or the bot cannot see it") from exc
    except discord.RateLimited as exc:
        raise Transient(str(exc), exc.retry_after) from exc
    except discord.HTTPException as exc:
        if exc.code == THREAD_ARCHIVED:
            raise Undeliverable(f"the thread <#{channel_id}> is archived") from exc
        if exc.status == 429 or exc.status >= 500:
            raise Transient(f"{exc.status} {exc.text}") from exc
        raise
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise Transient(f"no answer from Discord: {exc!r}") from exc


class DiscordPoster:
    """Posts digest parts as embeds, finds them again, and says which failures a retry can fix."""

    def __init__(self, client: discord.Client, painter: Painter | None = None) -> None:
        self.client = client
        self.painter = painter

    async def post(self, channel_id: int, answer: Answer, nonce: str) -> int:
        """Post one part; the nonce makes a repeat return the first message instead of a second.

        A part with a chart carries its picture where the bot may attach files; where it may not (or a
        channel refuses the file), the part goes without it rather than not at all.
        """
        channel = self.client.get_partial_messageable(channel_id)
        png = (
            await self.painter.png(answer.chart, queue=True)
            if answer.chart and self.painter and self._may_attach(channel_id)
            else None
        )
        if answer.chart is not None and png is not None:
            try:
                message = await channel.send(
                    embeds=picture_embeds(answer),
                    file=picture_file(answer.chart, png),
                    nonce=nonce,
                    allowed_mentions=NO_MENTIONS,
                )
                return message.id
            except discord.Forbidden:
                pass  # no Attach Files where the cache could not tell: the text alone, below
        with discord_failures(channel_id, "post"):
            message = await channel.send(embeds=render_embeds(answer), nonce=nonce, allowed_mentions=NO_MENTIONS)
        return message.id

    def _may_attach(self, channel_id: int) -> bool:
        """Whether the bot may attach files in the channel, as far as the gateway's cache knows (else try)."""
        cached = self.client.get_channel(channel_id)
        if isinstance(cached, discord.abc.GuildChannel | discord.Thread):
            return cached.permissions_for(cached.guild.me).attach_files
        return True

    async def find(self, channel_id: int, marker: str, since: datetime) -> int | None:
        """The bot's message after `since` whose footer holds `marker` (Discord keeps no nonce to look for).

        Discord answers a bot without Read Message History with no messages rather than a 403, and "none"
        must mean "not there", so the permission is checked first, from the gateway's cache. A channel the
        cache lacks is asked for: gone or hidden, it is undeliverable; there but not cached (`briefbot digest
        run-due` has no gateway), the answer cannot be trusted, and the run waits for a moderator rather than
        risk a second post.
        """
        me = self.client.user
        assert me is not None, "find needs a logged-in client"
        cached = self.client.get_channel(channel_id)
        if not isinstance(cached, discord.abc.GuildChannel | discord.Thread):
            with discord_failures(channel_id, "see the channel"):
                await self.client.fetch_channel(channel_id)  # gone or hidden: Undeliverable, as for a post
            raise DeliveryError(f"cannot tell whether the bot may read the message history of <#{channel_id}>")
        perms = cached.permissions_for(cached.guild.me)
        if not (perms.view_channel and perms.read_message_history):
            raise Undeliverable(f"the bot may not read the message history of <#{channel_id}>")
        channel = self.client.get_partial_messageable(channel_id)
        read = 0
        with discord_failures(channel_id, "read the message history"):
            async for message in channel.history(after=since, limit=SEARCH_LIMIT, oldest_first=True):
                read += 1
                if message.author.id == me.id and any(marker in (e.footer.text or "") for e in message.embeds):
                    return message.id
        if read == SEARCH_LIMIT:
            raise DeliveryError(f"more than {SEARCH_LIMIT} messages were posted in <#{channel_id}> meanwhile")
        return None


async def run_due_once(services: Services) -> list[Outcome]:
    """Post every due digest over REST alone (no gateway), for `briefbot digest run-due`."""
    settings = services.settings
    assert settings.discord_token is not None
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base
    async with discord.Client(intents=discord.Intents.none(), allowed_mentions=NO_MENTIONS) as client:
        await client.login(settings.discord_token.get_secret_value())
        deliveries = services.deliveries(DiscordPoster(client, services.painter))
        async with deliveries.keep_leases():
            return await deliveries.run_all_due()
