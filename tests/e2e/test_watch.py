"""Watch lists end to end: the real bot, the Discord double's DM channels and its DM refusals.

The announcer's clock is the test's (`FakeClock`, from the real time, since writes are stamped with it), so
"ten minutes later" is one assignment and the test runs the announcer's sweep itself (`run_due`); the
scheduled sweep runs too, and the ledger makes the two one. Everything else is production: the commands,
the approval path from a proposed report, discord.py's HTTP client, and the double's nonce checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.curation.models import FactFields
from bot.edge.app import BriefBot
from bot.models import Author
from bot.services import open_services
from bot.watches.models import WatchAddRequest
from tests.discord_double import DiscordDouble
from tests.e2e.conftest import World, bot_settings, embed_text, running_bot
from tests.e2e.reviewing import choose, pending
from tests.e2e.test_shards import FORM, cluster, database, settings
from tests.unit.digest_doubles import FakeClock

pytestmark = pytest.mark.asyncio(loop_scope="module")
__all__ = ["database"]  # the shard tests' store fixture, used by the process test below

REPORT = {
    "statement": "The Tatmadaw shelled Namhsan on 2 February 2024, residents said.",
    "source_title": "Resident's message",
    "source_url": "",
    "source_date": "",
    "as_of": "2024-02-02",
}


async def no_sleep(_: float) -> None:
    """Back-off after a refusal is not what these tests time."""


@contextlib.asynccontextmanager
async def watch_bot(double: DiscordDouble, world: World, database: Path, clock: FakeClock) -> AsyncIterator[BriefBot]:
    review = world.guild.add_channel(f"review-{database.parent.name[-6:]}")
    settings = bot_settings(double, world, database_path=database, review_channel_id=review.id, pictures=False)
    async with running_bot(double, settings, clock=clock, digest_sleep=no_sleep) as bot:
        bot.review = review  # type: ignore[attr-defined]
        yield bot


async def slash(double, world, member, command, **options):
    result = await double.slash(world.guild, world.channel, member, command, options)
    await result.final()
    return result


async def announce(bot: BriefBot, clock: FakeClock, minutes: float = 11) -> None:
    clock.advance(minutes=minutes)
    await bot.get_cog("Watch").announcer.run_due()  # type: ignore[union-attr]


async def approve_report(double: DiscordDouble, world: World, bot: BriefBot, report: dict[str, str]) -> None:
    """A member proposes the report; a moderator approves it from the review channel."""
    opened = await double.slash(
        world.guild,
        world.channel,
        world.member,
        "fact propose",
        {"kind": "event", "reliability": "D", "credibility": 4, "actor": "Tatmadaw"},
    )
    await double.submit_modal(world.guild, world.channel, world.member, opened, report)
    review = bot.review  # type: ignore[attr-defined]
    message = pending(double, review)[-1]
    approved = await choose(double, world, review, world.moderator, message, "approve", report["statement"][:30])
    await approved.final()


async def test_an_actor_watch_hears_of_an_approved_report_once_with_its_citation(discord_double, world, tmp_path):
    clock = FakeClock(datetime.now(UTC))
    async with watch_bot(discord_double, world, tmp_path / "store.db", clock) as bot:
        added = await slash(discord_double, world, world.other, "watch add", what="actor", name="Tatmadaw")
        assert added.ephemeral and "Watch #1 added" in added.text
        await approve_report(discord_double, world, bot, REPORT)
        assert discord_double.dms(world.other) == []  # batched: the window has not passed
        await announce(bot, clock)
        await announce(bot, clock)
        [dm] = discord_double.dms(world.other)
        text = embed_text(dm.embeds)
        assert "Watch: 1 new fact" in text and "shelled Namhsan" in text and "Resident's message" in text
        assert "(matched actor " in text and "junta" in text and "/fact show id:" in text
        assert dm.nonce and dm.allowed_mentions == {"parse": []}
        listed = await slash(discord_double, world, world.other, "watch list")
        assert listed.ephemeral and "last told <t:" in listed.text
        assert "Tatmadaw" not in (await slash(discord_double, world, world.member, "watch list")).text
        refused = await slash(discord_double, world, world.member, "watch remove", id=1)
        assert refused.ephemeral and "You have no watch #1" in refused.text
        assert "Watch #1 removed" in (await slash(discord_double, world, world.other, "watch remove", id=1)).text


async def test_ten_facts_in_a_minute_arrive_as_one_message(discord_double, world, tmp_path):
    clock = FakeClock(datetime.now(UTC))
    analyst = world.guild.add_member("analyst")
    async with watch_bot(discord_double, world, tmp_path / "store.db", clock) as bot:
        await slash(discord_double, world, analyst, "watch add", what="words", name="Namhsan shelling")
        for n in range(10):
            await approve_report(discord_double, world, bot, {**REPORT, "statement": f"Shelling hit Namhsan ward {n}."})
        await announce(bot, clock)
        [dm] = discord_double.dms(analyst)
        assert "Watch: 10 new facts" in embed_text(dm.embeds)


async def test_closed_dms_pause_the_watches_and_are_explained_at_the_next_command(discord_double, world, tmp_path):
    clock = FakeClock(datetime.now(UTC))
    shy = world.guild.add_member("shy")
    async with watch_bot(discord_double, world, tmp_path / "store.db", clock) as bot:
        await slash(discord_double, world, shy, "watch add", what="actor", name="Tatmadaw")
        discord_double.close_dms(shy)
        try:
            await approve_report(discord_double, world, bot, REPORT)
            await announce(bot, clock)
            assert discord_double.dms(shy) == []
            asked = await discord_double.slash(world.guild, world.channel, shy, "watch list", {})
            await asked.final()
            assert "paused: your direct messages are closed" in asked.text
            told = [f.content for f in await asked.wait_followups(1) if "DM watches are paused (1)" in f.content]
            assert len(told) == 1 and "/watch resume" in told[0]
        finally:
            discord_double.close_dms(shy, closed=False)
        resumed = await slash(discord_double, world, shy, "watch resume")
        assert "1 watch will tell you in DMs again" in resumed.text


async def test_dm_opening_refused_as_too_fast_is_backed_off_and_every_notice_arrives_once(
    discord_double, world, tmp_path
):
    clock = FakeClock(datetime.now(UTC))
    readers = [world.guild.add_member(f"reader{n}") for n in range(3)]
    async with watch_bot(discord_double, world, tmp_path / "store.db", clock) as bot:
        for reader in readers:
            await slash(discord_double, world, reader, "watch add", what="actor", name="Tatmadaw")
        discord_double.refuse_dm_opens(2)
        await approve_report(discord_double, world, bot, REPORT)
        await announce(bot, clock)
        await announce(bot, clock)
        for reader in readers:
            assert len(discord_double.dms(reader)) == 1, reader
    assert discord_double.schema_violations == []


async def test_two_processes_for_one_shard_and_a_kill_tell_each_member_once(database, tmp_path, monkeypatch):
    # Shard 1's server is served by two processes at once (an overlap by mistake), and one of them is
    # killed once the first alerts are out: the store, not the settings, decides who tells whom, once.
    monkeypatch.setenv("WATCH_BATCH_MINUTES", "0")
    async with cluster(database, tmp_path) as c:
        readers = {server.guild.id: [server.guild.add_member(f"reader{n}") for n in range(4)] for server in c.servers}
        services = await open_services(settings(c.database))
        try:
            for guild_id, members in readers.items():
                for member in members:
                    q = WatchAddRequest(what="actor", name="Tatmadaw")
                    await services.watches.add(q, services.settings.default_topic, guild_id, member.id, moderator=False)
            _, _, doubled = await c.up(0, 1, 1)
            await services.curator.add_fact(
                FactFields(**{**FORM, "kind": "event", "reliability": "C", "credibility": 3, "actors": ["Tatmadaw"]}),
                Author(id=1, name="mona"),
            )
        finally:
            await services.close()
        everyone = [m for members in readers.values() for m in members]
        deadline = time.monotonic() + 60
        while not any(c.double.dms(m) for m in readers[c.servers[1].guild.id]):
            assert time.monotonic() < deadline, doubled.tail()
            await asyncio.sleep(0.05)
        await doubled.kill()
        while not all(c.double.dms(m) for m in everyone):
            assert time.monotonic() < deadline + 30, "\n".join(p.tail() for p in c.processes)
            await asyncio.sleep(0.2)
        await asyncio.sleep(6)  # a sweep more: nothing is told twice
        assert [len(c.double.dms(m)) for m in everyone] == [1] * len(everyone)
        assert all("Chinshwehaw" in embed_text(c.double.dms(m)[0].embeds) for m in everyone)
