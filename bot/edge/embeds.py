"""Answers as Discord embeds that Discord never refuses and that say so when they leave something out.

Discord answers an oversized embed with a 400 and the user sees nothing, so every limit is enforced
here rather than hoped for: the per-string limits, 25 fields per embed, 10 embeds per message, and 6000
characters in total. Discord documents that total (title, description, field names and values, footer
text, author name) as shared by *all embeds of a message*, not per embed, and enforces it that way, so
splitting into more embeds buys more fields, never more text.

Counting: Discord's API is Python and measures strings in code points (discord/discord-api-docs#1315),
which is what `len()` does, so the per-string limits are used exactly. The message total is kept
`TOTAL_MARGIN` characters under 6000 because it is the one limit summed over many parts whose rules
have shifted before (per embed, then per message); the margin costs a line of text and buys a reply.

Priorities when text does not fit: title and footer (with the page) are always shown; sources keep up to
`SOURCES_RESERVE` characters, because an answer whose citations point nowhere is worse than a shorter
answer; description and sections get the rest in order. Whatever is cut says so: a clipped line ends in
"… (truncated)" but keeps its cite markers, a list ends in "… 7 more lines", and sections or sources that
did not fit at all are counted in the footer of the last embed.

`NO_MENTIONS` lives here because every message the bot posts must use it: statements quote people, and
a quoted `@everyone` or `<@id>` must be shown as written without pinging anyone. Text is never escaped
for this; `allowed_mentions` is what Discord honours, and escaping would change what readers see.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

import discord

from bot.briefing.answer import Answer, Section
from bot.render.text import Entry, citation_entry, line_entry, page_label

NO_MENTIONS = discord.AllowedMentions.none()

MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_TOTAL = 6000
MAX_EMBEDS = 10
MAX_MESSAGE_FIELDS = MAX_FIELDS * MAX_EMBEDS

TOTAL_MARGIN = 100
SOURCES_RESERVE = 1500
# Room kept for the footer's "Not shown: …" note and its separator.
NOTE_ROOM = 80
# A clipped line with less room than this says too little to be worth showing.
MIN_CLIP = 40
# How far back a cut may move to land between words instead of inside one.
WORD_SLACK = 40

TRUNCATED = "… (truncated)"
BLANK = "\u200b"  # Discord rejects blank field names and values; a zero-width space shows nothing.
SOURCES = "Sources"
SOURCES_CONTINUED = "Sources (continued)"

# Spans a cut must not go through: anything in <…> (timestamps, mentions, emoji, autolinked URLs),
# masked links [text](url), cite markers [12], and bare URLs.
_ATOMIC = re.compile(r"<[^<>\s]+>|\[[^\[\]\n]*\]\([^()\s]*\)|\[\d+\]|https?://\S+")
_ZWJ = "\u200d"


class _Field(NamedTuple):
    name: str
    value: str
    inline: bool = False


def render_embeds(answer: Answer, *, colour: int | None = None) -> list[discord.Embed]:
    """The answer as one message's embeds: the first carries title and description, the last the footer.

    Rendered once per answer (a cached answer is sent again as it was rendered): the list is the caller's,
    the embeds in it are shared and read-only.
    """
    return list(answer.rendered(("embeds", colour), lambda a: _render_embeds(a, colour)))


def _render_embeds(answer: Answer, colour: int | None) -> list[discord.Embed]:
    title = clip(answer.title, MAX_TITLE)
    page = page_label(answer)
    footer_room = MAX_FOOTER - NOTE_ROOM - len(f" · {page}" if page else "")
    footer = [clip(answer.footer, footer_room) if answer.footer else None, page]
    left = MAX_TOTAL - TOTAL_MARGIN - NOTE_ROOM - len(title) - len(_footer_text(footer))

    # Laid out without a budget first, to know what the sources would take: their reserve, and their slots.
    sources = [citation_entry(citation) for citation in answer.citations]
    all_sources, _ = _source_fields(sources, sys.maxsize, MAX_MESSAGE_FIELDS)
    reserve = min(_cost(all_sources), SOURCES_RESERVE)

    description, _ = _fit([line_entry(line) for line in answer.lines], min(MAX_DESCRIPTION, left - reserve), "line")
    left -= len(description)
    fields = _section_fields(answer.sections, left - reserve, MAX_MESSAGE_FIELDS - len(all_sources))
    hidden_sections = len(answer.sections) - len(fields)
    source_fields, listed = _source_fields(sources, left - _cost(fields), MAX_MESSAGE_FIELDS - len(fields))
    fields += source_fields
    note = _hidden_note(hidden_sections, len(sources) - listed)

    chunks = [fields[start : start + MAX_FIELDS] for start in range(0, len(fields), MAX_FIELDS)] or [[]]
    embeds = [discord.Embed(colour=colour) for _ in chunks]
    embeds[0].title = title if title.strip() else None
    embeds[0].description = description if description.strip() else None
    for embed, chunk in zip(embeds, chunks, strict=True):
        for field in chunk:
            embed.add_field(name=field.name, value=field.value, inline=field.inline)
    footer_text = _footer_text([note, *footer])
    if footer_text:
        embeds[-1].set_footer(text=footer_text)
    return embeds


def clip(text: str, limit: int) -> str:
    """`text` if it fits in `limit`, else as much as fits at a safe cut followed by "… (truncated)".

    `limit` must leave room for the marker (at least 13 characters): a cut that hides itself is not allowed.
    """
    if len(text) <= limit:
        return text
    return text[: _cut_point(text, limit - len(TRUNCATED))].rstrip() + TRUNCATED


def _cut_point(text: str, room: int) -> int:
    """Where to cut so that no marker, timestamp or link is split, nor a word when a space is near."""
    spans = [match.span() for match in _ATOMIC.finditer(text)]

    def splits(index: int) -> bool:
        return any(start < index < end for start, end in spans)

    cut = room
    for start, end in spans:
        if start < cut < end:
            cut = start
    for index in range(cut, max(cut - WORD_SLACK, 0), -1):
        if text[index].isspace() and not splits(index):
            return index
    while cut > 0 and _glued(text, cut):
        cut -= 1
    return cut


def _glued(text: str, index: int) -> bool:
    """Whether text[index] belongs to the character before it: an accent, emoji modifier or joined emoji."""
    char = text[index]
    return (
        unicodedata.category(char).startswith("M")
        or "\U0001f3fb" <= char <= "\U0001f3ff"
        or _ZWJ in (char, text[index - 1])
    )


def _fit(entries: Sequence[Entry], room: int, noun: str | None) -> tuple[str, int]:
    """As many entries as fit in `room`, one per line, then "… N more <noun>s" for the rest.

    The next entry is clipped in rather than dropped when enough room is left for it to say something.
    Room for the "more" marker is kept at every step, so it always fits once anything is shown. With
    `noun=None` the rest is left unmentioned because the caller carries on in another field, so an entry
    is clipped only when it would not fit even an empty one. Returns the text and how many entries it
    shows or counts.
    """
    shown: list[str] = []
    for entry in entries:
        rest = len(entries) - len(shown) - 1
        kept = len("\n" + _more(rest, noun)) if rest and noun else 0
        space = room - len("\n".join(shown)) - (1 if shown else 0) - kept
        if len(str(entry)) <= space:
            shown.append(str(entry))
            continue
        if space >= MIN_CLIP and (noun or not shown):
            shown.append(_clip_entry(entry, space))
        break
    rest = len(entries) - len(shown)
    if rest and noun:
        marked = [*shown, _more(rest, noun)]
        if len("\n".join(marked)) <= room:
            return "\n".join(marked), len(entries)
    return "\n".join(shown), len(shown)


def _clip_entry(entry: Entry, room: int) -> str:
    """Shorten the body and keep the tail (cite markers, grade), unless the tail alone leaves no room."""
    body_room = room - len(entry.separator) - len(entry.tail)
    if entry.tail and body_room >= MIN_CLIP:
        return f"{clip(entry.body, body_room)}{entry.separator}{entry.tail}"
    return clip(str(entry), room)


def _more(count: int, noun: str) -> str:
    return f"… {count} more {_plural(count, noun)}"


def _section_fields(sections: Sequence[Section], budget: int, slots: int) -> list[_Field]:
    """One field per section while the budget lasts; a section that does not fit at all stops the rest.

    Stopping rather than skipping ahead to a smaller section keeps the sections in their order, so the
    footer's "Not shown: N sections" always means the last N.
    """
    fields: list[_Field] = []
    for section in sections[:slots]:
        name = clip(_visible(section.title), MAX_FIELD_NAME)
        entries = [line_entry(line) for line in section.lines] or [Entry("—")]
        value, _ = _fit(entries, min(MAX_FIELD_VALUE, budget - _cost(fields) - len(name)), "line")
        if not value:
            break
        fields.append(_Field(name, _visible(value), section.inline))
    return fields


def _source_fields(entries: Sequence[Entry], budget: int, slots: int) -> tuple[list[_Field], int]:
    """Sources packed into as many fields as they need, within `budget` characters and `slots` fields.

    Only the field where the budget or the slots run out counts what is left over; a field that is
    merely full hands over to "Sources (continued)". Returns the fields and how many sources they show
    or count.
    """
    fields: list[_Field] = []
    done = 0
    while done < len(entries) and len(fields) < slots:
        name = SOURCES_CONTINUED if fields else SOURCES
        room = min(MAX_FIELD_VALUE, budget - _cost(fields) - len(name))
        last = room < MAX_FIELD_VALUE or len(fields) == slots - 1
        value, count = _fit(entries[done:], room, "source" if last else None)
        if not value:
            break
        fields.append(_Field(name, _visible(value)))
        done += count
    return fields, done


def _cost(fields: Sequence[_Field]) -> int:
    return sum(len(field.name) + len(field.value) for field in fields)


def _visible(text: str) -> str:
    """Blank names and values are a 400; a zero-width space is the accepted way to show nothing."""
    return text if text.strip() else BLANK


def _footer_text(parts: Sequence[str | None]) -> str:
    return " · ".join(part for part in parts if part and not part.isspace())


def _hidden_note(sections: int, sources: int) -> str | None:
    """What left no trace in the embeds at all, so the reader knows the answer goes on."""
    counts = ((sections, "section"), (sources, "source"))
    hidden = [f"{count} {_plural(count, noun)}" for count, noun in counts if count]
    return f"Not shown: {', '.join(hidden)}" if hidden else None


def _plural(count: int, noun: str) -> str:
    return noun if count == 1 else f"{noun}s"
