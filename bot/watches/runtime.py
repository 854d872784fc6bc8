"""The alarm clock for watch lists: every few seconds, announce what is due and renew this process's leases.

As for digests, APScheduler only decides when to look; what is due and who sends it is decided in the store
(`bot.store.watches`), so a sweep that fires late, twice, or in two processes at once still tells each
match once. A sweep over an idle store is two indexed reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.digests.delivery import RENEW_EVERY
from bot.watches.announce import Announcer

log = logging.getLogger(__name__)

#: How often due inboxes and messages cut off elsewhere are looked for.
SWEEP_SECONDS = 5.0


class WatchRuntime:
    """Owns the scheduler that drives one `Announcer`."""

    def __init__(self, announcer: Announcer) -> None:
        self.announcer = announcer
        self.scheduler = AsyncIOScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        )
        self.started: asyncio.Task[None] | None = None

    async def start(self, ready: Callable[[], Awaitable[None]] | None = None) -> None:
        """Renew leases from now, and sweep once `ready` (the bot connected; this runs before it does)."""
        self.scheduler.start()
        self.scheduler.add_job(self._renew, IntervalTrigger(seconds=RENEW_EVERY), id="watch-leases")
        self.started = asyncio.create_task(self._sweep_when(ready), name="watch sweep start")

    async def _sweep_when(self, ready: Callable[[], Awaitable[None]] | None) -> None:
        if ready is not None:
            await ready()
        self.scheduler.add_job(self.announcer.run_due, IntervalTrigger(seconds=SWEEP_SECONDS), id="watch-sweep")

    async def _renew(self) -> None:
        try:
            await self.announcer.watches.renew(self.announcer.lease())
        except Exception:
            log.warning("could not renew watch leases; retrying", exc_info=True)

    async def stop(self) -> None:
        """Stop sweeping; a message cut off here is finished by the next process to find it."""
        if self.started is not None and not self.started.done():
            self.started.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.started
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
