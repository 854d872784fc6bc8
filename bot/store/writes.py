"""Writes to the fact store. Each public function is one transaction: all of it lands or none of it.

The module stays whole past 450 lines because it is one thing, writing a pack: `PackWriter` and the
functions around it are the steps of that one transaction (`record_change` puts each write on record,
`index_fact` keeps full text in step), and the curation commands write through the same `PackWriter`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.claims import same_claim
from bot.corroboration import Corroboration, corroborate, reports
from bot.models import (
    OPERATOR,
    PARTY_CREDIBILITY,
    Actor,
    Author,
    Citation,
    Event,
    Fact,
    Place,
    Source,
    Topic,
    capped_credibility,
    normalise,
)
from bot.packs import Pack
from bot.store.engine.base import Connection, Database, Dialect
from bot.store.names import Entity, Recorded
from bot.store.packform import Form, actor_form, event_form, fact_form, place_form
from bot.store.records import FactRecord, PackChanges
from bot.store.store import Store
from bot.store.topics import record_topic_added
from bot.store.watches import drop_matches, queue_matches


def utcnow() -> datetime:
    """The current moment in UTC; writers take it as a parameter so tests can fix it."""
    return datetime.now(UTC)


async def _upsert(
    conn: Connection, table: str, key: Mapping[str, object], values: Mapping[str, object]
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
    conn: Connection, topic_id: int, entity: Entity, entity_id: int, name: str, aliases: list[str]
) -> None:
    await conn.execute("DELETE FROM names WHERE entity = ? AND entity_id = ?", (entity, entity_id))
    await conn.executemany(
        "INSERT OR IGNORE INTO names (topic_id, entity, entity_id, name, norm, is_primary) VALUES (?, ?, ?, ?, ?, ?)",
        [(topic_id, entity, entity_id, n, normalise(n), int(i == 0)) for i, n in enumerate([name, *aliases])],
    )


async def source_id(conn: Connection, source: Source) -> int:
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
        return int(row[0])
    cur = await conn.execute(
        "INSERT INTO sources (title, publisher, url, published, kind, note) VALUES (?, ?, ?, ?, ?, ?)", values
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def write_citations(conn: Connection, fact_id: int, citations: Sequence[Citation]) -> None:
    """Make a fact's sources these, in this order; the first is also `facts.source_id`."""
    await conn.execute("DELETE FROM fact_sources WHERE fact_id = ?", (fact_id,))
    await conn.executemany(
        "INSERT INTO fact_sources (fact_id, position, source_id, reliability, credibility, says, retracted)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (fact_id, i, await source_id(conn, c.source), c.reliability, c.credibility, c.says, int(c.retracted))
            for i, c in enumerate(citations)
        ],
    )


async def index_fact(conn: Connection, dialect: Dialect, fact_id: int) -> None:
    """(Re)write a fact's full-text row: its statement, every name of what it is about, and its topic's token.

    The row is keyed by the negated fact id, so that the index's own order is newest first (migration 0005);
    its `topic` column is `t` and the topic id (`topic_token`), so a search reads only its topic's rows
    (migration 0012).
    """
    await conn.execute("DELETE FROM facts_fts WHERE rowid = ?", (-fact_id,))
    await conn.execute(
        "INSERT INTO facts_fts (rowid, statement, entities, topic) SELECT -f.id, f.statement,"
        " coalesce((SELECT group_concat(n.name, ' ; ') FROM names n WHERE"
        " (n.entity = 'actor' AND (n.entity_id IN (SELECT actor_id FROM fact_actors WHERE fact_id = f.id)"
        "   OR n.entity_id = f.stakeholder_id))"
        " OR (n.entity = 'place' AND n.entity_id = f.place_id)"
        " OR (n.entity = 'event' AND n.entity_id = f.event_id)), ''), 't' || f.topic_id"
        " FROM facts f WHERE f.id = ?",
        (fact_id,),
    )
    await dialect.index_terms(conn, [-fact_id])


#: Near-duplicate pairs named after an import, at most.
MAX_WARNINGS = 50


class _DryRun(Exception):
    """Raised inside a dry run's transaction so that everything it wrote is rolled back."""


