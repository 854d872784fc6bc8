"""Synthetic fact stores of any size: deterministic, realistically shaped, and quick to build.

Writing a million facts through `apply_pack` takes hours (every row is a round trip, and `index_fact`
scans every actor name per fact), so `build_store` writes the same rows straight into the schema the
migrations create, with `executemany` in large transactions. The rows are exactly what `PackWriter`
would write for the same records (`to_pack` gives those records as a `Pack`; the unit tests load both
ways and compare every table), so the bot answers from a generated store as from a pack-loaded one.

The shape follows a real crisis dossier: a few actors (the junta, the big alliances, the stakeholders
such as Beijing) appear in a large share of facts and thousands of minor ones in a few; places nest
country > state > district > town; events span four years with participants and sequels; facts cite
sources near their date and carry Admiralty grades; statements draw words from a Zipf-like vocabulary.
"""

from __future__ import annotations

import asyncio
import bisect
import hashlib
import itertools
import json
import math
import os
import random
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench import vocabulary as vocab
from bot.models import (
    OPERATOR,
    Actor,
    Affiliation,
    Event,
    Fact,
    Participant,
    Place,
    Source,
    Topic,
    normalise,
)
from bot.packs import Pack
from bot.store.engine import open_database
from bot.store.engine.base import migrations
from bot.store.search import topic_token

#: Bump whenever the generated rows change, so cached stores are rebuilt.
GENERATOR_VERSION = 3
SEED = 1027
TOPIC_SLUG = "synthetic-crisis"
TOPIC_TITLE = "Synthetic crisis"
TOPIC_SUMMARY = "A generated dossier for benchmarks."
STAKEHOLDER = "Beijing"
#: `created_at`/`updated_at` of every fact: what `apply_pack(now=RECORDED)` writes.
RECORDED = datetime(2025, 1, 1, tzinfo=UTC)
FIRST_DAY = date(2021, 2, 1)
LAST_DAY = date(2024, 12, 31)
CACHE_DIR = Path(__file__).resolve().parent / ".cache"
#: Facts per `executemany` batch, and per transaction: large enough to amortise, small enough for RAM.
BATCH = 25_000
COMMIT_EVERY = 250_000


# ------------------------------------------------------------------------------------------ the records


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


# ------------------------------------------------------------------------------------------ words and names


