"""Bad input, as a new user types it and as a crafted client sends it, refused with a message to act on.

`crafted=True` sends option and form values past the Discord client's own checks (choices, lengths,
ranges, required inputs), as a hand-made request can: the bot must refuse them itself, with the same
message, and write nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.briefing.queries import build
from bot.curation.models import RetractRequest
from bot.errors import UserError
from bot.models import latest_day
from tests.discord_double import DiscordDouble
from tests.e2e.conftest import World, embed_text
from tests.e2e.test_moderation import FORM, add_fact, facts

pytestmark = pytest.mark.asyncio(loop_scope="module")

FUTURE = "9999-12-31"
#: A valid value for each required option a command may have besides the one under test.
SAMPLES: dict[str, Any] = {
    "name": "Someone new",
    "actor": "Tatmadaw",
    "event": "Operation 1027",
    "place": "Shan State",
    "date": "2023-10-27",
    "reason": "a reason",
    "query": "junta",
    "schedule": "daily 09:00",
    "timezone": "UTC",
    "after": "30d",
    "topic": "operation-1027",
    "slug": "a-new-topic",
    "title": "A new topic",
    # Never fetched: each walk sends one bad option beside it, refused before the command runs.
    "url": "https://example.org/feed.xml",
}


async def slash(double: DiscordDouble, world: World, command: str, options: dict[str, Any], *, crafted: bool = False):
    result = await double.slash(world.guild, world.channel, world.moderator, command, options, crafted=crafted)
    await result.final()
    return result


def refused(result, option: str) -> bool:
    return result.ephemeral and result.text.startswith(f"⚠️ `{option}`")


# Dates after today ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "options", "option"),
    [
        ("brief", {"as_of": FUTURE}, "as_of"),
        ("actor", {"name": "Tatmadaw", "as_of": FUTURE}, "as_of"),
        ("stakes", {"as_of": FUTURE}, "as_of"),
        ("timeline", {"since": FUTURE}, "since"),
        ("timeline", {"until": FUTURE}, "until"),
        ("digest preview", {"event": "Operation 1027", "after": "30d", "as_of": FUTURE}, "as_of"),
        ("curate event add", {"name": "Later", "date": FUTURE}, "date"),
    ],
)
async def test_a_date_after_today_is_refused_privately(discord_double, world, briefbot, command, options, option):
    result = await slash(discord_double, world, command, options)
    assert refused(result, option), result.text
    assert "lies in the future: give today or an earlier day (YYYY-MM-DD)" in result.text
    assert "9999" not in embed_text(result.embeds)


async def test_the_latest_date_on_earth_is_not_the_future(discord_double, world, briefbot):
    today_somewhere = latest_day().isoformat()
    answered = await slash(discord_double, world, "brief", {"as_of": today_somewhere})
    assert not answered.ephemeral
    tomorrow_everywhere = (latest_day() + timedelta(days=1)).isoformat()
    assert refused(await slash(discord_double, world, "brief", {"as_of": tomorrow_everywhere}), "as_of")


# Text with nothing visible, and control characters ---------------------------------------------------------


async def test_invisible_text_is_empty_everywhere(discord_double, world, briefbot):
    before = await facts(briefbot)
    saved = await add_fact(discord_double, world, world.moderator, {"statement": "\u200b\u200b"})
    assert saved.ephemeral and "`Statement`: is empty" in saved.text
    for command, options, option in [
        ("curate actor add", {"name": "\u200b\u2066\u2069", "kind": "person"}, "name"),
        ("fact retract", {"id": 1, "reason": "\u200b \u200e"}, "reason"),
        ("search", {"query": "\u200b\u200b"}, "query"),
        ("actor", {"name": "\u3164"}, "name"),
    ]:
        result = await slash(discord_double, world, command, options)
        assert refused(result, option) and "is empty" in result.text, (command, result.text)
    assert await facts(briefbot) == before
    # An optional option with nothing visible in it is simply not given.
    everything = await slash(discord_double, world, "timeline", {"actor": "\u200b"})
    assert not everything.ephemeral and "military takeover" in embed_text(everything.embeds)


async def test_control_characters_are_never_stored_or_echoed(discord_double, world, briefbot):
    added = await slash(discord_double, world, "curate place add", {"name": "Mong\x00 Ko\x1b", "kind": "town"})
    assert "**Mong Ko**" in added.text and "\x00" not in added.text, added.text
    place = await briefbot.store.entity_by_name((await briefbot.store.topic("operation-1027")).id, "place", "Mong Ko")
    assert place is not None
    saved = await add_fact(
        discord_double, world, world.moderator, {"statement": "Ceasefire\x00 talks\x07 began in Kunming."}
    )
    assert saved.text.startswith("Saved fact #"), saved.text
    fact = await briefbot.store.fact(int(saved.text.split("#")[1].split(".")[0]))
    assert fact.statement == "Ceasefire talks began in Kunming."
    bad = await slash(discord_double, world, "brief", {"as_of": "2023-1-1\x00\x1b"})
    assert bad.ephemeral and "\x00" not in bad.text and "\x1b" not in bad.text


# Limits a crafted client does not respect ------------------------------------------------------------------


async def test_a_crafted_overlong_reason_gets_the_message_a_user_would(discord_double, world, briefbot):
    with pytest.raises(UserError) as expected:
        build(RetractRequest, id=1, reason="x" * 5000)
    result = await slash(discord_double, world, "fact retract", {"id": 1, "reason": "x" * 5000}, crafted=True)
    assert result.ephemeral and result.text == f"⚠️ {expected.value}"
    assert "at most 500 characters" in result.text
    assert (await briefbot.store.fact(1)).status == "active"


async def test_crafted_form_values_are_checked_by_the_bot(discord_double, world, briefbot):
    before = await facts(briefbot)
    opened = await discord_double.slash(
        world.guild, world.channel, world.moderator, "fact add", {"kind": "event", "reliability": "C", "credibility": 3}
    )
    for values, message in [
        ({"statement": "x" * 5000}, "`Statement`: is too long: at most 1000 characters"),
        ({"source_title": ""}, "`Source title`: is empty"),
        ({"as_of": "2023-10-27" * 3}, "`True as of`"),
    ]:
        result = await discord_double.submit_modal(
            world.guild, world.channel, world.moderator, opened, {**FORM, **values}, crafted=True
        )
        assert result.ephemeral and message in result.text, result.text
    assert await facts(briefbot) == before


def _leaves(options: list[dict[str, Any]], path: str) -> list[tuple[str, list[dict[str, Any]]]]:
    subs = [o for o in options if o["type"] in (1, 2)]
    if not subs:
        return [(path, options)]
    return [leaf for o in subs for leaf in _leaves(o.get("options") or [], f"{path} {o['name']}")]


def _one_past(option: dict[str, Any]) -> list[Any]:
    """A value just outside each limit the option declares.

    An optional text option left blank is not given (the bot's rule for invisible text), so its
    `min_length` of 1 is checked only where the option is required.
    """
    values: list[Any] = []
    if option.get("choices"):
        values.append("not-a-choice" if option["type"] == 3 else 10**6)
    if option["type"] == 3:
        if option.get("min_length") and (option.get("required") or option["min_length"] > 1):
            values.append("x" * (option["min_length"] - 1))
        if "max_length" in option:
            values.append("x" * (option["max_length"] + 1))
    elif option["type"] in (4, 10):
        if "min_value" in option:
            values.append(option["min_value"] - 1)
        if "max_value" in option:
            values.append(option["max_value"] + 1)
    return values


def _valid(option: dict[str, Any], world: World) -> Any:
    if option.get("choices"):
        return option["choices"][0]["value"]
    if option["type"] == 7:
        return world.channel
    if option["type"] in (4, 10):
        return option.get("min_value", 1)
    return SAMPLES[option["name"]]


async def test_every_declared_limit_is_enforced_by_the_bot(discord_double, world, briefbot):
    """Walk every command's options as synced: a value one past each declared limit is refused, naming it."""
    before = await facts(briefbot)
    checked = 0
    for command in discord_double.commands(world.guild):
        for path, options in _leaves(command.get("options") or [], command["name"]):
            limited = [(option["name"], value) for option in options for value in _one_past(option)]
            if not limited:
                continue
            required = {o["name"]: _valid(o, world) for o in options if o.get("required")}
            for name, value in limited:
                result = await slash(discord_double, world, path, {**required, name: value}, crafted=True)
                assert refused(result, name), (path, name, value, result.text)
                checked += 1
    assert checked >= 100  # every limit of every command, not a silently empty walk
    assert await facts(briefbot) == before


# Searches with nothing to search for, and the words the user sees --------------------------------------------


@pytest.mark.parametrize("query", ["*", "-", "^", "🙂🔥", '"', "¿?", "_"])
async def test_a_search_with_no_word_says_what_to_type_privately(discord_double, world, briefbot, query):
    result = await slash(discord_double, world, "search", {"query": query})
    assert refused(result, "query"), result.text
    assert "use words or a name" in result.text


async def test_a_bad_cron_schedule_is_explained_in_the_bots_words(discord_double, world, briefbot):
    options = {"channel": world.channel, "schedule": "61 9 * * *", "timezone": "UTC"}
    result = await slash(discord_double, world, "digest subscribe", options)
    assert refused(result, "schedule"), result.text
    assert "`61` is not a minute in a cron schedule: use 0-59" in result.text
    assert "expression" not in result.text and "maximum value" not in result.text
