"""What the store needs of a database, whichever engine holds it: the interface both engines implement.

`Database` is readers, one write transaction at a time, a version that changes when anything is written,
and a `Dialect` for the few statements the engines cannot share (full text, trigram names). The store's
modules write one SQL text for both, in SQLite's dialect, against the protocols here; `sqlite` and
`postgres` beside this module each implement them and import only this one, and `bot.store.engine`'s
`open_database` picks between them, so nothing here knows of either engine.
"""

from __future__ import annotations

import abc
import re
import sqlite3
from collections.abc import Generator, Hashable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class Reader(Protocol):
    """What the store needs of a connection to read: aiosqlite's connections and `InlineReader` both fit."""

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any] = ()) -> Iterable[sqlite3.Row]:
        """Every row of one statement, read to the end."""
        ...


class Cursor(Protocol):
    """A statement's outcome, as aiosqlite's cursor gives it: its rows, and what it wrote."""

    @property
    def lastrowid(self) -> int | None:
        """The id of the row an INSERT wrote (None when it wrote none)."""
        ...

    @property
    def rowcount(self) -> int:
        """How many rows an INSERT, UPDATE or DELETE touched."""
        ...

    async def fetchone(self) -> sqlite3.Row | None:
        """The first row, or None."""
        ...

    async def fetchall(self) -> Iterable[sqlite3.Row]:
        """Every row."""
        ...


class Pending(Protocol):
    """A statement sent: awaited for its cursor, or used with `async with` as aiosqlite allows."""

    def __await__(self) -> Generator[Any, None, Cursor]:
        """The cursor, once the statement has run."""
        ...

    async def __aenter__(self) -> Cursor:
        """The cursor, once the statement has run."""
        ...

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> Any:
        """Nothing to release."""
        ...


class Connection(Reader, Protocol):
    """A write transaction's connection: aiosqlite's, or `bot.store.engine.postgres.PgConnection`."""

    def execute(self, sql: str, parameters: Iterable[Any] = ...) -> Pending:
        """Run one statement."""
        ...

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Any:
        """Run one statement for each set of parameters."""
        ...


@dataclass(frozen=True)
class TrigramMatch:
    """How names `n` are joined to the trigram index, and ordered best first, for one look-up."""

    join: str
    where: str
    order: str
    parameter: object


class Dialect(abc.ABC):
    """The statements SQLite and PostgreSQL cannot share: full-text matching and trigram names."""

    @abc.abstractmethod
    def full_text(self, table: str, expression: str) -> tuple[str, str]:
        """A predicate (one placeholder) matching `table`'s rows against an FTS5 expression, and its parameter."""

    @abc.abstractmethod
    async def index_terms(self, conn: Connection, rowids: list[int]) -> None:
        """Finish full-text rows just written, where the engine cannot tokenise them itself (a page at a time)."""

    @abc.abstractmethod
    def trigrams(self, grams: set[str]) -> TrigramMatch:
        """Names sharing trigrams with a typed name, those sharing most first."""

    @abc.abstractmethod
    def containing(self, norm: str) -> tuple[str, str]:
        """FROM names `n` and a WHERE (one placeholder) for those containing `norm`, and its parameter."""

    @abc.abstractmethod
    def columns(self, table: str) -> tuple[str, tuple[str]]:
        """A query for a table's column names, in order, and its parameters (for `bot.store.copy`)."""

    @abc.abstractmethod
    async def continue_ids(self, conn: Connection, tables: list[str]) -> None:
        """After rows were written with their ids: new rows get ids after the largest (for `bot.store.copy`)."""

    @abc.abstractmethod
    async def set_triggers(self, conn: Connection, triggers: dict[str, tuple[str, ...]], *, enabled: bool) -> None:
        """Turn these triggers of each table off or on again, within the transaction (for `bot.store.copy`)."""


class Database(abc.ABC):
    """Readers, one writer at a time, and what tells a cached answer that the store changed."""

    reader: Reader
    searcher: Reader
    dialect: Dialect
    #: The SQLite file; None in memory and on PostgreSQL.
    path: Path | None = None

    @abc.abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """A write transaction: all of it or none of it, one writer at a time."""

    @abc.abstractmethod
    async def version(self) -> Hashable:
        """Changes whenever anything may have been written, by this process or another; cheap enough per answer."""

    @abc.abstractmethod
    async def backup(self, target: Path) -> None:
        """A consistent copy of the live store in the file `target`."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Close every connection."""


def is_postgres(target: str) -> bool:
    """Whether a store's address is a PostgreSQL URL rather than a SQLite path."""
    return target.startswith(("postgresql://", "postgres://"))


def shown(address: str) -> str:
    """A store's address without the password a PostgreSQL URL may hold, for messages and logs."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", address)


class StoreUnavailable(Exception):
    """The database file cannot be created or opened; the message names the file and the reason."""


def migrations(folder: str = "migrations", first: int = 1) -> list[tuple[int, str, str]]:
    """The packaged migrations of one engine as (version, name, SQL), in order, numbered on from `first`."""
    found = []
    for entry in resources.files("bot.store").joinpath(folder).iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if versions != list(range(first, first + len(versions))):
        raise RuntimeError(f"migrations must be numbered 0001, 0002, … without gaps: {versions}")
    return found
