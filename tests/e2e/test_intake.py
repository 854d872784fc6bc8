"""Reports flowing in: feeds and articles from a real news site on loopback, reviewed in Discord.

The bot runs as in production but for FETCH_ALLOW_PRIVATE_ADDRESSES (the site is on 127.0.0.1) and a
short fetch time limit (so the slow drip costs a second, not ten). The tests share one store and run
in order, as a team would: follow a feed, review its articles' candidates (one message per article),
restart, review more. The last test has a store of its own, for a review channel the bot may not post in.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord
import pytest
import pytest_asyncio

from bot.edge.app import BriefBot
from bot.edge.review import ReviewButton
from tests.discord_double import DiscordDouble
from tests.discord_double.world import Channel
from tests.e2e.conftest import World, bot_settings, embed_text, running_bot
from tests.e2e.reviewing import choose, control, number_of, pending, reviews
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


async def slash(double, world, member, command, options=None):
    result = await double.slash(world.guild, world.channel, member, command, options or {})
    return await result.final(timeout=15)


async def test_a_feed_added_puts_one_review_message_per_article_and_no_ads(discord_double, world, review, site, bot):
    shown = await slash(discord_double, world, world.moderator, "feed add", {"url": site.base + "/wire.xml"})
    assert shown.ephemeral
    assert "Following feed #1: Test Wire" in shown.text and "It holds 2 items now" in shown.text
    posted = reviews(discord_double, review)
    assert len(posted) == 2  # two articles, two candidates each: one message per article
    for message in posted:
        picks = [control(message, "pick", a) for a in ("approve", "reject", "edit")]
        decisions = [*picks, control(message, "all", "approve"), control(message, "all", "reject")]
        # A menu of the new names the candidates offer may follow (issue 24).
        assert message.custom_ids[:5] == decisions and all(
            c.startswith("intake:names:") for c in message.custom_ids[5:]
        )
        assert "**1.**" in message.text and "**2.**" in message.text and "2 waiting" in message.text
        assert "Sources" in message.text and site.base in message.text  # nothing fetched shown without its source
        assert message.allowed_mentions == {"parse": []} and not message.pings
        assert not [ad for ad in ADS if ad in message.text]
    listed = await slash(discord_double, world, world.member, "feed list")
    assert "#1 Test Wire" in listed.text and "✅ ok" in listed.text


async def test_the_seed_article_as_a_file_is_one_review_message_and_never_its_ads(discord_double, world, review, bot):
    before = len(reviews(discord_double, review))
    upload = discord_double.attachment("gzero.html", GZERO_PAGE.encode(), content_type="text/html")
    shown = await slash(discord_double, world, world.moderator, "source add", {"file": upload, "reliability": "B"})
    assert "Read: A rebel alliance makes Myanmar’s junta sweat" in shown.text
    [message] = reviews(discord_double, review)[before:]
    found = int(shown.text.split(" candidate facts", 1)[0].split()[-1])
    # The seed pack was built from this article: what it restates of the pack is not proposed again.
    assert found == 2 and all(f"**{n}.**" in message.text for n in range(1, found + 1))
    assert "40% of Myanmar’s access to China" in message.text and "air superiority" not in message.text
    assert "GZERO Media" in message.text and not [ad for ad in ADS if ad in message.text]
    again = await slash(discord_double, world, world.moderator, "source add", {"file": upload})
    assert "read before" in again.text and len(reviews(discord_double, review)) == before + 1


async def test_a_reader_choosing_is_refused_and_nothing_changes(discord_double, world, review, bot):
    message = pending(discord_double, review)[0]
    for custom_id, values in [
        (control(message, "pick", "approve"), [number_of(message, "")]),
        (control(message, "all", "approve"), None),
    ]:
        refused = await discord_double.press(world.guild, review, world.member, message, custom_id, values=values)
        assert refused.ephemeral and "Only moderators" in refused.text
    assert discord_double.message(message.id).custom_ids == message.custom_ids
    assert (await bot.services.intake.review.candidate(1)).status == "pending"


async def test_approve_one_reject_one_then_search_and_a_second_poll(discord_double, world, review, site, bot):
    story = next(m for m in pending(discord_double, review) if "Paletwa" in m.text)
    approved = await choose(discord_double, world, review, world.moderator, story, "approve", "Paletwa")
    assert approved.response_type == 7  # the review message itself is updated
    after = discord_double.message(story.id)
    assert "Approved by mona as fact #" in after.text and "1 waiting" in after.text
    assert after.custom_ids and after.allowed_mentions == {"parse": []}
    rejected = await choose(discord_double, world, review, world.moderator, after, "reject", "displaced")
    assert rejected.response_type == 7
    after = discord_double.message(story.id)
    assert "Rejected by mona" in after.text and after.custom_ids == []  # none waits: its controls go
    found = await slash(discord_double, world, world.member, "search", {"query": "Paletwa outpost"})
    assert "Paletwa" in found.text and f"{site.base}/story-0.html" in found.text
    missing = await slash(discord_double, world, world.member, "search", {"query": "displaced weekend"})
    assert "displaced" not in embed_text(missing.embeds).split("\n", 1)[-1]
    before = len(reviews(discord_double, review))
    polled = await slash(discord_double, world, world.moderator, "feed poll", {"id": 1})
    assert "unchanged since the last poll" in polled.text and site.not_modified["/wire.xml"] >= 1
    assert len(reviews(discord_double, review)) == before


async def test_edit_opens_the_form_prefilled_and_approves_the_edit(discord_double, world, review, bot):
    message = next(m for m in pending(discord_double, review) if "ceasefire" in m.text)
    opened = await choose(discord_double, world, review, world.moderator, message, "edit", "ceasefire")
    assert opened.response_type == 9
    defaults = {c["custom_id"]: c.get("value") for row in opened.modal["components"] for c in row["components"]}
    assert defaults["statement"].startswith("Beijing brokered a temporary ceasefire")
    assert defaults["source_url"].endswith("/story-1.html") and defaults["as_of"] == "2023-12-01"
    values = {**defaults, "statement": "Beijing brokered a ceasefire between the junta and the Brotherhood."}
    saved = await discord_double.submit_modal(world.guild, review, world.moderator, opened, values)
    assert saved.response_type == 7
    after = discord_double.message(message.id)
    assert "Approved by mona" in after.text and after.custom_ids  # its other candidate still waits
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
    refused = await discord_double.press(world.guild, review, world.other, message, control(message, "all", "reject"))
    assert refused.ephemeral and "Only moderators" in refused.text


async def test_a_long_article_is_one_message_in_pages_and_the_rest_rejected_at_once(
    discord_double, world, review, site, bot
):
    towns = ["Paletwa", "Laukkai", "Lashio", "Hsenwi", "Kunlong", "Chinshwehaw", "Namhsan", "Mongko"]
    paragraphs = [
        f"The Arakan Army said on {day} January 2024 that fighting near {town} had displaced {day * 100} people."
        for day, town in enumerate(towns * 2, start=2)
    ]
    site.page("/long.html", article("Long report", paragraphs))
    shown = await slash(discord_double, world, world.moderator, "source add", {"url": site.base + "/long.html"})
    found = int(shown.text.split(" candidate facts", 1)[0].split()[-1])
    assert found > 10
    [message] = [m for m in reviews(discord_double, review) if "Long report" in m.text]
    assert "Page 1/2" in message.text and "**10.**" in message.text and "**11.**" not in message.text
    forward = [c for c in message.custom_ids if c.startswith("intake:page:")][-1]  # ◀ then ▶
    turned = await discord_double.press(world.guild, review, world.moderator, message, forward)
    assert turned.response_type == 7
    page_two = discord_double.message(message.id)
    assert "Page 2/2" in page_two.text and "**11.**" in page_two.text and f"{found} waiting" in page_two.text
    rejected = await discord_double.press(
        world.guild, review, world.moderator, page_two, control(page_two, "all", "reject")
    )
    assert rejected.response_type == 7
    done = discord_double.message(message.id)
    assert done.custom_ids == [] and "Every candidate is decided." in done.text and "Rejected by mona" in done.text


async def test_a_message_of_one_candidate_posted_before_review_messages_still_decides_it(
    discord_double, world, review, bot
):
    message = next(m for m in pending(discord_double, review) if "GZERO Media" in m.text)
    candidate_id = int(number_of(message, ""))
    old = discord.ui.View(timeout=None)
    for action in ("approve", "edit", "reject"):
        old.add_item(ReviewButton(action, candidate_id))
    sent = await bot.get_partial_messageable(review.id).send("Candidate", view=old)
    posted = discord_double.message(sent.id)
    rejected = await discord_double.press(world.guild, review, world.moderator, posted, f"intake:reject:{candidate_id}")
    assert rejected.response_type == 7
    after = discord_double.message(sent.id)
    assert after.custom_ids == [] and f"Candidate #{candidate_id} (rejected)" in after.text
    assert (await bot.services.intake.review.candidate(candidate_id)).status == "rejected"


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


async def test_controls_work_after_a_restart_and_rejected_sentences_stay_out(
    discord_double, world, review, alerts, site, bot
):
    """Last on the shared store: it stops the module's bot, as a deploy would, and starts another on it."""
    await bot.close()
    # A new item repeats the rejected sentence and brings a new one; the bot was down when it appeared.
    site.page("/story-9.html", article("Story 9", [REPORTS[0][1], REPORTS[2][0]]))
    site.feeds["/wire.xml"][1].append(Item("urn:wire:9", "/story-9.html", "Story 9"))
    async with intake_bot(discord_double, world, review, alerts) as restarted:
        message = next(m for m in pending(discord_double, review) if "MNDAA" in m.text)
        approved = await choose(discord_double, world, review, world.moderator, message, "approve", "MNDAA")
        assert approved.response_type == 7 and "Approved by mona" in discord_double.message(message.id).text
        polled = await slash(discord_double, world, world.moderator, "feed poll", {"id": 1})
        assert "1 new" in polled.text or "unchanged" in polled.text  # the start-up round may have been first
        texts = [m.text for m in reviews(discord_double, review)]
        assert sum("displaced more than 5,000" in t for t in texts) == 1  # rejected once, never again
        assert sum("Hsipaw" in t for t in texts) == 1
        newest = next(m for m in pending(discord_double, review) if "Hsipaw" in m.text)
        done = await discord_double.press(
            world.guild, review, world.moderator, newest, control(newest, "all", "approve")
        )
        assert done.response_type == 7 and discord_double.message(newest.id).custom_ids == []
        assert (await restarted.services.intake.feeds.intake.counts())["approved"] == 4


