"""Where a digest meets discord.py: posting a part to a channel, and posting the due ones without a gateway.

`DiscordPoster` posts a part as embeds with the ledger's nonce (discord.py sends it with `enforce_nonce`)
and turns Discord's failures into the ledger's terms, so `bot.digests.delivery` decides what a failure
means without knowing Discord.
"""

from __future__ import annotations

import aiohttp
import discord

from bot.briefing.answer import Answer
from bot.digests.delivery import Outcome, PostedThenDeleted, Transient, Undeliverable
from bot.edge.embeds import NO_MENTIONS, render_embeds
from bot.services import Services

# Discord's JSON error codes that decide what a failed post means.
UNKNOWN_MESSAGE = 10008
THREAD_ARCHIVED = 50083


class DiscordPoster:
    """Posts digest parts as embeds, and says which failures a retry can fix."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def post(self, channel_id: int, answer: Answer, nonce: str) -> int:
        """Post one part; the nonce makes a repeat return the first message instead of a second."""
        channel = self.client.get_partial_messageable(channel_id)
        try:
            message = await channel.send(embeds=render_embeds(answer), nonce=nonce, allowed_mentions=NO_MENTIONS)
        except discord.Forbidden as exc:
            raise Undeliverable(
                f"the bot may not post in <#{channel_id}> ({exc.text or 'Missing Permissions'})"
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
        return message.id


async def run_due_once(services: Services) -> list[Outcome]:
    """Post every due digest over REST alone (no gateway), for `briefbot digest run-due`."""
    settings = services.settings
    assert settings.discord_token is not None
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base
    async with discord.Client(intents=discord.Intents.none(), allowed_mentions=NO_MENTIONS) as client:
        await client.login(settings.discord_token.get_secret_value())
        return await services.deliveries(DiscordPoster(client)).run_all_due()
