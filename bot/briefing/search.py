"""The /search answer: the best answer first and set apart, then the rest, each with the words it matched.

The store ranks (`bot.store.search`); this only lays the ranking out so a reader sees why each fact is where
it is: the words of the question it matched, a thesaurus match shown as "better armed ~ outgun", and a
match on what the fact is about (not its wording) said as such.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.briefing.answer import Answer, Citer, Line, Section, note
from bot.store.search import SearchHit

NO_MATCH = "No facts match. Try fewer words, or an actor's or place's name."


def matched_words(hit: SearchHit) -> str:
    """The question's words a fact matched, as the reader typed them."""
    return "matched: " + ", ".join(hit.matched) if hit.matched else ""


def _line(cite: Citer, hit: SearchHit) -> Line:
    why = matched_words(hit)
    return cite.line(f"{hit.fact.statement} (#{hit.fact.id})" + (f" — *{why}*" if why else ""), hit.fact)


def search_answer(query: str, hits: Sequence[SearchHit]) -> Answer:
    """A ranked search as an answer: the best match under its own heading, the others after it in rank order.

    A fact that makes the same claim as a better-ranked one is left out: one claim is said once.
    """
    title = f"Search: {query}"[:256]
    cite = Citer()
    by_id = {hit.fact.id: hit for hit in hits}
    kept = [by_id[fact.id] for fact in cite.fresh(hit.fact for hit in hits)]
    if not kept:
        return cite.answer(title, [note(NO_MATCH)])
    sections = [Section(title="Best answer", lines=[_line(cite, kept[0])])]
    if len(kept) > 1:
        sections.append(Section(title="Also relevant", lines=[_line(cite, h) for h in kept[1:]]))
    return cite.answer(title, [], sections)
