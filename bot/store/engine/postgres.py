"""The store on PostgreSQL (asyncpg): the store's one SQL text, translated; full text and names, by hand.

The store's modules write SQLite's dialect, and `translate` turns each statement into PostgreSQL's once
(cached): `?` and `?NNN` placeholders become `$n` (never inside a string literal), `IS ?` becomes
`IS NOT DISTINCT FROM $n`, an empty `IN ()` an empty array, `INSERT OR IGNORE` becomes
`ON CONFLICT DO NOTHING`, and an INSERT into a table with an `id` returns it, for `lastrowid`. The schema
(migrations_pg/) supplies the few functions SQLite has and PostgreSQL lacks, so no statement needs an `if`.

What the engines cannot share is in `PostgresDialect`: FTS5 expressions become `tsquery`s over lexemes the
store computed itself with `bot.store.stemming` (SQLite's own tokenizer, in Python), so both engines see the
same words and the shared BM25F scoring ranks the same candidates the same way; names' trigrams are ranked
by FTS5's own BM25, computed in SQL.

One asyncpg pool serves reads (each a single statement, committed data only) and writes (one pooled
connection per transaction). As on SQLite, one write transaction runs at a time, across processes too: each
starts by bumping `store_version`, a counter row whose lock the next writer waits for, and which
`version()` reads so that a cached answer in one process notices a write through another.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
from collections.abc import AsyncIterator, Coroutine, Generator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from bot.errors import UserError
from bot.store.engine.base import Connection, Database, Dialect, StoreUnavailable, TrigramMatch, migrations, shown
from bot.store.stemming import stems

log = logging.getLogger(__name__)

#: The SQLite migration the consolidated PostgreSQL schema stands for; later ones are numbered in step.
FIRST_MIGRATION = 12
#: Serialises migrations between processes that start together.
MIGRATION_LOCK = 0x62726566  # "bref"
#: PostgreSQL's largest position in a tsvector.
MAX_POSITION = 16383

_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?(\d*)|[^'\"?]+")
_IS_PARAMETER = re.compile(r"\bIS(\s+NOT)?\s+(\$\d+)", re.IGNORECASE)
_EMPTY_IN = re.compile(r"\b(NOT\s+)?IN\s*\(\s*\)", re.IGNORECASE)
_QUERY = re.compile(r"^\s*\(?\s*(SELECT|WITH|VALUES)\b", re.IGNORECASE)
_INSERT_OR = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_INSERT_INTO = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)


@dataclass(frozen=True)
class Translated:
    """A statement in PostgreSQL's dialect: whether it returns rows, and whether they are the ids it inserted."""

    sql: str
    returns_rows: bool
    returns_id: bool


@functools.lru_cache(maxsize=2048)
def translate(sql: str, id_tables: frozenset[str]) -> Translated:
    """SQLite's dialect, as the store writes it, in PostgreSQL's (see the module's docstring)."""
    ignore = bool(_INSERT_OR.match(sql))
    if ignore:
        sql = _INSERT_OR.sub("INSERT INTO", sql, count=1)
    parts: list[str] = []
    counter = 0
    for match in _TOKEN.finditer(sql):
        token = match.group(0)
        if token.startswith("?"):
            counter = int(match.group(1)) if match.group(1) else counter + 1
            parts.append(f"${counter}")
        else:
            parts.append(token)
    text = _IS_PARAMETER.sub(_is_distinct, "".join(parts))
    text = _EMPTY_IN.sub(lambda m: "<> ALL ('{}')" if m.group(1) else "= ANY ('{}')", text)
    if ignore:
        text += " ON CONFLICT DO NOTHING"
    insert = _INSERT_INTO.match(text)
    returns_id = bool(insert and insert.group(1) in id_tables and "RETURNING" not in text.upper())
    if returns_id:
        text += " RETURNING id"
    returns_rows = returns_id or bool(_QUERY.match(text)) or "RETURNING" in text.upper()
    return Translated(text, returns_rows, returns_id)


def _is_distinct(match: re.Match[str]) -> str:
    return ("IS DISTINCT FROM " if match.group(1) else "IS NOT DISTINCT FROM ") + match.group(2)


@dataclass
class PgCursor:
    """What a statement returned, shaped as aiosqlite's cursor."""

    rows: list[Any]
    rowcount: int
    lastrowid: int | None

    async def fetchone(self) -> Any:
        """The first row, or None."""
        return self.rows[0] if self.rows else None

    async def fetchall(self) -> list[Any]:
        """Every row."""
        return self.rows


class _Pending:
    """A statement sent, awaited or entered (`async with`), as aiosqlite's `execute` allows both."""

    def __init__(self, running: Coroutine[Any, Any, PgCursor]) -> None:
        self._running = running

    def __await__(self) -> Generator[Any, None, PgCursor]:
        return self._running.__await__()

    async def __aenter__(self) -> PgCursor:
        return await self._running

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        return None