class PackWriter:
    """Writes records matched by slug (facts by key), only where they differ, each change on record.

    A record is compared in its pack form (`bot.store.packform`) with what is stored: equal forms are
    left alone (no write, no record, no new `updated_at`); others are written and a change with the
    before and after forms is recorded in the same transaction.
    """

    def __init__(self, db: Database, conn: Connection, topic_id: int, now: datetime, author: Author) -> None:
        self.conn = conn
        self.reads = Store(db, conn)
        self.topic_id = topic_id
        self.now = now
        self.author = author
        self.ids: dict[tuple[Entity, str], int] = {}
        self.added: dict[str, int] = {}
        self.changed: dict[str, int] = {}
        self.unchanged: dict[str, int] = {}
        self.written_facts: list[int] = []
        self.warnings: list[str] = []
        self._watched: bool | None = None
        self.capped: list[str] = []

    def _count(self, section: str, target: dict[str, int]) -> None:
        target[section] = target.get(section, 0) + 1

    async def _id(self, entity: Entity, slug: str | None) -> int | None:
        if slug is None:
            return None
        if (entity, slug) not in self.ids:
            found = await self.reads.entity_by_slug(self.topic_id, entity, slug)
            if found is None:
                raise LookupError(f"unknown {entity} {slug!r}")
            self.ids[(entity, slug)] = found
        return self.ids[(entity, slug)]

    async def _record(
        self,
        entity: Recorded,
        entity_id: int,
        before: Form | None,
        after: Form,
        action: str = "",
        reason: str | None = None,
    ) -> None:
        await record_change(
            self.conn,
            topic_id=self.topic_id,
            entity=entity,
            entity_id=entity_id,
            action=action or ("edit" if before else "add"),
            user_id=self.author.id,
            user_name=self.author.name,
            before=before,
            after=after,
            reason=reason,
            at=self.now,
        )
        self._count(f"{entity}s", self.changed if before else self.added)

    async def _reindex_about(self, entity: Entity, entity_id: int) -> None:
        """A renamed actor, place or event changes the names its facts are found by."""
        column = {"place": "place_id", "event": "event_id"}.get(entity)
        sql = (
            f"SELECT id FROM facts WHERE {column} = ?"
            if column
            else "SELECT fact_id FROM fact_actors WHERE actor_id = ?1"
            " UNION SELECT id FROM facts WHERE stakeholder_id = ?1"
        )
        async with self.conn.execute(sql, (entity_id,)) as cur:
            for (fact_id,) in await cur.fetchall():
                await index_fact(self.conn, self.reads.db.dialect, fact_id)

    async def _current(self, entity: Entity, slug: str) -> tuple[int, Form] | None:
        entity_id = await self.reads.entity_by_slug(self.topic_id, entity, slug)
        if entity_id is None:
            return None
        self.ids[(entity, slug)] = entity_id
        return entity_id, await self._form(entity, entity_id)

    async def _form(self, entity: Entity, entity_id: int) -> Form:
        if entity == "actor":
            return actor_form(await self.reads.actor(entity_id))  # type: ignore[arg-type]
        if entity == "place":
            return place_form(await self.reads.place(entity_id))  # type: ignore[arg-type]
        return event_form(await self.reads.event(entity_id))  # type: ignore[arg-type]

    async def _records(
        self, entity: Entity, records: list[Any], form: Any, core: Any, links: Any, reason: str | None
    ) -> None:
        """Two passes: every record's own row and names first, then links, which may point at later records."""
        pending: list[tuple[Any, tuple[int, Form] | None]] = []
        for record in records:
            current = await self._current(entity, record.slug)
            if current and current[1] == form(record):
                self._count(f"{entity}s", self.unchanged)
                continue
            await core(record)
            pending.append((record, current))
        for record, _ in pending:
            await links(record)
        for record, current in pending:
            entity_id = self.ids[(entity, record.slug)]
            after = await self._form(entity, entity_id)
            await self._record(entity, entity_id, current[1] if current else None, after, reason=reason)
            if current:
                await self._reindex_about(entity, entity_id)

    async def _actor(self, actor: Actor) -> None:
        key = {"topic_id": self.topic_id, "slug": actor.slug}
        values = {
            "name": actor.name,
            "kind": actor.kind.value,
            "side": actor.side.value,
            "description": actor.description,
        }
        actor_id, _ = await _upsert(self.conn, "actors", key, values)
        self.ids[("actor", actor.slug)] = actor_id
        await _set_names(self.conn, self.topic_id, "actor", actor_id, actor.name, actor.aliases)

    async def _affiliations(self, actor: Actor) -> None:
        actor_id = await self._id("actor", actor.slug)
        await self.conn.execute("DELETE FROM affiliations WHERE actor_id = ?", (actor_id,))
        for aff in actor.affiliations:
            await self.conn.execute(
                "INSERT OR IGNORE INTO affiliations (actor_id, other_id, relation) VALUES (?, ?, ?)",
                (actor_id, await self._id("actor", aff.actor), aff.relation.value),
            )

    async def _place(self, place: Place) -> None:
        key = {"topic_id": self.topic_id, "slug": place.slug}
        place_id, _ = await _upsert(self.conn, "places", key, {"name": place.name, "kind": place.kind.value})
        self.ids[("place", place.slug)] = place_id
        await _set_names(self.conn, self.topic_id, "place", place_id, place.name, place.aliases)

    async def _place_parent(self, place: Place) -> None:
        await self.conn.execute(
            "UPDATE places SET parent_id = ? WHERE id = ?",
            (await self._id("place", place.parent), await self._id("place", place.slug)),
        )

    async def _event(self, event: Event) -> None:
        key = {"topic_id": self.topic_id, "slug": event.slug}
        values = {
            "name": event.name,
            "date": event.date.isoformat(),
            "precision": event.precision.value,
            "summary": event.summary,
        }
        event_id, _ = await _upsert(self.conn, "events", key, values)
        self.ids[("event", event.slug)] = event_id
        await _set_names(self.conn, self.topic_id, "event", event_id, event.name, event.aliases)
        await self.conn.execute("DELETE FROM event_places WHERE event_id = ?", (event_id,))
        await self.conn.executemany(
            "INSERT OR IGNORE INTO event_places (event_id, place_id) VALUES (?, ?)",
            [(event_id, await self._id("place", slug)) for slug in event.places],
        )
        await self.conn.execute("DELETE FROM event_actors WHERE event_id = ?", (event_id,))
        for part in event.actors:
            await self.conn.execute(
                "INSERT INTO event_actors (event_id, actor_id, role) VALUES (?, ?, ?)"
                " ON CONFLICT (event_id, actor_id) DO UPDATE SET role = excluded.role",
                (event_id, await self._id("actor", part.actor), part.role),
            )

    async def _event_follows(self, event: Event) -> None:
        event_id = await self._id("event", event.slug)
        await self.conn.execute("DELETE FROM event_follows WHERE event_id = ?", (event_id,))
        for slug in event.follows:
            await self.conn.execute(
                "INSERT OR IGNORE INTO event_follows (event_id, follows_id) VALUES (?, ?)",
                (event_id, await self._id("event", slug)),
            )

    async def actors(self, actors: list[Actor], *, reason: str | None = None) -> None:
        """Write the actors that differ from what is stored; `reason` goes on record with each."""
        await self._records("actor", actors, actor_form, self._actor, self._affiliations, reason)

    async def places(self, places: list[Place], *, reason: str | None = None) -> None:
        """Write the places that differ from what is stored; `reason` goes on record with each."""
        await self._records("place", places, place_form, self._place, self._place_parent, reason)

    async def events(self, events: list[Event], *, reason: str | None = None) -> None:
        """Write the events that differ from what is stored; `reason` goes on record with each."""
        await self._records("event", events, event_form, self._event, self._event_follows, reason)

    async def fact(self, fact: Fact, retracted: str | None = None, *, reason: str | None = None) -> int:
        """Write a fact if it differs from what is stored; retract it if the pack says so.

        `reason` goes on record with the write (such as the feed item an approved candidate came from).
        """
        fact = await self._graded(fact)
        current = await self.reads.fact_by_key(self.topic_id, fact.key)
        before = fact_form(current) if current else None
        fact_id = current.id if current else 0
        if before == fact_form(fact):
            self._count("facts", self.unchanged)
        else:
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
                "salience": fact.salience.value if fact.salience else None,
                "claimant": fact.claimant,
                "claimant_actor_id": await self._id("actor", fact.claimant_actor),
                "updated_at": self.now.isoformat(),
            }
            if current is None:
                values["created_at"] = self.now.isoformat()
            fact_id, _ = await _upsert(self.conn, "facts", {"topic_id": self.topic_id, "key": fact.key}, values)
            await self.conn.execute("DELETE FROM fact_actors WHERE fact_id = ?", (fact_id,))
            await self.conn.executemany(
                "INSERT OR IGNORE INTO fact_actors (fact_id, actor_id) VALUES (?, ?)",
                [(fact_id, await self._id("actor", slug)) for slug in fact.actors],
            )
            await write_citations(self.conn, fact_id, fact.sources)
            await index_fact(self.conn, self.reads.db.dialect, fact_id)
            await self._record("fact", fact_id, before, fact_form(fact), reason=reason)
            self.written_facts.append(fact_id)
            await self._tell_watchers(fact_id)
        if retracted is not None and (current is None or current.status == "active"):
            await self.set_status(fact_id, "retracted", retracted)
        return fact_id

    async def _graded(self, fact: Fact) -> Fact:
        """The fact with the credibility its claimant allows: a party's claim is never better than 3.

        Applied here, on the one write path, so no pack, edit or approval can store better; each capped
        grade is named in `capped` for whoever asked for it.
        """
        actor_id = await self._id("actor", fact.claimant_actor)
        if actor_id is None:
            return fact
        async with self.conn.execute("SELECT side FROM actors WHERE id = ?", (actor_id,)) as cur:
            row = await cur.fetchone()
        credibility = capped_credibility(fact.credibility, row[0] if row else None)
        if credibility == fact.credibility:
            return fact
        self.capped.append(
            f"fact {fact.key}: claimed by {fact.claimant}, a party to the fighting, so graded credibility"
            f" {credibility} (possibly true), not {fact.credibility}: a party's word alone is never better"
            f" than {PARTY_CREDIBILITY}"
        )
        return fact.model_copy(update={"credibility": credibility})

    async def set_status(self, fact_id: int, status: str, reason: str | None) -> None:
        """Retract or restore a fact; it stays on record either way."""
        current = await self.reads.fact(fact_id)
        if current is None:
            raise LookupError(f"unknown fact #{fact_id}")
        await self.conn.execute(
            "UPDATE facts SET status = ?, updated_at = ? WHERE id = ?", (status, self.now.isoformat(), fact_id)
        )
        form = fact_form(current)
        action = "retract" if status == "retracted" else "restore"
        await record_change(
            self.conn,
            topic_id=self.topic_id,
            entity="fact",
            entity_id=fact_id,
            action=action,
            user_id=self.author.id,
            user_name=self.author.name,
            reason=reason,
            before={**form, "status": current.status},
            after={**form, "status": status},
            at=self.now,
        )
        if status == "active":
            await self._tell_watchers(fact_id)
        else:
            await drop_matches(self.conn, fact_id)

    async def _tell_watchers(self, fact_id: int) -> None:
        """Queue the fact for the watches it matches, in this transaction (`bot.store.watches`).

        Whether the topic has any active watch is read once per transaction (none can be added while it
        holds the write lock), so a pack import into a topic nobody watches costs one read, not one a fact.
        """
        if self._watched is None:
            async with self.conn.execute(
                "SELECT 1 FROM watches WHERE topic_id = ? AND status = 'active' LIMIT 1", (self.topic_id,)
            ) as cur:
                self._watched = await cur.fetchone() is not None
        if self._watched:
            await queue_matches(self.conn, fact_id, self.now)

    async def add_source(self, fact_id: int, citation: Citation, reason: str | None = None) -> Corroboration:
        """Attach a further source to a fact, after those it has, and grade the fact again, on record."""
        current = await self._fact(fact_id)
        await self.conn.execute(
            "INSERT INTO fact_sources (fact_id, position, source_id, reliability, credibility, says, retracted)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                fact_id,
                max(c.position for c in current.sources) + 1,
                await source_id(self.conn, citation.source),
                citation.reliability,
                citation.credibility,
                citation.says,
                int(citation.retracted),
            ),
        )
        return await self.regrade(current, reason or f"also reported by {citation.source.outlet}")

    async def retract_source(
        self, fact_id: int, position: int, reason: str, *, retracted: bool = True
    ) -> Corroboration:
        """Mark one of a fact's sources withdrawn by its outlet (or not), and grade the fact again, on record."""
        current = await self._fact(fact_id)
        if not any(c.position == position for c in current.sources):
            raise LookupError(f"fact #{fact_id} has no source {position + 1}")
        await self.conn.execute(
            "UPDATE fact_sources SET retracted = ? WHERE fact_id = ? AND position = ?",
            (int(retracted), fact_id, position),
        )
        return await self.regrade(current, reason)

    async def grade_by_hand(self, fact_id: int, credibility: int) -> None:
        """A moderator's grade for a fact, which corroboration then leaves as it is; the edit is its record."""
        await self.conn.execute("UPDATE facts SET credibility_by_hand = ? WHERE id = ?", (credibility, fact_id))

    async def _fact(self, fact_id: int) -> FactRecord:
        current = await self.reads.fact(fact_id)
        if current is None:
            raise LookupError(f"unknown fact #{fact_id}")
        return current

    async def regrade(self, before: FactRecord, reason: str, *, sources_changed: bool = True) -> Corroboration:
        """The fact's credibility from its sources now (`bot.corroboration`); the change and why, on record.

        Without `sources_changed` (a fact just written, graded by hand) only a grade the rule changes is
        written: a party's claim alone graded better than 3.
        """
        fact = await self._fact(before.id)
        parties = await self.reads.parties(self.topic_id, [c.source.publisher or "" for c in fact.sources])
        found = corroborate(reports(fact, parties), by_hand=fact.credibility_by_hand)
        if not sources_changed and found.credibility == fact.credibility:
            return found
        await self.conn.execute(
            "UPDATE facts SET credibility = ?, updated_at = ? WHERE id = ?",
            (found.credibility, self.now.isoformat(), fact.id),
        )
        if found.credibility != fact.credibility:
            reason += f"; credibility {fact.credibility} → {found.credibility}"
        if said := found.describe():
            reason += f" ({said})"
        after = fact_form(fact) | {"credibility": found.credibility}
        await self._record("fact", fact.id, fact_form(before), after, action="edit", reason=reason)
        return found

    async def related(self, groups: list[list[str]]) -> None:
        """Make the topic's thesaurus the pack's: groups of terms that mean nearly the same (see /search)."""
        if await self.reads.related_terms(self.topic_id) == [list(dict.fromkeys(g)) for g in groups]:
            return
        await self.conn.execute("DELETE FROM related_terms WHERE topic_id = ?", (self.topic_id,))
        await self.conn.executemany(
            "INSERT OR IGNORE INTO related_terms (topic_id, grp, position, term, norm) VALUES (?, ?, ?, ?, ?)",
            [(self.topic_id, i + 1, j, t, normalise(t)) for i, group in enumerate(groups) for j, t in enumerate(group)],
        )

    async def warn_near_duplicates(self, limit: int = MAX_WARNINGS) -> None:
        """Name each pair of active facts that make the same claim, where this writer wrote one of them.

        The rule is the one that refuses a moderator's near-duplicate (`bot.claims`), over the same search
        candidates; for a pack it warns instead of refusing, because a pack is reviewed as a whole and the
        pair may be a deliberate step in merging. Facts the pack did not change are not read again.
        """
        pairs: set[tuple[int, int]] = set()
        for fact_id in self.written_facts:
            fact = await self.reads.fact(fact_id)
            if fact is None or fact.status != "active":
                continue
            for other in await self.reads.search(self.topic_id, fact.statement, None, 8):
                pair = (min(fact.id, other.id), max(fact.id, other.id))
                if other.id == fact.id or pair in pairs or not same_claim(fact.statement, other.statement):
                    continue
                pairs.add(pair)
                first, second = sorted((fact, other), key=lambda f: f.id)
                if len(self.warnings) < limit:
                    self.warnings.append(
                        f"facts {first.key} and {second.key} make the same claim: “{first.statement}” and"
                        f" “{second.statement}”; merge them into one (keeping both sources if they differ)"
                    )

    def changes(self) -> PackChanges:
        """What this writer did."""
        return PackChanges(
            added=self.added,
            changed=self.changed,
            unchanged=self.unchanged,
            warnings=self.warnings,
            capped=self.capped,
        )


