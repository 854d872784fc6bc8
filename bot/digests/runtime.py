"""The scheduler: one APScheduler job per active subscription, mirrored from the store.

Jobs name their function by text (`JOB_FUNCTION`) and hold only a subscription id, never an object, so
they could live in a persistent job store; the function finds the running deliveries through the
registry that `start` sets. APScheduler is only the alarm clock: which run is due, and whether it was
already posted, is decided by the ledger in `Deliveries.run_due`, so a job that fires late, twice, or
not at all while the bot was down still ends in each digest posted once. The jobs are rebuilt from the
store at start and re-read on every change, and a catch-up pass at start posts what was missed.

With several processes (SHARD_COUNT), each schedules only the subscriptions of its shards' servers. While
it runs it renews its leases on the runs it is posting, and every few seconds (`SWEEP_SECONDS`) it
finishes its servers' runs left half-posted by a process that stopped (`Deliveries.repair_abandoned`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC

from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.digests.delivery import Deliveries, Outcome
from bot.store.digests import SubscriptionRecord

log = logging.getLogger(__name__)

JOB_FUNCTION = "bot.digests.runtime:run_job"
# How long closing waits for a catch-up still posting; a run cut off after that is repaired at next start.
CATCH_UP_GRACE = 10.0
#: How often runs cut off by a process that stopped are looked for (a cheap, indexed read when there are none).
SWEEP_SECONDS = 5.0
SWEEP_JOB = "digest-repair-abandoned"

_running: DigestRuntime | None = None


def job_id(subscription_id: int) -> str:
    """The scheduler job of a subscription."""
    return f"digest-{subscription_id}"


async def run_job(subscription_id: int) -> None:
    """What every digest job runs: the due run of one subscription, through the registered deliveries."""
    if _running is None:
        log.warning("digest #%s fired with no digest runtime running; the next start catches it up", subscription_id)
        return
    await _running.deliveries.run_due(subscription_id)


class DigestRuntime:
    """Owns the AsyncIOScheduler for one bot and keeps its jobs equal to the active subscriptions."""

    def __init__(self, deliveries: Deliveries) -> None:
        self.deliveries = deliveries
        self.service = deliveries.service
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            # The ledger decides what a late or repeated firing means, so APScheduler never drops one.
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self.catch_up: asyncio.Task[list[Outcome]] | None = None
        self._posting = False
        self._leases = contextlib.AsyncExitStack()

    async def start(self, ready: Callable[[], Awaitable[None]] | None = None) -> None:
        """Register, schedule every active subscription, and catch up on runs missed while down.

        The catch-up waits for `ready` first: reconciling a cut-off run asks what the bot may read in its
        channel, which the bot knows only once it has connected, and it starts from `setup_hook`, before.
        """
        global _running
        if _running is not None and _running is not self:
            log.warning("a digest runtime was still registered; replacing it")
        _running = self
        self.service.listeners.append(self.sync)
        await self._leases.enter_async_context(self.deliveries.keep_leases())
        self.scheduler.start()
        for sub in await self.service.digests.active():
            if self.deliveries.shards.owns(sub.guild_id):
                self._schedule(sub)
        self.catch_up = asyncio.create_task(self._catch_up(ready), name="digest catch-up")
        log.info(
            "digest scheduler started with %d jobs (%s)",
            len(self.scheduler.get_jobs()),
            self.deliveries.shards.describe(),
        )

    async def _catch_up(self, ready: Callable[[], Awaitable[None]] | None) -> list[Outcome]:
        if ready is not None:
            await ready()
        self._posting = True
        outcomes = await self.deliveries.run_all_due()
        # From now on, runs cut off by a process that stopped are finished once their lease runs out.
        self.scheduler.add_job(
            self.deliveries.repair_abandoned,
            trigger=IntervalTrigger(seconds=SWEEP_SECONDS),
            id=SWEEP_JOB,
            name="finish runs cut off elsewhere",
            replace_existing=True,
        )
        return outcomes

    async def stop(self) -> None:
        """Stop firing and let go of the registry; a run cut off here is repaired at the next start."""
        global _running
        if self.sync in self.service.listeners:
            self.service.listeners.remove(self.sync)
        if self.catch_up is not None and not self.catch_up.done():
            # A catch-up still waiting to connect has posted nothing: there is nothing to let finish.
            if self._posting:
                await asyncio.wait({self.catch_up}, timeout=CATCH_UP_GRACE)
            self.catch_up.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.catch_up
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self._leases.aclose()
        if _running is self:
            _running = None

    def digest_jobs(self) -> list[Job]:
        """The jobs of subscriptions, one each (the scheduler holds the repair sweep too)."""
        return [job for job in self.scheduler.get_jobs() if job.id != SWEEP_JOB]

    def sync(self, sub: SubscriptionRecord) -> None:
        """Make the subscription's job match it: (re)scheduled if active, gone otherwise."""
        if sub.status == "active" and self.deliveries.shards.owns(sub.guild_id):
            self._schedule(sub)
            return
        with contextlib.suppress(JobLookupError):
            self.scheduler.remove_job(job_id(sub.id))

    def _schedule(self, sub: SubscriptionRecord) -> None:
        trigger = self.service.schedule_of(sub).trigger
        self.scheduler.add_job(
            JOB_FUNCTION,
            trigger=trigger,
            args=[sub.id],
            id=job_id(sub.id),
            name=f"digest #{sub.id}",
            replace_existing=True,
        )