class PgConnection:
    """One pooled connection, inside a transaction or not, speaking the store's SQLite dialect."""

    def __init__(self, conn: Any, id_tables: frozenset[str]) -> None:
        self._conn = conn
        self._ids = id_tables

    def execute(self, sql: str, parameters: Iterable[Any] = ()) -> _Pending:
        """Run one statement; its rows, its row count and the id it inserted are on the cursor."""
        return _Pending(self._run(sql, tuple(parameters)))

    async def _run(self, sql: str, parameters: tuple[Any, ...]) -> PgCursor:
        translated = translate(sql, self._ids)
        if translated.returns_rows:
            rows = list(await self._conn.fetch(translated.sql, *parameters))
            lastrowid = rows[0][0] if translated.returns_id and rows else None
            return PgCursor(rows, len(rows), lastrowid)
        status = await self._conn.execute(translated.sql, *parameters)
        count = status.rsplit(" ", 1)[-1]
        return PgCursor([], int(count) if count.isdigit() else 0, None)

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> None:
        """Run one statement for each set of parameters."""
        translated = translate(sql, self._ids)
        await self._conn.executemany(translated.sql, [tuple(p) for p in parameters])

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any] = ()) -> list[Any]:
        """Every row of one statement."""
        return list(await self._conn.fetch(translate(sql, self._ids).sql, *parameters))


class PoolReader:
    """Reads of committed data, each one statement on whichever pooled connection is free."""

    def __init__(self, pool: Any, id_tables: frozenset[str]) -> None:
        self._pool = pool
        self._ids = id_tables

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any] = ()) -> list[Any]:
        """Every row of one statement."""
        return list(await self._pool.fetch(translate(sql, self._ids).sql, *parameters))


_FTS_TOKEN = re.compile(r'\s*(?:"((?:[^"]|"")*)"(\*?)|(\{statement entities\}\s*:)|topic\s*:\s*(t\d+)|(AND|OR|\(|\)))')
#: A lexeme no row holds (the tokenizer never keeps punctuation): what a phrase without words matches.
NO_WORD = "'-'"


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def fts_to_tsquery(expression: str) -> str:
    """An FTS5 expression of the kind `bot.store.search` writes, as a tsquery over the store's own lexemes.

    Phrases are tokenised as FTS5 would (`stems`), their words adjacent (`<->`), a prefix phrase's last word
    a prefix (`:*`). Words of the text carry weight D and the topic's token weight A (see `terms_vector`), so
    `topic : t12` and `{statement entities} : (…)` confine each side as FTS5's column filters do.
    """
    out: list[str] = []
    position = 0
    while position < len(expression):
        match = _FTS_TOKEN.match(expression, position)
        if match is None or match.end() == position:
            if expression[position:].strip():
                raise ValueError(f"not an expression the store writes: {expression!r}")
            break
        position = match.end()
        phrase, prefix, _, topic, operator = match.groups()
        if phrase is not None:
            words = stems(phrase.replace('""', '"'))
            lexemes = [f"{_lexeme(w)}:D" for w in words] or [f"{NO_WORD}:D"]
            if prefix and words:
                lexemes[-1] = f"{_lexeme(words[-1])}:*D"
            out.append("(" + " <-> ".join(lexemes) + ")")
        elif topic is not None:
            out.append(f"{_lexeme(topic)}:A")
        elif operator is not None:
            out.append({"AND": "&", "OR": "|"}.get(operator, operator))
    return " ".join(out)


def terms_vector(statement: str, entities: str, topic: str) -> str:
    """A full-text row's tsvector: statement then entities as one run of positions (weight D), then the topic (A).

    FTS5 numbers each column from its start and never matches a phrase across columns; one position left
    empty between statement and entities does the same here. The topic's token comes last, weighted A.
    """
    positions: dict[str, list[str]] = {}
    words = stems(statement)
    for i, word in enumerate(words, start=1):
        positions.setdefault(word, []).append(str(min(i, MAX_POSITION)))
    start = len(words) + 2
    named = stems(entities)
    for i, word in enumerate(named, start=start):
        positions.setdefault(word, []).append(str(min(i, MAX_POSITION)))
    positions.setdefault(topic, []).append(f"{min(start + len(named) + 1, MAX_POSITION)}A")
    return " ".join(f"{_lexeme(word)}:{','.join(at)}" for word, at in positions.items())


