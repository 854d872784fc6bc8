"""What each question takes, validated once by pydantic for Discord and the console alike.

A query model's docstring is the command's help text and each field's description is the option's help
text: the cogs and the console both read them from here, so the two can never drift apart.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Self, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.errors import explain
from bot.models import LINE, Name, PastDate, normalise
from bot.text import is_blank

Q = TypeVar("Q", bound="Query")
AS_OF = "Answer as of this day (YYYY-MM-DD, not after today): only facts and events dated on or before it."


def _searchable(text: str) -> str:
    """A query must hold a word or a number to look for; `*`, `-` or an emoji alone finds nothing."""
    if not any(char.isalnum() for char in normalise(text)):
        raise ValueError("has no word to search for: use words or a name, such as `Lashio` or `trade with China`")
    return text


class Query(BaseModel):
    """Base for questions and requests: unknown options are errors; blank text in an optional one is not given.

    Blank means nothing visible (`bot.text.is_blank`): a required option that is blank is refused as
    empty, an optional one is left out, so two zero-width spaces never stand for a name.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_missing(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None and (not is_blank_text(v) or _required(cls, k))}
        return data


def is_blank_text(value: object) -> bool:
    """Text with nothing visible in it: as an optional option, one that was not really given."""
    return isinstance(value, str) and is_blank(value)


def _required(model: type[BaseModel], name: str) -> bool:
    field = model.model_fields.get(name)
    return field is not None and field.is_required()


class BriefQuery(Query):
    """The situation in one answer: what is happening, key figures, latest events, headline stakes."""

    as_of: PastDate | None = Field(None, description=AS_OF)


class ActorQuery(Query):
    """Profile of an actor: names, kind, side and allies, key facts and recent events."""

    name: Name = Field(description="The actor: a name, an alias or a spelling of either.")
    as_of: PastDate | None = Field(None, description=AS_OF)


class EventQuery(Query):
    """An event: when and where it happened, who was involved and what followed."""

    name: Name = Field(description="The event: its name or another name for it.")


class TimelineQuery(Query):
    """Events in date order, filtered by actor, region and dates."""

    actor: Name | None = Field(None, description="Only events this actor took part in.")
    region: Name | None = Field(None, description="Only events in this place or within it.")
    since: PastDate | None = Field(None, description="Only events on or after this day (YYYY-MM-DD, not after today).")
    until: PastDate | None = Field(None, description="Only events on or before this day (YYYY-MM-DD, not after today).")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.since and self.until and self.since > self.until:
            raise ValueError("`since` must not be later than `until`")
        return self


class StakesQuery(Query):
    """What a stakeholder stands to gain or lose, grouped by interest, with the facts behind each stake."""

    stakeholder: Name | None = Field(None, description="Whose stakes (default: the configured stakeholder).")
    as_of: PastDate | None = Field(None, description=AS_OF)


class SearchQuery(Query):
    """The facts that best answer a free-text question, ranked, with citations."""

    query: Annotated[str, LINE, Field(min_length=1, max_length=200), AfterValidator(_searchable)] = Field(
        description="Your question or keywords; names and their aliases both work."
    )


class FactQuery(Query):
    """One fact in full, with its source and grading."""

    id: Annotated[int, Field(ge=1, le=2**53 - 1)] = Field(description="The fact's number, as shown after # in answers.")


class HistoryQuery(FactQuery):
    """Every revision of a fact: who made it, when, and what changed."""


class AboutQuery(Query):
    """Version, what the store holds, and gateway latency."""


def build(model: type[Q], **values: Any) -> Q:
    """Validate a question, turning pydantic's report into a message the user can act on."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise explain(exc, model) from None


def describe(model: type[Query]) -> dict[str, str]:
    """Option help texts for `app_commands.describe`, taken from the query model."""
    return {name: field.description or name for name, field in model.model_fields.items()}


def summary(model: type[Query]) -> str:
    """Command help text (Discord allows 100 characters), taken from the query model's docstring."""
    text = (model.__doc__ or "").strip().splitlines()[0]
    return text if len(text) <= 100 else text[:99] + "…"


def since_date(day: date | None) -> str:
    """`as of 27 Nov 2023` for titles, or nothing when a query is about now."""
    return f" as of {day.day} {day.strftime('%b %Y')}" if day else ""
