"""Every question command end to end: a member types it in the double, the real bot answers."""

from __future__ import annotations

import asyncio

import pytest

from bot.packs import parse_pack
from bot.store.writes import apply_pack
from tests.discord_double import DiscordDouble
from tests.e2e.conftest import World, embed_text

pytestmark = pytest.mark.asyncio(loop_scope="module")

QUESTION_COMMANDS = {"brief", "actor", "event", "timeline", "stakes", "search", "fact", "about", "ping"}


async def ask(double: DiscordDouble, world: World, command: str, member=None, **options):
    return await double.slash(world.guild, world.channel, member or world.member, command, options)


async def test_commands_are_synced_once_with_descriptions(discord_double: DiscordDouble, world: World, briefbot):
    synced = discord_double.commands(world.guild)
    assert {c["name"] for c in synced} >= QUESTION_COMMANDS
    assert discord_double.command_puts[world.guild.id] == 1

    def walk(options):
        for option in options:
            assert option["description"], option["name"]
            yield option
            yield from walk(option.get("options", []))

    for command in synced:
        assert command["description"]
        list(walk(command.get("options", [])))


async def test_brief_answers_with_a_cited_embed(discord_double, world, briefbot):
    result = await ask(discord_double, world, "brief")
    assert not result.ephemeral
    text = embed_text(result.embeds)
    assert "Operation 1027" in text
    assert "40%" in text
    assert "Sources" in text and "GZERO Media" in text
    assert "[1]" in text


async def test_brief_as_of_and_a_bad_date(discord_double, world, briefbot):
    before = embed_text((await ask(discord_double, world, "brief", as_of="2023-10-01")).embeds)
    assert "40%" not in before
    bad = await ask(discord_double, world, "brief", as_of="2023-02-30")
    assert bad.ephemeral
    assert "`as_of`" in bad.text and "real calendar date" in bad.text


async def test_actor_autocomplete_matches_aliases_and_typos(discord_double, world, briefbot):
    for typed in ("Tatmadaw", "tatmdaw", "SAC"):
        done = await discord_double.autocomplete(
            world.guild, world.channel, world.member, "actor", {"name": typed}, focused="name"
        )
        assert any("junta" in name.lower() for name in done.choice_names), (typed, done.choice_names)
    empty = await discord_double.autocomplete(
        world.guild, world.channel, world.member, "actor", {"name": ""}, focused="name"
    )
    assert 0 < len(empty.choices) <= 25
    long = await discord_double.autocomplete(
        world.guild, world.channel, world.member, "actor", {"name": "x" * 100}, focused="name"
    )
    assert long.choices == [] or all(len(c["name"]) <= 100 for c in long.choices)


async def test_actor_profile_and_unknown_name(discord_double, world, briefbot):
    profile = embed_text((await ask(discord_double, world, "actor", name="Tatmadaw")).embeds)
    assert "Tatmadaw" in profile and "Key facts" in profile
    unknown = await ask(discord_double, world, "actor", name="Brotherhood Army")
    assert unknown.ephemeral
    assert "Did you mean: **" in unknown.text and "**Three Brotherhood Alliance**" in unknown.text
    nothing_close = await ask(discord_double, world, "actor", name="zzzzqqqq")
    assert "Start typing and pick one of the suggestions." in nothing_close.text


async def test_event_with_autocomplete(discord_double, world, briefbot):
    done = await discord_double.autocomplete(
        world.guild, world.channel, world.member, "event", {"name": "1027"}, focused="name"
    )
    assert done.choices
    value = done.choices[0]["value"]
    text = embed_text((await ask(discord_double, world, "event", name=value)).embeds)
    assert "When:" in text and "2023" in text


async def test_stakes_default_to_beijing_grouped_by_interest(discord_double, world, briefbot):
    text = embed_text((await ask(discord_double, world, "stakes")).embeds)
    assert "Beijing" in text
    for interest in ("Trade", "Citizens", "Diplomacy"):
        assert interest in text
    assert "(#" in text


async def test_search_understands_aliases_and_spellings(discord_double, world, briefbot):
    tatmadaw = embed_text((await ask(discord_double, world, "search", query="Tatmadaw air superiority")).embeds)
    assert "air superiority" in tatmadaw
    magway = embed_text((await ask(discord_double, world, "search", query="Magway")).embeds)
    assert "Magwe" in magway


