"""The fact store: every SQL statement the bot runs against its data lives in this package.

Methods return read models from `bot.store.records`; nothing outside `bot/store/` writes SQL. Each query
is bounded by a LIMIT and served by an index from the migrations, so its cost does not grow with the store.
`Store` is composed of one class per family of reads, each in its own module, so a query is found by what
it reads: `entities` (topics, names, actors, places), `events`, `facts`, `search` and `pictures`
(what a chart counts). Writes are in
`bot.store.writes`, digests' reads and writes in `bot.store.digests`.
"""

from __future__ import annotations

from pathlib import Path

from bot.store.engine import open_database
from bot.store.engine.base import Connection
from bot.store.pictures import Pictures
from bot.store.search import Search


class Store(Search, Pictures):
    """Reads over the fact store, plus the hooks the writers in `bot.store.writes` share."""

    @classmethod
    async def open(cls, path: Path | str) -> Store:
        """Open and migrate the store at `path`."""
        return cls(await open_database(path))

    async def close(self) -> None:
        """Close the connection; the bot calls this from `close()`."""
        await self.db.close()

    def within(self, conn: Connection) -> Store:
        """The same reads on a writer's transaction, to see what it has written but not yet committed."""
        return Store(self.db, conn)

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


async def page_ids(store: Store, table: str, topic_id: int, after: int, limit: int) -> list[int]:
    """Ids of one table's rows for a topic, in pages, so an export never holds a whole table at once."""
    if table not in {"actors", "places", "events", "facts"}:
        raise ValueError(table)
    rows = await store.rows(
        f"SELECT id FROM {table} WHERE topic_id = ? AND id > ? ORDER BY id LIMIT ?", (topic_id, after, limit)
    )
    return [r[0] for r in rows]
