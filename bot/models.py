"""Pydantic models: the single gate for everything that enters the store.

Packs, moderator commands and the console all build these models, so a rule written here (a grade range,
a URL scheme, a date that must not lie in the future) holds on every path into the database.
Records refer to each other by slug, which is what a person writes in a pack; the store maps slugs to ids.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from bot.text import clean_line, clean_paragraph, is_blank

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
STATEMENT_MAX = 1000
FACT_ACTORS_MAX = 25
NAME_MAX = 100
REASON_MAX = 500
URL_MAX = 2000
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def normalise(text: str) -> str:
    """Fold case, accents, punctuation and spacing so that "Magwe", "magwé" and "MAGWE" meet."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.findall(r"\w+", stripped.casefold())
    return " ".join(words)


def _iso_date(value: object) -> object:
    """Accept only YYYY-MM-DD text (or a date) so that "11/12/2023" is never read the wrong way round."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = str(clean_line(value))
        if not ISO_DATE.match(text):
            raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text} is not a real calendar date") from None
    raise ValueError("expected a date in the form YYYY-MM-DD")


def latest_day(now: datetime | None = None) -> date:
    """Today where it is latest on Earth: UTC+14 (Kiribati) reaches each date first.

    A date is "in the future" only when it is later than this, so nobody anywhere is refused today's date,
    yet 9999-12-31 (or tomorrow everywhere) is refused.
    """
    return ((now or datetime.now(UTC)).astimezone(UTC) + timedelta(hours=14)).date()


def _not_future(value: date) -> date:
    if value > latest_day():
        raise ValueError(f"{value.isoformat()} lies in the future: give today or an earlier day (YYYY-MM-DD)")
    return value


def _http_url(text: str) -> str:
    if not re.match(r"^https?://[^\s/$.?#][^\s]*\.[^\s]*$", text, re.IGNORECASE):
        raise ValueError(f"{text!r} is not an http(s) URL")
    return text


LANGUAGE_PATTERN = r"^[a-z]{2}$"


def _language(text: str) -> str:
    if not re.match(LANGUAGE_PATTERN, text):
        raise ValueError(f"{text!r} is not a two-letter ISO 639-1 language code, such as en, my or zh")
    return text


def _none_if_blank(value: object) -> object:
    """An optional text with nothing visible in it is not given."""
    return None if isinstance(value, str) and is_blank(value) else value


LINE = BeforeValidator(clean_line)
PARAGRAPH = BeforeValidator(clean_paragraph)
PastDate = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_not_future)]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=64)]
Name = Annotated[str, LINE, Field(min_length=1, max_length=NAME_MAX)]
Text = Annotated[str, PARAGRAPH, Field(max_length=2000)]
Statement = Annotated[str, PARAGRAPH, Field(min_length=1, max_length=STATEMENT_MAX)]
Reason = Annotated[str, PARAGRAPH, Field(min_length=1, max_length=REASON_MAX)]
Title = Annotated[str, LINE, Field(min_length=1, max_length=300)]
NONE_IF_BLANK = BeforeValidator(_none_if_blank)
HttpUrl = Annotated[Annotated[str, LINE, Field(max_length=URL_MAX), AfterValidator(_http_url)] | None, NONE_IF_BLANK]
Publisher = Annotated[str, LINE, Field(max_length=200)]
Reliability = Literal["A", "B", "C", "D", "E", "F"]
Credibility = Annotated[int, Field(ge=1, le=6)]
#: Who makes a claim, as a report names them ("a spokesman for the MNDAA", "the UN's OCHA").
Claimant = Annotated[str, LINE, Field(min_length=1, max_length=200)]
#: An ISO 639-1 language code, such as en or my.
Language = Annotated[str, AfterValidator(_language), Field(json_schema_extra={"pattern": LANGUAGE_PATTERN})]


class Strict(BaseModel):
    """Base for stored records: unknown keys are errors, because a typo in a pack must not vanish."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class DatePrecision(StrEnum):
    """How much of an event's date is known, in the manner of ACLED's time_precision."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class ActorKind(StrEnum):
    """What sort of actor a record describes."""

    STATE = "state"
    GOVERNMENT = "government"
    MILITARY = "military"
    ARMED_GROUP = "armed-group"
    ALLIANCE = "alliance"
    ORGANISATION = "organisation"
    CRIMINAL = "criminal"
    POPULATION = "population"
    PERSON = "person"


class Side(StrEnum):
    """Which side of the conflict an actor stands on, for grouping in answers."""

    REGIME = "regime"
    RESISTANCE = "resistance"
    EXTERNAL = "external"
    NEUTRAL = "neutral"
    UNKNOWN = "unknown"


#: The sides that fight: the regime and the resistance. An external power, a neutral body (the UN, a rights
#: group, the press) or an actor whose side is unknown is an observer, whose claims are graded on their merits.
PARTIES = frozenset({Side.REGIME, Side.RESISTANCE})
#: The best credibility a party's claim can have: "possibly true". A party has every reason to say what
#: serves it, so its word alone never makes a claim "probably true" (2) or "confirmed" (1).
PARTY_CREDIBILITY = 3


def is_party(side: str | None) -> bool:
    """Whether an actor on this side is a party to the fighting (see `PARTIES`)."""
    return side in PARTIES


def capped_credibility(credibility: int, side: str | None) -> int:
    """The credibility a claim may carry given who claims it: never better than 3 for a party's claim."""
    return max(credibility, PARTY_CREDIBILITY) if is_party(side) else credibility