@contextlib.asynccontextmanager
async def _transaction(db: Database, *, dry_run: bool) -> AsyncIterator[Connection]:
    """One write transaction that commits, or rolls back on error or in a dry run."""
    try:
        async with db.transaction() as conn:
            yield conn
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass


async def _writer(db: Database, conn: Connection, topic: Topic, author: Author, now: datetime) -> PackWriter:
    values = {"title": topic.title, "summary": topic.summary, "languages": ",".join(topic.languages)}
    topic_id, new = await _upsert(conn, "topics", {"slug": topic.slug}, values)
    if new:
        # A pack with a new slug creates its topic: on record as `/topic add` would put it.
        await record_topic_added(conn, topic.slug, topic.title, topic.summary, author, now)
    return PackWriter(db, conn, topic_id, now, author)


@contextlib.asynccontextmanager
async def writing(
    db: Database, topic: Topic, author: Author, now: datetime | None = None, *, dry_run: bool = False
) -> AsyncIterator[PackWriter]:
    """A PackWriter inside one transaction: all of its writes land, or (on error or dry run) none do."""
    async with _transaction(db, dry_run=dry_run) as conn:
        yield await _writer(db, conn, topic, author, now or utcnow())


async def apply_pack(
    db: Database, pack: Pack, now: datetime | None = None, *, author: Author = OPERATOR, dry_run: bool = False
) -> PackChanges:
    """Write a whole pack in one transaction; a failure part-way (or a dry run) leaves the store as it was."""
    [changes] = await apply_packs(db, [pack], now, author=author, dry_run=dry_run)
    return changes


