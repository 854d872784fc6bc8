"""What each `/digest` command takes, validated once by pydantic for Discord and the command line alike.

As with the briefing queries, a model's docstring is its command's help text and each field's description
is its option's help text, so the cog, the CLI and the checks never drift apart. Schedules, zones and
lengths of time are checked here too, so a malformed one is refused before anything is stored.
"""

from __future__ import annotations

from typing import Annotated, Self
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field, model_validator

from bot.briefing.queries import AS_OF, Query
from bot.digests.schedules import parse_after, parse_clock, parse_schedule, parse_zone
from bot.models import LINE, Name, PastDate, Slug

UTC_ZONE = ZoneInfo("UTC")
SubscriptionId = Annotated[int, Field(ge=1, le=2**53 - 1)]
ChannelId = Annotated[int, Field(ge=1, le=2**64)]


def _zone(name: str) -> str:
    return parse_zone(name).key


def _after(text: str) -> str:
    return parse_after(text).text


def _clock(text: str) -> str:
    return f"{parse_clock(text):%H:%M}"


def _schedule(text: str) -> str:
    """The schedule in its normal form; whether it runs too often is checked against the clock when stored."""
    return parse_schedule(text, UTC_ZONE).text


Zone = Annotated[str, LINE, Field(min_length=1, max_length=64), AfterValidator(_zone)]
AfterText = Annotated[str, LINE, Field(min_length=1, max_length=40), AfterValidator(_after)]
ClockText = Annotated[str, LINE, Field(min_length=1, max_length=5), AfterValidator(_clock)]
ScheduleText = Annotated[str, LINE, Field(min_length=1, max_length=100), AfterValidator(_schedule)]
SCHEDULE_HELP = "daily 09:00, weekly mon 09:00, monthly 1 09:00, or five-field cron such as 0 9 * * 1-5."
AFTER_HELP = "How long after the event: 30d, 2 weeks, 1 month, 1 year."


class SubscribeRequest(Query):
    """Post a digest of what changed to a channel on a schedule, in a time zone (moderators)."""

    channel: ChannelId = Field(description="Where to post: a text or announcement channel, or a thread.")
    schedule: ScheduleText = Field(description=SCHEDULE_HELP)
    timezone: Zone = Field(description="IANA time zone the schedule's times are in, such as Europe/London.")
    topic: Slug | None = Field(None, description="Topic slug (default: the topic in force in that channel).")
    quiet: bool = Field(False, description="Post nothing, rather than a one-line note, when nothing changed.")


class MilestoneRequest(Query):
    """Post a one-off summary of an event a set time after it, such as one month on (moderators)."""

    event: Name = Field(description="The event the milestone counts from.")
    after: AfterText = Field(description=AFTER_HELP)
    channel: ChannelId = Field(description="Where to post: a text or announcement channel, or a thread.")
    time: ClockText = Field("09:00", description="Time of day to post, HH:MM in the bot's time zone (default 09:00).")
    topic: Slug | None = Field(None, description="The event's topic, by slug (default: the topic in force there).")


class ListRequest(Query):
    """The digests scheduled in this server, or in one channel, with their next run and last result."""

    channel: ChannelId | None = Field(None, description="Only the digests of this channel.")


class DigestIdRequest(Query):
    """A digest subscription by its number."""

    id: SubscriptionId = Field(description="The digest's number, as `/digest list` shows it.")


class PauseRequest(DigestIdRequest):
    """Stop posting a digest until it is resumed (moderators)."""


class ResumeRequest(DigestIdRequest):
    """Start posting a paused digest again; runs missed while paused are not caught up (moderators)."""


class RemoveRequest(DigestIdRequest):
    """Delete a digest subscription; what it posted stays (moderators)."""


class SendRequest(DigestIdRequest):
    """Post a digest now, outside its schedule (moderators)."""


class PreviewRequest(Query):
    """Read a digest privately, without posting it: a subscription's next one, or an event's milestone."""

    id: SubscriptionId | None = Field(None, description="The digest's number, as `/digest list` shows it.")
    event: Name | None = Field(None, description="Preview a milestone of this event instead (with `after`).")
    after: AfterText | None = Field(None, description=AFTER_HELP)
    as_of: PastDate | None = Field(None, description=AS_OF)
    topic: Slug | None = Field(None, description="The event's topic, by slug (default: the topic in force here).")

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if self.id is not None and (self.event or self.after):
            raise ValueError("give either `id`, or `event` and `after`, not both")
        if self.id is None and not (self.event and self.after):
            raise ValueError("give a digest `id`, or an `event` and how long `after` it")
        return self
