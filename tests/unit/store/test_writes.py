"""Applying a pack (bot.store.writes): all of it or none of it, and nothing when nothing changed."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from bot.packs import Pack, parse_pack
from bot.store import Store
from bot.store.engine.sqlite import SqliteDatabase
from bot.store.writes import PackWriter, apply_pack, apply_packs
from tests.unit.conftest import FIXED_NOW, PACKS
from tests.unit.store.conftest import OTHER_TOPIC, Loaded, keys, scalar, write


async def table_sizes(store: Store) -> dict[str, int]:
    sizes = {}
    for table in (
        "topics",
        "sources",
        "actors",
        "affiliations",
        "places",
        "events",
        "event_actors",
        "event_follows",
        "names",
        "facts",
        "fact_actors",
        "facts_fts",
        "counts",
    ):
        sizes[table] = int(await scalar(store, f"SELECT count(*) FROM {table}"))  # type: ignore[arg-type]
    return sizes


def edited(pack_text: str, old: str, new: str) -> Pack:
    assert old in pack_text
    return parse_pack(pack_text.replace(old, new))


async def indexed_names(store: Store) -> int:
    """Names in the trigram index: FTS5's rows on SQLite, the names with trigrams on PostgreSQL."""
    if isinstance(store.db, SqliteDatabase):
        return int(await scalar(store, "SELECT count(*) FROM names_trigram"))  # type: ignore[arg-type]
    return int(await scalar(store, "SELECT count(DISTINCT name_id) FROM name_trigrams"))  # type: ignore[arg-type]


async def test_apply_pack_inserts_everything(store: Store, small_pack: Pack) -> None:
    changes = await apply_pack(store.db, small_pack, now=FIXED_NOW)
    assert changes.added == {"actors": 5, "places": 4, "events": 4, "facts": 8}
    assert changes.changed == {}
    assert changes.unchanged == {}
    sizes = await table_sizes(store)
    assert sizes["topics"] == 1
    assert sizes["sources"] == 2  # eight facts, two distinct documents
    assert sizes["affiliations"] == 2
    assert sizes["event_actors"] == 2 + 1 + 2 + 3
    assert sizes["event_follows"] == 3
    assert sizes["facts_fts"] == 8
    # 5 actors + 8 actor aliases, 4 places + 3 place aliases, 4 events.
    assert sizes["names"] == 13 + 7 + 4
    assert await indexed_names(store) == sizes["names"]


async def test_reapplying_an_unchanged_pack_writes_nothing(store: Store, small_pack: Pack) -> None:
    await apply_pack(store.db, small_pack, now=FIXED_NOW)
    before = await table_sizes(store)
    topic = await store.topic("t1")
    assert topic is not None
    counts_before = await store.counts(topic.id)

    later = FIXED_NOW + timedelta(days=1)
    changes = await apply_pack(store.db, small_pack, now=later)
    assert changes.added == {}
    assert changes.changed == {}
    assert changes.unchanged == {"actors": 5, "places": 4, "events": 4, "facts": 8}
    assert await table_sizes(store) == before  # not even a record of a change
    assert await store.counts(topic.id) == counts_before
    assert await store.last_change(topic.id) == FIXED_NOW


async def test_reapplying_changes_content_in_place(store: Store, small_pack: Pack) -> None:
    text = (PACKS / "small.yaml").read_text(encoding="utf-8")
    await apply_pack(store.db, small_pack, now=FIXED_NOW)
    topic = await store.topic("t1")
    assert topic is not None
    junta = await store.entity_by_slug(topic.id, "actor", "junta")
    fact_row = await store.row("SELECT id FROM facts WHERE key = 'f-offensive'")
    assert fact_row is not None
    fact_id = fact_row[0]

    changed = parse_pack(
        text.replace(
            "statement: The offensive pushed junta forces out of key border crossings.",
            "statement: The offensive captured a bridge.",
        )
        .replace("aliases: [Tatmadaw, SAC]", "aliases: [Sit-tat]")
        .replace("      - {actor: junta, relation: opposes}\n", "      - {actor: junta, relation: engages-with}\n")
    )
    later = FIXED_NOW + timedelta(days=3)
    await apply_pack(store.db, changed, now=later)

    # Same row, new content; created_at kept, updated_at moved.
    fact = await store.fact(fact_id)
    assert fact is not None
    assert fact.statement == "The offensive captured a bridge."
    assert fact.created_at == FIXED_NOW
    assert fact.updated_at == later
    assert await store.entity_by_slug(topic.id, "actor", "junta") == junta

    # The full-text row was rewritten: old words and old aliases are gone, new ones found.
    assert await keys(await store.search(topic.id, "pushed", None, 10)) == []
    assert await keys(await store.search(topic.id, "bridge", None, 10)) == ["f-offensive"]
    assert set(await keys(await store.search(topic.id, "Sit-tat", None, 10))) == {"f-offensive", "f-assess"}
    # f-surrender still says "Tatmadaw" in its text; f-assess only linked the actor that no longer has the alias.
    assert await keys(await store.search(topic.id, "Tatmadaw", None, 10)) == ["f-surrender"]
    assert all(m.matched != "Tatmadaw" for m in await store.find_names(topic.id, "actor", "Tatmadaw", 5))
    actor = await store.actor(junta)  # type: ignore[arg-type]
    assert actor is not None
    assert actor.aliases == ["Sit-tat"]
    assert [(a.relation, a.other.slug) for a in actor.affiliations] == [("engages-with", "tba")]


