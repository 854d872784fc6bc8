"""A local double of Discord (REST API v10 + gateway) that the real, unpatched discord.py client talks to.

Typical use, with the fixtures from :mod:`tests.discord_double.plugin`::

    pytestmark = pytest.mark.asyncio(loop_scope="module")

    async def test_actor(discord_double):
        guild = discord_double.add_guild("ops")
        channel = guild.add_channel("briefing")
        alice = guild.add_member("alice")
        discord.http.Route.BASE = discord_double.api_base
        async with run_client(discord_double, make_bot()) as bot:
            result = await discord_double.slash(guild, channel, alice, "actor", {"name": "junta"})
            assert "junta" in (await result.final()).text
"""

from .files import Upload
from .interactions import InteractionRefused, InteractionResult, InteractionTimeout
from .ratelimit import DEFAULT_ROUTE_LIMITS, InjectedRateLimit, RouteLimit
from .records import CallbackRecord, DoubleMessage, RecordedRequest
from .runner import run_client
from .schema import SchemaViolation
from .server import DiscordDouble
from .world import (
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    Channel,
    ChannelType,
    Guild,
    Member,
    Role,
    User,
)

__all__ = [
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "DEFAULT_ROUTE_LIMITS",
    "CallbackRecord",
    "Channel",
    "ChannelType",
    "DiscordDouble",
    "DoubleMessage",
    "Guild",
    "InjectedRateLimit",
    "InteractionRefused",
    "InteractionResult",
    "InteractionTimeout",
    "Member",
    "RecordedRequest",
    "Role",
    "RouteLimit",
    "SchemaViolation",
    "Upload",
    "User",
    "run_client",
]
