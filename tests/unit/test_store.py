"""The fact store: applying packs, name look-up, search, and the filtered reads answers are built from."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.packs import Pack, parse_pack
from bot.store import Store, database
from bot.store import names as name_index
from bot.store.store import _event_filter
from bot.store.writes import PackWriter, apply_pack, apply_packs, record_change
from tests.unit.conftest import FIXED_NOW, PACKS, Loaded

OTHER_TOPIC = """
format: 1
topic: {slug: t2, title: Another crisis}
sources: {s1: {title: Other doc}}
actors:
  - {slug: junta, name: Other junta, aliases: [Tatmadaw], kind: military}
facts:
  - {key: f-other, statement: "An offensive elsewhere by the junta.", kind: event, actors: [junta],
     as_of: 2023-11-27, source: s1, reliability: B, credibility: 2}
"""


async def scalar(store: Store, sql: str, params: tuple[object, ...] = ()) -> object:
    row = await store.row(sql, params)
    return row[0] if row else None


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


async def keys(found: list) -> list[str]:
    return [f.key for f in found]


# apply_pack --------------------------------------------------------------------------------------------


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
    assert int(await scalar(store, "SELECT count(*) FROM names_trigram")) == sizes["names"]  # type: ignore[arg-type]


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
    await loaded.store.conn.execute("UPDATE facts SET status = 'retracted' WHERE id = ?", (fact_id,))
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
    assert int(await scalar(store, "SELECT count(*) FROM names_trigram")) == 0  # type: ignore[arg-type]
    assert await store.topic("t1") is None
    assert not store.conn.in_transaction

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


async def test_counts_kept_by_triggers(loaded: Loaded) -> None:
    store, topic_id = loaded.store, loaded.topic_id
    assert await store.counts(topic_id) == {"actors": 5, "places": 4, "events": 4, "facts_active": 8}
    fact_id = await loaded.fact_id("f-magwe")
    await store.conn.execute("UPDATE facts SET status = 'retracted' WHERE id = ?", (fact_id,))
    assert (await store.counts(topic_id))["facts_active"] == 7
    assert (await store.counts(topic_id))["facts_retracted"] == 1
    # Writing the same status again is not a change.
    await store.conn.execute("UPDATE facts SET status = 'retracted' WHERE id = ?", (fact_id,))
    await store.conn.execute("UPDATE facts SET statement = 'edited' WHERE id = ?", (fact_id,))
    assert (await store.counts(topic_id))["facts_retracted"] == 1
    await store.conn.execute("UPDATE facts SET status = 'active' WHERE id = ?", (fact_id,))
    counts = await store.counts(topic_id)
    assert (counts["facts_active"], counts["facts_retracted"]) == (8, 0)


async def test_counts_are_per_topic(loaded: Loaded) -> None:
    await apply_pack(loaded.store.db, parse_pack(OTHER_TOPIC), now=FIXED_NOW)
    other = await loaded.store.topic("t2")
    assert other is not None
    assert await loaded.store.counts(other.id) == {"actors": 1, "facts_active": 1}
    assert (await loaded.store.counts(loaded.topic_id))["facts_active"] == 8
    assert [t.slug for t in await loaded.store.topics()] == ["t1", "t2"]


async def test_meta_round_trip(store: Store) -> None:
    assert await store.get_meta("tree") is None
    await store.set_meta("tree", "abc")
    await store.set_meta("tree", "def")
    assert await store.get_meta("tree") == "def"


# Names -------------------------------------------------------------------------------------------------


async def names(loaded: Loaded, entity: str, text: str, limit: int = 25) -> list[str]:
    return [m.slug for m in await loaded.store.find_names(loaded.topic_id, entity, text, limit)]  # type: ignore[arg-type]


async def test_find_names_exact(loaded: Loaded) -> None:
    found = await loaded.store.find_names(loaded.topic_id, "actor", "Myanmar junta")
    assert found[0].slug == "junta"
    assert found[0].score == 100
    assert found[0].name == "Myanmar junta"


async def test_find_names_prefix(loaded: Loaded) -> None:
    assert (await names(loaded, "actor", "Three Bro"))[0] == "tba"
    assert (await names(loaded, "place", "Lauk"))[0] == "laukkai"
    assert (await names(loaded, "event", "Operation"))[0] == "op1027"


async def test_find_names_alias(loaded: Loaded) -> None:
    found = await loaded.store.find_names(loaded.topic_id, "actor", "Tatmadaw")
    assert found[0].slug == "junta"
    assert found[0].matched == "Tatmadaw"
    assert found[0].name == "Myanmar junta"
    assert (await names(loaded, "place", "Burma"))[0] == "mm"
    assert (await names(loaded, "actor", "kokang"))[0] == "mndaa"


async def test_find_names_accent_and_case_folded(loaded: Loaded) -> None:
    assert (await names(loaded, "place", "Magwé"))[0] == "magwe"
    assert (await names(loaded, "place", "MAGWE REGION"))[0] == "magwe"
    assert (await names(loaded, "actor", "people's defence"))[0] == "pdf"


@pytest.mark.parametrize(
    ("entity", "typed", "slug"),
    [
        ("actor", "Tatmdaw", "junta"),
        ("actor", "Tatmadwa", "junta"),
        ("place", "Magwy", "magwe"),
        ("place", "Laukai", "laukkai"),
        ("actor", "Thre Brotherhod Aliance", "tba"),
    ],
)
async def test_find_names_tolerates_typos(loaded: Loaded, entity: str, typed: str, slug: str) -> None:
    assert (await names(loaded, entity, typed))[0] == slug


async def test_find_names_empty_text_lists_canonical_names(loaded: Loaded) -> None:
    found = await loaded.store.find_names(loaded.topic_id, "actor", "   ")
    assert [m.matched for m in found] == [
        "China",
        "Myanmar junta",
        "Myanmar National Democratic Alliance Army",
        "People's Defence Force",
        "Three Brotherhood Alliance",
    ]
    assert all(m.matched == m.name for m in found)


async def test_find_names_respects_limit(loaded: Loaded) -> None:
    assert len(await names(loaded, "actor", "", limit=2)) == 2
    assert len(await names(loaded, "actor", "a", limit=2)) <= 2
    assert len(await names(loaded, "actor", "myanmar", limit=1)) == 1


async def test_find_names_one_result_per_entity(loaded: Loaded) -> None:
    # "Magwe Region" and "Magway" both match; the place appears once.
    found = await names(loaded, "place", "magw")
    assert found.count("magwe") == 1
    found = await names(loaded, "actor", "m")
    assert len(found) == len(set(found))
    found = await names(loaded, "actor", "alliance")
    assert len(found) == len(set(found))
    assert {"tba", "mndaa"} <= set(found)


async def test_find_names_by_kind_and_topic(loaded: Loaded) -> None:
    assert "junta" not in await names(loaded, "place", "Tatmadaw")
    await apply_pack(loaded.store.db, parse_pack(OTHER_TOPIC), now=FIXED_NOW)
    other = await loaded.store.topic("t2")
    assert other is not None
    found = await loaded.store.find_names(other.id, "actor", "Tatmadaw")
    assert [m.name for m in found] == ["Other junta"]


@pytest.mark.parametrize("text", ['"', "*", "OR", "NEAR(", "-", ":", '"a" OR "b"', "a*b", "ab", "x", "é", "\x00"])
async def test_find_names_never_raises(loaded: Loaded, text: str) -> None:
    await loaded.store.find_names(loaded.topic_id, "actor", text)


async def test_entity_by_name(loaded: Loaded) -> None:
    junta = await loaded.actor("junta")
    assert await loaded.store.entity_by_name(loaded.topic_id, "actor", "tatmadaw") == junta
    assert await loaded.store.entity_by_name(loaded.topic_id, "actor", "TATMADAW!") == junta
    assert await loaded.store.entity_by_name(loaded.topic_id, "actor", "Tatmad") is None
    assert await loaded.store.entity_by_name(loaded.topic_id, "place", "tatmadaw") is None


async def test_expand_aliases(loaded: Loaded) -> None:
    found = await name_index.expand_aliases(
        loaded.store.conn, loaded.topic_id, ["tatmadaw", "burma", "magway", "nothing known"]
    )
    assert sorted(found["tatmadaw"]) == ["myanmar junta", "sac", "tatmadaw"]
    assert sorted(found["burma"]) == ["burma", "myanmar"]
    assert sorted(found["magway"]) == ["magway", "magwe region"]
    assert "nothing known" not in found
    assert await name_index.expand_aliases(loaded.store.conn, loaded.topic_id, []) == {}
    assert await name_index.expand_aliases(loaded.store.conn, loaded.topic_id + 99, ["tatmadaw"]) == {}


# Search ------------------------------------------------------------------------------------------------


async def search(loaded: Loaded, query: str, as_of: date | None = None, limit: int = 20) -> list[str]:
    return await keys(await loaded.store.search(loaded.topic_id, query, as_of, limit))


async def test_search_expands_an_alias_to_the_linked_actor(loaded: Loaded) -> None:
    found = await search(loaded, "Tatmadaw")
    # f-assess never says "junta" or "Tatmadaw": it links the junta actor.
    assert "f-assess" in found
    # f-surrender says "Tatmadaw" in its text but links no actor.
    assert "f-surrender" in found
    assert "f-offensive" in found
    assert "f-displaced" not in found
    assert "f-magwe" not in found


async def test_search_by_canonical_name_finds_alias_in_text(loaded: Loaded) -> None:
    assert "f-surrender" in await search(loaded, "Myanmar junta")
    assert "f-surrender" in await search(loaded, "SAC")


async def test_search_multi_word_names_and_places(loaded: Loaded) -> None:
    assert await search(loaded, "Three Brothers Alliance") == ["f-offensive"]
    assert await search(loaded, "Magway") == ["f-magwe"]
    assert set(await search(loaded, "Beijing")) == {"f-stake-trade", "f-stake-scams"}
    assert set(await search(loaded, "PRC")) == {"f-stake-trade", "f-stake-scams"}


async def test_search_word_forms(loaded: Loaded) -> None:
    assert await search(loaded, "offensives") == ["f-offensive"]
    assert await search(loaded, "displacement") == ["f-displaced"]
    assert await search(loaded, "surrendering") == ["f-surrender"]


async def test_search_prefix(loaded: Loaded) -> None:
    assert await search(loaded, "displ") == ["f-displaced"]
    assert await search(loaded, "surren") == ["f-surrender"]


async def test_search_ranks_fact_matching_more_terms_first(loaded: Loaded) -> None:
    found = await search(loaded, "junta border crossings")
    assert found[0] == "f-offensive"
    assert "f-stake-trade" in found  # "cross-border" matches one term only
    found = await search(loaded, "scam compounds frontier Beijing")
    assert found[0] == "f-stake-scams"


async def test_search_ignores_stop_words(loaded: Loaded) -> None:
    assert await search(loaded, "what is the figure for people displaced") == ["f-displaced"]


async def test_search_excludes_retracted(loaded: Loaded) -> None:
    assert "f-offensive" in await search(loaded, "offensive")
    await loaded.store.conn.execute(
        "UPDATE facts SET status = 'retracted' WHERE id = ?", (await loaded.fact_id("f-offensive"),)
    )
    assert "f-offensive" not in await search(loaded, "offensive")
    assert "f-offensive" not in await search(loaded, "Tatmadaw")


async def test_search_as_of(loaded: Loaded) -> None:
    assert set(await search(loaded, "Tatmadaw", date(2023, 12, 31))) == {"f-offensive"}
    assert set(await search(loaded, "Tatmadaw", date(2023, 11, 27))) == {"f-offensive"}
    assert await search(loaded, "Tatmadaw", date(2023, 11, 26)) == []
    assert set(await search(loaded, "Tatmadaw", date(2024, 1, 10))) == {"f-offensive", "f-surrender", "f-assess"}


async def test_search_limit_and_topic(loaded: Loaded) -> None:
    assert len(await search(loaded, "Tatmadaw", limit=1)) == 1
    await apply_pack(loaded.store.db, parse_pack(OTHER_TOPIC), now=FIXED_NOW)
    assert "f-other" not in await search(loaded, "offensive junta")
    other = await loaded.store.topic("t2")
    assert other is not None
    assert await keys(await loaded.store.search(other.id, "offensive", None, 10)) == ["f-other"]


async def test_search_nothing_to_look_for(loaded: Loaded) -> None:
    assert await search(loaded, "") == []
    assert await search(loaded, "   ?!  ") == []
    assert await search(loaded, "zzzzqqq") == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "*",
        "OR",
        "AND",
        "NOT",
        "NEAR(",
        "NEAR(junta offensive, 3)",
        "-",
        "-junta",
        ":",
        "statement:junta",
        "entities : junta",
        "junta OR",
        "OR junta AND",
        "(junta",
        "junta)",
        "^junta",
        "junta*",
        "{statement entities}: junta",
        '"unclosed phrase',
        "a" * 500,
        "ab " * 2000,
        "'; DROP TABLE facts; --",
        "\x00",
        "é",
        "1027",
    ],
)
async def test_search_never_raises_on_fts_syntax(loaded: Loaded, query: str) -> None:
    await loaded.store.search(loaded.topic_id, query, None, 10)
    assert int(await scalar(loaded.store, "SELECT count(*) FROM facts")) == 8  # type: ignore[arg-type]


async def test_search_with_fts_syntax_still_finds_words(loaded: Loaded) -> None:
    assert "f-offensive" in await search(loaded, "NEAR(offensive")
    assert "f-offensive" in await search(loaded, '"offensive')
    assert "f-offensive" in await search(loaded, "-offensive")
    assert "f-offensive" in await search(loaded, "statement:offensive")


# Filtered fact reads -----------------------------------------------------------------------------------


async def test_facts_of_kind(loaded: Loaded) -> None:
    store, topic = loaded.store, loaded.topic_id
    assert await keys(await store.facts_of_kind(topic, ["event"], None, 10)) == [
        "f-surrender",
        "f-offensive",
        "f-magwe",
    ]
    assert await keys(await store.facts_of_kind(topic, ["figure", "assessment"], None, 10)) == [
        "f-assess",
        "f-displaced",
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
    await loaded.store.conn.execute(
        "UPDATE facts SET status = 'retracted' WHERE id = ?", (await loaded.fact_id("f-magwe"),)
    )
    assert "f-magwe" not in await keys(await loaded.store.facts_of_kind(loaded.topic_id, ["event"], None, 10))
    retracted = await loaded.store.fact(await loaded.fact_id("f-magwe"))
    assert retracted is not None
    assert retracted.status == "retracted"


async def test_facts_about_actor(loaded: Loaded) -> None:
    junta = await loaded.actor("junta")
    assert await keys(await loaded.store.facts_about_actor(junta, None, 10)) == ["f-assess", "f-offensive"]
    assert await keys(await loaded.store.facts_about_actor(junta, date(2023, 12, 31), 10)) == ["f-offensive"]
    await loaded.store.conn.execute(
        "UPDATE facts SET status = 'retracted' WHERE id = ?", (await loaded.fact_id("f-assess"),)
    )
    assert await keys(await loaded.store.facts_about_actor(junta, None, 10)) == ["f-offensive"]


async def test_an_actors_facts_follow_a_changed_date(loaded: Loaded) -> None:
    # The actor links carry each fact's date for the index; a write that bypasses the store must not stale them.
    junta = await loaded.actor("junta")
    await loaded.store.conn.execute(
        "UPDATE facts SET as_of = '2023-10-01' WHERE id = ?", (await loaded.fact_id("f-assess"),)
    )
    assert await keys(await loaded.store.facts_about_actor(junta, None, 10)) == ["f-offensive", "f-assess"]
    assert await keys(await loaded.store.facts_about_actor(junta, date(2023, 10, 15), 10)) == ["f-assess"]


async def test_facts_about_event(loaded: Loaded) -> None:
    op = await loaded.event("op1027")
    assert await keys(await loaded.store.facts_about_event(op, None, 10)) == ["f-offensive"]
    assert await keys(await loaded.store.facts_about_event(op, date(2023, 11, 1), 10)) == []


async def test_facts_about_events_caps_each_event(loaded: Loaded) -> None:
    op, laukkai = await loaded.event("op1027"), await loaded.event("laukkai-falls")
    await loaded.store.conn.execute(
        "UPDATE facts SET event_id = ? WHERE id = ?", (op, await loaded.fact_id("f-assess"))
    )
    for per_event, expected in ((1, ["f-offensive"]), (5, ["f-offensive", "f-assess"])):
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
    await loaded.store.conn.execute(
        "UPDATE facts SET status = 'retracted' WHERE id = ?", (await loaded.fact_id("f-stake-scams"),)
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


# Events ------------------------------------------------------------------------------------------------


async def event_slugs(loaded: Loaded, **filters: object) -> list[str]:
    return [e.slug for e in await loaded.store.events(loaded.topic_id, **filters)]  # type: ignore[arg-type]


async def test_an_actors_events_follow_a_changed_date(loaded: Loaded) -> None:
    junta = await loaded.actor("junta")
    await loaded.store.conn.execute(
        "UPDATE events SET date = '2025-01-01' WHERE id = ?", (await loaded.event("op1027"),)
    )
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
    assert op.place is not None
    assert op.place.slug == "shan"
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
    assert talks.place is None
    assert [r.slug for r in talks.follows] == ["op1027", "laukkai-falls"]
    assert talks.followed_by == []
    assert {p.actor.slug: p.role for p in talks.actors}["tba"] == "participant"
    assert await loaded.store.event(10_000) is None


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


async def test_ping_and_close_on_file(tmp_path) -> None:
    store = await Store.open(tmp_path / "s.db")
    assert await store.ping() == 1
    await store.close()
    reopened = await Store.open(tmp_path / "s.db")
    assert await reopened.topics() == []
    await reopened.close()


async def test_reads_on_a_file_see_each_commit_and_cannot_write(tmp_path, small_pack: Pack) -> None:
    store = await Store.open(tmp_path / "s.db")
    try:
        assert await store.topics() == []
        await apply_pack(store.db, small_pack, now=FIXED_NOW)
        assert [t.slug for t in await store.topics()] == ["t1"]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await store.rows("DELETE FROM facts")
        assert int(await scalar(store, "SELECT count(*) FROM facts")) == 8  # type: ignore[arg-type]
    finally:
        await store.close()


async def test_a_slow_read_on_the_event_loop_is_logged(tmp_path, monkeypatch, caplog) -> None:
    store = await Store.open(tmp_path / "s.db")
    try:
        monkeypatch.setattr(database, "SLOW_READ_SECONDS", 0.0)
        with caplog.at_level(logging.WARNING, logger="bot.store.database"):
            await store.ping()
        assert "slow read on the event loop" in caplog.text
        assert "SELECT 1" in caplog.text
    finally:
        await store.close()


async def test_utc_timestamps_round_trip(store: Store, small_pack: Pack) -> None:
    moment = datetime(2024, 3, 4, 5, 6, 7, tzinfo=UTC)
    await apply_pack(store.db, small_pack, now=moment)
    topic = await store.topic("t1")
    assert topic is not None
    assert await store.last_change(topic.id) == moment


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
