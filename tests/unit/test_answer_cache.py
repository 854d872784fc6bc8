"""Answers are reused until the store changes, however it changes, and never outlive a write."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from bot.briefing.answer import Answer
from bot.briefing.cache import AnswerCache
from bot.briefing.queries import ActorQuery, SearchQuery, StakesQuery
from bot.briefing.service import Briefing
from bot.config import Settings
from bot.packs import parse_pack
from bot.services import Services
from bot.store import Store
from bot.store.writes import apply_pack
from tests.postgres import Server
from tests.unit.test_briefing import PACK, texts


async def test_the_same_question_is_answered_from_the_cache(briefing: Briefing) -> None:
    first = await briefing.actor(ActorQuery(name="junta"))
    again = await briefing.actor(ActorQuery(name="junta"))
    assert again is first
    assert (briefing.answers.hits, briefing.answers.misses) == (1, 1)
    other = await briefing.actor(ActorQuery(name="tnla"))
    assert other is not first
    assert "1 hits, 2 misses (33% answered from the cache)" in briefing.answers.report()


async def test_one_actor_named_three_ways_is_one_cached_answer(briefing: Briefing) -> None:
    by_slug = await briefing.actor(ActorQuery(name="junta"))
    assert await briefing.actor(ActorQuery(name="Tatmadaw")) is by_slug
    assert await briefing.actor(ActorQuery(name="tatmdaw")) is by_slug  # a typo of an alias
    assert (briefing.answers.hits, briefing.answers.misses) == (2, 1)
    stakes = await briefing.stakes(StakesQuery())
    assert await briefing.stakes(StakesQuery(stakeholder="beijing")) is stakes


async def test_a_write_through_the_store_shows_in_the_next_answer(briefing: Briefing) -> None:
    assert "enjoys complete air superiority" in texts(await briefing.search(SearchQuery(query="air superiority")))
    edited = PACK.replace("The junta still enjoys complete air superiority.", "The junta has lost its drones.")
    await apply_pack(briefing.store.db, parse_pack(edited))
    after = texts(await briefing.search(SearchQuery(query="air superiority")))
    assert "enjoys complete air superiority" not in after
    assert "lost its drones" in texts(await briefing.search(SearchQuery(query="drones")))


async def test_a_write_by_another_process_shows_in_the_next_answer(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "store.db")
    try:
        await apply_pack(store.db, parse_pack(PACK))
        briefing = Briefing(store, "crisis", "Beijing")
        assert "enjoys complete air superiority" in texts(await briefing.search(SearchQuery(query="air superiority")))
        # The CLI importing a pack while the bot runs: another connection, as another process would have.
        other = sqlite3.connect(tmp_path / "store.db")
        with other:
            other.execute("UPDATE facts SET status = 'retracted' WHERE key = 'f5'")
        other.close()
        assert "enjoys complete air superiority" not in texts(
            await briefing.search(SearchQuery(query="air superiority"))
        )
    finally:
        await store.close()


async def test_an_answer_made_while_a_write_landed_is_given_but_not_kept() -> None:
    version = [0]
    cache = AnswerCache(lambda: version[0], size=4)

    async def make() -> Answer:
        version[0] += 1  # a commit lands while the answer is being read
        await asyncio.sleep(0)
        return Answer(title="made")

    assert (await cache.answer("q", make)).title == "made"
    assert (await cache.answer("q", make)).title == "made"
    assert cache.misses == 2 and cache.hits == 0


async def test_the_least_recently_used_answer_goes_first_and_size_zero_keeps_none() -> None:
    cache = AnswerCache(lambda: 0, size=2)

    def maker(title: str):
        async def make() -> Answer:
            return Answer(title=title)

        return make

    for key in ("a", "b", "a", "c"):
        await cache.answer(key, maker(key))
    assert (await cache.answer("a", maker("new a"))).title == "a"
    assert (await cache.answer("b", maker("new b"))).title == "new b"
    off = AnswerCache(lambda: 0, size=0)
    for _ in range(2):
        await off.answer("a", maker("a"))
    assert (off.hits, off.misses) == (0, 0)


async def test_on_postgresql_a_write_by_another_process_shows_in_the_next_answer(postgres_server: Server) -> None:
    # Two stores on one database, as two bot processes (shards) or the bot and the CLI would have.
    url = await postgres_server.fresh()
    bot, other = await Store.open(url), await Store.open(url)
    try:
        await apply_pack(bot.db, parse_pack(PACK))
        settings = Settings(_env_file=None, default_topic="crisis", default_stakeholder="Beijing")  # type: ignore[call-arg]
        briefing = Services.build(settings, bot).briefing_for("crisis")
        assert "enjoys complete air superiority" in texts(await briefing.search(SearchQuery(query="air superiority")))
        async with other.db.transaction() as conn:
            await conn.execute("UPDATE facts SET status = 'retracted' WHERE key = 'f5'")
        assert "enjoys complete air superiority" not in texts(
            await briefing.search(SearchQuery(query="air superiority"))
        )
    finally:
        await bot.close()
        await other.close()
