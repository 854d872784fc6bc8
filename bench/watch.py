"""Measurement: watch lists (issue 26), 10,000 watches over 1,000 members and 1,000 facts approved in a burst.

Three figures, each against its floor:

- matching, per approved fact: the time `queue_matches` takes inside the approval's transaction, at
  10,000 watches (goal ≤ 1 ms);
- approval itself (`Curator.add_fact`, what `/fact add` and an approved candidate run): its median with
  the 10,000 watches against its median in the same store before any watch existed (goal: no slower,
  within the noise of 10%);
- announcing: from the moment the burst's batch window ends to the last message, against the least time
  Discord's limits allow for the requests it takes (goal ≤ 1.1×). The requests are counted as they are
  made: a membership check and a DM channel opened per member (once), and one message per member. Two
  limits bound them: 50 requests a second for the bot, and the pace `DM_OPENS` at which new DM channels
  are opened, since Discord refuses (40003) and then quarantines a bot that opens them fast. Pacing runs
  on virtual time (sleeps advance a clock instead of waiting), so the figure is the limits' time, not this
  machine's; the CPU the announcer spent meanwhile is reported beside it, and must stay well below.

Exactly once is checked in the ledger: every (member, fact) match is told once, by one message per nonce.
The watches: each member watches ten things drawn like a real list (actors weighted by how often they
appear, places, events, and two words from the facts' vocabulary); the burst's facts name actors, places
and events drawn the same way, so a few members match hundreds of facts and most match a few.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bot.store.writes as writes
from bench.generator import STAKEHOLDER, TOPIC_SLUG
from bench.harness import fresh_copy
from bench.report import Row, percentile, verdict
from bot.briefing.answer import Answer
from bot.config import Settings
from bot.curation.models import FactFields
from bot.digests.pacing import GLOBAL_LIMIT, Pacer
from bot.models import Author
from bot.services import Services
from bot.store import Store
from bot.store.watches import NewWatch, WatchStore
from bot.watches.announce import DM_OPENS, Announcer
from tests.unit.digest_doubles import FakeClock, VirtualTime

WATCHES = 10_000
MEMBERS = 1_000
FACTS = 1_000
#: Approvals timed before any watch exists: the floor of "no slower".
BASELINE = 200
GUILD = 1
MODERATOR = Author(id=1, name="bench")
MATCH_GOAL_MS = 1.0
RATIO = 1.1


@dataclass
class CountingMessenger:
    """Discord at no cost: every request counted with the (virtual) moment it was made."""

    clock: VirtualTime
    requests: list[tuple[str, float]] = field(default_factory=list)
    nonces: Counter[str] = field(default_factory=Counter)

    async def post(self, channel_id: int, answer: Answer, nonce: str) -> int:
        self.requests.append(("post", self.clock()))
        self.nonces[nonce] += 1
        return len(self.requests)

    async def open_dm(self, user_id: int) -> int:
        self.requests.append(("open", self.clock()))
        return 10**12 + user_id

    async def is_member(self, guild_id: int, user_id: int) -> bool:
        self.requests.append(("member", self.clock()))
        return True


@dataclass(frozen=True)
class Names:
    """The store's actors (with how often each appears), places and events, and the words its facts use."""

    actors: list[tuple[int, str, str, int]]
    places: list[tuple[int, str, str]]
    events: list[tuple[int, str, str]]
    words: list[str]


async def _names(store: Store) -> Names:
    topic = await store.topic(TOPIC_SLUG)
    assert topic is not None
    actors = await store.rows(
        "SELECT a.id, a.slug, a.name, (SELECT count(*) FROM fact_actors f WHERE f.actor_id = a.id)"
        " FROM actors a WHERE a.topic_id = ? ORDER BY a.id",
        (topic.id,),
    )
    places = await store.rows("SELECT id, slug, name FROM places WHERE topic_id = ? ORDER BY id", (topic.id,))
    events = await store.rows("SELECT id, slug, name FROM events WHERE topic_id = ? ORDER BY id", (topic.id,))
    statements = await store.rows("SELECT statement FROM facts WHERE topic_id = ? LIMIT 2000", (topic.id,))
    words = sorted({w for (s,) in statements for w in s.lower().split() if w.isalpha() and len(w) > 5})
    return Names(
        [(r[0], r[1], r[2], r[3] + 1) for r in actors],
        [tuple(r) for r in places],  # type: ignore[misc]
        [tuple(r) for r in events],  # type: ignore[misc]
        words,
    )


