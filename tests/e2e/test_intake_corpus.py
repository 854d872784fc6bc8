"""Real reporting in, through Discord: corpus pages by `/source add` and by a feed, as a moderator sees them.

The pages are the intake corpus's (tests/intake_corpus/), shaped like real outlets: wire copy, a WordPress
review with ads and a comment form inside, a junta spokesman's statements. What reaches the review channel
must be the reporting, standing alone, and none of the furniture, whatever the review message looks like.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
import yaml

from bot.edge.app import BriefBot
from tests.discord_double import DiscordDouble
from tests.discord_double.world import Channel
from tests.e2e.conftest import World
from tests.e2e.test_intake import intake_bot
from tests.intake_data.server import Item, NewsSite, news_site

pytestmark = pytest.mark.asyncio(loop_scope="module")

CORPUS = Path(__file__).resolve().parents[1] / "intake_corpus"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))["pages"]
FEED_PAGES = ("t01_wire_launch.html", "t09_junta_spokesman.html")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def site() -> AsyncIterator[NewsSite]:
    async with news_site() as running:
        for name in FEED_PAGES:
            running.page(f"/{name}", (CORPUS / "pages" / name).read_text(encoding="utf-8"))
        running.feed("/wire.xml", "Corpus Wire", [Item(f"urn:corpus:{n}", f"/{n}", n) for n in FEED_PAGES])
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def review(world: World) -> Channel:
    return world.guild.add_channel("review")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(discord_double_server: DiscordDouble, world: World, review: Channel) -> AsyncIterator[BriefBot]:
    alerts = world.guild.add_channel("alerts")
    async with intake_bot(discord_double_server, world, review, alerts) as running:
        yield running


def shown(double: DiscordDouble, channel: Channel) -> str:
    return "\n".join(m.text for m in double.messages(channel, include_ephemeral=False))


async def slash(double, world, command, options):
    result = await double.slash(world.guild, world.channel, world.moderator, command, options)
    return await result.final(timeout=30)


def assert_reporting_only(text: str, pages: tuple[str, ...]) -> None:
    for name in pages:
        expected = EXPECTED[name]
        missing = [c["text"] for c in expected["claims"] if c["text"] not in text]
        assert not missing, f"{name}: not shown for review: {missing}"
        furniture = [bit for bit in expected["furniture"] if bit in text]
        assert not furniture, f"{name}: furniture shown for review: {furniture}"


async def test_a_wordpress_review_as_a_file_shows_its_claims_and_none_of_its_furniture(
    discord_double, world, review, bot
):
    page = (CORPUS / "pages" / "t03_wordpress_review.html").read_bytes()
    upload = discord_double.attachment("review.html", page, content_type="text/html")
    answer = await slash(discord_double, world, "source add", {"file": upload})
    assert "Two months of Operation 1027" in answer.text
    text = shown(discord_double, review)
    assert_reporting_only(text, ("t03_wordpress_review.html",))
    assert "[Three Brotherhood Alliance] says it has taken" in text  # "The alliance says …", resolved


async def test_a_feed_of_wire_copy_shows_claims_standing_alone(discord_double, world, review, site, bot):
    answer = await slash(discord_double, world, "feed add", {"url": site.base + "/wire.xml"})
    assert "Corpus Wire" in answer.text
    text = shown(discord_double, review)
    assert_reporting_only(text, FEED_PAGES)
    assert "[Junta spokesman Zaw Min Tun] said reinforcements" in text
    assert "\nHe said" not in text and "YANGON, Oct 29" not in text
