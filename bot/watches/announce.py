"""Telling watchers: what waits in the outbox, batched, posted exactly once, within Discord's limits.

The order of events is the digests' (`bot.digests.delivery`), for one message instead of a run:

1. the inbox's waiting matches are read and the message that tells them is composed (facts no longer
   active are left out); then, in one transaction, the matches are taken out of the outbox and the message
   frozen in the ledger, held by this process's lease. Only one process can take a given set of matches;
   a process that finds some gone reads the outbox again;
2. where it goes is recorded (a DM channel is opened first, once per member, at a measured pace), then it
   is posted with a nonce derived from the claim, so Discord answers a repeat with the first message;
3. it is marked sent, with when each watch last told.

A message cut off by a kill is finished by whoever finds it once its lease ran out (this process after a
restart, or another running the same shards), with the same nonce, while Discord still de-duplicates it;
later than that it is marked `unknown` rather than risk telling twice. Requests share the digests' `Pacer`,
so watches and digests together stay within the bot's global limit.

Discord refuses a bot that opens DMs too fast (403, code 40003) and quarantines one that keeps at it, so
DM channels are opened one at a time at `DM_OPENS` and kept in the store; a 40003 closes the gate for a
back-off that doubles each time, and the message waits (still claimed, so nothing is lost). A member whose
DMs are closed (50007) has their DM watches paused and is told the next time they use a command; a channel
that is gone or forbids the bot pauses its watches and tells moderators, as digests do; a member who left
the server has their watches removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from bot.briefing.answer import Answer, Citer, Line, counted, note
from bot.digests.delivery import LEASE, NONCE_WINDOW, retrying
from bot.digests.pacing import Pacer
from bot.digests.posting import PostedThenDeleted, Transient, Undeliverable
from bot.shards import Shards
from bot.store import Store
from bot.store.digests import Lease
from bot.store.watches import AnnouncementRecord, InboxRecord, PendingMatch, WatchStore
from bot.watches.service import DM_PAUSED

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Facts told in full in one message (an embed holds about this many); more are named by id.
MAX_FACTS = 12
#: Matches taken into one message at most; more wait for the next window.
MAX_TAKEN = 400
#: New DM channels opened, as (count, seconds). Discord publishes no figure; it refuses (40003) and then
#: quarantines a bot that opens them fast, so this stays well below what bots report being refused at.
DM_OPENS = (1, 1.0)
#: The first back-off after a 40003, doubled after each further one, up to `MAX_DM_BACKOFF`.
DM_BACKOFF = 30.0
MAX_DM_BACKOFF = 600.0
#: How long a member seen in the server is taken to still be there before asking again.
MEMBER_SEEN = timedelta(hours=1)
#: Inboxes announced at once; each waits its turn in the pacer anyway.
CONCURRENCY = 64


class DmRefused(Exception):
    """Discord refused to open a DM channel: the bot opens them too fast (40003)."""


class DmClosed(Undeliverable):
    """The member does not accept direct messages from the bot (50007)."""


class Messenger(Protocol):
    """What telling watchers needs of Discord; the Discord one is `bot.edge.messenger`."""

    async def post(self, channel_id: int, answer: Answer, nonce: str) -> int:
        """Post `answer` with `nonce`; the message id, or a `DeliveryError` (`DmClosed` for closed DMs)."""
        ...

    async def open_dm(self, user_id: int) -> int:
        """The id of the DM channel with a user; `DmRefused` on 40003, `Transient` when asking again may help."""
        ...

    async def is_member(self, guild_id: int, user_id: int) -> bool:
        """Whether the user is still a member of the server (`Transient` when Discord cannot say now)."""
        ...


def watch_nonce(announcement_id: int, purpose: str = "watch") -> str:
    """A message's nonce: 22 hex digits from its id in the ledger, the same in every process."""
    return hashlib.blake2b(f"{purpose}:{announcement_id}".encode(), digest_size=11).hexdigest()


async def compose(store: Store, matches: list[PendingMatch]) -> Answer | None:
    """The message telling these matches: each fact cited as answers cite, with what it matched.

    The first `MAX_FACTS` facts are told in full; any more (a burst on a busy actor) are named by id in
    one line, so the message stays one message and no match goes untold. Facts retracted meanwhile are
    left out; None when none is left.
    """
    labels: dict[int, list[str]] = {}
    for match in matches:
        labels.setdefault(match.fact_id, [])
        if match.label not in labels[match.fact_id]:
            labels[match.fact_id].append(match.label)
    cite = Citer()
    lines: list[Line] = []
    more: list[int] = []
    for fact_id, matched in labels.items():
        if len(lines) == MAX_FACTS:
            more.append(fact_id)
            continue
        fact = await store.fact(fact_id)
        if fact is None or fact.status != "active":
            continue
        lines.append(cite.line(f"{fact.statement} (matched {', '.join(matched)}; `/fact show id:{fact.id}`)", fact))
    if not lines:
        return None
    if more:
        ids = ", ".join(f"#{n}" for n in more)
        lines.append(note(f"And {counted(len(more), 'more fact')} that match (`/fact show id:` each): {ids}."))
    title = f"Watch: {counted(len(lines) - bool(more) + len(more), 'new fact')}"
    intro = note("Reviewed facts that match your watches:")
    return cite.answer(title, [intro, *lines], footer="/watch list shows your watches")


