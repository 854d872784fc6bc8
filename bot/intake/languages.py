"""Which reports a dossier reads: the languages it accepts, and what a moderator is told about the rest.

A dossier accepts English unless its pack says otherwise (`topic.languages`). A report in a language it does
not accept is recorded as skipped, with the reason, rather than proposed as if it were English: its
sentences would be matched against English names and graded like English copy. A report in an accepted
language other than English is proposed, each candidate saying its language plainly, so a moderator reads
the original before signing it.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Names for the codes a dossier on the region is likely to meet; any other code is shown as it is.
NAMES = {
    "en": "English",
    "my": "Burmese",
    "zh": "Chinese",
    "th": "Thai",
    "id": "Indonesian",
    "ms": "Malay",
    "hi": "Hindi",
    "bn": "Bengali",
    "ja": "Japanese",
    "ko": "Korean",
    "ru": "Russian",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "vi": "Vietnamese",
}


def language_name(code: str) -> str:
    """`Burmese (my)`: a language as moderators read it, with the code a pack names it by."""
    name = NAMES.get(code)
    return f"{name} ({code})" if name else f"the language `{code}`"


def skipped_because(language: str, accepted: Sequence[str], topic: str) -> str | None:
    """Why a report in `language` is not proposed for `topic`, or None when the topic accepts it."""
    if language in accepted:
        return None
    listed = ", ".join(language_name(code) for code in accepted)
    return (
        f"skipped: the report is in {language_name(language)}, which the topic `{topic}` does not accept"
        f" (it accepts {listed}; a pack's `languages` adds more)"
    )


def candidate_language(language: str) -> str | None:
    """What a candidate says about its language: nothing for English, plainly otherwise."""
    if language == "en":
        return None
    return f"{language_name(language)}, not English: read the original before approving"
