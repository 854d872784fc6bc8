"""Fact reads (bot.store.facts): filtered lists, as-of dates, retractions and hydrated records."""

from __future__ import annotations

from datetime import date

from tests.unit.conftest import FIXED_NOW
from tests.unit.store.conftest import Loaded, keys, write


async def test_facts_of_kind(loaded: Loaded) -> None:
    store, topic = loaded.store, loaded.topic_id
    # What matters most first (bot.store.facts.salience_order): the best grade, then consequence, then recency.
    assert await keys(await store.facts_of_kind(topic, ["event"], None, 10)) == [
        "f-offensive",
        "f-magwe",
        "f-surrender",
    ]
    # Figures and assessments carry the story alike; the A2 figure before the B3 assessment.
    assert await keys(await store.facts_of_kind(topic, ["figure", "assessment"], None, 10)) == [
        "f-displaced",
        "f-assess",
    ]
    assert len(await store.facts_of_kind(topic, ["event"], None, 1)) == 1


async def test_facts_of_kind_as_of(loaded: Loaded) -> None:
    store, topic = loaded.store, loaded.topic_id
    assert await keys(await store.facts_of_kind(topic, ["event"], date(2023, 12, 31), 10)) == [
        "f-offensive",
        "f-magwe",
    ]
    assert await keys(await store.facts_of_kind(topic, ["event"], date(2023, 11, 26), 10)) == []


async def test_facts_of_kind_excludes_retracted(loaded: Loaded) -> None:
    await write(loaded.store, "UPDATE facts SET status = 'retracted' WHERE id = ?", (await loaded.fact_id("f-magwe"),))
    assert "f-magwe" not in await keys(await loaded.store.facts_of_kind(loaded.topic_id, ["event"], None, 10))
    retracted = await loaded.store.fact(await loaded.fact_id("f-magwe"))
    assert retracted is not None
    assert retracted.status == "retracted"


async def test_facts_about_actor(loaded: Loaded) -> None:
    junta = await loaded.actor("junta")
    assert await keys(await loaded.store.facts_about_actor(junta, None, 10)) == ["f-assess", "f-offensive"]
    assert await keys(await loaded.store.facts_about_actor(junta, date(2023, 12, 31), 10)) == ["f-offensive"]
    await write(loaded.store, "UPDATE facts SET status = 'retracted' WHERE id = ?", (await loaded.fact_id("f-assess"),))
    assert await keys(await loaded.store.facts_about_actor(junta, None, 10)) == ["f-offensive"]


async def test_an_actors_facts_follow_a_changed_date(loaded: Loaded) -> None:
    # The actor links carry each fact's date for the index; a write that bypasses the store must not stale them.
    junta = await loaded.actor("junta")
    await write(loaded.store, "UPDATE facts SET as_of = '2023-10-01' WHERE id = ?", (await loaded.fact_id("f-assess"),))
    assert await keys(await loaded.store.facts_about_actor(junta, None, 10)) == ["f-assess", "f-offensive"]
    assert await keys(await loaded.store.facts_about_actor(junta, date(2023, 10, 15), 10)) == ["f-assess"]


async def test_facts_about_event(loaded: Loaded) -> None:
    op = await loaded.event("op1027")
    assert await keys(await loaded.store.facts_about_event(op, None, 10)) == ["f-offensive"]
    assert await keys(await loaded.store.facts_about_event(op, date(2023, 11, 1), 10)) == []


async def test_facts_about_events_caps_each_event(loaded: Loaded) -> None:
    op, laukkai = await loaded.event("op1027"), await loaded.event("laukkai-falls")
    await write(loaded.store, "UPDATE facts SET event_id = ? WHERE id = ?", (op, await loaded.fact_id("f-assess")))
    # Each event's facts in salience order: the assessment before the event report.
    for per_event, expected in ((1, ["f-assess"]), (5, ["f-assess", "f-offensive"])):
        found = await loaded.store.facts_about_events([op, laukkai, 10_000], None, per_event)
        assert {event: await keys(facts) for event, facts in found.items()} == {
            op: expected,
            laukkai: ["f-surrender"],
        }
    assert await loaded.store.facts_about_events([op, laukkai], date(2023, 10, 1), 5) == {}
    assert await loaded.store.facts_about_events([], None, 5) == {}


async def test_headline_stakes_take_each_interest_first(loaded: Loaded) -> None:
    china = await loaded.actor("china")
    assert await keys(await loaded.store.headline_stakes(china, None, 1)) == ["f-stake-trade"]
    assert await keys(await loaded.store.headline_stakes(china, None, 5)) == ["f-stake-trade", "f-stake-scams"]
    assert await keys(await loaded.store.headline_stakes(china, date(2023, 11, 30), 5)) == ["f-stake-scams"]


async def test_stakes(loaded: Loaded) -> None:
    china = await loaded.actor("china")
    assert await keys(await loaded.store.stakes(china, None, 10)) == ["f-stake-trade", "f-stake-scams"]
    assert await keys(await loaded.store.stakes(china, date(2023, 11, 30), 10)) == ["f-stake-scams"]
    assert await keys(await loaded.store.stakes(china, date(2023, 9, 30), 10)) == []
    await write(
        loaded.store, "UPDATE facts SET status = 'retracted' WHERE id = ?", (await loaded.fact_id("f-stake-scams"),)
    )
    assert await keys(await loaded.store.stakes(china, None, 10)) == ["f-stake-trade"]


async def test_fact_record_is_fully_hydrated(loaded: Loaded) -> None:
    fact = await loaded.store.fact(await loaded.fact_id("f-offensive"))
    assert fact is not None
    assert [a.slug for a in fact.actors] == ["junta", "tba"]  # ordered by name
    assert fact.event is not None
    assert fact.event.slug == "op1027"
    assert fact.place is None
    assert fact.stakeholder is None
    assert fact.grade == "B2"
    assert fact.as_of == date(2023, 11, 27)
    assert fact.source.url == "https://example.org/report"
    assert fact.source.published == date(2023, 11, 28)
    assert fact.created_at == FIXED_NOW
    assert fact.created_at.tzinfo is not None
    stake = await loaded.store.fact(await loaded.fact_id("f-stake-trade"))
    assert stake is not None
    assert stake.stakeholder is not None
    assert stake.stakeholder.slug == "china"
    assert stake.interest == "trade"
    background = await loaded.store.fact(await loaded.fact_id("f-background"))
    assert background is not None
    assert background.source.kind == "background"
    assert background.source.url is None
    assert background.grade == "F6"
    assert await loaded.store.fact(10_000) is None


async def test_facts_share_one_source_row(loaded: Loaded) -> None:
    a = await loaded.store.fact(await loaded.fact_id("f-offensive"))
    b = await loaded.store.fact(await loaded.fact_id("f-displaced"))
    assert a is not None
    assert b is not None
    assert a.source.id == b.source.id