class Announcer:
    """Tells due inboxes of this process's servers through a `Messenger`, within Discord's limits."""

    def __init__(
        self,
        store: Store,
        messenger: Messenger,
        *,
        window: timedelta,
        clock: Callable[[], datetime],
        pacer: Pacer,
        alert_channel_id: int | None = None,
        shards: Shards | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        dm_opens: tuple[int, float] = DM_OPENS,
        holder: str | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Announcing for the servers of `shards` (all by default), as `holder` in the ledger's leases.

        `pacer` is shared with digest delivery; `monotonic` and `sleep` are the time DM pacing and back-off
        see (a benchmark runs them on virtual time).
        """
        self.store = store
        self.watches = WatchStore(store)
        self.messenger = messenger
        self.window = window
        self.clock = clock
        self.pacer = pacer
        self.alert_channel_id = alert_channel_id
        self.shards = shards or Shards()
        self.sleep = sleep
        self.holder = holder or secrets.token_hex(8)
        # Opening DMs has a pace of its own, one at a time; each open also counts against the global limit.
        self._dm_pace = Pacer(overall=dm_opens, per_channel=dm_opens, clock=monotonic, sleep=sleep)
        self.monotonic = monotonic
        self._dm_gate = asyncio.Lock()
        self._dm_backoff = DM_BACKOFF
        self._seen: dict[tuple[int, int], float] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._running = asyncio.Semaphore(CONCURRENCY)

    def lease(self) -> Lease:
        """The hold of this process on a message, from now."""
        return Lease(self.holder, self.clock() + LEASE)

    @contextlib.asynccontextmanager
    async def _locked(self, inbox_id: int) -> AsyncIterator[None]:
        lock = self._locks.setdefault(inbox_id, asyncio.Lock())
        async with lock:
            yield

    async def run_due(self) -> int:
        """Announce every due inbox of this process's servers, and finish messages cut off elsewhere.

        Returns how many messages were sent.
        """
        now = self.clock()
        inboxes = {i.id: i for i in await self.watches.due(now, self.window) if self.shards.owns(i.guild_id)}
        for inbox_id in await self.watches.abandoned(now):
            inbox = await self.watches.inbox(inbox_id)
            if inbox is not None and self.shards.owns(inbox.guild_id):
                inboxes.setdefault(inbox.id, inbox)
        sent = await asyncio.gather(*(self.announce(inbox) for inbox in inboxes.values()))
        return sum(sent)

    async def announce(self, inbox: InboxRecord) -> int:
        """Finish what was cut off for the inbox, then tell what waits if it is due; messages sent. Never raises."""
        try:
            async with self._running, self._locked(inbox.id):
                return await self._announce(inbox)
        except Exception:
            log.exception("watch inbox #%s: announcing failed", inbox.id)
            return 0

    async def _announce(self, inbox: InboxRecord) -> int:
        sent = 0
        for row in await self.watches.in_flight(inbox.id):
            sent += await self._repair(inbox, row)
        if not await self.watches.is_due(inbox.id, self.clock(), self.window):
            return sent
        if inbox.kind == "dm" and not await self._still_member(inbox):
            return sent
        while True:
            taken = await self.watches.pending(inbox.id, MAX_TAKEN)
            if len(taken) == MAX_TAKEN and len({m.fact_id for m in taken}) > 1:
                # A fact's matches (one per watch it met) sit together; the last fact may be cut off, so it
                # waits whole for the next message rather than be told twice.
                taken = [m for m in taken if m.fact_id != taken[-1].fact_id]
            if not taken:
                await self.watches.clear_pending(inbox.id)
                return sent
            answer = await compose(self.store, taken)
            if answer is None:
                await self.watches.discard(inbox.id, [m.id for m in taken])
                continue
            claimed = await self.watches.claim(
                inbox.id,
                [m.id for m in taken],
                nonce=watch_nonce,
                message=answer.model_dump(mode="json"),
                watch_ids=sorted({m.watch_id for m in taken}),
                fact_ids=sorted({m.fact_id for m in taken}),
                now=self.clock(),
                lease=self.lease(),
            )
            if claimed is not None:
                return sent + await self._send(inbox, claimed)

    async def _still_member(self, inbox: InboxRecord) -> bool:
        """Whether a DM watcher is still in the server; one who left has their watches removed."""
        key = (inbox.guild_id, inbox.target_id)
        seen = self._seen.get(key)
        if seen is not None and self.monotonic() - seen < MEMBER_SEEN.total_seconds():
            return True
        await self.pacer.turn(-inbox.target_id)
        if await self.messenger.is_member(inbox.guild_id, inbox.target_id):
            self._seen[key] = self.monotonic()
            return True
        removed = await self.watches.remove_member(inbox.guild_id, inbox.target_id)
        log.info(
            "watch inbox #%s: the member left the server; %s removed", inbox.id, counted(removed, "watch", "watches")
        )
        return False

    async def _repair(self, inbox: InboxRecord, row: AnnouncementRecord) -> int:
        """Finish a message left `sending`, once this process holds it; past the nonce window, give it up."""
        now = self.clock()
        if not await self.watches.take_over(row.id, self.lease(), now):
            return 0
        if row.attempted_at is not None and now - row.attempted_at > NONCE_WINDOW:
            detail = "cut off while sending, too long ago to send again without risking a second message"
            log.warning("watch message #%s: %s", row.id, detail)
            await self.watches.settle(row.id, "unknown", detail, now)
            return 0
        return await self._send(inbox, row)

    async def _send(self, inbox: InboxRecord, row: AnnouncementRecord) -> int:
        answer = Answer.model_validate(row.message)
        try:
            channel_id = row.channel_id or await self._destination(inbox)
            if not await self.watches.attempting(row.id, channel_id, self.clock(), self.lease()):
                return 0
            message_id: int | None = await retrying(
                self.pacer, self.sleep, channel_id, lambda: self.messenger.post(channel_id, answer, row.nonce)
            )
        except PostedThenDeleted:
            message_id = None
        except DmClosed as exc:
            await self._dms_closed(inbox, row, str(exc))
            return 0
        except Undeliverable as exc:
            await self._undeliverable(inbox, row, str(exc))
            return 0
        except Transient as exc:
            # Still claimed and leased: the next pass sends it with the same nonce.
            log.warning("watch message #%s: Discord did not take it yet (%s); trying again later", row.id, exc)
            return 0
        return int(await self.watches.sent(row, message_id, self.clock(), self.lease()))

    async def _destination(self, inbox: InboxRecord) -> int:
        """The channel a message goes to: the inbox's channel, or the member's DM channel (opened once)."""
        if inbox.kind == "channel":
            return inbox.target_id
        known = await self.watches.dm_channel(inbox.target_id)
        if known is not None:
            return known
        async with self._dm_gate:
            known = await self.watches.dm_channel(inbox.target_id)
            if known is not None:
                return known
            while True:
                await self._dm_pace.turn(0)
                await self.pacer.turn(-inbox.target_id)
                try:
                    channel_id = await self.messenger.open_dm(inbox.target_id)
                except DmRefused:
                    log.warning("Discord says DMs are opened too fast; waiting %.0f s", self._dm_backoff)
                    await self.sleep(self._dm_backoff)
                    self._dm_backoff = min(self._dm_backoff * 2, MAX_DM_BACKOFF)
                    continue
                self._dm_backoff = DM_BACKOFF
                await self.watches.keep_dm_channel(inbox.target_id, channel_id, self.clock())
                return channel_id

    async def _dms_closed(self, inbox: InboxRecord, row: AnnouncementRecord, reason: str) -> None:
        """Pause the member's DM watches and leave them a notice for their next command."""
        now = self.clock()
        await self.watches.settle(row.id, "failed", reason, now)
        paused = await self.watches.pause_inbox(inbox.id, DM_PAUSED, now)
        await self.watches.leave_notice(
            inbox.guild_id,
            inbox.target_id,
            f"Your DM watches are paused ({len(paused)}): {DM_PAUSED}, so I could not tell"
            " you about new facts. Allow direct messages from this server's members (Privacy Settings), then"
            " `/watch resume`.",
            now,
        )

    async def _undeliverable(self, inbox: InboxRecord, row: AnnouncementRecord, reason: str) -> None:
        """Pause the channel's watches and tell moderators once (the paused watches send nothing more)."""
        now = self.clock()
        log.warning("watch inbox #%s: pausing, %s", inbox.id, reason)
        await self.watches.settle(row.id, "failed", reason, now)
        paused = await self.watches.pause_inbox(inbox.id, reason, now)
        if self.alert_channel_id is None:
            return
        text = (
            f"{counted(len(paused), 'watch', 'watches')} telling <#{inbox.target_id}> are paused: {reason}. Their"
            " members can add them again once that is fixed."
        )
        note_ = Answer(title="Watches are paused", lines=[note(text)])
        try:
            await self.pacer.turn(self.alert_channel_id)
            await self.messenger.post(self.alert_channel_id, note_, watch_nonce(row.id, "alert"))
        except Exception:
            log.warning("watch inbox #%s: could not alert moderators", inbox.id, exc_info=True)