async def _add_watches(store: Store, names: Names, rng: random.Random, now: datetime) -> None:
    """Ten watches a member, of every kind, told in DMs."""
    topic = await store.topic(TOPIC_SLUG)
    assert topic is not None
    watches = WatchStore(store)
    weights = [a[3] for a in names.actors]
    for member in range(MEMBERS):
        chosen: set[str] = set()
        while len(chosen) < WATCHES // MEMBERS:
            roll = rng.random()
            if roll < 0.4:
                actor_id, _, name, _ = rng.choices(names.actors, weights)[0]
                new = ("actor", actor_id, None, f"actor {name}")
            elif roll < 0.65:
                place_id, _, name = rng.choice(names.places)
                new = ("place", place_id, None, f"place {name}")
            elif roll < 0.8:
                event_id, _, name = rng.choice(names.events)
                new = ("event", event_id, None, f"event {name}")
            else:
                words = " ".join(rng.sample(names.words, 2))
                new = ("words", None, words, f"words “{words}”")
            if new[3] in chosen:
                continue
            chosen.add(new[3])
            kind, target, words_, label = new
            await watches.add(
                NewWatch(GUILD, 1000 + member, topic.id, kind, target, words_, label, None),  # type: ignore[arg-type]
                now,
                limit=WATCHES,
            )


def _fact(names: Names, rng: random.Random, n: int) -> FactFields:
    """A new report of fighting: an actor (weighted as the store's are), a place, sometimes an event."""
    _, actor, actor_name, _ = rng.choices(names.actors, [a[3] for a in names.actors])[0]
    _, place, place_name = rng.choice(names.places)
    event = rng.choice(names.events)[1] if rng.random() < 0.3 else None
    words = " ".join(rng.sample(names.words, 3))
    return FactFields(
        statement=f"Report {n}: {actor_name} units were seen near {place_name}, {words}.",
        kind="event",
        actors=[actor],
        place=place,
        event=event,
        as_of="2024-12-01",  # type: ignore[arg-type]
        source_title=f"Field report {n}",
        source_publisher="Bench wire",
        source_date="2024-12-02",  # type: ignore[arg-type]
        reliability="C",
        credibility=3,
    )


async def _approve(services: Services, facts: list[FactFields]) -> list[float]:
    """Approve each fact as `/fact add` does; the seconds each took."""
    took = []
    for fields in facts:
        start = time.perf_counter()
        await services.curator.add_fact(fields, MODERATOR)
        took.append(time.perf_counter() - start)
    return took


async def run(template: Path, size: int) -> list[Row]:
    """Watches, a burst of approvals, and the announcing that follows, at the issue's sizes."""
    database = fresh_copy(template, f"watch-{size}.db")
    store = await Store.open(database)
    try:
        return await _measure(store, size)
    finally:
        await store.close()


async def _measure(store: Store, size: int) -> list[Row]:
    settings = Settings(_env_file=None, default_topic=TOPIC_SLUG, default_stakeholder=STAKEHOLDER)  # type: ignore[call-arg]
    clock = FakeClock(datetime.now(UTC))
    services = Services.build(settings, store, clock=clock)
    rng = random.Random(26)
    names = await _names(store)
    facts = [_fact(names, rng, n) for n in range(BASELINE + FACTS)]
    baseline = await _approve(services, facts[:BASELINE])
    await _add_watches(store, names, rng, clock())
    matching: list[float] = []
    queue = writes.queue_matches

    async def timed(conn, fact_id, now):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return await queue(conn, fact_id, now)
        finally:
            matching.append(time.perf_counter() - start)

    writes.queue_matches = timed  # type: ignore[assignment]
    try:
        burst = await _approve(services, facts[BASELINE:])
    finally:
        writes.queue_matches = queue
    matched = await store.rows(
        "SELECT count(*), count(DISTINCT inbox_id) FROM (SELECT DISTINCT inbox_id, fact_id FROM watch_outbox) AS m"
    )
    pairs, inboxes = matched[0][0], matched[0][1]
    announced, cpu, virtual = await _announce(store, settings, clock)
    return _rows(size, baseline, burst, matching, announced, cpu, virtual, pairs, inboxes)