async def apply_packs(
    db: Database,
    packs: Sequence[Pack],
    now: datetime | None = None,
    *,
    author: Author = OPERATOR,
    dry_run: bool = False,
    into_empty: bool = False,
) -> list[PackChanges]:
    """Write several packs as one change, in one transaction, and say what each did (in the given order).

    Packs given together are one change, as one pack is: if any fails part-way, none of them lands.
    `into_empty` writes them only into a store that holds no topic yet (else nothing, and returns []): the
    check is made inside the write transaction, which writers take in turn on both engines (SQLite's
    `BEGIN IMMEDIATE`, PostgreSQL's `store_version` row lock), so of several processes seeding one new store
    at the same time exactly one loads the packs.
    """
    now = now or utcnow()
    writers = []
    async with _transaction(db, dry_run=dry_run) as conn:
        if into_empty:
            async with conn.execute("SELECT 1 FROM topics LIMIT 1") as cur:
                if await cur.fetchone() is not None:
                    return []
        for pack in packs:
            writer = await _writer(db, conn, pack.topic, author, now)
            await writer.actors(pack.actors)
            await writer.places(pack.places)
            await writer.events(pack.events)
            for fact in pack.facts:
                await writer.fact(fact, pack.retracted.get(fact.key))
            await writer.related(pack.related)
            await writer.warn_near_duplicates()
            writers.append(writer)
    return [writer.changes() for writer in writers]


async def record_change(
    conn: Connection,
    *,
    topic_id: int,
    entity: Recorded,
    entity_id: int,
    action: str,
    user_id: int | None,
    user_name: str,
    before: dict[str, object] | None,
    after: dict[str, object],
    reason: str | None = None,
    at: datetime | None = None,
) -> int:
    """Put a write on record; call it inside the same transaction as the write itself."""
    cur = await conn.execute(
        "INSERT INTO changes (at, topic_id, entity, entity_id, action, user_id, user_name, reason, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (at or utcnow()).isoformat(),
            topic_id,
            entity,
            entity_id,
            action,
            user_id,
            user_name,
            reason,
            json.dumps(before, sort_keys=True, default=str) if before is not None else None,
            json.dumps(after, sort_keys=True, default=str),
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid
