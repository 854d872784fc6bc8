"""The benchmark's synthetic stores: deterministic, and identical to loading the same records as a pack."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bench.generator import RECORDED, STAKEHOLDER, TOPIC_SLUG, build_store, to_pack, topic_slug
from bench.workload import TopicalWorkload, Workload
from bot.briefing.queries import ActorQuery, BriefQuery, SearchQuery, StakesQuery, TimelineQuery
from bot.briefing.service import Briefing
from bot.render import render_text
from bot.store import Store
from bot.store.writes import apply_pack

FACTS = 120
#: Full-text shadow tables hold segments whose layout depends on transaction sizes, not on content.
SHADOW = ("_data", "_idx", "_docsize", "_config", "_content")


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (full-text tables by content), in a stable order."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if not name.startswith("sqlite_") and not name.endswith(SHADOW)
        ]
        return {
            table: conn.execute(f"SELECT rowid, * FROM {table} ORDER BY 1").fetchall()
            if table.endswith("_fts") or table.endswith("_trigram")
            else sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            for table in tables
        }
    finally:
        conn.close()


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    path = tmp_path / "generated.db"
    build_store(path, FACTS)
    return path


def test_the_same_size_generates_the_same_store(generated: Path, tmp_path: Path):
    again = tmp_path / "again.db"
    build_store(again, FACTS)
    assert dump(again) == dump(generated)


async def test_the_bulk_loader_writes_what_apply_pack_writes(generated: Path, tmp_path: Path):
    store = await Store.open(tmp_path / "packed.db")
    try:
        await apply_pack(store.db, to_pack(FACTS), now=RECORDED)
    finally:
        await store.close()
    bulk, packed = dump(generated), dump(tmp_path / "packed.db")
    assert bulk.keys() == packed.keys()
    for table in packed:
        if table == "topic_versions":
            continue  # a change counter: how far it got depends on how many rows were written, not on what
        assert bulk[table] == packed[table], f"table {table} differs from a pack-loaded store"


async def test_the_service_answers_from_a_generated_store(generated: Path):
    store = await Store.open(generated)
    try:
        briefing = Briefing(store, TOPIC_SLUG, STAKEHOLDER)
        answers = [
            await briefing.brief(BriefQuery()),
            await briefing.stakes(StakesQuery()),
            await briefing.actor(ActorQuery(name="Tatmadaw")),
            await briefing.timeline(TimelineQuery(region="Shan State")),
            await briefing.search(SearchQuery(query="trade with China")),
        ]
    finally:
        await store.close()
    brief, stakes, actor, timeline, search = (render_text(a) for a in answers)
    assert "Stakes for Beijing" in brief
    assert "What Beijing stands to gain or lose" in stakes
    assert actor.startswith("Myanmar military junta")
    assert "No events match" not in timeline
    assert "No facts match" not in search
    assert all(a.citations for a in answers)


async def test_a_store_over_several_topics_keeps_each_topics_records_apart(tmp_path: Path):
    path = tmp_path / "topics.db"
    await asyncio.to_thread(build_store, path, 600, topics=3)  # it runs the migrations with its own loop
    store = await Store.open(path)
    try:
        slugs = [t.slug for t in await store.topics()]
        assert slugs == sorted([TOPIC_SLUG, f"{TOPIC_SLUG}-2", f"{TOPIC_SLUG}-3"])
        for topic in await store.topics():
            counts = await store.counts(topic.id)
            assert counts["facts_active"] + counts.get("facts_retracted", 0) == 200
            brief = await Briefing(store, topic.slug, STAKEHOLDER).brief(BriefQuery())
            assert brief.lines or brief.sections
        leaks = await store.rows(
            "SELECT count(*) FROM facts f JOIN fact_actors fa ON fa.fact_id = f.id JOIN actors a ON a.id = fa.actor_id"
            " WHERE a.topic_id <> f.topic_id"
        )
        assert leaks[0][0] == 0, "a fact is about an actor of another topic"
    finally:
        await store.close()


def test_users_of_several_topics_search_with_as_many_questions_as_those_of_one(tmp_path: Path):
    """Otherwise the comparison of the two stores measures the answer cache: with each topic's own sixty, twenty
    topics were asked twenty times as many different questions, and /search was mostly read from the store."""
    path = tmp_path / "topics.db"
    build_store(path, 600, topics=3)
    one = Workload.from_store(path, topic_id=1)
    several = TopicalWorkload(path, {i + 1: topic_slug(i) for i in range(3)})
    asked = {several.options("search")["query"] for _ in range(2000)}
    by_topic = {tid: set(w.queries) for tid, w in several.each.items()}
    assert sum(len(q) for q in by_topic.values()) == len(one.queries) == 60
    assert all(len(q) == 20 for q in by_topic.values())
    assert asked == set().union(*by_topic.values())