async def test_reapplying_keeps_a_retraction(loaded: Loaded, small_pack: Pack) -> None:
    fact_id = await loaded.fact_id("f-offensive")
    await write(loaded.store, "UPDATE facts SET status = 'retracted' WHERE id = ?", (fact_id,))
    await apply_pack(loaded.store.db, small_pack, now=FIXED_NOW + timedelta(days=1))
    fact = await loaded.store.fact(fact_id)
    assert fact is not None
    assert fact.status == "retracted"


async def test_failure_mid_pack_leaves_nothing_written(
    store: Store, small_pack: Pack, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = PackWriter.fact
    calls = 0

    async def failing(self: PackWriter, fact: object, retracted: str | None = None) -> int:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("disk on fire")
        return await real(self, fact, retracted)  # type: ignore[arg-type]

    monkeypatch.setattr(PackWriter, "fact", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        await apply_pack(store.db, small_pack, now=FIXED_NOW)
    assert calls == 2
    assert set((await table_sizes(store)).values()) == {0}
    assert await indexed_names(store) == 0
    assert await store.topic("t1") is None
    if isinstance(store.db, SqliteDatabase):
        assert not store.db.conn.in_transaction

    # The store is still usable: the same pack applies cleanly afterwards.
    monkeypatch.setattr(PackWriter, "fact", real)
    changes = await apply_pack(store.db, small_pack, now=FIXED_NOW)
    assert changes.added["facts"] == 8


async def test_failure_mid_reapply_keeps_the_old_content(
    loaded: Loaded, small_pack: Pack, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = loaded.store
    before = await table_sizes(store)
    text = (PACKS / "small.yaml").read_text(encoding="utf-8")
    changed = edited(text, "name: Myanmar junta", "name: Renamed junta")
    real = PackWriter.fact
    calls = 0

    async def failing(self: PackWriter, fact: object, retracted: str | None = None) -> int:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("boom")
        return await real(self, fact, retracted)  # type: ignore[arg-type]

    monkeypatch.setattr(PackWriter, "fact", failing)
    with pytest.raises(RuntimeError):
        await apply_pack(store.db, changed, now=FIXED_NOW + timedelta(days=1))
    assert await table_sizes(store) == before
    actor = await store.actor(await loaded.actor("junta"))
    assert actor is not None
    assert actor.name == "Myanmar junta"
    assert [m.slug for m in await store.find_names(loaded.topic_id, "actor", "Myanmar junta", 1)] == ["junta"]


async def test_packs_applied_together_land_together_or_not_at_all(store: Store, small_pack: Pack) -> None:
    other = parse_pack(OTHER_TOPIC)
    # Its fact is about an actor in no pack: it fails part-way, after the first pack was written.
    broken = dataclasses.replace(other, facts=[other.facts[0].model_copy(update={"actors": ["atlantis"]})])
    with pytest.raises(LookupError, match="atlantis"):
        await apply_packs(store.db, [small_pack, broken], now=FIXED_NOW)
    assert await store.topics() == []

    changes = await apply_packs(store.db, [small_pack, other], now=FIXED_NOW)
    assert [c.added["facts"] for c in changes] == [8, len(other.facts)]
    assert [t.slug for t in await store.topics()] == ["t1", "t2"]
