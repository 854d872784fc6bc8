"""Text as people and crafted clients send it, made safe to store and show: the one normaliser.

Every model field that takes free text (statements, reasons, titles, names, aliases, search queries,
schedules) runs its value through `clean_line` or `clean_paragraph` first, so one rule holds on every
path in, from Discord options and forms to the console and YAML packs:

- Control characters (NUL, escape, …) and lone surrogates are removed: they are never stored, and an
  error message never echoes them. In a single line, line breaks and tabs become spaces; a paragraph
  keeps its line breaks and tabs.
- Text that has nothing visible once whitespace, zero-width and bidi control characters are set aside
  (two zero-width spaces, a Hangul filler) counts as empty, so a required field refuses it and an
  optional one treats it as not given. Invisible characters at either end are trimmed; inside the text
  they stay, because the zero-width joiner builds emoji and the zero-width non-joiner spells Persian.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and bidi control characters, trimmed from either end of any text: they show nothing there.
_EDGE_INVISIBLE = frozenset(
    "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
# Letters and marks that render blank and are used to fake "not empty" (Hangul fillers, braille blank,
# variation selectors alone). Inside text they are left alone: U+FE0F after a heart makes it an emoji.
_BLANK_LOOKING = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
)
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def _shows_nothing(char: str) -> bool:
    """Whitespace, a control or format character (category Cc, Cf: bidi, zero-width, tags), or a blank look-alike."""
    return char.isspace() or char in _BLANK_LOOKING or unicodedata.category(char) in ("Cc", "Cf", "Cs")


def is_blank(text: str) -> bool:
    """True when nothing in `text` would be visible, so it counts as empty."""
    return all(_shows_nothing(char) for char in text)


def _clean(text: str, *, keep: str) -> str:
    text = _LINE_BREAKS.sub("\n", text)
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs" or (category == "Cc" and char not in keep):
            # Whitespace controls (tab, line feed, …) separate words: a space keeps them apart.
            kept.append(" " if char.isspace() else "")
        else:
            kept.append(char)
    cleaned = "".join(kept)
    if is_blank(cleaned):
        return ""
    edges = "".join(_EDGE_INVISIBLE) + "".join(c for c in set(cleaned) if c.isspace())
    return cleaned.strip(edges)


def clean_line(value: object) -> object:
    """One line of text (a name, a title, a query), cleaned as above; other values are left to the type check."""
    return _clean(value, keep="") if isinstance(value, str) else value


def clean_paragraph(value: object) -> object:
    """Text that may run over lines (a statement, a reason, a summary), cleaned as above."""
    return _clean(value, keep="\n\t") if isinstance(value, str) else value
