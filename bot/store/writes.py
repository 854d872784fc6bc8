"""Writes to the fact store. Each public function is one transaction: all of it lands or none of it."""

from __future__ import annotations

from datetime import UTC, datetime

import aiosqlite

from bot.models import Actor, Event, Fact, Place, Source, normalise
from bot.packs import Pack
from bot.store.database import Database
from bot.store.names import Entity
from bot.store.records import PackChanges


def utcnow() -> datetime:
    """The current moment in UTC; writers take it as a parameter so tests can fix it."""
    return datetime.now(UTC)


async def _upsert(
    conn: aiosqlite.Connection, table: str, key: dict[str, object], values: dict[str, object]
) -> tuple[int, bool]:
    """Insert or update one row by its natural key; return its id and whether it was new."""
    where = " AND ".join(f"{k} = ?" for k in key)
    async with conn.execute(f"SELECT id FROM {table} WHERE {where}", tuple(key.values())) as cur:
        row = await cur.fetchone()
    if row is not None:
        sets = ", ".join(f"{k} = ?" for k in values)
        await conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*values.values(), row[0]))
        return row[0], False
    columns = {**key, **values}
    marks = ",".join("?" * len(columns))
    cur = await conn.execute(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", tuple(columns.values()))
    assert cur.lastrowid is not None
    return cur.lastrowid, True


async def _set_names(
    conn: aiosqlite.Connection, topic_id: int, entity: Entity, entity_id: int, name: str, aliases: list[str]
) -> None:
    await conn.execute("DELETE FROM names WHERE entity = ? AND entity_id = ?", (entity, entity_id))
    await conn.executemany(
        "INSERT OR IGNORE INTO names (topic_id, entity, entity_id, name, norm, is_primary) VALUES (?, ?, ?, ?, ?, ?)",
        [(topic_id, entity, entity_id, n, normalise(n), int(i == 0)) for i, n in enumerate([name, *aliases])],
    )


async def source_id(conn: aiosqlite.Connection, source: Source) -> int:
    """The id of this exact source, created on first use so that citations group by document."""
    values = (
        source.title,
        source.publisher,
        source.url,
        source.published.isoformat() if source.published else None,
        source.kind.value,
        source.note,
    )
    async with conn.execute(
        "SELECT id FROM sources WHERE title = ? AND publisher IS ? AND url IS ? AND published IS ? AND kind = ?"
        " AND note IS ?",
        values,
    ) as cur:
        row = await cur.fetchone()
    if row:
        return row[0]
    cur = await conn.execute(
        "INSERT INTO sources (title, publisher, url, published, kind, note) VALUES (?, ?, ?, ?, ?, ?)", values
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def index_fact(conn: aiosqlite.Connection, fact_id: int) -> None:
    """(Re)write a fact's full-text row: its statement and every name of what it is about."""
    await conn.execute("DELETE FROM facts_fts WHERE rowid = ?", (fact_id,))
    await conn.execute(
        "INSERT INTO facts_fts (rowid, statement, entities) SELECT f.id, f.statement,"
        " coalesce((SELECT group_concat(n.name, ' ; ') FROM names n WHERE"
        " (n.entity = 'actor' AND (n.entity_id IN (SELECT actor_id FROM fact_actors WHERE fact_id = f.id)"
        "   OR n.entity_id = f.stakeholder_id))"
        " OR (n.entity = 'place' AND n.entity_id = f.place_id)"
        " OR (n.entity = 'event' AND n.entity_id = f.event_id)), '')"
        " FROM facts f WHERE f.id = ?",
        (fact_id,),
    )


class PackWriter:
    """Applies a validated pack: records are matched by slug (facts by key) and updated in place."""

    def __init__(self, conn: aiosqlite.Connection, topic_id: int, now: datetime) -> None:
        self.conn = conn
        self.topic_id = topic_id
        self.now = now.isoformat()
        self.ids: dict[tuple[Entity, str], int] = {}
        self.added: dict[str, int] = {}
        self.updated: dict[str, int] = {}

    def _count(self, section: str, new: bool) -> None:
        target = self.added if new else self.updated
        target[section] = target.get(section, 0) + 1

    async def _id(self, entity: Entity, slug: str | None) -> int | None:
        if slug is None:
            return None
        if (entity, slug) not in self.ids:
            table = {"actor": "actors", "place": "places", "event": "events"}[entity]
            async with self.conn.execute(
                f"SELECT id FROM {table} WHERE topic_id = ? AND slug = ?", (self.topic_id, slug)
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                raise LookupError(f"unknown {entity} {slug!r}")
            self.ids[(entity, slug)] = row[0]
        return self.ids[(entity, slug)]

    async def actor(self, actor: Actor) -> None:
        """Write an actor and its names; affiliations wait until every actor exists."""
        key = {"topic_id": self.topic_id, "slug": actor.slug}
        values = {
            "name": actor.name,
            "kind": actor.kind.value,
            "side": actor.side.value,
            "description": actor.description,
        }
        actor_id, new = await _upsert(self.conn, "actors", key, values)
        self.ids[("actor", actor.slug)] = actor_id
        await _set_names(self.conn, self.topic_id, "actor", actor_id, actor.name, actor.aliases)
        self._count("actors", new)

    async def affiliations(self, actor: Actor) -> None:
        """Replace an actor's outgoing affiliations."""
        actor_id = await self._id("actor", actor.slug)
        await self.conn.execute("DELETE FROM affiliations WHERE actor_id = ?", (actor_id,))
        for aff in actor.affiliations:
            await self.conn.execute(
                "INSERT OR IGNORE INTO affiliations (actor_id, other_id, relation) VALUES (?, ?, ?)",
                (actor_id, await self._id("actor", aff.actor), aff.relation.value),
            )

    async def place(self, place: Place) -> None:
        """Write a place and its spellings; the parent link is set once every place exists."""
        key = {"topic_id": self.topic_id, "slug": place.slug}
        place_id, new = await _upsert(self.conn, "places", key, {"name": place.name, "kind": place.kind.value})
        self.ids[("place", place.slug)] = place_id
        await _set_names(self.conn, self.topic_id, "place", place_id, place.name, place.aliases)
        self._count("places", new)

    async def place_parent(self, place: Place) -> None:
        """Link a place to the place it lies within."""
        await self.conn.execute(
            "UPDATE places SET parent_id = ? WHERE id = ?",
            (await self._id("place", place.parent), await self._id("place", place.slug)),
        )

    async def event(self, event: Event) -> None:
        """Write an event, its names and its participants."""
        key = {"topic_id": self.topic_id, "slug": event.slug}
        values = {
            "name": event.name,
            "date": event.date.isoformat(),
            "precision": event.precision.value,
            "place_id": await self._id("place", event.place),
            "summary": event.summary,
        }
        event_id, new = await _upsert(self.conn, "events", key, values)
        self.ids[("event", event.slug)] = event_id
        await _set_names(self.conn, self.topic_id, "event", event_id, event.name, event.aliases)
        await self.conn.execute("DELETE FROM event_actors WHERE event_id = ?", (event_id,))
        for part in event.actors:
            await self.conn.execute(
                "INSERT OR REPLACE INTO event_actors (event_id, actor_id, role) VALUES (?, ?, ?)",
                (event_id, await self._id("actor", part.actor), part.role),
            )
        self._count("events", new)

    async def event_follows(self, event: Event) -> None:
        """Replace the links from an event to the events it followed."""
        event_id = await self._id("event", event.slug)
        await self.conn.execute("DELETE FROM event_follows WHERE event_id = ?", (event_id,))
        for slug in event.follows:
            await self.conn.execute(
                "INSERT OR IGNORE INTO event_follows (event_id, follows_id) VALUES (?, ?)",
                (event_id, await self._id("event", slug)),
            )

    async def fact(self, fact: Fact) -> int:
        """Write a fact, the actors it names and its full-text row."""
        key = {"topic_id": self.topic_id, "key": fact.key}
        values = {
            "statement": fact.statement,
            "kind": fact.kind.value,
            "event_id": await self._id("event", fact.event),
            "place_id": await self._id("place", fact.place),
            "stakeholder_id": await self._id("actor", fact.stakeholder),
            "interest": fact.interest.value if fact.interest else None,
            "as_of": fact.as_of.isoformat(),
            "source_id": await source_id(self.conn, fact.source),
            "reliability": fact.reliability,
            "credibility": fact.credibility,
            "updated_at": self.now,
        }
        async with self.conn.execute(
            "SELECT id FROM facts WHERE topic_id = ? AND key = ?", (self.topic_id, fact.key)
        ) as cur:
            existing = await cur.fetchone()
        if existing is None:
            values["created_at"] = self.now
        fact_id, new = await _upsert(self.conn, "facts", key, values)
        await self.conn.execute("DELETE FROM fact_actors WHERE fact_id = ?", (fact_id,))
        await self.conn.executemany(
            "INSERT OR IGNORE INTO fact_actors (fact_id, actor_id) VALUES (?, ?)",
            [(fact_id, await self._id("actor", slug)) for slug in fact.actors],
        )
        await index_fact(self.conn, fact_id)
        self._count("facts", new)
        return fact_id


async def apply_pack(db: Database, pack: Pack, now: datetime | None = None) -> PackChanges:
    """Write a whole pack in one transaction; a failure part-way leaves the store as it was."""
    async with db.transaction() as conn:
        topic_id, _ = await _upsert(
            conn, "topics", {"slug": pack.topic.slug}, {"title": pack.topic.title, "summary": pack.topic.summary}
        )
        writer = PackWriter(conn, topic_id, now or utcnow())
        for actor in pack.actors:
            await writer.actor(actor)
        for actor in pack.actors:
            await writer.affiliations(actor)
        for place in pack.places:
            await writer.place(place)
        for place in pack.places:
            await writer.place_parent(place)
        for event in pack.events:
            await writer.event(event)
        for event in pack.events:
            await writer.event_follows(event)
        for fact in pack.facts:
            await writer.fact(fact)
    return PackChanges(added=writer.added, updated=writer.updated)
