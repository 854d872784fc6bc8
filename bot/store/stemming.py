"""Words as the full-text index holds them: unicode61 tokens, stemmed by Porter's algorithm.

FTS5 finds the candidates; ranking them needs to know which of a candidate's words matched which part of
the question, and FTS5 does not say. So the re-ranker tokenizes the few dozen candidates itself, the same
way: `tokens` folds case and accents and splits on anything not a letter or digit (FTS5's unicode61 with
remove_diacritics 2), and `stem` is M. F. Porter's 1980 algorithm as FTS5's `porter` tokenizer applies it
(tokens shorter than 3 or longer than 64 characters, and those with a character outside a-z, are left as
they are). Where the two could ever disagree, only a score moves: what matches is still FTS5's decision.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+")
_ASCII_WORD = re.compile(r"[a-z]+")
_VOWELS = frozenset("aeiou")


def tokens(text: str) -> list[str]:
    """The words of a text as the index splits and folds them, unstemmed."""
    folded = text.casefold()
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WORD.findall(folded)


def stems(text: str) -> list[str]:
    """The words of a text as the index holds them."""
    return [stem(t) for t in tokens(text)]


def _consonant(word: str, i: int) -> bool:
    ch = word[i]
    if ch in _VOWELS:
        return False
    if ch == "y":
        return i == 0 or not _consonant(word, i - 1)
    return True


def _measure(stem_: str) -> int:
    """Porter's measure: m in [C](VC){m}[V]."""
    m, i, n = 0, 0, len(stem_)
    while i < n and _consonant(stem_, i):
        i += 1
    while i < n:
        while i < n and not _consonant(stem_, i):
            i += 1
        if i >= n:
            break
        m += 1
        while i < n and _consonant(stem_, i):
            i += 1
    return m


def _has_vowel(stem_: str) -> bool:
    return any(not _consonant(stem_, i) for i in range(len(stem_)))


def _double_consonant(word: str) -> bool:
    return len(word) >= 2 and word[-1] == word[-2] and _consonant(word, len(word) - 1)


def _cvc(word: str) -> bool:
    if len(word) < 3:
        return False
    return (
        _consonant(word, len(word) - 3)
        and not _consonant(word, len(word) - 2)
        and _consonant(word, len(word) - 1)
        and word[-1] not in "wxy"
    )


def _replace(word: str, rules: tuple[tuple[str, str], ...], suffixes: tuple[str, ...], min_measure: int) -> str:
    if not word.endswith(suffixes):
        return word
    for suffix, replacement in rules:
        if word.endswith(suffix):
            base = word[: len(word) - len(suffix)]
            return base + replacement if _measure(base) > min_measure else word
    return word


_STEP2 = (
    ("ational", "ate"),
    ("tional", "tion"),
    ("enci", "ence"),
    ("anci", "ance"),
    ("izer", "ize"),
    ("bli", "ble"),
    ("alli", "al"),
    ("entli", "ent"),
    ("eli", "e"),
    ("ousli", "ous"),
    ("ization", "ize"),
    ("ation", "ate"),
    ("ator", "ate"),
    ("alism", "al"),
    ("iveness", "ive"),
    ("fulness", "ful"),
    ("ousness", "ous"),
    ("aliti", "al"),
    ("iviti", "ive"),
    ("biliti", "ble"),
    ("logi", "log"),
)
_STEP3 = (("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", ""))
#: Each step's suffixes at once, so that the many words that end in none of them are passed in one C call.
_STEP2_SUFFIXES = tuple(suffix for suffix, _ in _STEP2)
_STEP3_SUFFIXES = tuple(suffix for suffix, _ in _STEP3)
#: Longest first: the longest suffix that matches decides.
_STEP4 = tuple(
    sorted(
        "al ance ence er ic able ible ant ement ment ent ion ou ism ate iti ous ive ize".split(), key=len, reverse=True
    )
)


def _step1(word: str) -> str:
    if word.endswith(("sses", "ies")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if word.endswith("eed"):
        if _measure(word[:-3]) > 0:
            word = word[:-1]
        return _step1c(word)
    for suffix in ("ed", "ing"):
        if word.endswith(suffix) and _has_vowel(word[: -len(suffix)]):
            word = word[: -len(suffix)]
            if word.endswith(("at", "bl", "iz")):
                word += "e"
            elif _double_consonant(word) and word[-1] not in "lsz":
                word = word[:-1]
            elif _measure(word) == 1 and _cvc(word):
                word += "e"
            break
    return _step1c(word)


def _step1c(word: str) -> str:
    if word.endswith("y") and _has_vowel(word[:-1]):
        return word[:-1] + "i"
    return word


def _step4(word: str) -> str:
    # The longest suffix that matches decides, even when its condition then fails.
    if not word.endswith(_STEP4):
        return word
    for suffix in _STEP4:
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            if suffix == "ion" and not base.endswith(("s", "t")):
                return word
            return base if _measure(base) > 1 else word
    return word


def _step5(word: str) -> str:
    if word.endswith("e"):
        base = word[:-1]
        m = _measure(base)
        if m > 1 or (m == 1 and not _cvc(base)):
            word = base
    if _measure(word) > 1 and _double_consonant(word) and word.endswith("l"):
        word = word[:-1]
    return word


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """One folded token as the porter tokenizer stores it."""
    if len(token) < 3 or len(token) > 64 or not _ASCII_WORD.fullmatch(token):
        return token
    word = _step1(token)
    word = _replace(word, _STEP2, _STEP2_SUFFIXES, 0)
    word = _replace(word, _STEP3, _STEP3_SUFFIXES, 0)
    word = _step4(word)
    return _step5(word)
