"""Reading and deciding an article's review message in the double, as a moderator does: shared by the e2e files."""

from __future__ import annotations

from tests.discord_double import DiscordDouble
from tests.discord_double.records import DoubleMessage
from tests.discord_double.world import Channel


def reviews(double: DiscordDouble, channel: Channel) -> list[DoubleMessage]:
    return [m for m in double.messages(channel, include_ephemeral=False) if m.embeds and "Review #" in m.text]


def pending(double: DiscordDouble, channel: Channel) -> list[DoubleMessage]:
    return [m for m in reviews(double, channel) if m.custom_ids]


def control(message: DoubleMessage, kind: str, action: str = "") -> str:
    """A review control's custom id: `pick` menus and `all` buttons by action, `page` buttons."""
    prefix = f"intake:{kind}:{action}:" if action else f"intake:{kind}:"
    return next(c for c in message.custom_ids if c.startswith(prefix))


def number_of(message: DoubleMessage, words: str) -> str:
    """The value (a candidate's id) of the option whose label holds `words`, in the message's approve menu."""
    menu = next(
        c
        for row in message.components
        for c in row["components"]
        if c.get("custom_id", "").startswith("intake:pick:approve:")
    )
    return next(o["value"] for o in menu["options"] if words in o["label"])


async def choose(double, world, channel, member, message, kind, words):
    """Choose the candidate whose statement holds `words` in the message's `kind` menu."""
    value = number_of(message, words)
    return await double.press(world.guild, channel, member, message, control(message, "pick", kind), values=[value])
