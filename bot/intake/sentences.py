"""From article text to candidate statements: sentences, what each names, the day it reports, who claims it.

A sentence is a candidate when it is about the topic: it names a known actor, place or event by any of
their names (folded as `bot.models.normalise` folds them, so "People’s Defense Forces" and "peoples
defense forces" meet), or one of the topic's own terms. In an article that is about the topic, a sentence
that names only names the dossier does not know yet ("the Yunnan provincial government said …") is a
candidate too when it attributes its claim or names someone, and talks about the crisis (fighting, its toll,
talks, borders, roads and prices): the dossier grows from such reports.
Questions, fragments, over-long sentences and site furniture (`bot.intake.furniture`) are not statements
and are left out.

Each candidate stands alone: a sentence opening with a pronoun or a phrase that points back ("He said …",
"Both sides …", "The group …") is resolved from the sentences before it, the added words in square
brackets as editors write them ("[Junta spokesman Zaw Min Tun] said …"), or left out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from bot.intake.claimants import Attribution, attribution
from bot.intake.days import Day, Found, find_days
from bot.intake.furniture import is_furniture, story_lines
from bot.intake.language import script_language
from bot.models import STATEMENT_MAX, DatePrecision, FactKind, normalise
from bot.store.names import Entity

#: A sentence shorter than this says too little to stand alone as a fact.
MIN_SENTENCE = 40
#: The same in Chinese script, where a character carries what a word does.
MIN_SENTENCE_HAN = 12
#: Sentences naming the topic's names or terms from which an article is about the topic, so that its
#: sentences naming only names the dossier does not know yet are candidates too.
ON_TOPIC = 2
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
# Chinese and Burmese end a sentence with their own full stops, with no space after.
_SCRIPT_BOUNDARY = re.compile(r"(?<=[。！？။])(?![”」』）\"'’])\s*")
# A sentence's opening that points back to something said before it: pronouns and phrases that must be
# resolved or the sentence left out (`_BARE`), and definite descriptions resolved when the sentence before
# names what they point to, kept as written otherwise.
_POINTER = re.compile(
    r"^(?P<lead>(?:(?:on|in|at|earlier|later|meanwhile|however|separately)\b[^,]{0,30},\s*)?)"
    r"(?P<pointer>he|she|they|we|it|this|these|those|both sides|the two sides|the group|the alliance|"
    r"the ministry|the office|the agency|the militia|the organi[sz]ation)\b(?P<verb>\s+(?:also\s+|later\s+)?\w+)?",
    re.IGNORECASE,
)
_BARE = frozenset(
    {"he", "she", "they", "we", "it", "this", "these", "those", "both sides", "the two sides", "the group"}
)
_PERSONAL = frozenset({"he", "she", "they", "we"})
_SPEECH = re.compile(
    r"^\s+(?:also\s+|later\s+)?(said|says|told|added|claimed|claims|announced|stated|warned|confirmed|denied|insisted)$",
    re.IGNORECASE,
)
_INNER_POINTER = re.compile(r"\b(the group|the alliance|kelompok itu|kelompok tersebut)\b", re.IGNORECASE)
_CALENDAR_WORDS = frozenset(
    "january february march april may june july august september october november december monday tuesday"
    " wednesday thursday friday saturday sunday i".split()
)
_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]*")
# What crisis reporting talks about: fighting, its toll, talks, and what it does to borders, roads and
# markets. A sentence naming only names the dossier does not know yet must talk about one of these to be a
# candidate, so a football league's spokesman in a news round-up is not.
_CRISIS = re.compile(
    r"\b(fight|battle|clash|attack|offensive|troop|soldier|army|armies|military|armed|rebel|militia|junta|regime|"
    r"ceasefire|truce|talks|peace|shell|bomb|air ?strike|drone|artillery|kill|dead|death|wound|injur|casualt|"
    r"civilian|displac|fled|flee|refugee|shelter|camp|aid\b|humanitarian|relief|curfew|martial|border|cross|"
    r"gate|checkpoint|highway|road|trade|trader|price|goods|fuel|rice|food|medicine|shortage|surrender|captur|"
    r"seiz|outpost|base|battalion|command|police|arrest|conscript|security|evacuat|stranded|scam|"
    r"pasukan|tentara|gencatan|pertempuran|serangan|pengungsi|perbatasan|militer)"
    r"|停火|冲突|战事|交火|武装|军|难民|边境|口岸|和谈|撤离|伤亡|တိုက်ပွဲ|စစ်|ထွက်ပြေး|နယ်စပ်",
    re.IGNORECASE,
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
    """A candidate statement: what it names, the day it reports, who claims it, and a first guess at its kind.

    `stated_day` is None when the sentence states no day (the candidate then takes the article's date, and
    `day_note` says so); at month precision it is the month's first day. `claimant` is who makes the claim as
    the report wrote it, `claimant_names` the known actors that phrase names.
    """

    text: str
    names: list[Known]
    stated_day: date | None
    kind: FactKind
    day_precision: DatePrecision = DatePrecision.DAY
    day_note: str | None = None
    claimant: str | None = None
    claimant_names: list[Known] = field(default_factory=list)
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
    """Paragraphs split into sentences, not at "U.S." or "Gen." or "Nov." in the middle of one.

    Chinese and Burmese sentences end at their own full stops (。 ။), which need no space after them.
    """
    sentences: list[str] = []
    for line in text.splitlines():
        for paragraph in _SCRIPT_BOUNDARY.split(" ".join(line.split())):
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


def stated_day(sentence: str, latest: date, published: date | None = None) -> date | None:
    """The first day the sentence reports (27 October 2023, Oct. 27, on Friday …), not after `latest`.

    Days without a year and relative days ("on Friday", "yesterday") count from `published`, and are not
    read without it.
    """
    found = find_days(sentence, published, latest)
    return found[0].day.day if found else None


def guess_kind(sentence: str) -> FactKind:
    """Figure when it counts, assessment when it judges or forecasts, event otherwise; moderators correct it."""
    if _FIGURE.search(sentence):
        return FactKind.FIGURE
    if _ASSESSMENT.search(sentence):
        return FactKind.ASSESSMENT
    return FactKind.EVENT


@dataclass
class _Context:
    """What the sentence before said, for resolving the next one's pointers and its day."""

    text: str
    names: list[Known]
    attribution: Attribution | None
    claimant_names: list[Known]
    day: Day | None


