"""A render-neutral answer: what the bot says, before it is an embed, console text or a digest.

Keeping one shape for every answer is what makes `/brief` look the same in Discord and in the console:
the briefing code fills an `Answer`, and `bot.render` turns it into whatever the channel needs.
Moments in text are written in Discord's own markup, `<t:UNIX:f>`; the text renderer turns them into
ISO times. Citations are numbered per answer: a line cites `[1]`, and `sources` explains `[1]`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from bot.models import DatePrecision
from bot.store.records import FactRecord, SourceRecord

T = TypeVar("T")


class Line(BaseModel):
    """One line of an answer and the citation numbers that back it."""

    model_config = ConfigDict(frozen=True)

    text: str
    cites: list[int] = Field(default_factory=list)


class Section(BaseModel):
    """A named block of lines, an embed field in Discord."""

    model_config = ConfigDict(frozen=True)

    title: str
    lines: list[Line]
    inline: bool = False


class Citation(BaseModel):
    """A numbered source and the facts in this answer drawn from it."""

    model_config = ConfigDict(frozen=True)

    number: int
    source: SourceRecord
    grades: list[str]
    fact_ids: list[int]


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
    """Numbers sources in the order an answer first cites them, so [1] is the first source a reader meets."""

    def __init__(self) -> None:
        self._numbers: dict[int, int] = {}
        self._citations: dict[int, dict[str, object]] = {}

    def cite(self, fact: FactRecord) -> int:
        """The citation number for this fact's source, recording the fact and its grade under it."""
        number = self._numbers.setdefault(fact.source.id, len(self._numbers) + 1)
        entry = self._citations.setdefault(number, {"source": fact.source, "grades": [], "fact_ids": []})
        grades: list[str] = entry["grades"]  # type: ignore[assignment]
        fact_ids: list[int] = entry["fact_ids"]  # type: ignore[assignment]
        if fact.grade not in grades:
            grades.append(fact.grade)
        if fact.id not in fact_ids:
            fact_ids.append(fact.id)
        return number

    def line(self, text: str, *facts: FactRecord) -> Line:
        """A line citing each of `facts`."""
        numbers = list(dict.fromkeys(self.cite(f) for f in facts))
        return Line(text=text, cites=numbers)

    def fact_line(self, fact: FactRecord) -> Line:
        """A fact's statement as a cited line."""
        return self.line(fact.statement, fact)

    def citations(self) -> list[Citation]:
        """Every source cited so far, in citation order."""
        return [Citation.model_validate({"number": n, **entry}) for n, entry in sorted(self._citations.items())]


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


def describe_source(source: SourceRecord) -> str:
    """A source in one line: publisher, title, date, and the URL only when there is one."""
    parts = [p for p in (source.publisher, f"“{source.title}”") if p]
    if source.published:
        parts.append(format_day(source.published))
    text = ", ".join(parts)
    if source.kind == "background":
        text += " (background knowledge, not from a document)"
    if source.note:
        text += f"; {source.note}"
    if source.url:
        text += f" <{source.url}>"
    return text
