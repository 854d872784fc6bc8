"""Delivery: each run posted exactly once through 429s, lost answers, crashes, downtime and bad channels."""

from __future__ import annotations

import asyncio
import bisect
import time
from datetime import timedelta

import pytest

from bot.digests.delivery import ATTEMPTS, NONCE_WINDOW
from bot.digests.models import ListRequest, MilestoneRequest
from bot.digests.pacing import CHANNEL_LIMIT, GLOBAL_LIMIT, PACE_MARGIN, Pacer
from bot.digests.posting import PostedThenDeleted, nonce_for, part_nonce
from bot.errors import NotFound, UserError
from bot.packs import parse_pack
from bot.store.writes import apply_pack
from tests.unit.digest_doubles import (
    ALERTS,
    CHANNEL,
    CRASH,
    GUILD,
    LOST,
    MOD,
    OTHER_GUILD,
    PACK,
    Crash,
    at,
    open_rig,
)


@pytest.fixture
async def rig(store_target):
    opened = await open_rig(at("2024-03-01 08:00"), target=store_target)
    yield opened
    await opened.store.close()


async def ledger(rig, sub_id):
    rows = await rig.store.rows(
        "SELECT scheduled_for, status, late, manual, message_ids, detail FROM digest_deliveries"
        " WHERE subscription_id = ? ORDER BY scheduled_for",
        (sub_id,),
    )
    return [tuple(r) for r in rows]


def most_in_a_window(times, seconds):
    """The most requests in any window of `seconds`, as Discord counts them."""
    times = sorted(times)
    return max((bisect.bisect_left(times, t + seconds) - i for i, t in enumerate(times)), default=0)


def assert_within_limits(arrivals, overall=GLOBAL_LIMIT, per_channel=CHANNEL_LIMIT):
    """No window of Discord's holds more requests than it allows, overall or in any one channel."""
    assert most_in_a_window([t for _, t in arrivals], overall[1]) <= overall[0]
    for channel in {c for c, _ in arrivals}:
        times = [t for c, t in arrivals if c == channel]
        assert most_in_a_window(times, per_channel[1]) <= per_channel[0], channel


def texts(answer):
    return "\n".join(
        [answer.title, *(line.text for line in answer.lines)]
        + [f"{s.title}: " + " | ".join(line.text for line in s.lines) for s in answer.sections]
        + [answer.footer or ""]
    )


async def test_a_due_run_is_posted_once_and_its_message_id_recorded(rig):
    sub = await rig.subscribe("daily 09:00")
    rig.clock.now = at("2024-03-01 09:00")
    [outcome] = await rig.deliveries.run_due(sub)
    assert outcome.status == "sent"
    [posted] = rig.poster.in_channel(CHANNEL)
    assert posted.nonce == part_nonce(nonce_for(sub, at("2024-03-01 09:00")), 0)
    assert outcome.message_ids == [posted.message_id]
    # The job firing again, or late in the same day, finds the run on record and posts nothing.
    assert await rig.deliveries.run_due(sub) == []
    rig.clock.advance(minutes=40)
    assert await rig.deliveries.run_due(sub) == []
    assert len(rig.poster.posted) == 1
    assert await ledger(rig, sub) == [("2024-03-01T09:00:00+00:00", "sent", 0, 0, f"[{posted.message_id}]", None)]


def test_nonces_come_from_the_ledger_key_and_fit_discord():
    first = nonce_for(3, at("2024-03-01 09:00"))
    assert first == nonce_for(3, at("2024-03-01 09:00"))
    assert first != nonce_for(3, at("2024-03-02 09:00"))
    assert first != nonce_for(4, at("2024-03-01 09:00"))
    assert len(part_nonce(first, 99)) <= 25


async def test_nothing_changed_is_one_line_or_silence_when_quiet(rig):
    loud = await rig.subscribe("daily 09:00")
    quiet = await rig.subscribe("daily 09:00", channel=CHANNEL + 1, quiet=True)
    rig.clock.now = at("2024-03-01 09:00")
    outcomes = await rig.deliveries.run_all_due()
    assert {o.subscription_id: o.status for o in outcomes} == {loud: "sent", quiet: "silent"}
    [posted] = rig.poster.posted
    assert posted.channel_id == CHANNEL
    assert len(posted.answer.lines) == 1
    assert posted.answer.lines[0].text.startswith("Nothing has changed since this digest was set up")
    assert not posted.answer.sections
    assert [row[1] for row in await ledger(rig, quiet)] == ["silent"]


