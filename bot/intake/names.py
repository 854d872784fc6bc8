"""Names a report uses that the dossier does not know yet, with a guess at what each names.

Reports bring the towns that change hands, the spokesmen who speak and the groups that join the fighting
long before a moderator types them in. A name is a run of capitalised words ("Zaw Min Tun", "Ministry of
Public Security") that the gazetteer does not know; what it names is read from the words around every
mention in the report ("the town of X", "X township", "spokesman X", "X, a town in northern Shan State",
"X (KIA)"), and from its own last word ("... Army", "... State"). The guesses are only proposals: a
moderator adds a name with one press, or rejects it, and nothing here writes.

Rules rather than a statistical recogniser: the maintained English models (spaCy's, GLiNER's, flair's) are
downloaded separately at run time, which this bot may not do, and the re-uploads of spaCy's model on PyPI
are third-party copies nobody maintains. `bench/intake_growth.py` measures these rules on a corpus.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from bot.intake.sentences import Gazetteer
from bot.models import normalise

NewEntity = Literal["actor", "place"]

# A word that starts with a capital (Ta'ang, China-Myanmar, KIA), or "of"/"the" inside an organisation's name.
_TOKEN = re.compile(r"[A-Z][\w'’\-]*(?<![-'’])|[a-z]+|\S")
_POSSESSIVE = re.compile(r"['’]s$")
#: Capitalised words that start sentences or name no one: never a name on their own.
_NOT_NAMES = frozenset(
    """a an the this that these those it its he she they we i his her their our on in at of for from to by
    with as after before since during while but and or if when where what who more most many some several
    hundreds thousands dozens about nearly almost over residents representatives rebels troops soldiers
    officials analysts witnesses sources people forces junta ethnic acting chinese burmese indian thai
    american western russian asian foreign local state military government army monday tuesday wednesday
    thursday friday saturday sunday january february march april may june july august september october
    november december jan feb mar apr jun jul aug sep sept oct nov dec northern southern eastern western
    central north south east west upper lower mr mrs ms dr gen lt col senior general president minister
    spokesman spokeswoman spokesperson prime deputy vice chairman leader commander colonel brigadier
    reuters afp ap xinhua bbc irrawaddy one two three four five six seven eight nine ten dozens""".split()
)
#: Words before a person's name ("spokesman Zaw Min Tun", "Acting President Myint Swe").
_TITLES = frozenset(
    """spokesman spokeswoman spokesperson president minister general gen senior leader chief commander
    envoy ambassador chairman colonel brigadier mr mrs ms dr prime deputy vice acting""".split()
)
_SPEECH = frozenset("said says told confirmed warned urged added denied claimed announced stated".split())
#: Organisation heads that join "of" into a name ("Ministry of Public Security").
_OF_HEADS = frozenset(
    """ministry republic union bank department office council committee commission organisation
    organization institute university embassy bureau agency federation association""".split()
)
# An organisation's or a place's own last word says what it is.
_SUFFIX_KINDS: dict[str, tuple[NewEntity, str]] = {
    **dict.fromkeys(
        "army forces force front militia brigade regiment battalion guard guards rebels".split(),
        ("actor", "armed-group"),
    ),
    "alliance": ("actor", "alliance"),
    "command": ("actor", "military"),
    **dict.fromkeys("ministry government embassy police security council cabinet".split(), ("actor", "government")),
    **dict.fromkeys(
        """corridor company bank corporation committee commission agency organization organisation union party
        group association news media network institute university office society""".split(),
        ("actor", "organisation"),
    ),
    "state": ("place", "state"),
    **dict.fromkeys("region province division".split(), ("place", "region")),
    **dict.fromkeys("gate crossing zone".split(), ("place", "border")),
    **dict.fromkeys("township town city village".split(), ("place", "town")),
}
# The lower-case word after a name ("Muse township", "Yunnan province", "the Kaladan river").
_AFTER_KINDS: dict[str, str] = {
    **dict.fromkeys("township townships town city village base".split(), "town"),
    **dict.fromkeys("province provincial region river valley".split(), "region"),
    **dict.fromkeys("crossing gate".split(), "border"),
    "state": "state",
}
_BEFORE_PLACE = re.compile(
    r"\b(?:town|city|village|township|capital) of (?:the )?$"
    r"|\b(?:in|at|near|around|toward|towards|into|from|of|outside) (?:the )?$",
    re.IGNORECASE,
)
_APPOSITION = re.compile(
    r"^,? (?:a|the) (?P<what>town|city|village|township|capital|border town|trading hub|spokes(?:man|woman|person))\b"
    r"(?:[^,.;]*? in (?:the )?(?:(?:northern|southern|eastern|western|central|north|south|east|west) )?"
    r"(?P<parent>[A-Z][\w'’\-]*(?: [A-Z][\w'’\-]*)*)(?: (?P<lower>township|state|region|province))?)?",
)
_IN_PARENT = re.compile(
    r"^(?: (?:and [A-Z][\w'’\-]* )?townships?)? in (?:(?:northern|southern|eastern|western|central) )?"
    r"(?P<parent>[A-Z][\w'’\-]*(?: [A-Z][\w'’\-]*)*)",
)
_ACRONYM = re.compile(r"^ ?\((?P<acronym>[A-Z][A-Z0-9\-]{1,9})\)")


@dataclass(frozen=True)
class NewName:
    """A name the dossier does not know, what it probably names, and the report's words it came from."""

    name: str
    entity: NewEntity
    kind: str
    aliases: tuple[str, ...] = ()
    #: The place that contains it: a known place's slug, or another new name.
    parent: str | None = None
    sentence: str = ""


