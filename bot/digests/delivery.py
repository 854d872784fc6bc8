"""Posting digests exactly once: on time, after a crash, after a 429, and after the bot was down.

The order of events is the whole design:

1. the run is claimed in the ledger, keyed by (subscription, scheduled time), with the messages it will
   post frozen in the same row, before anything is sent;
2. each part is posted with a nonce derived from that key, which discord.py sends with
   `enforce_nonce`, so Discord answers a repeat with the message it already created;
3. each message id is recorded as soon as Discord returns it, and the run is marked sent.

A retry after a 429 or a timeout therefore re-posts the same part with the same nonce, and a crash
between posting and recording is repaired at the next start by doing the same. Discord only remembers
nonces for a few minutes, so a run found cut off later than `NONCE_WINDOW` is not re-posted (it may
already be in the channel) but recorded as failed: at most once, then, rather than twice.

A channel that is gone or forbids the bot pauses its subscription, records why and tells moderators; it
never raises out of here, so one bad channel cannot stop the scheduler or other deliveries.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.briefing.answer import Answer, Line
from bot.digests.service import DigestService
from bot.store.digests import DeliveryRecord, Run, SubscriptionRecord, iso

log = logging.getLogger(__name__)

# How long Discord is trusted to de-duplicate a nonce ("the past few minutes"; kept well inside that).
NONCE_WINDOW = timedelta(minutes=2)
# A run posted later than this after its time says so.
ON_TIME = timedelta(minutes=5)
# Discord's limits on posting, as (requests, seconds): per bot across all routes, and per channel.
GLOBAL_LIMIT = (50, 1.0)
CHANNEL_LIMIT = (5, 5.0)
# Each window is kept this much longer than Discord's, so that requests arriving a little sooner or later
# than they were sent never land one too many in a window of Discord's.
PACE_MARGIN = 1.05
ATTEMPTS = 5
FIRST_BACKOFF = 1.0
# Longest wait between attempts: all attempts of one part stay inside NONCE_WINDOW.
MAX_BACKOFF = 20.0
# Missed runs recorded one by one; beyond this, only the latest ones (the rest add nothing to the record).
MISSED_RECORDED = 50


class DeliveryError(Exception):
    """Posting a part failed in a way the ledger must know about."""


class Undeliverable(DeliveryError):
    """The channel is gone or the bot may not post there: retrying cannot help, a person must act."""


class Transient(DeliveryError):
    """A 429, a 5xx or a timeout: the same part may be posted again with the same nonce."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PostedThenDeleted(DeliveryError):
    """Discord refused a repeated nonce because its first message was deleted: it was posted once."""


class Poster(Protocol):
    """Posts one part of a digest; the Discord implementation lives at the edge (`cogs.digests`)."""

    async def post(self, channel_id: int, answer: Answer, nonce: str) -> int:
        """Post `answer` with `nonce`; return the message id, or raise a `DeliveryError`."""
        ...


def nonce_for(subscription_id: int, scheduled_for: datetime, purpose: str = "digest") -> str:
    """A run's nonce stem: 22 hex digits derived from its ledger key, the same in every process."""
    key = f"{purpose}:{subscription_id}:{iso(scheduled_for)}"
    return hashlib.blake2b(key.encode(), digest_size=11).hexdigest()


def part_nonce(stem: str, index: int) -> str:
    """The nonce of one part; Discord takes at most 25 characters."""
    return f"{stem}-{index}"


@dataclass(frozen=True)
class Outcome:
    """What became of one run."""

    subscription_id: int
    scheduled_for: datetime
    status: str
    late: bool = False
    detail: str | None = None
    message_ids: list[int | None] = field(default_factory=list)


def _outcome(row: DeliveryRecord) -> Outcome:
    return Outcome(row.subscription_id, row.scheduled_for, row.status, row.late, row.detail, row.message_ids)


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