async def test_a_digest_reports_what_changed_since_the_previous_one_then_the_standing_picture(rig):
    sub = await rig.subscribe("daily 09:00", "Europe/London")
    rig.clock.now = at("2024-03-01 09:00")
    await rig.deliveries.run_due(sub)
    fact_id = await rig.add_fact("Border trade fell by half in November.")
    rig.clock.now = at("2024-03-02 09:00")
    await rig.deliveries.run_due(sub)
    digest = rig.poster.posted[-1].answer
    body = texts(digest)
    assert digest.title == "Daily digest · Test crisis · 2 Mar 2024"
    assert "since the previous digest" in digest.lines[0].text
    assert [s.title for s in digest.sections] == ["New facts", "Key figures", "Stakes for Beijing"]
    assert f"Border trade fell by half in November. (#{fact_id})" in body
    assert "About 40% of access to China is under rebel control." in body
    assert all(line.cites for s in digest.sections for line in s.lines)
    assert digest.footer == f"Digest #{sub} · daily 09:00 Europe/London · run 2024-03-02T09:00Z"
    rig.clock.now = at("2024-03-03 09:00")
    await rig.deliveries.run_due(sub)
    assert rig.poster.posted[-1].answer.lines[0].text.startswith("Nothing has changed since the previous digest")


async def test_a_429_is_retried_with_the_same_nonce_and_posts_once(rig):
    sub = await rig.subscribe("daily 09:00")
    rig.poster.rate_limited(CHANNEL, times=3, retry_after=0.5)
    rig.clock.now = at("2024-03-01 09:00")
    [outcome] = await rig.deliveries.run_due(sub)
    assert outcome.status == "sent"
    assert rig.poster.attempts == 4
    assert len(rig.poster.posted) == 1
    assert rig.sleeps == [0.5, 0.5, 0.5]


async def test_a_timeout_after_discord_created_the_message_posts_nothing_twice(rig):
    sub = await rig.subscribe("daily 09:00")
    rig.poster.fail(CHANNEL, LOST, LOST)
    rig.clock.now = at("2024-03-01 09:00")
    [outcome] = await rig.deliveries.run_due(sub)
    assert outcome.status == "sent"
    assert len(rig.poster.posted) == 1
    assert rig.poster.dedupes == 2
    assert outcome.message_ids == [rig.poster.posted[0].message_id]


async def test_a_429_storm_that_outlasts_the_retries_fails_the_run_without_pausing(rig):
    sub = await rig.subscribe("daily 09:00")
    rig.poster.rate_limited(CHANNEL, times=ATTEMPTS, retry_after=60)
    rig.clock.now = at("2024-03-01 09:00")
    [outcome] = await rig.deliveries.run_due(sub)
    assert outcome.status == "failed"
    assert "429" in outcome.detail
    assert not rig.poster.posted
    # Every attempt of a part stays inside the time Discord de-duplicates its nonce.
    assert sum(rig.sleeps) < NONCE_WINDOW.total_seconds()
    assert (await rig.service.digests.subscription(sub)).status == "active"
    fact_id = await rig.add_fact("Fighting spread to three more townships.")
    rig.clock.now = at("2024-03-02 09:00")
    [outcome] = await rig.deliveries.run_due(sub)
    assert outcome.status == "sent"
    assert f"(#{fact_id})" in texts(rig.poster.posted[-1].answer)


