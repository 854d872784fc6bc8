"""Answers as plain text for the console, and the line formats every renderer shares.

The console shows everything: there is no length limit to respect, so nothing is cut. Discord's
markup means nothing outside Discord, so the console shows plain text: moments become ISO times in UTC,
which read the same on every machine, and bold, struck-through and code spans lose their markers (a
struck retraction says "was retracted" in words too). The `Entry` formats live here, not in the embed
renderer, so that a line or a source reads exactly the same in both places and this module never needs
discord.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.briefing.answer import Answer, Citation, Line, describe_source

_MOMENT = re.compile(r"<t:(-?\d+)(?::[a-zA-Z])?>")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_STRUCK = re.compile(r"~~(.+?)~~")
_CODE = re.compile(r"`([^`]+)`")
_LINK = re.compile(r"\[([^\[\]\n]+)\]\((https?://[^()\s]+)\)")


@dataclass(frozen=True)
class Entry:
    """One shown line split into a body that may be shortened and a tail that must survive shortening.

    The tail carries what makes a line trustworthy (its cite markers, a source's grade and fact ids), so
    a renderer that has to cut a line cuts the body and keeps the tail whole.
    """

    body: str
    tail: str = ""
    separator: str = " "

    def __str__(self) -> str:
        return f"{self.body}{self.separator}{self.tail}" if self.tail else self.body


def line_entry(line: Line) -> Entry:
    """A line as `text [1][2]`: markers after the text, where they do not interrupt reading.

    Who claims it comes first in the tail, `text (claimed by the MNDAA, a party to the fighting) [1]`, so it is
    never cut from the line it qualifies.
    """
    claims = f"({'; '.join(line.claims)}) " if line.claims else ""
    return Entry(line.text, claims + "".join(f"[{number}]" for number in line.cites))


def citation_entry(citation: Citation) -> Entry:
    """A source as `[n] description · grade B2 · facts #3, #7`, so a reader can weigh it without looking it up."""
    tail = [_listed("grade", citation.grades), _listed("fact", [f"#{i}" for i in citation.fact_ids])]
    text = f"[{citation.number}] {describe_source(citation.source, full=citation.full)}"
    return Entry(text, " · ".join(filter(None, tail)), " · ")


def _listed(noun: str, items: list[str]) -> str:
    if not items:
        return ""
    return f"{noun}{'s' if len(items) > 1 else ''} {', '.join(items)}"


def page_label(answer: Answer) -> str | None:
    """`Page 2/5`, only when there is more than one page to turn."""
    return f"Page {answer.page}/{answer.pages}" if answer.pages > 1 else None


def plain_moments(text: str) -> str:
    """Replace Discord's `<t:UNIX[:style]>` with `2023-11-27 09:00 UTC`, whatever the style letter.

    Every style becomes the same absolute UTC time: Discord would localise it per reader, which a console
    cannot, and a relative "3 hours ago" would be stale by the time anyone reads a log. Timestamps too far
    out for a datetime are left as they were rather than failing the whole answer.
    """

    def iso(match: re.Match[str]) -> str:
        try:
            when = datetime.fromtimestamp(int(match[1]), UTC)
        except (OverflowError, OSError, ValueError):
            return match[0]
        return f"{when:%Y-%m-%d %H:%M} UTC"

    return _MOMENT.sub(iso, text)


def plain_markup(text: str) -> str:
    """Discord's markup as plain text: `**bold**` → bold, `` `code` `` → code, `[text](url)` → text <url>.

    Moments are left to `plain_moments`.
    """
    text = _LINK.sub(r"\1 <\2>", text)
    text = _BOLD.sub(lambda m: m[1] or m[2], text)
    text = _STRUCK.sub(r"\1", text)
    return _CODE.sub(r"\1", text)


def _heading(text: str, rule: str) -> list[str]:
    return [text, rule * max(len(text), 1)]


def render_text(answer: Answer) -> str:
    """The whole answer for a terminal: headings underlined, sources listed, nothing left out."""
    out = _heading(answer.title, "=")
    out += [str(line_entry(line)) for line in answer.lines]
    for section in answer.sections:
        out += ["", *_heading(section.title, "-")]
        out += [str(line_entry(line)) for line in section.lines]
    if answer.citations:
        out += ["", *_heading("Sources", "-")]
        out += [str(citation_entry(citation)) for citation in answer.citations]
    footer = " · ".join(part for part in (answer.footer, page_label(answer)) if part)
    if footer:
        out += ["", footer]
    return plain_moments(plain_markup("\n".join(out)))
