"""Deterministic made-up words and names, Zipf-weighted like real text, that never fold to the same name twice."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator, Sequence

from bench import vocabulary as vocab
from bot.models import (
    normalise,
)


class Words:
    """Deterministic random text: Zipf-weighted statement words and made-up names that never collide."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set()
        made_up = self._made_up_words(20_000)
        self.vocabulary = list(dict.fromkeys([*vocab.FUNCTION_WORDS, *vocab.CRISIS_WORDS, *made_up]))
        weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(self.vocabulary))]
        self.cumulative = list(itertools.accumulate(weights))

    def _made_up_words(self, count: int) -> list[str]:
        words: dict[str, None] = {}
        while len(words) < count:
            words[self.syllables(self.rng.choice((2, 2, 3)))] = None
        return list(words)

    def syllables(self, count: int) -> str:
        """A pronounceable made-up word such as 'kyawnmin'."""
        rng = self.rng
        return "".join(
            rng.choice(vocab.ONSETS) + rng.choice(vocab.NUCLEI) + rng.choice(vocab.CODAS) for _ in range(count)
        )

    def text(self, low: int, high: int) -> str:
        """Between `low` and `high` words drawn from the Zipf-like vocabulary."""
        count = self.rng.randint(low, high)
        return " ".join(self.rng.choices(self.vocabulary, cum_weights=self.cumulative, k=count))

    def proper(self, syllables: int = 2) -> str:
        """A capitalised made-up proper name."""
        return self.syllables(syllables).capitalize()

    def claim(self, name: str) -> bool:
        """Reserve a name; False if its folded form is already used by another record of any kind."""
        norm = normalise(name)
        if not norm or norm in self.taken:
            return False
        self.taken.add(norm)
        return True

    def unique(self, make: Iterator[str] | Sequence[str]) -> str:
        """The first candidate name not yet taken."""
        for name in make:
            if self.claim(name):
                return name
        raise RuntimeError("ran out of candidate names")


def slugify(name: str, taken: set[str]) -> str:
    """A slug as a person would write it for this name, made unique with a number when needed."""
    base = re.sub(r"[^a-z0-9]+", "-", normalise(name)).strip("-")[:56] or "x"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def free_aliases(words: Words, candidates: Sequence[str]) -> list[str]:
    """The candidates whose folded forms are still free (each record's names must fold differently)."""
    return [a for a in candidates if words.claim(a)]