@pytest.mark.parametrize("trouble", ["gone", "forbidden"])
async def test_a_lost_channel_pauses_its_digest_records_why_and_alerts_moderators(rig, trouble):
    sub = await rig.subscribe("daily 09:00")
    other = await rig.subscribe("daily 09:00", channel=CHANNEL + 1)
    getattr(rig.poster, trouble).add(CHANNEL)
    rig.clock.now = at("2024-03-01 09:00")
    outcomes = {o.subscription_id: o for o in await rig.deliveries.run_all_due()}
    assert outcomes[sub].status == "failed"
    assert outcomes[other].status == "sent"
    paused = await rig.service.digests.subscription(sub)
    assert paused.status == "paused"
    assert ("no longer exists" if trouble == "gone" else "may not post") in paused.status_reason
    [alert] = rig.poster.in_channel(ALERTS)
    assert f"Digest #{sub}" in alert.answer.lines[0].text
    assert f"/digest resume id:{sub}" in alert.answer.lines[0].text
    listing = await rig.service.listing(ListRequest(), GUILD)
    assert "paused" in listing.lines[0].text
    rig.clock.now = at("2024-03-02 09:00")
    assert await rig.deliveries.run_due(sub) == []


async def test_an_alert_that_cannot_be_posted_does_not_stop_anything(rig):
    sub = await rig.subscribe("daily 09:00")
    rig.poster.gone.update({CHANNEL, ALERTS})
    rig.clock.now = at("2024-03-01 09:00")
    [outcome] = await rig.deliveries.run_due(sub)
    assert outcome.status == "failed"
    assert (await rig.service.digests.subscription(sub)).status == "paused"


async def test_a_crash_between_send_and_record_is_repaired_with_the_same_nonce(rig):
    sub = await rig.subscribe("daily 09:00")
    rig.poster.fail(CHANNEL, CRASH)
    rig.clock.now = at("2024-03-01 09:00")
    with pytest.raises(Crash):
        await rig.deliveries.run_due(sub)
    assert [row[1] for row in await ledger(rig, sub)] == ["sending"]
    restarted = rig.restart()
    rig.clock.advance(seconds=40)
    [outcome] = await restarted.deliveries.run_all_due()
    assert outcome.status == "sent"
    assert len(rig.poster.posted) == 1
    assert rig.poster.dedupes == 1
    assert outcome.message_ids == [rig.poster.posted[0].message_id]


async def test_a_part_that_landed_before_a_crash_is_found_in_its_channel_after_the_nonce_window(rig):
    sub = await rig.subscribe("daily 09:00")
    rig.poster.fail(CHANNEL, CRASH)
    rig.clock.now = at("2024-03-01 09:00")
    with pytest.raises(Crash):
        await rig.deliveries.run_due(sub)
    [landed] = rig.poster.in_channel(CHANNEL)
    assert landed.answer.footer == "Digest #1 · daily 09:00 UTC · run 2024-03-01T09:00Z"
    rig.clock.advance(minutes=10)
    [outcome] = await rig.restart().deliveries.run_due(sub)
    assert (outcome.status, outcome.message_ids) == ("sent", [landed.message_id])
    assert rig.poster.in_channel(CHANNEL) == [landed]
    [(channel, marker, since)] = rig.poster.searches
    assert (channel, marker) == (CHANNEL, landed.answer.footer)
    assert since < at("2024-03-01 09:00")
    assert [row[1] for row in await ledger(rig, sub)] == ["sent"]


async def test_a_part_that_never_reached_discord_is_posted_once_after_the_nonce_window(rig):
    sub = await rig.subscribe("daily 09:00")
    rig.poster.fail(CHANNEL, Crash())
    rig.clock.now = at("2024-03-01 09:00")
    with pytest.raises(Crash):
        await rig.deliveries.run_due(sub)
    assert not rig.poster.posted
    rig.clock.advance(minutes=50)
    [outcome] = await rig.restart().deliveries.run_all_due()
    [posted] = rig.poster.in_channel(CHANNEL)
    assert (outcome.status, outcome.message_ids) == ("sent", [posted.message_id])
    assert len(rig.poster.searches) == 1


async def test_a_run_claimed_but_never_sent_is_posted_at_restart_without_reading_the_channel(rig, monkeypatch):
    sub = await rig.subscribe("daily 09:00")
    rig.poster.unreadable.add(CHANNEL)
    rig.clock.now = at("2024-03-01 09:00")
    with monkeypatch.context() as patch:
        patch.setattr(type(rig.service.digests), "attempting", crash)
        with pytest.raises(Crash):
            await rig.deliveries.run_due(sub)
    assert [row[1] for row in await ledger(rig, sub)] == ["sending"]
    rig.clock.advance(minutes=30)
    [outcome] = await rig.restart().deliveries.run_all_due()
    assert outcome.status == "sent"
    assert len(rig.poster.in_channel(CHANNEL)) == 1
    assert not rig.poster.searches


