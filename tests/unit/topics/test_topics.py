"""Several dossiers in one store: the topic in force, names scoped to it, the answer cache per topic, curation."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.briefing.queries import ActorQuery, BriefQuery, EventQuery, FactQuery, SearchQuery, StakesQuery
from bot.config import Settings
from bot.curation.models import FactFields
from bot.errors import NotFound, UserError
from bot.models import Author
from bot.packs import read_pack
from bot.render.text import render_text
from bot.services import Services
from bot.store import Store
from bot.store.writes import apply_pack
from bot.topics.models import TopicAddRequest, TopicEditRequest, TopicRemoveRequest, TopicUseRequest
from bot.topics.service import choose_topic

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "bot" / "seed_packs" / "operation-1027.yaml"
#: The fictional test pack: test data, never shipped in bot/seed_packs/.
VELDRA = ROOT / "tests" / "topics_data" / "test-veldra-water-dispute.yaml"
MOD = Author(id=7, name="mona")
GUILD, CHANNEL, OTHER_CHANNEL = 100, 200, 300


async def _services(path: Path | str) -> Services:
    store = await Store.open(path)
    await apply_pack(store.db, read_pack(SEED))
    await apply_pack(store.db, read_pack(VELDRA))
    return Services.build(Settings(_env_file=None), store)  # type: ignore[call-arg]


@pytest.fixture
async def services(store_target: str) -> AsyncIterator[Services]:
    built = await _services(store_target)
    try:
        yield built
    finally:
        await built.close()


def test_the_topic_named_wins_then_the_channel_then_the_server_then_the_deployment():
    assert choose_topic("a", "b", "c", "d").slug == "a"
    assert choose_topic(None, "b", "c", "d").why == "channel"
    assert choose_topic(None, None, "c", "d").slug == "c"
    assert choose_topic(None, None, None, "d").why == "deployment"


async def test_channel_and_server_defaults_are_stored_and_a_channel_wins(services: Services):
    topics = services.topics
    assert (await topics.in_force(None, CHANNEL, GUILD)).slug == "operation-1027"
    await topics.use(TopicUseRequest(topic="test-veldra"), GUILD, MOD)
    assert (await topics.in_force(None, CHANNEL, GUILD)).slug == "test-veldra"
    await topics.use(TopicUseRequest(topic="Operation 1027", channel=CHANNEL), GUILD, MOD)
    assert (await topics.in_force(None, CHANNEL, GUILD)).slug == "operation-1027"
    assert (await topics.in_force(None, OTHER_CHANNEL, GUILD)).slug == "test-veldra"
    assert (await topics.in_force(None, CHANNEL, GUILD + 1)).slug == "operation-1027"
    assert (await topics.in_force("test-veldra", CHANNEL, GUILD)).slug == "test-veldra"


async def test_an_unknown_topic_gets_the_closest_names(services: Services):
    with pytest.raises(NotFound) as found:
        await services.topics.in_force("test-veldar", None, None)
    assert found.value.names and found.value.names[0] == "test-veldra"


async def test_names_resolve_only_within_their_topic(services: Services):
    veldra, seed = services.briefing_for("test-veldra"), services.briefing_for("operation-1027")
    profile = render_text(await veldra.actor(ActorQuery(name="Alliance")))
    assert "Upper River Alliance" in profile and "Three Brotherhood" not in profile
    with pytest.raises(NotFound) as in_seed:  # several alliances in the seed: suggestions, all of its own
        await seed.actor(ActorQuery(name="Alliance"))
    assert in_seed.value.names and not any("Upper River" in name for name in in_seed.value.names)
    with pytest.raises(NotFound):
        await seed.event(EventQuery(name="dam closure"))
    assert all("Veldra" not in label for label, _ in await seed.suggest("actor", "Council"))
    assert any("Veldra" in label for label, _ in await veldra.suggest("actor", "Council"))
    # Both dossiers have a "Beijing": each answers with its own stakes.
    assert "grain exports" in render_text(await veldra.stakes(StakesQuery()))
    assert "grain exports" not in render_text(await seed.stakes(StakesQuery()))


async def test_a_fact_of_another_topic_is_named_not_shown(services: Services):
    veldra = services.briefing_for("test-veldra")
    seed_fact = (await services.store.ranked_search(1, "air superiority", None, 1))[0].fact
    with pytest.raises(NotFound, match=r"belongs to .*operation-1027"):
        await veldra.fact(FactQuery(id=seed_fact.id))


async def test_search_in_every_topic_labels_each_fact_with_its_topic(services: Services):
    text = render_text(await services.topics.search_everywhere("Beijing trade"))
    assert "[Veldra water dispute (fictional test data)]" in text
    assert "[Operation 1027" in text or "Myanmar" in text


async def test_a_write_to_one_topic_leaves_the_others_cached_answers_alone(tmp_path: Path):
    services = await _services(tmp_path / "store.db")
    try:
        seed, veldra = services.briefing_for("operation-1027"), services.briefing_for("test-veldra")
        await seed.brief(BriefQuery())
        await veldra.brief(BriefQuery())
        await services.curator_for("test-veldra").add_fact(_fact("Floodgates upstream were found rusted shut."), MOD)
        hits = seed.answers.hits
        await seed.brief(BriefQuery())
        assert seed.answers.hits == hits + 1, "the other topic's cached brief was thrown away"
        misses = veldra.answers.misses
        await veldra.search(SearchQuery(query="floodgates rusted"))
        await veldra.brief(BriefQuery())
        assert veldra.answers.misses == misses + 2
        # Another process writing to the seed topic: only the seed topic's answers are made again.
        other = sqlite3.connect(tmp_path / "store.db")
        with other:
            other.execute("UPDATE facts SET status = 'retracted' WHERE key = 'o1027-001'")
        other.close()
        v_hits, s_misses = veldra.answers.hits, seed.answers.misses
        await veldra.brief(BriefQuery())
        await seed.brief(BriefQuery())
        assert veldra.answers.hits == v_hits + 1 and seed.answers.misses == s_misses + 1
    finally:
        await services.close()


def _fact(statement: str) -> FactFields:
    return FactFields(
        statement=statement,
        kind="event",  # type: ignore[arg-type]
        actors=["Alliance"],
        source_title="Invented inspection report",
        as_of="2024-03-03",  # type: ignore[arg-type]
        reliability="C",  # type: ignore[arg-type]
        credibility=3,
    )


async def test_curation_writes_go_to_the_topic_and_resolve_names_there(services: Services):
    fact_id = await services.curator_for("test-veldra").add_fact(_fact("Sluice keepers went on strike."), MOD)
    fact = await services.store.fact(fact_id)
    veldra = await services.store.topic("test-veldra")
    assert fact is not None and veldra is not None and fact.topic_id == veldra.id
    assert [a.slug for a in fact.actors] == ["river-alliance"]
    edit = await services.curator_of_fact(fact_id)
    assert edit.briefing.topic_slug == "test-veldra"


async def test_topics_are_added_listed_retired_and_removed_only_when_empty(services: Services):
    topics = services.topics
    await topics.add(TopicAddRequest(slug="sudan-test", title="Sudan (test)"), MOD)
    with pytest.raises(UserError, match="exists already"):
        await topics.add(TopicAddRequest(slug="sudan-test", title="Again"), MOD)
    listing = render_text(await topics.listing(CHANNEL, GUILD))
    assert "Sudan (test)" in listing and "0 facts" in listing and "default here" in listing
    assert "operation-1027" in listing.split("default here")[0].splitlines()[-1]
    with pytest.raises(UserError, match="Retire it instead"):
        await topics.remove(TopicRemoveRequest(topic="test-veldra"), MOD)
    said = await topics.edit(TopicEditRequest(topic="test-veldra", retired=True), MOD)
    assert "retired" in said
    assert all(slug != "test-veldra" for _, slug in await topics.suggest(""))
    assert "(retired)" in render_text(await topics.listing(None, None))
    # Its record stays, and it still answers when named.
    assert "Veldra" in render_text(await services.briefing_for("test-veldra").brief(BriefQuery()))
    with pytest.raises(UserError, match="retired"):
        await topics.use(TopicUseRequest(topic="test-veldra"), GUILD, MOD)
    assert "removed" in await topics.remove(TopicRemoveRequest(topic="sudan-test"), MOD)
    assert await services.store.topic("sudan-test") is None
    with pytest.raises(UserError, match="DEFAULT_TOPIC"):
        await topics.remove(TopicRemoveRequest(topic="operation-1027"), MOD)


async def test_a_pack_with_a_new_slug_creates_its_topic_on_record(services: Services):
    assert {t.slug for t in await services.store.topics()} == {"operation-1027", "test-veldra"}
    rows = await services.store.rows("SELECT topic_slug, action FROM topic_changes ORDER BY id")
    assert [tuple(r) for r in rows] == [("operation-1027", "add"), ("test-veldra", "add")]