def _antecedent(pointer: str, speaks: bool, before: list[_Context]) -> tuple[str, list[Known], _Context] | None:
    """What `pointer` points to in the sentences before (the nearest last), as words and the actors they name."""
    if not before:
        return None
    last = before[-1]
    if pointer in ("both sides", "the two sides"):
        for context in reversed(before[-2:]):
            actors = [k for k in context.names if k.entity == "actor"]
            if len(actors) == 2:
                return f"{actors[0].name} and {actors[1].name}", actors, context
        return None
    if pointer in _PERSONAL or pointer in ("it", "this", "these", "those"):
        if pointer not in _PERSONAL and not speaks:
            return None
        if last.attribution is not None:
            return last.attribution.claimant, last.claimant_names, last
        if pointer in ("they", "it"):
            actors = [k for k in last.names if k.entity == "actor"]
            if len(actors) == 1:
                return actors[0].name, actors, last
        return None
    noun = pointer.split()[-1]
    said = last.attribution
    if said is not None and (noun in said.claimant.lower() or (noun == "group" and last.claimant_names)):
        return said.claimant.split(",")[0], last.claimant_names, last
    for context in reversed(before[-2:]):
        actors = [k for k in context.names if k.entity == "actor"]
        named = [k for k in actors if noun in k.name.lower()] or (actors if noun == "group" else [])
        if named:
            return named[0].name, named[:1], context
    return None


def _stand_alone(sentence: str, before: list[_Context]) -> tuple[str, list[Known], _Context | None, bool] | None:
    """The sentence with its pointer resolved in brackets, or as it is when it has none; None to leave it out.

    Also what it was resolved from, and whether the pointer is who speaks ("He said …").
    """
    match = _POINTER.match(sentence)
    if match is None:
        return sentence, [], None, False
    pointer = " ".join(match["pointer"].lower().split())
    speaks = bool(match["verb"] and _SPEECH.match(match["verb"]))
    found = _antecedent(pointer, speaks, before)
    if found is None:
        return None if pointer in _BARE else (sentence, [], None, False)
    words, actors, context = found
    words = words[0].upper() + words[1:] if not match["lead"] else words
    return f"{match['lead']}[{words}]{sentence[match.end('pointer') :]}", actors, context, speaks


