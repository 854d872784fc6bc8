"""What every family of reads in `bot.store` stands on: the connection it reads from, and how it reads.

It sits apart from `bot.store.store` so that the families (`entities`, `events`, `facts`, `search`) can build
on it and `Store` can still be composed of them, without a circular import.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.store.engine.base import Connection, Database, Reader


class Reads:
    """A store's connection: committed data, or a writer's transaction in progress (see `Store.within`)."""

    def __init__(self, db: Database, conn: Connection | None = None) -> None:
        self.db = db
        self._conn: Reader | None = conn

    @property
    def conn(self) -> Reader:
        """The reader connection: committed data only, never blocked by a writer."""
        return self._conn or self.db.reader

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


def marks(values: Sequence[object]) -> str:
    """Placeholders for an IN list."""
    return ",".join("?" * len(values))


def up_to(as_of: date | None) -> str:
    """The last `as_of` day a read includes: facts dated after the asked day are not known yet on it."""
    return (as_of or date.max).isoformat()
