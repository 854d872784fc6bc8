"""The relevance benchmark's questions (bench/relevance/) against the seed pack, and /search's ranking on them."""

from __future__ import annotations

import pytest

from bench import relevance
from bot.packs import read_pack


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