async def crash(*_: object, **__: object) -> None:
    raise Crash


async def test_a_channel_whose_history_cannot_be_read_leaves_the_run_to_a_moderator_who_is_told(rig):
    sub = await rig.subscribe("daily 09:00")
    other = await rig.subscribe("daily 09:00", channel=CHANNEL + 1)
    rig.poster.fail(CHANNEL, CRASH)
    rig.poster.unreadable.add(CHANNEL)
    rig.clock.now = at("2024-03-01 09:00")
    with pytest.raises(Crash):
        await rig.deliveries.run_due(sub)
    [landed] = rig.poster.in_channel(CHANNEL)
    rig.clock.advance(minutes=10)
    restarted = rig.restart()
    outcomes = {o.subscription_id: o for o in await restarted.deliveries.run_all_due()}
    assert outcomes[sub].status == "attention"
    assert "may not read the message history" in outcomes[sub].detail
    assert outcomes[other].status == "sent"
    assert rig.poster.in_channel(CHANNEL) == [landed]
    record = await rig.service.digests.subscription(sub)
    assert record.status == "paused"
    [alert] = rig.poster.in_channel(ALERTS)
    assert alert.answer.title == f"Digest #{sub} needs attention"
    assert f"/digest send id:{sub}" in alert.answer.lines[0].text
    listing = (await restarted.service.listing(ListRequest(), GUILD)).lines[0].text
    assert "needs attention" in listing and f"`/digest send id:{sub}` finishes it" in listing
    # The next day's run does not go out while paused; a moderator grants the permission and sends it.
    rig.clock.now = at("2024-03-02 09:00")
    assert await restarted.deliveries.run_due(sub) == []
    rig.poster.unreadable.discard(CHANNEL)
    outcome = await restarted.deliveries.send_now(sub, GUILD)
    assert (outcome.status, outcome.message_ids) == ("sent", [landed.message_id])
    assert rig.poster.in_channel(CHANNEL) == [landed]
    assert "needs attention" not in (await restarted.service.listing(ListRequest(), GUILD)).lines[0].text


async def test_a_moderator_can_finish_a_run_by_hand_where_the_history_stays_unreadable(rig):
    sub = await rig.subscribe("daily 09:00")
    rig.poster.fail(CHANNEL, Crash())
    rig.poster.unreadable.add(CHANNEL)
    rig.clock.now = at("2024-03-01 09:00")
    with pytest.raises(Crash):
        await rig.deliveries.run_due(sub)
    rig.clock.advance(minutes=10)
    restarted = rig.restart()
    assert [o.status for o in await restarted.deliveries.run_all_due()] == ["attention"]
    assert not rig.poster.in_channel(CHANNEL)
    outcome = await restarted.deliveries.send_now(sub, GUILD)
    [posted] = rig.poster.in_channel(CHANNEL)
    assert (outcome.status, outcome.scheduled_for) == ("sent", at("2024-03-01 09:00"))
    assert posted.answer.footer.endswith("run 2024-03-01T09:00Z")


async def test_a_run_cut_off_and_found_past_the_grace_period_is_recorded_not_finished(rig):
    sub = await rig.subscribe("daily 09:00")
    rig.poster.fail(CHANNEL, Crash())
    rig.clock.now = at("2024-03-01 09:00")
    with pytest.raises(Crash):
        await rig.deliveries.run_due(sub)
    rig.clock.now = at("2024-03-01 12:00")
    [outcome] = await rig.restart().deliveries.run_all_due()
    assert outcome.status == "skipped"
    assert "not finished: it was due more than 60 minutes ago" in outcome.detail
    assert not rig.poster.posted
    rig.clock.now = at("2024-03-02 09:00")
    assert [o.status for o in await rig.deliveries.run_due(sub)] == ["sent"]


