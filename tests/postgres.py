"""A real PostgreSQL for the store's tests: one server per session (pgserver), one fresh schema per test.

The server comes from the `pgserver` wheel, so nothing is installed by hand; it runs without fsync, as
nothing in it needs to survive the session. Each test's store lives in a schema of its own (the URL's
`search_path`), created and migrated ahead of time by a thread of its own, so that the 0.1-0.2 s of
migrating (copying a template database took 0.25 s) is spent while earlier tests run. A server that cannot
start fails the tests that need it, loudly.
"""

from __future__ import annotations

import asyncio
import itertools
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pgserver
import pytest

from bot.store.engine.postgres import PostgresDatabase

#: Settings for a server whose data is thrown away at the end of the session.
DISPOSABLE = ("fsync = off", "synchronous_commit = off", "full_page_writes = off")
#: Migrated schemas kept ready for the next tests.
AHEAD = 3


class Server:
    """A running PostgreSQL, and a migrated schema of its own for each store, made ahead of time."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self._ready: queue.Queue[str | BaseException] = queue.Queue(AHEAD)
        self._stop = threading.Event()
        self._maker = threading.Thread(target=asyncio.run, args=(self._make(),), daemon=True)
        self._maker.start()

    def next_url(self) -> str:
        """The URL of a new, empty, migrated store; waits for it if none is ready yet."""
        made = self._ready.get()
        if isinstance(made, BaseException):
            raise made
        return made

    async def fresh(self) -> str:
        """`next_url` for a test running on an event loop."""
        return await asyncio.to_thread(self.next_url)

    async def _make(self) -> None:
        for number in itertools.count(1):
            try:
                url = f"{self.uri}&search_path=test_{number}"
                conn = await asyncpg.connect(self.uri)
                try:
                    await conn.execute(f"CREATE SCHEMA test_{number}")
                finally:
                    await conn.close()
                await (await PostgresDatabase.open(url)).close()
                made: str | BaseException = url
            except Exception as exc:
                made = exc
            while not self._stop.is_set():
                try:
                    self._ready.put(made, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if self._stop.is_set() or isinstance(made, BaseException):
                return

    def stop(self) -> None:
        self._stop.set()
        self._maker.join()


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
    running = Server(uri)
    yield running
    running.stop()
    server.cleanup()


@pytest.fixture(params=["sqlite", "postgres"])
def store_target(request: pytest.FixtureRequest) -> Iterator[str]:
    """Where a test's store lives: SQLite in memory, then a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield ":memory:"
        return
    server: Server = request.getfixturevalue("postgres_server")
    yield server.next_url()


#: For a test of SQLite itself (its query plans, its statement trace, its change counter): SQLite alone.
sqlite_only = pytest.mark.parametrize("store_target", ["sqlite"], indirect=True)
