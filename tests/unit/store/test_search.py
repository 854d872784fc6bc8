"""Free-text search (bot.store.search): aliases, word forms, ranking, and FTS syntax never raising."""

from __future__ import annotations

from datetime import date

import pytest

from bot.packs import parse_pack
from bot.store.search import Spelling
from bot.store.writes import apply_pack
from tests.postgres import sqlite_only
from tests.unit.conftest import FIXED_NOW
from tests.unit.store.conftest import OTHER_TOPIC, Loaded, keys, scalar, write


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
    await write(
        loaded.store, "UPDATE facts SET status = 'retracted' WHERE id = ?", (await loaded.fact_id("f-offensive"),)
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


RANKING_PACK = """
format: 1
topic: {slug: r1, title: Ranking}
sources: {s1: {title: Wire}, bg: {title: Background, kind: background}}
actors:
  - {slug: junta, name: Myanmar junta, aliases: [Tatmadaw, military regime], kind: military}
  - {slug: rebels, name: Rebel alliance, aliases: [Three Brotherhood Alliance], kind: alliance}
related:
  - [outgun, better armed]
  - [halted, stopped]
facts:
  - {key: r-outgun, statement: "The junta's forces still outgun the rebels.", kind: assessment, actors: [junta, rebels],
     as_of: 2023-11-27, source: s1, reliability: B, credibility: 3}
  - {key: r-scam-work, statement: "Syndicates force trafficked workers to run phone scams.", kind: event,
     as_of: 2023-11-27, source: s1, reliability: B, credibility: 2}
  - {key: r-phone, statement: "Phone networks in the border towns were cut by the fighting for a week.", kind: event,
     as_of: 2023-11-27, source: s1, reliability: B, credibility: 2}
  - {key: r-trade-old, statement: "Trade across the frontier was halted.", kind: figure,
     as_of: 2023-11-01, source: s1, reliability: B, credibility: 2}
  - {key: r-trade-new, statement: "Trade across the frontier was halted.", kind: figure,
     as_of: 2023-11-20, source: s1, reliability: B, credibility: 2}
  - {key: r-trade-bg, statement: "Trade across the frontier was halted.", kind: background,
     as_of: 2023-11-25, source: bg, reliability: F, credibility: 2}
"""


@pytest.fixture
async def ranking(store) -> Loaded:  # type: ignore[no-untyped-def]
    await apply_pack(store.db, parse_pack(RANKING_PACK), now=FIXED_NOW)
    topic = await store.topic("r1")
    assert topic is not None
    return Loaded(store, topic.id)


async def test_a_word_that_matches_nothing_does_not_block_the_rest(ranking: Loaded) -> None:
    # "want", "wibble" and "thing" match no fact; the question is still answered by what its other words match.
    assert (await search(ranking, "Who is forced to work the phone scams wibble?"))[0] == "r-scam-work"
    assert (await search(ranking, "phone scams"))[0] == "r-scam-work"


async def test_relevance_not_id_orders_matches(ranking: Loaded) -> None:
    # Both match "phone"; the fact that also says "scams" is the better answer though it is older.
    found = await search(ranking, "phone scams fighting")
    assert found[:2] == ["r-phone", "r-scam-work"] or found[:2] == ["r-scam-work", "r-phone"]
    assert (await search(ranking, "scams phone"))[0] == "r-scam-work"


async def test_equal_matches_are_ordered_by_grade_then_date(ranking: Loaded) -> None:
    assert await search(ranking, "trade frontier") == ["r-trade-new", "r-trade-old", "r-trade-bg"]


async def test_as_of_applies_to_ranked_matches(ranking: Loaded) -> None:
    assert await search(ranking, "trade frontier", date(2023, 11, 10)) == ["r-trade-old"]


async def test_the_thesaurus_reaches_a_fact_worded_otherwise(ranking: Loaded) -> None:
    assert await search(ranking, "Is the Tatmadaw better armed?") == ["r-outgun"]
    hits = await ranking.store.ranked_search(ranking.topic_id, "Is the Tatmadaw better armed?", None, 5)
    assert hits[0].matched == ("tatmadaw (what it is about)", "better armed ~ outgun")
    assert (await search(ranking, "commerce stopped at the frontier"))[0].startswith("r-trade")


async def test_a_misspelt_name_is_read_as_the_name(loaded: Loaded) -> None:
    assert set(await search(loaded, "Tatmdaw")) == set(await search(loaded, "Tatmadaw"))
    assert (await search(loaded, "Thre Brothers Aliance"))[0] == "f-offensive"


async def test_ranked_hits_say_which_words_matched(loaded: Loaded) -> None:
    hits = await loaded.store.ranked_search(loaded.topic_id, "Tatmadaw border crossings", None, 5)
    assert hits[0].fact.key == "f-offensive"
    # The statement says "junta", not one of the junta's names: the name matched what the fact is about.
    assert hits[0].matched == ("tatmadaw (what it is about)", "border", "crossings")
    assert hits[0].score > hits[-1].score


@sqlite_only
async def test_the_thesaurus_is_written_with_the_pack_and_only_when_it_changed(ranking: Loaded) -> None:
    assert await ranking.store.related_terms(ranking.topic_id) == [["outgun", "better armed"], ["halted", "stopped"]]
    before = ranking.store.db.conn.total_changes
    await apply_pack(ranking.store.db, parse_pack(RANKING_PACK), now=FIXED_NOW)
    assert ranking.store.db.conn.total_changes - before == 1  # the topic's own row, upserted by every import
    changed = RANKING_PACK.replace("  - [halted, stopped]\n", "")
    await apply_pack(ranking.store.db, parse_pack(changed), now=FIXED_NOW)
    assert await ranking.store.related_terms(ranking.topic_id) == [["outgun", "better armed"]]
    assert "r-outgun" not in await search(ranking, "commerce stopped")


async def test_each_full_text_row_carries_its_topics_token(loaded: Loaded) -> None:
    await apply_pack(loaded.store.db, parse_pack(OTHER_TOPIC), now=FIXED_NOW)
    mismatched = await scalar(
        loaded.store,
        "SELECT count(*) FROM facts_fts x JOIN facts f ON f.id = -x.rowid WHERE x.topic <> 't' || f.topic_id",
    )
    assert mismatched == 0
    assert await scalar(loaded.store, "SELECT count(*) FROM facts_fts") == await scalar(
        loaded.store, "SELECT count(*) FROM facts"
    )


async def test_a_topics_candidates_are_read_from_its_own_rows_only(loaded: Loaded) -> None:
    await apply_pack(loaded.store.db, parse_pack(OTHER_TOPIC), now=FIXED_NOW)
    other = await loaded.store.topic("t2")
    assert other is not None
    for topic_id in (loaded.topic_id, other.id):
        for expression in await loaded.store.search_expressions(topic_id, "offensive junta"):
            assert expression.startswith(f"topic : t{topic_id} AND {{statement entities}} : (")
            match, query = loaded.store.db.dialect.full_text("facts_fts", expression)
            rows = await loaded.store.rows(
                f"SELECT f.topic_id FROM facts_fts JOIN facts f ON f.id = -facts_fts.rowid WHERE {match}", (query,)
            )
            assert rows and {r[0] for r in rows} == {topic_id}


async def test_a_word_spelled_like_a_topics_token_is_only_a_word(loaded: Loaded) -> None:
    # Every fact's row holds "t1" in its topic column; the question's words are matched in the text only.
    assert await search(loaded, f"t{loaded.topic_id}") == []
    assert await search(loaded, f"t{loaded.topic_id} Tatmadaw") == await search(loaded, "Tatmadaw")


def test_a_spelling_is_counted_wherever_it_occurs_and_only_there() -> None:
    words = "the junta said the three brotherhood allianc took the town from the junta".split()
    assert Spelling("junta", ("junta",)).count(words) == 2
    assert Spelling("three brotherhood alliance", ("three", "brotherhood", "allianc")).count(words) == 1
    assert Spelling("brotherhood junta", ("brotherhood", "junta")).count(words) == 0
    assert Spelling("tatmadaw", ("tatmadaw",)).count(words) == 0
    assert Spelling("the town", ("the", "town")).count(words) == 1
    assert Spelling("all", ("all",), prefix=True).count(words) == 1
    assert Spelling("the t", ("the", "t"), prefix=True).count(words) == 2
    assert Spelling("", ()).count(words) == 0