def long_pack(count: int) -> str:
    facts = "\n".join(
        f"  - {{key: n{i}, statement: 'Report {i}: {'the front moved again near the river crossing; ' * 19}',"
        " kind: event, as_of: 2023-11-20, source: doc, reliability: B, credibility: 2}"
        for i in range(count)
    )
    return PACK.split("facts:")[0] + "facts:\n" + facts + "\n"


async def test_a_digest_too_long_for_one_message_goes_out_in_parts_and_resumes_at_the_part_in_flight(rig):
    sub = await rig.subscribe("daily 09:00")
    await apply_pack(rig.store.db, parse_pack(long_pack(10)))
    rig.poster.fail(CHANNEL, "ok", CRASH)
    rig.clock.now = at("2024-03-01 09:00")
    with pytest.raises(Crash):
        await rig.deliveries.run_due(sub)
    assert len(rig.poster.posted) == 2
    rig.clock.advance(seconds=30)
    [outcome] = await rig.restart().deliveries.run_due(sub)
    assert outcome.status == "sent"
    stem = nonce_for(sub, at("2024-03-01 09:00"))
    parts = len(outcome.message_ids)
    assert parts >= 3
    assert [p.nonce for p in rig.poster.posted] == [part_nonce(stem, i) for i in range(parts)]
    assert rig.poster.dedupes == 1
    assert [p.answer.title for p in rig.poster.posted][-1].endswith(f"({parts}/{parts})")


async def test_after_downtime_one_catch_up_within_the_grace_period_is_posted_and_marked_late(rig):
    sub = await rig.subscribe("daily 09:00")
    rig.clock.now = at("2024-03-01 09:00")
    await rig.deliveries.run_due(sub)
    rig.clock.now = at("2024-03-04 09:20")
    outcomes = await rig.restart().deliveries.run_all_due()
    assert [(o.status, o.late) for o in outcomes] == [("sent", True)]
    assert len(rig.poster.posted) == 2
    assert "late: due Mon 4 Mar 2024 09:00 UTC" in rig.poster.posted[-1].answer.footer
    rows = await ledger(rig, sub)
    assert [(r[0][:10], r[1], r[2]) for r in rows] == [
        ("2024-03-01", "sent", 0),
        ("2024-03-02", "skipped", 0),
        ("2024-03-03", "skipped", 0),
        ("2024-03-04", "sent", 1),
    ]
    assert "missed" in rows[1][5]


async def test_several_missed_runs_within_the_grace_period_coalesce_into_one(rig):
    rig.deliveries.grace = timedelta(hours=3)
    rig.clock.now = at("2024-03-01 07:30")
    sub = await rig.subscribe("0 8,9 * * *")
    rig.clock.now = at("2024-03-01 09:50")
    [outcome] = await rig.deliveries.run_due(sub)
    assert outcome.scheduled_for == at("2024-03-01 09:00")
    assert len(rig.poster.posted) == 1
    rows = await ledger(rig, sub)
    assert rows[0][1] == "skipped"
    assert "coalesced" in rows[0][5]


async def test_runs_missed_beyond_the_grace_period_are_skipped_and_the_next_one_reports_all_changes(rig):
    sub = await rig.subscribe("daily 09:00")
    rig.clock.now = at("2024-03-01 09:00")
    await rig.deliveries.run_due(sub)
    fact_id = await rig.add_fact("A ceasefire was announced for the border towns.")
    rig.clock.now = at("2024-03-02 10:30")
    [outcome] = await rig.restart().deliveries.run_all_due()
    assert outcome.status == "skipped"
    assert len(rig.poster.posted) == 1
    rig.clock.now = at("2024-03-03 09:00")
    await rig.deliveries.run_due(sub)
    assert f"(#{fact_id})" in texts(rig.poster.posted[-1].answer)


