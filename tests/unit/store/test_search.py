"""Free-text search (bot.store.search): aliases, word forms, ranking, and FTS syntax never raising."""

from __future__ import annotations

from datetime import date

import pytest

from bot.packs import parse_pack
from bot.store.writes import apply_pack
from tests.unit.conftest import FIXED_NOW
from tests.unit.store.conftest import OTHER_TOPIC, Loaded, keys, scalar


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
