"""What moderators read of intake: a candidate under review, why a report was skipped, and the feeds followed.

Built here, as render-neutral `Answer`s, so the words sit with the other renderers' and the intake
services stay about feeds, articles and decisions. Nothing here reads the store: the services hand in the
records (and the topic each belongs to).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from bot.briefing.answer import Answer, Citation, Line, Section, format_day, grade_meaning, moment
from bot.curation.service import capped_note
from bot.models import PARTY_CREDIBILITY, SourceKind, capped_credibility, claimed_by, is_party
from bot.store.intake import CandidateRecord, FeedRecord
from bot.store.records import FactRecord, SourceRecord, TopicRecord

#: Feeds listed in one answer; the rest are counted.
LISTED_FEEDS = 40


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


def topic_label(topic: TopicRecord | None, topic_id: int) -> str:
    """A topic as moderators see it on a candidate."""
    return f"{topic.title} (`{topic.slug}`)" if topic else f"topic #{topic_id} (gone)"


def candidate_answer(candidate: CandidateRecord, topic: TopicRecord | None, stored: FactRecord | None = None) -> Answer:
    """A candidate as moderators see it: the sentence, what it links to, its source and grade, the decision.

    A party's claim shows its grade capped as it will be stored; `stored`, the fact an approval wrote, says
    when the store kept a worse grade than the candidate's.
    """
    fields = {**candidate.fields, "credibility": shown_credibility(candidate)}
    grade = f"{fields['reliability']}{fields['credibility']}"
    source = _source(fields)
    linked = _linked(candidate)
    sections = [
        Section(title="Linked to", lines=[Line(text=linked or "nothing known: link it with Edit")]),
        Section(title="Kind", lines=[Line(text=str(fields["kind"]))], inline=True),
        Section(title="As of", lines=[Line(text=as_of(candidate))], inline=True),
        Section(title="Grade", lines=[Line(text=grade_meaning(fields["reliability"], int(fields["credibility"])))]),
    ]
    if notes := claim_notes(candidate):
        sections.append(Section(title="Claimant and language", lines=[Line(text=n) for n in notes]))
    if candidate.duplicate_of:
        sections.append(
            Section(
                title="Nearly duplicates",
                lines=[Line(text=f"fact #{candidate.duplicate_of}: approving it is refused; edit that one instead")],
            )
        )
    origin = f"proposed by {candidate.proposed_by_name}" if candidate.proposed_by_name else "from a feed or article"
    sections.append(Section(title="Origin", lines=[Line(text=origin)]))
    sections.append(Section(title="Topic", lines=[Line(text=topic_label(topic, candidate.topic_id))], inline=True))
    if candidate.status in ("approved", "rejected") and candidate.decided_at:
        verdict = (
            f"✅ Approved by {candidate.decided_by_name} as fact #{candidate.fact_id}"
            if candidate.status == "approved"
            else f"❌ Rejected by {candidate.decided_by_name}; it will not be proposed again"
        )
        decision = [Line(text=f"{verdict}, {moment(candidate.decided_at)}")]
        if stored and (capped := capped_note(int(candidate.fields["credibility"]), stored)):
            decision.append(Line(text=capped))
        sections.append(Section(title="Decision", lines=decision))
    citation = Citation(
        number=1, source=source, grades=[grade], fact_ids=[candidate.fact_id] if candidate.fact_id else []
    )
    return Answer(
        title=f"Candidate #{candidate.id}"
        + {"approved": " (approved)", "rejected": " (rejected)"}.get(candidate.status, ""),
        lines=[Line(text=str(fields["statement"]), cites=[1])],
        sections=sections,
        citations=[citation],
        footer="Approve writes it as a fact; Edit opens the fact form first; Reject remembers the sentence.",
    )


def as_of(candidate: CandidateRecord) -> str:
    """The day a candidate reports, and why it is the article's own date when the sentence's could not be known."""
    shown = format_day(date.fromisoformat(candidate.fields["as_of"]))
    return f"{shown} ({candidate.day_note})" if candidate.day_note else shown


def shown_credibility(candidate: CandidateRecord) -> int:
    """The credibility a candidate will be stored with: never better than 3 for a party's claim."""
    return capped_credibility(int(candidate.fields["credibility"]), candidate.claimant_side)


def claim_notes(candidate: CandidateRecord) -> list[str]:
    """What a moderator must know before signing a candidate: who claims it, whether a party, its language."""
    notes = []
    if claimant := candidate.fields.get("claimant"):
        side = candidate.claimant_side
        party = f": approved, it is graded {PARTY_CREDIBILITY} (possibly true) at best" if is_party(side) else ""
        notes.append(f"{claimed_by(str(claimant), side)}{party}")
    if shown := candidate_language(candidate.language):
        notes.append(shown)
    return notes


def feed_listing(feeds: list[tuple[FeedRecord, str]], poll_interval: timedelta) -> Answer:
    """The feeds followed, each with its topic's slug: number, title, topic, state, grade, channel, last poll, error."""
    if not feeds:
        return Answer(title="Feeds", lines=[Line(text="No feed is followed. Moderators: `/feed add url`.")])
    lines = []
    for feed, topic in feeds[:LISTED_FEEDS]:
        state = "⏸️ paused" if feed.status == "paused" else ("⚠️ failing" if feed.failures else "✅ ok")
        where = f"<#{feed.channel_id}>" if feed.channel_id else "the review channel"
        polled = f"polled {moment(feed.last_polled_at)}" if feed.last_polled_at else "not polled yet"
        text = (
            f"**#{feed.id} {feed.title}** · topic `{topic}` · {state} · grade {feed.reliability}"
            f" · {feed.items_now} items · "
            f"to {where} · {polled}\n<{feed.url}>"
        )
        if feed.last_error and feed.failures:
            since = f" since {moment(feed.failing_since)}" if feed.failing_since else ""
            text += f"\nLast error ({feed.failures} in a row{since}): {feed.last_error}"
        lines.append(Line(text=text))
    more = f"; {len(feeds) - LISTED_FEEDS} more not shown" if len(feeds) > LISTED_FEEDS else ""
    return Answer(
        title=f"Feeds ({len(feeds)})", lines=lines, footer=f"Polled every {poll_minutes(poll_interval)} minutes{more}."
    )


