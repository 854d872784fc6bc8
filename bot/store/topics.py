"""Topics' SQL (migration 0011): the dossiers listed, their change counters, the defaults per server and channel.

Reads go through the store's reader; each write is one short transaction on the writer, with the change on
record in `topic_changes`. A topic's own records (actors, facts, …) are written by `bot.store.writes`.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.models import Author
from bot.store.engine.base import Connection
from bot.store.records import Record
from bot.store.store import Store


class TopicSummary(Record):
    """A topic as `/topic list` shows it: its size, when it last changed, and whether it is retired."""

    id: int
    slug: str
    title: str
    summary: str
    retired: bool
    facts: int
    events: int
    last_change: datetime | None


@dataclass
class _Versions:
    seen: Hashable
    by_slug: dict[str, int]


class TopicStore:
    """Reads and writes of topics as a whole."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._versions: _Versions | None = None

    # The change counter --------------------------------------------------------------------------------

    async def version(self, slug: str) -> Hashable:
        """A value that changes whenever the topic's records change, by any process; cheap on the read path.

        The store's data version (a pragma, no table read) says whether anything at all was written since the
        last look; only then are the counters read again, all of them in one indexed read of a few rows.
        """
        seen = await self.store.db.version()
        if self._versions is None or self._versions.seen != seen:
            rows = await self.store.rows(
                "SELECT t.slug, coalesce(v.version, 0) FROM topics t"
                " LEFT JOIN topic_versions v ON v.topic_id = t.id LIMIT 10000"
            )
            self._versions = _Versions(seen, {r[0]: r[1] for r in rows})
        return self._versions.by_slug.get(slug, -1)

    # Reads ---------------------------------------------------------------------------------------------

    async def summaries(self) -> list[TopicSummary]:
        """Every topic with its counts and last change, by slug (a handful; each figure one indexed read)."""
        rows = await self.store.rows(
            "SELECT id, slug, title, summary, retired_at IS NOT NULL FROM topics ORDER BY slug LIMIT 1000"
        )
        found = []
        for r in rows:
            counts = await self.store.counts(r[0])
            found.append(
                TopicSummary(
                    id=r[0],
                    slug=r[1],
                    title=r[2],
                    summary=r[3],
                    retired=bool(r[4]),
                    facts=counts.get("facts_active", 0),
                    events=counts.get("events", 0),
                    last_change=await self.last_change(r[0]),
                )
            )
        return found

    async def last_change(self, topic_id: int) -> datetime | None:
        """When any record of the topic last changed (the newest entry of its record, by its index)."""
        row = await self.store.row("SELECT at FROM changes WHERE topic_id = ? ORDER BY id DESC LIMIT 1", (topic_id,))
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def retired(self) -> set[str]:
        """The slugs of retired topics."""
        rows = await self.store.rows("SELECT slug FROM topics WHERE retired_at IS NOT NULL LIMIT 1000")
        return {r[0] for r in rows}

    async def retired_at(self, topic_id: int) -> str | None:
        """When a topic was retired (ISO time), or None."""
        row = await self.store.row("SELECT retired_at FROM topics WHERE id = ?", (topic_id,))
        return str(row[0]) if row and row[0] else None

    async def default_for(self, guild_id: int | None, channel_id: int | None) -> tuple[str, bool] | None:
        """The slug set for this channel, else for its server, and whether it was the channel's; None if neither."""
        if guild_id is None:
            return None
        row = await self.store.row(
            "SELECT t.slug, d.channel_id FROM topic_defaults d JOIN topics t ON t.id = d.topic_id"
            " WHERE d.guild_id = ? AND d.channel_id IN (?, 0) ORDER BY d.channel_id DESC LIMIT 1",
            (guild_id, channel_id or 0),
        )
        return (row[0], row[1] != 0) if row else None

    async def holdings(self, topic_id: int) -> dict[str, int]:
        """What refers to a topic and stays on record, by kind: a topic holding any of it is retired, not removed."""
        found = {}
        for what, sql in (
            ("facts", "SELECT count(*) FROM facts WHERE topic_id = ?"),
            ("digests", "SELECT count(*) FROM digest_subscriptions WHERE topic_id = ?"),
            ("feeds", "SELECT count(*) FROM intake_feeds WHERE topic_id = ?"),
            ("candidates", "SELECT count(*) FROM intake_candidates WHERE topic_id = ?"),
        ):
            row = await self.store.row(sql, (topic_id,))
            found[what] = int(row[0]) if row else 0
        return found

    # Writes ----------------------------------------------------------------------------------------------

    async def add(self, slug: str, title: str, summary: str, who: Author) -> None:
        """A new, empty topic."""
        async with self.store.db.transaction() as conn:
            await conn.execute("INSERT INTO topics (slug, title, summary) VALUES (?, ?, ?)", (slug, title, summary))
            await _record(conn, slug, "add", who, None, {"title": title, "summary": summary})

    async def edit(
        self, topic_id: int, slug: str, before: dict[str, object], after: dict[str, object], action: str, who: Author
    ) -> None:
        """Change a topic's title, summary or retirement (the values in `after`)."""
        async with self.store.db.transaction() as conn:
            await conn.execute(
                "UPDATE topics SET title = ?, summary = ?, retired_at = ? WHERE id = ?",
                (after["title"], after["summary"], after["retired_at"], topic_id),
            )
            await _record(conn, slug, action, who, before, after)

    async def remove(self, topic_id: int, slug: str, who: Author) -> None:
        """Delete a topic that holds nothing on record (`holdings`), with the actors, places and events it named."""
        async with self.store.db.transaction() as conn:
            for sql in (
                "DELETE FROM topic_defaults WHERE topic_id = ?",
                "DELETE FROM related_terms WHERE topic_id = ?",
                "DELETE FROM names WHERE topic_id = ?",
                "DELETE FROM event_places WHERE event_id IN (SELECT id FROM events WHERE topic_id = ?)",
                "DELETE FROM events WHERE topic_id = ?",
                "UPDATE places SET parent_id = NULL WHERE topic_id = ?",
                "DELETE FROM places WHERE topic_id = ?",
                "DELETE FROM actors WHERE topic_id = ?",
                "DELETE FROM counts WHERE topic_id = ?",
                "DELETE FROM changes WHERE topic_id = ?",
                "DELETE FROM topics WHERE id = ?",
            ):
                await conn.execute(sql, (topic_id,))
            await _record(conn, slug, "remove", who, None, None)

    async def use(self, topic_id: int, slug: str, guild_id: int, channel_id: int | None, who: Author) -> None:
        """Make a topic the default of a server (no channel) or of one channel."""
        async with self.store.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO topic_defaults (guild_id, channel_id, topic_id) VALUES (?, ?, ?)"
                " ON CONFLICT (guild_id, channel_id) DO UPDATE SET topic_id = excluded.topic_id",
                (guild_id, channel_id or 0, topic_id),
            )
            await _record(conn, slug, "use", who, None, None, guild_id=guild_id, channel_id=channel_id)


async def _record(
    conn: Connection,
    slug: str,
    action: str,
    who: Author,
    before: dict[str, object] | None,
    after: dict[str, object] | None,
    *,
    guild_id: int | None = None,
    channel_id: int | None = None,
    at: datetime | None = None,
) -> None:
    """Put a change to a topic on record, inside the transaction that makes it."""
    await conn.execute(
        "INSERT INTO topic_changes (at, topic_slug, action, guild_id, channel_id, user_id, user_name, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (at or datetime.now(UTC)).isoformat(),
            slug,
            action,
            guild_id,
            channel_id,
            who.id,
            who.name,
            json.dumps(before, sort_keys=True, default=str) if before is not None else None,
            json.dumps(after, sort_keys=True, default=str) if after is not None else None,
        ),
    )


async def record_topic_added(conn: Connection, slug: str, title: str, summary: str, who: Author, at: datetime) -> None:
    """Put a topic a pack created on record, as `/topic add` does."""
    await _record(conn, slug, "add", who, None, {"title": title, "summary": summary}, at=at)
