"""The facts, streamed (a million need not sit in memory), and the same records as a `Pack` for `apply_pack`."""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from datetime import timedelta

from bench import vocabulary as vocab
from bench.generator.records import (
    FIRST_DAY,
    LAST_DAY,
    SEED,
    TOPIC_SLUG,
    TOPIC_SUMMARY,
    TOPIC_TITLE,
    FactSpec,
    SourceSpec,
    World,
)
from bench.generator.words import Words
from bench.generator.world import STAKEHOLDER_WEIGHTS, build_world, popularity
from bot.models import (
    Actor,
    Affiliation,
    Event,
    Fact,
    Participant,
    Place,
    Source,
    Topic,
)
from bot.packs import Pack

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
    actor_weights = popularity(len(actors))
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