class Words:
    """Deterministic random text: Zipf-weighted statement words and made-up names that never collide."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set()
        made_up = self._made_up_words(20_000)
        self.vocabulary = list(dict.fromkeys([*vocab.FUNCTION_WORDS, *vocab.CRISIS_WORDS, *made_up]))
        weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(self.vocabulary))]
        self.cumulative = list(itertools.accumulate(weights))

    def _made_up_words(self, count: int) -> list[str]:
        words: dict[str, None] = {}
        while len(words) < count:
            words[self.syllables(self.rng.choice((2, 2, 3)))] = None
        return list(words)

    def syllables(self, count: int) -> str:
        """A pronounceable made-up word such as 'kyawnmin'."""
        rng = self.rng
        return "".join(
            rng.choice(vocab.ONSETS) + rng.choice(vocab.NUCLEI) + rng.choice(vocab.CODAS) for _ in range(count)
        )

    def text(self, low: int, high: int) -> str:
        """Between `low` and `high` words drawn from the Zipf-like vocabulary."""
        count = self.rng.randint(low, high)
        return " ".join(self.rng.choices(self.vocabulary, cum_weights=self.cumulative, k=count))

    def proper(self, syllables: int = 2) -> str:
        """A capitalised made-up proper name."""
        return self.syllables(syllables).capitalize()

    def claim(self, name: str) -> bool:
        """Reserve a name; False if its folded form is already used by another record of any kind."""
        norm = normalise(name)
        if not norm or norm in self.taken:
            return False
        self.taken.add(norm)
        return True

    def unique(self, make: Iterator[str] | Sequence[str]) -> str:
        """The first candidate name not yet taken."""
        for name in make:
            if self.claim(name):
                return name
        raise RuntimeError("ran out of candidate names")


def slugify(name: str, taken: set[str]) -> str:
    """A slug as a person would write it for this name, made unique with a number when needed."""
    base = re.sub(r"[^a-z0-9]+", "-", normalise(name)).strip("-")[:56] or "x"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def _aliases(words: Words, candidates: Sequence[str]) -> list[str]:
    """The candidates whose folded forms are still free (each record's names must fold differently)."""
    return [a for a in candidates if words.claim(a)]


# ------------------------------------------------------------------------------------------ actors

ANCHOR_ACTORS: list[tuple[str, list[str], str, str]] = [
    (
        "Myanmar military junta",
        ["Tatmadaw", "State Administration Council", "SAC", "Sit-tat", "junta", "military regime"],
        "military",
        "regime",
    ),
    ("Three Brotherhood Alliance", ["Brotherhood Alliance", "Three Brothers Alliance"], "alliance", "resistance"),
    ("Beijing", ["China", "People's Republic of China", "PRC", "Chinese government"], "state", "external"),
    ("People's Defense Forces", ["PDF", "People's Defence Force", "PDFs"], "armed-group", "resistance"),
    ("Myanmar National Democratic Alliance Army", ["MNDAA", "Kokang army"], "armed-group", "resistance"),
    ("Ta'ang National Liberation Army", ["TNLA", "Taang National Liberation Army"], "armed-group", "resistance"),
    ("Arakan Army", ["AA", "Arakha Army"], "armed-group", "resistance"),
    ("National Unity Government", ["NUG", "shadow government"], "government", "resistance"),
    ("Bangkok", ["Thailand", "Thai government"], "state", "external"),
    ("New Delhi", ["India", "Indian government"], "state", "external"),
    ("Washington", ["United States", "US government"], "state", "external"),
    ("Moscow", ["Russia", "Kremlin"], "state", "external"),
    ("ASEAN", ["Association of Southeast Asian Nations"], "organisation", "external"),
    ("Dhaka", ["Bangladesh", "Bangladeshi government"], "state", "external"),
    ("Tokyo", ["Japan", "Japanese government"], "state", "external"),
    ("Min Aung Hlaing", ["Senior General Min Aung Hlaing"], "person", "regime"),
    ("Kachin Independence Army", ["KIA", "Kachin army"], "armed-group", "resistance"),
    ("Karen National Union", ["KNU"], "armed-group", "resistance"),
    ("Organized crime syndicates", ["scam syndicates", "scam centers", "crime syndicates"], "criminal", "unknown"),
    ("United Nations", ["UN"], "organisation", "neutral"),
]
#: Indexes into ANCHOR_ACTORS of the stakeholders whose stakes are on record, with their share of stakes.
STAKEHOLDER_WEIGHTS = {2: 35, 8: 12, 9: 12, 10: 12, 11: 8, 12: 8, 13: 7, 14: 6}
GROUP_WORDS = ["National", "Liberation", "Democratic", "Independence", "Revolutionary", "People's", "United"]
GROUP_NOUNS = ["Army", "Front", "Organisation", "Defense Force", "Brigade", "Council"]
ORG_NOUNS = ["Relief Committee", "Women's Union", "Students' Union", "Youth Network", "Peace Forum", "Chamber"]
SYNTHETIC_KINDS = (
    ["armed-group"] * 7 + ["organisation"] * 4 + ["person"] * 5 + ["government", "criminal", "population", "military"]
)


def _actors(words: Words, count: int) -> list[ActorSpec]:
    rng = words.rng
    slugs: set[str] = set()
    actors: list[ActorSpec] = []
    for name, aliases, kind, side in ANCHOR_ACTORS[:count]:
        words.claim(name)
        description = f"A {kind.replace('-', ' ')} in the crisis; {words.text(6, 14)}."
        actors.append(ActorSpec(slugify(name, slugs), name, _aliases(words, aliases), kind, side, description))
    while len(actors) < count:
        kind = rng.choice(SYNTHETIC_KINDS)
        people = words.proper()
        if kind in ("armed-group", "military"):
            name = words.unique(f"{people} {rng.choice(GROUP_WORDS)} {rng.choice(GROUP_NOUNS)}" for _ in range(50))
            acronym = "".join(w[0] for w in name.split() if w[0].isupper())
            aliases = [acronym, f"{people} army", f"{people} rebels"]
            side = "regime" if kind == "military" or rng.random() < 0.15 else "resistance"
        elif kind == "person":
            name = words.unique(" ".join(rng.sample(vocab.GIVEN_NAMES, rng.choice((2, 3)))) for _ in range(200))
            aliases = [f"General {name}" if rng.random() < 0.3 else f"U {name}"]
            side = rng.choice(("regime", "resistance", "neutral", "unknown"))
        elif kind == "population":
            name = words.unique(f"{words.proper()} people" for _ in range(50))
            aliases = [name.replace(" people", "s"), f"{name.split()[0]} community"]
            side = "neutral"
        else:
            noun = rng.choice(ORG_NOUNS) if kind == "organisation" else "Syndicate"
            name = words.unique(f"{words.proper()} {noun}" for _ in range(50))
            aliases = [f"{name.split()[0]} {noun.split()[0].lower()}"]
            side = rng.choice(("neutral", "unknown", "resistance"))
        description = f"A {kind.replace('-', ' ')} active in the crisis; {words.text(6, 14)}."
        actors.append(ActorSpec(slugify(name, slugs), name, _aliases(words, aliases), kind, side, description))
    alliances = [i for i, a in enumerate(actors) if a.kind == "alliance"] or [0]
    for index, actor in enumerate(actors):
        links: dict[tuple[int, str], None] = {}
        if actor.kind == "armed-group":
            links[(rng.choice(alliances), "member-of")] = None
        if actor.side == "resistance":
            links[(0, "opposes")] = None
        for _ in range(rng.randint(0, 2)):
            relation = rng.choice(("allied-with", "cooperates-with", "opposes", "engages-with"))
            links[(rng.randrange(len(actors)), relation)] = None
        actor.affiliations = [(other, rel) for other, rel in links if other != index]
    return actors


# ------------------------------------------------------------------------------------------ places

STATES: list[tuple[str, list[str]]] = [
    ("Shan State", ["Shan"]),
    ("Kachin State", ["Kachin"]),
    ("Rakhine State", ["Arakan", "Rakhine"]),
    ("Sagaing Region", ["Sagaing"]),
    ("Chin State", ["Chin"]),
    ("Kayah State", ["Karenni State", "Kayah"]),
    ("Kayin State", ["Karen State", "Kayin"]),
    ("Mandalay Region", ["Mandalay Division"]),
    ("Magway Region", ["Magwe Region", "Magway", "Magwe"]),
    ("Yangon Region", ["Rangoon Division"]),
    ("Bago Region", ["Pegu Region", "Bago"]),
    ("Mon State", ["Mon"]),
    ("Ayeyarwady Region", ["Irrawaddy Region", "Ayeyarwady"]),
    ("Tanintharyi Region", ["Tenasserim Region", "Tanintharyi"]),
    ("Naypyidaw Union Territory", ["Naypyitaw", "Nay Pyi Taw"]),
]
TOWNS: list[tuple[str, list[str], str]] = [
    ("Laukkai", ["Laukkaing"], "Shan State"),
    ("Lashio", [], "Shan State"),
    ("Muse", ["Mu Se"], "Shan State"),
    ("Chinshwehaw", ["Chin Shwe Haw"], "Shan State"),
    ("Hsenwi", ["Theinni"], "Shan State"),
    ("Kunlong", [], "Shan State"),
    ("Namhkam", ["Namkham"], "Shan State"),
    ("Myitkyina", [], "Kachin State"),
    ("Sittwe", ["Akyab"], "Rakhine State"),
    ("Paletwa", [], "Chin State"),
    ("Loikaw", [], "Kayah State"),
    ("Myawaddy", [], "Kayin State"),
]


def _variant(name: str) -> str:
    """Another spelling, as transliterations differ ('Magway'/'Magwe')."""
    for old, new in (("ay", "e"), ("aw", "au"), ("k", "kh"), ("i", "ee"), ("o", "aw"), ("u", "oo")):
        if old in name.lower():
            return re.sub(old, new, name, count=1, flags=re.IGNORECASE).capitalize()
    return name + "h"


def _places(words: Words, count: int) -> tuple[list[PlaceSpec], list[int]]:
    rng = words.rng
    slugs: set[str] = set()
    places: list[PlaceSpec] = []

    def add(name: str, aliases: Sequence[str], kind: str, parent: int | None) -> int:
        words.claim(name)
        places.append(PlaceSpec(slugify(name, slugs), name, _aliases(words, aliases), kind, parent))
        return len(places) - 1

    country = add("Myanmar", ["Burma", "Republic of the Union of Myanmar"], "country", None)
    state_count = min(len(STATES), max(4, count // 6))
    states = {name: add(name, aliases, "state", country) for name, aliases in STATES[:state_count]}
    china = add("China", ["PRC territory"], "country", None)
    add("Yunnan", ["Yunnan Province"], "state", china)
    add("China–Myanmar border", ["China-Myanmar border", "northern border"], "border", country)
    add("Thailand–Myanmar border", ["Thai-Myanmar border", "eastern border"], "border", country)
    rest = max(0, count - len(places))
    districts = [
        add(
            words.unique(f"{words.proper()} District" for _ in range(50)),
            [],
            "region",
            rng.choice(list(states.values())),
        )
        for _ in range(rest // 10)
    ]
    towns: list[int] = []
    for name, aliases, state in TOWNS:
        if len(places) >= count:
            break
        towns.append(add(name, aliases, "town", states.get(state, rng.choice(districts or list(states.values())))))
    while len(places) < count:
        name = words.unique(words.proper(rng.choice((2, 3))) for _ in range(50))
        aliases = [_variant(name)] if rng.random() < 0.5 else []
        parent = rng.choice(districts) if districts and rng.random() < 0.7 else rng.choice(list(states.values()))
        towns.append(add(name, aliases, "town", parent))
    return places, towns


# ------------------------------------------------------------------------------------------ events

EVENT_NAMES = [
    "Battle of {town}",
    "Fall of {town}",
    "Airstrike on {town}",
    "Siege of {town}",
    "Capture of {town}",
    "Clashes near {town}",
    "Evacuation of {town}",
    "Ceasefire talks in {town}",
    "Protest in {town}",
    "Border closure at {town}",
]
ROLES = ["attacker", "defender", "mediator", "participant", "target", "observer"]


def _popularity(count: int, exponent: float = 0.9) -> list[float]:
    """Cumulative weights: the first records are by far the most mentioned, as in any real dossier."""
    return list(itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(count)))


def _precise(day: date, precision: str) -> date:
    if precision == "year":
        return date(day.year, 1, 1)
    if precision == "month":
        return date(day.year, day.month, 1)
    return day


def _events(
    words: Words, count: int, actors: list[ActorSpec], places: list[PlaceSpec], towns: list[int]
) -> list[EventSpec]:
    rng = words.rng
    span = (LAST_DAY - FIRST_DAY).days
    days = sorted(FIRST_DAY + timedelta(days=rng.randrange(span + 1)) for _ in range(count))
    actor_weights = _popularity(len(actors))
    actor_ids = range(len(actors))
    slugs: set[str] = set()
    events: list[EventSpec] = []
    for index, day in enumerate(days):
        precision = rng.choices(("day", "month", "year"), weights=(85, 10, 5))[0]
        day = _precise(day, precision)
        town = rng.choice(towns) if towns else rng.randrange(len(places))
        template = rng.choice(EVENT_NAMES)
        base = template.format(town=places[town].name)
        when = day.strftime("%b %Y") if precision != "year" else str(day.year)
        name = words.unique(itertools.chain([f"{base} ({when})"], (f"{base} ({when}, {n})" for n in range(2, 500))))
        aliases = []
        if rng.random() < 0.4:
            aliases.append(f"{places[town].name} {template.split()[0].lower()} {day.year}")
        if rng.random() < 0.1:
            aliases.append(f"Operation {rng.randrange(100, 9999)}")
        place = town if rng.random() < 0.8 else (places[town].parent if rng.random() < 0.75 else None)
        chosen = dict.fromkeys(rng.choices(actor_ids, cum_weights=actor_weights, k=rng.randint(2, 5)))
        participants = [(a, rng.choice(ROLES)) for a in chosen]
        follows: list[int] = []
        if index and rng.random() < 0.25:
            follows = list(dict.fromkeys(rng.randrange(max(0, index - 50), index) for _ in range(rng.randint(1, 2))))
        events.append(
            EventSpec(
                slug=slugify(name, slugs),
                name=name,
                aliases=_aliases(words, aliases),
                day=day,
                precision=precision,
                place=place,
                actors=participants,
                follows=follows,
                summary=f"{words.text(8, 16).capitalize()}.",
            )
        )
    return events


# ------------------------------------------------------------------------------------------ sources


def _sources(words: Words, count: int) -> list[SourceSpec]:
    """Documents in date order, then the one background-knowledge source (the last index)."""
    rng = words.rng
    span = (LAST_DAY - FIRST_DAY).days
    publishers = list(vocab.PUBLISHERS)
    publisher_weights = _popularity(len(publishers), 1.0)
    titles: set[tuple[str, str]] = set()
    documents = []
    for published in sorted(FIRST_DAY + timedelta(days=rng.randrange(span + 1)) for _ in range(count - 1)):
        publisher = rng.choices(publishers, cum_weights=publisher_weights)[0]
        title = words.text(4, 9).capitalize()
        while (title, publisher) in titles:
            title = words.text(5, 10).capitalize()
        titles.add((title, publisher))
        url = None
        if rng.random() < 0.7:
            site = re.sub(r"[^a-z]+", "", publisher.lower())[:20]
            url = f"https://www.{site}.example/{published:%Y/%m}/{'-'.join(title.lower().split()[:6])}"
        note = "Publication date inferred from the text." if rng.random() < 0.05 else None
        documents.append(SourceSpec(title, publisher, url, published, "document", note))
    background = SourceSpec(
        "Background knowledge (not from a document)",
        None,
        None,
        None,
        "background",
        "Facts added from general knowledge of the conflict; no document stands behind them.",
    )
    return [*documents, background]


def build_world(facts: int, seed: int = SEED) -> tuple[World, random.Random, Words]:
    """Actors, places, events and sources for a store of `facts` facts; the same seed gives the same world."""
    rng = random.Random(f"{seed}:{facts}")
    words = Words(rng)
    shape = Shape.for_facts(facts)
    actors = _actors(words, shape.actors)
    places, towns = _places(words, shape.places)
    events = _events(words, shape.events, actors, places, towns)
    sources = _sources(words, shape.sources)
    stakeholders = [i for i in STAKEHOLDER_WEIGHTS if i < len(actors)]
    world = World(shape, actors, places, events, sources, stakeholders, towns)
    return world, rng, words


# ------------------------------------------------------------------------------------------ facts

KINDS = ("event", "figure", "assessment", "stake", "background")
KIND_WEIGHTS = (35, 15, 20, 10, 20)
INTEREST_WORDS = {
    "trade": "cross-border trade",
    "security": "border security",
    "citizens": "the safety of its citizens",
    "diplomacy": "diplomatic leverage",
    "investment": "its investments",
    "stability": "regional stability",
}
INTERESTS = list(INTEREST_WORDS)
RETRACTED_SHARE = 0.005
RELIABILITY = ("A", "B", "C", "D", "E")
RELIABILITY_WEIGHTS = (5, 45, 32, 12, 6)
CREDIBILITY_WEIGHTS = (15, 35, 30, 12, 5, 3)


def iter_facts(world: World, rng: random.Random, words: Words) -> Iterator[FactSpec]:
    """The facts, in the order they were recorded (as_of rises with the id, with some back-filling)."""
    count = world.shape.facts
    span = (LAST_DAY - FIRST_DAY).days
    actors, places, events = world.actors, world.places, world.events
    actor_weights = _popularity(len(actors))
    actor_ids = range(len(actors))
    event_days = [e.day for e in events]
    source_days = [s.published or LAST_DAY for s in world.sources[:-1]]
    background = len(world.sources) - 1
    stake_weights = [STAKEHOLDER_WEIGHTS[i] for i in world.stakeholders]

    def called(actor: int) -> str:
        spec = actors[actor]
        return rng.choice(spec.aliases) if spec.aliases and rng.random() < 0.5 else spec.name

    for i in range(count):
        as_of = FIRST_DAY + timedelta(days=min(span, int(span * i / count) + 1))
        as_of -= timedelta(days=int(rng.expovariate(1 / 10)) if rng.random() < 0.8 else rng.randrange(365))
        as_of = max(FIRST_DAY, as_of)
        kind = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
        event = None
        if rng.random() < {"event": 0.85, "figure": 0.85, "assessment": 0.4, "stake": 0.5}.get(kind, 0.1):
            high = bisect.bisect_right(event_days, as_of)
            low = bisect.bisect_left(event_days, as_of - timedelta(days=120))
            event = rng.randrange(low, high) if high > low else None
        about: dict[int, None] = {}
        if event is not None:
            cast = events[event].actors
            for actor, _ in rng.sample(cast, min(len(cast), rng.randint(1, 3))):
                about[actor] = None
        for actor in rng.choices(actor_ids, cum_weights=actor_weights, k=rng.choice((0, 0, 1, 1, 2, 3))):
            about[actor] = None
        place = None
        if event is not None and events[event].place is not None and rng.random() < 0.6:
            place = events[event].place
        elif world.towns and rng.random() < 0.3:
            place = rng.choice(world.towns)
        where = f" in {places[place].name}" if place is not None else ""
        subject = called(next(iter(about))) if about else "Officials"
        stakeholder = interest = None
        if kind == "event":
            head = f"{subject} {rng.choice(vocab.VERBS)} positions{where}"
        elif kind == "figure":
            head = f"{rng.randrange(2, 20_000):,} {rng.choice(vocab.UNITS)}{where}"
        elif kind == "assessment":
            head = f"Analysts say {subject}"
        elif kind == "stake":
            stakeholder = rng.choices(world.stakeholders, weights=stake_weights)[0]
            interest = rng.choice(INTERESTS)
            gain = rng.choice(("gain", "lose"))
            head = f"{called(stakeholder)} stands to {gain} {INTEREST_WORDS[interest]}{where}"
        else:
            head = subject
        statement = f"{head} {words.text(10, 24)}."
        if rng.random() < 0.08:
            source, reliability = background, "F"
        else:
            low = bisect.bisect_left(source_days, as_of)
            source = min(len(source_days) - 1, low + rng.randrange(8))
            reliability = rng.choices(RELIABILITY, weights=RELIABILITY_WEIGHTS)[0]
        yield FactSpec(
            key=f"f{i + 1:07d}",
            statement=statement[0].upper() + statement[1:],
            kind=kind,
            actors=list(about),
            event=event,
            place=place,
            stakeholder=stakeholder,
            interest=interest,
            as_of=as_of,
            source=source,
            reliability=reliability,
            credibility=rng.choices(range(1, 7), weights=CREDIBILITY_WEIGHTS)[0],
            retracted="Contradicted by later reporting." if rng.random() < RETRACTED_SHARE else None,
        )


# ------------------------------------------------------------------------------------------ as a pack


def to_pack(facts: int, seed: int = SEED) -> Pack:
    """The same records as a validated `Pack`, for `apply_pack`: slow, so for small sizes and for tests."""
    world, rng, words = build_world(facts, seed)
    actors, places, events = world.actors, world.places, world.events
    specs = list(iter_facts(world, rng, words))
    return Pack(
        topic=Topic(slug=TOPIC_SLUG, title=TOPIC_TITLE, summary=TOPIC_SUMMARY),
        actors=[
            Actor(
                slug=a.slug,
                name=a.name,
                aliases=a.aliases,
                kind=a.kind,
                side=a.side,
                description=a.description,
                affiliations=[Affiliation(actor=actors[o].slug, relation=r) for o, r in a.affiliations],
            )
            for a in actors
        ],
        places=[
            Place(
                slug=p.slug,
                name=p.name,
                aliases=p.aliases,
                kind=p.kind,
                parent=places[p.parent].slug if p.parent is not None else None,
            )
            for p in places
        ],
        events=[
            Event(
                slug=e.slug,
                name=e.name,
                aliases=e.aliases,
                date=e.day,
                precision=e.precision,
                place=places[e.place].slug if e.place is not None else None,
                actors=[Participant(actor=actors[a].slug, role=r) for a, r in e.actors],
                follows=[events[f].slug for f in e.follows],
                summary=e.summary,
            )
            for e in events
        ],
        facts=[
            Fact(
                key=f.key,
                statement=f.statement,
                kind=f.kind,
                actors=[actors[a].slug for a in f.actors],
                event=events[f.event].slug if f.event is not None else None,
                place=places[f.place].slug if f.place is not None else None,
                stakeholder=actors[f.stakeholder].slug if f.stakeholder is not None else None,
                interest=f.interest,
                as_of=f.as_of,
                source=Source(**_source_fields(world.sources[f.source])),
                reliability=f.reliability,
                credibility=f.credibility,
            )
            for f in specs
        ],
        retracted={f.key: f.retracted for f in specs if f.retracted},
    )


def _source_fields(source: SourceSpec) -> dict[str, object]:
    return {
        "title": source.title,
        "publisher": source.publisher,
        "url": source.url,
        "published": source.published,
        "kind": source.kind,
        "note": source.note,
    }


# ------------------------------------------------------------------------------------------ the bulk loader


class BulkLoader:
    """Writes a world and its facts with the rows, ids and order `apply_pack` would produce.

    Ids follow `PackWriter`: actors, places and events in list order; names per record in list order
    (actors' first, then places', then events'); sources numbered on first use by a fact; facts in order;
    `changes` holds one "add" per record (actors', places', events', then each fact's, followed by its
    "retract" where a fact is retracted), with the record's pack form as `bot.store.packform` makes it.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        world: World,
        *,
        after: tuple[int, int, int] = (0, 0, 0),
        source_ids: dict[SourceSpec, int] | None = None,
    ) -> None:
        """`after` is the last actor, place and event id already written (by the topics loaded before this one);
        `source_ids` the sources written so far, shared between topics as the store shares them."""
        self.conn = conn
        self.world = world
        self.recorded = RECORDED.isoformat()
        self.actor_base, self.place_base, self.event_base = (base + 1 for base in after)
        self.source_ids: dict[SourceSpec, int] = {} if source_ids is None else source_ids
        #: ' ; '-joined names per record, in the order `index_fact`'s query concatenates them.
        self.actor_names: list[str] = []
        self.place_names: list[str] = []
        self.event_names: list[str] = []

    def world_rows(self, topic_id: int = 1, slug: str = TOPIC_SLUG, title: str = TOPIC_TITLE) -> None:
        """Topic, actors, places and events with their names, links, participants and changes."""
        conn, world = self.conn, self.world
        actors, places, events = world.actors, world.places, world.events
        a0, p0, e0 = self.actor_base, self.place_base, self.event_base
        conn.execute(
            "INSERT INTO topics (id, slug, title, summary) VALUES (?, ?, ?, ?)",
            (topic_id, slug, title, TOPIC_SUMMARY),
        )
        # What `PackWriter` puts on record when a pack creates its topic.
        conn.execute(
            "INSERT INTO topic_changes (at, topic_slug, action, guild_id, channel_id, user_id, user_name, before,"
            " after) VALUES (?, ?, 'add', NULL, NULL, NULL, ?, NULL, ?)",
            (self.recorded, slug, OPERATOR.name, _json({"title": title, "summary": TOPIC_SUMMARY})),
        )
        conn.executemany(
            "INSERT INTO actors (id, topic_id, slug, name, kind, side, description) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(a0 + i, topic_id, a.slug, a.name, a.kind, a.side, a.description) for i, a in enumerate(actors)],
        )
        self.actor_names = self._names(topic_id, "actor", [(a.name, a.aliases) for a in actors], a0)
        conn.executemany(
            "INSERT OR IGNORE INTO affiliations (actor_id, other_id, relation) VALUES (?, ?, ?)",
            [(a0 + i, a0 + o, r) for i, a in enumerate(actors) for o, r in a.affiliations],
        )
        self._changes(topic_id, "actor", [self._actor_form(a) for a in actors], a0)
        conn.executemany(
            "INSERT INTO places (id, topic_id, slug, name, kind, parent_id) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (p0 + i, topic_id, p.slug, p.name, p.kind, p0 + p.parent if p.parent is not None else None)
                for i, p in enumerate(places)
            ],
        )
        self.place_names = self._names(topic_id, "place", [(p.name, p.aliases) for p in places], p0)
        self._changes(topic_id, "place", [self._place_form(p) for p in places], p0)
        conn.executemany(
            "INSERT INTO events (id, topic_id, slug, name, date, precision, summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    e0 + i,
                    topic_id,
                    e.slug,
                    e.name,
                    e.day.isoformat(),
                    e.precision,
                    e.summary,
                )
                for i, e in enumerate(events)
            ],
        )
        self.event_names = self._names(topic_id, "event", [(e.name, e.aliases) for e in events], e0)
        conn.executemany(
            "INSERT OR REPLACE INTO event_actors (event_id, actor_id, role) VALUES (?, ?, ?)",
            [(e0 + i, a0 + a, role) for i, e in enumerate(events) for a, role in e.actors],
        )
        conn.executemany(
            "INSERT INTO event_places (event_id, place_id) VALUES (?, ?)",
            [(e0 + i, p0 + e.place) for i, e in enumerate(events) if e.place is not None],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO event_follows (event_id, follows_id) VALUES (?, ?)",
            [(e0 + i, e0 + f) for i, e in enumerate(events) for f in e.follows],
        )
        self._changes(topic_id, "event", [self._event_form(e) for e in events], e0)

    def _names(self, topic_id: int, entity: str, records: list[tuple[str, list[str]]], first_id: int = 1) -> list[str]:
        self.conn.executemany(
            "INSERT OR IGNORE INTO names (topic_id, entity, entity_id, name, norm, is_primary)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (topic_id, entity, first_id + i, n, normalise(n), int(k == 0))
                for i, (name, aliases) in enumerate(records)
                for k, n in enumerate([name, *aliases])
            ],
        )
        return [" ; ".join([name, *aliases]) for name, aliases in records]

    def _changes(self, topic_id: int, entity: str, forms: list[dict[str, object]], first_id: int = 1) -> None:
        """One "add" per record, as `record_change` writes it for a pack loaded by the operator."""
        self.conn.executemany(
            "INSERT INTO changes (at, topic_id, entity, entity_id, action, user_id, user_name, reason, before, after)"
            " VALUES (?, ?, ?, ?, 'add', NULL, ?, NULL, NULL, ?)",
            [
                (self.recorded, topic_id, entity, first_id + i, OPERATOR.name, _json(form))
                for i, form in enumerate(forms)
            ],
        )

    def _actor_form(self, actor: ActorSpec) -> dict[str, object]:
        actors = self.world.actors
        links = [{"actor": actors[o].slug, "relation": r} for o, r in actor.affiliations]
        return {
            "slug": actor.slug,
            "name": actor.name,
            "aliases": actor.aliases,
            "kind": actor.kind,
            "side": actor.side,
            "description": actor.description,
            "affiliations": sorted(links, key=lambda a: (a["actor"], a["relation"])),
        }

    def _place_form(self, place: PlaceSpec) -> dict[str, object]:
        parent = self.world.places[place.parent].slug if place.parent is not None else None
        return {"slug": place.slug, "name": place.name, "aliases": place.aliases, "kind": place.kind, "parent": parent}

    def _event_form(self, event: EventSpec) -> dict[str, object]:
        actors, places, events = self.world.actors, self.world.places, self.world.events
        return {
            "slug": event.slug,
            "name": event.name,
            "aliases": event.aliases,
            "date": event.day.isoformat(),
            "precision": event.precision,
            "places": [places[event.place].slug] if event.place is not None else [],
            "actors": sorted(({"actor": actors[a].slug, "role": r} for a, r in event.actors), key=lambda p: p["actor"]),
            "follows": sorted(events[f].slug for f in event.follows),
            "summary": event.summary,
        }

    def _fact_form(self, fact: FactSpec) -> dict[str, object]:
        world = self.world
        source = world.sources[fact.source]
        return {
            "key": fact.key,
            "statement": fact.statement,
            "kind": fact.kind,
            "actors": sorted({world.actors[a].slug for a in fact.actors}),
            "event": world.events[fact.event].slug if fact.event is not None else None,
            "place": world.places[fact.place].slug if fact.place is not None else None,
            "stakeholder": world.actors[fact.stakeholder].slug if fact.stakeholder is not None else None,
            "interest": fact.interest,
            "as_of": fact.as_of.isoformat(),
            "source": {
                "title": source.title,
                "publisher": source.publisher,
                "url": source.url,
                "published": source.published.isoformat() if source.published else None,
                "kind": source.kind,
                "note": source.note,
            },
            "reliability": fact.reliability,
            "credibility": fact.credibility,
            "salience": None,
        }

    def facts(self, batch: Sequence[FactSpec], first_id: int, topic_id: int = 1) -> None:
        """One batch of facts with their sources (new ones first), actors, full-text rows and changes."""
        conn, sources = self.conn, self.world.sources
        a0, p0, e0 = self.actor_base, self.place_base, self.event_base
        new_sources = []
        for fact in batch:
            s = sources[fact.source]
            if s not in self.source_ids:
                self.source_ids[s] = len(self.source_ids) + 1
                published = s.published.isoformat() if s.published else None
                new_sources.append((self.source_ids[s], s.title, s.publisher, s.url, published, s.kind, s.note))
        conn.executemany(
            "INSERT INTO sources (id, title, publisher, url, published, kind, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
            new_sources,
        )
        numbered = list(zip(range(first_id, first_id + len(batch)), batch, strict=True))
        conn.executemany(
            "INSERT INTO facts (id, topic_id, key, statement, kind, event_id, place_id, stakeholder_id, interest,"
            " as_of, source_id, reliability, credibility, status, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    fact_id,
                    topic_id,
                    f.key,
                    f.statement,
                    f.kind,
                    e0 + f.event if f.event is not None else None,
                    p0 + f.place if f.place is not None else None,
                    a0 + f.stakeholder if f.stakeholder is not None else None,
                    f.interest,
                    f.as_of.isoformat(),
                    self.source_ids[sources[f.source]],
                    f.reliability,
                    f.credibility,
                    "retracted" if f.retracted else "active",
                    self.recorded,
                    self.recorded,
                )
                for fact_id, f in numbered
            ],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO fact_actors (fact_id, actor_id) VALUES (?, ?)",
            [(fact_id, a0 + a) for fact_id, f in numbered for a in f.actors],
        )
        conn.executemany(
            "INSERT INTO facts_fts (rowid, statement, entities, topic) VALUES (?, ?, ?, ?)",
            # newest first, and the topic's token, as index_fact writes them
            [(-fact_id, f.statement, self.entities(f), topic_token(topic_id)) for fact_id, f in numbered],
        )
        changes = []
        for fact_id, f in numbered:
            form = self._fact_form(f)
            changes.append((fact_id, "add", None, None, _json(form)))
            if f.retracted:
                before, after = _json({**form, "status": "active"}), _json({**form, "status": "retracted"})
                changes.append((fact_id, "retract", f.retracted, before, after))
        conn.executemany(
            "INSERT INTO changes (at, topic_id, entity, entity_id, action, user_id, user_name, reason, before, after)"
            f" VALUES ('{self.recorded}', {topic_id:d}, 'fact', ?, ?, NULL, ?, ?, ?, ?)",
            [
                (fact_id, action, OPERATOR.name, reason, before, after)
                for fact_id, action, reason, before, after in changes
            ],
        )

    def entities(self, fact: FactSpec) -> str:
        """What `bot.store.writes.index_fact` puts in the `entities` column, in the same order.

        Its query reads actor names through the index on (entity, entity_id), so by actor id (then name
        id); then the place's names, then the event's. The unit tests compare with `index_fact` itself.
        """
        about = sorted({*fact.actors, *([fact.stakeholder] if fact.stakeholder is not None else [])})
        parts = [self.actor_names[a] for a in about]
        if fact.place is not None:
            parts.append(self.place_names[fact.place])
        if fact.event is not None:
            parts.append(self.event_names[fact.event])
        return " ; ".join(parts)


def _json(form: dict[str, object]) -> str:
    """A pack form as `record_change` stores it."""
    return json.dumps(form, sort_keys=True, default=str)


def _create_schema(path: Path) -> None:
    """The schema exactly as the bot creates it: by running its migrations."""

    async def migrate() -> None:
        await (await open_database(path)).close()

    asyncio.run(migrate())


def topic_slug(index: int) -> str:
    """The slug of the `index`-th topic (from 0) of a store with several: the first is the one of a store with one."""
    return TOPIC_SLUG if index == 0 else f"{TOPIC_SLUG}-{index + 1}"


def build_store(path: Path, facts: int, seed: int = SEED, topics: int = 1) -> None:
    """Generate a store of `facts` facts at `path` (replaced atomically), in WAL mode like the bot's.

    With several `topics`, the facts are shared out evenly between as many dossiers, each a world of its own
    (seeded `seed`, `seed + 1`, …), with its own actors, places, events and names: the first keeps the slug
    of a one-topic store (`TOPIC_SLUG`), the others are `TOPIC_SLUG-2` and on.
    """
    tmp = path.with_name(path.name + ".building")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    _create_schema(tmp)
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        # Nothing reads the file while it is built and a crash just means building it again.
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -1000000", "temp_store = MEMORY"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("BEGIN")
        next_id, since_commit = 1, 0
        after, source_ids = (0, 0, 0), {}
        for index in range(topics):
            world, rng, words = build_world(facts // topics, seed + index)
            loader = BulkLoader(conn, world, after=after, source_ids=source_ids)
            title = TOPIC_TITLE if index == 0 else f"{TOPIC_TITLE} {index + 1}"
            loader.world_rows(index + 1, topic_slug(index), title)
            after = (
                after[0] + len(world.actors),
                after[1] + len(world.places),
                after[2] + len(world.events),
            )
            stream = iter_facts(world, rng, words)
            while batch := list(itertools.islice(stream, BATCH)):
                loader.facts(batch, next_id, index + 1)
                next_id += len(batch)
                since_commit += len(batch)
                if since_commit >= COMMIT_EVERY:
                    conn.execute("COMMIT")
                    conn.execute("BEGIN")
                    since_commit = 0
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    os.replace(tmp, path)


# ------------------------------------------------------------------------------------------ the cache


def schema_version(folder: str = "migrations", first: int = 1) -> str:
    """A digest of one engine's migrations, so a schema change by anyone invalidates every cached store."""
    digest = hashlib.sha256()
    for _, name, sql in migrations(folder, first):
        digest.update(name.encode() + b"\0" + sql.encode())
    return digest.hexdigest()[:10]


def cached_store(facts: int, cache_dir: Path = CACHE_DIR, topics: int = 1) -> tuple[Path, bool]:
    """The generated store of this size (and number of topics), built on first use; returns (path, built now).

    Callers must not open it with the bot (closing runs PRAGMA optimize, which writes statistics that
    change query plans): copy it first, as `bench.harness.fresh_copy` does.
    """
    several = f"-t{topics}" if topics > 1 else ""
    path = cache_dir / f"store-g{GENERATOR_VERSION}-s{schema_version()}-{facts}{several}.db"
    if path.exists():
        return path, False
    build_store(path, facts, topics=topics)
    return path, True
