"""When two statements make the same claim: the one rule for moderators' writes, pack imports and answers.

A fact that restates another splits its history and its citations, and an answer that lists both says one
thing twice. The test is rapidfuzz's token-set ratio over folded text, which ignores word order and
repetition and scores a statement whose words are all in the other as a match ("the frontier with China"
against "Myanmar's frontier with China"). That ratio alone also matches statements that differ only in the
name they are about ("making ground in Shan State" against "… in Kayah State"), which are different claims:
so two statements that each carry a name or a number the other lacks are never the same claim.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

from bot.models import normalise
from bot.store.stemming import stems

#: Token-set similarity (0-100) from which two statements count as the same claim.
NEAR_DUPLICATE = 90
# Words that start a sentence with a capital without being names.
_FUNCTION_WORDS = frozenset(
    "a about after against all an and any as at before by despite during for from in into it its more most no"
    " not of on one only or over since some that the their these they this those to under until when where"
    " which while with without".split()
)
_WORD = re.compile(r"[\w'’%-]+")
_DIGIT = re.compile(r"\d")


def _names_and_numbers(text: str) -> set[str]:
    """The words that say what a statement is about: capitalised names, and anything with a digit.

    A sentence's first word is capitalised anyway, so it counts only when it is not a function word.
    """
    found = set()
    for i, word in enumerate(_WORD.findall(text)):
        if _DIGIT.search(word) or (word[0].isupper() and not (i == 0 and word.casefold() in _FUNCTION_WORDS)):
            found.add(_fold_word(word))
    return found


@functools.lru_cache(maxsize=4096)
def _fold_word(word: str) -> str:
    """A name or number folded as names are (`normalise`); the same few names recur in every statement."""
    return normalise(word).replace(" ", "")


@functools.lru_cache(maxsize=4096)
def _folded(text: str) -> tuple[str, frozenset[str]]:
    """A statement folded for comparison, and its names and numbers.

    Kept, since an answer compares each statement with every other one it shows, and folding costs more
    than comparing.
    """
    return normalise(text), frozenset(_names_and_numbers(text))


def same_claim(one: str, other: str) -> bool:
    """Whether two statements say nearly the same thing about the same things.

    An answer compares every statement it shows with every other, so the cheap test (names and numbers)
    runs first, and the cut-off lets rapidfuzz stop as soon as a pair falls short. Pairs are not kept: at
    100,000 facts a cache of them grew the bot by megabytes over a run, for little saved.
    """
    (folded_one, mine), (folded_other, theirs) = _folded(one), _folded(other)
    if mine - theirs and theirs - mine:
        return False
    return fuzz.token_set_ratio(folded_one, folded_other, score_cutoff=NEAR_DUPLICATE) >= NEAR_DUPLICATE


#: Words outlets use for one happening, each to the concept it reports. A restatement seldom shares its
#: verb ("captured" and "seized"), so the meaning is compared through these, after stemming.
_CONCEPTS = {
    "capture": "captur seiz took take taken overran overrun fell fall fallen control won win",
    "kill": "kill dead di die death fatal slain",
    "wound": "wound injur hurt",
    "attack": "attack strike struck shell bomb airstrik assault offens raid",
    "withdraw": "withdrew withdraw retreat abandon pull",
    "flee": "fled flee displac evacu refuge",
    "truce": "ceasefir truce paus halt",
    "talk": "talk negoti meet met mediat",
    "arrest": "arrest detain captiv",
    "close": "shut block closur seal",
    "reopen": "reopen resum",
}
_CONCEPT_OF = {word: concept for concept, words in _CONCEPTS.items() for word in words.split()}
_NUMBER = re.compile(r"\d[\d,.]*")


@dataclass(frozen=True, slots=True)
class Claim:
    """A statement with what it is about (actors', places' and events' slugs) and the day it describes."""

    statement: str
    about: frozenset[str]
    day: date


def figures(text: str) -> frozenset[str]:
    """The numbers a statement gives, as written without thousands separators: {"1500", "2024"}."""
    return frozenset(m.group().rstrip(".,").replace(",", "") for m in _NUMBER.finditer(text))


def _concepts(text: str) -> frozenset[str]:
    return frozenset(c for s in stems(text) if (c := _CONCEPT_OF.get(s)))


def restates(one: Claim, other: Claim) -> bool:
    """Whether two outlets' statements report the same claim, each in its own words.

    The same claim is about the same things (the one's actors, places and events all among the other's, at
    least one shared), on the same day give or take one (outlets date by their own time zone and deadline),
    with the same figures, and meaning the same: reporting the same happening (`_CONCEPTS`), or nearly the
    same words (`same_claim`). Figures that differ make a conflicting report (`disputes`), not the same one.
    """
    return _same_but_figures(one, other) and figures(one.statement) == figures(other.statement)


def disputes(one: Claim, other: Claim) -> bool:
    """Whether two reports of one happening disagree on its figures: 298 killed against 1,500.

    Both are kept, as sources of one fact, so that an answer shows the range and who says what instead of
    one silently winning. Other figures may as well be another report (fighting near another town the
    topic does not know yet), so the names each gives must be among the other's as well.
    """
    mine, theirs = figures(one.statement), figures(other.statement)
    if not (mine and theirs) or mine == theirs:
        return False
    names = [{n for n in _names_and_numbers(c.statement) if not _DIGIT.search(n)} for c in (one, other)]
    return (names[0] <= names[1] or names[1] <= names[0]) and _same_but_figures(one, other)


def one_claim(one: Claim, other: Claim) -> bool:
    """Whether two reports are of one claim, agreeing (`restates`) or disagreeing on its figures (`disputes`)."""
    return restates(one, other) or disputes(one, other)


def differing_figures(statement: str, says: str) -> tuple[list[str], list[str]]:
    """The figures, as written, that a statement gives and another report does not, and the other way round."""
    mine, theirs = figures(statement), figures(says)
    return _as_written(statement, mine - theirs), _as_written(says, theirs - mine)


def _as_written(text: str, wanted: frozenset[str]) -> list[str]:
    found = (m.group().rstrip(".,") for m in _NUMBER.finditer(text))
    return list(dict.fromkeys(f for f in found if f.replace(",", "") in wanted))


def _same_but_figures(one: Claim, other: Claim) -> bool:
    if not (one.about and other.about) or not (one.about <= other.about or other.about <= one.about):
        return False
    if abs((one.day - other.day).days) > 1:
        return False
    mine, theirs = _concepts(one.statement), _concepts(other.statement)
    if mine or theirs:
        return mine == theirs
    return same_claim(_without_figures(one.statement), _without_figures(other.statement))


def _without_figures(text: str) -> str:
    return _NUMBER.sub("", text)
