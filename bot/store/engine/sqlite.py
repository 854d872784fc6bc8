"""The store on SQLite: WAL mode, numbered migrations, and one writer at a time.

Writes run on aiosqlite's worker thread. They take an asyncio lock and an explicit `BEGIN IMMEDIATE`, so a
transaction spanning several awaits can never interleave with another coroutine's writes.

Reads come in two costs. Indexed look-ups bounded by a LIMIT take 10 to 50 µs, less than handing them to
a worker thread and back (about 130 µs measured, per statement), and an answer makes a dozen of them: those
run on the event loop itself (`InlineReader`), and a slow one is logged. Full-text search grows with the
store, so it keeps a worker thread of its own (`SqliteDatabase.searcher`) and never holds up the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

import aiosqlite

from bot.errors import UserError
from bot.store.engine.base import (
    Connection,
    Database,
    Dialect,
    Reader,
    StoreUnavailable,
    TrigramMatch,
    migrations,
)

log = logging.getLogger(__name__)

SLOW_READ_SECONDS = 0.010


class SqliteDialect(Dialect):
    """FTS5: the expression as it stands, and the `names_trigram` index (migration 0001)."""

    def full_text(self, table: str, expression: str) -> tuple[str, str]:
        """FTS5 reads the expression itself."""
        return f"{table} MATCH ?", expression

    async def index_terms(self, conn: Connection, rowids: list[int]) -> None:
        """FTS5 tokenises each row as it is written."""

    def trigrams(self, grams: set[str]) -> TrigramMatch:
        """FTS5's trigram index, ranked by its BM25."""
        query = " OR ".join(f'"{g}"' for g in sorted(grams))
        return TrigramMatch(" JOIN names_trigram g ON g.rowid = n.id", "names_trigram MATCH ? AND ", "g.rank", query)

    def containing(self, norm: str) -> tuple[str, str]:
        """A phrase in the trigram index is a substring."""
        phrase = '"' + norm.replace('"', '""') + '"'
        return "names_trigram g JOIN names n ON n.id = g.rowid WHERE names_trigram MATCH ?", phrase

    def columns(self, table: str) -> tuple[str, tuple[str]]:
        """SQLite's own account of the table (FTS5 tables included)."""
        return "SELECT name FROM pragma_table_info(?)", (table,)

    async def continue_ids(self, conn: Connection, tables: list[str]) -> None:
        """SQLite's next rowid is always one more than the largest."""

    async def set_triggers(self, conn: Connection, triggers: dict[str, tuple[str, ...]], *, enabled: bool) -> None:
        """SQLite cannot turn a trigger off, and needs not: it updates a counter row in place, at a constant cost."""


class InlineReader:
    """A read-only connection used on the event loop's own thread, for reads too quick to hand off.

    Each call runs its statement to completion, so no read snapshot outlives the call and every read sees
    what was committed before it.
    """

    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA query_only = ON")
        # A WAL reader waits only while the file is being recovered; never stall the loop for long on that.
        self._conn.execute("PRAGMA busy_timeout = 200")

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """The rows of one statement; a coroutine so that it fits where an aiosqlite connection does."""
        start = time.perf_counter()
        rows = self._conn.execute(sql, tuple(parameters)).fetchall()
        took = time.perf_counter() - start
        if took > SLOW_READ_SECONDS:
            log.warning("slow read on the event loop (%.1f ms): %s", took * 1000, " ".join(sql.split())[:200])
        return rows

    def data_version(self) -> int:
        """A number that changes whenever another connection (this process's writer too) commits."""
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()


