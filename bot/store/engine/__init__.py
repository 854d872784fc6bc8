"""The store's database engines, in the shape of httpx's transports: one interface, one module per engine.

`base` declares what the store needs of a database; `sqlite` and `postgres` each implement it and import
only `base`. `open_database` is the one place that picks an engine, so nothing imports back up.
"""

from __future__ import annotations

from pathlib import Path

from bot.store.engine.base import Database, is_postgres
from bot.store.engine.sqlite import SqliteDatabase

__all__ = ["open_database"]


async def open_database(target: Path | str) -> Database:
    """Open and migrate the store at `target`: a SQLite path (':memory:' for tests) or a postgresql:// URL."""
    if is_postgres(str(target)):
        from bot.store.engine.postgres import PostgresDatabase  # asyncpg is loaded only for PostgreSQL

        return await PostgresDatabase.open(str(target))
    return await SqliteDatabase.open(target)