@dataclass
class _Mention:
    name: str
    sentence: str
    evidence: Counter[tuple[NewEntity, str]] = field(default_factory=Counter)
    aliases: set[str] = field(default_factory=set)
    parents: Counter[str] = field(default_factory=Counter)
    #: Seen other than as a sentence's first word, where every word is capitalised ("Traders said").
    inside: bool = False


def _spans(sentence: str) -> Iterable[tuple[str, int, int]]:
    """Runs of capitalised words, joined through "of (the)" after an organisation's head word."""
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(sentence)]
    i = 0
    while i < len(tokens):
        word, start, _ = tokens[i]
        if not word[0].isupper():
            i += 1
            continue
        j = i + 1
        while j < len(tokens):
            nxt = tokens[j][0]
            if nxt[0].isupper() and not _POSSESSIVE.search(tokens[j - 1][0]):
                j += 1
                continue
            organisation = any(t[0].lower() in _OF_HEADS for t in tokens[i:j])
            if nxt in ("of", "for") and organisation:
                k = j + 2 if j + 1 < len(tokens) and tokens[j + 1][0] == "the" else j + 1
                if k < len(tokens) and tokens[k][0][0].isupper():
                    j = k + 1
                    continue
            break
        yield sentence[start : tokens[j - 1][2]], start, tokens[j - 1][2]
        i = j


def _trim(span: str, start: int, at_sentence_start: bool, text_lower: set[str]) -> tuple[str, int, bool]:
    """The span without leading words that are not part of a name; whether a title stood before it."""
    words = span.split(" ")
    titled = False
    while words:
        first = _POSSESSIVE.sub("", words[0]).lower()
        if first in _TITLES:
            titled = True
        if first in _NOT_NAMES or first in _TITLES or (at_sentence_start and first in text_lower):
            start += len(words[0]) + 1
            words = words[1:]
            at_sentence_start = False
            continue
        break
    name = _POSSESSIVE.sub("", " ".join(words)).strip(" -'’")
    return name, start, titled


def _known(name: str, gazetteer: Gazetteer) -> bool:
    norm = normalise(name)
    if norm in gazetteer.names or norm in gazetteer.terms:
        return True
    words = norm.split()
    # "Shan State army" or "MNDAA fighters": a known name with generic words around it is known.
    known, _ = gazetteer.find(name)
    covered = " ".join(normalise(k.name) for k in known)
    return bool(known) and all(w in covered or w in _NOT_NAMES or w in _SUFFIX_KINDS for w in words)


