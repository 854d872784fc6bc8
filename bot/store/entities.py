"""What facts are about: topics, the names people type, and the actors and places behind them.

Events are named and aliased here too (`find_names`, `_aliases`); their own reads are in `bot.store.events`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.models import normalise
from bot.store import names as name_index
from bot.store.names import Entity
from bot.store.reads import Reads, marks
from bot.store.records import ActorRecord, Affiliated, NameMatch, PlaceRecord, Ref, TopicRecord

_TOPIC_COLUMNS = "id, slug, title, summary, languages"


def _topic(row: Any) -> TopicRecord:
    """A topic row as a record; its languages are stored as codes separated by commas."""
    return TopicRecord(**{**dict(row), "languages": str(row["languages"]).split(",")})


class Entities(Reads):
    """Reads of topics, names, actors and places."""

    # Topics -------------------------------------------------------------------------------------------

    async def topic(self, slug: str) -> TopicRecord | None:
        """The topic with this slug."""
        row = await self.row(f"SELECT {_TOPIC_COLUMNS} FROM topics WHERE slug = ?", (slug,))
        return _topic(row) if row else None

    async def topic_by_id(self, topic_id: int) -> TopicRecord | None:
        """The topic with this id (a fact's or a candidate's)."""
        row = await self.row(f"SELECT {_TOPIC_COLUMNS} FROM topics WHERE id = ?", (topic_id,))
        return _topic(row) if row else None

    async def topics(self) -> list[TopicRecord]:
        """Every topic; there are a handful at most."""
        rows = await self.rows(f"SELECT {_TOPIC_COLUMNS} FROM topics ORDER BY slug LIMIT 100")
        return [_topic(r) for r in rows]

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
        return await name_index.find_names(self.conn, self.db.dialect, topic_id, entity, text, limit)

    async def named_by_words(self, topic_id: int, entity: Entity, text: str) -> list[int]:
        """The actors, places or events with a name containing `text` as whole words (see `bot.store.names`)."""
        return await name_index.named_by_words(self.conn, self.db.dialect, topic_id, entity, text)

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

    # Actors and places -------------------------------------------------------------------------------

    async def _aliases(self, entity: Entity, ids: Sequence[int]) -> dict[int, list[str]]:
        """Every other name of each of these actors, places or events, in the order they were added."""
        found: dict[int, list[str]] = {}
        if ids:
            rows = await self.rows(
                "SELECT entity_id, name FROM names WHERE entity = ? AND is_primary = 0"
                f" AND entity_id IN ({marks(ids)}) ORDER BY id LIMIT ?",
                (entity, *ids, 50 * len(ids)),
            )
            for entity_id, name in rows:
                found.setdefault(entity_id, []).append(name)
        return found

    async def stakeholders(self, topic_id: int, limit: int = 100) -> list[Ref]:
        """Actors with an active stake in the topic, by name: what to suggest for a DEFAULT_STAKEHOLDER."""
        rows = await self.rows(
            "SELECT a.id, a.slug, a.name FROM actors a WHERE a.topic_id = ? AND EXISTS"
            " (SELECT 1 FROM facts f WHERE f.stakeholder_id = a.id AND f.status = 'active') ORDER BY a.name LIMIT ?",
            (topic_id, limit),
        )
        return [Ref(**dict(r)) for r in rows]

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

    async def place_parents(self, place_ids: Sequence[int]) -> dict[int, Ref]:
        """The place each of these lies within, in one query (an event's places, each with its region)."""
        if not place_ids:
            return {}
        rows = await self.rows(
            "SELECT p.id, q.id, q.slug, q.name FROM places p JOIN places q ON q.id = p.parent_id"
            f" WHERE p.id IN ({marks(place_ids)})",
            list(place_ids),
        )
        return {r[0]: Ref(id=r[1], slug=r[2], name=r[3]) for r in rows}

    async def place_and_within(self, place_id: int) -> list[int]:
        """A place and every place inside it, so that a filter on Shan State includes its towns."""
        rows = await self.rows(
            "WITH RECURSIVE inside(id, depth) AS (SELECT CAST(? AS BIGINT), 0 UNION SELECT p.id, depth + 1"
            " FROM places p JOIN inside ON p.parent_id = inside.id WHERE depth < 6) SELECT id FROM inside LIMIT 500",
            (place_id,),
        )
        return [r[0] for r in rows]
