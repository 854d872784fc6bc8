"""What the benchmark's users ask: commands with realistic options, drawn from the store they query.

Users ask about popular actors more than obscure ones, mostly pick names from autocomplete (which sends
the slug) but sometimes type an alias, and search with a mix of well-known phrases, names and words taken
from the facts themselves. All of it is seeded, so two runs ask the same questions in the same order.
"""

from __future__ import annotations

import itertools
import random
import re
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.generator import FIRST_DAY, LAST_DAY

#: The commands measured one by one against /ping.
MEASURED = ("search", "actor", "timeline", "stakes", "brief")
#: Shares of the mixed traffic used for the memory run.
MIX = {
    "search": 30,
    "actor": 18,
    "timeline": 15,
    "stakes": 10,
    "brief": 10,
    "event": 7,
    "fact show": 5,
    "ping": 5,
}
PHRASES = (
    "trade with China",
    "ceasefire talks",
    "refugees crossing the border",
    "rare earth mining",
    "Tatmadaw airstrikes",
    "Beijing pipeline security",
    "scam centers",
    "junta conscription",
    "Arakan Army offensive",
    "fighting near Laukkai",
    "how many people displaced",
    "border trade at Muse",
    "what does Beijing stand to lose",
    "Three Brotherhood Alliance",
    "MNDAA Kokang army",
    "airstrike on a school",
)
CRISIS_TERMS = (
    "offensive ceasefire border trade junta refugees casinos convoy garrison surrender highway pipeline jade"
    " sanctions envoy airstrike drone conscription blockade electricity hostages methamphetamine repatriation"
).split()


