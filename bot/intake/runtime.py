"""The feed poller: one APScheduler interval job that runs a round every FEED_POLL_MINUTES.

A round (`Feeds.round`) polls the feeds that are due, posts the candidates not yet posted and
tells moderators of feeds failing for a day. One round runs at start too, once the bot is connected, so
candidates queued while it was down (by `briefbot feed poll` or `source add`) reach the review channel.
Rounds never overlap (`max_instances=1`), and a round that raises is logged: the next one runs anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.intake.feeds import Feeds, PollOutcome
from bot.intake.review import ReviewPoster

log = logging.getLogger(__name__)

JOB_ID = "intake-round"
#: How long closing waits for a round in progress before cutting it off (its writes are transactions).
STOP_GRACE = 5.0


class IntakeRuntime:
    """Owns the poller's scheduler for one bot."""

    def __init__(self, feeds: Feeds, poster: ReviewPoster) -> None:
        self.feeds = feeds
        self.poster = poster
        self.scheduler = AsyncIOScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60}
        )
        #: Tasks inside a round now: a stop lets them finish, for a moment.
        self._rounds: set[asyncio.Task[object]] = set()
        self._first: asyncio.Task[list[PollOutcome]] | None = None

    async def start(self, ready: Callable[[], Awaitable[None]] | None = None) -> None:
        """Hand review its poster, schedule the rounds, and run a first one once `ready`."""
        self.feeds.review.poster = self.poster
        self.scheduler.start()
        self.scheduler.add_job(
            self.run_round,
            trigger=IntervalTrigger(seconds=self.feeds.poll_interval.total_seconds()),
            id=JOB_ID,
            name="intake round",
            replace_existing=True,
        )
        self._first = asyncio.create_task(self._first_round(ready), name="intake first round")
        log.info("feed poller started: every %s", self.feeds.poll_interval)

    async def _first_round(self, ready: Callable[[], Awaitable[None]] | None) -> list[PollOutcome]:
        if ready is not None:
            await ready()
        return await self.run_round()

    async def run_round(self) -> list[PollOutcome]:
        """One round; whatever fails is logged, so the schedule carries on."""
        task = asyncio.current_task()
        if task is not None:
            self._rounds.add(task)
        try:
            outcomes = await self.feeds.round()
        except Exception:
            log.exception("intake round failed; the next one runs as scheduled")
            return []
        finally:
            if task is not None:
                self._rounds.discard(task)
        failed = sum(o.status == "failed" for o in outcomes)
        fresh = sum(o.candidates for o in outcomes)
        log.info("intake round: %d feeds polled, %d failed, %d new candidates", len(outcomes), failed, fresh)
        return outcomes

    async def stop(self) -> None:
        """Stop the schedule, give a round in progress a moment, then cut it off; let go of the poster."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        first = self._first
        if first is not None and not first.done() and first not in self._rounds:
            first.cancel()  # still waiting to connect: nothing to finish
            with contextlib.suppress(asyncio.CancelledError):
                await first
        pending = {t for t in self._rounds if not t.done() and t is not asyncio.current_task()}
        if pending:
            _, late = await asyncio.wait(pending, timeout=STOP_GRACE)
            for task in late:
                task.cancel()
            for task in late:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self.feeds.review.poster is self.poster:
            self.feeds.review.poster = None