def claimed_by(claimant: str | None, side: str | None) -> str | None:
    """How answers name who claims a fact: "claimed by the MNDAA, a party to the fighting"."""
    if not claimant:
        return None
    return f"claimed by {claimant}" + (", a party to the fighting" if is_party(side) else "")


class Relation(StrEnum):
    """How one actor relates to another."""

    MEMBER_OF = "member-of"
    ALLIED_WITH = "allied-with"
    COOPERATES_WITH = "cooperates-with"
    OPPOSES = "opposes"
    ENGAGES_WITH = "engages-with"


class PlaceKind(StrEnum):
    """The scale of a place, so that a region filter can include the towns within it."""

    COUNTRY = "country"
    STATE = "state"
    REGION = "region"
    TOWN = "town"
    BORDER = "border"


class FactKind(StrEnum):
    """What a fact is: it decides where a fact appears in a brief."""

    FIGURE = "figure"
    EVENT = "event"
    ASSESSMENT = "assessment"
    STAKE = "stake"
    BACKGROUND = "background"


class Salience(StrEnum):
    """What a pack author knows about a fact's weight that the data cannot say; unmarked facts are ranked by it."""

    KEY_JUDGEMENT = "key-judgement"
    HEADLINE = "headline"
    COLOUR = "colour"


class Interest(StrEnum):
    """The interest a stake touches; `/stakes` groups by it."""

    TRADE = "trade"
    SECURITY = "security"
    CITIZENS = "citizens"
    DIPLOMACY = "diplomacy"
    INVESTMENT = "investment"
    STABILITY = "stability"


class SourceKind(StrEnum):
    """Whether a fact comes from a document or only from the author's background knowledge."""

    DOCUMENT = "document"
    BACKGROUND = "background"


class Source(Strict):
    """Where a fact comes from. A background source has no URL: nobody may invent one."""

    title: Title = Field(description="The document's title.")
    publisher: Annotated[Publisher | None, NONE_IF_BLANK] = Field(None, description="Who published it.")
    url: HttpUrl = Field(None, description="An http(s) URL; none for a background-knowledge source.")
    published: PastDate | None = Field(None, description="Publication day, YYYY-MM-DD, not in the future.")
    kind: SourceKind = Field(
        SourceKind.DOCUMENT,
        description="`document`, or `background` for the author's own knowledge (no URL; its facts are graded F).",
    )
    note: Annotated[Annotated[str, PARAGRAPH, Field(max_length=500)] | None, NONE_IF_BLANK] = Field(
        None, description="How the source was read, such as how an undated text's date was inferred."
    )

    @model_validator(mode="after")
    def _background_has_no_url(self) -> Self:
        if self.kind is SourceKind.BACKGROUND and self.url:
            raise ValueError("a background-knowledge source cannot have a URL")
        return self


class Topic(Strict):
    """A dossier: one crisis with its own actors, places, events and facts."""

    slug: Slug = Field(description="The topic's id: lower-case letters, digits and hyphens (DEFAULT_TOPIC names it).")
    title: Name = Field(description="The dossier's title as shown in answers.")
    summary: Text = Field("", description="A paragraph on what the crisis is.")
    languages: list[Language] = Field(
        default_factory=lambda: ["en"],
        min_length=1,
        max_length=20,
        description="The languages (ISO 639-1 codes, such as en, my, zh) of the reports intake proposes facts"
        " from (default: [en]); a report in any other language is listed as skipped, not proposed.",
    )

    @model_validator(mode="after")
    def _languages_once(self) -> Self:
        object.__setattr__(self, "languages", list(dict.fromkeys(self.languages)))
        return self


class Affiliation(Strict):
    """A link from one actor to another, such as membership of an alliance."""

    actor: Slug = Field(description="The slug of the other actor, declared under `actors`.")
    relation: Relation = Field(description="How this actor relates to the other one.")


