"""Everything in a generated store but the facts: actors, places, events and sources, shaped like a real dossier."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Sequence
from datetime import date, timedelta

from bench import vocabulary as vocab
from bench.generator.records import FIRST_DAY, LAST_DAY, SEED, ActorSpec, EventSpec, PlaceSpec, Shape, SourceSpec, World
from bench.generator.words import Words, free_aliases, slugify

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
        actors.append(ActorSpec(slugify(name, slugs), name, free_aliases(words, aliases), kind, side, description))
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
        actors.append(ActorSpec(slugify(name, slugs), name, free_aliases(words, aliases), kind, side, description))
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
        places.append(PlaceSpec(slugify(name, slugs), name, free_aliases(words, aliases), kind, parent))
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


def popularity(count: int, exponent: float = 0.9) -> list[float]:
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
    actor_weights = popularity(len(actors))
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
                aliases=free_aliases(words, aliases),
                day=day,
                precision=precision,
                place=place,
                actors=participants,
                follows=follows,
                summary=f"{words.text(8, 16).capitalize()}.",
            )
        )
    return events


def _sources(words: Words, count: int) -> list[SourceSpec]:
    """Documents in date order, then the one background-knowledge source (the last index)."""
    rng = words.rng
    span = (LAST_DAY - FIRST_DAY).days
    publishers = list(vocab.PUBLISHERS)
    publisher_weights = popularity(len(publishers), 1.0)
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
