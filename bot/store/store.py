"""The fact store: every SQL statement the bot runs against its data lives in this package.

Methods return read models from `bot.store.records`; nothing outside `bot/store/` writes SQL. Each query
is bounded by a LIMIT and served by an index from the migrations, so its cost does not grow with the store.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.models import normalise
from bot.store import names as name_index
from bot.store.database import Database, Reader
from bot.store.names import Entity
from bot.store.records import (
    ActorRecord,
    Affiliated,
    ChangeRecord,
    EventRecord,
    FactRecord,
    NameMatch,
    Participation,
    PlaceRecord,
    Ref,
    SourceRecord,
    TopicRecord,
)

STOP_WORDS = frozenset(
    "a about after against all an and any are as at be been before by can did do does for from had has have how"
    " in into is it its of on or over since so than that the their them there these they this to up was were"
    " what when where which who whom why will with would".split()
)

_FACT_COLUMNS = (
    "f.id, f.topic_id, f.key, f.statement, f.kind, f.event_id, f.place_id, f.stakeholder_id, f.interest,"
    " f.as_of, f.reliability, f.credibility, f.status, f.created_at, f.updated_at,"
    " s.id AS s_id, s.title AS s_title, s.publisher AS s_publisher, s.url AS s_url,"
    " s.published AS s_published, s.kind AS s_kind, s.note AS s_note"
)
_FACT_FROM = "facts f JOIN sources s ON s.id = f.source_id"


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def fts_phrase(text: str) -> str:
    """Quote text as one FTS5 phrase, so punctuation in a user's query is never FTS syntax."""
    return '"' + text.replace('"', '""') + '"'


