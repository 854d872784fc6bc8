"""Event reads (bot.store.events): timeline filters, counts, and each event in full."""

from __future__ import annotations

from datetime import date

from bot.store.events import _event_filter
from tests.postgres import sqlite_only
from tests.unit.store.conftest import Loaded, write


async def event_slugs(loaded: Loaded, **filters: object) -> list[str]:
    return [e.slug for e in await loaded.store.events(loaded.topic_id, **filters)]  # type: ignore[arg-type]


async def test_an_actors_events_follow_a_changed_date(loaded: Loaded) -> None:
    junta = await loaded.actor("junta")
    await write(loaded.store, "UPDATE events SET date = '2025-01-01' WHERE id = ?", (await loaded.event("op1027"),))
    assert await event_slugs(loaded, actor_id=junta) == ["haigeng-talks", "laukkai-falls", "op1027"]
    assert await event_slugs(loaded, actor_id=junta, since=date(2024, 6, 1)) == ["op1027"]


async def test_events_in_date_order(loaded: Loaded) -> None:
    in_order = ["op1027", "magwe-clash", "haigeng-talks", "laukkai-falls"]
    assert await event_slugs(loaded) == in_order
    assert await event_slugs(loaded, newest_first=True) == in_order[::-1]
    assert await event_slugs(loaded, limit=2) == in_order[:2]
    assert await event_slugs(loaded, limit=2, offset=2) == in_order[2:]
    assert await event_slugs(loaded, offset=10) == []


async def test_events_by_actor(loaded: Loaded) -> None:
    junta = await loaded.actor("junta")
    assert await event_slugs(loaded, actor_id=junta) == ["op1027", "haigeng-talks", "laukkai-falls"]
    assert await event_slugs(loaded, actor_id=await loaded.actor("pdf")) == ["magwe-clash"]


async def test_events_by_place_include_places_within(loaded: Loaded) -> None:
    shan = await loaded.place("shan")
    laukkai = await loaded.place("laukkai")
    within = await loaded.store.place_and_within(shan)
    assert sorted(within) == sorted([shan, laukkai])
    assert await event_slugs(loaded, place_ids=within) == ["op1027", "laukkai-falls"]
    assert await event_slugs(loaded, place_ids=[shan]) == ["op1027"]
    whole = await loaded.store.place_and_within(await loaded.place("mm"))
    assert len(whole) == 4
    assert await event_slugs(loaded, place_ids=whole) == ["op1027", "magwe-clash", "laukkai-falls"]
    assert await loaded.store.place_and_within(laukkai) == [laukkai]
    assert await event_slugs(loaded, place_ids=[]) == []


async def test_events_since_until_inclusive(loaded: Loaded) -> None:
    assert await event_slugs(loaded, since=date(2023, 11, 15)) == ["magwe-clash", "haigeng-talks", "laukkai-falls"]
    assert await event_slugs(loaded, until=date(2023, 11, 15)) == ["op1027", "magwe-clash"]
    assert await event_slugs(loaded, since=date(2023, 11, 16), until=date(2024, 1, 4)) == ["haigeng-talks"]
    assert await event_slugs(loaded, since=date(2024, 2, 1)) == []


async def test_events_filters_combine(loaded: Loaded) -> None:
    junta = await loaded.actor("junta")
    shan = await loaded.store.place_and_within(await loaded.place("shan"))
    assert await event_slugs(loaded, actor_id=junta, place_ids=shan, since=date(2023, 11, 1)) == ["laukkai-falls"]
    assert (
        await loaded.store.count_events(loaded.topic_id, actor_id=junta, place_ids=shan, since=date(2023, 11, 1)) == 1
    )


async def test_count_events_and_cap(loaded: Loaded) -> None:
    store, topic = loaded.store, loaded.topic_id
    assert await store.count_events(topic) == 4
    assert await store.count_events(topic, cap=2) == 2
    assert await store.count_events(topic, actor_id=await loaded.actor("junta")) == 3
    assert await store.count_events(topic, until=date(2023, 11, 15)) == 2
    assert await store.count_events(topic + 99) == 0


