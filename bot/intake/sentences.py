"""From article text to candidate statements: sentences, what each names, the day it states.

A sentence is a candidate when it is about the topic: it names a known actor, place or event by any of
their names (folded as `bot.models.normalise` folds them, so "People’s Defense Forces" and "peoples
defense forces" meet), or one of the topic's own terms. Questions, fragments and over-long sentences are
not statements and are left out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from bot.models import STATEMENT_MAX, DatePrecision, FactKind, normalise
from bot.store.names import Entity

#: A sentence shorter than this says too little to stand alone as a fact.
MIN_SENTENCE = 40
#: Names shorter than this (folded) are too ambiguous to link on their own ("sa", "aa").
MIN_NAME = 3
#: Sentences looked at per article; candidates are a fraction of these.
MAX_SENTENCES = 400

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st gen lt col maj capt sgt cpl adm prof sen rep gov pres jr sr inc ltd co corp vs etc approx"
    " no nos fig jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.g i.e a.m p.m".split()
)
# A full stop, question or exclamation mark (and any closing quotes or brackets), then space, then what
# can start a sentence.
_BOUNDARY = re.compile(r"([.!?…]+[\"”’')\]]*)\s+(?=[\"“‘'(\[]?[A-Z0-9])")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATES = (
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>\d\d)-(?P<day>\d\d)\b"),
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE),
    re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE),
)
_FIGURE = re.compile(
    r"\d[\d,.]*\s*(%|percent\b|per cent\b)|\b\d[\d,.]*\s+(million|billion|thousand|hundred)\b"
    r"|\b\d[\d,.]*\s+(people|civilians|soldiers|troops|fighters|refugees|dead|killed|wounded|displaced)\b",
    re.IGNORECASE,
)
_ASSESSMENT = re.compile(
    r"\b(likely|unlikely|would|could|might|may|expected|appears?|seems?|probably|possibly)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Known:
    """A name the topic knows, and what it names."""

    entity: Entity
    slug: str
    name: str


@dataclass
class Gazetteer:
    """Every name of the topic's actors, places and events, and the topic's own terms, folded for matching."""

    names: dict[str, Known] = field(default_factory=dict)
    terms: set[str] = field(default_factory=set)
    longest: int = 1

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str, str, str]], terms: Iterable[str]) -> Gazetteer:
        """From (folded name, entity, slug, display name) rows and the topic's terms."""
        gazetteer = cls()
        for norm, entity, slug, name in rows:
            if len(norm) >= MIN_NAME and norm not in gazetteer.names:
                gazetteer.names[norm] = Known(entity, slug, name)  # type: ignore[arg-type]
        gazetteer.terms = {normalise(t) for t in terms if len(normalise(t)) >= MIN_NAME}
        phrases = list(gazetteer.names) + list(gazetteer.terms)
        gazetteer.longest = max((len(p.split()) for p in phrases), default=1)
        return gazetteer

    def find(self, sentence: str) -> tuple[list[Known], bool]:
        """What a sentence names (longest names first, each once, in reading order) and whether it uses a topic term."""
        words = normalise(sentence).split()
        used = [False] * len(words)
        hits: list[tuple[int, Known]] = []
        term = False
        for n in range(min(self.longest, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                if any(used[i : i + n]):
                    continue
                phrase = " ".join(words[i : i + n])
                known = self.names.get(phrase)
                if known is not None:
                    hits.append((i, known))
                    used[i : i + n] = [True] * n
                elif phrase in self.terms:
                    term = True
                    used[i : i + n] = [True] * n
        ordered: list[Known] = []
        for _, known in sorted(hits, key=lambda hit: hit[0]):
            if known not in ordered:
                ordered.append(known)
        return ordered, term


@dataclass(frozen=True)
class Sentence:
    """A candidate statement: the sentence, what it names, the day it states and a first guess at its kind."""

    text: str
    names: list[Known]
    stated_day: date | None
    kind: FactKind
    #: How much of the stated day is known, and why not, when the article's own date had to stand in for it.
    day_precision: DatePrecision = DatePrecision.DAY
    day_note: str | None = None
    #: Who makes the claim, as written ("a spokesman for the MNDAA"), and the known actors that names.
    claimant: str | None = None
    claimant_names: list[Known] = field(default_factory=list)
    #: The language the sentence is in (ISO 639-1).
    language: str = "en"

    @property
    def actors(self) -> list[str]:
        """Slugs of the actors named (at most 25, as a fact allows)."""
        return [k.slug for k in self.names if k.entity == "actor"][:25]

    @property
    def place(self) -> str | None:
        """The first place named: a fact is about one place."""
        return next((k.slug for k in self.names if k.entity == "place"), None)

    @property
    def event(self) -> str | None:
        """The first event named."""
        return next((k.slug for k in self.names if k.entity == "event"), None)


def split_sentences(text: str) -> list[str]:
    """Paragraphs split into sentences, not at "U.S." or "Gen." or "Nov." in the middle of one."""
    sentences: list[str] = []
    for paragraph in text.splitlines():
        paragraph = " ".join(paragraph.split())
        start = 0
        for match in _BOUNDARY.finditer(paragraph):
            before = paragraph[start : match.start(1)].rsplit(" ", 1)[-1].lower().rstrip(".")
            if match.group(1) == "." and (before in _ABBREVIATIONS or (len(before) == 1 and before.isalpha())):
                continue
            sentences.append(paragraph[start : match.end(1)].strip())
            start = match.end()
        if paragraph[start:].strip():
            sentences.append(paragraph[start:].strip())
    return sentences


def stated_day(sentence: str, latest: date) -> date | None:
    """The first real date the sentence states (27 October 2023, Oct. 27, 2023, 2023-10-27), not after `latest`."""
    for pattern in _DATES:
        for match in pattern.finditer(sentence):
            values = match.groupdict()
            month = int(values["mnum"]) if values.get("mnum") else _MONTHS[values["month"].lower()]
            try:
                day = date(int(values["year"]), month, int(values["day"]))
            except ValueError:
                continue
            if day <= latest:
                return day
    return None


def guess_kind(sentence: str) -> FactKind:
    """Figure when it counts, assessment when it judges or forecasts, event otherwise; moderators correct it."""
    if _FIGURE.search(sentence):
        return FactKind.FIGURE
    if _ASSESSMENT.search(sentence):
        return FactKind.ASSESSMENT
    return FactKind.EVENT


def candidates(text: str, gazetteer: Gazetteer, latest: date) -> list[Sentence]:
    """The sentences of `text` that are about the topic, each once, in reading order."""
    found: list[Sentence] = []
    seen: set[str] = set()
    for sentence in split_sentences(text)[:MAX_SENTENCES]:
        if len(sentence) < MIN_SENTENCE or len(sentence) > STATEMENT_MAX or sentence.endswith("?"):
            continue
        key = normalise(sentence)
        if key in seen:
            continue
        names, term = gazetteer.find(sentence)
        if not (names or term):
            continue
        seen.add(key)
        found.append(Sentence(sentence, names, stated_day(sentence, latest), guess_kind(sentence)))
    return found


def sentence_key(topic_id: int, statement: str) -> str:
    """What makes two candidates the same sentence: the topic and its folded words."""
    return hashlib.sha256(f"{topic_id}\n{normalise(statement)}".encode()).hexdigest()