@pytest.mark.parametrize("broken", ["forbidden", "deleted"])
async def test_a_review_channel_the_bot_cannot_post_in_is_told_once_and_waits_for_a_working_one(
    discord_double, world, site, tmp_path, broken
):
    me = world.guild.me
    if broken == "forbidden":
        bad = world.guild.add_channel(
            "locked-review", overwrites={me: (discord.Permissions.none(), discord.Permissions(send_messages=True))}
        ).id
    else:
        bad = 10**18 + 7  # a channel since deleted: Discord answers 404 Unknown Channel
    working, told = world.guild.add_channel("new-review"), world.guild.add_channel("mod-alerts")
    database = tmp_path / "own.db"

    def settings(channel_id: int):
        return bot_settings(
            discord_double,
            world,
            review_channel_id=channel_id,
            alert_channel_id=told.id,
            fetch_allow_private_addresses=True,
            database_path=database,
        )

    posts_to_bad = rf"/channels/{bad}/messages"
    async with running_bot(discord_double, settings(bad)) as first:
        first.services.intake.reading.fetcher.timeout = 1.0
        shown = await slash(discord_double, world, world.moderator, "source add", {"url": site.base + "/story-0.html"})
        assert "2 candidate facts" in shown.text
        tried = len(discord_double.requests_to("POST", posts_to_bad))
        assert tried >= 1
        [alert] = discord_double.messages(told, include_ephemeral=False)
        assert f"<#{bad}>" in alert.text and "REVIEW_CHANNEL_ID" in alert.text
        assert alert.allowed_mentions == {"parse": []}
        for _ in range(2):
            await first.services.intake.feeds.round()  # later rounds leave it alone, and say nothing
        assert len(discord_double.requests_to("POST", posts_to_bad)) == tried
        assert len(discord_double.messages(told, include_ephemeral=False)) == 1
    async with running_bot(discord_double, settings(working.id)) as second:
        await second.services.intake.feeds.round()  # as the start-up round does, once connected
        [message] = reviews(discord_double, working)
        assert "2 waiting" in message.text and message.custom_ids
        assert len(discord_double.messages(told, include_ephemeral=False)) == 1
