"""Two dossiers in one bot, through the double: answers stay in their topic, defaults per channel and server.

The bot is seeded from a packs folder holding the seed pack and the fictional test pack
(`tests/topics_data/`, test data that is never shipped in bot/seed_packs/).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.edge.app import BriefBot
from bot.packs import parse_pack
from bot.store.writes import apply_pack
from tests.discord_double import DiscordDouble
from tests.e2e.conftest import SEED_PACKS, World, bot_settings, embed_text, running_bot

pytestmark = pytest.mark.asyncio(loop_scope="module")

VELDRA = Path(__file__).resolve().parents[1] / "topics_data" / "test-veldra-water-dispute.yaml"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def packs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("packs")
    shutil.copy(SEED_PACKS / "operation-1027.yaml", folder)
    shutil.copy(VELDRA, folder)
    return folder


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def topical(discord_double_server: DiscordDouble, world: World, packs: Path) -> AsyncIterator[BriefBot]:
    settings = bot_settings(discord_double_server, world, packs_dir=packs)
    async with running_bot(discord_double_server, settings) as bot:
        yield bot


async def ask(double: DiscordDouble, world: World, command: str, *, where=None, member=None, **options):
    return await double.slash(world.guild, where or world.channel, member or world.member, command, options)


async def test_topic_list_shows_every_dossier_and_the_default(discord_double, world, topical):
    listed = await ask(discord_double, world, "topic list")
    text = embed_text(listed.embeds)
    assert listed.ephemeral
    assert "Veldra water dispute (fictional test data)" in text and "Operation 1027" in text
    assert "6 facts" in text and "2 events" in text
    assert "default here" in text.split("Veldra")[0] or "operation-1027" in text.split("default here")[0]


async def test_answers_stay_within_their_topic(discord_double, world, topical):
    brief = embed_text((await ask(discord_double, world, "brief")).embeds)
    assert "Operation 1027" in brief and "Veldra" not in brief
    veldra = embed_text((await ask(discord_double, world, "brief", topic="test-veldra")).embeds)
    assert "Veldra" in veldra and "40%" not in veldra
    alliance = embed_text((await ask(discord_double, world, "actor", name="Alliance", topic="test-veldra")).embeds)
    assert "Upper River Alliance" in alliance and "Three Brotherhood" not in alliance
    in_seed = await ask(discord_double, world, "actor", name="Alliance")
    assert in_seed.ephemeral and "Upper River" not in in_seed.text
    stakes = embed_text((await ask(discord_double, world, "stakes", topic="test-veldra")).embeds)
    assert "grain exports" in stakes
    assert "grain exports" not in embed_text((await ask(discord_double, world, "stakes")).embeds)
    event = await ask(discord_double, world, "event", name="dam closure")
    assert event.ephemeral, "an event of another topic was found"


async def test_autocomplete_is_scoped_to_the_topic_typed(discord_double, world, topical):
    def names(done):
        return " ".join(done.choice_names)

    scoped = await discord_double.autocomplete(
        world.guild, world.channel, world.member, "actor", {"name": "Coun", "topic": "test-veldra"}, focused="name"
    )
    assert "Veldra Water Council" in names(scoped)
    unscoped = await discord_double.autocomplete(
        world.guild, world.channel, world.member, "actor", {"name": "Coun"}, focused="name"
    )
    assert "Veldra" not in names(unscoped)
    topics = await discord_double.autocomplete(
        world.guild, world.channel, world.member, "search", {"query": "x", "topic": "vel"}, focused="topic"
    )
    assert "test-veldra" in [c["value"] for c in topics.choices]
    everything = await discord_double.autocomplete(
        world.guild, world.channel, world.member, "search", {"query": "x", "topic": ""}, focused="topic"
    )
    assert "all" in [c["value"] for c in everything.choices]


async def test_search_in_every_topic_labels_each_result(discord_double, world, topical):
    found = embed_text((await ask(discord_double, world, "search", query="Beijing trade", topic="all")).embeds)
    assert "[Veldra water dispute (fictional test data)]" in found
    assert "[Operation 1027" in found


async def test_an_unknown_topic_gets_the_closest_names(discord_double, world, topical):
    wrong = await ask(discord_double, world, "brief", topic="test-veldar")
    assert wrong.ephemeral and "Did you mean: **test-veldra**" in wrong.text


async def test_timeline_pages_stay_in_their_topic(discord_double, world, topical):
    extra = "".join(
        f"  - {{slug: sluice-{i:02d}, name: Sluice check {i:02d}, date: 2023-06-{i + 1:02d}}}\n" for i in range(12)
    )
    title = (await topical.store.topic("test-veldra")).title
    await apply_pack(topical.store.db, parse_pack(f"topic: {{slug: test-veldra, title: {title}}}\nevents:\n{extra}"))
    asked = await ask(discord_double, world, "timeline", topic="test-veldra")
    message = await asked.final()
    _, later = message.custom_ids
    assert later.endswith(f":t{(await topical.store.topic('test-veldra')).id}")
    turned = embed_text((await discord_double.press(world.guild, world.channel, world.member, message, later)).embeds)
    assert "Page 2/" in turned and "Operation 1027" not in turned


async def test_channel_and_server_defaults_survive_a_restart(discord_double, world, topical, packs):
    desk = world.guild.add_channel("veldra-desk")
    refused = await ask(discord_double, world, "topic use", topic="test-veldra")
    assert refused.ephemeral and "moderators" in refused.text.lower()
    done = await ask(discord_double, world, "topic use", member=world.moderator, topic="test-veldra", channel=desk)
    assert "test-veldra" in done.text and f"<#{desk.id}>" in done.text, done.text
    assert "Veldra" in embed_text((await ask(discord_double, world, "brief", where=desk)).embeds)
    assert "Operation 1027" in embed_text((await ask(discord_double, world, "brief")).embeds)
    listed = embed_text((await ask(discord_double, world, "topic list", where=desk)).embeds)
    assert "this channel's setting" in listed
    # In that channel, names are the Veldra dossier's without `topic:`.
    alliance = embed_text((await ask(discord_double, world, "actor", where=desk, name="Alliance")).embeds)
    assert "Upper River Alliance" in alliance
    await topical.close()
    settings = bot_settings(discord_double, world, packs_dir=packs)
    async with running_bot(discord_double, settings):
        assert "Veldra" in embed_text((await ask(discord_double, world, "brief", where=desk)).embeds)
        await ask(discord_double, world, "topic use", member=world.moderator, topic="test-veldra")
        other = world.guild.add_channel("elsewhere")
        assert "Veldra" in embed_text((await ask(discord_double, world, "brief", where=other)).embeds)
        removed = await ask(discord_double, world, "topic remove", member=world.moderator, topic="test-veldra")
        assert removed.ephemeral and "Retire it instead" in removed.text
