"""Snowflake ids for the double.

World objects (guilds, channels, roles, users) get ids from a fixed clock so a test that builds the same
world always sees the same ids. Events (messages, interactions) get ids from the wall clock, because
discord.py derives ``created_at`` from an id and code under test may compare that with ``utcnow()``.
"""

from __future__ import annotations

import datetime as dt
import time

DISCORD_EPOCH_MS = 1_420_070_400_000
#: The fixed clock world ids start from (2024-01-01T00:00:00Z).
WORLD_EPOCH_MS = 1_704_067_200_000


def snowflake_time(snowflake: int) -> dt.datetime:
    """The UTC time encoded in a snowflake."""
    return dt.datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=dt.UTC)


def iso(moment: dt.datetime) -> str:
    """A timestamp the way Discord writes it (ISO 8601 with an explicit offset)."""
    return moment.astimezone(dt.UTC).isoformat()


class SnowflakeFactory:
    """Hands out unique, increasing snowflakes: deterministic ones for the world, wall-clock ones for events."""

    def __init__(self, world_epoch_ms: int = WORLD_EPOCH_MS) -> None:
        self._world_ms = world_epoch_ms
        self._last_event = 0

    def world(self) -> int:
        """A deterministic id: one millisecond after the previous world id."""
        self._world_ms += 1
        return (self._world_ms - DISCORD_EPOCH_MS) << 22

    def event(self) -> int:
        """An id for something happening now; strictly greater than every event id handed out before."""
        value = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        value = max(value, self._last_event + 1)
        self._last_event = value
        return value
