"""Reports flowing in: feeds and articles from a real news site on loopback, reviewed in Discord.

The bot runs as in production but for FETCH_ALLOW_PRIVATE_ADDRESSES (the site is on 127.0.0.1) and a
short fetch time limit (so the slow drip costs a second, not ten). The tests share one store and run
in order, as a team would: follow a feed, review its candidates, restart, review more.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.edge.app import BriefBot
from tests.discord_double import DiscordDouble
from tests.discord_double.records import DoubleMessage
from tests.discord_double.world import Channel
from tests.e2e.conftest import World, bot_settings, embed_text, running_bot
from tests.intake_data.server import GZERO_PAGE, REPORTS, Item, NewsSite, article, news_site

pytestmark = pytest.mark.asyncio(loop_scope="module")

ADS = ("Microsoft", "Walmart", "YouTube", "Malibu", "football", "tea, 20% off")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def site() -> AsyncIterator[NewsSite]:
    async with news_site() as running:
        for n, paragraphs in enumerate(REPORTS):
            running.page(f"/story-{n}.html", article(f"Story {n}", paragraphs, asides=["Sponsored: tea, 20% off."]))
        running.feed(
            "/wire.xml", "Test Wire", [Item(f"urn:wire:{n}", f"/story-{n}.html", f"Story {n}") for n in range(2)]
        )
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def review(world: World) -> Channel:
    return world.guild.add_channel("review")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def alerts(world: World) -> Channel:
    return world.guild.add_channel("alerts")


@contextlib.asynccontextmanager
async def intake_bot(double: DiscordDouble, world: World, review: Channel, alerts: Channel) -> AsyncIterator[BriefBot]:
    settings = bot_settings(
        double,
        world,
        review_channel_id=review.id,
        alert_channel_id=alerts.id,
        fetch_allow_private_addresses=True,
    )
    async with running_bot(double, settings) as bot:
        bot.services.intake.reading.fetcher.timeout = 1.0
        yield bot


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(discord_double_server: DiscordDouble, world: World, review, alerts) -> AsyncIterator[BriefBot]:
    async with intake_bot(discord_double_server, world, review, alerts) as running:
        yield running


def candidates(double: DiscordDouble, channel: Channel) -> list[DoubleMessage]:
    return [m for m in double.messages(channel, include_ephemeral=False) if m.embeds and "Candidate #" in m.text]


def pending(double: DiscordDouble, channel: Channel) -> list[DoubleMessage]:
    return [m for m in candidates(double, channel) if m.custom_ids]


def button(message: DoubleMessage, action: str) -> str:
    return next(c for c in message.custom_ids if c.startswith(f"intake:{action}:"))


async def slash(double, world, member, command, options=None):
    result = await double.slash(world.guild, world.channel, member, command, options or {})
    return await result.final(timeout=15)


async def test_a_feed_added_puts_candidates_in_the_review_channel_and_no_ads(discord_double, world, review, site, bot):
    shown = await slash(discord_double, world, world.moderator, "feed add", {"url": site.base + "/wire.xml"})
    assert shown.ephemeral
    assert "Following feed #1: Test Wire" in shown.text and "It holds 2 items now" in shown.text
    posted = candidates(discord_double, review)
    assert len(posted) == 4
    for message in posted:
        # The decisions first; a pair of buttons per new name the candidate offers may follow (issue 24).
        assert message.custom_ids[:3] == [button(message, a) for a in ("approve", "edit", "reject")]
        assert all(c.startswith("grow:") for c in message.custom_ids[3:])
        assert "Sources" in message.text and site.base in message.text  # nothing fetched shown without its source
        assert message.allowed_mentions == {"parse": []} and not message.pings
        assert not [ad for ad in ADS if ad in message.text]
    listed = await slash(discord_double, world, world.member, "feed list")
    assert "#1 Test Wire" in listed.text and "✅ ok" in listed.text


async def test_the_seed_article_as_a_file_gives_its_story_and_never_its_ads(discord_double, world, review, bot):
    before = len(candidates(discord_double, review))
    upload = discord_double.attachment("gzero.html", GZERO_PAGE.encode(), content_type="text/html")
    shown = await slash(discord_double, world, world.moderator, "source add", {"file": upload, "reliability": "B"})
    assert "Read: A rebel alliance makes Myanmar’s junta sweat" in shown.text
    posted = candidates(discord_double, review)[before:]
    assert len(posted) >= 6
    text = "\n".join(m.text for m in posted)
    assert "Operation 1027" in text and "Nearly duplicates" in text and "GZERO Media" in text
    assert not [ad for ad in ADS if ad in text]
    again = await slash(discord_double, world, world.moderator, "source add", {"file": upload})
    assert "read before" in again.text and len(candidates(discord_double, review)) == before + len(posted)


async def test_a_reader_pressing_approve_is_refused_and_nothing_changes(discord_double, world, review, bot):
    message = pending(discord_double, review)[0]
    refused = await discord_double.press(world.guild, review, world.member, message, button(message, "approve"))
    assert refused.ephemeral and "Only moderators" in refused.text
    assert discord_double.message(message.id).custom_ids == message.custom_ids
    assert (await bot.services.intake.review.candidate(1)).status == "pending"


async def test_approve_and_reject_then_search_and_a_second_poll(discord_double, world, review, site, bot):
    messages = {m.id: m for m in pending(discord_double, review)}
    paletwa = next(m for m in messages.values() if "Paletwa" in m.text)
    rakhine = next(m for m in messages.values() if "displaced" in m.text)
    approved = await discord_double.press(world.guild, review, world.moderator, paletwa, button(paletwa, "approve"))
    assert approved.response_type == 7  # the review message itself is updated
    after = discord_double.message(paletwa.id)
    assert after.custom_ids == [] and "Approved by mona as fact #" in after.text
    rejected = await discord_double.press(world.guild, review, world.moderator, rakhine, button(rakhine, "reject"))
    assert rejected.response_type == 7 and "Rejected by mona" in discord_double.message(rakhine.id).text
    found = await slash(discord_double, world, world.member, "search", {"query": "Paletwa outpost"})
    assert "Paletwa" in found.text and f"{site.base}/story-0.html" in found.text
    missing = await slash(discord_double, world, world.member, "search", {"query": "displaced weekend"})
    assert "displaced" not in embed_text(missing.embeds).split("\n", 1)[-1]
    before = len(candidates(discord_double, review))
    polled = await slash(discord_double, world, world.moderator, "feed poll", {"id": 1})
    assert "unchanged since the last poll" in polled.text and site.not_modified["/wire.xml"] >= 1
    assert len(candidates(discord_double, review)) == before


async def test_edit_opens_the_form_prefilled_and_approves_the_edit(discord_double, world, review, bot):
    message = next(m for m in pending(discord_double, review) if "ceasefire" in m.text)
    opened = await discord_double.press(world.guild, review, world.moderator, message, button(message, "edit"))
    assert opened.response_type == 9
    defaults = {c["custom_id"]: c.get("value") for row in opened.modal["components"] for c in row["components"]}
    assert defaults["statement"].startswith("Beijing brokered a temporary ceasefire")
    assert defaults["source_url"].endswith("/story-1.html") and defaults["as_of"] == "2023-12-01"
    values = {**defaults, "statement": "Beijing brokered a ceasefire between the junta and the Brotherhood."}
    saved = await discord_double.submit_modal(world.guild, review, world.moderator, opened, values)
    assert saved.response_type == 7
    assert "Approved by mona" in discord_double.message(message.id).text
    shown = await slash(discord_double, world, world.member, "search", {"query": "ceasefire Brotherhood"})
    assert "Beijing brokered a ceasefire between the junta and the Brotherhood." in shown.text


async def test_anyone_may_propose_and_only_moderators_decide(discord_double, world, review, bot):
    opened = await discord_double.slash(
        world.guild,
        world.channel,
        world.member,
        "fact propose",
        {"kind": "event", "reliability": "D", "credibility": 4, "actor": "Tatmadaw"},
    )
    assert opened.response_type == 9
    form = {
        "statement": "Hey @everyone: the Tatmadaw shelled Namhsan on 2 February 2024, residents said.",
        "source_title": "Resident's message",
        "source_url": "",
        "source_date": "",
        "as_of": "2024-02-02",
    }
    sent = await discord_double.submit_modal(world.guild, world.channel, world.member, opened, form)
    assert sent.ephemeral and "Proposed as candidate #" in sent.text
    message = pending(discord_double, review)[-1]
    assert "proposed by alice" in message.text and "Namhsan" in message.text and not message.pings
    refused = await discord_double.press(world.guild, review, world.other, message, button(message, "reject"))
    assert refused.ephemeral and "Only moderators" in refused.text


async def test_hostile_feeds_are_reported_on_the_feed_and_never_stop_the_bot(
    discord_double, world, review, alerts, site, bot
):
    for path in ("/not-a-feed", "/page-not-feed", "/broken.xml", "/loop", "/huge.xml", "/drip"):
        refused = await slash(discord_double, world, world.moderator, "feed add", {"url": site.base + path})
        assert refused.ephemeral and "That URL gives no feed" in refused.text, (path, refused.text)
    site.feed("/turns.xml", "Turns Bad", [])
    added = await slash(discord_double, world, world.moderator, "feed add", {"url": site.base + "/turns.xml"})
    feed_id = int(added.text.split("feed #", 1)[1].split(":", 1)[0])
    del site.feeds["/turns.xml"]
    polled = await slash(discord_double, world, world.moderator, "feed poll", {"id": feed_id})
    assert "failed: HTTP 404" in polled.text
    listed = await slash(discord_double, world, world.member, "feed list")
    assert "⚠️ failing" in listed.text and "Last error (1 in a row" in listed.text
    paused = await slash(discord_double, world, world.moderator, "feed pause", {"id": feed_id})
    assert "is paused" in paused.text
    reader = await discord_double.slash(
        world.guild, world.channel, world.member, "feed remove", {"id": feed_id}, overridden=True
    )
    assert reader.ephemeral and "Only moderators" in reader.text
    removed = await slash(discord_double, world, world.moderator, "feed remove", {"id": feed_id})
    assert "no longer followed" in removed.text
    # The bot still answers, at once.
    ping = await asyncio.wait_for(slash(discord_double, world, world.member, "ping"), 5)
    assert "pong" in ping.text


async def test_buttons_work_after_a_restart_and_rejected_sentences_stay_out(
    discord_double, world, review, alerts, site, bot
):
    """Last: it stops the module's bot, as a deploy would, and starts another on the same store."""
    await bot.close()
    # A new item repeats the rejected sentence and brings a new one; the bot was down when it appeared.
    site.page("/story-9.html", article("Story 9", [REPORTS[0][1], REPORTS[2][0]]))
    site.feeds["/wire.xml"][1].append(Item("urn:wire:9", "/story-9.html", "Story 9"))
    async with intake_bot(discord_double, world, review, alerts) as restarted:
        message = next(m for m in pending(discord_double, review) if "MNDAA" in m.text)
        approved = await discord_double.press(world.guild, review, world.moderator, message, button(message, "approve"))
        assert approved.response_type == 7 and "Approved by mona" in discord_double.message(message.id).text
        polled = await slash(discord_double, world, world.moderator, "feed poll", {"id": 1})
        assert "1 new" in polled.text or "unchanged" in polled.text  # the start-up round may have been first
        texts = [m.text for m in candidates(discord_double, review)]
        assert sum("displaced more than 5,000" in t for t in texts) == 1  # rejected once, never again
        assert sum("Hsipaw" in t for t in texts) == 1
        assert (await restarted.services.intake.feeds.intake.counts())["approved"] == 3
