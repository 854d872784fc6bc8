"""Numbered migrations: applied once each, in order, all of one or none of it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiosqlite
import pytest

from bot.store.engine import base, open_database, postgres, sqlite
from bot.store.engine.base import Database, migrations
from bot.store.engine.sqlite import SqliteDatabase
from tests.postgres import Server

MIGRATION_DIR = Path(base.__file__).parents[1] / "migrations"


async def scalar(db: Database, sql: str) -> object:
    async with db.conn.execute(sql) as cur:
        row = await cur.fetchone()
    return row[0] if row else None


async def tables(db: Database) -> set[str]:
    async with db.conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger', 'index')") as cur:
        return {r[0] for r in await cur.fetchall()}


def test_migrations_are_numbered_from_one_without_gaps() -> None:
    found = migrations()
    files = sorted(p.name for p in MIGRATION_DIR.glob("*.sql"))
    assert [name for _, name, _ in found] == files
    assert [v for v, _, _ in found] == list(range(1, len(files) + 1))


def test_migrations_contain_no_transaction_control() -> None:
    for _, _, sql in migrations():
        assert sqlite._without_transaction_control(sql) == sql


def test_transaction_control_in_a_migration_refused() -> None:
    with pytest.raises(RuntimeError, match="BEGIN or COMMIT"):
        sqlite._without_transaction_control("CREATE TABLE x (a);\nCOMMIT;\n")
    with pytest.raises(RuntimeError, match="BEGIN or COMMIT"):
        sqlite._without_transaction_control("  begin transaction;\nCREATE TABLE x (a);")


def test_gap_in_numbering_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    (tmp_path / "0003_c.sql").write_text("SELECT 1;")

    class Fake:
        def joinpath(self, _: str) -> Path:
            return tmp_path

    monkeypatch.setattr(base.resources, "files", lambda _: Fake())
    with pytest.raises(RuntimeError, match="without gaps"):
        migrations()


async def test_fresh_database_is_fully_migrated(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "store.db")
    try:
        assert await scalar(db, "PRAGMA user_version") == len(list(MIGRATION_DIR.glob("*.sql")))
        assert {"topics", "facts", "facts_fts", "names", "names_trigram", "counts", "meta"} <= await tables(db)
        assert await scalar(db, "PRAGMA foreign_keys") == 1
    finally:
        await db.close()


async def test_file_database_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "store.db"
    db = await open_database(path)
    try:
        assert path.exists()
        assert str(await scalar(db, "PRAGMA journal_mode")).lower() == "wal"
    finally:
        await db.close()


async def test_memory_database_opens() -> None:
    db = await open_database(":memory:")
    try:
        assert db.path is None
        assert await scalar(db, "PRAGMA user_version") == len(migrations())
    finally:
        await db.close()


async def test_reopening_does_not_reapply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "store.db"
    db = await open_database(path)
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO meta (key, value) VALUES ('kept', 'yes')")
    await db.close()

    applied: list[str] = []
    real = sqlite.migrations

    def spying() -> list[tuple[int, str, str]]:
        found = real()
        applied.extend(name for _, name, _ in found)
        return found

    monkeypatch.setattr(sqlite, "migrations", spying)
    reopened = await open_database(path)
    try:
        # Re-running 0001 would fail on CREATE TABLE; the row written before survives.
        assert await scalar(reopened, "SELECT value FROM meta WHERE key = 'kept'") == "yes"
        assert await scalar(reopened, "PRAGMA user_version") == len(real())
        assert applied  # the migrator looked, and skipped every one
    finally:
        await reopened.close()


async def test_only_newer_migrations_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "store.db"
    real = migrations()
    db = await open_database(path)
    await db.close()
    extra = (len(real) + 1, f"{len(real) + 1:04d}_extra.sql", "CREATE TABLE extra (a INTEGER);")
    monkeypatch.setattr(sqlite, "migrations", lambda: [*real, extra])
    db = await open_database(path)
    try:
        assert "extra" in await tables(db)
        assert await scalar(db, "PRAGMA user_version") == len(real) + 1
    finally:
        await db.close()


async def test_failing_migration_rolls_back_completely(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = (1, "0001_first.sql", "CREATE TABLE first_table (a INTEGER);\nINSERT INTO first_table VALUES (1);")
    broken = (
        2,
        "0002_broken.sql",
        "CREATE TABLE second_table (a INTEGER);\n"
        "INSERT INTO second_table VALUES (1);\n"
        "ALTER TABLE first_table ADD COLUMN b TEXT;\n"
        "INSERT INTO no_such_table VALUES (1);\n",
    )
    monkeypatch.setattr(sqlite, "migrations", lambda: [first, broken])
    conn = await aiosqlite.connect(str(tmp_path / "store.db"), isolation_level=None)
    db = SqliteDatabase(conn, tmp_path / "store.db")
    try:
        with pytest.raises(Exception, match="no_such_table"):
            await db.migrate()
        assert not conn.in_transaction
        found = await tables(db)
        assert "first_table" in found
        assert "second_table" not in found
        async with conn.execute("PRAGMA table_info(first_table)") as cur:
            assert [r[1] for r in await cur.fetchall()] == ["a"]
        assert await scalar(db, "SELECT count(*) FROM first_table") == 1
        assert await scalar(db, "PRAGMA user_version") == 1

        # Fixed, the second migration applies on the next start.
        fixed = (2, "0002_fixed.sql", "CREATE TABLE second_table (a INTEGER);")
        monkeypatch.setattr(sqlite, "migrations", lambda: [first, fixed])
        await db.migrate()
        assert "second_table" in await tables(db)
        assert await scalar(db, "PRAGMA user_version") == 2
    finally:
        await conn.close()


async def test_failing_first_migration_leaves_an_empty_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = (1, "0001_broken.sql", "CREATE TABLE t (a INTEGER);\nSELECT * FROM missing;")
    monkeypatch.setattr(sqlite, "migrations", lambda: [broken])
    conn = await aiosqlite.connect(str(tmp_path / "store.db"), isolation_level=None)
    db = SqliteDatabase(conn, None)
    try:
        with pytest.raises(Exception, match="missing"):
            await db.migrate()
        assert await tables(db) == set()
        assert await scalar(db, "PRAGMA user_version") == 0
    finally:
        await conn.close()


async def test_open_closes_the_connection_when_migration_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # aiosqlite's worker thread is not a daemon: a connection left open keeps the process from exiting.
    opened: list[aiosqlite.Connection] = []
    real_connect = aiosqlite.connect

    def spying_connect(*args: object, **kwargs: object) -> aiosqlite.Connection:
        conn = real_connect(*args, **kwargs)  # type: ignore[arg-type]
        opened.append(conn)
        return conn

    monkeypatch.setattr(sqlite.aiosqlite, "connect", spying_connect)
    monkeypatch.setattr(sqlite, "migrations", lambda: [(1, "0001_broken.sql", "SELECT * FROM missing;")])
    with pytest.raises(Exception, match="missing"):
        await open_database(tmp_path / "store.db")
    assert len(opened) == 1
    with pytest.raises(ValueError, match="no active connection"):
        await opened[0].execute("SELECT 1")


async def test_transaction_rolls_back_on_error() -> None:
    db = await open_database(":memory:")
    try:

        async def write_then_fail() -> None:
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
                raise ZeroDivisionError

        with pytest.raises(ZeroDivisionError):
            await write_then_fail()
        assert await scalar(db, "SELECT count(*) FROM meta") == 0
        assert not db.conn.in_transaction
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
        assert await scalar(db, "SELECT count(*) FROM meta") == 1
    finally:
        await db.close()


async def test_full_text_rows_are_rekeyed_newest_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = migrations()
    before = [m for m in real if m[0] < 5]
    monkeypatch.setattr(sqlite, "migrations", lambda: before)
    db = await open_database(tmp_path / "old.db")
    rows = [(1, "the oldest fact", "junta"), (2, "a later fact", ""), (3, "the newest fact", "alliance")]
    await db.conn.executemany("INSERT INTO facts_fts (rowid, statement, entities) VALUES (?, ?, ?)", rows)
    await db.close()
    monkeypatch.setattr(sqlite, "migrations", lambda: real)
    db = await open_database(tmp_path / "old.db")
    try:
        async with db.conn.execute("SELECT rowid, statement, entities FROM facts_fts") as cur:
            assert [tuple(r) for r in await cur.fetchall()] == [(-i, s, e) for i, s, e in reversed(rows)]
        async with db.conn.execute("SELECT -rowid FROM facts_fts WHERE facts_fts MATCH 'fact' LIMIT 2") as cur:
            assert [r[0] for r in await cur.fetchall()] == [3, 2]  # newest first without ORDER BY
    finally:
        await db.close()


async def test_an_events_single_place_is_carried_over_to_its_places(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = migrations()
    monkeypatch.setattr(sqlite, "migrations", lambda: [m for m in real if m[0] < 6])
    db = await open_database(tmp_path / "old.db")
    await db.conn.executescript(
        "INSERT INTO topics (id, slug, title) VALUES (1, 't', 'T');"
        "INSERT INTO places (id, topic_id, slug, name, kind) VALUES (7, 1, 'shan', 'Shan State', 'state');"
        "INSERT INTO events (id, topic_id, slug, name, date, precision, place_id)"
        " VALUES (3, 1, 'op', 'Op', '2023-10-27', 'day', 7), (4, 1, 'nowhere', 'N', '2023-11-01', 'month', NULL);"
    )
    await db.close()
    monkeypatch.setattr(sqlite, "migrations", lambda: real)
    db = await open_database(tmp_path / "old.db")
    try:
        async with db.conn.execute("SELECT event_id, place_id, date FROM event_places") as cur:
            assert [tuple(r) for r in await cur.fetchall()] == [(3, 7, "2023-10-27")]
        assert await scalar(db, "SELECT count(*) FROM events WHERE place_id IS NOT NULL") == 0
        # Facts gain an unmarked salience column.
        async with db.conn.execute("PRAGMA table_info(facts)") as cur:
            assert "salience" in [r[1] for r in await cur.fetchall()]
    finally:
        await db.close()


async def test_full_text_rows_gain_their_topics_token_in_index_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = migrations()
    monkeypatch.setattr(sqlite, "migrations", lambda: [m for m in real if m[0] < 12])
    db = await open_database(tmp_path / "old.db")
    try:
        topics = [(1, "a", "A"), (7, "b", "B")]
        await db.conn.executemany("INSERT INTO topics (id, slug, title) VALUES (?, ?, ?)", topics)
        await db.conn.execute("INSERT INTO sources (id, title, kind) VALUES (1, 'Wire', 'document')")
        facts = [(1, 1, "the oldest fact"), (2, 7, "a later fact"), (3, 1, "the newest fact")]
        await db.conn.executemany(
            "INSERT INTO facts (id, topic_id, key, statement, kind, as_of, source_id, reliability, credibility,"
            " created_at, updated_at) VALUES (?, ?, 'k' || ?1, ?, 'event', '2024-01-01', 1, 'B', 2, '', '')",
            facts,
        )
        await db.conn.executemany(
            "INSERT INTO facts_fts (rowid, statement, entities) VALUES (?, ?, ?)",
            [(-i, s, "junta") for i, _, s in facts] + [(-9, "a row of no fact", "")],
        )
        await db.conn.commit()
    finally:
        await db.close()
    monkeypatch.setattr(sqlite, "migrations", lambda: real)
    db = await open_database(tmp_path / "old.db")
    try:
        async with db.conn.execute("SELECT rowid, statement, entities, topic FROM facts_fts") as cur:
            assert [tuple(r) for r in await cur.fetchall()] == [
                (-9, "a row of no fact", "", None),
                (-3, "the newest fact", "junta", "t1"),
                (-2, "a later fact", "junta", "t7"),
                (-1, "the oldest fact", "junta", "t1"),
            ]
        async with db.conn.execute("SELECT -rowid FROM facts_fts WHERE facts_fts MATCH 'topic : t1 AND fact'") as cur:
            assert [r[0] for r in await cur.fetchall()] == [3, 1]
    finally:
        await db.close()


_BEFORE_CLAIMS = (
    "INSERT INTO topics (id, slug, title) VALUES (1, 't', 'T')",
    "INSERT INTO sources (id, title, kind) VALUES (1, 'Wire', 'document')",
    "INSERT INTO facts (id, topic_id, key, statement, kind, as_of, source_id, reliability, credibility, created_at,"
    " updated_at) VALUES (4, 1, 'k', 'A fact from before claims.', 'event', '2024-01-01', 1, 'B', 2, '', '')",
    "INSERT INTO intake_items (id, title, status, seen_at) VALUES (7, 'Read before', 'proposed', '')",
    "INSERT INTO intake_candidates (id, topic_id, item_id, sentence_key, fields, created_at)"
    " VALUES (9, 1, 7, 'key', '{}', '')",
)
_AFTER_CLAIMS = (
    "SELECT f.claimant, f.claimant_actor_id, f.credibility, t.languages, i.title, c.item_id, c.language, c.day_note"
    " FROM facts f, topics t, intake_items i, intake_candidates c WHERE f.id = 4 AND c.id = 9 AND i.id = 7"
)


async def test_facts_topics_and_items_carry_over_to_claims(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = migrations()
    monkeypatch.setattr(sqlite, "migrations", lambda: [m for m in real if m[0] < 14])
    db = await open_database(tmp_path / "old.db")
    async with db.transaction() as conn:
        for sql in _BEFORE_CLAIMS:
            await conn.execute(sql)
    await db.close()
    monkeypatch.setattr(sqlite, "migrations", lambda: real)
    db = await open_database(tmp_path / "old.db")
    try:
        async with db.conn.execute(_AFTER_CLAIMS) as cur:
            assert tuple(await cur.fetchone()) == (None, None, 2, "en", "Read before", 7, "en", None)
        async with db.conn.execute("PRAGMA foreign_key_check") as cur:
            assert await cur.fetchall() == []
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO intake_items (title, status, seen_at) VALUES ('Burmese', 'skipped', '')")
        with pytest.raises(Exception, match="FOREIGN KEY"):
            async with db.transaction() as conn:
                await conn.execute("DELETE FROM intake_items WHERE id = 7")  # its candidate still refers to it
        assert await scalar(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'intake_items_%'") == 4
    finally:
        await db.close()


# PostgreSQL ------------------------------------------------------------------------------------------------


def test_postgres_migrations_are_numbered_in_step_with_sqlites() -> None:
    # One consolidated schema stands for SQLite's 0001-0012; the next migration is 0013 in both folders.
    found = migrations("migrations_pg", postgres.FIRST_MIGRATION)
    assert found[0][0] == postgres.FIRST_MIGRATION
    assert found[-1][0] == migrations()[-1][0]


async def test_postgres_store_is_migrated_once(postgres_server: Server) -> None:
    url = await postgres_server.fresh()
    db = await open_database(url)
    await db.close()
    reopened = await open_database(url)
    try:
        assert isinstance(reopened, postgres.PostgresDatabase)
        versions = await reopened.pool.fetch("SELECT version FROM schema_version")
        assert [r[0] for r in versions] == [m[0] for m in migrations("migrations_pg", postgres.FIRST_MIGRATION)]
        assert await reopened.version() == 0
    finally:
        await reopened.close()


async def test_postgres_version_moves_with_every_write_from_any_process(postgres_server: Server) -> None:
    url = await postgres_server.fresh()
    one, other = await open_database(url), await open_database(url)
    try:
        before = await one.version()
        async with other.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
        assert await one.version() != before
    finally:
        await one.close()
        await other.close()


async def test_unreachable_postgres_is_a_store_error() -> None:
    with pytest.raises(base.StoreUnavailable, match="cannot open the PostgreSQL store"):
        await open_database("postgresql://nobody:secret@/briefbot?host=/nonexistent")


async def test_postgres_writers_in_two_processes_take_turns(postgres_server: Server) -> None:
    # The store's writers read, then write (a fact's key, an item seen before): as with SQLite's
    # BEGIN IMMEDIATE, a second writer waits until the first has committed, and then sees its rows.
    url = await postgres_server.fresh()
    one, other = await open_database(url), await open_database(url)
    seen: list[int] = []

    async def second() -> None:
        async with other.transaction() as conn:
            async with conn.execute("SELECT count(*) FROM meta") as cur:
                row = await cur.fetchone()
            seen.append(row[0])

    try:
        async with one.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
            waiting = asyncio.create_task(second())
            await asyncio.sleep(0.3)
            assert seen == []
        await waiting
        assert seen == [1]
    finally:
        await one.close()
        await other.close()


async def test_postgres_facts_topics_and_items_carry_over_to_claims(
    postgres_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = await postgres_server.fresh()
    real = postgres.migrations
    monkeypatch.setattr(postgres, "migrations", lambda *a: [m for m in real(*a) if m[0] < 14])
    db = await open_database(url)
    async with db.transaction() as conn:
        for sql in _BEFORE_CLAIMS:
            await conn.execute(sql)
    await db.close()
    monkeypatch.setattr(postgres, "migrations", real)
    db = await open_database(url)
    try:
        async with db.transaction() as conn:
            async with conn.execute(_AFTER_CLAIMS) as cur:
                assert tuple(await cur.fetchone()) == (None, None, 2, "en", "Read before", 7, "en", None)
            await conn.execute("INSERT INTO intake_items (title, status, seen_at) VALUES ('Burmese', 'skipped', '')")
        with pytest.raises(Exception, match="intake_items_status_check"):
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO intake_items (title, status, seen_at) VALUES ('x', 'nonsense', '')")
    finally:
        await db.close()
