"""What each moderator command takes, validated once by pydantic, as the briefing queries are.

A model's docstring is its command's help text and each field's description is its option's help text;
the cog declares its options' limits (lengths, ranges, choices) from these fields too, so what Discord
offers and what the bot accepts cannot drift apart. A field's `title`, where given, is the label the
user sees in a form, and refusals name the field by it ("Source date", not `published`).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, ClassVar

from pydantic import Field

from bot.briefing.queries import FactQuery, Query
from bot.models import (
    LINE,
    ActorKind,
    Claimant,
    Credibility,
    DatePrecision,
    FactKind,
    HttpUrl,
    Interest,
    Name,
    PastDate,
    PlaceKind,
    Publisher,
    Reason,
    Relation,
    Reliability,
    Side,
    Slug,
    Statement,
    Text,
    Title,
)
from bot.store.names import Entity
from bot.store.packform import Form
from bot.store.records import FactRecord
from bot.text import is_blank

#: Resolves a name the user typed to the slug of an actor, place or event (None when not given).
SlugOf = Callable[[Entity, str | None], Awaitable[str | None]]
#: Comma-separated names as typed in one option: at most 50 of at most 100 characters fit in this.
NameList = Annotated[str, LINE, Field(min_length=1, max_length=2000)]

KIND = "What the fact is: figure, event, assessment, stake or background."
RELIABILITY = "Admiralty source reliability: A completely reliable … E unreliable, F cannot be judged."
CREDIBILITY = "Admiralty information credibility: 1 confirmed … 5 improbable, 6 cannot be judged."
BACKGROUND = "True if this comes from your own background knowledge, not a document (graded F)."
CLAIMANT = "Who makes the claim, as the source names them (a spokesman for the MNDAA); on edit '-' clears it."
CLAIMED_BY = "The known actor making the claim; a party to the fighting's claim is graded 3 (possibly true) at best."
ALIASES = "Other names and spellings, separated by commas (on edit: replaces the list; '-' clears it)."


def names(text: str | None) -> list[str] | None:
    """Split a comma-separated list as typed in Discord; None when not given, [] for '-'; blank names drop out."""
    if text is None:
        return None
    return [] if text == "-" else [name.strip() for name in text.split(",") if not is_blank(name)]


def given(**values: Any) -> Form:
    """Only the values that were given: on edit, whatever is left out stays as it is."""
    return {k: v for k, v in values.items() if v is not None}


# Facts ---------------------------------------------------------------------------------------------------


class FactOptions(Query):
    """The structured half of a fact, as options of /fact edit: each one given replaces the stored one."""

    kind: FactKind | None = Field(None, description=KIND)
    reliability: Reliability | None = Field(None, description=RELIABILITY)
    credibility: Credibility | None = Field(None, description=CREDIBILITY)
    actor: Name | None = Field(None, description="The actor the fact is about.")
    event: Name | None = Field(None, description="The event the fact is about.")
    place: Name | None = Field(None, description="The place the fact is about.")
    stakeholder: Name | None = Field(None, description="For a stake: whose stake it is.")
    interest: Interest | None = Field(None, description="For a stake: which interest (trade, security, citizens, …).")
    publisher: Publisher | None = Field(None, description="Who published the source (e.g. Reuters).")
    background: bool | None = Field(None, description=BACKGROUND)
    claimant: Claimant | None = Field(None, description=CLAIMANT)
    claimed_by: Name | None = Field(None, description=CLAIMED_BY)

    def fields(self) -> Form:
        """The options given, in `FactFields` terms (the form's text comes separately)."""
        values = self.model_dump(exclude_none=True, exclude={"id", "actor", "publisher", "claimed_by"})
        values |= given(
            actors=[self.actor] if self.actor else None,
            source_publisher=self.publisher,
            claimant_actor=self.claimed_by,
        )
        if self.claimant == "-":
            values |= {"claimant": None, "claimant_actor": None}
        return values


class FactAddRequest(FactOptions):
    """Add a fact (moderators): options here, text in the form."""

    kind: FactKind = Field(description=KIND)
    reliability: Reliability = Field(description=RELIABILITY)
    credibility: Credibility = Field(description=CREDIBILITY)
    background: bool = Field(False, description=BACKGROUND)


class FactProposeRequest(FactAddRequest):
    """Propose a fact (anyone): the same form as /fact add; a moderator approves it before it is stored."""


class FactEditRequest(FactOptions):
    """Edit a fact (moderators): saves a new revision, keeps the old."""

    id: Annotated[int, Field(ge=1, le=2**53 - 1)] = Field(description="The fact's number, as shown after # in answers.")


class FactForm(Query):
    """The free-text half of a fact, typed in a form; each `title` is the form's label for it."""

    statement: Statement = Field(title="Statement", description="What the source says, in one or two sentences.")
    source_title: Title = Field(title="Source title", description="The title of the report or article.")
    source_url: HttpUrl = Field(None, title="Source URL", description="Empty if there is none.")
    source_date: PastDate | None = Field(None, title="Source date", description="YYYY-MM-DD; empty if unknown.")
    as_of: PastDate = Field(title="True as of", description="YYYY-MM-DD: the day the statement describes.")


class FactFields(FactForm):
    """A fact as a moderator enters it: the form's text plus names rather than slugs, the source spelled out."""

    kind: FactKind
    actors: list[Name] = Field(default_factory=list, max_length=25)
    event: Name | None = None
    place: Name | None = None
    stakeholder: Name | None = None
    interest: Interest | None = None
    source_publisher: Publisher | None = None
    background: bool = False
    reliability: Reliability
    credibility: Credibility
    claimant: Claimant | None = None
    #: The known actor the claimant is, by name: a party's claim is graded 3 at best.
    claimant_actor: Name | None = None

    @classmethod
    def of(cls, record: FactRecord) -> FactFields:
        """The fields of a stored fact, to prefill an edit."""
        return cls(
            statement=record.statement,
            kind=FactKind(record.kind),
            actors=[a.slug for a in record.actors],
            event=record.event.slug if record.event else None,
            place=record.place.slug if record.place else None,
            stakeholder=record.stakeholder.slug if record.stakeholder else None,
            interest=Interest(record.interest) if record.interest else None,
            as_of=record.as_of,
            source_title=record.source.title,
            source_publisher=record.source.publisher,
            source_url=record.source.url,
            source_date=record.source.published,
            background=record.source.kind == "background",
            reliability=record.reliability,  # type: ignore[arg-type]
            credibility=record.credibility,
            claimant=record.claimant,
            claimant_actor=record.claimant_actor.slug if record.claimant_actor else None,
        )


class RetractRequest(FactQuery):
    """Retract a fact (moderators): it leaves every answer."""

    reason: Reason = Field(description="Why: kept on record with the fact.")


class RestoreRequest(FactQuery):
    """Bring a retracted fact back into answers (moderators)."""


# Actors, places and events ---------------------------------------------------------------------------------


class RecordRequest(Query):
    """An add or edit of an actor, place or event: which kind, and the changes in pack form."""

    entity: ClassVar[Entity]

    @abstractmethod
    async def changes(self, slug: SlugOf) -> Form:
        """The fields this request sets, names resolved to slugs (`NotFound` with suggestions otherwise)."""


class RecordEdit(RecordRequest):
    """An edit: it also names the record it changes, in the option named after its kind (`actor`, …)."""

    @property
    def target(self) -> str:
        """The name of the record to edit, as the user typed it."""
        return str(getattr(self, self.entity))


class ActorAddRequest(RecordRequest):
    """Add an actor (moderators)."""

    entity: ClassVar[Entity] = "actor"
    name: Name = Field(description="Its canonical name.")
    kind: ActorKind = Field(description="What sort of actor.")
    side: Side = Field(Side.UNKNOWN, description="Which side it stands on.")
    aliases: NameList | None = Field(None, description=ALIASES)
    description: Text = Field("", description="One line on who it is.")
    linked_to: Name | None = Field(None, description="Another actor it is linked to.")
    relation: Relation = Field(Relation.MEMBER_OF, description="How it is linked to that actor (default: member of).")

    async def changes(self, slug: SlugOf) -> Form:
        """A new actor, with its one link if given."""
        links = [{"actor": await slug("actor", self.linked_to), "relation": self.relation}] if self.linked_to else []
        return {
            "name": self.name,
            "kind": self.kind,
            "side": self.side,
            "description": self.description,
            "affiliations": links,
            "aliases": names(self.aliases) or [],
        }


class ActorEditRequest(RecordEdit):
    """Edit an actor (moderators); options left out stay as they are."""

    entity: ClassVar[Entity] = "actor"
    actor: Name = Field(description="The actor to edit.")
    name: Name | None = Field(None, description="A new canonical name.")
    kind: ActorKind | None = Field(None, description="What sort of actor.")
    side: Side | None = Field(None, description="Which side it stands on.")
    aliases: NameList | None = Field(None, description=ALIASES)
    description: Text | None = Field(None, description="One line on who it is.")

    async def changes(self, slug: SlugOf) -> Form:
        """The fields given."""
        return given(
            name=self.name, kind=self.kind, side=self.side, aliases=names(self.aliases), description=self.description
        )


class PlaceAddRequest(RecordRequest):
    """Add a place (moderators)."""

    entity: ClassVar[Entity] = "place"
    name: Name = Field(description="Its canonical name.")
    kind: PlaceKind = Field(description="Its scale.")
    within: Name | None = Field(None, description="The place it lies within.")
    aliases: NameList | None = Field(None, description=ALIASES)

    async def changes(self, slug: SlugOf) -> Form:
        """A new place, within its parent if given."""
        parent = await slug("place", self.within)
        return {"name": self.name, "kind": self.kind, "parent": parent, "aliases": names(self.aliases) or []}


class PlaceEditRequest(RecordEdit):
    """Edit a place (moderators); options left out stay as they are."""

    entity: ClassVar[Entity] = "place"
    place: Name = Field(description="The place to edit.")
    name: Name | None = Field(None, description="A new name.")
    kind: PlaceKind | None = Field(None, description="Its scale.")
    within: Name | None = Field(None, description="The place it lies within.")
    aliases: NameList | None = Field(None, description=ALIASES)

    async def changes(self, slug: SlugOf) -> Form:
        """The fields given."""
        parent = await slug("place", self.within)
        return given(name=self.name, kind=self.kind, parent=parent, aliases=names(self.aliases))


class EventAddRequest(RecordRequest):
    """Add an event (moderators)."""

    entity: ClassVar[Entity] = "event"
    name: Name = Field(description="Its canonical name.")
    date: PastDate = Field(description="When, YYYY-MM-DD, not after today (for a month or year, its first day).")
    precision: DatePrecision = Field(DatePrecision.DAY, description="How much of the date is known.")
    place: Name | None = Field(None, description="Where it happened.")
    actors: NameList | None = Field(None, description="Who took part: names separated by commas.")
    follows: Name | None = Field(None, description="The event it followed from.")
    aliases: NameList | None = Field(None, description=ALIASES)
    summary: Text = Field("", description="One line on what happened.")

    async def changes(self, slug: SlugOf) -> Form:
        """A new event, its place, participants and the event it followed resolved to slugs."""
        return {
            "name": self.name,
            "date": self.date,
            "precision": self.precision,
            "place": await slug("place", self.place),
            "actors": [{"actor": await slug("actor", name)} for name in names(self.actors) or []],
            "follows": [await slug("event", self.follows)] if self.follows else [],
            "aliases": names(self.aliases) or [],
            "summary": self.summary,
        }


class EventEditRequest(RecordEdit):
    """Edit an event (moderators); options left out stay as they are."""

    entity: ClassVar[Entity] = "event"
    event: Name = Field(description="The event to edit.")
    name: Name | None = Field(None, description="A new name.")
    date: PastDate | None = Field(None, description="When, YYYY-MM-DD, not after today.")
    precision: DatePrecision | None = Field(None, description="How much of the date is known.")
    place: Name | None = Field(None, description="Where it happened.")
    aliases: NameList | None = Field(None, description=ALIASES)
    summary: Text | None = Field(None, description="One line on what happened.")

    async def changes(self, slug: SlugOf) -> Form:
        """The fields given."""
        where = await slug("place", self.place)
        return given(
            name=self.name,
            date=self.date,
            precision=self.precision,
            place=where,
            aliases=names(self.aliases),
            summary=self.summary,
        )


# Packs ---------------------------------------------------------------------------------------------------


class PackImportRequest(Query):
    """Validate a YAML pack as a whole, then apply it (moderators)."""

    dry_run: bool = Field(False, description="Only report what would change; write nothing.")


class PackExportRequest(Query):
    """The topic as a YAML pack that imports back to the same store."""

    topic: Slug | None = Field(None, description="Which topic, by slug (default: the topic in force in this channel).")