def poll_minutes(poll_interval: timedelta) -> int:
    """The poll interval in whole minutes, as people are told it."""
    return math.ceil(poll_interval.total_seconds() / 60)


def _linked(candidate: CandidateRecord) -> str:
    """What a candidate is about, by kind: names from the sentence, or the proposal's own fields."""
    groups: dict[str, list[str]] = {}
    for link in candidate.links:
        groups.setdefault(link["entity"], []).append(link["name"])
    if not candidate.links:
        fields = candidate.fields
        if fields.get("actors"):
            groups["actor"] = list(fields["actors"])
        for entity in ("place", "event", "stakeholder"):
            if fields.get(entity):
                groups.setdefault(entity, []).append(str(fields[entity]))
    labels = {"actor": "actors", "place": "places", "event": "events", "stakeholder": "stakeholder"}
    return "; ".join(f"{labels.get(kind, kind)}: {', '.join(names)}" for kind, names in groups.items())


def review_answer(
    review_id: int,
    shown: list[tuple[int, CandidateRecord]],
    waiting: int,
    topic: TopicRecord | None,
    *,
    page: int = 1,
    pages: int = 1,
) -> Answer:
    """One page of an article's review message: its candidates numbered, each with what was decided on it.

    `shown` are this page's (number, candidate); `waiting` counts the undecided ones on every page. Fields a
    candidate may carry beyond the fact form's are left out rather than refused.
    """
    cited: dict[tuple[str, str | None], tuple[SourceRecord, set[str], set[int]]] = {}
    lines = []
    grades: set[tuple[str, int]] = set()
    for number, candidate in shown:
        fields = candidate.fields
        source = _source(fields)
        grade = (str(fields["reliability"]), shown_credibility(candidate))
        grades.add(grade)
        _, source_grades, fact_ids = cited.setdefault((source.title, source.url), (source, set(), set()))
        source_grades.add(f"{grade[0]}{grade[1]}")
        if candidate.fact_id:
            fact_ids.add(candidate.fact_id)
        details = [
            f"as of {as_of(candidate)}",
            str(fields["kind"]),
            f"grade {grade[0]}{grade[1]}",
            _linked(candidate) or "linked to nothing known: Edit links it",
            *claim_notes(candidate),
        ]
        if candidate.duplicate_of:
            details.append(f"⚠️ nearly duplicates fact #{candidate.duplicate_of}: approving it is refused")
        text = f"**{number}.** {fields['statement']}\n{' · '.join(details)}\n{_verdict(candidate)}"
        lines.append(Line(text=text, cites=[list(cited).index((source.title, source.url)) + 1]))
    citations = [
        Citation(number=n, source=source, grades=sorted(g), fact_ids=sorted(f))
        for n, (source, g, f) in enumerate(cited.values(), start=1)
    ]
    first = shown[0][1] if shown else None
    origin = (
        f"proposed by {first.proposed_by_name}"
        if first is not None and first.proposed_by_name
        else "from a feed or article"
    )
    sections = [
        Section(title="Grades", lines=[Line(text=grade_meaning(r, c)) for r, c in sorted(grades)]),
        Section(title="Origin", lines=[Line(text=origin)], inline=True),
        Section(
            title="Topic",
            lines=[Line(text=topic_label(topic, first.topic_id if first else 0))],
            inline=True,
        ),
    ]
    title = _source(first.fields).title if first else "an article"
    footer = (
        f"{waiting} waiting. Pick numbers to approve or reject; Edit opens the fact form first;"
        " a rejected sentence is never proposed again."
        if waiting
        else "Every candidate is decided."
    )
    return Answer(
        title=f"Review #{review_id}: {title}"[:256],
        lines=lines,
        sections=sections,
        citations=citations,
        footer=footer,
        page=page,
        pages=pages,
    )


def _verdict(candidate: CandidateRecord) -> str:
    """Where a candidate stands, as its line in a review message ends."""
    when = f", {moment(candidate.decided_at)}" if candidate.decided_at else ""
    if candidate.status == "approved":
        return f"✅ Approved by {candidate.decided_by_name} as fact #{candidate.fact_id}{when}"
    if candidate.status == "rejected":
        return f"❌ Rejected by {candidate.decided_by_name}{when}"
    if candidate.status == "deciding":
        return "⏳ Being decided"
    return "⏳ Waiting"


def _source(fields: dict[str, Any]) -> SourceRecord:
    """The source a candidate's fields name, as a citation shows it."""
    return SourceRecord(
        id=0,
        title=fields["source_title"],
        publisher=fields.get("source_publisher"),
        url=fields.get("source_url"),
        published=date.fromisoformat(fields["source_date"]) if fields.get("source_date") else None,
        kind=SourceKind.BACKGROUND if fields.get("background") else SourceKind.DOCUMENT,
        note=None,
    )
