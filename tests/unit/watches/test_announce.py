"""Announcing: batched by the window, once across processes and crashes, and what each failure does."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.store.watches import WatchStore
from tests.unit.watches.conftest import ALICE, BOB, GUILD, MONA, Rig

DM = 500_000


async def test_ten_facts_close_together_come_as_one_message_with_citations(rig: Rig):
    await rig.watch(ALICE, "words", "ceasefire")
    announcer = rig.announcer()
    for n in range(10):
        await rig.add_fact(f"A ceasefire was agreed for town number {n}.")
    assert await announcer.run_due() == 0  # the window has not passed
    rig.clock.advance(minutes=10, seconds=1)
    assert await announcer.run_due() == 1
    [sent] = rig.messenger.posts
    assert sent.channel_id == DM + ALICE and rig.messenger.opened == [ALICE]
    assert sent.answer.title == "Watch: 10 new facts"
    assert sent.answer.citations and "Wire" in sent.answer.citations[0].source.publisher
    assert "matched words “ceasefire”" in sent.answer.lines[1].text and "/fact show id:" in sent.answer.lines[1].text
    rig.clock.advance(minutes=30)
    assert await announcer.run_due() == 0
    [watch] = await WatchStore(rig.store).of_member(GUILD, ALICE)
    assert watch.last_told_at is not None


async def test_a_burst_past_what_one_message_tells_in_full_names_the_rest_by_id(rig: Rig):
    await rig.watch(ALICE, "words", "ceasefire")
    ids = [await rig.add_fact(f"A ceasefire was agreed for town number {n}.") for n in range(15)]
    rig.clock.advance(minutes=11)
    assert await rig.announcer().run_due() == 1
    [sent] = rig.messenger.posts
    assert sent.answer.title == "Watch: 15 new facts"
    assert (
        sent.answer.lines[-1].text
        == f"And 3 more facts that match (`/fact show id:` each): #{ids[12]}, #{ids[13]}, #{ids[14]}."
    )


async def test_a_fact_two_watches_match_is_never_split_between_messages(rig: Rig, monkeypatch):
    monkeypatch.setattr("bot.watches.announce.MAX_TAKEN", 3)
    await rig.watch(ALICE, "words", "ceasefire")
    await rig.watch(ALICE, "place", "Lashio")
    first = await rig.add_fact("A ceasefire was agreed for Laukkai.")
    second = await rig.add_fact("A ceasefire was agreed for Lashio.", place="Lashio")
    announcer = rig.announcer()
    rig.clock.advance(minutes=11)
    assert await announcer.run_due() == 1
    rig.clock.advance(minutes=11)
    assert await announcer.run_due() == 1
    told = [await rig.store.rows("SELECT fact_ids FROM watch_announcements ORDER BY id")]
    assert [r[0] for r in told[0]] == [f"[{first}]", f"[{second}]"]
    assert "matched words “ceasefire”, place Lashio" in rig.messenger.posts[1].answer.lines[1].text


async def test_at_most_one_message_per_window(rig: Rig):
    await rig.watch(ALICE, "words", "ceasefire")
    announcer = rig.announcer()
    await rig.add_fact("A ceasefire was agreed for Laukkai.")
    rig.clock.advance(minutes=11)
    assert await announcer.run_due() == 1
    await rig.add_fact("A ceasefire was broken near Hsenwi.")
    rig.clock.advance(minutes=5)
    assert await announcer.run_due() == 0
    rig.clock.advance(minutes=6)
    assert await announcer.run_due() == 1
    assert [p.answer.title for p in rig.messenger.posts] == ["Watch: 1 new fact", "Watch: 1 new fact"]


async def test_two_processes_announce_once(rig: Rig):
    for member in (ALICE, BOB):
        await rig.watch(member, "words", "ceasefire")
    await rig.add_fact("A ceasefire was agreed for Laukkai.")
    rig.clock.advance(minutes=11)
    one, two = rig.announcer(holder="one"), rig.announcer(holder="two")
    sent = await asyncio.gather(one.run_due(), two.run_due(), one.run_due())
    assert sum(sent) == 2
    assert sorted(p.channel_id for p in rig.messenger.posts) == [DM + ALICE, DM + BOB]


async def test_a_message_cut_off_is_finished_once_with_its_nonce_by_the_next_process(rig: Rig):
    await rig.watch(ALICE, "words", "ceasefire")
    await rig.add_fact("A ceasefire was agreed for Laukkai.")
    rig.clock.advance(minutes=11)
    rig.messenger.flaky = 10  # Discord takes nothing: the first process gives up with the message claimed
    first = rig.announcer(holder="killed")
    assert await first.run_due() == 0
    rig.messenger.flaky = 0
    second = rig.announcer(holder="restarted")
    assert await second.run_due() == 0  # the first one's lease still holds it
    rig.clock.advance(seconds=16)
    assert await second.run_due() == 1
    assert await second.run_due() == 0
    assert len(rig.messenger.posts) == 1


async def test_a_message_cut_off_past_the_nonce_window_is_not_risked_twice(rig: Rig):
    await rig.watch(ALICE, "words", "ceasefire")
    await rig.add_fact("A ceasefire was agreed for Laukkai.")
    rig.clock.advance(minutes=11)
    rig.messenger.flaky = 10
    await rig.announcer(holder="killed").run_due()
    rig.clock.advance(minutes=5)
    assert await rig.announcer(holder="later").run_due() == 0
    [status] = await rig.store.rows("SELECT status FROM watch_announcements")
    assert status[0] == "unknown" and rig.messenger.posts == []


async def test_dm_opening_refused_for_going_too_fast_backs_off_and_every_notice_arrives_once(rig: Rig):
    members = [ALICE, BOB, MONA]
    for member in members:
        await rig.watch(member, "words", "ceasefire")
    await rig.add_fact("A ceasefire was agreed for Laukkai.")
    rig.clock.advance(minutes=11)
    rig.messenger.too_fast = 2
    announcer = rig.announcer()
    assert await announcer.run_due() == 3
    assert sorted(rig.messenger.opened) == members
    assert [s for s in rig.slept if s >= 30] == [30.0, 60.0]
    # Each member's DM channel is kept: the next message opens none.
    await rig.add_fact("A ceasefire was broken near Hsenwi.")
    rig.clock.advance(minutes=11)
    assert await announcer.run_due() == 3
    assert len(rig.messenger.opened) == 3 and len(rig.messenger.posts) == 6


async def test_closed_dms_pause_the_members_dm_watches_and_are_explained_once(rig: Rig):
    await rig.watch(ALICE, "words", "ceasefire")
    await rig.watch(ALICE, "actor", "Beijing")
    rig.messenger.closed_dms.add(ALICE)
    await rig.add_fact("A ceasefire was agreed for Laukkai.")
    rig.clock.advance(minutes=11)
    assert await rig.announcer().run_due() == 0
    watches = await WatchStore(rig.store).of_member(GUILD, ALICE)
    assert {w.status for w in watches} == {"paused"}
    notice = await rig.service.notice(GUILD, ALICE)
    assert notice is not None and "Your DM watches are paused (2)" in notice and "/watch resume" in notice
    assert await rig.service.notice(GUILD, ALICE) is None
    await rig.add_fact("A ceasefire was broken near Hsenwi.")
    assert await WatchStore(rig.store).due(rig.clock() + timedelta(hours=1), timedelta(minutes=10)) == []
    rig.messenger.closed_dms.clear()
    assert "2 watches" in (await rig.service.resume(GUILD, ALICE)).lines[0].text


async def test_a_deleted_channel_pauses_its_watches_and_alerts_moderators_once(rig: Rig):
    await rig.watch(MONA, "words", "ceasefire", channel=77)
    rig.messenger.gone.add(77)
    await rig.add_fact("A ceasefire was agreed for Laukkai.")
    rig.clock.advance(minutes=11)
    announcer = rig.announcer()
    assert await announcer.run_due() == 0
    [alert] = rig.messenger.posts
    assert alert.channel_id == 900 and "1 watch telling <#77> are paused" in alert.answer.lines[0].text
    await rig.add_fact("A ceasefire was broken near Hsenwi.")
    rig.clock.advance(minutes=11)
    assert await announcer.run_due() == 0
    assert len(rig.messenger.posts) == 1


async def test_a_member_who_left_has_their_watches_removed(rig: Rig):
    await rig.watch(ALICE, "words", "ceasefire")
    rig.messenger.left.add(ALICE)
    await rig.add_fact("A ceasefire was agreed for Laukkai.")
    rig.clock.advance(minutes=11)
    assert await rig.announcer().run_due() == 0
    assert await WatchStore(rig.store).of_member(GUILD, ALICE) == []
    assert rig.messenger.posts == []
