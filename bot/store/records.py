"""What the store hands back: records with ids, their references already resolved to names.

These are read models. They carry what an answer needs (a name to show, an id to cite) so that the
briefing code never goes back to SQL for a second look-up per line.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.models import DatePrecision, SourceKind, claimed_by


class Record(BaseModel):
    """Base for read models: immutable once read."""

    model_config = ConfigDict(frozen=True)


class Ref(Record):
    """A pointer to an actor, place or event, with the name to show for it."""

    id: int
    slug: str
    name: str


class TopicRecord(Record):
    """A dossier as stored."""

    id: int
    slug: str
    title: str
    summary: str
    #: The languages of reports intake proposes facts from (ISO 639-1 codes).
    languages: list[str] = ["en"]


class SourceRecord(Record):
    """A source as stored; one row per distinct document, shared by every fact drawn from it."""

    id: int
    title: str
    publisher: str | None
    url: str | None
    published: date | None
    kind: SourceKind
    note: str | None


class FactRecord(Record):
    """A fact as stored, with its source and the names of what it is about."""

    id: int
    topic_id: int
    key: str
    statement: str
    kind: str
    actors: list[Ref]
    event: Ref | None
    place: Ref | None
    stakeholder: Ref | None
    interest: str | None
    as_of: date
    source: SourceRecord
    reliability: str
    credibility: int
    status: str
    created_at: datetime
    updated_at: datetime
    salience: str | None = None
    #: Who claims it, as the source names them, and the known actor that is (with its side), if any.
    claimant: str | None = None
    claimant_actor: Ref | None = None
    claimant_side: str | None = None

    @property
    def claimed_by(self) -> str | None:
        """How answers name its claimant ("claimed by the MNDAA, a party to the fighting"); None if it has none."""
        return claimed_by(self.claimant, self.claimant_side)

    @property
    def grade(self) -> str:
        """The Admiralty code, such as B2."""
        return f"{self.reliability}{self.credibility}"


class Affiliated(Record):
    """One end of an affiliation as seen from the actor being shown."""

    relation: str
    other: Ref
    outgoing: bool


class ActorRecord(Record):
    """An actor with every name it goes by and its links to other actors."""

    id: int
    topic_id: int
    slug: str
    name: str
    aliases: list[str]
    kind: str
    side: str
    description: str
    affiliations: list[Affiliated]


class PlaceRecord(Record):
    """A place with its alternative spellings and the place it lies within."""

    id: int
    topic_id: int
    slug: str
    name: str
    aliases: list[str]
    kind: str
    parent: Ref | None


class Participation(Record):
    """An actor's role in an event."""

    actor: Ref
    role: str


class EventRecord(Record):
    """An event with who took part, where (any number of places), what it followed and what followed it."""

    id: int
    topic_id: int
    slug: str
    name: str
    aliases: list[str]
    date: date
    precision: DatePrecision
    places: list[Ref]
    actors: list[Participation]
    follows: list[Ref]
    followed_by: list[Ref]
    summary: str


class NameMatch(Record):
    """A candidate for a name typed by a user, scored 0–100."""

    entity_id: int
    slug: str
    name: str
    matched: str
    score: float


class PackChanges(Record):
    """What applying a pack did (or would do), per kind of record: actors, places, events, facts."""

    added: dict[str, int]
    changed: dict[str, int]
    unchanged: dict[str, int]
    # What was written but deserves a look: two facts that make the same claim, named as a pair.
    warnings: list[str] = []
    # Facts claimed by a party to the fighting whose credibility was stored as 3 rather than as given.
    capped: list[str] = []

    @property
    def touched(self) -> bool:
        """Whether anything was (or would be) written."""
        return bool(self.added or self.changed)

    def summary(self, *, dry_run: bool = False) -> str:
        """One line a person reads: `added 1 actor, 3 facts; changed 1 fact; unchanged 40 facts`.

        A dry run says `would add` and `would change`; a kind with nothing in it is left out.
        """
        verbs = ("would add", "would change") if dry_run else ("added", "changed")
        parts = [
            f"{verb} {count_list(counts)}"
            for verb, counts in zip((*verbs, "unchanged"), (self.added, self.changed, self.unchanged), strict=True)
            if counts
        ]
        return "; ".join(parts) or "nothing to write"


def count_list(counts: dict[str, int]) -> str:
    """`1 actor, 3 facts` from `{"facts": 3, "actors": 1}`, in the order records are written, or `nothing`."""
    order = ("actors", "places", "events", "facts")
    listed = sorted(counts.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    return ", ".join(f"{n} {kind.removesuffix('s') if n == 1 else kind}" for kind, n in listed) or "nothing"


class ChangeRecord(Record):
    """One write on record: who, when, what, and the record before and after (pack form)."""

    id: int
    at: datetime
    entity: str
    entity_id: int
    action: str
    user_id: int | None
    user_name: str
    reason: str | None
    before: dict[str, Any] | None
    after: dict[str, Any]