@dataclass
class Workload:
    """Options for each command, from the names, places and facts of one store."""

    actors: list[tuple[str, list[str]]]
    actor_weights: list[float]
    regions: list[str]
    stakeholders: list[str]
    events: list[str]
    facts: int
    queries: list[str]
    rng: random.Random
    first_fact: int = 1

    @classmethod
    def from_store(cls, path: Path, seed: int = 6, topic_id: int | None = None) -> Workload:
        """Read what users can ask about from a (never modified) cached store: one topic's records, or all."""
        rng = random.Random(seed)
        conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
        where, params = ("topic_id = ?", (topic_id,)) if topic_id is not None else ("1", ())
        try:
            names: dict[int, list[str]] = {}
            for entity_id, name in conn.execute(
                f"SELECT entity_id, name FROM names WHERE entity = 'actor' AND {where} ORDER BY id", params
            ):
                names.setdefault(entity_id, []).append(name)
            actors = [
                (slug, names[i])
                for i, slug in conn.execute(f"SELECT id, slug FROM actors WHERE {where} ORDER BY id", params)
            ]
            regions = [
                r[0]
                for r in conn.execute(
                    f"SELECT slug FROM places WHERE kind IN ('state', 'town') AND {where} ORDER BY id", params
                )
            ]
            stakeholders = [
                r[0]
                for r in conn.execute(
                    "SELECT a.name FROM actors a WHERE EXISTS (SELECT 1 FROM facts f WHERE f.stakeholder_id = a.id)"
                    f" AND {where.replace('topic_id', 'a.topic_id')} ORDER BY a.id",
                    params,
                )
            ]
            events = [r[0] for r in conn.execute(f"SELECT slug FROM events WHERE {where} ORDER BY id", params)]
            first, facts = conn.execute(f"SELECT min(id), max(id) FROM facts WHERE {where}", params).fetchone()
            statements = [
                conn.execute("SELECT statement FROM facts WHERE id = ?", (rng.randint(first, facts),)).fetchone()[0]
                for _ in range(30)
            ]
        finally:
            conn.close()
        weights = list(itertools.accumulate(1.0 / (rank + 1) ** 0.9 for rank in range(len(actors))))
        workload = cls(actors, weights, regions, stakeholders, events, facts, [], rng, first)
        workload.queries = workload._queries(statements)
        return workload

    def _queries(self, statements: list[str]) -> list[str]:
        """Sixty questions: known phrases, single terms, pairs, names with a term, words from the facts."""
        rng = self.rng
        fact_words = [w for s in statements for w in re.findall(r"[a-z]{4,}", s.lower())]
        queries = list(PHRASES)
        queries += rng.sample(CRISIS_TERMS, 10)
        queries += [" ".join(rng.sample(CRISIS_TERMS, 2)) for _ in range(8)]
        queries += [f"{rng.choice(self._actor()[1])} {rng.choice(CRISIS_TERMS)}" for _ in range(10)]
        queries += rng.sample(fact_words, 8)
        queries += [" ".join(rng.sample(fact_words, 3)) for _ in range(8)]
        return queries

    def _actor(self) -> tuple[str, list[str]]:
        return self.rng.choices(self.actors, cum_weights=self.actor_weights)[0]

    def _actor_option(self) -> str:
        """The slug, as autocomplete sends it, or now and then a name or alias typed in full."""
        slug, names = self._actor()
        return slug if self.rng.random() < 0.7 else self.rng.choice(names)

    def _day(self) -> date:
        return FIRST_DAY + timedelta(days=self.rng.randrange((LAST_DAY - FIRST_DAY).days))

    def options(self, command: str) -> dict[str, Any]:
        """Options for one use of `command`."""
        rng = self.rng
        if command == "search":
            return {"query": rng.choice(self.queries)}
        if command == "actor":
            return {"name": self._actor_option()}
        if command == "timeline":
            pick = rng.random()
            if pick < 0.4:
                return {}
            if pick < 0.65:
                return {"actor": self._actor_option()}
            if pick < 0.85:
                return {"region": rng.choice(self.regions)}
            since = self._day()
            return {"since": since.isoformat(), "until": (since + timedelta(days=90)).isoformat()}
        if command == "stakes":
            return {} if rng.random() < 0.6 else {"stakeholder": rng.choice(self.stakeholders)}
        if command == "brief":
            return {} if rng.random() < 0.9 else {"as_of": self._day().isoformat()}
        if command == "event":
            return {"name": rng.choice(self.events)}
        if command == "fact show":
            return {"id": rng.randint(self.first_fact, self.facts)}
        return {}

    def mixed(self) -> str:
        """A command drawn from the mixed traffic."""
        return self.rng.choices(list(MIX), weights=list(MIX.values()))[0]


class TopicalWorkload:
    """Users of a store with several topics: each question is about a topic drawn at random, asked with `topic:`.

    Half of the questions about the first topic (DEFAULT_TOPIC) leave `topic:` out, as a team in a channel
    about that dossier would, so both ways of choosing a topic are measured.

    The users search with as many different questions in all as one topic's users do (`Workload._queries`),
    shared out between the topics: with each topic's full sixty, twenty topics were asked twenty times as
    many different questions as one, and the comparison measured the answer cache (a /search mostly given
    from it against one mostly read from the store) rather than the store.
    """

    def __init__(self, path: Path, topics: dict[int, str], seed: int = 6) -> None:
        self.rng = random.Random(seed)
        self.topics = topics
        self.each = {tid: Workload.from_store(path, seed + tid, topic_id=tid) for tid in topics}
        self.first = min(topics)
        share = max(1, len(self.each[self.first].queries) // len(topics))
        for workload in self.each.values():
            workload.queries = workload.rng.sample(workload.queries, share)

    def options(self, command: str) -> dict[str, Any]:
        """Options for one use of `command`, about one topic."""
        topic_id = self.rng.choice(list(self.topics))
        options = self.each[topic_id].options(command)
        if command == "ping" or (topic_id == self.first and self.rng.random() < 0.5):
            return options
        return {**options, "topic": self.topics[topic_id]}

    def mixed(self) -> str:
        """A command drawn from the mixed traffic."""
        return self.each[self.first].mixed()