async def test_two_hundred_digests_due_at_once_each_post_once_through_429s_losses_and_bad_channels(rig):
    subs = {}
    for i in range(200):
        channel = 5000 + i
        subs[channel] = await rig.subscribe("daily 09:00", "Europe/London", channel=channel)
        if i % 10 == 0:
            rig.poster.rate_limited(channel, times=2, retry_after=0.2)
        if i % 7 == 3:
            rig.poster.fail(channel, LOST)
        if i % 25 == 1:
            rig.poster.gone.add(channel)
        if i % 25 == 2:
            rig.poster.forbidden.add(channel)
    rig.clock.now = at("2024-03-01 09:00")
    outcomes = await rig.deliveries.run_all_due()
    bad = rig.poster.gone | rig.poster.forbidden
    assert len(outcomes) == 200
    for channel, sub in subs.items():
        record = await rig.service.digests.subscription(sub)
        if channel in bad:
            assert not rig.poster.in_channel(channel)
            assert record.status == "paused"
        else:
            assert len(rig.poster.in_channel(channel)) == 1, channel
            assert record.status == "active"
    assert len(rig.poster.in_channel(ALERTS)) == len(bad)
    assert_within_limits(rig.poster.arrivals)
    # The scheduler firing every job again posts nothing more.
    await asyncio.gather(*(rig.deliveries.run_due(s) for s in subs.values()))
    assert len(rig.poster.posted) == 200 - len(bad) + len(bad)


async def test_two_processes_running_the_same_run_post_it_once(rig):
    sub = await rig.subscribe("daily 09:00")
    rig.clock.now = at("2024-03-01 09:00")
    await asyncio.gather(rig.deliveries.run_due(sub), rig.restart().deliveries.run_due(sub))
    assert len(rig.poster.in_channel(CHANNEL)) == 1


async def test_a_message_deleted_before_its_nonce_was_repeated_counts_as_posted(rig):
    sub = await rig.subscribe("daily 09:00")
    rig.poster.fail(CHANNEL, PostedThenDeleted("Unknown Message"))
    rig.clock.now = at("2024-03-01 09:00")
    [outcome] = await rig.deliveries.run_due(sub)
    assert (outcome.status, outcome.message_ids) == ("sent", [None])


async def test_an_unexpected_error_is_recorded_and_never_raised(rig, caplog):
    sub = await rig.subscribe("daily 09:00")
    rig.poster.fail(CHANNEL, ValueError("400 Invalid Form Body"))
    rig.clock.now = at("2024-03-01 09:00")
    [outcome] = await rig.deliveries.run_due(sub)
    assert outcome.status == "failed"
    assert "Invalid Form Body" in outcome.detail
    assert (await rig.service.digests.subscription(sub)).status == "active"
    assert "posting part 1 failed" in caplog.text


async def test_a_recurring_digest_keeps_local_time_across_a_dst_change(rig):
    rig.clock.now = at("2024-11-01 12:00")
    sub = await rig.subscribe("daily 09:00", "America/New_York")
    posted = []
    for moment in ["2024-11-02 13:00", "2024-11-03 13:00", "2024-11-03 14:00", "2024-11-04 14:00"]:
        rig.clock.now = at(moment)
        posted += [(moment, o.status) for o in await rig.deliveries.run_due(sub)]
    # 09:00 EDT is 13:00 UTC; after the clocks go back on 3 Nov, 09:00 EST is 14:00 UTC.
    assert posted == [("2024-11-02 13:00", "sent"), ("2024-11-03 14:00", "sent"), ("2024-11-04 14:00", "sent")]


async def test_pausing_stops_runs_and_resuming_does_not_catch_up_what_was_missed(rig):
    sub = await rig.subscribe("daily 09:00")
    await rig.service.pause(sub, GUILD, MOD)
    rig.clock.now = at("2024-03-03 09:30")
    assert await rig.deliveries.run_due(sub) == []
    await rig.service.resume(sub, GUILD)
    assert await rig.deliveries.run_due(sub) == []
    rig.clock.now = at("2024-03-04 09:00")
    assert [o.status for o in await rig.deliveries.run_due(sub)] == ["sent"]
    assert len(rig.poster.posted) == 1


