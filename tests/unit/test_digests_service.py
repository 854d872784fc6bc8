"""The /digest commands' domain side: replies, listings, refusals, previews, and the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bot.cli import digests as cli
from bot.config import ConfigError, Settings
from bot.digests.models import ListRequest, MilestoneRequest, PreviewRequest, SubscribeRequest
from bot.errors import NotFound, UserError
from bot.seeding import seed_if_empty
from bot.store import Store
from tests.unit.digest_doubles import CHANNEL, GUILD, MOD, OTHER_GUILD, at, open_rig

SEED_DIR = Path(__file__).resolve().parents[2] / "bot" / "seed_packs"


@pytest.fixture
async def rig(store_target):
    opened = await open_rig(at("2024-03-29 12:00"), target=store_target)
    yield opened
    await opened.store.close()


async def test_subscribing_shows_the_next_three_runs_in_the_subscriptions_zone(rig):
    q = SubscribeRequest(channel=CHANNEL, schedule="daily 09:00", timezone="Europe/London")
    reply = await rig.service.subscribe(q, GUILD, MOD)
    assert reply.title == "Digest #1 scheduled"
    runs = [line.text for line in reply.lines[2:]]
    assert runs == [
        "Sat 30 Mar 2024 09:00 GMT (<t:1711789200:f>)",
        "Sun 31 Mar 2024 09:00 BST (<t:1711872000:f>)",
        "Mon 1 Apr 2024 09:00 BST (<t:1711958400:f>)",
    ]
    stored = await rig.service.digests.subscription(1)
    assert (stored.created_by, stored.created_by_name, stored.schedule) == (MOD.id, MOD.name, "daily 09:00")


async def test_an_unknown_topic_is_refused_with_the_topics_there_are(rig):
    q = SubscribeRequest(channel=CHANNEL, schedule="daily 09:00", timezone="UTC", topic="elsewhere")
    with pytest.raises(NotFound, match="Topics: `crisis`"):
        await rig.service.subscribe(q, GUILD, MOD)


async def test_the_listing_shows_each_digest_with_its_next_run_state_and_last_result(rig):
    daily = await rig.subscribe("daily 09:00", "Europe/London", quiet=True)
    weekly = await rig.subscribe("weekly mon 09:00", channel=CHANNEL + 1)
    await rig.deliveries.send_now(weekly, GUILD)
    await rig.service.milestone(MilestoneRequest(event="launch", after="1 year", channel=CHANNEL), GUILD, MOD)
    await rig.service.pause(daily, GUILD, MOD)
    listing = await rig.service.listing(ListRequest(), GUILD)
    lines = [line.text for line in listing.lines]
    assert lines[0].startswith(f"**#{daily}** <#{CHANNEL}> · `daily 09:00` Europe/London, quiet · crisis · ⏸ paused")
    assert "next Mon 1 Apr 2024 09:00 UTC" in lines[1]
    assert lines[1].endswith(": sent")
    assert lines[2].startswith(f"**#3** <#{CHANNEL}> · 1 year after **Operation 1027 launched**")
    only = await rig.service.listing(ListRequest(channel=CHANNEL + 1), GUILD)
    assert len(only.lines) == 1
    elsewhere = await rig.service.listing(ListRequest(), OTHER_GUILD)
    assert elsewhere.lines[0].text.startswith("No digests are scheduled")


async def test_pause_resume_and_remove_refuse_what_makes_no_sense(rig):
    sub = await rig.subscribe("daily 09:00")
    with pytest.raises(UserError, match="not paused"):
        await rig.service.resume(sub, GUILD)
    await rig.service.pause(sub, GUILD, MOD)
    with pytest.raises(UserError, match="not running"):
        await rig.service.pause(sub, GUILD, MOD)
    with pytest.raises(NotFound, match="no digest #"):
        await rig.service.pause(sub, OTHER_GUILD, MOD)
    await rig.service.remove(sub, GUILD)
    with pytest.raises(NotFound):
        await rig.service.resume(sub, GUILD)
    assert (await rig.service.listing(ListRequest(), GUILD)).lines[0].text.startswith("No digests")


async def test_a_milestone_that_fell_due_while_paused_cannot_be_resumed(rig):
    rig.clock.now = at("2023-11-20 12:00")
    reply = await rig.service.milestone(MilestoneRequest(event="launch", after="1 month", channel=CHANNEL), GUILD, MOD)
    sub = int(reply.title.split("#")[1].split()[0])
    await rig.service.pause(sub, GUILD, MOD)
    rig.clock.now = at("2023-12-01 12:00")
    with pytest.raises(UserError, match=f"/digest preview id:{sub}"):
        await rig.service.resume(sub, GUILD)


async def test_previewing_posts_nothing_and_records_nothing(rig):
    sub = await rig.subscribe("daily 09:00", quiet=True)
    await rig.add_fact("Trade across the northern border fell by half.")
    [part] = await rig.service.preview(PreviewRequest(id=sub), GUILD)
    assert part.footer.endswith("preview: nothing was posted")
    assert part.sections[0].title == "New facts"
    assert not rig.poster.posted
    assert await rig.service.digests.latest(sub) is None
    with pytest.raises(NotFound):
        await rig.service.preview(PreviewRequest(id=sub), OTHER_GUILD)


def settings_for(tmp_path: Path, **values: object) -> Settings:
    return Settings(
        _env_file=None,
        database_path=tmp_path / "store.db",
        packs_dir=SEED_DIR,
        discord_token=None,
        **values,
    )


async def test_the_command_line_prints_a_milestone_preview(tmp_path, capsys):
    settings = settings_for(tmp_path)
    store = await Store.open(settings.database_path)
    await seed_if_empty(store, SEED_DIR)
    await store.close()
    args = argparse.Namespace(digest_command="preview", id=None, event="Operation 1027", after="1 month", as_of=None)
    assert await cli.run(settings, args) == 0
    out = capsys.readouterr().out
    assert "Operation 1027 launched: 1 month on · 27 Nov 2023" in out
    assert "GZERO Media" in out
    args.event = "No such thing"
    with pytest.raises(NotFound, match="No event is called"):  # `briefbot` prints it as one line (status 1)
        await cli.run(settings, args)


async def test_the_command_line_needs_a_token_to_post(tmp_path):
    args = argparse.Namespace(digest_command="run-due")
    with pytest.raises(ConfigError, match="DISCORD_TOKEN: not set"):  # one line from `briefbot` (status 2)
        await cli.run(settings_for(tmp_path), args)


def test_the_command_line_parser_takes_both_subcommands():
    parser = argparse.ArgumentParser()
    cli.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["digest", "preview", "--event", "x", "--after", "30d", "--as-of", "2023-11-20"])
    assert (args.command, args.digest_command, args.as_of) == ("digest", "preview", "2023-11-20")
    assert parser.parse_args(["digest", "run-due"]).digest_command == "run-due"