def _reason(exc: OSError | sqlite3.Error) -> str:
    """What went wrong, without Python's `[Errno 13]` decoration, naming the path the system refused."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror.lower()}: {exc.filename}" if exc.filename else exc.strerror.lower()
    return str(exc)


def _prepare_file(path: Path) -> None:
    """Create the folder, check that the file opens as a database, and put it in WAL mode (which persists).

    This runs on the caller's thread with the standard library before aiosqlite starts a worker, because
    aiosqlite reports a failed connect from that worker, which then outlives the caller's event loop and
    prints a second traceback ("Event loop is closed") after the one-line error.
    """
    if path.is_dir():
        raise StoreUnavailable(f"{path} is a folder; name a database file, such as {path / 'briefbot.db'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()
    except (OSError, sqlite3.Error) as exc:
        raise StoreUnavailable(f"cannot open {path} as a database ({_reason(exc)})") from None


def _check_backup_target(target: Path, live: Path | None) -> None:
    """Refuse, before writing anything, a backup path that can only fail or would overwrite the live file."""
    if target.is_dir():
        raise UserError(f"{target} is a folder; name the file to write, such as {target / 'briefbot-backup.db'}")
    if not target.parent.is_dir():
        raise UserError(f"the folder {target.parent} does not exist; create it first or name another")
    if live is not None and target.resolve() == live.resolve():
        raise UserError(f"{target} is the live database itself; name another file")


class SqliteDatabase(Database):
    """A writer connection (one writer at a time, under a lock) and, for files, separate readers.

    With WAL, the readers see only committed data: a question asked during a large import neither waits
    behind it nor sees it half-applied. An in-memory database (tests) cannot be shared between
    connections, so there the readers are the writer.
    """

    def __init__(self, conn: aiosqlite.Connection, path: Path | None) -> None:
        self.conn = conn
        self.reader: Reader = conn
        self.searcher: Reader = conn
        self._inline: InlineReader | None = None
        self._transactions = 0
        self.path = path
        self._write_lock = asyncio.Lock()
        self.dialect = SqliteDialect()

    @classmethod
    async def open(cls, path: Path | str) -> SqliteDatabase:
        """Open (creating if needed) and migrate the database at `path`; ':memory:' for tests.

        A file that cannot be created or opened raises `StoreUnavailable`, before any connection is made.
        """
        target = str(path)
        file_path = None if target == ":memory:" else Path(target)
        if file_path is not None:
            _prepare_file(file_path)
        conn = await _connect(target)
        try:
            db = cls(conn, file_path)
            await db.migrate()
            if file_path is not None:
                db.searcher = await _connect(target)
                db.reader = db._inline = InlineReader(target)
        except BaseException:
            # aiosqlite's worker thread is not a daemon: left open, it would keep the process from exiting.
            await conn.close()
            raise
        return db

    async def migrate(self) -> None:
        """Apply every migration newer than the database's `user_version`, each in its own transaction.

        Each transaction reads `user_version` again once it holds the file's write lock: processes starting
        together on a new file all find it unmigrated, and only the first to take the lock applies each
        migration (the others would fail on its tables). The statements run one by one, because
        `executescript` commits the open transaction before it starts.
        """
        current = await self._user_version()
        for version, name, sql in migrations():
            if version <= current:
                continue
            async with self.transaction() as conn:
                if await self._user_version() >= version:
                    continue
                log.info("applying migration %s", name)
                for statement in _statements(_without_transaction_control(sql)):
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {version:d}")

    async def _user_version(self) -> int:
        async with self.conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return row[0] if row else 0

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A write transaction: all of it or none of it, one writer at a time."""
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")
            finally:
                self._transactions += 1

    async def version(self) -> tuple[int, int, int]:
        """Changes whenever anything may have been written, by this process or another; cheap enough per answer.

        The writer's change count and transaction count cover this process (an in-memory database has no
        other reader to tell); the reader's data version covers commits from other processes too.
        """
        outside = self._inline.data_version() if self._inline is not None else 0
        return self.conn.total_changes, self._transactions, outside

    async def backup(self, target: Path) -> None:
        """A consistent copy of the live database, written beside `target` and renamed into place.

        SQLite's online backup copies a snapshot while writers carry on, so the copy is never torn, and the
        rename means `target` is either the old file or a complete new one; a copy that fails part-way is
        removed. A target that cannot be a copy (a folder, a missing folder, the live file) is a
        `UserError` before anything is written.
        """
        _check_backup_target(target, self.path)
        partial = target.with_name(target.name + ".partial")
        try:
            partial.unlink(missing_ok=True)
            # A standard-library connection: a failure to create it is raised here, not on a worker thread.
            copy = sqlite3.connect(partial, check_same_thread=False)
            try:
                await self.conn.backup(copy)
            finally:
                copy.close()
            partial.replace(target)
        except (OSError, sqlite3.Error) as exc:
            partial.unlink(missing_ok=True)
            raise UserError(f"cannot write the backup {target} ({_reason(exc)})") from None

    async def close(self) -> None:
        """Checkpoint and close, so the database file is complete without its WAL beside it."""
        if self._inline is not None:
            self._inline.close()
        if isinstance(self.searcher, aiosqlite.Connection) and self.searcher is not self.conn:
            await self.searcher.close()
        with contextlib.suppress(Exception):
            await self.conn.execute("PRAGMA optimize")
        await self.conn.close()


async def _connect(target: str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(target, isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA busy_timeout = 5000")
    except BaseException:
        await conn.close()
        raise
    return conn


def _statements(script: str) -> Iterator[str]:
    """A script's statements, each whole (a trigger's body included: `complete_statement` knows SQLite's grammar)."""
    statement = ""
    for piece in script.split(";"):
        statement += piece
        if sqlite3.complete_statement(statement + ";"):
            yield statement + ";"
            statement = ""
        else:
            statement += ";"
    if statement.strip():
        yield statement


def _without_transaction_control(sql: str) -> str:
    """The migrator owns the transaction; a script that commits half-way would leave a half-migrated file."""
    if re.search(r"^\s*(BEGIN|COMMIT)\b", sql, re.IGNORECASE | re.MULTILINE):
        raise RuntimeError("a migration must not contain BEGIN or COMMIT")
    return sql
