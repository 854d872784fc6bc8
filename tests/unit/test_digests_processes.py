"""Several processes on one ledger: each run claimed once, held by a lease, taken over only from the dead.

Each "process" here is a digest service and deliveries over its own connections to one store (as two bot
processes have): one SQLite file, or one PostgreSQL schema reached through two pools. They share only the
store, the clock and the fake Discord.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.digests.delivery import HELD_ELSEWHERE, LEASE, Deliveries
from bot.packs import parse_pack
from bot.shards import Shards
from bot.store import Store
from bot.store.digests import Lease
from bot.store.writes import apply_pack
from tests.unit.digest_doubles import CHANNEL, CRASH, GUILD, PACK, Crash, FakeClock, FakePoster, Rig, at, make_rig


@pytest.fixture
async def processes(store_target, tmp_path):
    """Two processes' rigs over one store: a SQLite file (not memory, which a second opener would not share)."""
    target = tmp_path / "shared.db" if store_target == ":memory:" else store_target
    first = await Store.open(target)
    await apply_pack(first.db, parse_pack(PACK))
    second = await Store.open(target)
    clock, poster = FakeClock(at("2024-03-01 08:00")), FakePoster()
    yield make_rig(first, clock, poster), make_rig(second, clock, poster)
    await first.close()
    await second.close()


def other_shard(rig: Rig) -> Deliveries:
    """The rig's deliveries, but for a process whose shards do not hold GUILD."""
    count = 2
    mine = (GUILD >> 22) % count
    return Deliveries(rig.service, rig.poster, grace=rig.deliveries.grace, shards=Shards(count, frozenset({1 - mine})))


async def test_two_processes_firing_the_same_runs_post_each_once(processes):
    a, b = processes
    subs = [await a.subscribe("daily 09:00", channel=CHANNEL + n) for n in range(20)]
    a.clock.now = at("2024-03-01 09:00")
    first, second = await asyncio.gather(a.deliveries.run_all_due(), b.deliveries.run_all_due())
    assert len(a.poster.posted) == len(subs)
    assert a.poster.dedupes == 0  # the loser of each claim never even sent a repeat
    # Each process reports each run: sent (by it, or found sent), or still being posted by the other.
    assert {o.subscription_id for o in [*first, *second] if o.status == "sent"} == set(subs)
    assert {o.status for o in [*first, *second]} <= {"sent", "sending"}


async def test_a_run_held_by_a_living_process_is_left_to_it_and_finished_once_its_lease_runs_out(processes):
    a, b = processes
    sub = await a.subscribe("daily 09:00")
    a.poster.fail(CHANNEL, CRASH)
    a.clock.now = at("2024-03-01 09:00")
    with pytest.raises(Crash):  # a dies right after Discord accepted the message
        await a.deliveries.run_due(sub)
    [held] = await b.deliveries.run_due(sub)
    assert (held.status, held.detail) == ("sending", HELD_ELSEWHERE)
    assert await b.deliveries.repair_abandoned() == []
    assert len(a.poster.posted) == 1
    a.clock.advance(seconds=LEASE.total_seconds() + 1)
    [finished] = await b.deliveries.repair_abandoned()
    assert finished.status == "sent"
    assert len(a.poster.posted) == 1 and a.poster.dedupes == 1  # sent again with its nonce: Discord kept one
    assert await b.deliveries.repair_abandoned() == []


async def claim(ledger, sub, now, holder):
    """One process's claim of a one-part run due `now`, held by a lease of its own."""
    return await ledger.claim(
        sub,
        now,
        nonce="n",
        through_change_id=0,
        parts=[{}],
        late=False,
        manual=False,
        now=now,
        lease=Lease(holder, now + LEASE),
    )


async def test_a_process_that_lost_its_lease_sends_nothing_more_of_the_run(processes):
    a, b = processes
    sub = await a.subscribe("daily 09:00")
    now = at("2024-03-01 09:00")
    ledger = a.service.digests
    row, created = await claim(ledger, sub, now, "a")
    assert created
    _, again = await claim(b.service.digests, sub, now, "b")
    assert not again
    assert not await b.service.digests.take_over(row.id, Lease("b", now + LEASE), now + timedelta(seconds=5))
    assert await ledger.attempting(row.id, now + timedelta(seconds=5), Lease("a", now + timedelta(seconds=20)))
    late = now + timedelta(seconds=21)
    assert await b.service.digests.take_over(row.id, Lease("b", late + LEASE), late)
    assert not await ledger.attempting(row.id, late, Lease("a", late + LEASE))
    assert not await ledger.part_posted(row.id, [1], late, Lease("a", late + LEASE))
    assert await b.service.digests.part_posted(row.id, [1], late, Lease("b", late + LEASE))


async def test_renewing_keeps_a_lease_and_stopping_lets_it_run_out(processes):
    a, b = processes
    sub = await a.subscribe("daily 09:00")
    a.poster.fail(CHANNEL, CRASH)
    a.clock.now = at("2024-03-01 09:00")
    with pytest.raises(Crash):
        await a.deliveries.run_due(sub)
    a.clock.advance(seconds=10)
    assert await a.service.digests.renew(a.deliveries.lease()) == 1  # a lived on, and renewed
    a.clock.advance(seconds=10)
    assert await b.deliveries.repair_abandoned() == []
    a.clock.advance(seconds=LEASE.total_seconds())
    assert [o.status for o in await b.deliveries.repair_abandoned()] == ["sent"]


async def test_a_process_runs_only_the_digests_of_its_shards_servers(processes):
    a, _ = processes
    sub = await a.subscribe("daily 09:00")
    a.clock.now = at("2024-03-01 09:00")
    elsewhere = other_shard(a)
    assert await elsewhere.run_all_due() == []
    assert a.poster.posted == []
    [outcome] = await a.deliveries.run_all_due()
    assert (outcome.subscription_id, outcome.status) == (sub, "sent")


async def test_a_process_leaves_runs_cut_off_on_other_shards_to_their_processes(processes):
    a, _ = processes
    sub = await a.subscribe("daily 09:00")
    a.poster.fail(CHANNEL, CRASH)
    a.clock.now = at("2024-03-01 09:00")
    with pytest.raises(Crash):
        await a.deliveries.run_due(sub)
    a.clock.advance(seconds=LEASE.total_seconds() + 1)
    assert await other_shard(a).repair_abandoned() == []
    assert [o.status for o in await a.restart().deliveries.repair_abandoned()] == ["sent"]
