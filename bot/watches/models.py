"""What each `/watch` command takes, validated once by pydantic (docstrings and descriptions are the help).

A words watch is read as `/search` reads a query: its words but the glue, folded and stemmed, so a watch
on "refugees crossing" matches a fact that says "refugee crossed". Words that fold to nothing to look for
(only glue, or only punctuation) are refused here, before anything is stored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from bot.briefing.queries import Query
from bot.models import LINE, Slug
from bot.store.watches import watch_stems

WatchId = Annotated[int, Field(ge=1, le=2**53 - 1)]
ChannelId = Annotated[int, Field(ge=1, le=2**64)]
#: The most watches one member may keep in one server.
MAX_WATCHES = 25
WHAT_HELP = "What to watch: an actor, a place (places within it count), an event, or words."


def _watchable(text: str) -> str:
    if not watch_stems(text):
        raise ValueError("has no word to watch for: use words or a name, such as `Lashio` or `trade with China`")
    return text


Watched = Annotated[str, LINE, Field(min_length=1, max_length=100), AfterValidator(_watchable)]


class WatchAddRequest(Query):
    """Be told when a reviewed fact about an actor, a place, an event or some words lands (in your DMs)."""

    what: Literal["actor", "place", "event", "words"] = Field(description=WHAT_HELP)
    name: Watched = Field(description="The actor, place or event by name, or the words, as /search reads them.")
    topic: Slug | None = Field(None, description="Topic slug (default: the topic in force here).")
    channel: ChannelId | None = Field(None, description="Tell this channel instead of your DMs (moderators).")


class WatchListRequest(Query):
    """Your watches, and when each last told you; only you see them."""


class WatchRemoveRequest(Query):
    """Stop one of your watches."""

    id: WatchId = Field(description="The watch's number, as `/watch list` shows it.")


class WatchResumeRequest(Query):
    """Start your DM watches again once your direct messages are open to the bot."""
