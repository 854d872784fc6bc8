"""Free-text search over facts: a question turned into terms, candidates found by FTS5, ranked by BM25F.

A question becomes terms, each counted once however many spellings it has: a known name ("Tatmadaw") is
the group of all its aliases, a phrase of the topic's thesaurus ("better armed") the group of its related
terms ("outgun"), any other content word itself, stemmed. Question filler ("what", "want", "thing") is a
stop word, and a word that matches no fact at all is dropped rather than allowed to block the rest (after
a look for the name it misspells, or, failing that, for words it begins).

FTS5 finds candidates in tiers, closest match first: every term (in the statement, or in the `entities`
column, which holds the names of what a fact is about), all terms but one, any term; at most `PER_TIER`
each, in the index's own order, so no tier costs more than reading a few dozen rows. Each expression is
confined to the topic asked about by the token in the index's `topic` column (`topic : t12 AND …`), so
FTS5 reads only that topic's rows, however many other topics the store holds. The candidates are
then scored in Python by BM25F (the statement weighted above the names of what a fact is about, a
thesaurus match below the word itself), with document frequencies counted over the whole store (every
topic) once per store version and capped, and sorted by tier (every term in the statement itself first of
all), then score, then grade and date. SQLite's own `bm25()` would rank the same way but costs 85 ms at a
million facts: it counts every term's documents on every query.

The module stays whole past 450 lines because it is one ranking: the weights that turn a question into
terms, the tiers that find candidates and the BM25F score that orders them are tuned against one another
(bench/relevance), and a change to one is read with the others beside it.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from rapidfuzz import fuzz

from bot.models import normalise
from bot.store import names as name_index
from bot.store.engine.base import Database
from bot.store.facts import Facts
from bot.store.reads import marks, up_to
from bot.store.records import FactRecord
from bot.store.stemming import stem, stems

STOP_WORDS = frozenset(
    "a about after against all an and any are as at be been before by can did do does for from had has have how"
    " in into is it its of on or over since so than that the their them there these they this to up was were"
    " what when where which who whom why will with would".split()
)
#: Words that shape a question but say nothing about what it is after.
QUESTION_FILLER = frozenset(
    "also anything been being could doing done each else ever going happen happened happening happens just"
    " know me much many my our please really say says should some something still tell thing things us very"
    " want wants way we whether whose you your".split()
)
IGNORED = STOP_WORDS | QUESTION_FILLER
#: Words left out when a thesaurus phrase is matched in a question ("controls the skies", "control of the skies").
GLUE = frozenset("a an the of to in on at for by with and".split())

#: The full-text columns a question's terms are matched in: never `topic`, which holds the topic's token.
TEXT_COLUMNS = "{statement entities}"
#: Candidates read per tier: enough to rank, few enough that no tier reads much.
PER_TIER = 40
#: Matches counted for a term's document frequency before the rest is estimated from how far they reached.
DF_CAP = 2000
#: BM25F: term saturation, length normalisation per field, and field weights.
K1 = 1.2
B_STATEMENT = 0.75
B_ENTITIES = 0.3
W_STATEMENT = 1.0
W_ENTITIES = 0.5
#: A match through the thesaurus counts this much of a match on the word itself.
RELATED_WEIGHT = 0.7
#: A word matched as a prefix ("displ") counts this much.
PREFIX_WEIGHT = 0.8
#: A fact of the kind a question asks for (a date for "when", a name for "who", "X is …" for "what is X")
#: scores this much more, among facts that match its words equally well.
ANSWER_KIND_BOOST = 1.25
#: Words that say when: a year, a month, a span of time.
_TIME_WORDS = frozenset(
    stem(w)
    for w in "january february march april may june july august september october november december jan feb mar"
    " apr jun jul aug sep sept oct nov dec day days week weeks month months year years decade decades since ago"
    " date dated".split()
)
_COPULA = frozenset("is are was were means".split())
_COPULA_STEMS = frozenset(stem(w) for w in _COPULA)
#: Names a misspelt word may stand for: how alike the spelling must be (rapidfuzz ratio, 0-100).
TYPO_RATIO = 80

Kind = Literal["name", "related", "word", "prefix"]


@dataclass(frozen=True)
class Spelling:
    """One way a term may appear in a fact: its words as typed (for FTS5) and as stemmed (for scoring)."""

    text: str
    stems: tuple[str, ...]
    weight: float = 1.0
    prefix: bool = False

    def fts(self) -> str:
        """The spelling as one FTS5 phrase; a prefix spelling ends in `*`."""
        return fts_phrase(self.text) + ("*" if self.prefix else "")

    def count(self, words: Sequence[str]) -> int:
        """How often this spelling occurs in a field's stemmed words.

        Most spellings (a name's many aliases) occur in none of a candidate's fields, so the first word is
        looked for at C speed before any slice is compared: the comparisons were a fifth of a search.
        """
        n = len(self.stems)
        if not n:
            return 0
        if self.prefix:
            head, last = self.stems[:-1], self.stems[-1]
            return sum(
                1
                for i in range(len(words) - n + 1)
                if tuple(words[i : i + n - 1]) == head and words[i + n - 1].startswith(last)
            )
        if n == 1:
            return words.count(self.stems[0])
        if self.stems[0] not in words:
            return 0
        return sum(1 for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == self.stems)


@dataclass(frozen=True)
class Term:
    """One thing a question looks for, however it is spelled; counted once in the score."""

    label: str
    kind: Kind
    spellings: tuple[Spelling, ...]

    def expression(self) -> str:
        """The term as an FTS5 expression: any of its spellings."""
        unique = list(dict.fromkeys(s.fts() for s in self.spellings))
        return unique[0] if len(unique) == 1 else "(" + " OR ".join(unique) + ")"


@dataclass(frozen=True)
class SearchHit:
    """A fact a search found, its score, and the words of the question it matched (as the reader typed them)."""

    fact: FactRecord
    score: float
    tier: int
    matched: tuple[str, ...]


@dataclass
class _Candidate:
    id: int
    tier: int
    statement: list[str]
    entities: list[str]
    reliability: str
    credibility: int
    as_of: str
    entity_names: list[str]
    score: float = 0.0
    matched: list[str] = field(default_factory=list)


@dataclass
class _Stats:
    """Per store version: facts indexed, average field lengths, document frequencies, thesauri."""

    version: Hashable
    documents: int = 0
    avg_statement: float = 1.0
    avg_entities: float = 1.0
    df: dict[str, int] = field(default_factory=dict)
    related: dict[int, dict[tuple[str, ...], list[str]]] = field(default_factory=dict)


_STATS: weakref.WeakKeyDictionary[Database, _Stats] = weakref.WeakKeyDictionary()


def topic_token(topic_id: int) -> str:
    """What the index's `topic` column holds for a fact of this topic (migration 0012)."""
    return f"t{topic_id:d}"


def in_text(expression: str) -> str:
    """An FTS5 expression confined to a fact's own text and names, never its topic's token."""
    return f"{TEXT_COLUMNS} : ({expression})"


def in_topic(topic_id: int, expression: str) -> str:
    """An FTS5 expression confined to one topic's rows: FTS5 skips every other topic's."""
    return f"topic : {topic_token(topic_id)} AND {in_text(expression)}"


def fts_phrase(text: str) -> str:
    """Quote text as one FTS5 phrase, so punctuation in a user's query is never FTS syntax."""
    return '"' + text.replace('"', '""') + '"'


def content_stems(text: str) -> tuple[str, ...]:
    """A phrase's words but the glue, stemmed: how the thesaurus is matched against a question."""
    return tuple(stem(w) for w in normalise(text).split() if w not in GLUE)


def _spelling(text: str, weight: float = 1.0, prefix: bool = False) -> Spelling:
    norm = normalise(text)
    return Spelling(norm, tuple(stems(norm)), weight, prefix)


class Search(Facts):
    """Search, which reads the full-text index on its own thread and hydrates what it found as `Facts` does."""

    async def search(self, topic_id: int, query: str, as_of: date | None, limit: int) -> list[FactRecord]:
        """Active facts for a free-text question, best answer first (see `ranked_search`)."""
        return [hit.fact for hit in await self.ranked_search(topic_id, query, as_of, limit)]

    async def ranked_search(self, topic_id: int, query: str, as_of: date | None, limit: int) -> list[SearchHit]:
        """Active facts for a free-text question, best answer first, each with its score and matched words."""
        terms = await self.question_terms(topic_id, query)
        if not terms or limit <= 0:
            return []
        stats = await self._stats()
        candidates: dict[int, _Candidate] = {}
        for tier, expression in enumerate(tier_expressions(terms)):
            match, matching = self.db.dialect.full_text("facts_fts", in_topic(topic_id, expression))
            rows = await self.rows(
                "SELECT f.id, facts_fts.statement, facts_fts.entities, f.reliability, f.credibility, f.as_of"
                f" FROM facts_fts JOIN facts f ON f.id = -facts_fts.rowid WHERE {match}"
                " AND f.topic_id = ? AND f.status = 'active' AND f.as_of <= ?"
                f" AND f.id NOT IN ({marks(list(candidates))}) ORDER BY facts_fts.rowid LIMIT ?",
                (matching, topic_id, up_to(as_of), *candidates, PER_TIER),
                conn=self._conn or self.db.searcher,
            )
            for r in rows:
                candidates[r[0]] = _Candidate(
                    r[0], tier + 1, stems(r[1]), stems(r[2]), r[3], r[4], r[5], r[2].split(" ; ") if r[2] else []
                )
            if len(candidates) >= limit:
                break
        asks = answer_kind(query, terms)
        for candidate in candidates.values():
            if _score(candidate, terms, stats) == len(terms) and candidate.tier == 1:
                candidate.tier = 0  # every term in the statement itself
            if asks and _gives(asks, candidate, terms):
                candidate.score *= ANSWER_KIND_BOOST
        ranked = sorted(
            candidates.values(),
            key=lambda c: (c.tier, -c.score, c.reliability, c.credibility, _negated_day(c.as_of), -c.id),
        )[:limit]
        facts = {f.id: f for f in await self.facts_by_id([c.id for c in ranked])}
        return [SearchHit(facts[c.id], c.score, c.tier, tuple(c.matched)) for c in ranked if c.id in facts]

    async def search_expressions(self, topic_id: int, query: str) -> list[str]:
        """The FTS5 expressions a question's candidates are read with, closest match first, each within its topic."""
        return [in_topic(topic_id, e) for e in tier_expressions(await self.question_terms(topic_id, query))]

    async def question_terms(self, topic_id: int, query: str) -> list[Term]:
        """What a question looks for, in its own order; only terms that match some fact.

        Known names ("People's Defense Forces", longest first, so that the words inside them are not also
        searched on their own) become the group of all their aliases, thesaurus phrases the group of their
        related terms; other content words stand for themselves. A word that matches nothing may be a
        misspelt name ("Tatmdaw"), or the start of a word ("displ"); otherwise it is left out.
        """
        words = normalise(query).split()
        if not words:
            return []
        stats = await self._stats()
        slots: list[Term | None] = [None] * len(words)
        used = [False] * len(words)
        await self._name_terms(topic_id, words, slots, used)
        self._related_terms(await self._thesaurus(topic_id, stats), words, slots, used)
        for i, w in enumerate(words):
            if not used[i] and w not in IGNORED and (len(w) > 1 or w.isdigit()):
                slots[i] = Term(w, "word", (_spelling(w),))
        if not any(slots) and not any(used):
            # Nothing but stop words: look for them as they stand.
            slots = [Term(w, "word", (_spelling(w),)) for w in words]
        for i, term in enumerate(slots):
            if term is not None and term.kind == "word" and await self._df(term, stats) == 0:
                slots[i] = None
                found = await self._stand_in(topic_id, words, i, stats)
                if found is not None:
                    # A misspelt name takes the place of the words it covers ("three brotherhod alliance").
                    covered = len(found.label.split())
                    start = next(
                        j
                        for j in range(max(0, i - covered + 1), i + 1)
                        if " ".join(words[j : j + covered]) == found.label
                    )
                    slots[start : start + covered] = [None] * covered
                    slots[start] = found
        terms = [t for t in slots if t is not None and await self._df(t, stats) > 0]
        return list({t.expression(): t for t in terms}.values())

    async def _name_terms(self, topic_id: int, words: list[str], slots: list[Term | None], used: list[bool]) -> None:
        phrases = [" ".join(words[i : i + n]) for n in (4, 3, 2, 1) for i in range(len(words) - n + 1)]
        aliases = await name_index.expand_aliases(self.conn, topic_id, phrases)
        for n in (4, 3, 2, 1):
            for i in range(len(words) - n + 1):
                phrase = " ".join(words[i : i + n])
                if phrase in aliases and not any(used[i : i + n]) and not (n == 1 and phrase in IGNORED):
                    used[i : i + n] = [True] * n
                    slots[i] = Term(phrase, "name", tuple(_spelling(a) for a in aliases[phrase]))

    def _related_terms(
        self,
        thesaurus: dict[tuple[str, ...], list[str]],
        words: list[str],
        slots: list[Term | None],
        used: list[bool],
    ) -> None:
        """Thesaurus phrases in the question, matched by their content words ("controls the skies")."""
        if not thesaurus:
            return
        content = [(i, stem(w)) for i, w in enumerate(words) if not used[i] and w not in GLUE]
        taken = [False] * len(content)
        for n in (4, 3, 2, 1):
            for j in range(len(content) - n + 1):
                key = tuple(s for _, s in content[j : j + n])
                if key not in thesaurus or any(taken[j : j + n]):
                    continue
                first, last = content[j][0], content[j + n - 1][0]
                if any(used[first : last + 1]) or (n == 1 and words[first] in IGNORED):
                    continue
                taken[j : j + n] = [True] * n
                used[first : last + 1] = [True] * (last - first + 1)
                label = " ".join(words[first : last + 1])
                spellings = [_spelling(label)] + [
                    _spelling(t, RELATED_WEIGHT) for t in thesaurus[key] if content_stems(t) != key
                ]
                slots[first] = Term(label, "related", tuple(spellings))

    async def _stand_in(self, topic_id: int, words: list[str], i: int, stats: _Stats) -> Term | None:
        """For a word that matches nothing: the name it misspells (with its neighbours), or words it begins."""
        word = words[i]
        if len(word) >= 4 and not word.isdigit():
            term = await self._misspelt_name(topic_id, words, i)
            if term is not None:
                return term
        if _prefixable(word):
            prefix = Term(word, "prefix", (_spelling(word, PREFIX_WEIGHT, prefix=True),))
            if await self._df(prefix, stats) > 0:
                return prefix
        return None

    async def _misspelt_name(self, topic_id: int, words: list[str], i: int) -> Term | None:
        """The known name closest to the question's words around `words[i]`, if it is spelled nearly alike."""
        best: tuple[float, str, str] | None = None
        entities: tuple[name_index.Entity, ...] = ("actor", "place", "event")
        for entity in entities:
            for match in await name_index.find_names(self.conn, self.db.dialect, topic_id, entity, words[i], 5):
                norm = normalise(match.matched)
                n = len(norm.split())
                for start in range(max(0, i - n + 1), min(i, len(words) - n) + 1):
                    phrase = " ".join(words[start : start + n])
                    ratio = fuzz.ratio(phrase, norm)
                    if ratio >= TYPO_RATIO and (best is None or ratio > best[0]):
                        best = (ratio, phrase, norm)
        if best is None:
            return None
        _, phrase, norm = best
        aliases = await name_index.expand_aliases(self.conn, topic_id, [norm])
        return Term(phrase, "name", tuple(_spelling(a) for a in aliases.get(norm, [norm])))

    async def related_terms(self, topic_id: int) -> list[list[str]]:
        """A topic's thesaurus as its pack wrote it: groups of terms that mean nearly the same."""
        groups: dict[int, list[str]] = {}
        for grp, term in await self.rows(
            "SELECT grp, term FROM related_terms WHERE topic_id = ? ORDER BY grp, position", (topic_id,)
        ):
            groups.setdefault(grp, []).append(term)
        return list(groups.values())

    async def _stats(self) -> _Stats:
        """Statistics of the store as it is now; counted again after any write."""
        version = await self.db.version()
        stats = _STATS.get(self.db)
        if stats is None or stats.version != version:
            stats = _Stats(version)
            row = await self.row("SELECT max(id) FROM facts")
            stats.documents = int(row[0] or 0) if row else 0
            sample = await self.rows(
                "SELECT statement, entities FROM facts_fts ORDER BY rowid LIMIT 500", conn=self.db.searcher
            )
            if sample:
                stats.avg_statement = max(1.0, sum(len(stems(r[0])) for r in sample) / len(sample))
                stats.avg_entities = max(1.0, sum(len(stems(r[1])) for r in sample) / len(sample))
            _STATS[self.db] = stats
        return stats

    async def _df(self, term: Term, stats: _Stats) -> int:
        """How many facts match a term, counted up to `DF_CAP` and estimated beyond from how far those reached.

        Full-text rows are in id order, and ids are spread evenly over the index, so `DF_CAP` matches that
        reach from the newest fact back to id x stand for about DF_CAP × newest / (newest - x) in all. Facts
        of every topic count, as they did before the index knew topics: the scores stay what they were.
        """
        expression = term.expression()
        if expression not in stats.df:
            match, matching = self.db.dialect.full_text("facts_fts", in_text(expression))
            rows = await self.rows(
                f"SELECT rowid FROM facts_fts WHERE {match} ORDER BY rowid LIMIT ?",
                (matching, DF_CAP),
                conn=self.db.searcher,
            )
            count = len(rows)
            if count >= DF_CAP and stats.documents:
                reached = stats.documents + rows[-1][0]  # rowid is the negated id
                count = max(count, round(count * stats.documents / max(1, reached)))
            stats.df[expression] = count
        return stats.df[expression]

    async def _thesaurus(self, topic_id: int, stats: _Stats) -> dict[tuple[str, ...], list[str]]:
        """A topic's related terms by the content stems of each: the terms of its group."""
        if topic_id not in stats.related:
            found: dict[tuple[str, ...], list[str]] = {}
            for terms in await self.related_terms(topic_id):
                for term in terms:
                    if key := content_stems(term):
                        found.setdefault(key, [])
                        found[key] += [t for t in terms if t not in found[key]]
            stats.related[topic_id] = found
        return stats.related[topic_id]


def tier_expressions(terms: Sequence[Term]) -> list[str]:
    """FTS5 expressions, closest match first: every term, all but one, any.

    Facts with every term in the statement itself come first of all, but that is told apart in Python
    from the candidates of the first expression: asking FTS5 for them separately read the same position
    lists twice, and names made of common words ("… People's Council") made that the slowest query.
    """
    groups = [t.expression() for t in terms]
    if not groups:
        return []
    expressions = [" AND ".join(groups)]
    if len(groups) >= 3:
        expressions.append(_all_but_one(groups))
    expressions.append(" OR ".join(groups))
    return list(dict.fromkeys(expressions))


def _score(candidate: _Candidate, terms: Sequence[Term], stats: _Stats) -> int:
    """BM25F over the statement and the names of what the fact is about, each term counted once.

    Returns how many of the terms the statement itself says.
    """
    said = 0
    n = max(stats.documents, 1)
    norm_statement = 1 - B_STATEMENT + B_STATEMENT * len(candidate.statement) / stats.avg_statement
    norm_entities = 1 - B_ENTITIES + B_ENTITIES * len(candidate.entities) / stats.avg_entities
    for term in terms:
        in_statement = 0.0
        in_entities = 0.0
        shown = ""
        for spelling in term.spellings:
            found = spelling.count(candidate.statement)
            if found:
                in_statement += spelling.weight * found
                shown = shown or (term.label if spelling.weight >= 1 else f"{term.label} ~ {spelling.text}")
            elif spelling.count(candidate.entities):
                in_entities = max(in_entities, spelling.weight)
        if not (in_statement or in_entities):
            continue
        said += in_statement > 0
        tf = W_STATEMENT * in_statement / norm_statement + W_ENTITIES * in_entities / norm_entities
        df = stats.df.get(term.expression(), 1)
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        candidate.score += idf * tf * (K1 + 1) / (tf + K1)
        candidate.matched.append(shown or f"{term.label} (what it is about)")
    return said


AnswerKind = Literal["when", "who", "definition"]


def answer_kind(query: str, terms: Sequence[Term]) -> AnswerKind | None:
    """What kind of answer a question asks for, from how it starts: a time, a name, or what something is."""
    words = normalise(query).split()
    if not words:
        return None
    head = " ".join(words[:2])
    if words[0] == "when" or head in ("how long", "what year", "what date", "which year"):
        return "when"
    if words[0] in ("what", "who") and len(words) > 1 and words[1] in _COPULA and all(t.kind == "name" for t in terms):
        return "definition"
    if words[0] == "who" or head in ("which group", "which groups"):
        return "who"
    return None


def _gives(kind: AnswerKind, candidate: _Candidate, terms: Sequence[Term]) -> bool:
    """Whether a fact's statement gives the kind of answer asked for."""
    words = candidate.statement
    if kind == "when":
        return any(w in _TIME_WORDS or (w.isdigit() and len(w) == 4 and w[:2] in ("19", "20")) for w in words)
    if kind == "definition":
        for term in terms:
            for spelling in term.spellings:
                n = len(spelling.stems)
                for i in range(len(words) - n):
                    if tuple(words[i : i + n]) == spelling.stems and words[i + n] in _COPULA_STEMS:
                        return True
        return False
    # who: the statement names someone (one of the names of what the fact is about) the question did not.
    asked = {s.stems for t in terms for s in t.spellings}
    names = [tuple(stems(n)) for n in candidate.entity_names]
    return any(n and n not in asked and Spelling("", n).count(words) for n in names)


def _negated_day(day: str) -> int:
    """Later days sort first."""
    return -date.fromisoformat(day).toordinal()


def _all_but_one(groups: list[str]) -> str:
    """Facts that match every group but one: a fact that says the same thing in slightly other words."""
    return " OR ".join("(" + " AND ".join(groups[:i] + groups[i + 1 :]) + ")" for i in range(len(groups)))


def _prefixable(word: str) -> bool:
    return len(word) >= 4 and word.isalpha()