@sqlite_only
async def test_an_actors_events_are_counted_from_its_links_index_alone(loaded: Loaded) -> None:
    # The junta takes part in a third of all events; joining each to check its topic cost 10 ms at 1M facts.
    source, _, _, where, params = _event_filter(loaded.topic_id, await loaded.actor("junta"), None, None, None)
    rows = await loaded.store.conn.execute_fetchall(
        f"EXPLAIN QUERY PLAN SELECT count(*) FROM (SELECT 1 FROM {source} WHERE {where} LIMIT 1000)", params
    )
    plan = [row[3] for row in rows]
    assert plan == [
        "CO-ROUTINE (subquery-1)",
        "SEARCH ea USING COVERING INDEX event_actors_actor (actor_id=?)",
        "SCAN (subquery-1)",
    ]


async def test_event_record(loaded: Loaded) -> None:
    op = await loaded.store.event(await loaded.event("op1027"))
    assert op is not None
    assert op.date == date(2023, 10, 27)
    assert op.precision == "day"
    assert [p.slug for p in op.places] == ["shan"]
    assert [(p.actor.slug, p.role) for p in op.actors] == [("junta", "target"), ("tba", "attacker")]
    assert op.follows == []
    assert [r.slug for r in op.followed_by] == ["haigeng-talks", "laukkai-falls"]  # by date

    falls = await loaded.store.event(await loaded.event("laukkai-falls"))
    assert falls is not None
    assert [r.slug for r in falls.follows] == ["op1027"]
    assert [r.slug for r in falls.followed_by] == ["haigeng-talks"]

    talks = await loaded.store.event(await loaded.event("haigeng-talks"))
    assert talks is not None
    assert talks.precision == "month"
    assert talks.places == []
    assert [r.slug for r in talks.follows] == ["op1027", "laukkai-falls"]
    assert talks.followed_by == []
    assert {p.actor.slug: p.role for p in talks.actors}["tba"] == "participant"
    assert await loaded.store.event(10_000) is None


async def test_an_event_in_several_places_is_in_each_and_listed_once(store) -> None:
    from bot.packs import parse_pack
    from bot.store.writes import apply_pack

    await apply_pack(
        store.db,
        parse_pack(
            """
format: 1
topic: {slug: t, title: T}
places:
  - {slug: mm, name: Myanmar, kind: country}
  - {slug: sagaing, name: Sagaing Region, kind: region, parent: mm}
  - {slug: magway, name: Magway Region, aliases: [Magwe], kind: region, parent: mm}
events:
  - {slug: pdf, name: PDF offensives, date: 2023-11-01, precision: month, places: [sagaing, magway]}
  - {slug: coup, name: Coup, date: 2021-01-01, precision: year, place: mm}
"""
        ),
    )
    topic = await store.topic("t")
    ids = {slug: await store.entity_by_slug(topic.id, "place", slug) for slug in ("mm", "sagaing", "magway")}
    pdf = await store.entity_by_slug(topic.id, "event", "pdf")
    assert [p.slug for p in (await store.event(pdf)).places] == ["sagaing", "magway"]
    for region, expected in (("sagaing", ["pdf"]), ("magway", ["pdf"]), ("mm", ["coup", "pdf"])):
        within = await store.place_and_within(ids[region])
        assert [e.slug for e in await store.events(topic.id, place_ids=within)] == expected, region
        assert await store.count_events(topic.id, place_ids=within) == len(expected), region


@sqlite_only
async def test_a_regions_events_come_from_the_place_links_index(loaded: Loaded) -> None:
    source, event_id, dated, where, params = _event_filter(
        loaded.topic_id, None, [await loaded.place("shan")], None, None
    )
    rows = await loaded.store.conn.execute_fetchall(
        f"EXPLAIN QUERY PLAN SELECT DISTINCT {dated}, {event_id} FROM {source} WHERE {where}"
        f" ORDER BY {dated}, {event_id} LIMIT 8",
        params,
    )
    assert [row[3] for row in rows] == ["SEARCH ep USING COVERING INDEX event_places_place (place_id=?)"]