class Deliveries:
    """Runs due digests through the ledger and a `Poster`, within Discord's limits."""

    def __init__(
        self,
        service: DigestService,
        poster: Poster,
        *,
        grace: timedelta,
        alert_channel_id: int | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        pacer: Pacer | None = None,
    ) -> None:
        self.service = service
        self.digests = service.digests
        self.poster = poster
        self.grace = grace
        self.alert_channel_id = alert_channel_id
        self.sleep = sleep
        self.pacer = pacer or Pacer()
        self._locks: dict[int, asyncio.Lock] = {}

    @contextlib.asynccontextmanager
    async def _locked(self, subscription_id: int) -> AsyncIterator[None]:
        """One run of one subscription at a time in this process (the ledger guards across processes)."""
        lock = self._locks.setdefault(subscription_id, asyncio.Lock())
        async with lock:
            yield

    # Scheduled runs ---------------------------------------------------------------------------------

    async def run_all_due(self) -> list[Outcome]:
        """Every active subscription's due run, concurrently: the catch-up at start, and `run-due`."""
        subscriptions = await self.digests.active()
        results = await asyncio.gather(*(self.run_due(s.id) for s in subscriptions))
        return [outcome for outcomes in results for outcome in outcomes]

    async def run_due(self, subscription_id: int) -> list[Outcome]:
        """Repair runs cut off mid-send, then post the latest due run once; older missed runs are skipped.

        Runs since the last one on record are due. The latest is posted if it is within the grace period
        (marked late if it is not on time); any others are coalesced into it; if even the latest is older
        than the grace period, all are recorded as skipped. Never raises for one subscription's trouble.
        """
        try:
            async with self._locked(subscription_id):
                return await self._run_due(subscription_id)
        except Exception:
            log.exception("digest #%s: run failed", subscription_id)
            return []

    async def _run_due(self, subscription_id: int) -> list[Outcome]:
        sub = await self.digests.subscription(subscription_id)
        if sub is None or sub.status != "active":
            return []
        outcomes = [await self._repair(sub, row) for row in await self.digests.in_flight(sub.id)]
        if outcomes:
            sub = await self.digests.subscription(subscription_id)
            if sub is None or sub.status != "active":
                return outcomes
        now = self.service.clock()
        last = await self.digests.last_scheduled(sub.id)
        anchor = max(last, sub.active_since) if last else sub.active_since
        runs = list(self.service.schedule_of(sub).runs_between(anchor, now))
        if not runs:
            return outcomes
        latest = runs[-1]
        missed = [
            Run(t, "skipped", nonce_for(sub.id, t), self._missed_detail(t, latest, now))
            for t in runs[:-1][-MISSED_RECORDED:]
        ]
        if now - latest > self.grace:
            missed.append(Run(latest, "skipped", nonce_for(sub.id, latest), self._missed_detail(latest, latest, now)))
            await self.digests.record_runs(sub.id, missed, now)
            if sub.kind == "milestone":
                await self.service.finish(
                    sub, "its time passed while the bot was offline; read it with /digest preview"
                )
            return [*outcomes, Outcome(sub.id, latest, "skipped", True, missed[-1].detail)]
        await self.digests.record_runs(sub.id, missed, now)
        outcomes.append(await self._deliver(sub, latest, late=now - latest > ON_TIME, manual=False))
        return outcomes

    def _missed_detail(self, run: datetime, latest: datetime, now: datetime) -> str:
        if now - run > self.grace:
            minutes = int(self.grace.total_seconds() // 60)
            return f"missed: due {iso(run)}, and the bot could not post it within {minutes} minutes"
        return f"coalesced into the run due {iso(latest)}"

    async def send_now(self, subscription_id: int, guild_id: int) -> Outcome:
        """Post a subscription's digest now, on request, outside its schedule (its changes move on)."""
        sub = await self.service.owned(subscription_id, guild_id)
        async with self._locked(sub.id):
            return await self._deliver(sub, self.service.clock(), late=False, manual=True)

    # One run ----------------------------------------------------------------------------------------

    async def _deliver(self, sub: SubscriptionRecord, scheduled_for: datetime, *, late: bool, manual: bool) -> Outcome:
        existing = await self.digests.delivery(sub.id, scheduled_for)
        if existing is not None:
            return await self._repair(sub, existing) if existing.status == "sending" else _outcome(existing)
        composed = await self.service.compose(sub, scheduled_for, late=late, manual=manual)
        now = self.service.clock()
        stem = nonce_for(sub.id, scheduled_for)
        if not composed.parts:
            silent = Run(scheduled_for, "silent", stem, "nothing changed", late, composed.through_change_id)
            await self.digests.record_runs(sub.id, [silent], now)
            return Outcome(sub.id, scheduled_for, "silent", late, silent.detail)
        row, created = await self.digests.claim(
            sub.id,
            scheduled_for,
            nonce=stem,
            through_change_id=composed.through_change_id,
            parts=[part.model_dump(mode="json") for part in composed.parts],
            late=late,
            manual=manual,
            now=now,
        )
        if not created:
            return await self._repair(sub, row) if row.status == "sending" else _outcome(row)
        return await self._post(sub, row)

    async def _repair(self, sub: SubscriptionRecord, row: DeliveryRecord) -> Outcome:
        """Finish a run left `sending`: re-post while Discord still de-duplicates its nonce, else give up."""
        if self.service.clock() - row.updated_at <= NONCE_WINDOW:
            log.info("digest #%s: finishing the run due %s, cut off mid-send", sub.id, iso(row.scheduled_for))
            return await self._post(sub, row)
        detail = (
            f"cut off while posting part {len(row.message_ids) + 1} of {len(row.parts)}; not re-posted, because"
            " Discord no longer de-duplicates it, so it may or may not be in the channel"
        )
        await self.digests.fail(row, detail, self.service.clock(), pause=False)
        return Outcome(sub.id, row.scheduled_for, "failed", row.late, detail, row.message_ids)

    async def _post(self, sub: SubscriptionRecord, row: DeliveryRecord) -> Outcome:
        parts = [Answer.model_validate(part) for part in row.parts]
        posted = list(row.message_ids)
        for index in range(len(posted), len(parts)):
            try:
                message_id: int | None = await self._post_part(
                    sub.channel_id, parts[index], part_nonce(row.nonce, index)
                )
            except PostedThenDeleted:
                message_id = None
            except Undeliverable as exc:
                return await self._undeliverable(sub, row, str(exc))
            except Exception as exc:
                # A Transient means the retries ran out; anything else (a 400, say) is a bug worth a trace.
                if not isinstance(exc, Transient):
                    log.exception("digest #%s: posting part %s failed", sub.id, index + 1)
                detail = f"Discord did not accept part {index + 1} of {len(parts)}: {exc}"
                await self.digests.fail(row, detail, self.service.clock(), pause=False)
                return Outcome(sub.id, row.scheduled_for, "failed", row.late, detail, posted)
            posted.append(message_id)
            await self.digests.part_posted(row.id, posted, self.service.clock())
        done = sub.kind == "milestone" and not row.manual
        finished = await self.digests.finish(row, self.service.clock(), done=done)
        if done:
            self.service.changed(finished)
        return Outcome(sub.id, row.scheduled_for, "sent", row.late, None, posted)

    async def _post_part(self, channel_id: int, answer: Answer, nonce: str) -> int:
        """Post one part, retrying transient failures with the same nonce (so never twice)."""
        attempt = 1
        while True:
            await self.pacer.turn(channel_id)
            try:
                return await self.poster.post(channel_id, answer, nonce)
            except Transient as exc:
                if attempt == ATTEMPTS:
                    raise
                wait = exc.retry_after if exc.retry_after is not None else FIRST_BACKOFF * 2 ** (attempt - 1)
                await self.sleep(min(wait, MAX_BACKOFF))
                attempt += 1

    async def _undeliverable(self, sub: SubscriptionRecord, row: DeliveryRecord, reason: str) -> Outcome:
        """Pause the subscription, record why, and tell the moderators; never raise."""
        log.warning("digest #%s: pausing, %s", sub.id, reason)
        self.service.changed(await self.digests.fail(row, reason, self.service.clock(), pause=True))
        await self._alert(sub, row, reason)
        return Outcome(sub.id, row.scheduled_for, "failed", row.late, reason, row.message_ids)

    async def _alert(self, sub: SubscriptionRecord, row: DeliveryRecord, reason: str) -> None:
        if self.alert_channel_id is None:
            return
        note = Answer(
            title=f"Digest #{sub.id} is paused",
            lines=[
                Line(
                    text=f"Digest #{sub.id} for <#{sub.channel_id}> could not be posted: {reason}. Once that is"
                    f" fixed, `/digest resume id:{sub.id}` starts it again; `/digest list` shows every digest."
                )
            ],
        )
        try:
            await self.pacer.turn(self.alert_channel_id)
            await self.poster.post(self.alert_channel_id, note, nonce_for(sub.id, row.scheduled_for, "alert"))
        except Exception:
            log.warning("digest #%s: could not alert moderators in %s", sub.id, self.alert_channel_id, exc_info=True)


def outcome_answer(outcome: Outcome) -> Answer:
    """What a moderator who asked for a run is told about it."""
    title = f"Digest #{outcome.subscription_id}"
    match outcome.status:
        case "sent":
            count = len(outcome.message_ids)
            text = f"Posted, in {count} message{'s' if count != 1 else ''}."
        case "silent":
            text = "Nothing posted: nothing changed since the previous digest, and this digest is quiet."
        case _:
            text = f"Not posted ({outcome.status}): {outcome.detail}."
    return Answer(title=title, lines=[Line(text=text)])
