"""The generator's plan of a store: what it holds (shapes and specs of each record) and its fixed dates and names."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

SEED = 1027


TOPIC_SLUG = "synthetic-crisis"


TOPIC_TITLE = "Synthetic crisis"


TOPIC_SUMMARY = "A generated dossier for benchmarks."


STAKEHOLDER = "Beijing"


#: `created_at`/`updated_at` of every fact: what `apply_pack(now=RECORDED)` writes.
RECORDED = datetime(2025, 1, 1, tzinfo=UTC)


FIRST_DAY = date(2021, 2, 1)


LAST_DAY = date(2024, 12, 31)


@dataclass(slots=True)
class ActorSpec:
    """An actor as the generator plans it; other records refer to actors by list index."""

    slug: str
    name: str
    aliases: list[str]
    kind: str
    side: str
    description: str
    affiliations: list[tuple[int, str]] = field(default_factory=list)


@dataclass(slots=True)
class PlaceSpec:
    """A place; `parent` is the index of the place it lies within."""

    slug: str
    name: str
    aliases: list[str]
    kind: str
    parent: int | None


@dataclass(slots=True)
class EventSpec:
    """An event with its participants (actor index, role) and the earlier events it followed."""

    slug: str
    name: str
    aliases: list[str]
    day: date
    precision: str
    place: int | None
    actors: list[tuple[int, str]]
    follows: list[int]
    summary: str


@dataclass(slots=True, frozen=True)
class SourceSpec:
    """A document, or the background-knowledge pseudo-source."""

    title: str
    publisher: str | None
    url: str | None
    published: date | None
    kind: str
    note: str | None


@dataclass(slots=True)
class FactSpec:
    """A fact; `source` indexes `World.sources`."""

    key: str
    statement: str
    kind: str
    actors: list[int]
    event: int | None
    place: int | None
    stakeholder: int | None
    interest: str | None
    as_of: date
    source: int
    reliability: str
    credibility: int
    #: Why a moderator retracted it, for the few facts that are retracted.
    retracted: str | None = None


@dataclass(frozen=True)
class Shape:
    """How many of each record a store of `facts` facts holds: entities grow slower than facts."""

    facts: int
    actors: int
    places: int
    events: int
    sources: int

    @classmethod
    def for_facts(cls, facts: int) -> Shape:
        """About 2,500 actors, 1,200 places and 40,000 events at a million facts; a few dozen at a hundred."""
        root = math.sqrt(facts)
        return cls(
            facts=facts,
            actors=max(30, round(2.5 * root)),
            places=max(25, round(1.2 * root)),
            events=max(20, facts // 25),
            sources=max(4, facts // 20),
        )


@dataclass
class World:
    """Everything but the facts, which are streamed (a million of them do not need to sit in memory)."""

    shape: Shape
    actors: list[ActorSpec]
    places: list[PlaceSpec]
    events: list[EventSpec]
    sources: list[SourceSpec]
    stakeholders: list[int]
    towns: list[int]