class PostgresDialect(Dialect):
    """tsvector and tsquery over the store's own lexemes; a trigram table of names kept by trigger."""

    def full_text(self, table: str, expression: str) -> tuple[str, str]:
        """The expression as a tsquery over the row's `terms`."""
        return f"{table}.terms @@ ?::tsquery", fts_to_tsquery(expression)

    async def index_terms(self, conn: Connection, rowids: list[int]) -> None:
        """Tokenise the rows as FTS5 would have, in Python, and store their lexemes in one statement."""
        rows = await conn.execute_fetchall(
            "SELECT rowid, statement, entities, topic FROM facts_fts WHERE rowid = ANY(?::bigint[])", (rowids,)
        )
        vectors = [terms_vector(r[1], r[2], r[3]) for r in rows]
        await conn.execute(
            "UPDATE facts_fts SET terms = v.terms::tsvector FROM unnest(?::bigint[], ?::text[]) AS v(rowid, terms)"
            " WHERE facts_fts.rowid = v.rowid",
            ([r[0] for r in rows], vectors),
        )

    def trigrams(self, grams: set[str]) -> TrigramMatch:
        """Names ranked by FTS5's BM25 over trigrams (k1 1.2, b 0.75), so both engines offer the same ones."""
        join = (
            " JOIN (SELECT m.name_id, sum(greatest(ln((a.names - m.hits + 0.5) / (m.hits + 0.5)), 1e-6) * m.tf * 2.2"
            " / (m.tf + 1.2 * (0.25 + 0.75 * m.size * greatest(a.names, 1) / greatest(a.grams, 1)))) AS score"
            " FROM (SELECT name_id, tf, size, count(*) OVER (PARTITION BY gram) AS hits FROM name_trigrams"
            " WHERE gram = ANY(?::text[])) m CROSS JOIN name_trigram_totals a GROUP BY m.name_id) g ON g.name_id = n.id"
        )
        return TrigramMatch(join, "", "g.score DESC, n.id", sorted(grams))

    def containing(self, norm: str) -> tuple[str, str]:
        """A substring test; names of one topic and kind are few and read from their index."""
        return "names n WHERE strpos(n.norm, ?) > 0", norm

    def columns(self, table: str) -> tuple[str, tuple[str]]:
        """The information schema's account of the table, in the store's schema."""
        return (
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )

    async def continue_ids(self, conn: Connection, tables: list[str]) -> None:
        """Move each identity sequence past the largest id written."""
        identities = await conn.execute_fetchall(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND is_identity = 'YES'"
        )
        for table, column in identities:
            if table in tables:
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), coalesce(max({column}), 0) + 1,"
                    f" false) FROM {table}"
                )

    async def set_triggers(self, conn: Connection, triggers: dict[str, tuple[str, ...]], *, enabled: bool) -> None:
        """ALTER TABLE … DISABLE/ENABLE TRIGGER: transactional, so a copy that fails leaves them on."""
        action = "ENABLE" if enabled else "DISABLE"
        for table, names in triggers.items():
            for name in names:
                await conn.execute(f"ALTER TABLE {table} {action} TRIGGER {name}")


class PostgresDatabase(Database):
    """An asyncpg pool: reads on any free connection, writes one transaction at a time per process."""

    def __init__(self, pool: Any, id_tables: frozenset[str]) -> None:
        self.pool = pool
        self._ids = id_tables
        self.reader = self.searcher = PoolReader(pool, id_tables)
        self.dialect = PostgresDialect()
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, target: Path | str) -> PostgresDatabase:
        """Connect and migrate; a server that cannot be reached raises `StoreUnavailable`."""
        url = str(target)
        try:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=8)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise StoreUnavailable(f"cannot open the PostgreSQL store {shown(url)} ({exc})") from None
        try:
            await migrate(pool)
            found = await pool.fetch(
                "SELECT table_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND column_name = 'id'"
            )
        except BaseException:
            await pool.close()
            raise
        return cls(pool, frozenset(r[0] for r in found))

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A write transaction on one pooled connection, one at a time across every process, as on SQLite.

        It starts by bumping `store_version`: the row's lock makes any other writer wait until this one
        commits (the store's writers read before they write, as SQLite's `BEGIN IMMEDIATE` lets them), and
        the new count commits with the writes, for `version()`. Readers never wait for it.
        """
        async with self._write_lock, self.pool.acquire() as conn, conn.transaction():
            await conn.execute("UPDATE store_version SET n = n + 1")
            yield PgConnection(conn, self._ids)

    async def version(self) -> int:
        """The count of write transactions committed, by any process: one indexed read of one row."""
        return int(await self.pool.fetchval("SELECT n FROM store_version"))

    async def backup(self, target: Path) -> None:
        """PostgreSQL has its own tools; the store's copy command also writes a SQLite file."""
        raise UserError(
            f"backup writes SQLite files; for PostgreSQL use pg_dump, or `briefbot store copy DATABASE_URL {target}`"
        )

    async def close(self) -> None:
        """Close the pool."""
        await self.pool.close()


async def migrate(pool: Any) -> None:
    """Apply every migration newer than `schema_version`, each in its own transaction, one process at a time."""
    for version, name, sql in migrations("migrations_pg", FIRST_MIGRATION):
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version")
            if version <= current:
                continue
            log.info("applying migration %s", name)
            await conn.execute(sql)
            await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", version)
