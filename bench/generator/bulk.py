"""Writing a generated world into a fresh store fast: the rows `PackWriter` would write, by `executemany`."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from bench.generator.facts import iter_facts
from bench.generator.records import (
    RECORDED,
    SEED,
    TOPIC_SLUG,
    TOPIC_SUMMARY,
    TOPIC_TITLE,
    ActorSpec,
    EventSpec,
    FactSpec,
    PlaceSpec,
    SourceSpec,
    World,
)
from bench.generator.world import build_world
from bot.models import OPERATOR, normalise
from bot.store.engine import open_database
from bot.store.search import topic_token

#: Facts per `executemany` batch, and per transaction: large enough to amortise, small enough for RAM.
BATCH = 25_000
COMMIT_EVERY = 250_000


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
            # Generated facts are the sources' own reporting: nobody's claim.
            "claimant": None,
            "claimant_actor": None,
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
