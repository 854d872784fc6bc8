"""The relevance benchmark's questions (bench/relevance/) against the seed pack, and /search's ranking on them."""

from __future__ import annotations

import pytest

from bench import relevance
from bot.packs import read_pack
from tests.postgres import Server


@pytest.mark.parametrize("name", sorted(relevance.QUESTION_FILES))
def test_every_answer_named_is_a_fact_of_the_seed_pack(name: str) -> None:
    keys = {f.key for f in read_pack(relevance.SEED_PACK).facts}
    questions = relevance.load(relevance.QUESTION_FILES[name])
    unknown = [(q.text, k) for q in questions for k in q.answers if k not in keys]
    assert unknown == [], f"{relevance.QUESTION_FILES[name].name} names facts the seed pack lacks"


def test_the_original_questions_cover_every_form() -> None:
    questions = relevance.load(relevance.QUESTION_FILES["original"])
    assert len(questions) >= 60
    assert len({q.text for q in questions}) == len(questions)
    forms = {q.form for q in questions}
    assert {"who", "what", "when", "where", "why", "alias", "typo", "paraphrase"} <= forms


def test_figures() -> None:
    qs = [relevance.Question(str(i), ("a",), "who") for i in range(4)]
    f = relevance.figures(qs, [1, 2, None, 4])
    assert (f.top1, f.top3) == (0.25, 0.5)
    assert f.mrr == pytest.approx((1 + 1 / 2 + 1 / 4) / 4)
    assert relevance.rank(["x", "a", "b"], ("b", "a")) == 2
    assert relevance.rank(["x"], ("a",)) is None


#: Below this share of questions answered in the top 3, the ranking has regressed (the goal is 97 %).
TOP3_FLOOR = 0.95
#: The sets the floor was set on; held_out_2.yaml was written to measure what the ranking cannot do yet.
GUARDED = ("original", "held-out")


async def test_search_answers_the_benchmark_questions_in_its_top_three(store_target: str) -> None:
    found = {name: f for name, f in (await relevance.measure_seed(store_target)).items() if name in GUARDED}
    questions = sum(f.questions for f in found.values())
    top3 = sum(f.top3 * f.questions for f in found.values()) / questions
    assert top3 >= TOP3_FLOOR, f"top-3 {top3:.1%} of {questions} questions; not in the top 3:\n" + "\n".join(
        f"  {q.text} (rank {r or '-'})" for f in found.values() for q, r in f.misses if not r or r > 3
    )


async def test_postgresql_ranks_every_benchmark_question_as_sqlite_does(postgres_server: Server) -> None:
    # The same candidates, scores and order: the full-text rows hold SQLite's own tokens on both engines.
    sqlite, topic_id = await relevance.seed_store(":memory:")
    pg, pg_topic_id = await relevance.seed_store(await postgres_server.fresh())
    try:
        for path in relevance.QUESTION_FILES.values():
            for question in relevance.load(path):
                on_sqlite = await sqlite.ranked_search(topic_id, question.text, None, relevance.SHOWN)
                on_pg = await pg.ranked_search(pg_topic_id, question.text, None, relevance.SHOWN)
                assert [(h.fact.key, round(h.score, 9), h.tier, h.matched) for h in on_pg] == [
                    (h.fact.key, round(h.score, 9), h.tier, h.matched) for h in on_sqlite
                ], question.text
    finally:
        await sqlite.close()
        await pg.close()
