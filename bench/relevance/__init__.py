"""Measurement 6, relevance: does /search put the fact that answers a question first?

`questions.yaml` holds questions written from the seed article before the ranking was tuned, and
`held_out.yaml` new ones written after it, never used to tune; each names the seed pack's facts that answer
it. `seed` loads the seed pack into a fresh store and reports top-1, top-3 and the mean reciprocal rank.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.report import Row, verdict
from bot.packs import read_pack
from bot.store import Store
from bot.store.writes import apply_pack

HERE = Path(__file__).resolve().parent
SEED_PACK = HERE.parents[1] / "bot" / "seed_packs" / "operation-1027.yaml"
QUESTION_FILES = {
    "original": HERE / "questions.yaml",
    "held-out": HERE / "held_out.yaml",
    "held-out 2": HERE / "held_out_2.yaml",
}
#: How many results a question is judged on: what /search shows.
SHOWN = 8
GOALS = {"top-1": 0.85, "top-3": 0.97, "MRR": 0.9}


@dataclass(frozen=True)
class Question:
    """A question as a reader types it, the facts (by key) that answer it, and its form (who, typo, …)."""

    text: str
    answers: tuple[str, ...]
    form: str


@dataclass(frozen=True)
class Figures:
    """How well a ranking answered a set of questions."""

    questions: int
    top1: float
    top3: float
    mrr: float
    misses: tuple[tuple[Question, int | None], ...]


def load(path: Path) -> list[Question]:
    """The questions of one file (an absent file has none)."""
    if not path.exists():
        return []
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [Question(q["q"], tuple(q["answers"]), q.get("form", "")) for q in doc.get("questions") or []]


def rank(found: Sequence[str], answers: Sequence[str]) -> int | None:
    """The 1-based position of the first answering fact among those found, None when none was shown."""
    return next((i + 1 for i, key in enumerate(found) if key in answers), None)


def figures(questions: Sequence[Question], ranks: Sequence[int | None]) -> Figures:
    """Top-1, top-3 (shares of questions) and the mean reciprocal rank (0 for an unanswered question)."""
    n = len(questions) or 1
    return Figures(
        questions=len(questions),
        top1=sum(r == 1 for r in ranks) / n,
        top3=sum(r is not None and r <= 3 for r in ranks) / n,
        mrr=sum(1 / r for r in ranks if r) / n,
        misses=tuple((q, r) for q, r in zip(questions, ranks, strict=True) if r != 1),
    )


async def seed_store(path: Path | str) -> tuple[Store, int]:
    """A store at `path` (or a PostgreSQL URL) with the seed pack applied, and the pack's topic id."""
    pack = read_pack(SEED_PACK)
    store = await Store.open(path)
    await apply_pack(store.db, pack)
    topic = await store.topic(pack.topic.slug)
    assert topic is not None
    return store, topic.id


async def ask(store: Store, topic_id: int, questions: Sequence[Question]) -> list[int | None]:
    """Each question through `Store.search` as /search asks it; the rank of its first answer."""
    ranks = []
    for question in questions:
        found = await store.search(topic_id, question.text, None, SHOWN)
        ranks.append(rank([f.key for f in found], question.answers))
    return ranks


async def measure_seed(target: str | None = None) -> dict[str, Figures]:
    """Figures for each question file, against the seed pack in a throw-away store (or an empty one at `target`)."""
    with tempfile.TemporaryDirectory(prefix="relevance-") as tmp:
        store, topic_id = await seed_store(target or Path(tmp) / "seed.db")
        try:
            found = {}
            for name, path in QUESTION_FILES.items():
                questions = load(path)
                if questions:
                    found[name] = figures(questions, await ask(store, topic_id, questions))
            return found
        finally:
            await store.close()


def seed_rows(found: dict[str, Figures]) -> list[Row]:
    """The seed pack's figures as table rows; goals apply to every question set."""
    rows = []
    for name, f in found.items():
        note = f"seed pack, {f.questions} {name} questions"
        for figure, value in (("top-1", f.top1), ("top-3", f.top3), ("MRR", f.mrr)):
            goal = GOALS[figure]
            shown = value if figure == "MRR" else value * 100
            unit = "" if figure == "MRR" else "%"
            rows.append(
                Row(
                    f"relevance {figure}",
                    None,
                    round(shown, 3 if figure == "MRR" else 1),
                    unit,
                    goal=f"≥ {goal:g}" if figure == "MRR" else f"≥ {goal * 100:g} %",
                    verdict=verdict(value >= goal),
                    note=note,
                )
            )
    return rows


def report_misses(found: dict[str, Figures]) -> str:
    """The questions not answered first, for reading after a run."""
    lines = []
    for name, f in found.items():
        for question, r in f.misses:
            lines.append(f"  [{name}] rank {r or '-'}: {question.text}  (answers: {', '.join(question.answers)})")
    return "\n".join(lines)
