"""What a report adds to the dossier beyond its sentences: new names, events on the timeline, stakes.

A claim that reports something happening on a day (a town seized, troops surrendering, a ceasefire agreed)
proposes an event a reader would recognise ("MNDAA seizes Chinshwehaw border trade gate"), with the claim's
day and precision, its place and its actors, unless an event on record already fits it: the same kind of
thing, within two days, at the same place or by the same actors; then the claim is linked to that one.
A claim about what a stakeholder stands to gain or lose ("Beijing's border trade", "the safety of Chinese
citizens") proposes the stake as packs record it: the stakeholder and the interest. Everything here is a
proposal tied to the sentence it came from; only a moderator's press writes it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from bot.intake.days import find_days
from bot.intake.names import NewName, new_names
from bot.intake.sentences import Gazetteer, Known
from bot.models import DatePrecision, Interest, normalise

#: How far apart a claim's day and an event's may be for the claim to be about that event.
LINK_WINDOW = timedelta(days=2)
NAME_MAX = 100

# What happened, by the words that report it; the first that matches decides. Each kind keeps its verbs in
# the past (as reports tell it) and the present a reader's event name uses.
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("surrender", r"\bsurrender(?:ed|s)?\b"),
        ("capture", r"\b(?:seized|seizes|captured|captures|overran|overrun|took control of|taken control of|"
         r"takes control of|lost control of|fell to|fall of|push(?:ed|es)? [\w\s]{0,30}? out of|retook|recaptured|"
         r"(?:took|taken) (?:the )?(?:town of |border gate )?(?=[A-Z]|several\b|more\b|\d|dozens?\b|over\b|full\b))"),
        ("agreement", r"\b(?:agreed|agrees|signed|reached an? (?:deal|agreement|truce))\b"),
        ("talks", r"\b(?:met for talks|held talks|hold talks|peace talks)\b"),
        ("attack", r"\b(?:attacked|stormed|(?:began|launched) an assault)\b"),
        ("killing", r"\b(?:killed|kills|were killed|died)\b"),
        ("displacement", r"\b(?:displaced|fled|to flee)\b"),
        ("shelling", r"\b(?:shelled|shelling|shells|bombed|bombarded|air ?strikes?|airstrikes?)\b"),
        ("launch", r"\b(?:launched|launches|began an? offensive)\b"),
        ("handover", r"\b(?:handed over|extradited|repatriated)\b"),
    )
)  # fmt: skip
_PRESENT = {
    "seized": "seizes", "captured": "captures", "overran": "overruns", "overrun": "overruns",
    "took control of": "takes control of", "taken control of": "takes control of", "retook": "retakes",
    "recaptured": "recaptures", "surrendered": "surrenders", "agreed": "agrees", "signed": "signs",
    "killed": "kills", "shelled": "shells", "bombed": "bombs", "launched": "launches", "fled": "flees",
    "handed over": "hands over", "displaced": "displaced", "died": "die",
}  # fmt: skip
_ROLES = {
    "capture": ("attacker", "target"), "surrender": ("surrendered", "receiving"), "agreement": ("party", "party"),
    "talks": ("party", "party"), "attack": ("attacker", "target"), "killing": ("perpetrator", "target"),
    "displacement": ("cause", "participant"),
    "shelling": ("attacker", "target"), "launch": ("attacker", "target"), "handover": ("handing over", "receiving"),
}  # fmt: skip
# The end of what an event's name needs: the day, the circumstances, the next clause.
_CLAUSE_END = re.compile(
    r"\s+(?:on|since|after|before|during|following|according|amid|when|while|as|last|this)\b|[,;:.(]"
    r"|\s+(?:in|near|around) (?:a|the)\b",
    re.IGNORECASE,
)
# A stakeholder's interest, by the words that name it; the first that matches decides.
_INTERESTS: tuple[tuple[Interest, re.Pattern[str]], ...] = tuple(
    (interest, re.compile(pattern, re.IGNORECASE))
    for interest, pattern in (
        (Interest.CITIZENS, r"\b(?:citizens|nationals|workers|safety of)\b"),
        (Interest.INVESTMENT, r"\b(?:investments?|projects?|pipelines?|economic corridor|mines?|port)\b"),
        (Interest.TRADE, r"\b(?:trade|traders|goods|exports?|imports?|commerce)\b"),
        (Interest.SECURITY, r"\b(?:security|stray shells?|border safety)\b"),
        (Interest.STABILITY, r"\b(?:stability|calm|unrest|chaos|break apart)\b"),
        (Interest.DIPLOMACY, r"\b(?:brokered|mediat\w+|envoy|relations|ties)\b"),
    )
)  # fmt: skip
# What makes a mention of an interest a stake: it is at risk, wanted or protected, or it is someone's
# ("Beijing's border trade": a possessive just before the interest).
_STAKE_CUE = re.compile(
    r"\b(?:protect\w*|risk\w*|threat\w*|hurt\w*|harm\w*|los[es]\w*|gain\w*|want\w*|safety|stuck|halt\w*|"
    r"stopp\w*|disrupt\w*|leave|evacuat\w*)\b",
    re.IGNORECASE,
)
_POSSESSED = re.compile(r"(?:[A-Z]\w*['’]s|\bits|\btheir)\s+(?:[\w-]+\s+){0,2}$")


@dataclass(frozen=True)
class KnownEvent:
    """An event on record, as much of it as a claim is matched against."""

    slug: str
    name: str
    day: date
    precision: str
    places: frozenset[str]
    actors: frozenset[str]

    @property
    def kind(self) -> str | None:
        """What kind of thing it was, read from its name as a claim's is read."""
        return event_kind(self.name)