class Store:
    """Reads over the fact store, plus the hooks the writers in `bot.store.writes` share."""

    def __init__(self, db: Database, conn: aiosqlite.Connection | None = None) -> None:
        self.db = db
        self._conn: Reader | None = conn

    @classmethod
    async def open(cls, path: Path | str) -> Store:
        """Open and migrate the store at `path`."""
        return cls(await Database.open(path))

    async def close(self) -> None:
        """Close the connection; the bot calls this from `close()`."""
        await self.db.close()

    @property
    def conn(self) -> Reader:
        """The reader connection: committed data only, never blocked by a writer."""
        return self._conn or self.db.reader

    def within(self, conn: aiosqlite.Connection) -> Store:
        """The same reads on a writer's transaction, to see what it has written but not yet committed."""
        return Store(self.db, conn)

    async def rows(self, sql: str, params: Sequence[Any] = (), *, conn: Reader | None = None) -> list[sqlite3.Row]:
        """Run a read to completion in one call; for the other modules of `bot.store` too.

        A cursor left open across an await would keep SQLite's read snapshot for every coroutine sharing
        the connection, so one of them could miss a write another had just committed.
        """
        return list(await (conn or self.conn).execute_fetchall(sql, params))

    async def row(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        """The first row of a read, or None."""
        found = await self.rows(sql, params)
        return found[0] if found else None

    async def ping(self) -> int:
        """The cheapest possible round trip; the benchmarks' floor."""
        row = await self.row("SELECT 1")
        return int(row[0]) if row else 0

    # Meta ---------------------------------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        """A value the bot keeps for itself, such as the hash of the last command tree synced."""
        row = await self.row("SELECT value FROM meta WHERE key = ?", (key,))
        return row[0] if row else None

    async def set_meta(self, key: str, value: str) -> None:
        """Record a value the bot keeps for itself."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # Topics -------------------------------------------------------------------------------------------

    async def topic(self, slug: str) -> TopicRecord | None:
        """The topic with this slug."""
        row = await self.row("SELECT id, slug, title, summary FROM topics WHERE slug = ?", (slug,))
        return TopicRecord(**dict(row)) if row else None

    async def topics(self) -> list[TopicRecord]:
        """Every topic; there are a handful at most."""
        rows = await self.rows("SELECT id, slug, title, summary FROM topics ORDER BY slug LIMIT 100")
        return [TopicRecord(**dict(r)) for r in rows]

    async def counts(self, topic_id: int) -> dict[str, int]:
        """Running totals kept by triggers: facts_active, facts_retracted, actors, places, events."""
        rows = await self.rows("SELECT what, n FROM counts WHERE topic_id = ?", (topic_id,))
        return {r[0]: r[1] for r in rows}

    async def last_change(self, topic_id: int) -> datetime | None:
        """When a fact of this topic last changed, from the record of changes, newest first by its index.

        The facts' own `updated_at` has no index: its maximum meant reading every fact on the event loop,
        22 ms per /about at 100,000 facts. Every fact write is on record with the same moment.
        """
        row = await self.row(
            "SELECT at FROM changes WHERE topic_id = ? AND entity = 'fact' ORDER BY id DESC LIMIT 1", (topic_id,)
        )
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    # Names --------------------------------------------------------------------------------------------

    async def find_names(self, topic_id: int, entity: Entity, text: str, limit: int = 25) -> list[NameMatch]:
        """Candidates for a typed name, best first (see `bot.store.names`)."""
        return await name_index.find_names(self.conn, topic_id, entity, text, limit)

    async def entity_by_slug(self, topic_id: int, entity: Entity, slug: str) -> int | None:
        """The id of the actor, place or event with this slug."""
        table = {"actor": "actors", "place": "places", "event": "events"}[entity]
        row = await self.row(f"SELECT id FROM {table} WHERE topic_id = ? AND slug = ?", (topic_id, slug))
        return row[0] if row else None

    async def entity_by_name(self, topic_id: int, entity: Entity, text: str) -> int | None:
        """The id of the only entity of this kind that goes by exactly this (folded) name."""
        rows = await self.rows(
            "SELECT DISTINCT entity_id FROM names WHERE topic_id = ? AND entity = ? AND norm = ? LIMIT 2",
            (topic_id, entity, normalise(text)),
        )
        return rows[0][0] if len(rows) == 1 else None

    # Actors, places, events ---------------------------------------------------------------------------

    async def stakeholders(self, topic_id: int, limit: int = 100) -> list[Ref]:
        """Actors with an active stake in the topic, by name: what to suggest for a DEFAULT_STAKEHOLDER."""
        rows = await self.rows(
            "SELECT a.id, a.slug, a.name FROM actors a WHERE a.topic_id = ? AND EXISTS"
            " (SELECT 1 FROM facts f WHERE f.stakeholder_id = a.id AND f.status = 'active') ORDER BY a.name LIMIT ?",
            (topic_id, limit),
        )
        return [Ref(**dict(r)) for r in rows]

    async def _aliases(self, entity: Entity, ids: Sequence[int]) -> dict[int, list[str]]:
        """Every other name of each of these actors, places or events, in the order they were added."""
        found: dict[int, list[str]] = {}
        if ids:
            rows = await self.rows(
                "SELECT entity_id, name FROM names WHERE entity = ? AND is_primary = 0"
                f" AND entity_id IN ({_marks(ids)}) ORDER BY id LIMIT ?",
                (entity, *ids, 50 * len(ids)),
            )
            for entity_id, name in rows:
                found.setdefault(entity_id, []).append(name)
        return found

    async def actor(self, actor_id: int) -> ActorRecord | None:
        """An actor with its aliases and affiliations in both directions."""
        row = await self.row(
            "SELECT id, topic_id, slug, name, kind, side, description FROM actors WHERE id = ?", (actor_id,)
        )
        if row is None:
            return None
        links = await self.rows(
            "SELECT a.relation, o.id, o.slug, o.name, 1 FROM affiliations a JOIN actors o ON o.id = a.other_id"
            " WHERE a.actor_id = ?1"
            " UNION ALL SELECT a.relation, o.id, o.slug, o.name, 0 FROM affiliations a"
            " JOIN actors o ON o.id = a.actor_id WHERE a.other_id = ?1 LIMIT 60",
            (actor_id,),
        )
        affiliations = [
            Affiliated(relation=r[0], other=Ref(id=r[1], slug=r[2], name=r[3]), outgoing=bool(r[4])) for r in links
        ]
        aliases = await self._aliases("actor", [actor_id])
        return ActorRecord(**dict(row), aliases=aliases.get(actor_id, []), affiliations=affiliations)

    async def place(self, place_id: int) -> PlaceRecord | None:
        """A place with its spellings and the place it lies within."""
        row = await self.row(
            "SELECT p.id, p.topic_id, p.slug, p.name, p.kind, q.id, q.slug, q.name FROM places p"
            " LEFT JOIN places q ON q.id = p.parent_id WHERE p.id = ?",
            (place_id,),
        )
        if row is None:
            return None
        parent = Ref(id=row[5], slug=row[6], name=row[7]) if row[5] else None
        return PlaceRecord(
            id=row[0],
            topic_id=row[1],
            slug=row[2],
            name=row[3],
            kind=row[4],
            parent=parent,
            aliases=(await self._aliases("place", [place_id])).get(place_id, []),
        )

    async def place_and_within(self, place_id: int) -> list[int]:
        """A place and every place inside it, so that a filter on Shan State includes its towns."""
        rows = await self.rows(
            "WITH RECURSIVE inside(id, depth) AS (SELECT ?, 0 UNION SELECT p.id, depth + 1 FROM places p"
            " JOIN inside ON p.parent_id = inside.id WHERE depth < 6) SELECT id FROM inside LIMIT 500",
            (place_id,),
        )
        return [r[0] for r in rows]

    async def event(self, event_id: int) -> EventRecord | None:
        """An event with its participants, place and the events before and after it."""
        found = await self.events_by_id([event_id])
        return found[0] if found else None

    async def events_by_id(self, ids: Sequence[int]) -> list[EventRecord]:
        """Events in the order asked, each with all an answer shows of it: four queries however many events.

        A timeline page of eight events used to cost forty queries, one set per event.
        """
        if not ids:
            return []
        marks = _marks(ids)
        rows = await self.rows(
            "SELECT e.id, e.topic_id, e.slug, e.name, e.date, e.precision, e.summary, p.id, p.slug, p.name"
            f" FROM events e LEFT JOIN places p ON p.id = e.place_id WHERE e.id IN ({marks})",
            ids,
        )
        parts: dict[int, list[Participation]] = {}
        for event_id, actor_id, slug, name, role in await self.rows(
            "SELECT ea.event_id, a.id, a.slug, a.name, ea.role FROM event_actors ea"
            f" JOIN actors a ON a.id = ea.actor_id WHERE ea.event_id IN ({marks}) ORDER BY a.name LIMIT ?",
            (*ids, 50 * len(ids)),
        ):
            parts.setdefault(event_id, []).append(
                Participation(actor=Ref(id=actor_id, slug=slug, name=name), role=role)
            )
        links: dict[tuple[int, int], list[Ref]] = {}
        for event_id, later, other_id, slug, name, _ in await self.rows(
            "SELECT f.event_id, 0, e.id, e.slug, e.name, e.date FROM event_follows f"
            f" JOIN events e ON e.id = f.follows_id WHERE f.event_id IN ({marks})"
            " UNION ALL SELECT f.follows_id, 1, e.id, e.slug, e.name, e.date FROM event_follows f"
            f" JOIN events e ON e.id = f.event_id WHERE f.follows_id IN ({marks}) ORDER BY 6 LIMIT ?",
            (*ids, *ids, 40 * len(ids)),
        ):
            links.setdefault((event_id, later), []).append(Ref(id=other_id, slug=slug, name=name))
        aliases = await self._aliases("event", ids)
        by_id = {
            row[0]: EventRecord(
                id=row[0],
                topic_id=row[1],
                slug=row[2],
                name=row[3],
                date=date.fromisoformat(row[4]),
                precision=row[5],
                summary=row[6],
                place=Ref(id=row[7], slug=row[8], name=row[9]) if row[7] else None,
                actors=parts.get(row[0], []),
                follows=links.get((row[0], 0), []),
                followed_by=links.get((row[0], 1), []),
                aliases=aliases.get(row[0], []),
            )
            for row in rows
        }
        return [by_id[i] for i in ids if i in by_id]

    async def events(
        self,
        topic_id: int,
        *,
        actor_id: int | None = None,
        place_ids: Sequence[int] | None = None,
        since: date | None = None,
        until: date | None = None,
        newest_first: bool = False,
        offset: int = 0,
        limit: int = 10,
    ) -> list[EventRecord]:
        """Events in date order, filtered; each filter narrows an indexed range."""
        source, event_id, dated, where, params = _event_filter(topic_id, actor_id, place_ids, since, until)
        order = "DESC" if newest_first else "ASC"
        rows = await self.rows(
            f"SELECT {event_id} FROM {source} WHERE {where} ORDER BY {dated} {order}, {event_id} {order}"
            " LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return await self.events_by_id([r[0] for r in rows])

    async def count_events(
        self,
        topic_id: int,
        *,
        actor_id: int | None = None,
        place_ids: Sequence[int] | None = None,
        since: date | None = None,
        until: date | None = None,
        cap: int = 1000,
    ) -> int:
        """How many events a timeline filter matches, counted up to `cap` so a page count stays cheap."""
        source, _, _, where, params = _event_filter(topic_id, actor_id, place_ids, since, until)
        row = await self.row(
            f"SELECT count(*) FROM (SELECT 1 FROM {source} WHERE {where} LIMIT ?)",
            (*params, cap),
        )
        return int(row[0]) if row else 0

    # Facts --------------------------------------------------------------------------------------------

    async def _hydrate(self, rows: Iterable[sqlite3.Row]) -> list[FactRecord]:
        rows = list(rows)
        if not rows:
            return []
        actors, refs = await self._refs(rows)
        facts = []
        for r in rows:
            source = SourceRecord(
                id=r["s_id"],
                title=r["s_title"],
                publisher=r["s_publisher"],
                url=r["s_url"],
                published=_day(r["s_published"]),
                kind=r["s_kind"],
                note=r["s_note"],
            )
            facts.append(
                FactRecord(
                    id=r["id"],
                    topic_id=r["topic_id"],
                    key=r["key"],
                    statement=r["statement"],
                    kind=r["kind"],
                    actors=actors.get(r["id"], []),
                    event=refs.get(("events", r["event_id"])),
                    place=refs.get(("places", r["place_id"])),
                    stakeholder=refs.get(("actors", r["stakeholder_id"])),
                    interest=r["interest"],
                    as_of=date.fromisoformat(r["as_of"]),
                    source=source,
                    reliability=r["reliability"],
                    credibility=r["credibility"],
                    status=r["status"],
                    created_at=datetime.fromisoformat(r["created_at"]),
                    updated_at=datetime.fromisoformat(r["updated_at"]),
                )
            )
        return facts

    async def _refs(self, rows: list[sqlite3.Row]) -> tuple[dict[int, list[Ref]], dict[tuple[str, int], Ref]]:
        """The names behind facts' references in one query: each fact's actors, and its event, place, stakeholder."""
        fact_ids = [r["id"] for r in rows]
        wanted = {
            "events": sorted({r["event_id"] for r in rows if r["event_id"]}),
            "places": sorted({r["place_id"] for r in rows if r["place_id"]}),
            "actors": sorted({r["stakeholder_id"] for r in rows if r["stakeholder_id"]}),
        }
        selects = [
            "SELECT 'fact' AS what, fa.fact_id, a.id, a.slug, a.name FROM fact_actors fa"
            f" JOIN actors a ON a.id = fa.actor_id WHERE fa.fact_id IN ({_marks(fact_ids)})"
        ]
        params: list[int] = list(fact_ids)
        for table, ids in wanted.items():
            if ids:
                selects.append(f"SELECT '{table}', NULL, id, slug, name FROM {table} WHERE id IN ({_marks(ids)})")
                params.extend(ids)
        actors: dict[int, list[Ref]] = {}
        refs: dict[tuple[str, int], Ref] = {}
        for what, fact_id, ref_id, slug, name in await self.rows(" UNION ALL ".join(selects) + " ORDER BY 5", params):
            ref = Ref(id=ref_id, slug=slug, name=name)
            if what == "fact":
                actors.setdefault(fact_id, []).append(ref)
            else:
                refs[(what, ref_id)] = ref
        return actors, refs

    async def fact(self, fact_id: int) -> FactRecord | None:
        """One fact, active or retracted."""
        rows = await self.rows(f"SELECT {_FACT_COLUMNS} FROM {_FACT_FROM} WHERE f.id = ?", (fact_id,))
        found = await self._hydrate(rows)
        return found[0] if found else None

    async def fact_by_key(self, topic_id: int, key: str) -> FactRecord | None:
        """A fact by its stable key, as packs name facts."""
        rows = await self.rows(
            f"SELECT {_FACT_COLUMNS} FROM {_FACT_FROM} WHERE f.topic_id = ? AND f.key = ?", (topic_id, key)
        )
        found = await self._hydrate(rows)
        return found[0] if found else None

    async def changes(self, entity: Entity, entity_id: int, limit: int = 50) -> list[ChangeRecord]:
        """The record of writes to one actor, place, event or fact, oldest first."""
        rows = await self.rows(
            "SELECT id, at, entity, entity_id, action, user_id, user_name, reason, before, after FROM changes"
            " WHERE entity = ? AND entity_id = ? ORDER BY id LIMIT ?",
            (entity, entity_id, limit),
        )
        return [
            ChangeRecord(
                **{k: r[k] for k in ("id", "entity", "entity_id", "action", "user_id", "user_name", "reason")},
                at=datetime.fromisoformat(r["at"]),
                before=json.loads(r["before"]) if r["before"] else None,
                after=json.loads(r["after"]),
            )
            for r in rows
        ]

    async def retraction_reason(self, fact_id: int) -> str | None:
        """Why a fact was last retracted."""
        row = await self.row(
            "SELECT reason FROM changes WHERE entity = 'fact' AND entity_id = ? AND action = 'retract'"
            " ORDER BY id DESC LIMIT 1",
            (fact_id,),
        )
        return row[0] if row else None

    async def facts_of_kind(
        self, topic_id: int, kinds: Sequence[str], as_of: date | None, limit: int
    ) -> list[FactRecord]:
        """The latest active facts of the given kinds, newest first."""
        marks = _marks(kinds)
        rows = await self.rows(
            f"SELECT {_FACT_COLUMNS} FROM {_FACT_FROM} WHERE f.topic_id = ? AND f.status = 'active'"
            f" AND f.kind IN ({marks}) AND f.as_of <= ? ORDER BY f.as_of DESC, f.id ASC LIMIT ?",
            (topic_id, *kinds, _until(as_of), limit),
        )
        return await self._hydrate(rows)

    async def facts_about_actor(self, actor_id: int, as_of: date | None, limit: int) -> list[FactRecord]:
        """The latest active facts that name this actor."""
        rows = await self.rows(
            f"SELECT {_FACT_COLUMNS} FROM fact_actors fa JOIN facts f ON f.id = fa.fact_id"
            " JOIN sources s ON s.id = f.source_id"
            " WHERE fa.actor_id = ? AND fa.active = 1 AND fa.as_of <= ?"
            " ORDER BY fa.as_of DESC, fa.fact_id ASC LIMIT ?",
            (actor_id, _until(as_of), limit),
        )
        return await self._hydrate(rows)

    async def facts_about_event(self, event_id: int, as_of: date | None, limit: int) -> list[FactRecord]:
        """The active facts about this event, oldest first, as a story reads."""
        return (await self.facts_about_events([event_id], as_of, limit)).get(event_id, [])

    async def facts_about_events(
        self, event_ids: Sequence[int], as_of: date | None, per_event: int
    ) -> dict[int, list[FactRecord]]:
        """The first few active facts about each of several events, in one query (a list of events cites them)."""
        if not event_ids:
            return {}
        rows = await self.rows(
            f"SELECT {_FACT_COLUMNS} FROM {_FACT_FROM} WHERE f.id IN (SELECT g.id FROM events e"
            " JOIN facts g ON g.id IN (SELECT h.id FROM facts h WHERE h.event_id = e.id AND h.status = 'active'"
            f" AND h.as_of <= ? ORDER BY h.as_of, h.id LIMIT ?) WHERE e.id IN ({_marks(event_ids)}))"
            " ORDER BY f.as_of, f.id",
            (_until(as_of), per_event, *event_ids),
        )
        found: dict[int, list[FactRecord]] = {}
        for fact in await self._hydrate(rows):
            if fact.event is not None:
                found.setdefault(fact.event.id, []).append(fact)
        return found

    async def stakes(self, stakeholder_id: int, as_of: date | None, limit: int) -> list[FactRecord]:
        """The active stakes of one stakeholder, newest first."""
        return await self._active_facts("stakeholder_id", stakeholder_id, as_of, "DESC", limit)

    async def headline_stakes(self, stakeholder_id: int, as_of: date | None, limit: int) -> list[FactRecord]:
        """A few stakes that show their breadth: the newest of each interest, then the newest of the rest.

        Chosen among the stakeholder's 40 newest, so the cost stays flat however many it has, and only the
        ones shown are read in full.
        """
        rows = await self.rows(
            f"SELECT {_FACT_COLUMNS} FROM (SELECT id, row_number() OVER"
            " (PARTITION BY interest ORDER BY as_of DESC, id) AS nth FROM (SELECT id, interest, as_of FROM facts"
            " WHERE stakeholder_id = ? AND status = 'active' AND as_of <= ? ORDER BY as_of DESC, id LIMIT 40))"
            " pick JOIN facts f ON f.id = pick.id JOIN sources s ON s.id = f.source_id"
            " ORDER BY pick.nth > 1, f.as_of DESC, f.id LIMIT ?",
            (stakeholder_id, _until(as_of), limit),
        )
        return await self._hydrate(rows)

    async def _active_facts(
        self, column: str, value: int, as_of: date | None, order: str, limit: int
    ) -> list[FactRecord]:
        """Active facts by one indexed reference column (facts_event, facts_stake), in date order."""
        rows = await self.rows(
            f"SELECT {_FACT_COLUMNS} FROM {_FACT_FROM} WHERE f.{column} = ? AND f.status = 'active'"
            f" AND f.as_of <= ? ORDER BY f.as_of {order}, f.id ASC LIMIT ?",
            (value, _until(as_of), limit),
        )
        return await self._hydrate(rows)

    async def search(self, topic_id: int, query: str, as_of: date | None, limit: int) -> list[FactRecord]:
        """Active facts for a free-text question: the closest matches first, the newest first among equals.

        Each expression from `search_expressions` is tried in turn, newest first, until `limit` facts are
        found. Ranking every match by BM25 instead cost 600 ms at a million facts: SQLite scores every
        match, and counts each term's documents, before it can sort. Full-text rows are keyed by the negated
        fact id, so newest first is the order FTS5 reads its index in anyway.
        """
        found: list[int] = []
        for expression in await self.search_expressions(topic_id, query):
            rows = await self.rows(
                "SELECT f.id FROM facts_fts JOIN facts f ON f.id = -facts_fts.rowid WHERE facts_fts MATCH ?"
                f" AND f.topic_id = ? AND f.status = 'active' AND f.as_of <= ? AND f.id NOT IN ({_marks(found)})"
                " ORDER BY facts_fts.rowid LIMIT ?",
                (expression, topic_id, _until(as_of), *found, limit - len(found)),
                conn=self._conn or self.db.searcher,
            )
            found.extend(r[0] for r in rows)
            if len(found) >= limit:
                break
        if not found:
            return []
        rows = await self.rows(f"SELECT {_FACT_COLUMNS} FROM {_FACT_FROM} WHERE f.id IN ({_marks(found)})", found)
        by_id = {f.id: f for f in await self._hydrate(rows)}
        return [by_id[i] for i in found]

    async def search_expressions(self, topic_id: int, query: str) -> list[str]:
        """A question as FTS5 expressions, closest match first.

        Known names ("People's Defense Forces", longest first, so that the words inside them are not also
        searched on their own) become a group of all their aliases; other content words are searched as
        they stand, stemmed. In order: every group in the statement itself, every group anywhere (a fact's
        entities column holds the names of what it is about), all groups but one, any group, and then the
        same with the words taken as prefixes ("displ"), which only a question that found too little pays for.
        """
        words = normalise(query).split()
        if not words:
            return []
        phrases = [" ".join(words[i : i + n]) for n in (4, 3, 2, 1) for i in range(len(words) - n + 1)]
        aliases = await name_index.expand_aliases(self.conn, topic_id, phrases)
        used = [False] * len(words)
        names: list[str] = []
        for n in (4, 3, 2, 1):
            for i in range(len(words) - n + 1):
                phrase = " ".join(words[i : i + n])
                if phrase in aliases and not any(used[i : i + n]):
                    used[i : i + n] = [True] * n
                    names.append("(" + " OR ".join(fts_phrase(a) for a in aliases[phrase]) + ")")
        content = [w for i, w in enumerate(words) if not used[i] and w not in STOP_WORDS and len(w) > 1]
        if not (names or content):
            content = words
        groups = list(dict.fromkeys(names + [fts_phrase(w) for w in content]))
        prefixed = list(dict.fromkeys(names + [fts_phrase(w) + ("*" if _prefixable(w) else "") for w in content]))
        expressions = [f"statement : ({' AND '.join(groups)})", " AND ".join(groups)]
        if len(groups) >= 3:
            expressions.append(_all_but_one(groups))
        expressions.append(" OR ".join(groups))
        if prefixed != groups:
            expressions += [" AND ".join(prefixed), " OR ".join(prefixed)]
        return list(dict.fromkeys(expressions))


def _all_but_one(groups: list[str]) -> str:
    """Facts that match every group but one: a fact that says the same thing in slightly other words."""
    return " OR ".join("(" + " AND ".join(groups[:i] + groups[i + 1 :]) + ")" for i in range(len(groups)))


def _prefixable(word: str) -> bool:
    return len(word) >= 4 and word.isalpha()


def _marks(values: Sequence[object]) -> str:
    """Placeholders for an IN list."""
    return ",".join("?" * len(values))


def _until(as_of: date | None) -> str:
    return (as_of or date.max).isoformat()


def _event_filter(
    topic_id: int,
    actor_id: int | None,
    place_ids: Sequence[int] | None,
    since: date | None,
    until: date | None,
) -> tuple[str, str, str, list[Any]]:
    """The FROM, the event id and date columns, WHERE and parameters shared by a timeline page and its count.

    Filtering by actor starts from the actor's links, which carry each event's date, so the dates narrow
    the index range there. An actor's events are all in its topic, so the links answer alone, from their
    index; the events table is joined only to filter by place. (Joined for the topic, counting the junta's
    events took 0.9 ms at 100,000 facts and over 10 ms at a million.)
    """
    if actor_id is not None:
        source, event_id, dated = "event_actors ea", "ea.event_id", "ea.date"
        where, params = ["ea.actor_id = ?"], [actor_id]
        if place_ids is not None:
            source += " JOIN events e ON e.id = ea.event_id"
    else:
        source, event_id, dated = "events e", "e.id", "e.date"
        where, params = ["e.topic_id = ?"], [topic_id]
    if place_ids is not None:
        where.append(f"e.place_id IN ({_marks(place_ids)})")
        params.extend(place_ids)
    if since is not None:
        where.append(f"{dated} >= ?")
        params.append(since.isoformat())
    if until is not None:
        where.append(f"{dated} <= ?")
        params.append(until.isoformat())
    return source, event_id, dated, " AND ".join(where), params


async def page_ids(store: Store, table: str, topic_id: int, after: int, limit: int) -> list[int]:
    """Ids of one table's rows for a topic, in pages, so an export never holds a whole table at once."""
    if table not in {"actors", "places", "events", "facts"}:
        raise ValueError(table)
    rows = await store.rows(
        f"SELECT id FROM {table} WHERE topic_id = ? AND id > ? ORDER BY id LIMIT ?", (topic_id, after, limit)
    )
    return [r[0] for r in rows]
