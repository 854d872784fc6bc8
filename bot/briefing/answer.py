"""A render-neutral answer: what the bot says, before it is an embed, console text or a digest.

Keeping one shape for every answer is what makes `/brief` look the same in Discord and in the console:
the briefing code fills an `Answer`, and `bot.render` turns it into whatever the channel needs.
Moments in text are written in Discord's own markup, `<t:UNIX:f>`; the text renderer turns them into
ISO times. Citations are numbered per answer, in the order a reader meets them: a line cites `[1]`, and
`sources` explains `[1]`. Every line that says something about the crisis cites the facts behind it; the
only uncited lines are notes (`Line.note`): what an answer covers or leaves out, and a record's own labels
(names, kind, side, links, when and where).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from bot.claims import same_claim
from bot.models import DatePrecision
from bot.pictures.spec import Chart
from bot.store.records import FactRecord, SourceRecord

T = TypeVar("T")
#: The Admiralty code in words, for every answer that shows a grade (briefing and intake alike).
RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}


class Line(BaseModel):
    """One line of an answer, the citation numbers that back it and the facts they stand for.

    A line with no citation must be a `note`: about the answer itself (what it covers, what it leaves out
    and why) or a record's own label (a name, a kind, a link, a date). Tests hold every other line to a cite.
    """

    model_config = ConfigDict(frozen=True)

    text: str
    cites: list[int] = Field(default_factory=list)
    facts: list[int] = Field(default_factory=list)
    note: bool = False
    #: Who claims what the line states, such as "claimed by the MNDAA, a party to the fighting": shown with
    #: the cites, which no renderer cuts, because a claim read without its claimant reads as established.
    claims: list[str] = Field(default_factory=list)


class Section(BaseModel):
    """A named block of lines, an embed field in Discord."""

    model_config = ConfigDict(frozen=True)

    title: str
    lines: list[Line]
    inline: bool = False


class Citation(BaseModel):
    """A numbered source and the facts in this answer drawn from it (sorted), with their grades.

    `full` shows the source's provenance note whole (`/fact show`); elsewhere a long note is abbreviated.
    """

    model_config = ConfigDict(frozen=True)

    number: int
    source: SourceRecord
    grades: list[str]
    fact_ids: list[int]
    full: bool = False


class Answer(BaseModel):
    """Everything one reply says; renderers decide how it fits the medium.

    Frozen, because the same answer may be given to many people (`bot.briefing.cache`).
    """

    model_config = ConfigDict(frozen=True)

    title: str
    lines: list[Line] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    footer: str | None = None
    page: int = 1
    pages: int = 1
    #: A picture of what the answer lists (`bot.briefing.pictures`), drawn by the front end that shows it.
    chart: Chart | None = None
    _renderings: dict[Hashable, Any] = PrivateAttr(default_factory=dict)

    def rendered(self, how: Hashable, render: Callable[[Answer], T]) -> T:
        """What a renderer makes of this answer, made once; shared, so its users must not change it.

        An answer given again from the cache then costs no second rendering: at a cache hit, rendering was
        most of what a command cost.
        """
        if how not in self._renderings:
            self._renderings[how] = render(self)
        return cast(T, self._renderings[how])

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Answer:
        """A copy that renders afresh: with `update`, it says something else."""
        copied = super().model_copy(update=update, deep=deep)
        copied._renderings = {}
        return copied


class Citer:
    """Cites facts in lines, keeps any claim to one line per answer, and numbers sources as a reader meets them.

    Lines are built in whatever order the answer is assembled; `answer()` numbers the sources in the order
    its lines are read (description first, then each section), lists each source's facts in order, and
    leaves out any source whose lines did not make it into the answer.
    """

    def __init__(self, *, full_notes: bool = False) -> None:
        self._facts: dict[int, FactRecord] = {}
        self._stated: dict[int, FactRecord] = {}
        self._full = full_notes

    def shown(self, fact: FactRecord) -> bool:
        """Whether this answer already states what `fact` says: the fact itself, or another making the same claim.

        A fact only cited (behind an event's line, which names the event) is not stated.
        """
        return fact.id in self._stated or any(same_claim(fact.statement, f.statement) for f in self._stated.values())

    def fresh(self, facts: Iterable[FactRecord]) -> list[FactRecord]:
        """The facts that say something this answer has not said yet, each claim once, in the order given."""
        kept: list[FactRecord] = []
        for fact in facts:
            if not self.shown(fact) and not any(same_claim(fact.statement, k.statement) for k in kept):
                kept.append(fact)
        return kept

    def cite(self, fact: FactRecord) -> int:
        """Record `fact` as cited in this answer; the number is provisional until `answer()` numbers sources."""
        self._facts.setdefault(fact.id, fact)
        return fact.source.id

    def line(self, text: str, *facts: FactRecord, stated: bool = True) -> Line:
        """A line citing each of `facts`; `stated` when the line says what they say (not just names their event)."""
        if stated:
            self._stated.update((f.id, f) for f in facts)
        numbers = list(dict.fromkeys(self.cite(f) for f in facts))
        claims = [c for c in dict.fromkeys(f.claimed_by for f in facts) if c] if stated else []
        return Line(text=text, cites=numbers, facts=list(dict.fromkeys(f.id for f in facts)), claims=claims)

    def fact_line(self, fact: FactRecord) -> Line:
        """A fact's statement as a cited line."""
        return self.line(fact.statement, fact)

    def number(self, lines: list[Line], sections: list[Section]) -> tuple[list[Line], list[Section], list[Citation]]:
        """The lines and sections with their cites numbered in reading order, and the sources they cite."""
        numbers: dict[int, int] = {}
        cited: dict[int, list[FactRecord]] = {}

        def renumber(line: Line) -> Line:
            facts = [self._facts[i] for i in line.facts if i in self._facts]
            if not facts:
                return line
            for fact in facts:
                numbers.setdefault(fact.source.id, len(numbers) + 1)
                cited.setdefault(fact.source.id, []).append(fact)
            cites = list(dict.fromkeys(numbers[f.source.id] for f in facts))
            # Built without validation: every field comes from a validated line (answers are built often).
            return Line.model_construct(
                text=line.text, cites=cites, facts=line.facts, note=line.note, claims=line.claims
            )

        lines = [renumber(line) for line in lines]
        sections = [
            Section.model_construct(title=s.title, lines=[renumber(line) for line in s.lines], inline=s.inline)
            for s in sections
        ]
        citations = [
            Citation(
                number=numbers[source_id],
                source=facts[0].source,
                grades=sorted({f.grade for f in facts}),
                fact_ids=sorted({f.id for f in facts}),
                full=self._full,
            )
            for source_id, facts in cited.items()
        ]
        return lines, sections, sorted(citations, key=lambda c: c.number)

    def answer(self, title: str, lines: list[Line], sections: list[Section] | None = None, **extra: Any) -> Answer:
        """The answer these lines make: empty sections left out, sources numbered as they are read."""
        shown = [s for s in sections or [] if s.lines]
        numbered_lines, numbered_sections, citations = self.number(lines, shown)
        return Answer(title=title, lines=numbered_lines, sections=numbered_sections, citations=citations, **extra)


def note(text: str) -> Line:
    """A line about the answer itself, or a record's own label: it cites nothing."""
    return Line(text=text, note=True)


def agrees(name: str, singular: str, plural: str) -> str:
    """The verb form a name takes: "Beijing stands", "Chinese citizens stand"."""
    last = name.split()[-1] if name.split() else name
    return plural if last.endswith("s") and not last.endswith(("ss", "us", "is")) else singular


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`1 change`, `3 changes`: a count with its noun, never `change(s)`."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def format_day(day: date, precision: DatePrecision | str = DatePrecision.DAY) -> str:
    """A day as people write it, to the precision it is known: 27 Oct 2023, Oct 2023 or 2023."""
    match DatePrecision(precision):
        case DatePrecision.YEAR:
            return f"{day.year}"
        case DatePrecision.MONTH:
            return day.strftime("%b %Y")
        case _:
            return f"{day.day} {day.strftime('%b %Y')}"


def moment(when: datetime) -> str:
    """A moment in Discord's timestamp markup; the console renders it as an ISO time."""
    return f"<t:{int(when.timestamp())}:f>"


#: A provenance note longer than this is abbreviated outside `/fact show`, which shows it whole.
NOTE_SHOWN = 80
NOTE_MORE = "… (in full: /fact show)"


def short_note(note: str) -> str:
    """A long provenance note cut to its first sentence or clause, or to whole words, with a pointer to the rest."""
    if len(note) <= NOTE_SHOWN:
        return note
    for pattern in (r"(?<=[.;])\s", r",\s"):
        first = re.split(pattern, note, maxsplit=1)[0].rstrip(".;,")
        if len(first) <= NOTE_SHOWN:
            return first + NOTE_MORE
    return note[:NOTE_SHOWN].rsplit(" ", 1)[0].rstrip(".;,") + NOTE_MORE


def describe_source(source: SourceRecord, *, full: bool = False) -> str:
    """A source in one line: publisher, title, date, its note (abbreviated unless `full`), and any URL."""
    parts = [p for p in (source.publisher, f"“{source.title}”") if p]
    if source.published:
        parts.append(format_day(source.published))
    text = ", ".join(parts)
    if source.kind == "background":
        text += " (background knowledge, not from a document)"
    if source.note:
        text += f"; {source.note if full else short_note(source.note)}"
    if source.url:
        text += f" <{source.url}>"
    return text


def grade_meaning(reliability: str, credibility: int) -> str:
    """An Admiralty code spelled out, because few readers remember what C3 means."""
    return f"{reliability}{credibility}: source {RELIABILITY[reliability]}, information {CREDIBILITY[credibility]}"