@dataclass(frozen=True)
class EventProposal:
    """The event a claim reports: to add, or (`link`) the event on record it is about."""

    sentence: str
    kind: str
    name: str
    day: date
    precision: DatePrecision
    #: A known place's slug, or the name of a place proposed with it.
    place: str | None
    #: (actor slug or new name, role), the doer first.
    actors: tuple[tuple[str, str], ...]
    link: str | None = None


@dataclass(frozen=True)
class StakeProposal:
    """A stake a claim records, the way packs do: who stands to gain or lose, and which interest."""

    sentence: str
    stakeholder: str
    interest: Interest


@dataclass(frozen=True)
class StakeModel:
    """Who holds stakes in this dossier, and whose stakes an actor's fortunes are (Chinese citizens: Beijing's)."""

    stakeholders: frozenset[str]
    on_behalf: dict[str, str]
    #: (folded name, slug) of every name of a stakeholder: "China" names Beijing even where a place has it too.
    names: tuple[tuple[str, str], ...] = ()

    @classmethod
    def build(
        cls,
        stakes: Iterable[tuple[str | None, Iterable[str]]],
        names: Iterable[tuple[str, str]] = (),
        facts_about: dict[str, int] | None = None,
    ) -> StakeModel:
        """From the stakes on record, the actors' names, and how many facts are about each actor.

        An actor speaks for a stakeholder when most of its facts are that stakeholder's stakes (Chinese
        citizens), not when it is merely the other side of them (the junta).
        """
        holders: set[str] = set()
        votes: dict[str, Counter[str]] = {}
        for holder, actors in stakes:
            if holder is None:
                continue
            holders.add(holder)
            for actor in actors:
                votes.setdefault(actor, Counter())[holder] += 1
        about = facts_about or {}
        on_behalf = {
            actor: count.most_common(1)[0][0]
            for actor, count in votes.items()
            if actor not in holders and 2 * count.total() >= about.get(actor, 0)
        }
        return cls(frozenset(holders), on_behalf, tuple((n, slug) for n, slug in names if slug in holders))


@dataclass(frozen=True)
class Growth:
    """Everything a report proposes beyond its candidate facts."""

    names: list[NewName]
    events: list[EventProposal]
    stakes: list[StakeProposal]
    #: The events on record the claims were matched against, to match again on a better day.
    known: list[KnownEvent] = field(default_factory=list)

    def event_on(self, proposal: EventProposal, day: date, precision: DatePrecision) -> EventProposal:
        """A proposal on the day its candidate reports (read with the claimant in view), matched again."""
        moved = replace(proposal, day=day, precision=precision, link=None)
        return replace(moved, link=fitting(moved, self.known))


