"""Who makes a claim ("X said", "according to X", "X told …", "X claimed"), and which words are the claim.

A moderator grades a junta statement differently from a UN figure, so each candidate carries its claimant
as the report wrote it ("a spokesman for the MNDAA", "the junta", "China's foreign ministry"). What is found
is the attribution: its span in the sentence (the rest is the reported content, whose day is the day the
sentence reports) and the claimant phrase. Rules are per language, for the languages the corpus holds
(English, Indonesian, Chinese, Burmese); others get no claimant rather than a wrong one.

A phrase counts as a claimant only when it reads as one: a few words with no verb of their own ("The junta
has not said …" is no claim by the junta; "The spokesperson did not give details and said …" is the
spokesperson's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERB = (
    r"(?:said|says|told|tells|claimed|claims|announced|announces|reported|reports|added|adds|stated|states|"
    r"warned|warns|confirmed|confirms|acknowledged|acknowledges|insisted|alleged|estimated|estimates)"
)
_DAYISH = (
    r"(?:\s+(?:on\s+\w+(?:\.\s?\d{1,2})?|yesterday|today|last\s+week|earlier\s+this\s+month|in\s+an?\s+[\w ]{1,30}?))*"
)
_LEADING = re.compile(r"^(?P<c>[^\s].{1,160}?)\s+(?:has\s+|have\s+|had\s+)?" + _VERB + r"\b(?P<rest>" + _DAYISH + r")")
_ACCORDING_FIRST = re.compile(r"^according to (?P<c>[^,]{2,120}),\s*", re.IGNORECASE)
_TRAILING = (
    re.compile(r",\s*according to (?P<c>[^,]{2,160}?)\s*[.!]?[\"”’']?$", re.IGNORECASE),
    re.compile(r",\s*(?P<c>[^,]{2,120}?)\s+" + _VERB + _DAYISH + r"\s*[.!]?[\"”’']?$"),
    re.compile(r",\s*(?:said|says)\s+(?P<c>[^,]{2,120}?)\s*[.!]?[\"”’']?$"),
)
_THAT = re.compile(r"^\s*(?:[^,.]{0,80}?\s)?that\b")
# Words a claimant phrase has no room for: a verb of its own, a negation, a conditional.
_NOT_A_CLAIMANT = re.compile(
    r"\b(has|have|had|is|are|was|were|will|would|could|should|did|does|do|not|if|that|because|but|than|hopes?|"
    r"called|launched|took|began|attacked|fled|reached)\b",
    re.IGNORECASE,
)
_LEADING_SCENE = re.compile(
    r"^(?:(?:in|on|at|earlier|later|last|yesterday|meanwhile|however|separately|also|this)\b[^,]{0,40},\s*)",
    re.IGNORECASE,
)
_MAX_WORDS = 16
_DETERMINERS = frozenset({"the", "a", "an", "this", "these", "those", "its", "their"})

_INDONESIAN = (
    re.compile(r"^menurut (?P<c>[^,]{2,100}),\s*", re.IGNORECASE),
    re.compile(r"^(?P<c>[^\s].{1,100}?)\s+(?:mengatakan|menyatakan|mengklaim|mengumumkan|menyebutkan)\b"),
    re.compile(r",\s*(?:kata|ujar|menurut)\s+(?P<c>[^,]{2,100}?)\s*[.!]?$", re.IGNORECASE),
)
_CHINESE = re.compile(
    r"(?:^|[，。；])(?P<c>[^，。；]{2,40}?)(?:于)?(?:\d{1,2}月)?(?:\d{1,2}日)?(?:表示|称|宣布|说|指出|证实)"
)
_BURMESE = (
    re.compile(r"ဟု\s*(?P<c>\S.{0,60}?)\s*က\s*(?:ဆိုသည်|ပြောသည်|ပြောကြားသည်|ပြောကြားခဲ့သည်)။?$"),
    re.compile(r"^(?P<c>\S.{1,80}?)က\s.*(?:ပြောသည်|ပြောကြားခဲ့သည်|ပြောကြားသည်|ဆိုသည်)။?$"),
)


@dataclass(frozen=True)
class Attribution:
    """Who makes the claim, as written, and where in the sentence the attribution sits."""

    claimant: str
    start: int
    end: int


def _short(phrase: str) -> bool:
    return len(phrase.split()) <= _MAX_WORDS


def _fits(phrase: str) -> bool:
    words = phrase.lower().split()
    return _short(phrase) and not _NOT_A_CLAIMANT.search(phrase) and not set(words) <= _DETERMINERS


def _tidy(phrase: str) -> str:
    return phrase.strip(" ,;:[]\"“”'’").strip()


def _english(sentence: str) -> Attribution | None:
    if match := _ACCORDING_FIRST.match(sentence):
        return Attribution(_tidy(match["c"]), 0, match.end())
    if match := _LEADING.match(sentence):
        phrase = _LEADING_SCENE.sub("", match["c"])
        subject = None
        if _fits(phrase):
            subject = phrase
        elif phrase.endswith(" and"):
            # "The spokesperson did not give details and said …": the sentence's subject says it.
            head = _NOT_A_CLAIMANT.split(phrase, maxsplit=1)[0]
            if head.strip() and _fits(head) and len(head.split()) <= 6:
                subject = head
        if subject is not None and _tidy(subject):
            end = match.end()
            if that := _THAT.match(sentence[end:]):
                end += that.end()
            return Attribution(_tidy(subject), 0, end)
    for number, pattern in enumerate(_TRAILING):
        # "according to two residents who left the town that night": a relative clause may follow the name.
        if (match := pattern.search(sentence)) and (_fits(match["c"]) or (number == 0 and _short(match["c"]))):
            return Attribution(_tidy(match["c"]), match.start(), len(sentence))
    return None


def attribution(sentence: str, language: str = "en") -> Attribution | None:
    """Who the sentence says makes its claim, or None when it reports on its own account."""
    if language == "zh":
        if match := _CHINESE.search(sentence):
            return Attribution(_tidy(match["c"]), match.start("c"), match.end())
        return None
    if language == "my":
        for pattern in _BURMESE:
            if match := pattern.search(sentence):
                return Attribution(_tidy(match["c"]), match.start(), match.end())
        return None
    if language == "id":
        for pattern in _INDONESIAN:
            if match := pattern.search(sentence):
                return Attribution(_tidy(match["c"]), match.start(), match.end())
        return None
    if language == "en":
        return _english(sentence)
    return None
