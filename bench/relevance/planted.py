"""Relevance at scale: answer facts planted with their questions in a copy of the largest synthetic store.

For each question the generator writes one fact that answers it and three distractors that share its
vocabulary and names but answer something else: the same act at another town, another act at the same
town, and the same town and object in another story. They overwrite facts at ids drawn at random over the
whole store (a fact's id decides where the index reads it, so appended facts would be found first for no
good reason) and are indexed by the bot's own `index_fact`. The cached store is never changed: the planting
is done on a private copy. Questions come in the forms readers use: the words of the answer, an alias of
who acted, a misspelt town, a paraphrase through a word form, and filler that matches nothing.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bench.generator import TOPIC_SLUG
from bench.harness import fresh_copy
from bench.report import Row, verdict
from bot.store import Store
from bot.store.writes import index_fact

PLANTED = 240
GOAL = 0.9
SHOWN = 3
SEED = 27

#: (object, the verb an answer uses, a word form of that verb a question may use)
OBJECTS = (
    "bridge",
    "highway",
    "checkpoint",
    "garrison",
    "airport",
    "dam",
    "jade mine",
    "border gate",
    "pipeline",
    "railway station",
    "port",
    "hospital",
    "police station",
    "radio station",
)
ACTS = (("seized", "seize"), ("shelled", "shelling"), ("blockaded", "blockade"), ("evacuated", "evacuating"))
OTHER_ACTS = ("reinforced", "besieged", "withdrew from", "bombed")


@dataclass(frozen=True)
class Planted:
    """A question, the fact id that answers it, and the form of the question."""

    question: str
    answer: int
    form: str


def _misspell(rng: random.Random, name: str) -> str:
    """The name with one letter dropped from its longest word (not the first letter)."""
    words = name.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) < 5:
        return name
    cut = rng.randrange(1, len(word) - 1)
    words[longest] = word[:cut] + word[cut + 1 :]
    return " ".join(words)


def _world(path: Path) -> tuple[int, int, list[tuple[int, str, list[str]]], list[tuple[int, str]]]:
    conn = sqlite3.connect(path)
    try:
        topic_id, max_id = conn.execute(
            "SELECT t.id, (SELECT max(id) FROM facts) FROM topics t WHERE t.slug = ?", (TOPIC_SLUG,)
        ).fetchone()
        actors = []
        for actor_id, name, aliases in conn.execute(
            "SELECT a.id, a.name, (SELECT group_concat(n.name, '|') FROM names n WHERE n.entity = 'actor'"
            " AND n.entity_id = a.id AND n.is_primary = 0) FROM actors a WHERE a.topic_id = ? ORDER BY a.id",
            (topic_id,),
        ):
            actors.append((actor_id, name, [a for a in (aliases or "").split("|") if a and len(a) > 3]))
        towns = list(
            conn.execute(
                "SELECT id, name FROM places WHERE topic_id = ? AND kind = 'town' AND name NOT LIKE '% %'"
                " AND length(name) >= 6 ORDER BY id",
                (topic_id,),
            )
        )
    finally:
        conn.close()
    return topic_id, max_id, actors, towns


async def plant(path: Path, count: int = PLANTED, seed: int = SEED) -> tuple[int, list[Planted]]:
    """Overwrite facts of the store at `path` with answers and distractors; the topic and the questions."""
    rng = random.Random(seed)
    topic_id, max_id, actors, towns = _world(path)
    named = [a for a in actors if a[2]]
    ids = iter(rng.sample(range(1, max_id + 1), count * 4))
    planted: list[Planted] = []
    store = await Store.open(path)
    try:
        async with store.db.transaction() as conn:

            async def write(fact_id: int, statement: str, actor_id: int, place_id: int) -> None:
                await conn.execute(
                    "UPDATE facts SET statement = ?, kind = 'event', event_id = NULL, place_id = ?,"
                    " stakeholder_id = NULL, interest = NULL, status = 'active', reliability = 'B',"
                    " credibility = 2 WHERE id = ?",
                    (statement, place_id, fact_id),
                )
                await conn.execute("DELETE FROM fact_actors WHERE fact_id = ?", (fact_id,))
                await conn.execute("INSERT INTO fact_actors (fact_id, actor_id) VALUES (?, ?)", (fact_id, actor_id))
                await index_fact(conn, store.db.dialect, fact_id)

            for i in range(count):
                actor_id, actor, aliases = rng.choice(named)
                other_id, other, _ = rng.choice(actors)
                (town_id, town), (town2_id, town2) = rng.sample(towns, 2)
                thing = rng.choice(OBJECTS)
                act, act_form = rng.choice(ACTS)
                other_act = rng.choice(OTHER_ACTS)
                days = rng.randrange(2, 40)
                answer, *distractors = (next(ids) for _ in range(4))
                await write(
                    answer, f"{actor} {act} the {thing} in {town} after {days} days of fighting.", actor_id, town_id
                )
                await write(distractors[0], f"{other} {act} the {thing} in {town2} last month.", other_id, town2_id)
                await write(distractors[1], f"{actor} {other_act} the {thing} in {town} again.", actor_id, town_id)
                await write(
                    distractors[2],
                    f"Traders said the {thing} in {town} reopened to cross-border trade.",
                    other_id,
                    town_id,
                )
                form = ("words", "alias", "typo", "word form", "filler")[i % 5]
                if form == "words":
                    question = f"Who {act} the {thing} in {town}?"
                elif form == "alias":
                    question = f"Which {thing} in {town} has {rng.choice(aliases)} {act}?"
                elif form == "typo":
                    question = f"Who {act} the {thing} in {_misspell(rng, town)}?"
                elif form == "word form":
                    question = f"{act_form} of the {thing} in {town}"
                else:
                    question = f"Tell me the whole thing about who {act} the {thing} in {town}, please"
                planted.append(Planted(question, answer, form))
    finally:
        await store.close()
    return topic_id, planted


async def recall(path: Path, topic_id: int, planted: list[Planted]) -> tuple[float, dict[str, float]]:
    """Recall at 3 over all planted questions, and by form."""
    store = await Store.open(path)
    try:
        hits: dict[str, list[bool]] = {}
        for p in planted:
            found = [f.id for f in await store.search(topic_id, p.question, None, SHOWN)]
            hits.setdefault(p.form, []).append(p.answer in found)
    finally:
        await store.close()
    every = [h for by_form in hits.values() for h in by_form]
    return sum(every) / len(every), {form: sum(h) / len(h) for form, h in hits.items()}


async def run(template: Path, size: int) -> list[Row]:
    """Plant answers in a copy of the store and report recall at 3."""
    copy = fresh_copy(template, f"relevance-{size}.db")
    topic_id, planted = await plant(copy)
    overall, by_form = await recall(copy, topic_id, planted)
    forms = ", ".join(f"{form} {share * 100:.0f} %" for form, share in by_form.items())
    return [
        Row(
            "relevance recall@3, planted answers",
            size,
            round(overall * 100, 1),
            "%",
            goal=f"≥ {GOAL * 100:g} %",
            verdict=verdict(overall >= GOAL),
            note=f"{len(planted)} questions, 3 distractors each; by form: {forms}",
        )
    ]