def _names_someone(sentence: str) -> bool:
    """Whether a sentence names a person, a place or an organisation (a capitalised word after its first)."""
    words = _CAPITALISED.findall(sentence)[1:] if sentence[:1].isupper() else _CAPITALISED.findall(sentence)
    return any(word.lower().strip("’'") not in _CALENDAR_WORDS for word in words)


def _choose_day(days: list[Found], said: Attribution | None) -> Day | None:
    """The day the sentence reports: one in the reported content before the day it was said."""
    if said is not None:
        content = [f for f in days if f.end <= said.start or f.start >= said.end]
        if content:
            return content[0].day
    return days[0].day if days else None


def _claimant_names(said: Attribution | None, gazetteer: Gazetteer, before: list[_Context]) -> list[Known]:
    """The known actors a claimant phrase names; "a spokeswoman for the group" names the group before it."""
    if said is None:
        return []
    # "The junta's acting president" names the junta, and "Myanmar's military government" its military.
    names = gazetteer.find(said.claimant)[0] + gazetteer.find(re.sub(r"['’]s\b", "", said.claimant))[0]
    actors = list(dict.fromkeys(k for k in names if k.entity == "actor"))
    if not actors and _INNER_POINTER.search(said.claimant) and before:
        last = before[-1]
        actors = last.claimant_names or [k for k in last.names if k.entity == "actor"][:1]
    return actors


def _too_short(sentence: str) -> bool:
    minimum = MIN_SENTENCE_HAN if script_language(sentence) == "zh" else MIN_SENTENCE
    return len(sentence) < minimum


def candidates(
    text: str, gazetteer: Gazetteer, latest: date, *, published: date | None = None, language: str = "en"
) -> list[Sentence]:
    """The sentences of `text` that are about the topic, each once, standing alone, in reading order.

    `published` is the article's own date, from which relative days ("on Wednesday", "Oct. 27") count;
    `language` is the report's (`bot.intake.language.detect_language`), which each candidate carries.
    """
    sentences = [s for s in split_sentences("\n".join(story_lines(text)))[:MAX_SENTENCES] if not is_furniture(s)]
    found_names = [gazetteer.find(s) for s in sentences]
    on_topic = sum(1 for names, term in found_names if names or term) >= ON_TOPIC
    fallback = "day not stated; the article's date" if published else "day not stated; the day it was read"
    found: list[Sentence] = []
    seen: set[str] = set()
    before: list[_Context] = []
    for sentence, (names, term) in zip(sentences, found_names, strict=True):
        standing = _stand_alone(sentence, before)
        if standing is None:
            before.append(_Context(sentence, names, None, [], None))
            continue
        text_alone, pointed, antecedent, speaks_on = standing
        if text_alone != sentence:
            names, term = gazetteer.find(text_alone)
            names = names + [k for k in pointed if k not in names]
        said = attribution(text_alone, language)
        claimant_names = _claimant_names(said, gazetteer, before) or (pointed if said and said.start == 0 else [])
        day = _choose_day(find_days(text_alone, published, latest), said)
        if day is None and antecedent is not None and speaks_on:
            # "He said …" after "X said on Tuesday …" goes on with what X said that day.
            day = antecedent.day
        before.append(_Context(text_alone, names, said, claimant_names, day))
        if _too_short(text_alone) or len(text_alone) > STATEMENT_MAX or text_alone.endswith(("?", "？")):
            continue
        key = normalise(text_alone)
        if key in seen:
            continue
        new_names = on_topic and (said is not None or _names_someone(text_alone)) and _CRISIS.search(text_alone)
        if not (names or term or new_names):
            continue
        seen.add(key)
        found.append(
            Sentence(
                text_alone,
                names,
                day.day if day else None,
                guess_kind(text_alone),
                day_precision=day.precision if day else DatePrecision.DAY,
                day_note=day.note if day else fallback,
                claimant=said.claimant if said else None,
                claimant_names=claimant_names,
                language=language,
            )
        )
    return found


def sentence_key(topic_id: int, statement: str) -> str:
    """What makes two candidates the same sentence: the topic and its folded words."""
    return hashlib.sha256(f"{topic_id}\n{normalise(statement)}".encode()).hexdigest()