class Actor(Strict):
    """Someone who acts in the crisis, known by a canonical name and any number of aliases."""

    slug: Slug = Field(description="The actor's id in this pack: lower-case letters, digits and hyphens.")
    name: Name = Field(description="The canonical name shown in answers.")
    aliases: list[Name] = Field(
        default_factory=list, max_length=50, description="Other names and spellings that find this actor."
    )
    kind: ActorKind = Field(description="What sort of actor this is.")
    side: Side = Field(Side.UNKNOWN, description="Which side of the conflict the actor stands on.")
    description: Text = Field("", description="A sentence or two shown in the actor's profile.")
    affiliations: list[Affiliation] = Field(
        default_factory=list, max_length=50, description="Links to other actors (member of, opposes, …)."
    )


class Place(Strict):
    """A country, region or town, with its alternative spellings."""

    slug: Slug = Field(description="The place's id in this pack: lower-case letters, digits and hyphens.")
    name: Name = Field(description="The name shown in answers.")
    aliases: list[Name] = Field(
        default_factory=list, max_length=50, description="Other spellings that find this place."
    )
    kind: PlaceKind = Field(description="The scale of the place.")
    parent: Slug | None = Field(
        None, description="The slug of the place that contains it; a region filter includes what lies within."
    )


class Participant(Strict):
    """An actor's part in an event."""

    actor: Slug = Field(description="The slug of an actor declared under `actors`.")
    role: Annotated[str, LINE, Field(min_length=1, max_length=60)] = Field(
        "participant", description="The actor's part, such as attacker or mediator."
    )


class Event(Strict):
    """Something that happened on a date known to a stated precision."""

    slug: Slug = Field(description="The event's id in this pack: lower-case letters, digits and hyphens.")
    name: Name = Field(description="The name shown in answers.")
    aliases: list[Name] = Field(default_factory=list, max_length=50, description="Other names that find this event.")
    date: PastDate = Field(
        description="YYYY-MM-DD, not in the future; a month- or year-precision date is written as its first day."
    )
    precision: DatePrecision = Field(DatePrecision.DAY, description="How much of the date is known.")
    place: Slug | None = Field(
        None, description="The slug of the place where it happened; `places` lists several (give one or the other)."
    )
    places: list[Slug] = Field(
        default_factory=list, max_length=20, description="The slugs of the places where it happened."
    )
    actors: list[Participant] = Field(default_factory=list, max_length=50, description="Who took part, and how.")
    follows: list[Slug] = Field(
        default_factory=list, max_length=20, description="Slugs of the events this one followed from."
    )
    summary: Text = Field("", description="What happened, in a sentence or two.")

    @model_validator(mode="after")
    def _one_list_of_places(self) -> Self:
        """A single `place` (the older form, still read) is a one-place `places`; two different lists are an error."""
        if self.place is not None:
            if self.places and self.places != [self.place]:
                raise ValueError("give `place` or `places`, not both")
            object.__setattr__(self, "places", [self.place])
        if len(set(self.places)) != len(self.places):
            raise ValueError("a place is listed twice in `places`")
        return self

    @model_validator(mode="after")
    def _date_fits_precision(self) -> Self:
        if self.precision is not DatePrecision.DAY and self.date.day != 1:
            raise ValueError(f"a {self.precision.value}-precision date is written as its first day")
        if self.precision is DatePrecision.YEAR and self.date.month != 1:
            raise ValueError("a year-precision date is written as YYYY-01-01")
        return self


class Fact(Strict):
    """One sourced statement, graded on the Admiralty scale, about actors, an event or a place."""

    key: Slug
    statement: Statement
    kind: FactKind
    actors: list[Slug] = Field(default_factory=list, max_length=FACT_ACTORS_MAX)
    event: Slug | None = None
    place: Slug | None = None
    stakeholder: Slug | None = None
    interest: Interest | None = None
    as_of: PastDate
    source: Source
    reliability: Reliability
    credibility: Credibility
    salience: Salience | None = None
    claimant: Claimant | None = None
    claimant_actor: Slug | None = None

    @model_validator(mode="after")
    def _stakes_name_their_stakeholder(self) -> Self:
        # A figure or an event may also be at stake for someone (the halted trade is Beijing's), so that one
        # claim is one fact; but a stakeholder always comes with the interest at stake, and a stake has both.
        if self.kind is FactKind.STAKE and (self.stakeholder is None or self.interest is None):
            raise ValueError("a stake needs a stakeholder and an interest")
        if (self.stakeholder is None) != (self.interest is None):
            raise ValueError("a stakeholder and an interest go together: give both or neither")
        if self.source.kind is SourceKind.BACKGROUND and self.reliability != "F":
            raise ValueError("a fact from background knowledge is graded F: its source cannot be judged")
        if self.claimant_actor is not None and self.claimant is None:
            raise ValueError("a claimant's actor comes with the claimant as the source names them")
        return self

    @property
    def grade(self) -> str:
        """The Admiralty code, such as B2."""
        return f"{self.reliability}{self.credibility}"


class Author(Strict):
    """Who made a change: a Discord user, or the operator at the command line (no id)."""

    id: int | None = None
    name: Name


OPERATOR = Author(name="operator (command line)")
