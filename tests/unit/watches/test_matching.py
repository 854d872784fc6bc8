"""Facts meet watches in the writer's transaction: what matches, and what a retraction or rollback leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.errors import UserError
from bot.store.watches import WatchStore
from tests.unit.watches.conftest import ALICE, BOB, GUILD, MODERATOR, MONA, Rig


async def waiting(rig: Rig, member: int) -> list[tuple[str, int]]:
    rows = await rig.store.rows(
        "SELECT w.label, o.fact_id FROM watch_outbox o JOIN watches w ON w.id = o.watch_id"
        " WHERE w.member_id = ? ORDER BY o.id",
        (member,),
    )
    return [(r[0], r[1]) for r in rows]


async def test_an_actor_a_place_within_an_event_and_words_each_match(rig: Rig):
    await rig.watch(ALICE, "actor", "TNLA")
    await rig.watch(ALICE, "place", "Shan State")
    await rig.watch(ALICE, "event", "Operation 1027")
    await rig.watch(BOB, "words", "refugees crossing")
    fact = await rig.add_fact("Fighters of the TNLA entered Lashio.", actors=["TNLA"], place="Lashio")
    assert await waiting(rig, ALICE) == [
        ("actor Ta'ang National Liberation Army", fact),
        ("place Shan State", fact),
    ]
    event_fact = await rig.add_fact("The offensive reached its third week.", event="Operation 1027")
    # The event happened in Shan State, so a watch on Shan State hears of it too.
    assert ("event Operation 1027 launched", event_fact) in await waiting(rig, ALICE)
    assert ("place Shan State", event_fact) in await waiting(rig, ALICE)
    assert await waiting(rig, BOB) == []
    worded = await rig.add_fact("A refugee crossed the border at dawn.")
    assert await waiting(rig, BOB) == [("words “refugees crossing”", worded)]


async def test_a_retracted_fact_is_not_announced_and_a_restored_one_is(rig: Rig):
    await rig.watch(ALICE, "actor", "Beijing")
    fact = await rig.add_fact("China called for a ceasefire.", actors=["Beijing"])
    assert await waiting(rig, ALICE)
    await rig.curator.set_status(fact, True, MODERATOR, reason="Misattributed quote")
    assert await waiting(rig, ALICE) == []
    await rig.curator.set_status(fact, False, MODERATOR)
    assert await waiting(rig, ALICE) == [("actor Beijing", fact)]


async def test_a_write_that_is_refused_queues_nothing(rig: Rig):
    await rig.watch(ALICE, "words", "ceasefire")
    await rig.add_fact("China brokered a ceasefire in Haigeng.")
    with pytest.raises(UserError, match="near-duplicate"):
        await rig.add_fact("China brokered a ceasefire in Haigeng.")
    assert len(await waiting(rig, ALICE)) == 1


async def test_paused_watches_match_nothing_and_a_channel_watch_has_its_own_inbox(rig: Rig):
    await rig.watch(ALICE, "words", "ceasefire")
    await rig.watch(MONA, "words", "ceasefire", channel=77)
    store = WatchStore(rig.store)
    [alices] = await store.of_member(GUILD, ALICE)
    inbox = (await rig.store.row("SELECT inbox_id FROM watches WHERE id = ?", (alices.id,)))[0]
    await store.pause_inbox(inbox, "closed", rig.clock())
    fact = await rig.add_fact("A ceasefire was agreed for Laukkai.")
    assert await waiting(rig, ALICE) == []
    assert await waiting(rig, MONA) == [("words “ceasefire”", fact)]
    [due] = await store.due(rig.clock() + timedelta(minutes=11), timedelta(minutes=10))
    assert (due.kind, due.target_id) == ("channel", 77)