def event_kind(text: str) -> str | None:
    """What kind of thing a sentence or an event's name reports happening, if any."""
    return next((kind for kind, pattern in _KINDS if pattern.search(text)), None)


_SAID = re.compile(r"\b(?:said|says|told|confirmed|warned|added|claimed|announced|according to)\b(?: that)?")
_PRONOUN = re.compile(r"^(?:on \w+ )?(?:it|they|its \w+|their \w+)\b", re.IGNORECASE)
_AUXILIARY = re.compile(r"\b(?:had|has|have|was|were|is|are|would|will|also)\b.*$")


def _last_name(text: str, gazetteer: Gazetteer, new: list[NewName]) -> tuple[str, str] | None:
    """The last name in `text` as written, and what it names (an actor's slug or a new name)."""
    words = text.split()
    for end in range(len(words), 0, -1):
        for start in range(max(0, end - gazetteer.longest), end):
            surface = " ".join(words[start:end]).strip(",.;:'’\"“”")
            surface = re.sub(r"['’]s$", "", surface)
            known = gazetteer.names.get(normalise(surface))
            if known is not None and known.entity == "actor":
                return surface, known.slug
            if any(n.name == surface and n.entity == "actor" for n in new):
                return surface, surface
    return None


def _doer(before: str, gazetteer: Gazetteer, new: list[NewName]) -> tuple[str | None, list[str], str]:
    """Who did it: as written, as slugs or new names ("the TNLA and MNDAA": both), and the clause it is in.

    After "X said (that)" the doer is the reported clause's subject; "it" or "they" there is the speaker.
    """
    said = list(_SAID.finditer(before))
    speaker, clause = (before[: said[-1].start()], before[said[-1].end() :]) if said else ("", before)
    named = _last_name(clause, gazetteer, new)
    if named is None and said and (_PRONOUN.match(clause.strip()) or not clause.strip()):
        named = _last_name(speaker, gazetteer, new)
        clause = before
    if named is None:
        subject = _AUXILIARY.sub("", re.sub(r"^\s*(?:on \w+\s+)?", "", clause)).strip(" ,")
        return re.sub(r"^(?:the|a|an)\s+", "", subject, flags=re.IGNORECASE) or None, [], clause
    surface, doer = named
    head = clause[: clause.rfind(surface)].rstrip()
    if head.endswith(" and"):
        other = _last_name(head[:-4], gazetteer, new)
        if other is not None:
            return f"{other[0]} and {surface}", [other[1], doer], clause
    return surface, [doer], clause


def _name(sentence: str, match: re.Match[str], doer: str | None, plural: bool) -> str:
    verb = " ".join(match.group().lower().split())
    verb = _PRESENT.get(verb, verb)
    if plural and verb.split()[0].endswith("s"):
        first, _, rest = verb.partition(" ")
        first = first[:-2] if first.endswith(("ches", "shes", "sses")) else first[:-1]
        verb = f"{first} {rest}".strip()
    what = sentence[match.end() :]
    end = _CLAUSE_END.search(what)
    what = re.sub(
        r"^\s*(?:the |a |an )?(?:(?:town|city|village|township) of )?", "", what[: end.start() if end else None]
    )
    name = f"{doer or 'Someone'} {verb} {what.strip()}".strip()
    name = re.sub(r"^(?:the|a|an) ", "", name, flags=re.IGNORECASE)
    return (name[0].upper() + name[1:])[:NAME_MAX].strip()


