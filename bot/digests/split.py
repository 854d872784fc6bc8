"""Splitting a long digest into messages that Discord takes whole, between lines and never inside one.

The embed renderer fits any answer into one message by cutting and saying so, which suits a reply to a
question (ask again, more narrowly) but not a digest nobody asked for: its reader cannot ask for the rest.
So a digest is split first, by whole lines, into parts that each fit with room to spare, and every part
carries the sources its own lines cite, under the same numbers as in the whole digest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.briefing.answer import Answer, Citation, Line, Section
from bot.render.text import citation_entry, line_entry

# Discord allows 6000 characters across a message's embeds, 4096 in a description, 1024 in a field and
# 25 fields per embed. These budgets stay well inside, leaving the renderer room for its own additions
# (cite markers are counted here; field names, part numbers and footer notes are not all).
PART_BUDGET = 4500
DESCRIPTION_BUDGET = 3800
FIELD_BUDGET = 1000
FIELDS_PER_PART = 20
CONTINUED = " (continued)"
# Room kept in the title for " (12/12)".
PART_LABEL = 8


@dataclass
class _Part:
    """One message being filled: its description lines, its sections, and the sources they cite."""

    lines: list[Line] = field(default_factory=list)
    sections: list[tuple[str, list[Line]]] = field(default_factory=list)
    cited: dict[int, Citation] = field(default_factory=dict)

    def copy(self) -> _Part:
        return _Part(list(self.lines), [(t, list(ls)) for t, ls in self.sections], dict(self.cited))

    @property
    def empty(self) -> bool:
        return not (self.lines or self.sections)


def split_answer(answer: Answer) -> list[Answer]:
    """The answer as one or more answers that each render within Discord's limits without cutting a line."""
    citations = {c.number: c for c in answer.citations}
    fixed = len(answer.title) + PART_LABEL + len(answer.footer or "")
    inline = {section.title: section.inline for section in answer.sections}
    units: list[tuple[str | None, Line]] = [(None, line) for line in answer.lines]
    units += [(section.title, line) for section in answer.sections for line in section.lines]
    parts: list[_Part] = []
    current = _Part()
    placed: set[str] = set()
    for title, line in units:
        grown = _with(current, title, line, citations, continued=title in placed)
        if not _fits(grown, fixed) and not current.empty:
            parts.append(current)
            grown = _with(_Part(), title, line, citations, continued=title in placed)
        current = grown
        if title is not None:
            placed.add(title)
    parts.append(current)
    total = len(parts)
    return [
        Answer(
            title=answer.title if total == 1 else f"{answer.title} ({number}/{total})",
            lines=part.lines,
            sections=[
                Section(title=title, lines=lines, inline=inline.get(title.removesuffix(CONTINUED), False))
                for title, lines in part.sections
            ],
            citations=[part.cited[n] for n in sorted(part.cited)],
            footer=answer.footer,
            chart=answer.chart if number == 1 else None,
        )
        for number, part in enumerate(parts, start=1)
    ]


def _with(part: _Part, title: str | None, line: Line, citations: dict[int, Citation], *, continued: bool) -> _Part:
    """`part` with one more line: in the description, or in its section, going on in a new field when full."""
    grown = part.copy()
    grown.cited.update({n: citations[n] for n in line.cites if n in citations})
    if title is None:
        grown.lines.append(line)
        return grown
    last = grown.sections[-1] if grown.sections else None
    if last and last[0].removesuffix(CONTINUED) == title and len(_value([*last[1], line])) <= FIELD_BUDGET:
        last[1].append(line)
    else:
        grown.sections.append((title + CONTINUED if continued else title, [line]))
    return grown


def _value(lines: list[Line]) -> str:
    return "\n".join(str(line_entry(line)) for line in lines)


def _source_fields(part: _Part) -> list[int]:
    """The sizes of the source fields this part needs, packed as the renderer packs them."""
    sizes = [0]
    for number in sorted(part.cited):
        entry = len(str(citation_entry(part.cited[number]))) + 1
        if sizes[-1] and sizes[-1] + entry > FIELD_BUDGET:
            sizes.append(0)
        sizes[-1] += entry
    return [s for s in sizes if s]


def _fits(part: _Part, fixed: int) -> bool:
    sources = _source_fields(part)
    description = len(_value(part.lines))
    cost = (
        fixed
        + description
        + sum(len(title) + len(_value(lines)) for title, lines in part.sections)
        + sum(sources)
        + len("Sources (continued)") * len(sources)
    )
    return (
        cost <= PART_BUDGET
        and description <= DESCRIPTION_BUDGET
        and len(part.sections) + len(sources) <= FIELDS_PER_PART
    )
