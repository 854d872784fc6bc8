"""Posting digests exactly once: on time, after a crash, after a 429, and after the bot was down.

The order of events is the whole design:

1. the run is claimed in the ledger, keyed by (subscription, scheduled time), with the messages it will
   post frozen in the same row, before anything is sent; each message's footer ends with a marker naming
   the run and the part, and the footer already names the digest, so the footer is unique to that part;
2. the moment a part starts being sent is recorded, then it is posted with a nonce derived from that key,
   which discord.py sends with `enforce_nonce`, so Discord answers a repeat with the message it made;
3. each message id is recorded as soon as Discord returns it, and the run is marked sent.

A retry after a 429 or a timeout therefore re-posts the same part with the same nonce. A run cut off by a
crash is finished at the next start: a part never sent is posted; a part sent but not recorded is sent
again with its nonce while Discord still de-duplicates it (`NONCE_WINDOW`), and after that it is looked
up in the channel by its marker, recorded if it is there and posted if not. So every run is posted once
however long the bot was down, as long as the bot may read the channel's history; where it may not, the
run is marked for a moderator (`attention`), who is told, and `/digest send` finishes it.

Several processes may share the ledger (SHARD_COUNT). Each runs the digests of its own servers, but the
ledger does not rely on that: the claim is one INSERT that only one process wins, the winner holds a lease
on the run that it renews while it lives (`keep_leases`), and every write it makes while posting checks
that it still holds it. A run left `sending` is finished by another process (or by this one after a
restart) only after `take_over`, which succeeds once the lease ran out: the process posting it stopped.
So two processes firing the same run post it once, and a process killed mid-run has the rest posted by
whoever finds it next (`repair_abandoned`, every few seconds), never by two.

A channel that is gone or forbids the bot pauses its subscription, records why and tells moderators; it
never raises out of here, so one bad channel cannot stop the scheduler or other deliveries.

This module stays whole past 450 lines because it is that one order (claim, post, record, and the repairs
that finish a run cut off anywhere in it), which reads as one story; what stands apart from it lives beside
it: pacing within Discord's limits in `bot.digests.pacing`, and the `Poster` interface with the nonces and
markers that name a part in `bot.digests.posting`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from bot.briefing.answer import Answer, Line
from bot.digests.pacing import GLOBAL_LIMIT, Pacer
from bot.digests.posting import (
    DeliveryError,
    PostedThenDeleted,
    Poster,
    Transient,
    Undeliverable,
    marked,
    nonce_for,
    part_nonce,
    run_label,
)
from bot.digests.service import DigestService
from bot.shards import Shards
from bot.store.digests import DeliveryRecord, Lease, Run, SubscriptionRecord, iso

log = logging.getLogger(__name__)

T = TypeVar("T")

# How long Discord is trusted to de-duplicate a nonce ("the past few minutes"; kept well inside that).
NONCE_WINDOW = timedelta(minutes=2)
# A run posted later than this after its time says so.
ON_TIME = timedelta(minutes=5)
ATTEMPTS = 5
FIRST_BACKOFF = 1.0
# Longest wait between attempts: all attempts of one part stay inside NONCE_WINDOW.
MAX_BACKOFF = 20.0
# The bot's clock and Discord's may disagree: a part is looked for from this long before it was first sent.
CLOCK_SKEW = timedelta(minutes=1)
MILESTONE_MISSED = "its time passed while the bot was offline; read it with /digest preview"
# Missed runs recorded one by one; beyond this, only the latest ones (the rest add nothing to the record).
MISSED_RECORDED = 50
# How long a process holds a run it claimed without renewing; another process takes over only after this.
# It bounds how long a run cut off by a kill waits for another process (or the restarted one) to finish it.
LEASE = timedelta(seconds=15)
# How often a living process renews its leases: several times a lease, so a slow moment never loses one.
RENEW_EVERY = 5.0
# What a run held by another process is reported as.
HELD_ELSEWHERE = "being posted by another process"


class LeaseLost(Exception):
    """Another process took the run over (this one stalled past its lease): post nothing more of it."""


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
        shards: Shards | None = None,
        holder: str | None = None,
    ) -> None:
        """Delivery for the servers of `shards` (all, by default), as `holder` in the ledger's leases.

        `holder` names this process start (a new random one by default); the pacer's global limit is this
        process's share of the bot's (`Shards.global_limit`).
        """
        self.service = service
        self.digests = service.digests
        self.poster = poster
        self.grace = grace
        self.alert_channel_id = alert_channel_id
        self.sleep = sleep
        self.shards = shards or Shards()
        self.pacer = pacer or Pacer(overall=(self.shards.global_limit(GLOBAL_LIMIT[0]), GLOBAL_LIMIT[1]))
        self.holder = holder or secrets.token_hex(8)
        self._locks: dict[int, asyncio.Lock] = {}

    def lease(self) -> Lease:
        """The hold of this process on a run, from now."""
        return Lease(self.holder, self.service.clock() + LEASE)

    @contextlib.asynccontextmanager
    async def keep_leases(self, every: float = RENEW_EVERY) -> AsyncIterator[None]:
        """Renew this process's leases every `every` seconds (real ones) while the block runs."""

        async def renew() -> None:
            while True:
                await asyncio.sleep(every)
                try:
                    await self.digests.renew(self.lease())
                except Exception:
                    log.warning("could not renew digest leases; retrying", exc_info=True)

        task = asyncio.create_task(renew(), name="digest leases")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @contextlib.asynccontextmanager
    async def _locked(self, subscription_id: int) -> AsyncIterator[None]:
        """One run of one subscription at a time in this process (the ledger guards across processes)."""
        lock = self._locks.setdefault(subscription_id, asyncio.Lock())
        async with lock:
            yield

    # Scheduled runs ---------------------------------------------------------------------------------

    async def run_all_due(self) -> list[Outcome]:
        """Every active subscription's due run, concurrently: the catch-up at start, and `run-due`."""
        subscriptions = [s for s in await self.digests.active() if self.shards.owns(s.guild_id)]
        results = await asyncio.gather(*(self.run_due(s.id) for s in subscriptions))
        return [outcome for outcomes in results for outcome in outcomes]

    async def repair_abandoned(self) -> list[Outcome]:
        """Finish the runs of this process's servers left `sending` by a process that stopped (lease run out).

        The digest runtime calls this every few seconds, so a run cut off by a kill is finished soon after
        its lease runs out, by the restarted process or by another running the same shards.
        """
        owned = []
        for subscription_id in await self.digests.abandoned(self.service.clock()):
            sub = await self.digests.subscription(subscription_id)
            if sub is not None and self.shards.owns(sub.guild_id):
                owned.append(sub.id)
        results = await asyncio.gather(*(self.run_due(s) for s in owned))
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
                await self.service.finish(sub, MILESTONE_MISSED)
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
        """Post a subscription's digest now, on request: its run waiting for a moderator, or a new one.

        A moderator asking is the person a run marked for attention waited for, so that run is finished
        first; otherwise a run outside the schedule is posted. A run on request is keyed to the second, so
        its marker stays short and still names it alone (two requests in one second are one run, as a
        double click should be).
        """
        sub = await self.service.owned(subscription_id, guild_id)
        async with self._locked(sub.id):
            waiting = await self.digests.awaiting_attention(sub.id)
            if waiting is not None:
                reopened = await self.digests.reopen(waiting, self.service.clock(), self.lease())
                return await self._repair(sub, reopened, by_hand=True)
            now = self.service.clock().replace(microsecond=0)
            return await self._deliver(sub, now, late=False, manual=True)

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
            parts=[part.model_dump(mode="json") for part in marked(composed.parts, scheduled_for)],
            late=late,
            manual=manual,
            now=now,
            lease=self.lease(),
        )
        if not created:
            return await self._repair(sub, row) if row.status == "sending" else _outcome(row)
        return await self._post(sub, row)

    async def _repair(self, sub: SubscriptionRecord, row: DeliveryRecord, *, by_hand: bool = False) -> Outcome:
        """Finish a run left `sending`, posting each of its parts once.

        A part never sent is posted. A part sent but not recorded is sent again with its nonce while
        Discord still de-duplicates it; later it is looked up in the channel and recorded if there. When
        the channel cannot be searched the run waits for a moderator, unless one asked for it (`by_hand`):
        they have looked. A scheduled run is not finished past the grace period, as a missed one is not
        posted: what is in the channel is recorded, and the rest skipped.

        Only once this process holds the run (`take_over`): a run another living process is posting is left
        to it, and reported as such.
        """
        now = self.service.clock()
        if not await self.digests.take_over(row.id, self.lease(), now):
            log.info("digest #%s: the run due %s is %s", sub.id, iso(row.scheduled_for), HELD_ELSEWHERE)
            return Outcome(sub.id, row.scheduled_for, "sending", row.late, HELD_ELSEWHERE, row.message_ids)
        if row.attempted_at is not None and now - row.attempted_at > NONCE_WINDOW:
            index = len(row.message_ids)
            marker = Answer.model_validate(row.parts[index]).footer or ""
            since = row.attempted_at - CLOCK_SKEW
            try:
                found = await self._retrying(sub.channel_id, lambda: self.poster.find(sub.channel_id, marker, since))
            except DeliveryError as exc:
                if not by_hand:
                    return await self._needs_attention(sub, row, str(exc), pause=isinstance(exc, Undeliverable))
                found = None
            if found is not None:
                log.info("digest #%s: part %s of the run due %s was posted", sub.id, index + 1, iso(row.scheduled_for))
                posted: list[int | None] = [*row.message_ids, found]
                if not await self.digests.part_posted(row.id, posted, now, self.lease()):
                    return self._lost(sub, row)
                row = row.model_copy(update={"message_ids": posted, "attempted_at": None})
        unposted = len(row.parts) - len(row.message_ids)
        if unposted and not (row.manual or by_hand) and now - row.scheduled_for > self.grace:
            minutes = int(self.grace.total_seconds() // 60)
            detail = (
                f"cut off after {len(row.message_ids)} of {len(row.parts)} parts, and not finished: it was due"
                f" more than {minutes} minutes ago"
            )
            await self.digests.settle(row, "skipped", detail, now, pause=False)
            if sub.kind == "milestone":
                await self.service.finish(sub, MILESTONE_MISSED)
            return Outcome(sub.id, row.scheduled_for, "skipped", True, detail, row.message_ids)
        log.info("digest #%s: finishing the run due %s, cut off mid-send", sub.id, iso(row.scheduled_for))
        return await self._post(sub, row)

    async def _post(self, sub: SubscriptionRecord, row: DeliveryRecord) -> Outcome:
        parts = [Answer.model_validate(part) for part in row.parts]
        posted = list(row.message_ids)
        for index in range(len(posted), len(parts)):
            try:
                message_id: int | None = await self._post_part(sub.channel_id, row, parts[index], index)
            except PostedThenDeleted:
                message_id = None
            except LeaseLost:
                return self._lost(sub, row)
            except Undeliverable as exc:
                return await self._undeliverable(sub, row, str(exc))
            except Exception as exc:
                # A Transient means the retries ran out; anything else (a 400, say) is a bug worth a trace.
                if not isinstance(exc, Transient):
                    log.exception("digest #%s: posting part %s failed", sub.id, index + 1)
                detail = f"Discord did not accept part {index + 1} of {len(parts)}: {exc}"
                await self.digests.settle(row, "failed", detail, self.service.clock(), pause=False)
                return Outcome(sub.id, row.scheduled_for, "failed", row.late, detail, posted)
            posted.append(message_id)
            if not await self.digests.part_posted(row.id, posted, self.service.clock(), self.lease()):
                return self._lost(sub, row)
        done = sub.kind == "milestone" and not row.manual
        finished = await self.digests.finish(row, self.service.clock(), done=done)
        if done:
            self.service.changed(finished)
        return Outcome(sub.id, row.scheduled_for, "sent", row.late, None, posted)

    async def _post_part(self, channel_id: int, row: DeliveryRecord, answer: Answer, index: int) -> int:
        """Post one part with its nonce (so never twice), on record as possibly sent before it waits its turn.

        Recorded before the wait, not between the turn and the request: a write there would hold requests
        back until they bunch up against Discord's limits. A crash while waiting costs a look-up, no more.
        """
        if not await self.digests.attempting(row.id, self.service.clock(), self.lease()):
            raise LeaseLost
        return await self._retrying(
            channel_id, lambda: self.poster.post(channel_id, answer, part_nonce(row.nonce, index))
        )

    def _lost(self, sub: SubscriptionRecord, row: DeliveryRecord) -> Outcome:
        """Report a run another process took over while this one stalled past its lease: that one finishes it."""
        log.warning("digest #%s: another process took over the run due %s", sub.id, iso(row.scheduled_for))
        return Outcome(sub.id, row.scheduled_for, "sending", row.late, HELD_ELSEWHERE, row.message_ids)

    async def _retrying(self, channel_id: int, call: Callable[[], Awaitable[T]]) -> T:
        """`call` in the channel's turn, and again after each transient failure (`retrying`).

        A repeat is harmless: a post carries its nonce and a look-up only reads. A look-up takes a turn of
        the channel's posting limit too, which errs on the safe side.
        """
        return await retrying(self.pacer, self.sleep, channel_id, call)

    async def _undeliverable(self, sub: SubscriptionRecord, row: DeliveryRecord, reason: str) -> Outcome:
        """Pause the subscription, record why, and tell the moderators; never raise."""
        log.warning("digest #%s: pausing, %s", sub.id, reason)
        self.service.changed(await self.digests.settle(row, "failed", reason, self.service.clock(), pause=True))
        text = (
            f"Digest #{sub.id} for <#{sub.channel_id}> could not be posted: {reason}. Once that is fixed,"
            f" `/digest resume id:{sub.id}` starts it again; `/digest list` shows every digest."
        )
        await self._alert(sub, row, "alert", f"Digest #{sub.id} is paused", text)
        return Outcome(sub.id, row.scheduled_for, "failed", row.late, reason, row.message_ids)

    async def _needs_attention(
        self, sub: SubscriptionRecord, row: DeliveryRecord, reason: str, *, pause: bool
    ) -> Outcome:
        """Leave a run whose part in flight cannot be looked up to a moderator, tell them, and never raise.

        Posting it again could post it twice and dropping it could lose it; only a person can look. Where
        the bot may not read the channel it pauses the subscription too, since the next cut-off run there
        would be in the same state.
        """
        index = len(row.message_ids)
        detail = (
            f"cut off while posting part {index + 1} of {len(row.parts)}, and whether it reached the channel"
            f" cannot be checked: {reason}"
        )
        log.warning("digest #%s: the run due %s needs attention: %s", sub.id, iso(row.scheduled_for), reason)
        changed = await self.digests.settle(row, "attention", detail, self.service.clock(), pause=pause)
        if pause:
            self.service.changed(changed)
        paused = f" The digest is paused until `/digest resume id:{sub.id}`." if pause else ""
        text = (
            f"Digest #{sub.id}'s run due {run_label(row.scheduled_for)} for <#{sub.channel_id}> was {detail}."
            f" Give the bot Read Message History there and `/digest send id:{sub.id}` checks, then posts only"
            f" what is missing; without it, look in the channel and use `/digest send id:{sub.id}` if the"
            f" digest is not there.{paused}"
        )
        await self._alert(sub, row, "attention", f"Digest #{sub.id} needs attention", text)
        return Outcome(sub.id, row.scheduled_for, "attention", row.late, detail, row.message_ids)

    async def _alert(self, sub: SubscriptionRecord, row: DeliveryRecord, purpose: str, title: str, text: str) -> None:
        """Tell the moderators in the alert channel, once per run and purpose; a failure here is only logged."""
        if self.alert_channel_id is None:
            return
        note = Answer(title=title, lines=[Line(text=text)])
        try:
            await self.pacer.turn(self.alert_channel_id)
            await self.poster.post(self.alert_channel_id, note, nonce_for(sub.id, row.scheduled_for, purpose))
        except Exception:
            log.warning("digest #%s: could not alert moderators in %s", sub.id, self.alert_channel_id, exc_info=True)


async def retrying(
    pacer: Pacer, sleep: Callable[[float], Awaitable[None]], channel_id: int, call: Callable[[], Awaitable[T]]
) -> T:
    """`call` in the channel's turn of `pacer`, and again after each transient failure, `ATTEMPTS` times at most.

    Digests and watch alerts both post this way: the caller makes a repeat harmless (a nonce, or a read).
    """
    attempt = 1
    while True:
        await pacer.turn(channel_id)
        try:
            return await call()
        except Transient as exc:
            if attempt == ATTEMPTS:
                raise
            wait = exc.retry_after if exc.retry_after is not None else FIRST_BACKOFF * 2 ** (attempt - 1)
            await sleep(min(wait, MAX_BACKOFF))
            attempt += 1


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
