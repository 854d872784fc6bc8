"""Which language a report is in: its script first, then a maintained detector, with the page's own word.

Burmese and Chinese are told by their script, exactly and for free. Latin-script text full of English
function words is English without asking the detector, which keeps the model (py3langid, langid.py's
97-language naive Bayes model shipped inside the wheel: nothing downloads) off the path of the common case:
loading it takes seconds and tens of megabytes, once per process. Anything else goes to the detector; a page
that declares its language (`<html lang>`) is believed when the detector is unsure, since a short brief gives
the detector little to go on and the detector thinks it possible, and overruled otherwise, since themes ship
with lang="en" whatever the article's language.
"""

from __future__ import annotations

import functools
import re
from typing import Any

#: Characters of the report the detector reads: more says nothing new and costs time.
SAMPLE = 4000
#: A detector probability below this leaves the page's declared language standing, when the detector
#: gives that language at least `PLAUSIBLE`.
SURE = 0.9
PLAUSIBLE = 0.05
#: Share of words that are English function words from which a Latin-script text is English.
ENGLISH_SHARE = 0.12
#: Fewer words than this give the detector too little to go on ("The MNDAA took Laukkai on 5 January 2024."
#: came back as Nigerian Pidgin): such a text is taken at the page's word, else as English, the dossiers'
#: default, since skipping a report on a guess loses it while a wrong "English" is still shown to a moderator.
MIN_DETECTABLE_WORDS = 12

_ENGLISH = frozenset("the of and to in that said was were with from has have had which for its their they".split())
_SCRIPTS = (("my", re.compile(r"[\u1000-\u109f]")), ("zh", re.compile(r"[\u4e00-\u9fff]")))
_WORD = re.compile(r"[^\W\d_]+")
_DECLARED = (
    re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE),
    re.compile(
        rb"<meta\b[^>]*?http-equiv\s*=\s*[\"']?content-language[\"']?[^>]*?content\s*=\s*[\"']?([A-Za-z]{2,3})", re.I
    ),
    re.compile(rb"<meta\b[^>]*?property\s*=\s*[\"']?og:locale[\"']?[^>]*?content\s*=\s*[\"']?([A-Za-z]{2,3})", re.I),
)


def declared_language(page: bytes | str) -> str | None:
    """The language a page says it is in (`<html lang>`, Content-Language, og:locale), as ISO 639-1."""
    head = (page.encode("utf-8", errors="replace") if isinstance(page, str) else page)[:65536]
    for pattern in _DECLARED:
        match = pattern.search(head)
        if match:
            return match.group(1).decode("ascii").lower()[:2]
    return None


def script_language(text: str) -> str | None:
    """Burmese ("my") or Chinese ("zh") when most of the text's letters are Burmese or Chinese script, else None."""
    letters = sum(1 for char in text if char.isalpha())
    if not letters:
        return None
    for language, pattern in _SCRIPTS:
        if len(pattern.findall(text)) * 2 >= letters:
            return language
    return None


def _looks_english(text: str) -> bool:
    words = _WORD.findall(text.lower())
    return len(words) >= 8 and sum(word in _ENGLISH for word in words) >= ENGLISH_SHARE * len(words)


@functools.cache
def _identifier() -> Any:
    """langid.py's model, loaded once per process on first use (seconds; see the module docstring)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, declared: str | None = None) -> str:
    """The report's language as ISO 639-1 ("en", "id", "my", "zh"), from its text and what the page declared."""
    sample = text[:SAMPLE]
    by_script = script_language(sample)
    if by_script is not None:
        return by_script
    if _looks_english(sample):
        return "en"
    if len(_WORD.findall(sample)) < MIN_DETECTABLE_WORDS:
        return declared or "en"
    # The model knows a few languages by three-letter codes only; a dossier's languages are ISO 639-1.
    ranked = [(name, share) for name, share in _identifier().rank(sample) if len(name) == 2]
    language, probability = ranked[0]
    # Indonesian and Malay share most words: the page's own word settles a close call between them, but a
    # theme's lang="en" does not make an Indonesian brief English.
    plausible = {name for name, share in ranked[:3] if share >= PLAUSIBLE}
    if declared and probability < SURE and declared in plausible:
        return declared
    return str(language)
