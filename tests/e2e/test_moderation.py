"""Moderators curate the facts from Discord; everyone else is refused and nothing changes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import discord
import pytest
import pytest_asyncio

from bot.edge.app import BriefBot
from tests.discord_double import DiscordDouble
from tests.e2e.conftest import World, bot_settings, embed_text, running_bot

pytestmark = pytest.mark.asyncio(loop_scope="module")

FORM = {
    "statement": "Rebels took the Chinshwehaw border gate.",
    "source_title": "Field report",
    "source_url": "https://example.org/chinshwehaw",
    "source_date": "2023-10-29",
    "as_of": "2023-10-29",
}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def editors(world: World):
    role = world.guild.add_role("editors", discord.Permissions.none())
    return role, world.guild.add_member("eddie", roles=[role])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def modbot(discord_double_server: DiscordDouble, world: World, editors) -> AsyncIterator[BriefBot]:
    role, _ = editors
    settings = bot_settings(discord_double_server, world, moderator_role_ids=[role.id])
    async with running_bot(discord_double_server, settings) as bot:
        yield bot


async def add_fact(double, world, member, form=None, **options):
    """/fact add then the modal; `overridden` because admins may open write commands to any role."""
    options = {"kind": "event", "reliability": "C", "credibility": 3, **options}
    opened = await double.slash(world.guild, world.channel, member, "fact add", options, overridden=True)
    if opened.response_type != 9:  # not a modal: refused or failed
        return opened
    return await double.submit_modal(world.guild, world.channel, member, opened, {**FORM, **(form or {})})


async def facts(bot: BriefBot) -> int:
    return (await bot.store.counts((await bot.store.topic("operation-1027")).id))["facts_active"]


async def test_write_only_groups_are_hidden_from_non_moderators_by_default(discord_double, world, modbot):
    with pytest.raises(PermissionError):
        await discord_double.slash(
            world.guild, world.channel, world.member, "curate place add", {"name": "X", "kind": "town"}
        )


async def test_a_non_moderator_is_refused_and_nothing_changes(discord_double, world, modbot):
    before = await facts(modbot)
    refused = await add_fact(discord_double, world, world.member)
    assert refused.ephemeral and "Only moderators" in refused.text
    for command, options in [
        ("fact retract", {"id": 1, "reason": "no"}),
        ("fact restore", {"id": 1}),
        ("fact edit", {"id": 1}),
        ("curate actor add", {"name": "Someone", "kind": "person"}),
        ("pack export", {}),
    ]:
        result = await discord_double.slash(world.guild, world.channel, world.member, command, options, overridden=True)
        assert result.ephemeral and "Only moderators" in result.text, command
    assert await facts(modbot) == before
    hidden = await discord_double.autocomplete(
        world.guild, world.channel, world.member, "fact add", {"actor": "junta"}, focused="actor"
    )
    assert hidden.choices == []


async def test_a_moderator_adds_a_fact_through_the_modal(discord_double, world, modbot):
    shown = await discord_double.autocomplete(
        world.guild, world.channel, world.moderator, "fact add", {"actor": "Three Brothers"}, focused="actor"
    )
    assert shown.choices
    saved = await add_fact(discord_double, world, world.moderator, actor=shown.choices[0]["value"])
    assert saved.ephemeral and saved.text.startswith("Saved fact #")
    found = await discord_double.slash(world.guild, world.channel, world.member, "search", {"query": "Chinshwehaw"})
    assert "Chinshwehaw" in embed_text(found.embeds)


async def test_a_role_listed_in_moderator_role_ids_may_write(discord_double, world, modbot, editors):
    _, eddie = editors
    saved = await add_fact(discord_double, world, eddie, {"statement": "Fighting closed the Muse trade zone."})
    assert saved.text.startswith("Saved fact #"), saved.text


@pytest.mark.parametrize(
    ("form", "options", "message"),
    [
        ({"source_url": "ftp://x.org/a"}, {}, "`Source URL`"),
        ({"as_of": "2999-01-01"}, {}, "`True as of`: 2999-01-01 lies in the future"),
        ({"source_date": "9999-12-31"}, {}, "`Source date`: 9999-12-31 lies in the future"),
        ({"as_of": "2023-02-30"}, {}, "`True as of`"),
        ({"statement": "   "}, {}, "`Statement`: is empty"),
        ({"statement": "\u200b\u200b"}, {}, "`Statement`: is empty"),
        ({}, {"kind": "stake"}, "stakeholder"),
        ({"statement": "The junta's forces still enjoy complete air superiority."}, {}, "near-duplicate of fact #"),
    ],
)
async def test_bad_input_gets_a_message_naming_the_field(discord_double, world, modbot, form, options, message):
    before = await facts(modbot)
    result = await add_fact(discord_double, world, world.moderator, form, **options)
    assert result.ephemeral and message in result.text, result.text
    assert await facts(modbot) == before


async def test_edit_retract_restore_and_history(discord_double, world, modbot):
    opened = await discord_double.slash(world.guild, world.channel, world.moderator, "fact edit", {"id": 3})
    assert opened.response_type == 9
    defaults = {c["custom_id"]: c.get("value") or "" for c in _inputs(opened.modal)}
    assert defaults["statement"] and defaults["as_of"] == "2023-11-27"
    edited = await discord_double.submit_modal(
        world.guild,
        world.channel,
        world.moderator,
        opened,
        {**defaults, "statement": "Edited: " + defaults["statement"]},
    )
    assert edited.text.startswith("Saved fact #3")
    retract = await discord_double.slash(
        world.guild, world.channel, world.moderator, "fact retract", {"id": 3, "reason": "superseded"}
    )
    assert "retracted" in retract.text
    history = embed_text(
        (await discord_double.slash(world.guild, world.channel, world.member, "fact history", {"id": 3})).embeds
    )
    assert "edit by mona" in history and "retract by mona" in history and "superseded" in history
    shown = embed_text(
        (await discord_double.slash(world.guild, world.channel, world.member, "fact show", {"id": 3})).embeds
    )
    assert "retracted" in shown
    restored = await discord_double.slash(world.guild, world.channel, world.moderator, "fact restore", {"id": 3})
    assert "back in answers" in restored.text


def _inputs(modal: dict) -> list[dict]:
    found = []
    for row in modal.get("components", []):
        found += row.get("components", [row.get("component")] if row.get("component") else [])
    return [c for c in found if c and "custom_id" in c]


async def test_curate_records_and_find_them_by_alias(discord_double, world, modbot):
    added = await discord_double.slash(
        world.guild,
        world.channel,
        world.moderator,
        "curate actor add",
        {
            "name": "Kachin Independence Army",
            "kind": "armed-group",
            "side": "resistance",
            "aliases": "KIA, Kachin army",
        },
    )
    assert "Added actor" in added.text
    again = await discord_double.slash(
        world.guild,
        world.channel,
        world.moderator,
        "curate actor add",
        {"name": "Kachin Independence Army", "kind": "armed-group"},
    )
    assert again.ephemeral and "exists already" in again.text
    edited = await discord_double.slash(
        world.guild, world.channel, world.moderator, "curate actor edit", {"actor": "KIA", "aliases": "KIA, KIO army"}
    )
    assert "Saved actor" in edited.text
    profile = embed_text(
        (await discord_double.slash(world.guild, world.channel, world.member, "actor", {"name": "KIO army"})).embeds
    )
    assert "Kachin Independence Army" in profile
    place = await discord_double.slash(
        world.guild,
        world.channel,
        world.moderator,
        "curate place add",
        {"name": "Laukkai", "kind": "town", "within": "Shan State"},
    )
    assert "Added place" in place.text
    event = await discord_double.slash(
        world.guild,
        world.channel,
        world.moderator,
        "curate event add",
        {"name": "Fall of Laukkai", "date": "2024-01-05", "place": "Laukkai", "actors": "Three Brotherhood Alliance"},
    )
    assert "Added event" in event.text
    shown = embed_text(
        (
            await discord_double.slash(world.guild, world.channel, world.member, "event", {"name": "Fall of Laukkai"})
        ).embeds
    )
    assert "Laukkai, Shan State" in shown


async def test_export_then_import_round_trip(discord_double, world, modbot):
    exported = await discord_double.slash(world.guild, world.channel, world.moderator, "pack export", {})
    shown = await exported.final()
    ((name, data),) = shown.files
    assert name == "operation-1027.yaml"
    same = await discord_double.slash(
        world.guild, world.channel, world.moderator, "pack import", {"file": discord_double.attachment(name, data)}
    )
    assert "already matches" in embed_text((await same.final()).embeds)
    changed = data.replace(b"Edited: ", b"Re-edited: ")
    dry = await discord_double.slash(
        world.guild,
        world.channel,
        world.moderator,
        "pack import",
        {"file": discord_double.attachment(name, changed), "dry_run": True},
    )
    report = embed_text((await dry.final()).embeds)
    assert "dry run" in report and "Changed\n1 fact\n" in report
    assert "Re-edited" not in embed_text(
        (await discord_double.slash(world.guild, world.channel, world.member, "fact show", {"id": 3})).embeds
    )


async def test_bad_packs_apply_nothing_and_say_why(discord_double, world, modbot):
    before = await facts(modbot)
    for payload, expected in [
        (b"facts: [unclosed", "not valid YAML"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (
            b"topic: {slug: operation-1027, title: X}\nfacts:\n  - {key: k1, statement: s, kind: event,"
            b" as_of: 2023-01-01, source: nowhere, reliability: B, credibility: 2, actors: [ghost]}\n",
            "unknown",
        ),
    ]:
        result = await discord_double.slash(
            world.guild,
            world.channel,
            world.moderator,
            "pack import",
            {"file": discord_double.attachment("p.yaml", payload)},
        )
        assert expected in embed_text((await result.final()).embeds)
    big = discord_double.attachment("big.yaml", b"a: 1", size=3 * 1024 * 1024)
    too_big = await discord_double.slash(world.guild, world.channel, world.moderator, "pack import", {"file": big})
    assert too_big.ephemeral and "KiB" in too_big.text
    assert await facts(modbot) == before


async def test_a_burst_of_concurrent_adds_loses_nothing(discord_double, world, modbot):
    before = await facts(modbot)
    places = ["Hsenwi", "Kutkai", "Namhkam", "Chinshwehaw", "Monekoe", "Kunlong", "Hopang", "Pangsang"]
    results = await asyncio.gather(
        *(
            add_fact(
                discord_double,
                world,
                world.moderator,
                {"statement": f"Clashes reported around {p} checkpoint {i}{i}{i}."},
            )
            for i, p in enumerate(places)
        )
    )
    assert all(r.text.startswith("Saved fact #") for r in results), [r.text for r in results]
    assert await facts(modbot) == before + len(places)


async def test_mentions_in_a_fact_ping_nobody(discord_double, world, modbot):
    saved = await add_fact(discord_double, world, world.moderator, {"statement": "Hey @everyone and <@1> see Kyaukme."})
    fact_id = int(saved.text.split("#")[1].split(".")[0])
    shown = await discord_double.slash(world.guild, world.channel, world.member, "fact show", {"id": fact_id})
    assert "@everyone" in embed_text(shown.embeds)
    assert not (await shown.final()).pings