async def test_send_now_posts_on_request_and_only_in_its_own_server(rig):
    sub = await rig.subscribe("daily 09:00")
    outcome = await rig.deliveries.send_now(sub, GUILD)
    assert outcome.status == "sent"
    assert "posted on request" in rig.poster.posted[0].answer.footer
    with pytest.raises(NotFound):
        await rig.deliveries.send_now(sub, OTHER_GUILD)
    rig.clock.now = at("2024-03-01 09:00")
    assert [o.status for o in await rig.deliveries.run_due(sub)] == ["sent"]
    assert "since the previous digest" in rig.poster.posted[-1].answer.lines[0].text


async def test_a_milestone_digest_is_posted_once_at_its_time_then_done(rig):
    rig.clock.now = at("2023-11-20 12:00")
    q = MilestoneRequest(event="Operation 1027", after="1 month", channel=CHANNEL)
    reply = await rig.service.milestone(q, GUILD, MOD)
    sub = int(reply.title.split("#")[1].split()[0])
    rig.clock.now = at("2023-11-27 08:59")
    assert await rig.deliveries.run_due(sub) == []
    rig.clock.now = at("2023-11-27 09:00")
    [outcome] = await rig.deliveries.run_due(sub)
    assert outcome.status == "sent"
    assert rig.poster.posted[0].answer.title == "Operation 1027 launched: 1 month on · 27 Nov 2023"
    assert (await rig.service.digests.subscription(sub)).status == "done"
    rig.clock.advance(days=40)
    assert await rig.deliveries.run_all_due() == []


async def test_a_milestone_already_past_is_refused_with_a_pointer_to_preview(rig):
    rig.clock.now = at("2023-12-01 12:00")
    q = MilestoneRequest(event="Operation 1027", after="1 month", channel=CHANNEL)
    with pytest.raises(UserError, match=r"/digest preview event:launch after:1 month"):
        await rig.service.milestone(q, GUILD, MOD)


async def test_a_milestone_missed_beyond_the_grace_period_is_done_without_a_post(rig):
    rig.clock.now = at("2023-11-20 12:00")
    q = MilestoneRequest(event="Operation 1027", after="1 month", channel=CHANNEL, time="09:00")
    reply = await rig.service.milestone(q, GUILD, MOD)
    sub = int(reply.title.split("#")[1].split()[0])
    rig.clock.now = at("2023-11-27 09:00") + timedelta(hours=3)
    [outcome] = await rig.restart().deliveries.run_all_due()
    assert outcome.status == "skipped"
    record = await rig.service.digests.subscription(sub)
    assert (record.status, record.status_reason.split(";")[0]) == ("done", "its time passed while the bot was offline")
    assert not rig.poster.posted


async def test_the_pacer_keeps_to_the_limits_and_a_busy_channel_never_delays_a_quiet_one():
    # Discord's limits scaled down 20 times, on the real clock: the test takes about a second. A loaded
    # machine wakes sleepers late; that lateness is measured and allowed for, so only the pacer is judged.
    overall, per_channel = (GLOBAL_LIMIT[0], GLOBAL_LIMIT[1] / 20), (CHANNEL_LIMIT[0], CHANNEL_LIMIT[1] / 20)
    late = [0.0]

    async def sleep(seconds: float) -> None:
        asked = time.monotonic()
        await asyncio.sleep(seconds)
        late[0] = max(late[0], time.monotonic() - asked - seconds)

    pacer = Pacer(overall=overall, per_channel=per_channel, sleep=sleep)
    start = time.monotonic()
    arrivals = []

    async def post(channel):
        await pacer.turn(channel)
        arrivals.append((channel, time.monotonic() - start))

    await asyncio.gather(*(post(1) for _ in range(20)), *(post(100 + i) for i in range(120)))
    assert len(arrivals) == 140
    assert_within_limits(arrivals, overall, per_channel)
    # The busy channel's 20 posts need three windows after its first five; its first five may have waited
    # up to two global windows behind the others.
    busy_last = max(t for c, t in arrivals if c == 1)
    slack = 0.2 + 5 * late[0]
    assert 3 * per_channel[1] <= busy_last <= (3 * per_channel[1] + 2 * overall[1]) * PACE_MARGIN + slack
    # The other 120 posts go in the first three global windows, while the busy channel waits out its own.
    assert max(t for c, t in arrivals if c != 1) <= 2 * overall[1] * PACE_MARGIN + slack
