"""How credible a claim is from who reports it: the Admiralty code's credibility, read as its open-source use.

One source alone makes a claim "possibly true" (3) at best, unless that source's own reading of it was
graded better; two independent outlets make it "probably true" (2); three or more "confirmed" (1). What
counts is independent *voices*, not reports:

- one publisher is one voice, however many of its articles repeat the claim;
- the same wire copy republished by several outlets (the same words, where an outlet's words are kept) is
  one voice;
- a party to the fighting is one voice however many of its outlets carry it, and its claim alone stays at
  3 or worse, marked as that party's claim, until an independent outlet or the other party confirms it;
- a retracted report is no voice at all: the grade falls back when an outlet withdraws;
- a report that gives other figures than the statement (1,500 killed against 298) confirms neither: it is
  kept, and answers show both, but it is no voice for the statement's figure.

A moderator's grade set by hand wins over all of this, and is kept on record as such. The rule is one pure
function so that every path (intake attaching a source, a moderator retracting one, a pack) grades alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.claims import figures
from bot.models import PARTY_CREDIBILITY, is_party, normalise

if TYPE_CHECKING:
    from bot.store.records import FactRecord

#: What one source alone makes a claim at best, and a party's claim alone at best: "possibly true".
ALONE = PARTY_CREDIBILITY
#: "Cannot be judged": nothing left that reports the claim.
UNJUDGED = 6


@dataclass(frozen=True, slots=True)
class Report:
    """One source's report of a claim, as the rule needs it."""

    publisher: str | None
    says: str | None = None
    party: str | None = None
    credibility: int | None = None
    retracted: bool = False
    disputes: bool = False


@dataclass(frozen=True, slots=True)
class Corroboration:
    """The grade a claim earns from its reports, and what an answer says about it."""

    credibility: int
    voices: int
    party_only: str | None = None
    by_hand: bool = False

    def describe(self) -> str | None:
        """The plain words an answer shows where corroboration matters, or None for one ordinary source."""
        if self.by_hand:
            return None
        if self.party_only:
            return f"claimed by the {self.party_only} only"
        if self.voices >= 2:
            return f"confirmed by {self.voices} independent outlets"
        return None


def voices(reports: Sequence[Report]) -> list[list[Report]]:
    """The live reports grouped into independent voices (see the module's rules), in the order first reported."""
    groups: list[list[Report]] = []
    keys: list[set[tuple[str, str]]] = []
    for report in reports:
        if report.retracted or report.disputes:
            continue
        mine = {("words", normalise(report.says))} if report.says else set()
        if report.party:
            mine.add(("party", normalise(report.party)))
        elif report.publisher:
            mine.add(("publisher", normalise(report.publisher)))
        joined = [i for i, theirs in enumerate(keys) if mine & theirs]
        merged_keys, merged = set(mine), [report]
        for i in reversed(joined):
            merged_keys |= keys.pop(i)
            merged = groups.pop(i) + merged
        keys.insert(joined[0] if joined else len(keys), merged_keys)
        groups.insert(joined[0] if joined else len(groups), merged)
    return groups


def corroborate(reports: Sequence[Report], *, by_hand: int | None = None) -> Corroboration:
    """The credibility a claim earns from these reports; a moderator's `by_hand` grade wins, on record."""
    heard = voices(reports)
    parties = {r.party for group in heard for r in group if r.party}
    independent = [group for group in heard if not any(r.party for r in group)]
    party_only = next(iter(parties)) if len(parties) == 1 and not independent else None
    if by_hand is not None:
        return Corroboration(by_hand, len(heard), party_only, by_hand=True)
    if not heard:
        return Corroboration(UNJUDGED, 0)
    if len(heard) >= 3:
        grade = 1
    elif len(heard) == 2:
        grade = 2
    else:
        own = [r.credibility for r in heard[0] if r.credibility is not None]
        grade = min(own) if own else ALONE
    if party_only:
        grade = max(grade, ALONE)
    return Corroboration(grade, len(heard), party_only)


def reports(fact: FactRecord, parties: Mapping[str, str]) -> list[Report]:
    """A stored fact's sources as the rule reads them; `parties` as `Store.parties` returns them.

    The first source's words are the statement's unless it kept its own; the others count only their own.
    The statement's claimant, when a party to the fighting, makes the first source that party's voice.
    """
    stated = figures(fact.statement)
    claimant = fact.claimant_actor.name if fact.claimant_actor and is_party(fact.claimant_side) else None
    return [
        Report(
            publisher=c.source.publisher,
            says=c.says or (fact.statement if c.position == 0 else None),
            party=parties.get(normalise(c.source.publisher or "")) or (claimant if c.position == 0 else None),
            credibility=c.credibility,
            retracted=c.retracted,
            disputes=bool(c.says and stated and (given := figures(c.says)) and given != stated),
        )
        for c in fact.sources
    ]
