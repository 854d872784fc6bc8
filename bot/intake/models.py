"""What the intake commands take, validated once by pydantic (docstrings and descriptions are Discord's help)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from bot.briefing.queries import Query
from bot.models import LINE, URL_MAX, Reliability

RELIABILITY = "Admiralty reliability its facts start with: A completely reliable … E unreliable, F cannot be judged."


def _web_url(text: str) -> str:
    lowered = text.lower()
    if not lowered.startswith(("http://", "https://")) or len(text.split("://", 1)[1].split("/", 1)[0]) < 1:
        raise ValueError("must be an http:// or https:// URL")
    if any(c.isspace() for c in text):
        raise ValueError("must be a URL without spaces")
    return text


WebUrl = Annotated[str, LINE, Field(min_length=8, max_length=URL_MAX), AfterValidator(_web_url)]
FeedNumber = Annotated[int, Field(ge=1, le=2**53 - 1)]


class FeedAddRequest(Query):
    """Follow an RSS or Atom feed: its new reports become candidate facts for review (moderators)."""

    url: WebUrl = Field(description="The feed's address (RSS or Atom), http or https.")
    reliability: Reliability = Field("C", description=RELIABILITY)
    channel: int | None = Field(None, description="Where its candidates go for review (default: the review channel).")


class FeedListRequest(Query):
    """The feeds followed, their state and last error."""


class FeedIdRequest(Query):
    """A feed, by its number in /feed list."""

    id: FeedNumber = Field(description="The feed's number, as /feed list shows it.")


class FeedRemoveRequest(FeedIdRequest):
    """Stop following a feed (moderators); what it proposed stays."""


class FeedPauseRequest(FeedIdRequest):
    """Stop polling a feed for now (moderators)."""


class FeedResumeRequest(FeedIdRequest):
    """Poll a paused feed again (moderators)."""


class FeedPollRequest(FeedIdRequest):
    """Poll a feed now instead of waiting (moderators)."""


class SourceAddRequest(Query):
    """One article, by URL or as an HTML or text file, read into candidate facts for review (moderators)."""

    url: WebUrl | None = Field(None, description="The article's address, http or https.")
    reliability: Reliability = Field("C", description=RELIABILITY)


class SplitRequest(Query):
    """Take a wrongly matched report off a candidate (moderators): it becomes a candidate of its own."""

    candidate: Annotated[int, Field(ge=1, le=2**53 - 1)] = Field(
        description="The candidate's number, as shown after #."
    )
    report: Annotated[int, Field(ge=1, le=100)] = Field(
        description="The report's number under “Also reported by” on the candidate."
    )
