"""Pictures end to end: the real bot answers with a PNG attachment shown in its embed, described for screen readers.

Every request body, the multipart `payload_json` with its `attachments` included, is checked against
Discord's OpenAPI spec by the double; the fixture fails the test on any violation.
"""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image

from tests.discord_double import DiscordDouble
from tests.e2e.conftest import World

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def pictured(double: DiscordDouble, world: World, command: str, **options):
    """The answer, and its message once the picture is on it (the text may go a moment before it)."""
    result = await double.slash(world.guild, world.channel, world.member, command, options)
    message = await result.final()
    for _ in range(200):  # the first picture also starts the drawing worker
        if message.files:
            break
        await asyncio.sleep(0.05)
    return result, message


def check_picture(message, filename: str, size: tuple[int, int], described: str) -> str:
    [(name, png)] = message.files
    assert name == filename
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == size
    assert len(png) < 8 * 1024 * 1024
    [attachment] = message.attachments
    assert described in attachment["description"]
    assert message.embeds[0]["image"]["url"] == f"attachment://{filename}"
    return attachment["description"]


async def test_timeline_and_actor_answer_with_a_described_picture(discord_double, world, briefbot):
    _, timeline = await pictured(discord_double, world, "timeline", since="2023-10-01", until="2023-11-30")
    described = check_picture(timeline, "timeline.png", (800, 400), "Bar chart of the 8 events in this timeline")
    assert "stacked by region" in described and "Operation 1027 launched" in described

    _, actor = await pictured(discord_double, world, "actor", name="Three Brotherhood Alliance")
    check_picture(actor, "links.png", (800, 480), "Diagram of Three Brotherhood Alliance's links to 5 actors")

    _, message = await pictured(discord_double, world, "actor", name="Three Brotherhood Alliance")
    assert len(message.bodies) == 1  # drawn already: the picture went with the text, in one request
    assert discord_double.take_schema_violations() == []


async def test_a_page_turn_keeps_the_picture(discord_double, world, briefbot):
    _, message = await pictured(discord_double, world, "timeline")
    check_picture(message, "timeline.png", (800, 400), "Bar chart of the 10 events in this timeline per month")
    later = next(i for i in message.custom_ids if i.startswith("timeline:") and ":2:" in i)
    await discord_double.press(world.guild, world.channel, world.member, message, later)
    for _ in range(100):
        if "Page 2/2" in str(message.embeds):
            break
        await asyncio.sleep(0.05)
    assert "Page 2/2" in str(message.embeds)
    check_picture(message, "timeline.png", (800, 400), "Bar chart of the 10 events")


async def test_a_milestone_digest_carries_the_chart_of_its_period(discord_double, world, briefbot):
    one_month = {"event": "operation-1027", "after": "1 month"}
    preview = await discord_double.slash(world.guild, world.channel, world.member, "digest preview", one_month)
    await preview.final()
    await preview.wait_followups(1)
    shown = [m for m in [preview.message, *preview.followups] if m is not None and m.files]
    described = check_picture(shown[0], "milestone.png", (800, 400), "in the period per week from 23 Oct 2023")
    assert "Operation 1027 launched and 1 month on marked" in described
