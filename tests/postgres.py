"""A real PostgreSQL for the store's tests: one server per session (pgserver), one fresh schema per test.

The server comes from the `pgserver` wheel, so nothing is installed by hand; it runs without fsync, as
nothing in it needs to survive the session. Each test's store lives in a schema of its own (the URL's
`search_path`), migrated as a store on a new database would be: about 0.1 s, less than copying a template
database (0.25 s). A server that cannot start fails the tests that need it, loudly.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pgserver
import pytest

#: Settings for a server whose data is thrown away at the end of the session.
DISPOSABLE = ("fsync = off", "synchronous_commit = off", "full_page_writes = off")


@dataclass
class Server:
    """A running PostgreSQL, and a new schema on it for each store."""

    uri: str
    numbers: Iterator[int]

    async def fresh(self) -> str:
        """The URL of a new, empty schema; the store migrates it when it opens."""
        name = f"test_{next(self.numbers)}"
        conn = await asyncpg.connect(self.uri)
        try:
            await conn.execute(f"CREATE SCHEMA {name}")
        finally:
            await conn.close()
        return f"{self.uri}&search_path={name}"


async def _configure(uri: str) -> None:
    conn = await asyncpg.connect(uri)
    try:
        for setting in DISPOSABLE:
            await conn.execute(f"ALTER SYSTEM SET {setting}")
        await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One PostgreSQL for the whole session."""
    folder = Path(tmp_path_factory.mktemp("pgdata"))
    server = pgserver.get_server(folder, cleanup_mode="stop")
    uri = server.get_uri()
    # Asked for lazily, from inside a test's event loop (`store_target`): configure it on a thread of its own.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, _configure(uri)).result()
    yield Server(uri, itertools.count(1))
    server.cleanup()


@pytest.fixture(params=["sqlite", "postgres"])
def store_target(request: pytest.FixtureRequest) -> Iterator[str]:
    """Where a test's store lives: SQLite in memory, then a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield ":memory:"
        return
    server: Server = request.getfixturevalue("postgres_server")
    with ThreadPoolExecutor(1) as thread:
        yield thread.submit(asyncio.run, server.fresh()).result()


#: For a test of SQLite itself (its query plans, its statement trace, its change counter): SQLite alone.
sqlite_only = pytest.mark.parametrize("store_target", ["sqlite"], indirect=True)
