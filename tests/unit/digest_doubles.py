"""Doubles for the digest tests: a clock moved by hand, and a Poster that behaves as Discord's
`POST /channels/{id}/messages` and `GET /channels/{id}/messages` do as far as the ledger can tell (nonces
de-duplicated as with `enforce_nonce` for `NONCE_MEMORY` only, 429s, answers lost after the message was
created, deleted channels, missing permissions, history the bot may not read, and the process dying right
after Discord accepted a message)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_SUBMITTED

from bot.briefing.answer import Answer
from bot.config import Settings
from bot.curation.service import Curator, FactFields
from bot.digests.delivery import Deliveries
from bot.digests.models import SubscribeRequest
from bot.digests.pacing import Pacer
from bot.digests.posting import Transient, Undeliverable
from bot.digests.runtime import DigestRuntime
from bot.digests.service import DigestService
from bot.models import Author
from bot.packs import parse_pack
from bot.services import Services
from bot.store import Store
from bot.store.writes import apply_pack

GUILD = 10
OTHER_GUILD = 11
CHANNEL = 100
ALERTS = 999
MOD = Author(id=7, name="mona")
GRACE = timedelta(minutes=60)
#: How long the fake Discord de-duplicates a nonce ("a few minutes", as the Discord double's default).
NONCE_MEMORY = timedelta(minutes=5)

PACK = """
format: 1
topic: {slug: crisis, title: Test crisis}
sources:
  doc: {title: A report, publisher: Wire, published: 2023-11-28}
actors:
  - {slug: junta, name: Myanmar junta, aliases: [Tatmadaw], kind: military, side: regime}
  - {slug: alliance, name: Three Brotherhood Alliance, kind: alliance, side: resistance}
  - {slug: beijing, name: Beijing, aliases: [China], kind: state, side: external}
places:
  - {slug: shan, name: Shan State, kind: state}
events:
  - {slug: launch, name: Operation 1027 launched, aliases: [Operation 1027], date: 2023-10-27, place: shan,
     actors: [{actor: alliance, role: attacker}, {actor: junta, role: target}]}
facts:
  - {key: f1, statement: The offensive began on 27 October 2023., kind: event, actors: [alliance], event: launch,
     as_of: 2023-10-28, source: doc, reliability: B, credibility: 2}
  - {key: f2, statement: About 40% of access to China is under rebel control., kind: figure,
     actors: [alliance], as_of: 2023-11-27, source: doc, reliability: B, credibility: 2}
  - {key: f3, statement: Hundreds of millions of dollars in trade were halted., kind: stake,
     stakeholder: beijing, interest: trade, as_of: 2023-11-27, source: doc, reliability: B, credibility: 2}
