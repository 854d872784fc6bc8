"""Discord's limits on posting, and the pacer that keeps every digest post (and alert) within them."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

# Discord's limits on posting, as (requests, seconds): per bot across all routes, and per channel.
GLOBAL_LIMIT = (50, 1.0)
CHANNEL_LIMIT = (5, 5.0)
# Each window is kept this much longer than Discord's, so that requests arriving a little sooner or later
# than they were sent never land one too many in a window of Discord's.
PACE_MARGIN = 1.05


class Pacer:
    """Holds each post back until Discord's limits allow it, so that a burst of due digests draws no 429s.

    Left to discord.py, a burst costs time twice over: it learns the global limit only from 429s, and a
    post waiting out its channel's bucket holds its place while posts to other channels could go. Here a
    post first waits for its channel (holding the channel's turn, so posts to one channel go in order and
    only one of them at a time queues for the global limit), then for the global limit in arrival order.
    Channels therefore take turns, and a busy channel never delays a quiet one.
    """

    def __init__(
        self,
        *,
        overall: tuple[int, float] = GLOBAL_LIMIT,
        per_channel: tuple[int, float] = CHANNEL_LIMIT,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.clock = clock
        self.sleep = sleep
        self.per_channel = per_channel
        self._overall_window = overall[1]
        self._overall: deque[float] = deque(maxlen=overall[0])
        self._overall_turn = asyncio.Lock()
        self._channels: dict[int, tuple[asyncio.Lock, deque[float]]] = {}

    async def turn(self, channel_id: int) -> None:
        """Return when a post to the channel may be sent now, and count it as sent."""
        count, window = self.per_channel
        turn, sent = self._channels.setdefault(channel_id, (asyncio.Lock(), deque(maxlen=count)))
        async with turn:
            await self._room(sent, window)
            async with self._overall_turn:
                await self._room(self._overall, self._overall_window)
                now = self.clock()
                self._overall.append(now)
            sent.append(now)

    async def _room(self, sent: deque[float], seconds: float) -> None:
        """Wait until fewer than the limit were sent in the last (widened) window."""
        while len(sent) == sent.maxlen and (wait := sent[0] + seconds * PACE_MARGIN - self.clock()) > 0:
            await self.sleep(wait)