def new_names(sentences: list[str], gazetteer: Gazetteer) -> list[NewName]:
    """The names a report's sentences use that the gazetteer does not know, in order of first mention."""
    text_lower = {w for s in sentences for w in re.findall(r"(?<![.!?] )\b[a-z][a-z'’\-]+\b", s)}
    mentions: dict[str, _Mention] = {}
    acronyms: dict[str, str] = {}
    for sentence in sentences:
        for span, start, end in _spans(sentence):
            name, start, titled = _trim(span, start, _opens(sentence, start), text_lower)
            if not name or len(name) < 3 or not re.search(r"[A-Za-z]{2}", name) or _known(name, gazetteer):
                continue
            # Part of a known name: "People's | Defense Forces", "Kokang | army", "Operation | 1027".
            before_word, after_word = sentence[:start].split()[-1:], sentence[end:].split()[:1]
            pairs = ([*before_word, name], [name, *after_word])
            if any(_known(" ".join(w), gazetteer) for w in pairs if len(w) == 2):
                continue
            key = normalise(name)
            mention = mentions.setdefault(key, _Mention(name, sentence))
            mention.inside = mention.inside or not _opens(sentence, start) or " " in name
            before, after = sentence[:start], sentence[end:]
            _evidence(mention, name, before, after, titled, gazetteer)
            acronym = _ACRONYM.match(after)
            if acronym and not _known(acronym["acronym"], gazetteer):
                mention.aliases.add(acronym["acronym"])
                acronyms[normalise(acronym["acronym"])] = key
    found: list[NewName] = []
    for key, mention in mentions.items():
        if not (mention.inside or any(n >= 2 for n in mention.evidence.values())):
            continue
        owner = acronyms.get(key) or _initials_of(mention.name, mentions)
        if owner is not None and owner != key:
            mentions[owner].aliases.add(mention.name)
            continue
        entity, kind = _kind(mention)
        parent = mention.parents.most_common(1)[0][0] if mention.parents and entity == "place" else None
        found.append(NewName(mention.name, entity, kind, tuple(sorted(mention.aliases)), parent, mention.sentence))
    return found


def _opens(sentence: str, start: int) -> bool:
    return start == 0 or sentence[:start].strip() in {'"', "“", "'", "‘"}


def _initials_of(name: str, mentions: dict[str, _Mention]) -> str | None:
    """The key of the name an all-capitals word abbreviates ("KIA" of "Kachin Independence Army")."""
    if not (name.isupper() and 2 <= len(name) <= 8):
        return None
    for key, other in mentions.items():
        initials = "".join(w[0] for w in other.name.split() if w[0].isupper())
        if initials == name and other.name != name:
            return key
    return None


def _evidence(mention: _Mention, name: str, before: str, after: str, titled: bool, gazetteer: Gazetteer) -> None:
    last = name.split()[-1].lower()
    if last in _SUFFIX_KINDS:
        mention.evidence[_SUFFIX_KINDS[last]] += 3
    else:
        # "UN Office for the Coordination of …": an organisation's head word inside its name.
        head = next((w.lower() for w in name.split() if w.lower() in _SUFFIX_KINDS), None)
        if head is not None and _SUFFIX_KINDS[head][0] == "actor":
            mention.evidence[_SUFFIX_KINDS[head]] += 2
    before_words = before.lower().split()[-3:]
    after_words = after.lower().split()
    if titled or any(w.strip(",") in _TITLES for w in before_words[-2:]):
        mention.evidence["actor", "person"] += 3
    elif after_words and after_words[0].strip(",.") in _SPEECH and len(name.split()) >= 2 and last not in _SUFFIX_KINDS:
        mention.evidence["actor", "person"] += 1
    if after_words and after_words[0].strip(",.") in _AFTER_KINDS:
        mention.evidence["place", _AFTER_KINDS[after_words[0].strip(",.")]] += 2
    if _BEFORE_PLACE.search(before):
        mention.evidence["place", "town"] += 1
    apposition = _APPOSITION.match(after)
    if apposition:
        what = apposition["what"]
        if what.startswith("spokes"):
            mention.evidence["actor", "person"] += 3
        else:
            mention.evidence["place", "town"] += 2
        if apposition["parent"]:
            mention.parents[_parent(apposition["parent"], apposition["lower"], gazetteer)] += 1
    else:
        inside = _IN_PARENT.match(after)
        if inside and (_BEFORE_PLACE.search(before) or after_words[0] in ("township", "townships", "and")):
            mention.parents[_parent(inside["parent"], None, gazetteer)] += 1


def _parent(name: str, lower: str | None, gazetteer: Gazetteer) -> str:
    """A known place's slug when the gazetteer knows it, else the new name itself."""
    for text in (f"{name} {lower}" if lower else name, name):
        known = gazetteer.names.get(normalise(text))
        if known is not None and known.entity == "place":
            return known.slug
    return name


def _kind(mention: _Mention) -> tuple[NewEntity, str]:
    if mention.evidence:
        (entity, kind), _ = mention.evidence.most_common(1)[0]
        if entity == "place" and kind == "town":
            # A stronger word of scale ("X province", "X State") wins over a plain preposition.
            scale = [k for (e, k), n in mention.evidence.items() if e == "place" and k != "town" and n >= 2]
            if scale:
                return "place", scale[0]
        return entity, kind
    if mention.name.isupper():
        return "actor", "organisation"
    # A lone unknown word in a war report is most often a place; several words, someone's or something's name.
    return ("place", "town") if len(mention.name.split()) == 1 else ("actor", "person")
