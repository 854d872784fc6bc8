"""A store with the briefing test pack, the watch service and curator over it, and a Discord stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot.briefing.answer import Answer
from bot.briefing.service import Briefing
from bot.curation.service import Curator, FactFields
from bot.digests.pacing import Pacer
from bot.digests.posting import Transient, Undeliverable
from bot.models import Author
from bot.packs import parse_pack
from bot.store import Store
from bot.store.writes import apply_pack
from bot.watches.announce import Announcer, DmClosed, DmRefused
from bot.watches.models import WatchAddRequest
from bot.watches.service import WatchService
from tests.unit.digest_doubles import FakeClock
from tests.unit.test_briefing import PACK

GUILD = 1000
ALICE, BOB, MONA = 11, 12, 13
MODERATOR = Author(id=MONA, name="mona")


@dataclass
class Sent:
    channel_id: int
    nonce: str
    answer: Answer


@dataclass
class FakeMessenger:
    """Discord as the announcer sees it: a nonce posts once, and each failure is the test's to choose."""

    posts: list[Sent] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)
    closed_dms: set[int] = field(default_factory=set)
    gone: set[int] = field(default_factory=set)
    left: set[int] = field(default_factory=set)
    too_fast: int = 0
    flaky: int = 0

    async def post(self, channel_id: int, answer: Answer, nonce: str) -> int:
        if self.flaky:
            self.flaky -= 1
            raise Transient("503")
        if channel_id in self.gone:
            raise Undeliverable(f"<#{channel_id}> no longer exists")
        if channel_id - 500_000 in self.closed_dms:
            raise DmClosed("Cannot send messages to this user")
        for sent in self.posts:
            if sent.nonce == nonce:
                return self.posts.index(sent) + 1
        self.posts.append(Sent(channel_id, nonce, answer))
        return len(self.posts)

    async def open_dm(self, user_id: int) -> int:
        if self.too_fast:
            self.too_fast -= 1
            raise DmRefused("You are opening direct messages too fast")
        self.opened.append(user_id)
        return 500_000 + user_id

    async def is_member(self, guild_id: int, user_id: int) -> bool:
        return user_id not in self.left


def fields(statement: str, **overrides: object) -> FactFields:
    values: dict[str, object] = {
        "statement": statement,
        "kind": "event",
        "as_of": "2023-11-20",
        "source_title": "Field report",
        "source_publisher": "Wire",
        "source_date": "2023-11-21",
        "reliability": "C",
        "credibility": 3,
        **overrides,
    }
    return FactFields(**values)  # type: ignore[arg-type]


@dataclass
class Rig:
    store: Store
    clock: FakeClock
    service: WatchService
    curator: Curator
    messenger: FakeMessenger
    slept: list[float]

    def announcer(self, **options: object) -> Announcer:
        async def sleep(seconds: float) -> None:
            self.slept.append(seconds)

        values: dict[str, object] = {
            "window": timedelta(minutes=10),
            "clock": self.clock,
            "pacer": Pacer(sleep=sleep),
            "alert_channel_id": 900,
            "sleep": sleep,
            "dm_opens": (1000, 1.0),
            **options,
        }
        return Announcer(self.store, self.messenger, **values)  # type: ignore[arg-type]

    async def watch(self, member: int, what: str, name: str, **options: object) -> int:
        q = WatchAddRequest(what=what, name=name, **options)  # type: ignore[arg-type]
        answer = await self.service.add(q, "crisis", GUILD, member, moderator=member == MONA)
        return int(answer.title.split("#")[1].split()[0])

    async def add_fact(self, statement: str, **overrides: object) -> int:
        return await self.curator.add_fact(fields(statement, **overrides), MODERATOR)


@pytest.fixture
async def rig(tmp_path) -> AsyncIterator[Rig]:
    store = await Store.open(tmp_path / "store.db")
    await apply_pack(store.db, parse_pack(PACK))
    # Writes are stamped with the real time, so the test's clock starts there and moves on by hand.
    clock = FakeClock(datetime.now(UTC))
    briefing = Briefing(store, "crisis", "Beijing")
    service = WatchService(store, lambda _: briefing, clock=clock)
    yield Rig(store, clock, service, Curator(store, briefing), FakeMessenger(), [])
    await store.close()