@dataclass(frozen=True)
class Announced:
    requests: list[tuple[str, float]]
    nonces: Counter[str]
    told: int
    sent: int
    windows: int


async def _announce(store: Store, settings: Settings, clock: FakeClock) -> tuple[Announced, float, float]:
    """Announce everything the burst queued, on virtual time from the end of its batch window."""
    window = timedelta(minutes=settings.watch_batch_minutes)
    clock.now = datetime.now(UTC) + window + timedelta(seconds=1)
    virtual = VirtualTime()
    messenger = CountingMessenger(virtual)
    pacer = Pacer(overall=GLOBAL_LIMIT, clock=virtual, sleep=virtual.sleep)
    announcer = Announcer(
        store, messenger, window=window, clock=clock, pacer=pacer, sleep=virtual.sleep, monotonic=virtual
    )
    start = time.process_time()
    windows = 1
    while True:
        if await announcer.run_due():
            continue
        if await store.row("SELECT 1 FROM watch_outbox LIMIT 1") is None:
            break
        # A member matched more than one message takes: the rest goes one window later.
        clock.now += window
        windows += 1
    cpu = time.process_time() - start
    rows = await store.rows("SELECT fact_ids FROM watch_announcements WHERE status = 'sent'")
    told = sum(len(json.loads(r[0])) for r in rows)
    last = max((t for _, t in messenger.requests), default=0.0)
    return Announced(messenger.requests, messenger.nonces, told, len(rows), windows), cpu, last


def _rows(
    size: int,
    baseline: list[float],
    burst: list[float],
    matching: list[float],
    announced: Announced,
    cpu: float,
    seconds: float,
    pairs: int,
    inboxes: int,
) -> list[Row]:
    kinds = Counter(kind for kind, _ in announced.requests)
    total, opens = len(announced.requests), kinds["open"]
    per_second, window = GLOBAL_LIMIT
    floor = max(((total - 1) // per_second) * window, (opens - 1) / DM_OPENS[0] * DM_OPENS[1])
    once = announced.told == pairs and max(announced.nonces.values(), default=1) == 1
    match_ms = statistics.mean(matching) * 1000
    before, after = statistics.median(baseline) * 1000, statistics.median(burst) * 1000
    return [
        Row(
            f"watch matching per approved fact, {WATCHES:,} watches",
            size,
            match_ms,
            "ms",
            goal=f"≤ {MATCH_GOAL_MS} ms",
            verdict=verdict(match_ms <= MATCH_GOAL_MS),
            note=f"p99 {percentile(matching, 99) * 1000:.2f} ms over {len(matching):,} approvals",
        ),
        Row(
            f"approval (/fact add) median with {WATCHES:,} watches",
            size,
            after,
            "ms",
            before,
            "no slower (≤ 1.1× without watches)",
            verdict(after <= 1.1 * before),
            f"floor: the median of {BASELINE} approvals before any watch existed",
        ),
        Row(
            "watch alerts: window end → last message",
            size,
            seconds,
            "s",
            floor,
            f"≤ {RATIO}× the limits",
            verdict(seconds <= RATIO * floor and once),
            f"{announced.sent:,} messages to {inboxes:,} members, {total:,} requests ({opens:,} DM channels opened"
            f" at {DM_OPENS[0]}/{DM_OPENS[1]:.0f} s) over {announced.windows} batch windows; {cpu:.1f} s of CPU"
            " meanwhile; virtual time",
        ),
        Row(
            "watch matches told exactly once",
            size,
            float(announced.told),
            "matches",
            goal=f"{pairs:,}, none twice",
            verdict=verdict(once),
            note=f"{pairs:,} (member, fact) matches queued by the burst; each message's nonce used once",
        ),
    ]