def propose_event(
    sentence: str,
    gazetteer: Gazetteer,
    new: list[NewName],
    when: tuple[date, DatePrecision],
    events: Iterable[KnownEvent],
    *,
    context_place: str | None = None,
) -> EventProposal | None:
    """The event a claim reports, linked to the event on record it fits; none if it reports no event.

    Its place is the most precise one the claim names, else `context_place`: the place the report was
    last about, as a reader would take it ("six generals surrendered" in a report about Laukkai).
    """
    found = next(((kind, m) for kind, pattern in _KINDS if (m := pattern.search(sentence))), None)
    if found is None:
        return None
    kind, match = found
    if re.search(r"\baccording to\b", sentence[: match.start()], re.IGNORECASE):
        return None  # "…, according to residents who fled": who says it, not what happened
    known, _ = gazetteer.find(sentence)
    surface, doers, clause = _doer(sentence[: match.start()], gazetteer, new)
    # Who speaks is not who acts: actors named only in "X said" take no part.
    scope = clause + sentence[match.start() :]
    in_scope, _ = gazetteer.find(scope)
    actors = [k.slug for k in in_scope if k.entity == "actor"] + [
        n.name for n in new if n.entity == "actor" and n.name in scope
    ]
    first, other = _ROLES[kind]
    roles = tuple((a, first if a in doers else other) for a in dict.fromkeys(doers + actors))
    last = surface.split()[-1] if surface else ""
    plural = len(doers) > 1 or (last.islower() and (last.endswith("s") or last in ("people", "police")))
    place = _place(sentence, known, new) or context_place
    proposal = EventProposal(sentence, kind, _name(sentence, match, surface, plural), *when, place, roles)
    link = fitting(proposal, events)
    return proposal if link is None else replace(proposal, link=link)


def _place(sentence: str, known: list[Known], new: list[NewName]) -> str | None:
    """The most precise place named: a new town before a known state, the first of each."""
    towns = [n for n in new if n.entity == "place" and n.name in sentence]
    towns.sort(key=lambda n: (n.kind not in ("town", "border"), sentence.find(n.name)))
    if towns:
        return towns[0].name
    return next((k.slug for k in known if k.entity == "place"), None)


def fitting(proposal: EventProposal, events: Iterable[KnownEvent]) -> str | None:
    """The event on record a proposal is about: same kind, within two days, same place or actors."""
    actors = {a for a, _ in proposal.actors}
    best: tuple[int, str] | None = None
    for event in events:
        if event.kind != proposal.kind:
            continue
        # A month's or a year's event is dated by its first day; "within two days" is of that day.
        if abs(proposal.day - event.day) > LINK_WINDOW:
            continue
        shared = len(actors & event.actors) + 2 * (proposal.place in event.places)
        if shared and (best is None or shared > best[0]):
            best = (shared, event.slug)
    return best[1] if best else None


def propose_stake(sentence: str, known: list[Known], model: StakeModel) -> StakeProposal | None:
    """The stake a claim records: a stakeholder (or those it speaks for) named, with an interest at stake."""
    folded = f" {normalise(sentence)} "
    holder = next((k.slug for k in known if k.slug in model.stakeholders), None)
    holder = holder or next((slug for name, slug in model.names if f" {name} " in folded), None)
    holder = holder or next((model.on_behalf[k.slug] for k in known if k.slug in model.on_behalf), None)
    if holder is None:
        return None
    for interest, pattern in _INTERESTS:
        match = pattern.search(sentence)
        # Trade, citizens, investments are a stakeholder's by their nature; "security" is anyone's word
        # until it is at risk, wanted or the stakeholder's own.
        cued = interest is not Interest.SECURITY or _STAKE_CUE.search(sentence)
        if match and (cued or _POSSESSED.search(sentence[: match.start()])):
            return StakeProposal(sentence, holder, interest)
    return None


def grow(
    sentences: list[str],
    gazetteer: Gazetteer,
    events: list[KnownEvent],
    stakes: StakeModel,
    *,
    published: date,
) -> Growth:
    """A report's new names, and the events and stakes its claims propose, each tied to its sentence."""
    names = new_names(sentences, gazetteer)
    proposed_events: list[EventProposal] = []
    proposed_stakes: list[StakeProposal] = []
    place: str | None = None
    for sentence in sentences:
        known, _ = gazetteer.find(sentence)
        mentioned = [n for n in names if n.name in sentence or any(a in sentence for a in n.aliases)]
        days = find_days(sentence, published, published)
        when = (days[0].day.day, days[0].day.precision) if days else (published, DatePrecision.DAY)
        event = propose_event(sentence, gazetteer, mentioned, when, events, context_place=place)
        if event is not None:
            proposed_events.append(event)
        place = _place(sentence, known, mentioned) or place
        stake = propose_stake(sentence, known, stakes)
        if stake is not None:
            proposed_stakes.append(stake)
    return Growth(names, proposed_events, proposed_stakes, events)