async def test_fact_show_and_missing_fact(discord_double, world, briefbot):
    text = embed_text((await ask(discord_double, world, "fact show", id=1)).embeds)
    assert "Fact #1" in text and "Grade" in text
    missing = await ask(discord_double, world, "fact show", id=999999)
    assert missing.ephemeral and "no fact #999999" in missing.text


async def test_about_and_ping(discord_double, world, briefbot):
    about = embed_text((await ask(discord_double, world, "about")).embeds)
    assert "facts" in about and "ms" in about
    ping = await ask(discord_double, world, "ping")
    assert ping.text == "pong" and ping.ephemeral


async def test_timeline_pages_with_buttons_only_the_asker_can_press(discord_double, world, briefbot):
    pack = parse_pack(
        "topic: {slug: operation-1027, title: " + (await briefbot.store.topic("operation-1027")).title + "}\n"
        "events:\n"
        + "".join(
            f"  - {{slug: extra-{i:02d}, name: Extra clash {i:02d}, date: 2022-06-{i + 1:02d}}}\n" for i in range(20)
        )
    )
    await apply_pack(briefbot.store.db, pack)
    asked = await ask(discord_double, world, "timeline")
    first = embed_text(asked.embeds)
    assert "Page 1/" in first
    message = await asked.final()
    _, later = message.custom_ids  # the buttons, in the order shown
    refused = await discord_double.press(world.guild, world.channel, world.other, message, later)
    assert refused.ephemeral and "Only the person who asked" in refused.text
    turned = await discord_double.press(world.guild, world.channel, world.member, message, later)
    assert "Page 2/" in embed_text(turned.embeds)
    earlier, _ = message.custom_ids  # each button names the page it turns to
    back = await discord_double.press(world.guild, world.channel, world.member, message, earlier)
    assert "Page 1/" in embed_text(back.embeds)
    filtered = embed_text((await ask(discord_double, world, "timeline", since="2023-01-01")).embeds)
    assert "Extra clash" not in filtered
    backwards = await ask(discord_double, world, "timeline", since="2023-12-01", until="2023-01-01")
    assert backwards.ephemeral and "since" in backwards.text


async def test_slow_answers_defer_then_edit(discord_double, world, briefbot, monkeypatch):
    original = briefbot.briefing.search

    async def slow(query):
        await asyncio.sleep(1.8)
        return await original(query)

    monkeypatch.setattr(briefbot.briefing, "search", slow)
    result = await ask(discord_double, world, "search", query="trade")
    assert result.response_type == 5  # deferred: "briefbot is thinking…"
    shown = await result.final()
    assert "trade" in shown.text.lower() or shown.embeds


async def test_unexpected_failure_gets_an_apology_with_an_error_id(discord_double, world, briefbot, monkeypatch):
    async def broken(query):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(briefbot.briefing, "search", broken)
    result = await ask(discord_double, world, "search", query="trade")
    assert result.ephemeral
    assert "error id" in result.text and "disk on fire" not in result.text


async def test_a_429_on_the_reply_still_answers_once(discord_double, world, briefbot):
    rule = discord_double.rate_limit("POST", r"/interactions/\d+/[^/]+/callback", times=1, retry_after=0.05)
    result = await ask(discord_double, world, "brief")
    assert rule.hits == 1
    assert "Operation 1027" in embed_text(result.embeds)
    assert len(result.callbacks) == 1


async def test_a_dropped_gateway_resumes_and_answers(discord_double, world, briefbot):
    await discord_double.drop_gateway(resumable=True)
    await discord_double.wait_resumed()
    result = await ask(discord_double, world, "ping")
    assert result.text == "pong"


async def test_nothing_the_bot_posts_can_ping(discord_double, world, briefbot):
    pack = parse_pack(
        "topic: {slug: operation-1027, title: " + (await briefbot.store.topic("operation-1027")).title + "}\n"
        "sources: {t: {title: Test note, kind: background}}\n"
        "facts:\n  - {key: ping-test, statement: 'Hello @everyone and <@123> and <@&456> zebracrossing',"
        " kind: background, as_of: 2023-11-01, source: t, reliability: F, credibility: 6}\n"
    )
    await apply_pack(briefbot.store.db, pack)
    result = await ask(discord_double, world, "search", query="zebracrossing")
    shown = await result.final()
    assert "@everyone" in embed_text(result.embeds)
    assert shown.pings == [] or not shown.pings
    for request in discord_double.requests:
        body = request.json or {}
        data = body.get("data", body) if isinstance(body, dict) else {}
        if isinstance(data, dict) and ("content" in data or "embeds" in data):
            assert data.get("allowed_mentions", {}).get("parse") == [], request.path
