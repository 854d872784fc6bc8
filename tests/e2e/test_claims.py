"""Who claims it: a party's claim is marked as such on review, graded 3 at best when approved, and in answers.

The bot runs as in production; the claim reaches review through /fact propose, which anyone may use, and a
moderator approves it as it stands.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.edge.app import BriefBot
from tests.discord_double import DiscordDouble
from tests.discord_double.records import DoubleMessage
from tests.discord_double.world import Channel
from tests.e2e.conftest import World, bot_settings, running_bot
from tests.e2e.reviewing import choose, reviews
from tests.intake_data.server import article, news_site

pytestmark = pytest.mark.asyncio(loop_scope="module")

PARTY = "claimed by a spokesman for the MNDAA, a party to the fighting"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def review(world: World) -> Channel:
    return world.guild.add_channel("review")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(discord_double_server: DiscordDouble, world: World, review: Channel) -> AsyncIterator[BriefBot]:
    settings = bot_settings(
        discord_double_server, world, review_channel_id=review.id, fetch_allow_private_addresses=True
    )
    async with running_bot(discord_double_server, settings) as running:
        yield running


async def approve(double: DiscordDouble, world: World, channel: Channel, message: DoubleMessage, words: str) -> int:
    """Approve the candidate whose statement holds `words` on its review message; the fact it became."""
    await choose(double, world, channel, world.moderator, message, "approve", words)
    text = double.message(message.id).text
    entry = text[text.index(words) :]
    assert "Approved by mona as fact #" in entry, text
    return int(entry.split("as fact #", 1)[1].split(",", 1)[0].split()[0])


async def fact_form(double: DiscordDouble, world: World, member, command: str, options, statement: str):
    """The command's options, then the fact form with `statement` and a wire report as its source."""
    opened = await double.slash(world.guild, world.channel, member, command, options)
    assert opened.response_type == 9, opened.text
    form = {
        "statement": statement,
        "source_title": "Kokang forces claim the Chinshwehaw gate",
        "source_url": "https://wire.example/chinshwehaw",
        "source_date": "2023-10-30",
        "as_of": "2023-10-29",
    }
    return await double.submit_modal(world.guild, world.channel, member, opened, form)


async def propose(double: DiscordDouble, world: World, options: dict[str, object], statement: str) -> DoubleMessage:
    sent = await fact_form(double, world, world.member, "fact propose", options, statement)
    assert "Proposed as candidate #" in sent.text
    return sent


async def test_a_partys_claim_is_marked_on_review_approved_at_three_and_shown_in_search(
    discord_double, world, review, bot
):
    options = {
        "kind": "event",
        "reliability": "B",
        "credibility": 2,
        "claimant": "a spokesman for the MNDAA",
        "claimed_by": "Kokang army",
    }
    await propose(discord_double, world, options, "The MNDAA said it had taken the Chinshwehaw border gate.")
    [message] = reviews(discord_double, review)
    assert PARTY in message.text
    assert "grade B3" in message.text and "graded 3 (possibly true) at best" in message.text
    fact_id = await approve(discord_double, world, review, message, "Chinshwehaw")
    stored = await bot.store.fact(fact_id)
    assert stored is not None and (stored.reliability, stored.credibility) == ("B", 3)
    assert stored.claimant_actor is not None and stored.claimant_actor.slug == "mndaa"

    result = await discord_double.slash(
        world.guild, world.channel, world.member, "search", {"query": "Chinshwehaw gate"}
    )
    found = await result.final(timeout=15)
    assert "Chinshwehaw border gate" in found.text and PARTY in found.text
    assert "grade B3" in found.text


async def test_an_observers_claim_keeps_its_grade_and_names_no_party(discord_double, world, review, bot):
    options = {
        "kind": "event",
        "reliability": "B",
        "credibility": 2,
        "claimant": "the foreign ministry",
        "claimed_by": "Beijing",
    }
    await propose(discord_double, world, options, "China said it had asked both sides to stop fighting near the gate.")
    message = reviews(discord_double, review)[-1]
    assert "claimed by the foreign ministry" in message.text and "a party to the fighting" not in message.text
    assert "grade B2" in message.text
    fact_id = await approve(discord_double, world, review, message, "stop fighting")
    stored = await bot.store.fact(fact_id)
    assert stored is not None and stored.credibility == 2


async def test_a_moderator_grading_a_partys_claim_better_is_told_what_was_stored(discord_double, world, bot):
    options = {"kind": "event", "reliability": "B", "credibility": 1, "claimed_by": "junta"}
    statement = "The junta said its air force had struck no civilian target in Laukkai."
    saved = await fact_form(discord_double, world, world.moderator, "fact add", options, statement)
    assert "Saved fact #" in saved.text
    assert "Credibility stored as 3 (possibly true), not 1" in saved.text
    assert "claimed by Myanmar military junta, a party to the fighting" in saved.text


async def test_a_partys_claim_in_a_served_article_is_marked_and_approved_at_three(discord_double, world, review, bot):
    paragraphs = [
        "A spokesman for the MNDAA said on Tuesday that its fighters had taken the Laukkai police station.",
        "Residents of Laukkai reported heavy shelling through the night.",
    ]
    async with news_site() as site:
        url = site.page("/kokang.html", article("Kokang fighters claim Laukkai station", paragraphs))
        before = len(reviews(discord_double, review))
        result = await discord_double.slash(
            world.guild, world.channel, world.moderator, "source add", {"url": url, "reliability": "A"}
        )
        await result.final(timeout=15)
    [claimed] = reviews(discord_double, review)[before:]
    assert "police station" in claimed.text
    assert "a party to the fighting" in claimed.text and "claimed by" in claimed.text
    fact_id = await approve(discord_double, world, review, claimed, "police station")
    stored = await bot.store.fact(fact_id)
    assert stored is not None and (stored.reliability, stored.credibility) == ("A", 3)
    assert stored.claimant_actor is not None and stored.claimant_actor.slug == "mndaa"
