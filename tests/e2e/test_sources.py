"""One claim, several sources, through Discord: outlets restating a claim, a party's claim, a withdrawn report.

The bot runs as in production against the Discord double, reading feeds from a news site on loopback. The
tests share one store and run in order.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.edge.app import BriefBot
from tests.discord_double import DiscordDouble
from tests.discord_double.world import Channel
from tests.e2e.conftest import World
from tests.e2e.reviewing import choose, pending
from tests.e2e.test_intake import intake_bot, slash
from tests.intake_data.server import Item, NewsSite, article, news_site

pytestmark = pytest.mark.asyncio(loop_scope="module")

SEIZED = "The Arakan Army seized a junta outpost near Paletwa on 13 January 2024, residents said."
CAPTURED = "Arakan Army fighters captured a military outpost close to Paletwa on 13 January 2024."
PARTY = "The MNDAA shot down a junta fighter jet over Shan State on 20 January 2024."
FILLER = "Unrelated filler about nothing at all."


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def site() -> AsyncIterator[NewsSite]:
    async with news_site() as running:
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def review(world: World) -> Channel:
    return world.guild.add_channel("review")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(discord_double_server: DiscordDouble, world: World, review: Channel) -> AsyncIterator[BriefBot]:
    alerts = world.guild.add_channel("alerts")
    async with intake_bot(discord_double_server, world, review, alerts) as running:
        yield running


def outlet(site: NewsSite, publisher: str, sentence: str) -> str:
    """A publisher's feed with one story reporting `sentence`; returns the feed's URL."""
    slug = re.sub(r"\W+", "-", publisher.lower())
    site.page(f"/{slug}.html", article(f"{publisher} story", [sentence, FILLER], publisher=publisher))
    return site.feed(f"/{slug}.xml", publisher, [Item(f"urn:{slug}", f"/{slug}.html", f"{publisher} story")])


async def approve(double: DiscordDouble, world: World, review: Channel, words: str) -> int:
    [message] = [m for m in pending(double, review) if words in m.text]
    await choose(double, world, review, world.moderator, message, "approve", words)
    found = re.search(r"as fact #(\d+)", double.message(message.id).text)
    assert found, double.message(message.id).text
    return int(found.group(1))


async def test_two_outlets_restating_one_claim_make_one_candidate_one_fact_two_citations(
    discord_double, world, review, site, bot
):
    for publisher, sentence in (("Irrawaddy Wire", SEIZED), ("RFA Wire", CAPTURED)):
        url = outlet(site, publisher, sentence)
        await slash(discord_double, world, world.moderator, "feed add", {"url": url, "reliability": "B"})
    [message] = [m for m in pending(discord_double, review) if "Paletwa" in m.text]
    assert f"also reported by 1. RFA Wire: “{CAPTURED}”" in discord_double.message(message.id).text
    fact_id = await approve(discord_double, world, review, "Paletwa")
    shown = await slash(discord_double, world, world.member, "fact show", {"id": fact_id})
    assert "confirmed by 2 independent outlets" in shown.text and "B2" in shown.text
    assert "Irrawaddy Wire" in shown.text and "RFA Wire" in shown.text
    found = await slash(discord_double, world, world.member, "search", {"query": "Paletwa outpost"})
    assert found.text.count(f"(#{fact_id})") == 1 and "[1][2]" in found.text.replace(" ", "")


async def test_a_partys_claim_alone_is_no_better_than_possibly_true_and_marked(
    discord_double, world, review, site, bot
):
    url = outlet(site, "Kokang army", PARTY)
    await slash(discord_double, world, world.moderator, "feed add", {"url": url, "reliability": "B"})
    fact_id = await approve(discord_double, world, review, "fighter jet")
    fact = await bot.services.store.fact(fact_id)
    assert fact is not None and fact.credibility >= 3
    shown = await slash(discord_double, world, world.member, "fact show", {"id": fact_id})
    assert "claimed by the Myanmar National Democratic Alliance Army only" in shown.text


async def test_a_withdrawn_source_lowers_the_grade_again(discord_double, world, review, site, bot):
    [fact_id] = [f.id for f in await bot.services.store.search(1, "Paletwa outpost", None, 5)]
    done = await slash(
        discord_double,
        world,
        world.moderator,
        "fact withdraw",
        {"id": fact_id, "source": 2, "reason": "RFA retracted it"},
    )
    assert "credibility is now 3" in done.text
    fact = await bot.services.store.fact(fact_id)
    assert fact is not None and fact.credibility == 3 and fact.sources[1].retracted
    history = await slash(discord_double, world, world.member, "fact history", {"id": fact_id})
    assert "RFA retracted it; credibility 2 → 3" in history.text
