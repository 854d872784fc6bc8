"""The dossier grows from a report (issue 24): a new town and its event added by presses, found everywhere.

A report arrives as a file through `/source add`; its candidate shows the town it names and the event it
reports; a moderator adds the town with one press and approves the claim; `/event`, autocomplete,
`/timeline` over its days and the timeline's chart then know both, and its stake for Beijing is in `/stakes`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.edge.app import BriefBot
from tests.discord_double import DiscordDouble
from tests.discord_double.records import DoubleMessage
from tests.e2e.conftest import World, bot_settings, embed_text, running_bot

pytestmark = pytest.mark.asyncio(loop_scope="module")

REPORT = b"""MNDAA seizes the Chinshwehaw gate
The MNDAA said it had seized the Chinshwehaw border trade gate on November 2, 2023.
Chinshwehaw, a town in northern Shan State, lies on the main road from Lashio to the border.
China's border trade through the crossing has stopped since the fighting began, traders in Shan State said.
"""
EVENT = "MNDAA seizes Chinshwehaw border trade gate"
DAYS = {"since": "2023-10-01", "until": "2023-11-30"}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(discord_double_server: DiscordDouble, world: World) -> AsyncIterator[BriefBot]:
    review = world.guild.add_channel("growth-review")
    settings = bot_settings(discord_double_server, world, review_channel_id=review.id)
    async with running_bot(discord_double_server, settings) as running:
        yield running


async def ask(double: DiscordDouble, world: World, command: str, member=None, **options) -> DoubleMessage:
    return await (await double.slash(world.guild, world.channel, member or world.member, command, options)).final()


async def chart_count(double: DiscordDouble, world: World) -> int:
    """How many events the timeline's chart over the report's days counts, from its description."""
    message = await ask(double, world, "timeline", **DAYS)
    for _ in range(200):  # the chart is added by an edit once drawn
        if message.attachments:
            break
        await asyncio.sleep(0.05)
    found = re.search(r"Bar chart of the (\d+) events?", message.attachments[0]["description"])
    assert found is not None
    return int(found[1])


def review_message(double: DiscordDouble, bot: BriefBot) -> DoubleMessage:
    """The report's review message: one for the article, its candidates numbered."""
    channel = bot.settings.review_channel_id
    assert channel is not None
    return next(m for m in double.messages(channel, include_ephemeral=False) if "had seized" in m.text)


def option(message: DoubleMessage, menu: str, words: str) -> tuple[str, str]:
    """The custom id of a menu (by its prefix) and the value of its option whose label holds `words`."""
    found = next(c for row in message.components for c in row["components"] if c.get("custom_id", "").startswith(menu))
    return found["custom_id"], next(o["value"] for o in found["options"] if words in o["label"])


async def test_a_new_town_and_its_event_added_by_presses_are_found_everywhere(discord_double, world, bot):
    before = await chart_count(discord_double, world)
    upload = discord_double.attachment("report.txt", REPORT, content_type="text/plain")
    read = await ask(discord_double, world, "source add", world.moderator, file=upload)
    assert "Read: MNDAA seizes the Chinshwehaw gate" in read.text

    message = review_message(discord_double, bot)
    assert "new: Chinshwehaw, a town; parent shan-state?" in message.text
    assert f"event: “{EVENT}” (2 Nov 2023, Chinshwehaw)" in message.text
    menu, add = option(message, "intake:names:", "Add Chinshwehaw")
    refused = await discord_double.press(world.guild, world.channel, world.member, message, menu, values=[add])
    assert "Only moderators" in (await refused.final()).text
    added = await discord_double.press(world.guild, world.channel, world.moderator, message, menu, values=[add])
    await added.wait_followups(1)
    assert "Added place “Chinshwehaw” (`chinshwehaw`)" in added.followups[0].text
    assert "new: Chinshwehaw" not in message.text
    menu, seized = option(message, "intake:pick:approve:", "had seized")
    await (
        await discord_double.press(world.guild, world.channel, world.moderator, message, menu, values=[seized])
    ).final()
    assert "Approved by" in message.text

    event = embed_text((await ask(discord_double, world, "event", name=EVENT)).embeds)
    assert "Chinshwehaw" in event and "2 Nov 2023" in event and "seized the Chinshwehaw border trade gate" in event
    typed = await discord_double.autocomplete(
        world.guild, world.channel, world.member, "event", {"name": "Chinshwehaw"}, focused="name"
    )
    assert EVENT in [choice["name"] for choice in typed.choices]
    place = await discord_double.autocomplete(
        world.guild, world.channel, world.member, "timeline", {"region": "Chinshw"}, focused="region"
    )
    assert "Chinshwehaw" in [choice["name"] for choice in place.choices]
    assert EVENT in embed_text((await ask(discord_double, world, "timeline", **DAYS)).embeds)
    assert await chart_count(discord_double, world) == before + 1


async def test_the_reports_stake_for_beijing_is_found_by_stakes(discord_double, world, bot):
    message = review_message(discord_double, bot)
    assert "stake: beijing, trade; approving records it" in message.text
    menu, stake = option(message, "intake:pick:approve:", "border trade through the crossing")
    await (
        await discord_double.press(world.guild, world.channel, world.moderator, message, menu, values=[stake])
    ).final()
    stakes = embed_text((await ask(discord_double, world, "stakes")).embeds)
    assert "China's border trade through the crossing has stopped" in stakes
