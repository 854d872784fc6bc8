"""Scheduled digests end to end: the real bot, the Discord double, and a clock the tests move by hand.

APScheduler and the digest service both read the test's clock (see `digest_bot`), so "09:00 tomorrow" is
one assignment away and nothing sleeps. Everything else is production: the commands, the scheduler's
jobs, the ledger, discord.py's HTTP client with its rate-limit handling, and the double's nonce checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest

from bot.digests.models import SubscribeRequest
from bot.edge.poster import DiscordPoster
from bot.models import Author
from bot.store.digests import DigestStore
from cogs.digests import DigestsCog
from tests.discord_double import DiscordDouble
from tests.e2e.conftest import World, bot_settings, embed_text, running_bot
from tests.unit.digest_doubles import Crash, FakeClock, at, drive_apscheduler, fire_due

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def no_sleep(_: float) -> None:
    """Retry back-off in the digest layer is not what these tests are timing."""


@contextlib.asynccontextmanager
async def digest_bot(
    double: DiscordDouble, world: World, clock: FakeClock, database: Path, **settings: object
) -> AsyncIterator[DigestsCog]:
    """The real bot with the digests extension, its service and scheduler on `clock`."""
    with pytest.MonkeyPatch.context() as patch:
        drive_apscheduler(patch, clock)
        config = bot_settings(double, world, database_path=database, **settings)
        async with running_bot(double, config, clock=clock, digest_sleep=no_sleep) as running:
            cog = running.get_cog("Digests")
            assert cog is not None
            await cog.runtime.catch_up
            yield cog


async def slash(double: DiscordDouble, world: World, command: str, member=None, **options):
    result = await double.slash(world.guild, world.channel, member or world.moderator, command, options)
    await result.final()
    return result


def posts(double: DiscordDouble, channel) -> list:
    return [m for m in double.messages(channel, include_ephemeral=False) if m.source == "channel"]


async def test_the_commands_end_to_end(discord_double, world, tmp_path):
    clock = FakeClock(at("2024-03-29 12:00"))
    news = world.guild.add_channel("news", "announcement")
    desk = world.guild.add_channel("yangon-desk")
    async with digest_bot(discord_double, world, clock, tmp_path / "store.db"):
        daily = {"schedule": "daily 09:00", "timezone": "UTC"}
        refused = await slash(discord_double, world, "digest subscribe", world.member, channel=news, **daily)
        assert refused.ephemeral and "Only moderators" in refused.text
        for schedule, timezone, why in [
            ("daily 09:00", "Europe/Lundon", "not a time zone I know"),
            ("every day", "Europe/London", "not a schedule I understand"),
            ("*/10 * * * *", "Europe/London", "more than once an hour"),
        ]:
            options = {"channel": news, "schedule": schedule, "timezone": timezone}
            bad = await slash(discord_double, world, "digest subscribe", **options)
            assert bad.ephemeral and why in bad.text, schedule
        weekly = {"schedule": "weekly mon 09:00", "timezone": "Europe/London"}
        made = await slash(discord_double, world, "digest subscribe", channel=news, **weekly)
        assert "Digest #1 scheduled" in made.text
        assert "Mon 1 Apr 2024 09:00 BST" in made.text and "Mon 15 Apr 2024 09:00 BST" in made.text
        weekdays = {"schedule": "0 18 * * 1-5", "timezone": "Asia/Yangon", "quiet": True}
        assert (
            "Digest #2 scheduled"
            in (await slash(discord_double, world, "digest subscribe", channel=desk, **weekdays)).text
        )
        listing = await slash(discord_double, world, "digest list", world.member)
        assert f"**#1** {news.mention}" in listing.text and f"**#2** {desk.mention}" in listing.text

        one_month = {"event": "operation-1027", "after": "1 month"}
        past = await slash(discord_double, world, "digest milestone", channel=news, **one_month)
        assert past.ephemeral and "/digest preview event:operation-1027 after:1 month" in past.text
        preview = await slash(discord_double, world, "digest preview", world.member, **one_month)
        shown = embed_text(preview.embeds) + "".join(embed_text(m.embeds) for m in preview.followups)
        assert preview.ephemeral and "40% of Myanmar's access to China" in shown and "GZERO Media" in shown
        assert not posts(discord_double, news)

        sent = await slash(discord_double, world, "digest send", id=1)
        assert "Posted, in 1 message" in sent.text
        [message] = posts(discord_double, news)
        assert message.nonce and len(str(message.nonce)) <= 25
        assert message.allowed_mentions == {"parse": []}
        assert "Weekly digest · Operation 1027 (Myanmar)" in embed_text(message.embeds)

        assert "paused" in (await slash(discord_double, world, "digest pause", id=1)).text
        listed = (await slash(discord_double, world, "digest list", world.member)).text
        assert "⏸ paused: paused by Mona" in listed, listed
        assert "resumed" in (await slash(discord_double, world, "digest resume", id=1)).text
        assert "removed" in (await slash(discord_double, world, "digest remove", id=2)).text
        final = await slash(discord_double, world, "digest list", world.member)
        assert "**#1**" in final.text and "**#2**" not in final.text
        missing = await slash(discord_double, world, "digest pause", id=99)
        assert missing.ephemeral and "no digest #99" in missing.text


async def test_a_thread_is_a_valid_target(discord_double, world, tmp_path):
    clock = FakeClock(at("2024-03-29 12:00"))
    thread = world.guild.add_channel("daily-thread", "thread", parent=world.channel)
    async with digest_bot(discord_double, world, clock, tmp_path / "store.db"):
        subscribed = await slash(
            discord_double, world, "digest subscribe", channel=thread, schedule="daily 09:00", timezone="UTC"
        )
        assert not subscribed.errors, subscribed.errors
        assert "Posted, in 1 message" in (await slash(discord_double, world, "digest send", id=1)).text
        assert len(posts(discord_double, thread)) == 1


async def test_a_recurring_digest_fires_at_local_time_across_a_dst_change(discord_double, world, tmp_path):
    clock = FakeClock(at("2024-03-29 12:00"))
    channel = world.guild.add_channel("london-desk")
    async with digest_bot(discord_double, world, clock, tmp_path / "store.db") as cog:
        await slash(
            discord_double, world, "digest subscribe", channel=channel, schedule="daily 09:00", timezone="Europe/London"
        )
        fired = []
        for moment in ["2024-03-30 08:59", "2024-03-30 09:00", "2024-03-31 08:00", "2024-03-31 09:00"]:
            clock.now = at(moment)
            if await fire_due(cog.runtime):
                fired.append(moment)
        assert fired == ["2024-03-30 09:00", "2024-03-31 08:00"]
        titles = [m.embeds[0]["title"] for m in posts(discord_double, channel)]
        assert titles == [
            "Daily digest · Operation 1027 (Myanmar) · 30 Mar 2024",
            "Daily digest · Operation 1027 (Myanmar) · 31 Mar 2024",
        ]


async def test_the_one_month_milestone_of_operation_1027_is_posted_with_its_story_and_sources(
    discord_double, world, tmp_path
):
    clock = FakeClock(at("2023-11-20 12:00"))
    channel = world.guild.add_channel("one-month")
    async with digest_bot(discord_double, world, clock, tmp_path / "store.db") as cog:
        made = await slash(
            discord_double, world, "digest milestone", event="Operation 1027", after="1 month", channel=channel
        )
        assert "Mon 27 Nov 2023 09:00 UTC" in made.text
        clock.now = at("2023-11-27 09:00")
        assert await fire_due(cog.runtime)
        messages = posts(discord_double, channel)
        text = "\n".join(embed_text(m.embeds) for m in messages)
        assert messages[0].embeds[0]["title"].startswith("Operation 1027 launched: 1 month on · 27 Nov 2023")
        summary = "**The offensive has left about 40% of Myanmar's access to China under rebel control.** [1]"
        assert messages[0].embeds[0]["description"].startswith(summary)
        for needle in [
            "What happened",
            "key border crossings with China",
            "40% of Myanmar's access to China",
            "Stakes for Beijing",
            "air superiority",
            "Sources",
            "GZERO Media",
        ]:
            assert needle in text, needle
        clock.now = at("2023-12-27 09:00")
        assert await fire_due(cog.runtime) == []
        assert len(posts(discord_double, channel)) == len(messages)


async def test_a_restart_after_a_missed_run_posts_one_catch_up(discord_double, world, tmp_path):
    clock = FakeClock(at("2024-03-01 08:00"))
    channel = world.guild.add_channel("catch-up")
    database = tmp_path / "store.db"
    async with digest_bot(discord_double, world, clock, database) as cog:
        await slash(discord_double, world, "digest subscribe", channel=channel, schedule="daily 09:00", timezone="UTC")
        clock.now = at("2024-03-01 09:00")
        await fire_due(cog.runtime)
    clock.now = at("2024-03-03 09:25")
    async with digest_bot(discord_double, world, clock, database) as cog:
        assert await fire_due(cog.runtime) == []
    messages = posts(discord_double, channel)
    assert len(messages) == 2
    assert "late: due Sun 3 Mar 2024 09:00 UTC" in messages[-1].embeds[-1]["footer"]["text"]


async def test_a_crash_right_after_the_send_posts_nothing_twice(discord_double, world, tmp_path):
    clock = FakeClock(at("2024-03-01 08:00"))
    channel = world.guild.add_channel("crash")
    database = tmp_path / "store.db"
    async with digest_bot(discord_double, world, clock, database) as cog:
        await slash(discord_double, world, "digest subscribe", channel=channel, schedule="daily 09:00", timezone="UTC")
        clock.now = at("2024-03-01 09:00")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(DigestStore, "part_posted", crash)
            with pytest.raises(Crash):
                await cog.deliveries.run_due(1)
        assert len(posts(discord_double, channel)) == 1
    dedupes = discord_double.nonce_dedupes
    clock.now = at("2024-03-01 09:00:40")
    async with digest_bot(discord_double, world, clock, database) as cog:
        row = await cog.service.digests.delivery(1, at("2024-03-01 09:00"))
        assert row.status == "sent"
    assert discord_double.nonce_dedupes == dedupes + 1
    [message] = posts(discord_double, channel)
    assert row.message_ids == [message.id]


async def crash(*_: object, **__: object) -> None:
    raise Crash


async def test_a_deleted_channel_pauses_its_digest_and_tells_moderators(discord_double, world, tmp_path):
    clock = FakeClock(at("2024-03-01 08:00"))
    doomed = world.guild.add_channel("doomed")
    healthy = world.guild.add_channel("healthy")
    alerts = world.guild.add_channel("mod-alerts")
    async with digest_bot(discord_double, world, clock, tmp_path / "store.db", alert_channel_id=alerts.id) as cog:
        for channel in (doomed, healthy):
            await slash(
                discord_double, world, "digest subscribe", channel=channel, schedule="daily 09:00", timezone="UTC"
            )
        del world.guild.channels[doomed.id]
        await discord_double.dispatch("CHANNEL_DELETE", doomed.payload())
        clock.now = at("2024-03-01 09:00")
        await fire_due(cog.runtime)
        assert len(posts(discord_double, healthy)) == 1
        [alert] = posts(discord_double, alerts)
        assert "Digest #1" in embed_text(alert.embeds) and "/digest resume id:1" in embed_text(alert.embeds)
        listing = await slash(discord_double, world, "digest list", world.member)
        assert "⏸ paused" in listing.text and "no longer exists" in listing.text
        assert [j.id for j in cog.runtime.digest_jobs()] == ["digest-2"]


async def test_two_hundred_digests_due_at_once_each_post_once_through_a_429_storm(discord_double, world, tmp_path):
    clock = FakeClock(at("2024-03-01 00:00"))
    channels = [world.guild.add_channel(f"desk-{i}") for i in range(200)]
    discord_double.enforce_limits()
    storm = discord_double.rate_limit("POST", r"/channels/\d+/messages", times=40, retry_after=0.05)
    try:
        async with digest_bot(discord_double, world, clock, tmp_path / "store.db") as cog:
            for channel in channels:
                await cog.service.subscribe(
                    SubscribeRequest(channel=channel.id, schedule="daily 09:00", timezone="Asia/Yangon"),
                    world.guild.id,
                    Author(id=world.moderator.id, name="mona"),
                )
            clock.now = at("2024-03-01 02:30")  # 09:00 in Yangon
            assert len(await fire_due(cog.runtime)) == 200
            assert [len(posts(discord_double, c)) for c in channels] == [1] * 200
            assert storm.hits == 40
            await fire_due(cog.runtime)
            assert [len(posts(discord_double, c)) for c in channels] == [1] * 200
    finally:
        discord_double.enforce_limits(False)


async def test_posting_is_refused_up_front_where_the_bot_cannot_post(discord_double, world, tmp_path):
    clock = FakeClock(at("2024-03-01 08:00"))
    locked = world.guild.add_channel(
        "locked", overwrites={world.guild.me: (discord.Permissions.none(), discord.Permissions(send_messages=True))}
    )
    async with digest_bot(discord_double, world, clock, tmp_path / "store.db"):
        refused = await slash(
            discord_double, world, "digest subscribe", channel=locked, schedule="daily 09:00", timezone="UTC"
        )
        assert refused.ephemeral and "I cannot post digests in" in refused.text and "Send Messages" in refused.text


async def test_a_fan_out_killed_mid_way_is_reconciled_after_the_nonce_window(discord_double, world, tmp_path):
    """Twelve digests due at once under 429s; the bot dies once three channels have their post, the third
    before its message id was recorded; it starts again after Discord has forgotten the nonces.

    The "kill" is in-process: the fan-out is cancelled at that instant, so no task of it writes to the
    ledger or sends to Discord again (what a SIGKILL does), and the old bot is shut down only afterwards. A
    real subprocess would read the real clock, and the nonce window would then have to pass for real.
    """
    clock = FakeClock(at("2024-03-01 08:00"))
    healthy = [world.guild.add_channel(f"desk-{i}") for i in range(10)]
    me = world.guild.me
    deleted = world.guild.add_channel("deleted")
    mute = world.guild.add_channel(
        "mute", overwrites={me: (discord.Permissions.none(), discord.Permissions(send_messages=True))}
    )
    blind = world.guild.add_channel(
        "blind", overwrites={me: (discord.Permissions.none(), discord.Permissions(read_message_history=True))}
    )
    alerts = world.guild.add_channel("alerts")
    database = tmp_path / "store.db"
    discord_double.clock = lambda: clock.now.timestamp()
    storm = discord_double.rate_limit("POST", r"/channels/\d+/messages", times=15, retry_after=0.05)
    landed: list[int] = []
    try:
        async with digest_bot(discord_double, world, clock, database, alert_channel_id=alerts.id) as cog:
            for channel in [*healthy, deleted, mute, blind]:
                await cog.service.subscribe(
                    SubscribeRequest(channel=channel.id, schedule="daily 09:00", timezone="UTC"),
                    world.guild.id,
                    Author(id=world.moderator.id, name="mona"),
                )
            del world.guild.channels[deleted.id]
            await discord_double.dispatch("CHANNEL_DELETE", deleted.payload())
            # Discord's limits from here on (a start's command sync would use up a test run's PUT bucket).
            discord_double.enforce_limits()
            # The fan-out is the one the jobs would run, started by hand so that it can be cut off.
            cog.runtime.scheduler.pause()
            clock.now = at("2024-03-01 09:00")
            fanout = asyncio.create_task(cog.deliveries.run_all_due())
            post = DiscordPoster.post

            async def post_then_die(poster: DiscordPoster, channel_id: int, answer, nonce: str) -> int:
                message_id = await post(poster, channel_id, answer, nonce)
                landed.append(channel_id)
                if len(landed) == 3:  # SIGKILL: this task and every other of the fan-out stop where they are
                    fanout.cancel()
                    await asyncio.Event().wait()
                return message_id

            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(DiscordPoster, "post", post_then_die)
                with contextlib.suppress(asyncio.CancelledError):
                    await fanout
            assert fanout.cancelled()
        assert storm.hits > 0
        assert sum(len(posts(discord_double, c)) for c in healthy) >= 3
        clock.advance(minutes=6)  # past the bot's nonce window and the double's (Discord's "few minutes")
        async with digest_bot(discord_double, world, clock, database, alert_channel_id=alerts.id) as cog:
            digests = cog.service.digests
            for number, channel in enumerate(healthy, start=1):
                [message] = posts(discord_double, channel)
                row = await digests.delivery(number, at("2024-03-01 09:00"))
                assert (row.status, row.message_ids) == ("sent", [message.id]), channel.name
                assert embed_text(message.embeds).endswith("run 2024-03-01T09:00Z")
            unrecorded = landed[2]
            assert discord_double.requests_to("GET", rf"/channels/{unrecorded}/messages")
            statuses = {
                channel.name: (
                    (await digests.subscription(n)).status,
                    (await digests.delivery(n, at("2024-03-01 09:00"))).status,
                )
                for n, channel in enumerate([deleted, mute, blind], start=11)
            }
            assert statuses["mute"] == ("paused", "failed")
            assert statuses["blind"] == ("paused", "attention")
            assert statuses["deleted"][0] == "paused"
            assert len(posts(discord_double, blind)) <= 1
            told = "\n".join(embed_text(m.embeds) for m in posts(discord_double, alerts))
            assert all(f"Digest #{n}" in told for n in (11, 12, 13))
            assert "needs attention" in told
            listing = await slash(discord_double, world, "digest list", world.member)
            assert listing.text.count("⏸ paused") == 3 and "#13" in listing.text and "needs attention" in listing.text
    finally:
        discord_double.enforce_limits(False)
        discord_double.clock = time.monotonic