"""


class FakeClock:
    """The time, moved only by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def drive_apscheduler(monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> None:
    """APScheduler reads `datetime.now`; make it read `clock`, so a test moves time instead of waiting."""

    class Now(datetime):
        @classmethod
        def now(cls, tz=None):
            return clock.now.astimezone(tz)

    monkeypatch.setattr("apscheduler.schedulers.base.datetime", Now)
    monkeypatch.setattr("apscheduler.executors.base.datetime", Now)


async def fire_due(runtime: DigestRuntime) -> list[str]:
    """Let the scheduler look at the (fake) time now, and wait for the jobs it starts to finish."""
    submitted: list[str] = []
    finished: list[str] = []
    settled = asyncio.Event()

    def listen(event):
        (submitted if event.code == EVENT_JOB_SUBMITTED else finished).append(event.job_id)
        if len(finished) == len(submitted):
            settled.set()

    runtime.scheduler.add_listener(listen, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    try:
        runtime.scheduler.wakeup()
        for _ in range(3):
            await asyncio.sleep(0)
        if submitted:
            await asyncio.wait_for(settled.wait(), 30)
    finally:
        runtime.scheduler.remove_listener(listen)
    return finished


class VirtualTime:
    """Monotonic seconds that pass only when someone sleeps, so pacing is tested without waiting.

    Time jumps to the latest wake-up asked for in one turn of the loop: a sleeper may wake later than it
    asked (as on a busy machine), never sooner, so limits kept by this clock would hold on a real one.
    """

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        wake = self.now + seconds
        await asyncio.sleep(0)
        self.now = max(self.now, wake)


class Crash(BaseException):
    """The process dies: nothing after this point runs."""


LOST = "lost"  # Discord created the message, but its answer never arrived (a timeout)
CRASH = "crash"  # Discord created the message, then the bot died before recording it


@dataclass
class Posted:
    channel_id: int
    message_id: int
    nonce: str
    answer: Answer
    at: datetime


@dataclass
class FakePoster:
    """Messages per channel, de-duplicated by nonce; faults are queued per channel and used in order."""

    posted: list[Posted] = field(default_factory=list)
    gone: set[int] = field(default_factory=set)
    forbidden: set[int] = field(default_factory=set)
    #: Channels whose history the bot may not read (no Read Message History).
    unreadable: set[int] = field(default_factory=set)
    faults: dict[int, list[object]] = field(default_factory=dict)
    attempts: int = 0
    dedupes: int = 0
    #: When each request reached "Discord", by the pacer's clock: (channel, seconds).
    arrivals: list[tuple[int, float]] = field(default_factory=list)
    clock: Callable[[], float] = lambda: 0.0
    #: Discord's time, by which nonces are forgotten and history is ordered.
    now: Callable[[], datetime] = lambda: datetime(2024, 1, 1, tzinfo=UTC)
    searches: list[tuple[int, str, datetime]] = field(default_factory=list)
    _by_nonce: dict[tuple[int, str], Posted] = field(default_factory=dict)

    def fail(self, channel_id: int, *faults: object) -> None:
        self.faults.setdefault(channel_id, []).extend(faults)

    def rate_limited(self, channel_id: int, times: int = 1, retry_after: float = 0.5) -> None:
        self.fail(channel_id, *[Transient("429 Too Many Requests", retry_after) for _ in range(times)])

    async def post(self, channel_id: int, answer: Answer, nonce: str) -> int:
        assert 0 < len(nonce) <= 25, nonce
        self.attempts += 1
        self.arrivals.append((channel_id, self.clock()))
        await asyncio.sleep(0)  # other posts start meanwhile, as real requests would
        if channel_id in self.gone:
            raise Undeliverable(f"<#{channel_id}> no longer exists")
        if channel_id in self.forbidden:
            raise Undeliverable(f"the bot may not post in <#{channel_id}> (Missing Permissions)")
        queue = self.faults.get(channel_id) or []
        fault = queue.pop(0) if queue else None
        if isinstance(fault, BaseException):
            raise fault
        message = self._by_nonce.get((channel_id, nonce))
        if message is None or self.now() - message.at >= NONCE_MEMORY:
            message = Posted(channel_id, 1000 + len(self.posted), nonce, answer, self.now())
            self.posted.append(message)
            self._by_nonce[(channel_id, nonce)] = message
        else:
            self.dedupes += 1
        if fault == LOST:
            raise Transient("timed out waiting for Discord")
        if fault == CRASH:
            raise Crash
        return message.message_id

    async def find(self, channel_id: int, marker: str, since: datetime) -> int | None:
        self.searches.append((channel_id, marker, since))
        await asyncio.sleep(0)
        if channel_id in self.gone:
            raise Undeliverable(f"<#{channel_id}> no longer exists")
        if channel_id in self.unreadable:
            raise Undeliverable(f"the bot may not read the message history in <#{channel_id}>")
        queue = self.faults.get(channel_id) or []
        if queue and isinstance(queue[0], Transient):
            raise queue.pop(0)
        return next(
            (p.message_id for p in self.in_channel(channel_id) if p.at > since and marker in (p.answer.footer or "")),
            None,
        )

    def in_channel(self, channel_id: int) -> list[Posted]:
        return [p for p in self.posted if p.channel_id == channel_id]


@dataclass
class Rig:
    """A store with a pack, the digest service on a fake clock, and its deliveries through a fake poster."""

    store: Store
    clock: FakeClock
    poster: FakePoster
    services: Services
    service: DigestService
    deliveries: Deliveries
    sleeps: list[float]
    pace_time: VirtualTime

    def restart(self) -> Rig:
        """The same store, clock and channel, with a new process's service and deliveries."""
        return make_rig(self.store, self.clock, self.poster, self.service.default_topic)

    async def subscribe(self, schedule: str, timezone: str = "UTC", channel: int = CHANNEL, **options: object) -> int:
        q = SubscribeRequest(channel=channel, schedule=schedule, timezone=timezone, **options)
        answer = await self.service.subscribe(q, GUILD, MOD)
        return int(answer.title.split("#")[1].split()[0])

    def curator(self) -> Curator:
        return self.services.curator

    async def add_fact(self, statement: str, kind: str = "figure", as_of: str = "2023-11-27") -> int:
        fields = FactFields(
            statement=statement,
            kind=kind,
            as_of=as_of,
            source_title="A later report",
            source_publisher="Wire",
            source_date="2023-12-01",
            reliability="B",
            credibility=2,
        )
        return await self.curator().add_fact(fields, MOD)


def make_rig(store: Store, clock: FakeClock, poster: FakePoster, topic: str = "crisis") -> Rig:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    pace_time = VirtualTime()
    poster.clock = pace_time
    poster.now = clock
    settings = Settings(_env_file=None, default_topic=topic, default_stakeholder="Beijing", timezone="UTC")  # type: ignore[call-arg]
    services = Services.build(settings, store, clock=clock)
    service = services.digests
    pacer = Pacer(clock=pace_time, sleep=pace_time.sleep)
    deliveries = Deliveries(service, poster, grace=GRACE, alert_channel_id=ALERTS, sleep=sleep, pacer=pacer)
    return Rig(store, clock, poster, services, service, deliveries, sleeps, pace_time)


async def open_rig(now: datetime, pack: str = PACK, topic: str = "crisis", target: str = ":memory:") -> Rig:
    store = await Store.open(target)
    await apply_pack(store.db, parse_pack(pack))
    return make_rig(store, FakeClock(now), FakePoster(), topic)


def at(text: str) -> datetime:
    """A UTC moment from `2024-03-10 09:00`."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
