"""What the `/topic` commands and the `topic` option of every read command take.

As with the briefing queries, a model's docstring is its command's help text and each field's description
is its option's help text, for Discord and the console alike.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from bot.briefing.queries import Query
from bot.models import LINE, Name, Slug, Text, Title

#: What `/search topic:` takes to search every topic at once.
EVERY_TOPIC = "all"
TOPIC_HELP = "Which dossier: a topic's slug or title (default: this channel's topic, else this server's)."
TopicName = Annotated[str, LINE, Field(min_length=1, max_length=100)]
ChannelId = Annotated[int, Field(ge=1, le=2**64)]


class TopicOption(Query):
    """The `topic` option every read command takes."""

    topic: TopicName | None = Field(None, description=TOPIC_HELP)


class SearchTopicOption(Query):
    """`/search` also searches every topic at once."""

    topic: TopicName | None = Field(None, description=TOPIC_HELP[:-1] + "; `all` searches every topic.")


class TopicListRequest(Query):
    """Every topic: its title, facts and events, when it last changed, and which is the default here."""


class TopicUseRequest(Query):
    """Make a topic this server's default, or one channel's (a channel's wins) (moderators)."""

    topic: Name = Field(description="The topic: its slug or title.")
    channel: ChannelId | None = Field(None, description="Only this channel (default: the whole server).")


class TopicAddRequest(Query):
    """Add a new, empty topic (moderators); `/pack import` of a pack with a new slug also adds one."""

    slug: Slug = Field(description="Its id: lower-case letters, digits and hyphens, such as sudan-2023.")
    title: Title = Field(description="Its title, as answers show it.")
    summary: Text = Field("", description="One line on what the dossier is about.")


class TopicEditRequest(Query):
    """Change a topic's title or summary, or retire it (moderators): a retired topic is hidden, not deleted."""

    topic: Name = Field(description="The topic: its slug or title.")
    title: Title | None = Field(None, description="Its new title.")
    summary: Text | None = Field(None, description="Its new one-line summary.")
    retired: bool | None = Field(
        None, description="True hides it from autocomplete and lists, keeping its record; false brings it back."
    )


class TopicRemoveRequest(Query):
    """Remove a topic that holds nothing (moderators): one with facts, digests or feeds is retired instead."""

    topic: Name = Field(description="The topic: its slug or title.")
