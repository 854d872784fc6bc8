"""Topics, actors and places (bot.store.entities): counts kept by triggers, last change, records."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.packs import Pack, parse_pack
from bot.store import Store
from bot.store.writes import apply_pack, record_change
from tests.postgres import sqlite_only
from tests.unit.conftest import FIXED_NOW
from tests.unit.store.conftest import OTHER_TOPIC, Loaded, write

# Topics ------------------------------------------------------------------------------------------------


async def test_counts_kept_by_triggers(loaded: Loaded) -> None:
    store, topic_id = loaded.store, loaded.topic_id
    assert await store.counts(topic_id) == {"actors": 5, "places": 4, "events": 4, "facts_active": 8}
    fact_id = await loaded.fact_id("f-magwe")
    await write(store, "UPDATE facts SET status = 'retracted' WHERE id = ?", (fact_id,))
    assert (await store.counts(topic_id))["facts_active"] == 7
    assert (await store.counts(topic_id))["facts_retracted"] == 1
    # Writing the same status again is not a change.
    await write(store, "UPDATE facts SET status = 'retracted' WHERE id = ?", (fact_id,))
    await write(store, "UPDATE facts SET statement = 'edited' WHERE id = ?", (fact_id,))
    assert (await store.counts(topic_id))["facts_retracted"] == 1
    await write(store, "UPDATE facts SET status = 'active' WHERE id = ?", (fact_id,))
    counts = await store.counts(topic_id)
    assert (counts["facts_active"], counts["facts_retracted"]) == (8, 0)


async def test_counts_are_per_topic(loaded: Loaded) -> None:
    await apply_pack(loaded.store.db, parse_pack(OTHER_TOPIC), now=FIXED_NOW)
    other = await loaded.store.topic("t2")
    assert other is not None
    assert await loaded.store.counts(other.id) == {"actors": 1, "facts_active": 1}
    assert (await loaded.store.counts(loaded.topic_id))["facts_active"] == 8
    assert [t.slug for t in await loaded.store.topics()] == ["t1", "t2"]


async def test_utc_timestamps_round_trip(store: Store, small_pack: Pack) -> None:
    moment = datetime(2024, 3, 4, 5, 6, 7, tzinfo=UTC)
    await apply_pack(store.db, small_pack, now=moment)
    topic = await store.topic("t1")
    assert topic is not None
    assert await store.last_change(topic.id) == moment


@sqlite_only
async def test_last_change_is_the_latest_fact_write_read_from_an_index(store: Store, small_pack: Pack) -> None:
    await apply_pack(store.db, small_pack, now=FIXED_NOW)
    topic = await store.topic("t1")
    assert topic is not None
    later = datetime(2025, 6, 1, tzinfo=UTC)
    fact_id = (await store.search(topic.id, "offensive", None, 1))[0].id
    async with store.db.transaction() as conn:
        await conn.execute(
            "UPDATE facts SET status = 'retracted', updated_at = ? WHERE id = ?", (later.isoformat(), fact_id)
        )
        await record_change(
            conn,
            topic_id=topic.id,
            entity="fact",
            entity_id=fact_id,
            action="retract",
            user_id=None,
            user_name="test",
            before={},
            after={},
            at=later,
        )
    statements: list[str] = []
    await store.conn.set_trace_callback(statements.append)
    assert await store.last_change(topic.id) == later
    await store.conn.set_trace_callback(None)
    [sql] = statements
    plan = await store.conn.execute_fetchall(f"EXPLAIN QUERY PLAN {sql}")
    assert " ".join(row[3] for row in plan) == "SEARCH changes USING INDEX changes_topic (topic_id=?)"


# Actors and places -------------------------------------------------------------------------------------


async def test_actor_affiliations_both_directions(loaded: Loaded) -> None:
    tba = await loaded.store.actor(await loaded.actor("tba"))
    assert tba is not None
    links = {(a.relation, a.other.slug, a.outgoing) for a in tba.affiliations}
    assert links == {("opposes", "junta", True), ("member-of", "mndaa", False)}

    junta = await loaded.store.actor(await loaded.actor("junta"))
    assert junta is not None
    assert [(a.relation, a.other.slug, a.outgoing) for a in junta.affiliations] == [("opposes", "tba", False)]
    assert junta.aliases == ["Tatmadaw", "SAC"]
    assert (junta.kind, junta.side) == ("military", "regime")

    china = await loaded.store.actor(await loaded.actor("china"))
    assert china is not None
    assert china.affiliations == []
    assert await loaded.store.actor(10_000) is None


async def test_place_record(loaded: Loaded) -> None:
    laukkai = await loaded.store.place(await loaded.place("laukkai"))
    assert laukkai is not None
    assert laukkai.parent is not None
    assert laukkai.parent.slug == "shan"
    assert laukkai.aliases == ["Laukkaing"]
    country = await loaded.store.place(await loaded.place("mm"))
    assert country is not None
    assert country.parent is None
    assert await loaded.store.place(10_000) is None
