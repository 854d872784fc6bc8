"""Name look-up (bot.store.names): what people type, aliases, typos and folded spellings."""

from __future__ import annotations

import pytest

from bot.packs import parse_pack
from bot.store import names as name_index
from bot.store.writes import apply_pack
from tests.unit.conftest import FIXED_NOW
from tests.unit.store.conftest import OTHER_TOPIC, Loaded


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
