"""`briefbot store copy`: a whole store from SQLite to PostgreSQL and back, with nothing lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.curation.export import export_pack
from bot.packs import parse_pack, read_pack
from bot.store import Store
from bot.store.copy import TABLES, table_counts
from bot.store.engine import open_database
from bot.store.engine.sqlite import SqliteDatabase
from bot.store.writes import apply_pack
from tests.postgres import Server
from tests.unit.conftest import FIXED_NOW
from tests.unit.store.conftest import OTHER_TOPIC, write

SEED_PACK = Path(__file__).parents[3] / "bot" / "seed_packs" / "operation-1027.yaml"
AT = FIXED_NOW.isoformat()


async def _seeded(path: Path) -> None:
    """The seed pack and a second topic, with a row in every table the packs leave empty."""
    store = await Store.open(path)
    try:
        await apply_pack(store.db, read_pack(SEED_PACK), now=FIXED_NOW)
        await apply_pack(store.db, parse_pack(OTHER_TOPIC), now=FIXED_NOW)
        for sql, params in [
            ("INSERT INTO meta (key, value) VALUES ('synced', 'abc')", ()),
            # Who claims a fact and the languages a topic accepts travel with them (export shows both).
            (
                "UPDATE facts SET claimant = 'a spokesman', claimant_actor_id = (SELECT min(id) FROM actors"
                " WHERE topic_id = 1 AND side = 'resistance')"
                " WHERE id = (SELECT min(id) FROM facts WHERE topic_id = 1)",
                (),
            ),
            ("UPDATE topics SET languages = 'en,my' WHERE id = 1", ()),
            ("INSERT INTO topic_defaults (guild_id, channel_id, topic_id) VALUES (?, ?, 1)", (10**18, 0)),
            (
                "INSERT INTO topic_changes (at, topic_slug, action, user_name, after)"
                " VALUES (?, 't2', 'use', 'mod', '{}')",
                (AT,),
            ),
            (
                "INSERT INTO digest_subscriptions (kind, guild_id, channel_id, topic_id, timezone, schedule,"
                " active_since, created_by_name, created_at, updated_at)"
                " VALUES ('recurring', ?, ?, 1, 'UTC', 'daily 09:00', ?, 'mod', ?, ?)",
                (10**18, 2 * 10**18, AT, AT, AT),
            ),
            (
                "INSERT INTO digest_deliveries (subscription_id, scheduled_for, status, nonce, parts, recorded_at,"
                " updated_at) VALUES (1, ?, 'sent', 'n1', '[\"part\"]', ?, ?)",
                (AT, AT, AT),
            ),
            (
                "INSERT INTO intake_feeds (url, title, reliability, added_by_name, created_at, topic_id)"
                " VALUES ('https://news.example/feed', 'News', 'B', 'mod', ?, 1)",
                (AT,),
            ),
            (
                "INSERT INTO intake_items (feed_id, guid, title, status, seen_at)"
                " VALUES (1, 'g1', 'Item', 'proposed', ?)",
                (AT,),
            ),
            (
                "INSERT INTO intake_reviews (key, channel_id, message_id, created_at) VALUES ('item:1', ?, ?, ?)",
                (3 * 10**18, 4 * 10**18, AT),
            ),
            (
                "INSERT INTO intake_candidates (topic_id, item_id, sentence_key, fields, created_at, review_id, number)"
                " VALUES (1, 1, 'key', '{}', ?, 1, 1)",
                (AT,),
            ),
            (
                "INSERT INTO intake_review_channels (channel_id, error, broken_since, retry_at)"
                " VALUES (?, 'gone', ?, ?)",
                (5 * 10**18, AT, AT),
            ),
            # Watches, what waits for them, what told them, and a member's DM channel and notice.
            (
                "INSERT INTO watch_inboxes (guild_id, kind, target_id, first_pending_at) VALUES (?, 'dm', 7, ?)",
                (10**18, AT),
            ),
            (
                "INSERT INTO watches (inbox_id, guild_id, member_id, topic_id, kind, words, label, term_count,"
                " created_at) VALUES (1, ?, 7, 1, 'words', 'ceasefire', 'words “ceasefire”', 1, ?)",
                (10**18, AT),
            ),
            ("INSERT INTO watch_terms (stem, watch_id) VALUES ('ceasefir', 1)", ()),
            ("INSERT INTO watch_outbox (inbox_id, watch_id, fact_id, queued_at) VALUES (1, 1, 1, ?)", (AT,)),
            (
                "INSERT INTO watch_announcements (inbox_id, status, nonce, message, watch_ids, fact_ids, recorded_at,"
                " updated_at) VALUES (1, 'sent', 'w1', '{}', '[1]', '[2]', ?, ?)",
                (AT, AT),
            ),
            ("INSERT INTO watch_dm_channels (user_id, channel_id, opened_at) VALUES (7, ?, ?)", (6 * 10**18, AT)),
            (
                "INSERT INTO watch_notices (guild_id, member_id, text, created_at) VALUES (?, 7, 'paused', ?)",
                (10**18, AT),
            ),
            (
                "INSERT INTO rejected_names (topic_id, norm, name, rejected_by_name, rejected_at)"
                " VALUES (1, 'laukkai', 'Laukkai', 'mod', ?)",
                (AT,),
            ),
            ("INSERT INTO candidate_growth (topic_id, sentence_key, proposals) VALUES (1, 'key', '{}')", ()),
        ]:
            await write(store, sql, params)
    finally:
        await store.close()


async def _contents(target: Path | str) -> tuple[dict[str, int], dict[str, str]]:
    """Row counts per table, and every topic exported as a pack."""
    store = await Store.open(target)
    try:
        exported = {t.slug: await export_pack(store, t.slug) for t in await store.topics()}
        return await table_counts(store.db), exported
    finally:
        await store.close()


def test_a_store_copied_to_postgresql_and_back_is_the_same_store(
    postgres_server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original, back = tmp_path / "original.db", tmp_path / "back.db"
    asyncio.run(_seeded(original))
    url = asyncio.run(postgres_server.fresh())

    assert main(["store", "copy", str(original), url]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in printed[:-1]] == [t.name for t in TABLES]
    assert printed[-1].startswith("copied ") and "secret" not in printed[-1]
    assert main(["store", "copy", url, f"sqlite:///{back}"]) == 0

    counts, exported = asyncio.run(_contents(original))
    assert all(counts.values()), counts  # every table holds something to copy
    assert set(exported) == {"operation-1027", "t2"}
    assert "claimant: a spokesman" in exported["operation-1027"] and "- my" in exported["operation-1027"]
    assert asyncio.run(_contents(url)) == (counts, exported)
    assert asyncio.run(_contents(back)) == (counts, exported)


def test_ids_are_kept_and_new_rows_follow_them(postgres_server: Server, tmp_path: Path) -> None:
    original = tmp_path / "original.db"
    asyncio.run(_seeded(original))
    url = asyncio.run(postgres_server.fresh())
    assert main(["store", "copy", f"sqlite:///{original}", url]) == 0

    async def ids(target: Path | str) -> list[tuple[str, int]]:
        store = await Store.open(target)
        try:
            return [(r[0], r[1]) for r in await store.rows("SELECT key, id FROM facts ORDER BY id")]
        finally:
            await store.close()

    async def add_a_fact(target: str) -> int:
        store = await Store.open(target)
        try:
            more = OTHER_TOPIC.replace("f-other", "f-more")
            await apply_pack(store.db, parse_pack(more), now=FIXED_NOW)
            row = await store.row("SELECT id FROM facts WHERE key = 'f-more'")
            assert row is not None
            return int(row[0])
        finally:
            await store.close()

    copied = asyncio.run(ids(url))
    assert copied == asyncio.run(ids(original))
    assert asyncio.run(add_a_fact(url)) == max(i for _, i in copied) + 1


def test_a_target_that_holds_anything_is_refused(
    postgres_server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = tmp_path / "original.db"
    asyncio.run(_seeded(original))
    assert main(["store", "copy", str(original), str(original.with_name("copy.db"))]) == 0
    capsys.readouterr()
    assert main(["store", "copy", str(original), str(original.with_name("copy.db"))]) == 1
    assert "the target store is not empty: topics (2)" in capsys.readouterr().err


def test_a_missing_source_is_refused_and_nothing_is_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["store", "copy", str(tmp_path / "none.db"), str(tmp_path / "copy.db")]) == 1
    assert "there is no SQLite store at" in capsys.readouterr().err
    assert not (tmp_path / "copy.db").exists()


def test_every_table_of_the_schema_is_copied() -> None:
    async def tables() -> set[str]:
        db = await SqliteDatabase.open(":memory:")
        try:
            # FTS5's own tables, and the trigram index of names the target's triggers rebuild, are not copied.
            rows = await db.reader.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT GLOB 'facts_fts_*' AND name NOT GLOB 'names_trigram*'"
            )
            return {r[0] for r in rows}
        finally:
            await db.close()

    assert asyncio.run(tables()) == {t.name for t in TABLES}


def test_every_table_of_the_postgresql_schema_is_copied(postgres_server: Server) -> None:
    async def tables() -> set[str]:
        db = await open_database(await postgres_server.fresh())
        try:
            rows = await db.reader.execute_fetchall(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            )
            return {r[0] for r in rows}
        finally:
            await db.close()

    # The engine's own: migrations applied, the write counter, and the trigram index its triggers keep.
    internal = {"schema_version", "store_version", "name_trigrams", "name_trigram_totals"}
    assert asyncio.run(tables()) == {t.name for t in TABLES} | internal
